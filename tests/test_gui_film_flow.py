"""File ▸ New film from a brief, offscreen, against the OpenAI-compatible test server: the guided
dialog driven by typing and clicking — brief, length, keyframe backend, plan and looks, a look
chosen, the storyboard made — and the project file read back afresh; without a language model the
window says so and makes no project, and one gone meanwhile is said in the dialog."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, settings_in, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from servers.openai_chat import LOOKS, OpenAIChatServer
from still_painter import StillPainter
from test_gui import new_project

from foundry_desktop.app.assist.language_model import LanguageModelSettings, save_language_model
from foundry_desktop.app.film_flow.flow_state import load_state
from foundry_desktop.app.generation import backends
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.film_flow import FilmFlowDialog

BRIEF = "Waves hit the pier at night. A lighthouse turns slowly. The keeper pours hot tea."


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    password_store.set_password("foundry-desktop", "assist", "sk-gui")


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def open_film_dialog(window, monkeypatch, tmp_path, loop) -> FilmFlowDialog:
    new_project(window, monkeypatch, tmp_path, name="Harbour")
    assert window.session is not None and not window.session.service.project.timeline.shots
    window.new_film_action.trigger()  # the open project is empty: the film goes into it
    wait_until(loop, lambda: window.findChild(FilmFlowDialog))  # once the assist's settings are read
    dialog = window.findChild(FilmFlowDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def type_brief(dialog: FilmFlowDialog, seconds: str) -> None:
    QTest.keyClicks(dialog.brief, BRIEF)
    dialog.seconds.setFocus()
    dialog.seconds.selectAll()
    QTest.keyClicks(dialog.seconds, seconds)
    QTest.keyClick(dialog.seconds, Qt.Key.Key_Tab)


def choose_in_combo(combo, text: str) -> None:
    """Pick `text` from the combo box with the keyboard, as a creator tabbing through would."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentText() != text:
        assert combo.currentIndex() < combo.count() - 1, f"{text} is not offered"
        QTest.keyClick(combo, Qt.Key.Key_Down)


def test_a_brief_becomes_a_storyboard_through_the_dialog(window, monkeypatch, tmp_path, loop):
    painter, machine_registry = StillPainter(), backends.default_registry

    def with_painter():  # the keyframes' image backend, among the machine's backends
        registry = machine_registry()
        registry.register(painter)
        return registry

    monkeypatch.setattr(backends, "default_registry", with_painter)
    shown = []
    monkeypatch.setattr(window, "show_storyboard", lambda: shown.append(True))
    with OpenAIChatServer(api_key="sk-gui") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        dialog = open_film_dialog(window, monkeypatch, tmp_path, loop)
        type_brief(dialog, "9")
        assert dialog.seconds.value() == 9
        wait_until(loop, lambda: dialog.backend.count() > 0)  # the machine's backends, read off the GUI thread
        assert dialog.backend.currentText() == "builtin" and dialog.backend.findText("media") == -1
        assert not dialog.make_button.isEnabled()
        choose_in_combo(dialog.image_backend, "painter")

        QTest.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
        assert not dialog.propose_button.isEnabled()  # busy while the model plans
        wait_until(loop, lambda: len(dialog.look_choice.buttons()) == 3)
        assert dialog.make_button.isEnabled() and dialog.look_choice.checkedId() == 1
        assert window.session.service.project.timeline.shots == []  # nothing laid out before a look is chosen
        dialog.grab().save(str(tmp_path / "film-dialog.png"))

        QTest.mouseClick(dialog.look_choice.button(2), Qt.MouseButton.LeftButton)
        assert dialog.look_choice.checkedId() == 2
        QTest.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
        wait_until(loop, lambda: shown)  # the flow ended by showing the storyboard, and closed the dialog
        assert server.completions == 2  # the plan and the mood board, once each
    assert window.findChild(FilmFlowDialog) is None or not window.findChild(FilmFlowDialog).isVisible()
    path = window.session.path
    window.close_project()
    with ProjectService.open(path) as service:
        shots = service.project.timeline.shots
        assert len(shots) == 3 and sum(shot.spec.duration for shot in shots) == 9 * 24
        assert {service.project.style_of(shot).name for shot in shots} == {LOOKS[1]}
        state = load_state(service)
        assert state.look == 2 and state.done[-1] == "keyframes"
        assert [scene.name for scene in service.project.timeline.scenes] == [shot.name for shot in shots]
        stills = [service.keyframes_of(shot.id) for shot in shots]
        assert all(len(made) == 1 and made[0].backend == "painter" for made in stills)
        assert not any(job.spec.get("output", "video") == "video" for job in service.jobs())  # no video yet
    assert painter.submissions == 3


def test_without_a_language_model_the_window_says_so_and_makes_no_project(window, monkeypatch, tmp_path, loop):
    made = []
    monkeypatch.setattr(window, "new_project", lambda: made.append(True))
    window.new_film_action.trigger()
    wait_until(loop, lambda: window.errors)
    title, message = window.errors[-1]
    assert title == "No film without a language model" and message.startswith("No language model is set up")
    assert made == [] and window.session is None and window.findChild(FilmFlowDialog) is None


def test_a_language_model_gone_meanwhile_is_said_in_the_dialog(window, monkeypatch, tmp_path, loop):
    with OpenAIChatServer(api_key="sk-gui") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        dialog = open_film_dialog(window, monkeypatch, tmp_path, loop)
    save_language_model(LanguageModelSettings())  # set up when the dialog opened, forgotten since
    type_brief(dialog, "20")
    QTest.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: dialog.error_line.isVisible())
    assert dialog.error_line.text().startswith("No language model is set up")
    assert dialog.propose_button.isEnabled() and not dialog.make_button.isEnabled()
    path = window.session.path
    window.close_project()
    with ProjectService.open(path) as service:
        assert service.project.timeline.shots == [] and load_state(service).plan is None


def test_a_brief_is_opened_from_a_file_off_the_gui_thread(window, monkeypatch, tmp_path, loop):
    with OpenAIChatServer(api_key="sk-gui") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        dialog = open_film_dialog(window, monkeypatch, tmp_path, loop)
    brief, garbled = tmp_path / "brief.txt", tmp_path / "garbled.txt"
    brief.write_text(BRIEF + "\nTone: quiet\n", encoding="utf-8")
    garbled.write_bytes(b"\xff\xfe\x00not text")
    chosen = [str(garbled), str(brief)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (chosen.pop(0), ""))
    QTest.mouseClick(dialog.open_brief_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: dialog.error_line.isVisible())
    assert dialog.error_line.text().startswith("The brief garbled.txt cannot be read")
    QTest.mouseClick(dialog.open_brief_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: dialog.brief.toPlainText() == brief.read_text())
    assert not dialog.error_line.isVisible()


def test_a_film_started_before_is_taken_up_where_it_stopped(window, monkeypatch, tmp_path, loop):
    with OpenAIChatServer(api_key="sk-gui") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        first = open_film_dialog(window, monkeypatch, tmp_path, loop)
        type_brief(first, "9")
        QTest.mouseClick(first.propose_button, Qt.MouseButton.LeftButton)
        wait_until(loop, lambda: len(first.look_choice.buttons()) == 3)
        QTest.mouseClick(first.look_choice.button(3), Qt.MouseButton.LeftButton)
        first.close()  # the creator stops here, and opens the flow again later
        window.new_film_action.trigger()  # the project is still empty: the same film is taken up
        wait_until(loop, lambda: any(d.isVisible() for d in window.findChildren(FilmFlowDialog)))
        again = next(d for d in window.findChildren(FilmFlowDialog) if d.isVisible())
        assert again.brief.toPlainText() == BRIEF and again.seconds.value() == 9
        assert len(again.look_choice.buttons()) == 3 and again.make_button.isEnabled()
        assert server.completions == 2  # shown from the project, not asked again


def test_closing_the_dialog_while_the_flow_runs_stops_it_quietly(window, monkeypatch, tmp_path, loop):
    with OpenAIChatServer(api_key="sk-gui") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        dialog = open_film_dialog(window, monkeypatch, tmp_path, loop)
        type_brief(dialog, "9")
        server.answer_next("slow")  # the plan takes its time: the creator closes the dialog meanwhile
        QTest.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
        wait_until(loop, lambda: dialog.status.text() == "Planning the scenes…")
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        loop.run_until_complete(dialog.work.wait_idle())
    assert window.errors == [] and window.findChild(FilmFlowDialog) is None  # closed, and deleted
    with ProjectService.open(window.session.path, read_only=True) as service:
        assert load_state(service).plan is None and service.project.timeline.shots == []
