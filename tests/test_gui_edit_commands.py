"""The editing commands in the window, driven by keys and right clicks as a creator would:
cut, copy, paste at the playhead, duplicate, select all, split (B, Ctrl+B, Ctrl+K), snapping
on and off (N), zoom keys (Ctrl+= / Ctrl+-, = / -, Shift+Z), the right-click menus on shots,
cuts, markers and take tiles, Add shot placed where the creator works, and Help > Keyboard
shortcuts. Each edit is checked in the project file (reopened) and as one undo step."""

from __future__ import annotations

import asyncio

import pytest
from gui_loop import editor_window, settings_in, wait_until
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QMessageBox
from test_gui_timeline import centre_of, drag, edge_of
from video_sources import sine, write_video

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.ui.editing.shortcuts import ShortcutsDialog
from foundry_desktop.ui.editing.timeline_menus import show_timeline_menu
from foundry_desktop.ui.settings.dialog import SettingsDialog
from foundry_desktop.ui.timeline import geometry
from foundry_desktop.ui.timeline.geometry import RULER_HEIGHT, row_of

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def film(tmp_path):
    """A 24 fps film: shot 1 (2 s, to generate), a clip with its take (1 s), shot 3 (2 s)."""
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="shot 1", duration_seconds="2", seed=1)
        add_media_shot(service, write_video(tmp_path / "clip.mp4", frames=24, tone=sine()))
        service.add_shot(prompt="shot 3", duration_seconds="2", seed=3)
    return path


@pytest.fixture
def window(qtbot, tmp_path, loop, film):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        window.activateWindow()
        # Shortcuts need an active window. Made active before the project opens: this wait runs Qt
        # alone, and the project's background work needs the asyncio loop running (so it is opened
        # inside the loop: opening runs Qt's events once).
        wait_until(loop, window.isActiveWindow)

        async def open_film() -> bool:
            return await window.open_project(film)

        assert loop.run_until_complete(open_film())
        settle(loop)
        assert window.errors == []
        window.timeline.canvas.fit()
        window.timeline.canvas.setFocus()
        yield window
        assert [message for _, message in window.errors if "inside Foundry" in message] == []


def in_loop(gesture):
    """A gesture made with the asyncio loop running, as in the app (the Qt events it handles may
    start background work, which needs the loop), then the work it started let end: Qt events
    handled later outside the loop (pytest-qt handles them after each test) must find none half
    begun."""
    loop = asyncio.get_event_loop_policy().get_event_loop()

    async def run():
        return gesture()

    result = loop.run_until_complete(run())
    settle(loop)
    return result


def settle(loop) -> None:
    """Until the background work started so far (pictures, filmstrips) has ended."""
    wait_until(loop, lambda: all(task.done() or task is asyncio.current_task(loop) for task in asyncio.all_tasks(loop)))


def key(window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed with the focus on the timeline, as the creator works there."""
    in_loop(lambda: QTest.keyClick(window.timeline.canvas, key, modifiers))


def click(window, index: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    in_loop(lambda: QTest.mouseClick(window.timeline.canvas, Qt.MouseButton.LeftButton, modifiers,
                                     centre_of(window.timeline, index)))


def right_click(widget, at: QPoint, loop) -> QMenu:
    """A right click through the window system (as a mouse makes it), so Qt raises the context
    menu event itself; returns the menu it opened."""
    settle(loop)
    top = widget.window()
    top.activateWindow()  # as a desktop does once a popup goes (offscreen Qt leaves no window active)
    wait_until(loop, top.isActiveWindow)
    in_loop(lambda: QTest.mouseClick(top.windowHandle(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                                     widget.mapTo(top, at)))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu), "no menu opened"
    return menu


def choose(menu: QMenu, text: str) -> None:
    """The item reading `text` clicked in the menu."""
    items = {action.text().replace("&", ""): action for action in menu.actions()}
    assert text in items, f"{text!r} is not in the menu: {list(items)}"
    assert items[text].isEnabled(), f"{text!r} is disabled"
    # Triggered rather than clicked: offscreen Qt loses a click on a popup's own window (and the
    # work the click starts with it). The menu is closed as a click closes it, and the window made
    # active again, as a desktop does once a popup goes (offscreen Qt leaves none active).
    in_loop(lambda: (items[text].trigger(), menu.close()))


def dismiss(window, loop) -> None:
    """The message shown closed, and the window active again."""
    for box in window.findChildren(QMessageBox):
        box.close()
    window.activateWindow()
    wait_until(loop, window.isActiveWindow)


def playhead_to(window, frame: int) -> None:
    """A click on the ruler puts the playhead there."""
    x = round(window.timeline.canvas.view.x_of(frame))
    in_loop(lambda: QTest.mouseClick(window.timeline.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                     QPoint(x, 10)))
    assert window.session.playhead == frame


def saved(window) -> list[tuple[str, int, str | None]]:
    """(prompt, film frames, media of the take shown) per shot, read from the project file."""
    with ProjectService.open(window.session.path, read_only=True) as service:
        plan = service.cut_plan()
        return [(shot.spec.prompt, placed.frames, getattr(service.project.selected_take(shot), "media_path", None))
                for shot, placed in zip(service.project.timeline.shots, plan.shots, strict=True)]


def test_copy_then_paste_at_the_playhead_splits_the_shot_there_and_inserts_the_copy_with_its_take(window):
    service = window.session.service
    clip_media = service.project.selected_take(service.project.timeline.shots[1]).media_path
    click(window, 1)
    key(window, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text() == "clip"  # the shot's name, for other programs
    playhead_to(window, 20)  # inside shot 1: as Resolve's paste insert, it is split there
    key(window, Qt.Key.Key_V, CTRL)
    assert saved(window) == [("shot 1", 20, None), ("clip.mp4", 24, clip_media), ("shot 1", 28, None),
                             ("clip.mp4", 24, clip_media), ("shot 3", 48, None)]
    pasted = service.project.timeline.shots[1]
    assert pasted.id != service.project.timeline.shots[3].id and window.session.selected == [pasted.id]
    assert service.shot_status(pasted).kind == "current" and window.session.playhead == 44
    assert service.undo_label() == "Paste 1 shot"
    in_loop(window.undo_action.trigger)
    assert [p for p, _, _ in saved(window)] == ["shot 1", "clip.mp4", "shot 3"]
    in_loop(window.redo_action.trigger)
    assert saved(window)[1] == ("clip.mp4", 24, clip_media)


def test_cut_duplicate_and_select_all_by_keys_each_one_undo_step(window):
    service = window.session.service
    click(window, 0)
    key(window, Qt.Key.Key_D, CTRL)
    assert [p for p, _, _ in saved(window)] == ["shot 1", "shot 1", "clip.mp4", "shot 3"]
    assert service.undo_label() == "Duplicate 1 shot"
    assert window.session.selected == [service.project.timeline.shots[1].id]

    key(window, Qt.Key.Key_X, CTRL)  # the copy, cut
    assert [p for p, _, _ in saved(window)] == ["shot 1", "clip.mp4", "shot 3"]
    assert service.undo_label() == "Cut 1 shot" and window.session.selected == []
    playhead_to(window, 24 + 48)  # on the cut after the clip: pasted there, nothing split
    key(window, Qt.Key.Key_V, CTRL)
    assert [p for p, _, _ in saved(window)] == ["shot 1", "clip.mp4", "shot 1", "shot 3"]

    key(window, Qt.Key.Key_A, CTRL)
    assert window.session.selected == [shot.id for shot in service.project.timeline.shots]
    key(window, Qt.Key.Key_D, CTRL)  # all four, after the last
    assert [p for p, _, _ in saved(window)] == ["shot 1", "clip.mp4", "shot 1", "shot 3"] * 2
    in_loop(window.undo_action.trigger)
    assert len(saved(window)) == 4


def test_nothing_selected_or_nothing_copied_says_what_to_do(window, loop):
    QGuiApplication.clipboard().setText("some words")
    errors = len(window.errors)
    key(window, Qt.Key.Key_V, CTRL)
    dismiss(window, loop)
    key(window, Qt.Key.Key_C, CTRL)
    assert [message for _, message in window.errors[errors:]] == [
        "There are no shots to paste: copy or cut shots on the timeline first.",
        "Select one or more shots on the timeline to copy them.",
    ]
    assert len(saved(window)) == 3


def test_b_ctrl_b_and_ctrl_k_split_the_shot_under_the_playhead_from_the_menu_and_the_keys(window):
    service = window.session.service
    playhead_to(window, 10)
    key(window, Qt.Key.Key_B, CTRL)
    playhead_to(window, 58)  # 10 frames into the clip (now shot 3)
    key(window, Qt.Key.Key_K, CTRL)
    playhead_to(window, 100)  # 28 frames into shot 3 (now shot 5)
    window.takes.setFocus()  # the keys are the window's: they work wherever the focus is
    in_loop(lambda: QTest.keyClick(window.takes, Qt.Key.Key_B))
    assert [frames for _, frames, _ in saved(window)] == [10, 38, 10, 14, 28, 20]
    assert service.undo_label() == "Split shot 5"
    in_loop(service.undo)
    assert [frames for _, frames, _ in saved(window)] == [10, 38, 10, 14, 48]


def test_n_turns_snapping_off_and_on_and_a_trim_snaps_to_the_playhead(window):
    canvas = window.timeline.canvas
    canvas.zoom(0.25)
    assert geometry.SNAP_PX / canvas.view.px_per_frame > 2  # the snap reaches more than two frames
    playhead_to(window, 100)
    end = edge_of(window.timeline, 2, end=True)  # shot 3 (frames 72 to 120) ends at 120
    aim = QPoint(round(canvas.view.x_of(100)) + geometry.SNAP_PX - 2, end.y())  # just right of the playhead
    key(window, Qt.Key.Key_N)
    assert not window.snapping_action.isChecked() and not canvas.snapping
    in_loop(lambda: drag(canvas, end, aim))
    assert saved(window)[2][1] > 100 - 72  # it ends where the pointer let go
    in_loop(window.undo_action.trigger)
    key(window, Qt.Key.Key_N)
    assert window.snapping_action.isChecked() and canvas.snapping
    in_loop(lambda: drag(canvas, edge_of(window.timeline, 2, end=True), aim))
    assert saved(window)[2][1] == 100 - 72  # it ends exactly at the playhead


def test_the_right_click_menu_on_a_cut_sets_its_transition_and_on_a_marker_renames_and_deletes_it(
        window, monkeypatch, loop):
    service, canvas = window.session.service, window.timeline.canvas
    cut = QPoint(round(canvas.view.x_of(48)), row_of("video").top + 30)
    choose(right_click(canvas, cut, loop), "Dissolve")
    assert (service.project.timeline.shots[0].transition_out.kind, service.undo_label()) == (
        "dissolve", "Set transition after shot 1")
    with ProjectService.open(window.session.path, read_only=True) as reopened:
        assert reopened.project.timeline.shots[0].transition_out.duration == 12  # half a second

    playhead_to(window, 30)
    key(window, Qt.Key.Key_M)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("  Music starts ", True))
    at_marker = QPoint(round(canvas.view.x_of(30)) + 2, RULER_HEIGHT // 2)
    menu = right_click(canvas, at_marker, loop)
    assert {"Rename…", "Delete marker"} <= {action.text().replace("&", "") for action in menu.actions()}
    choose(menu, "Rename…")
    with ProjectService.open(window.session.path, read_only=True) as reopened:
        assert [(m.frame, m.label) for m in reopened.project.timeline.markers] == [(30, "Music starts")]
    assert service.undo_label() == 'Rename marker "Music starts"'
    # The same menu again, opened as the canvas opens it: a third right click in one offscreen
    # test reaches no widget (offscreen Qt; under Xvfb, tests/desktop/walkthrough.py right-clicks).
    choose(in_loop(lambda: show_timeline_menu(window, at_marker)), "Delete marker")
    with ProjectService.open(window.session.path, read_only=True) as reopened:
        assert reopened.project.timeline.markers == []


def test_add_shot_lands_after_the_selection_or_at_the_playhead_selected_and_in_view(window, monkeypatch):
    service, canvas = window.session.service, window.timeline.canvas
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("A new shot", True))
    click(window, 0)
    key(window, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert [p for p, _, _ in saved(window)] == ["shot 1", "A new shot", "clip.mp4", "shot 3"]
    assert window.session.selected == [service.project.timeline.shots[1].id]

    window.session.select([])
    canvas.zoom(8, 0)  # the end of the film is far off to the right
    playhead_to(window, 10)
    window.session.move_playhead(48 + 72 + 30)  # inside shot 3, off screen: the new shot goes after it
    key(window, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert [p for p, _, _ in saved(window)] == ["shot 1", "A new shot", "clip.mp4", "shot 3", "A new shot"]
    added = service.cut_plan().shots[4]
    first, last = canvas.view.visible_frames(canvas.width())
    assert first <= added.record_in < last  # scrolled into view (its start: it is wider than the view)
    assert window.session.playhead == added.record_in


def test_help_lists_every_shortcut_grouped_by_menu_and_panel(window, qtbot):
    click(window, 0)
    key(window, Qt.Key.Key_Delete)  # an edit to undo: the Edit menu now says "Undo Delete…"
    assert window.undo_action.text() != "&Undo"
    key(window, Qt.Key.Key_Slash, CTRL)
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    listed = dialog.listed()
    keys = {what: keys for _, what, keys in listed}
    assert keys["Split at the playhead"] == "B, Ctrl+B, Ctrl+K"
    assert (keys["Play backwards (again: faster)"], keys["Stop"], keys["Play forwards (again: faster)"]) == ("J", "K", "L")
    assert keys["Trim the start to the playhead"] == "I" and keys["Paste at the playhead"] == "Ctrl+V"
    assert ("In the timeline panel", "Previous frame", "Left") in listed
    assert keys["Undo"] == "Ctrl+Z" and keys["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"  # the commands' names, not their state
    QTest.keyClicks(dialog.search, "ctrl+b")
    assert [what for _, what, _ in dialog.listed()] == ["Split at the playhead"]
    dialog.close()


def test_zoom_keys_zoom_about_the_playhead_and_shift_z_fits_the_film_again(window):
    canvas, session = window.timeline.canvas, window.session
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(canvas.view.x_of(60)), RULER_HEIGHT // 2))  # the playhead into shot 2
    assert session.playhead == 60
    fitted, playhead_x = canvas.view.px_per_frame, canvas.view.x_of(60)
    scales = []
    for key, modifiers in ((Qt.Key.Key_Equal, CTRL), (Qt.Key.Key_Equal, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_Minus, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Minus, CTRL)):
        QTest.keyClick(canvas, key, modifiers)
        scales.append(canvas.view.px_per_frame)
        assert abs(canvas.view.x_of(60) - playhead_x) < 1  # the playhead's frame stays where it was
    assert fitted < scales[0] < scales[1] and scales[1] > scales[2] > scales[3]
    assert not canvas.fitted
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.fitted and canvas.view.px_per_frame == fitted
    assert ("View menu", "Zoom in", "Ctrl+=, Ctrl++, =, +") in ShortcutsDialog(window).listed()


def test_ctrl_y_redoes_as_ctrl_shift_z_does_and_ctrl_comma_opens_the_settings(window, loop):
    before = saved(window)
    click(window, 0)
    key(window, Qt.Key.Key_Delete)
    after = saved(window)
    assert len(after) == len(before) - 1
    key(window, Qt.Key.Key_Z, CTRL)
    assert saved(window) == before
    key(window, Qt.Key.Key_Y, CTRL)  # what Windows programs redo with
    assert saved(window) == after
    key(window, Qt.Key.Key_Z, CTRL)
    key(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert saved(window) == after
    key(window, Qt.Key.Key_Comma, CTRL)
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
