"""The "Plan from a brief…" dialog, offscreen, against the OpenAI-compatible chat test server:
no model set up said in the dialog; a proposal asked off the GUI thread while the dialog is
busy; seconds edited with the total kept at the target; the plan inserted after the selection
as one undo step, the shots already there untouched; and the Shots menu that opens it."""

from __future__ import annotations

import pytest
from gui_loop import opened, project_session, wait_until
from PySide6.QtCore import QSettings, QTimer
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.dialogs.plan import (
    PROMPT,
    SECONDS,
    TITLE,
    TRANSITION,
    TRANSITION_SECONDS,
    PlanDialog,
)

BRIEF = "A runner laces her shoes before dawn. The city is still asleep. She crosses the bridge as the sun rises."


@pytest.fixture(autouse=True)
def key_store(password_store):
    password_store.set_password("foundry-desktop", "assist", "sk-gui")


@pytest.fixture
def server():
    with OpenAIChatServer(api_key="sk-gui") as server:
        yield server


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="25")
    service.add_shot(prompt="Title card", duration_seconds="2", seed=1, name="Title")
    service.add_shot(prompt="End card", duration_seconds="2", seed=2, name="End")
    with project_session(service, loop) as opened:
        yield opened


def dialog_for(qtbot, session, settings: LanguageModelSettings) -> PlanDialog:
    dialog = PlanDialog(session, load_settings=lambda: settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_with_no_model_set_up_the_dialog_says_so_in_words(qtbot, loop, session):
    dialog = dialog_for(qtbot, session, LanguageModelSettings())
    assert dialog.propose() is None  # an empty brief is refused first, in words, asking nothing
    assert dialog.error_line.isVisible() and "a brief needs some text" in dialog.error_line.text()
    dialog.brief.setPlainText(BRIEF)
    loop.run_until_complete(dialog.propose())
    assert "No language model is set up" in dialog.error_line.text() and dialog.error_line.isVisible()
    assert dialog.propose_button.isEnabled() and not dialog.append_button.isEnabled()
    assert dialog.table.rowCount() == 0


def test_propose_edit_and_insert_after_the_selection_as_one_undo_step(qtbot, loop, session, server):
    # The timeout of a try only stops a broken test hanging: a slow machine never comes near it.
    settings = LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60)
    dialog = dialog_for(qtbot, session, settings)
    dialog.brief.setPlainText(BRIEF)
    dialog.visual_style.setText("grainy 16mm")
    dialog.tone.setText("determined")
    dialog.duration.setValue(12)
    dialog.aspect.setCurrentIndex(1)  # 9:16
    server.answer_next("prose")  # a loose answer first, then a proper one
    server.hold_responses = True  # the answers wait at the server until the test lets them go

    task = dialog.propose()
    wait_until(loop, lambda: server.requests_to("POST", "/v1/chat/completions"))
    assert not dialog.propose_button.isEnabled() and dialog.propose_button.text() == "Proposing…"
    # The GUI thread answers while the request waits on the server: a queued timer fires.
    answered = []
    QTimer.singleShot(0, lambda: answered.append(True))
    wait_until(loop, lambda: answered)
    assert not task.done()
    server.hold_responses = False
    loop.run_until_complete(task)
    assert dialog.error_line.text() == "" and dialog.propose_button.isEnabled()
    assert server.completions == 2
    body = server.requests[-1].json
    assert "Visual style: grainy 16mm" in body["messages"][1]["content"] and "9:16" in body["messages"][1]["content"]

    table = dialog.table
    assert table.rowCount() == 3
    assert [table.item(row, TITLE).text() for row in range(3)] == [
        "A Runner Laces Her", "The City Is Still", "She Crosses The Bridge"]
    assert table.item(0, PROMPT).text().endswith("grainy 16mm")
    assert dialog.music_mood.text() == "determined"
    assert sum(dialog._frames) == 300 and "the target exactly" in dialog.total.text()

    # The creator lengthens the first scene to 6 s: it keeps 6 s, the others share the rest.
    table.item(0, SECONDS).setText("6")
    assert dialog._frames[0] == 150 and sum(dialog._frames) == 300
    assert table.item(0, SECONDS).text() == "6" and "the target exactly" in dialog.total.text()
    table.item(1, SECONDS).setText("soon")
    assert "not a number of seconds" in dialog.error_line.text() and sum(dialog._frames) == 300
    table.item(2, PROMPT).setText("She crosses the bridge at sunrise, wide shot")
    table.cellWidget(0, TRANSITION).setCurrentIndex(2)  # fade through black
    assert table.item(0, TRANSITION_SECONDS).text() == "0.5"
    dialog.duration.setValue(10)  # a new target: the scenes are fitted to it
    assert sum(dialog._frames) == 250

    before = [shot.model_dump() for shot in session.service.project.timeline.shots]
    assert not dialog.insert_button.isEnabled()  # nothing selected yet
    session.select([before[0]["id"]])
    assert dialog.insert_button.isEnabled()
    applied = dialog.apply(after_selection=True)
    shots = session.service.project.timeline.shots
    assert applied is not None and [shot.id for shot in shots[1:4]] == applied.shot_ids
    assert [shots[0].model_dump(), shots[4].model_dump()] == before
    assert sum(shot.spec.duration for shot in shots[1:4]) == 250
    assert shots[3].spec.prompt == "She crosses the bridge at sunrise, wide shot"
    assert (shots[1].transition_out.kind, shots[1].transition_out.duration) == ("fade_black", 13)
    assert "Added shots 2 to 4 (one undo step)." in dialog.status.text()
    assert "written for 9:16" in dialog.status.text()
    assert session.selected == applied.shot_ids

    assert session.service.undo() == "Apply a plan of 3 scenes"
    assert [shot.model_dump() for shot in session.service.project.timeline.shots] == before
    dialog.close()


def test_the_shots_menu_opens_the_dialog(qtbot, tmp_path, loop):
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert not window.plan_action.isEnabled()  # no project open
    with ProjectService.create(tmp_path / "menu.foundry", width=320, height=180):
        pass
    assert opened(window, tmp_path / "menu.foundry")
    assert window.plan_action in window.menuBar().actions()[2].menu().actions()
    window.plan_action.trigger()
    dialog = window.findChild(PlanDialog)
    assert dialog is not None and dialog.isVisible() and dialog.aspect.currentData() == "16:9"
    dialog.close()
    loop.run_until_complete(window.session.wait_idle())
    window.close_project()
    loop.run_until_complete(window.generation.close())
