"""Gaps in the editor window, offscreen, by real input: Backspace lifts a selected shot
and leaves its time empty, a shot dragged into the empty time lands where it is
dropped, a click selects the gap that is left and Delete closes it up; Delete on a
shot ripples as before. Each gesture is one undo step, and the project file holds
the gaps (read back by a fresh read-only open)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from gui_loop import editor_window, settings_in, wait_until
from test_gui_timeline import centre_of, drag
from video_sources import write_video

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.ui.timeline import panel as timeline_panel
from foundry_desktop.ui.timeline.geometry import row_of


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "gaps.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        for number, seconds in enumerate(("2", "1", "1", "2"), start=1):
            service.add_shot(prompt=f"shot {number}", duration_seconds=seconds, seed=number)
    return path


@pytest.fixture
def window(qtbot, tmp_path, loop, project):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        async def open_it() -> bool:  # inside the loop, as the app runs: the window starts work on it
            return await window.open_project(project)

        assert loop.run_until_complete(open_it())
        window.timeline.canvas.fit()
        qtbot.waitExposed(window)
        window.activateWindow()
        wait_until(loop, window.isActiveWindow)  # the keys are the window's shortcuts
        yield window


def on_disk(path: Path) -> list[tuple[str, int, int]]:
    """(prompt, gap before, record in) of each shot, as the project file holds them."""
    with ProjectService.open(path, read_only=True) as service:
        shots = service.project.timeline.shots
        return [(shots[p.index].spec.prompt, shots[p.index].gap_before, p.record_in) for p in service.cut_plan().shots]


def point_at(canvas, frame: float) -> QPoint:
    return QPoint(round(canvas.view.x_of(frame)), row_of("video").top + 40)


def test_lift_drag_into_the_gap_and_close_it(window, project, tmp_path):
    canvas, service = window.timeline.canvas, window.session.service
    assert window.lift_action.shortcut().toString() == "Backspace"
    assert window.ripple_delete_action.shortcut().toString() == "Del"

    # Backspace on the selected shot 2 (24 frames at 48): its time stays empty.
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 1))
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 3", 24, 72), ("shot 4", 0, 96)]
    assert service.undo_label() == "Lift shot 2"
    canvas.grab().save(str(tmp_path / "lifted.png"))

    # Shot 4 (48 frames) dragged by its middle to start at frame 120, past the film's end: empty time too.
    drag(canvas, centre_of(window.timeline, 2), point_at(canvas, 120 + 24))
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 3", 24, 72), ("shot 4", 24, 120)]
    service.undo()
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 3", 24, 72), ("shot 4", 0, 96)]

    # Shot 3 (24 frames) dragged back by its middle into the gap, to start at frame 54.
    drag(canvas, centre_of(window.timeline, 1), point_at(canvas, 54 + 12))
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 3", 6, 54), ("shot 4", 18, 96)]
    assert service.undo_label() == "Move shot 2 into empty time"

    # A click in the gap before shot 4 selects it; Delete closes it up.
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_at(canvas, 85))
    assert window.session.selected == [] and canvas.empty.selected_gap(window.session) == 2
    canvas.grab().save(str(tmp_path / "gap-selected.png"))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 3", 6, 54), ("shot 4", 0, 78)]
    assert service.undo_label() == "Close the gap before shot 3"

    # Delete on a shot ripples: shot 3 goes, the gap before it stays, shot 4 closes up to it.
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 1))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 4", 6, 54)]

    # Each gesture was one step: four undos bring back the film as it was.
    for _ in range(4):
        service.undo()
    assert on_disk(project) == [("shot 1", 0, 0), ("shot 2", 0, 48), ("shot 3", 0, 72), ("shot 4", 0, 96)]


def test_a_drop_that_does_not_fit_into_empty_time_reorders_as_before(window, project):
    canvas = window.timeline.canvas
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 1))
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)  # 24 frames empty at 48..72
    # Shot 1 (48 frames) cannot fit into 24 empty frames: dropped on shot 4 it reorders, no gap opens.
    drag(canvas, centre_of(window.timeline, 0), centre_of(window.timeline, 2) + QPoint(10, 0))
    assert [prompt for prompt, *_ in on_disk(project)] == ["shot 3", "shot 4", "shot 1"]


def test_the_gap_says_what_it_is_under_the_pointer(window, qtbot):
    canvas = window.timeline.canvas
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 1))
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)
    where = point_at(canvas, 60)
    QApplication.sendEvent(canvas, QHelpEvent(QEvent.Type.ToolTip, where, canvas.mapToGlobal(where)))
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text().startswith("Empty time · 1.0 s")


def test_a_double_click_where_a_shot_meets_empty_time_opens_no_transition(window, monkeypatch):
    asked = []

    class Recorded(timeline_panel.TransitionDialog):
        def exec(self):  # the creator cancels; which cut it was opened for is what counts
            asked.append(self.windowTitle())
            return self.DialogCode.Rejected

    monkeypatch.setattr(timeline_panel, "TransitionDialog", Recorded)
    canvas = window.timeline.canvas
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 1))
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)  # shot 1 now ends at 48 before empty time
    QTest.mouseDClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_at(canvas, 48))
    assert asked == []
    QTest.mouseDClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_at(canvas, 96))
    assert asked == ["Transition after shot 2"]  # the cut between what were shots 3 and 4, which touch


def test_the_ends_of_shots_next_to_empty_time_are_trimmed_in_place(window, project, tmp_path, loop):
    canvas, service = window.timeline.canvas, window.session.service
    add_media_shot(service, write_video(tmp_path / "a.mp4", frames=48), at=1, source_in="0.5", source_out="1.5")
    add_media_shot(service, write_video(tmp_path / "b.mp4", frames=48), at=3, source_in="0.5")  # take 12..48
    canvas.reload()
    canvas.repaint()  # asks for the clips' filmstrips: let them arrive inside the running loop, as in the app
    wait_until(loop, lambda: len(canvas._strips) == 2)
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(window.timeline, 2))
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)  # shot 2 lifted: 24 empty frames between a.mp4 and b.mp4
    assert on_disk(project)[1:3] == [("a.mp4", 0, 48), ("b.mp4", 24, 96)]

    # a.mp4's end dragged 6 frames right, into the gap: b.mp4 stays where it is.
    drag(canvas, point_at(canvas, 72) - QPoint(2, 0), point_at(canvas, 78) - QPoint(2, 0))
    assert service.project.timeline.shots[1].trim_out == 42
    assert on_disk(project)[1:3] == [("a.mp4", 0, 48), ("b.mp4", 18, 96)]
    # b.mp4's start dragged 6 frames left, into the gap, then 12 right: its end stays at 132.
    drag(canvas, point_at(canvas, 96) + QPoint(2, 0), point_at(canvas, 90) + QPoint(2, 0))
    assert (service.project.timeline.shots[2].trim_in, on_disk(project)[2]) == (6, ("b.mp4", 12, 90))
    drag(canvas, point_at(canvas, 90) + QPoint(2, 0), point_at(canvas, 102) + QPoint(2, 0))
    assert (service.project.timeline.shots[2].trim_in, on_disk(project)[2]) == (18, ("b.mp4", 24, 102))
    assert service.cut_plan().shots[2].record_out == 132 and service.undo_label() == "Trim shot 3"
    for _ in range(3):  # each drag was one step
        service.undo()
    assert on_disk(project)[1:3] == [("a.mp4", 0, 48), ("b.mp4", 24, 96)]
