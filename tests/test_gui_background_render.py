"""Rendering in the background, offscreen, driven as a creator would: File > Render opens a
settings sheet that checks before it starts (an empty timeline, shots with no picture, a
file that would be replaced), the render then runs as a job in the Jobs panel and the
status bar while the window stays editable, renders the cut as it was when it started,
can be cancelled there, and ends with a notice that does not stop the editor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from test_gui_timeline import drag, edge_of
from video_sources import decoded_frames, write_video

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.render_job import refusal_before_render
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.media.probe import probe_media
from foundry_desktop.ui.dialogs.render import RenderDialog

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def make_project(tmp_path: Path, clips: int = 2, ungenerated: int = 0) -> Path:
    """`clips` footage shots of two seconds each, then `ungenerated` shots of 1.5 s never generated."""
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        for number in range(clips):
            colour = RED if number % 2 == 0 else BLUE
            clip = write_video(tmp_path / f"clip{number}.mp4", width=320, height=180, frames=48,
                               picture=lambda index, colour=colour: np.full((180, 320, 3), colour, dtype=np.uint8))
            add_media_shot(service, clip)
        for number in range(ungenerated):
            service.add_shot(prompt=f"A shot still to make {number}", duration_seconds="1.5")
    return path


def open_render_sheet(window, qtbot, output: Path) -> RenderDialog:
    """File > Render…, the file name typed in."""
    window.render_action.trigger()
    dialog = next(found for found in window.findChildren(RenderDialog) if found.isVisible())
    dialog.output.clear()
    QTest.keyClicks(dialog.output, str(output))
    return dialog


def click(button) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def question_button(dialog: RenderDialog, text: str) -> QPushButton:
    box = dialog.question
    assert isinstance(box, QMessageBox) and box.isVisible()
    return next(button for button in box.buttons() if button.text().replace("&", "") == text)


def partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.partial"))


def test_the_render_is_the_cut_as_it_was_when_started_while_a_shot_is_trimmed(window, qtbot, loop, tmp_path):
    project = make_project(tmp_path, clips=3)
    assert opened(window, project)
    before = window.session.service.cut_plan().length
    film = tmp_path / "out" / "night.mp4"
    dialog = open_render_sheet(window, qtbot, film)
    dialog.preset.setCurrentIndex(dialog.preset.findData("720p"))  # scaled: every frame is encoded
    click(dialog.start)
    renders = window.jobs.renders
    assert not dialog.isVisible()  # the sheet closed: the render is a job now
    job = renders.jobs[-1]
    assert job.state == "running" and renders.status.cancel_button.isVisible() and renders.rows[job].isVisible()
    assert "night.mp4" in renders.status.label.text()
    wait_until(loop, lambda: renders.status.bar.value() > 0 or job.finished)  # frames are being encoded

    # The window stays editable: the first shot is shortened by dragging its end while it renders.
    timeline = window.timeline
    timeline.canvas.fit()
    end = edge_of(timeline, 0, end=True)
    drag(timeline.canvas, end, end - QPoint(round(timeline.canvas.view.x_of(24) - timeline.canvas.view.x_of(0)), 0))
    trimmed = window.session.service.cut_plan().length
    assert trimmed < before

    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "done", job.error
    media = probe_media(film)
    assert media.frame_count == before and (media.width, media.height) == (1280, 720)
    assert renders.notice is not None and renders.notice.isVisible()
    assert {b.text().replace("&", "") for b in renders.notice.buttons()} >= {"Show in folder", "Play"}
    assert renders.rows[job].folder_button.isVisible() and not renders.status.cancel_button.isVisible()
    with ProjectService.open(project, read_only=True) as reopened:
        assert reopened.cut_plan().length == trimmed  # the project file holds the trim
    assert partials(film.parent) == []


def test_an_empty_project_is_refused_before_anything_starts(window, qtbot, loop, tmp_path):
    path = tmp_path / "empty.foundry"
    ProjectService.create(path).close()
    assert opened(window, path)
    film = tmp_path / "empty.mp4"
    dialog = open_render_sheet(window, qtbot, film)
    click(dialog.start)
    assert dialog.isVisible() and dialog.error_line.isVisible()
    assert "nothing to render" in dialog.error_line.text() and "no shots" in dialog.error_line.text()
    line = dialog.error_line
    qtbot.waitUntil(lambda: line.height() >= line.heightForWidth(line.width()))  # the words show whole
    assert window.jobs.renders.jobs == [] and not film.exists()


def test_replacing_a_file_asks_first_and_no_leaves_it_untouched(window, qtbot, loop, tmp_path):
    assert opened(window, make_project(tmp_path, clips=1))
    film = tmp_path / "taken.mp4"
    film.write_bytes(b"the creator's earlier film")
    dialog = open_render_sheet(window, qtbot, film)
    click(dialog.start)
    assert "taken.mp4 already exists" in dialog.question.text()
    click(question_button(dialog, "Cancel"))
    wait_until(loop, lambda: dialog.question is None)
    assert film.read_bytes() == b"the creator's earlier film" and window.jobs.renders.jobs == []
    assert dialog.isVisible()  # back at the sheet, to choose another name


def test_cancel_in_the_jobs_panel_leaves_no_file_and_no_partial(window, qtbot, loop, tmp_path):
    assert opened(window, make_project(tmp_path, clips=3))
    film = tmp_path / "cancelled.mp4"
    click(open_render_sheet(window, qtbot, film).start)
    renders = window.jobs.renders
    job = renders.jobs[-1]
    window.docks["Jobs"].raise_()
    row = renders.rows[job]
    wait_until(loop, lambda: row.cancel_button.isVisible())
    click(row.cancel_button)
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "cancelled" and not film.exists() and partials(tmp_path) == []
    assert "cancelled" in row.label.text() and not row.cancel_button.isVisible()


def test_shots_without_a_picture_render_as_slates_for_their_length(window, qtbot, loop, tmp_path):
    project = make_project(tmp_path, clips=2, ungenerated=1)
    with ProjectService.open(project) as service:  # the second clip's take goes missing: offline
        second = service.project.selected_take(service.project.timeline.shots[1])
        service.media.path_of(second.media_path).unlink()
    assert opened(window, project)
    film = tmp_path / "with-slates.mp4"
    dialog = open_render_sheet(window, qtbot, film)
    click(dialog.start)
    assert "Shot 2 (offline), Shot 3 (not generated)" in dialog.question.text()
    click(question_button(dialog, "Render with slates"))
    job = window.jobs.renders.jobs[-1]
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "done", job.error
    assert probe_media(film).frame_count == 48 + 48 + 36
    frames = list(decoded_frames(film))
    for slate in (frames[48 + 24], frames[96 + 18]):
        assert slate.mean() < 30 and slate.max() > 120  # black, with the slate's grey words
    assert np.abs(frames[10][90, 160].astype(int) - RED).max() < 30
    # The slates are the render's alone: the project still has no picture for those shots.
    with ProjectService.open(project, read_only=True) as reopened:
        assert [status.kind for status in reopened.statuses()] == ["current", "missing", "missing"]


def test_generate_then_render_makes_the_missing_shots_first(window, qtbot, loop, tmp_path):
    assert opened(window, make_project(tmp_path, clips=1, ungenerated=1))
    film = tmp_path / "generated-first.mp4"
    dialog = open_render_sheet(window, qtbot, film)
    click(dialog.start)
    click(question_button(dialog, "Generate, then render"))
    renders = window.jobs.renders
    assert window.session.generating and renders.jobs == []  # the render waits for the generation
    wait_until(loop, lambda: renders.jobs and renders.jobs[-1].finished, timeout=300)
    job = renders.jobs[-1]
    assert job.state == "done", job.error
    assert probe_media(film).frame_count == 48 + 36
    assert [status.kind for status in window.session.service.statuses()] == ["current", "current"]


def test_a_render_that_fails_says_why_in_a_notice_and_writes_nothing(window, qtbot, loop, tmp_path):
    project = make_project(tmp_path, clips=2)
    with ProjectService.open(project) as service:  # the first take's file is damaged, not gone
        first = service.project.selected_take(service.project.timeline.shots[0])
        service.media.path_of(first.media_path).write_bytes(b"not a video any more")
    assert opened(window, project)
    film = tmp_path / "broken.mp4"
    click(open_render_sheet(window, qtbot, film).start)
    renders = window.jobs.renders
    job = renders.jobs[-1]
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "failed" and "Shot 1" in job.error
    notice = renders.notice
    assert notice is not None and notice.isVisible() and notice.windowModality() == Qt.WindowModality.NonModal
    assert "broken.mp4 was not rendered" in notice.text() and "Shot 1" in notice.text()
    assert "failed" in renders.rows[job].label.text() and not film.exists() and partials(tmp_path) == []


def test_a_second_render_waits_for_the_first_and_the_status_bar_cancels(window, qtbot, loop, tmp_path):
    assert opened(window, make_project(tmp_path, clips=1))
    first, second = tmp_path / "first.mp4", tmp_path / "second.mp4"
    click(open_render_sheet(window, qtbot, first).start)
    click(open_render_sheet(window, qtbot, second).start)
    renders = window.jobs.renders
    one, two = renders.jobs
    assert (one.state, two.state) == ("running", "queued")
    assert "waiting" in renders.rows[two].label.text() and "+1 waiting" in renders.status.label.text()
    click(renders.status.cancel_button)  # the status bar's Cancel stops the running one; the next starts
    wait_until(loop, lambda: two.finished, timeout=300)
    assert (one.state, two.state) == ("cancelled", "done")
    assert not first.exists() and probe_media(second).frame_count == 48


def test_what_cannot_be_written_is_refused_in_words_before_a_render_starts(tmp_path):
    with ProjectService.open(make_project(tmp_path, clips=1)) as service:
        (tmp_path / "notes").write_text("a file, not a folder")
        assert "is none of those" in refusal_before_render(service, tmp_path / "film.txt")
        assert "is a folder" in refusal_before_render(service, tmp_path)
        assert "may not write in" in refusal_before_render(service, tmp_path / "notes" / "film.mp4")
        assert refusal_before_render(service, tmp_path / "new" / "folders" / "film.mp4") is None


def test_closing_the_window_while_it_renders_asks_and_stops_the_render_only_on_yes(window, qtbot, loop, tmp_path):
    assert opened(window, make_project(tmp_path, clips=3))
    film = tmp_path / "unfinished.mp4"
    dialog = open_render_sheet(window, qtbot, film)
    dialog.preset.setCurrentIndex(dialog.preset.findData("2160p"))  # long enough to be under way at the end
    click(dialog.start)
    job = window.jobs.renders.jobs[-1]
    asked = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):  # (else no question came: the asserts below say so)
            asked.append(box.text())
            click(box.button(button))

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Cancel))
    window.close()
    assert window.isVisible() and not job.cancel.is_set() and "unfinished.mp4 is still rendering" in asked[0]
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
    window.close()
    assert not window.isVisible() and len(asked) == 2
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "cancelled" and not film.exists() and partials(tmp_path) == []
