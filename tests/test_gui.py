"""The whole editor window, offscreen, driven as a creator would: make a project, add
shots, drag one to a new place, lengthen one, generate, see a prompt edit make a shot
stale, choose another take, play the timeline, render, undo and redo every step,
reopen the project and find it as it was; hand the cut to another editor and bring
one back."""

from __future__ import annotations

import asyncio

import pytest
from gui_loop import editor_window, opened, settings_in, spin, wait_until
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog
from test_gui_timeline import centre_of, drag, edge_of
from video_sources import write_video

from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.media.probe import probe_media
from foundry_desktop.ui.window import main_window as main_window_module
from foundry_desktop.ui.dialogs.export_cut import ExportDialog
from foundry_desktop.ui.dialogs.import_cut import ImportChoice
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.dialogs.render import RenderDialog


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def shots(window) -> list[tuple[str, int]]:
    return [(shot.spec.prompt, shot.spec.duration) for shot in window.session.service.project.timeline.shots]


def new_project(window, monkeypatch, tmp_path, name="Night Film") -> None:
    class Accepted(main_window_module.NewProjectDialog):
        def exec(self):
            self.name.setText(name)
            self.size.setCurrentIndex(1)  # 1280×720
            self.folder.setText(str(tmp_path))
            return self.DialogCode.Accepted

    monkeypatch.setattr(main_window_module, "NewProjectDialog", Accepted)
    window.new_action.trigger()  # made and opened in a worker thread
    wait_until(asyncio.get_event_loop(), lambda: window.session is not None or window.errors)


def add_shot(window, monkeypatch, prompt: str) -> None:
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: (prompt, True))
    window.add_shot_action.trigger()


def test_a_creator_makes_generates_edits_plays_renders_undoes_and_reopens(window, monkeypatch, tmp_path, loop):
    assert window.welcome.isVisible() and not window.docks["Timeline"].isVisible()
    assert not window.generate_action.isEnabled()

    new_project(window, monkeypatch, tmp_path)
    assert window.windowTitle() == "Night Film — Foundry Desktop" and window.docks["Timeline"].isVisible()
    for prompt in ("Opening title", "The valley at dawn", "The city at night"):
        add_shot(window, monkeypatch, prompt)
    assert [p for p, _ in shots(window)] == ["Opening title", "The valley at dawn", "The city at night"]
    timeline = window.timeline
    timeline.canvas.fit()

    drag(timeline.canvas, centre_of(timeline, 2), centre_of(timeline, 0) - QPoint(20, 0))  # the city first
    assert [p for p, _ in shots(window)] == ["The city at night", "Opening title", "The valley at dawn"]
    second = round(24 * timeline.canvas.view.px_per_frame)
    drag(timeline.canvas, edge_of(timeline, 0, end=True), edge_of(timeline, 0, end=True) + QPoint(second, 0))
    assert abs(shots(window)[0][1] - 96) <= 2  # three seconds became about four
    laid_out = shots(window)

    window.generate_action.trigger()
    wait_until(loop, lambda: window.session.generating)
    wait_until(loop, lambda: not window.session.generating)
    statuses = [s.kind for s in window.session.service.statuses()]
    assert statuses == ["current"] * 3, statuses
    assert window.jobs_summary.text() == "All shots current"

    # The inspector edits the selected shot's prompt: the shot goes stale, with the reason.
    QTest.mouseClick(timeline.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(timeline, 1))
    inspector = window.inspector
    wait_until(loop, lambda: inspector.prompt.toPlainText() == "Opening title")
    inspector.prompt.setFocus()
    inspector.prompt.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(inspector.prompt, ", gold on black")
    inspector.prompt.clearFocus()  # leaving the field saves it
    assert inspector.status_badge.text() == "Stale: prompt changed"
    assert window.session.service.shot_status(window.session.service.project.timeline.shots[1]).kind == "stale"

    # Two variants of the third shot, then the second of them in use.
    window.session.select([window.session.service.project.timeline.shots[2].id])
    takes = window.takes
    takes.variants.setValue(2)
    takes.generate_button.click()
    wait_until(loop, lambda: takes.gallery.count() == 3)
    takes.gallery.setCurrentRow(2)
    takes.use_button.click()
    chosen = window.session.service.project.timeline.shots[2]
    assert chosen.selected_take_id == window.session.service.project.video_takes_of(chosen.id)[2].id

    # Bring shot 2 back to what it was, then play the film from the start in the preview.
    edited = shots(window)
    window.undo_action.trigger()  # the variant's seed
    window.undo_action.trigger()  # the prompt edit
    assert window.session.service.shot_status(window.session.service.project.timeline.shots[1]).kind == "current"
    window.session.move_playhead(0)
    window.preview.play_timeline()
    wait_until(loop, lambda: window.preview.frames_shown > 5)
    wait_until(loop, lambda: window.session.playhead > 0)
    window.preview.pause()

    dialog = RenderDialog(window.session, window.jobs.renders, window)
    film = tmp_path / "night.mp4"
    dialog.output.setText(str(film))
    dialog.render()
    job = window.jobs.renders.jobs[-1]
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "done", job.error
    media = probe_media(film)
    assert (media.width, media.height) == (1280, 720) and media.frame_count == window.session.service.cut_plan().length
    window.grab().save(str(tmp_path / "window.png"))

    # Every step undoes, and redoes back to the same film.
    service = window.session.service
    done = []
    while window.undo_action.isEnabled():
        done.append(window.undo_action.text())
        window.undo_action.trigger()
    assert shots(window) == [] and done[-1] == "&Undo Add shot 1" and len(done) == 5
    for _ in range(5):
        window.redo_action.trigger()
    assert shots(window) == laid_out
    assert [s.kind for s in service.statuses()] == ["current"] * 3  # the takes came back with the edits
    window.redo_action.trigger()  # the prompt edit and the variant, undone before
    window.redo_action.trigger()
    assert shots(window) == edited and not window.redo_action.isEnabled()
    assert [s.kind for s in service.statuses()] == ["current", "stale", "current"]

    # Reopened, the project is as it was.
    path = window.session.path
    before = service.project.model_dump()
    window.close_project()
    assert window.welcome.isVisible() and str(path) in window.welcome.recent.item(0).text()
    assert opened(window, path)
    assert window.session.service.project.model_dump() == before
    spin(loop, 0.2)


def test_a_file_that_is_not_a_project_gets_a_message_and_nothing_opens(window, tmp_path):
    bogus = tmp_path / "notes.foundry"
    bogus.write_text("not a database")
    assert not opened(window, bogus)
    assert window.errors and "notes.foundry" in window.errors[-1][1]
    assert window.session is None and window.welcome.isVisible()


def test_the_layout_and_recent_projects_are_remembered(qtbot, tmp_path, loop):
    settings = settings_in(tmp_path)
    path = tmp_path / "film.foundry"
    ProjectService.create(path, width=320, height=180).close()
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    opened(first, path)
    first.docks["Inspector"].close()  # the creator hides a panel
    first.close()
    loop.run_until_complete(first.generation.close())

    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    assert second.welcome.recent.count() == 1
    opened(second, path)
    assert not second.docks["Inspector"].isVisible() and second.docks["Timeline"].isVisible()
    second.reset_layout_action.trigger()
    assert second.docks["Inspector"].isVisible()
    second.close()
    loop.run_until_complete(second.generation.close())


def test_settings_and_the_workflow_library_open_from_the_menus(window, loop):
    from foundry_desktop.ui.settings.dialog import SettingsDialog
    from foundry_desktop.ui.dialogs.workflow_library import WorkflowLibraryDialog

    window.settings_action.trigger()
    window.workflows_action.trigger()

    def shown(kind):
        dialog = window.findChild(kind)
        return dialog is not None and dialog.isVisible()

    wait_until(loop, lambda: shown(SettingsDialog) and shown(WorkflowLibraryDialog))
    settings = window.findChild(SettingsDialog)
    library = window.findChild(WorkflowLibraryDialog)
    assert settings is not None and settings.isVisible() and library is not None and library.isVisible()
    settings.close()
    library.close()
    spin(loop, 0.1)


def test_the_cut_is_exported_from_the_file_menu_and_a_cut_imported_opens_as_a_project(window, tmp_path, loop):
    source = tmp_path / "cut" / "film.foundry"
    source.parent.mkdir()
    with ProjectService.create(source, width=160, height=90, frame_rate="24") as service:
        add_media_shot(service, write_video(tmp_path / "a.mp4", frames=36), name="Dawn")
        add_media_shot(service, write_video(tmp_path / "b.mp4", frames=36), name="Dusk")
        service.set_transition(0, "dissolve", 6)
    assert opened(window, source)
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.output.text().endswith("film.fcpxml")
    assert not dialog.drop_frame.isEnabled()  # 24 fps has no drop-frame timecode
    dialog.format.setCurrentIndex(2)  # CMX 3600
    assert dialog.output.text().endswith("film.edl")
    dialog.export_button.click()
    wait_until(loop, lambda: dialog.report is not None)
    assert "Exported film.edl" in dialog.status.text() and (tmp_path / "cut" / "film.edl").exists()

    blocker = tmp_path / "a file"
    blocker.write_text("")
    dialog.output.setText(str(blocker / "film.otio"))  # a folder that is a file: cannot be written
    dialog.format.setCurrentIndex(3)
    dialog.export_button.click()
    wait_until(loop, lambda: dialog.error_line.isVisible())
    assert "film.otio" in dialog.error_line.text() or "a file" in dialog.error_line.text()
    dialog.close()

    loop.run_until_complete(window.import_cut(ImportChoice(tmp_path / "cut" / "film.edl", tmp_path / "back.foundry",
                                                           "24")))
    assert window.session is not None and window.session.path == tmp_path / "back.foundry"
    assert [shot.name for shot in window.session.service.project.timeline.shots] == ["Dawn", "Dusk"]
    assert window.session.service.project.timeline.shots[0].transition_out.duration == 6

    bad = tmp_path / "broken.otio"
    bad.write_text("{not json")
    loop.run_until_complete(window.import_cut(ImportChoice(bad, tmp_path / "broken.foundry", None)))
    assert window.errors[-1][0] == "Cannot import the cut" and "broken.otio" in window.errors[-1][1]
    assert not (tmp_path / "broken.foundry").exists() and window.session.path == tmp_path / "back.foundry"
