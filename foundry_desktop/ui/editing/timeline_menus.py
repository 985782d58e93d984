"""The timeline's right-click menus: on a shot, on a cut (its transition), on a marker in
the ruler, and on empty space. The menus reuse the window's own actions where the command
is a menu command (so they show its keys and do exactly what the menu does); the rest call
the service, each an undoable edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QInputDialog, QMenu

from foundry_desktop.domain.project import Marker
from foundry_desktop.domain.timeline_ops import max_transition_frames
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.geometry import HEADER_WIDTH, RULER_HEIGHT, row_at
from foundry_desktop.ui.timeline.panel import TRANSITION_NAMES

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

CUT_GRAB_PX = 8  # as near a cut as a double-click that edits its transition
MARKER_GRAB_PX = 6


def menu_item(menu: QMenu, text: str, run, *, enabled: bool = True) -> QAction:
    """An item of a right-click menu that calls `run()`."""
    action = menu.addAction(text)
    action.triggered.connect(lambda _checked=False: run())
    action.setEnabled(enabled)
    return action


def show_timeline_menu(window: MainWindow, at: QPoint) -> QMenu | None:
    """The menu for what is under `at` (a point on the timeline's canvas), open at once."""
    session, canvas = window.session, window.timeline.canvas
    if session is None:
        return None
    x, y = at.x(), at.y()
    menu = QMenu(canvas)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    row = row_at(y)
    marker = _marker_at(window, x) if y < RULER_HEIGHT and x >= HEADER_WIDTH else None
    cut = _cut_at(window, x) if row is not None and row.track == "video" else -1
    shot = canvas.shot_at(x) if row is not None and row.track == "video" and x >= HEADER_WIDTH else -1
    if marker is not None:
        _fill_marker_menu(menu, session, marker)
    elif cut >= 0:
        _fill_transition_menu(window, menu, cut)
    elif shot >= 0:
        shot_id = session.service.project.timeline.shots[shot].id
        if shot_id not in session.selected:  # a right click chooses what it acts on, as a left click does
            session.select([shot_id])
        _fill_shot_menu(window, menu, shot)
    else:
        _fill_empty_menu(window, menu)
    menu.popup(canvas.mapToGlobal(at))
    return menu


def _marker_at(window: MainWindow, x: float) -> Marker | None:
    assert window.session is not None
    view = window.timeline.canvas.view
    near = [m for m in window.session.service.project.timeline.markers if abs(view.x_of(m.frame) - x) <= MARKER_GRAB_PX]
    return min(near, key=lambda m: abs(view.x_of(m.frame) - x), default=None)


def _cut_at(window: MainWindow, x: float) -> int:
    """The index of the shot before the cut under `x`, or -1."""
    assert window.session is not None
    view = window.timeline.canvas.view
    for placed in window.session.service.cut_plan().shots[:-1]:
        if abs(x - view.x_of(placed.record_out)) <= CUT_GRAB_PX:
            return placed.index
    return -1


def _fill_shot_menu(window: MainWindow, menu: QMenu, index: int) -> None:
    session = window.session
    assert session is not None
    for action in (window.cut_action, window.copy_action, window.paste_action, window.duplicate_action):
        menu.addAction(action)
    menu_item(menu, "Delete", window.timeline.delete_selected)
    menu.addSeparator()
    menu.addAction(window.split_action)
    if index < len(session.service.project.timeline.shots) - 1:
        menu_item(menu, "Transition into the next shot…", lambda: window.timeline.edit_transition(index))
    menu.addSeparator()
    menu.addAction(window.generate_selected_action)
    _fill_takes(menu.addMenu("Use &take"), session, index)
    menu.addSeparator()
    menu.addAction(window.add_shot_action)


def _fill_takes(menu: QMenu, session: ProjectSession, index: int) -> None:
    """One checkable item per take of the shot, the one it shows checked."""
    shot = session.service.project.timeline.shots[index]
    takes = session.service.project.video_takes_of(shot.id)
    menu.setEnabled(bool(takes))
    rate = float(session.service.format.frame_rate)
    for number, take in enumerate(takes, start=1):
        action = menu_item(menu, f"Take {number} · {take.frames / rate:.1f} s · {take.backend}",
                      lambda take_id=take.id: session.edit(
                          "Use this take", lambda: session.service.select_take(session.index_of(shot.id), take_id)))
        action.setCheckable(True)
        action.setChecked(take.id == shot.selected_take_id)


def _fill_transition_menu(window: MainWindow, menu: QMenu, index: int) -> None:
    """The kinds of transition from shot `index` into the next, the current one checked; a
    dissolve or dip keeps the length it had, or starts at half a second (as the dialog does)."""
    session = window.session
    assert session is not None
    service = session.service
    current = service.project.timeline.shots[index].transition_out
    limit = max_transition_frames(service.project.timeline, index)
    frames = min(limit, current.duration or round(service.format.frame_rate) // 2)
    menu.addSection(f"Transition after shot {index + 1}")
    kinds = QActionGroup(menu)
    for kind, name in TRANSITION_NAMES.items():
        length = 0 if kind == "cut" else frames
        action = menu_item(menu, name, lambda kind=kind, length=length: session.edit(
            "Transition", lambda: service.set_transition(index, kind, length)), enabled=kind == "cut" or limit > 0)
        if kind != "cut" and limit == 0:
            action.setToolTip("These shots are too short for a transition between them.")
        action.setCheckable(True)
        action.setChecked(kind == current.kind)
        kinds.addAction(action)
    menu.addSeparator()
    menu_item(menu, "Kind and &length…", lambda: window.timeline.edit_transition(index))


def _fill_marker_menu(menu: QMenu, session: ProjectSession, marker: Marker) -> None:
    service = session.service
    menu.addSection(marker.label or f"Marker at {marker.frame}")

    def rename() -> None:
        label, ok = QInputDialog.getText(menu.parentWidget(), "Rename marker", "Marker name:", text=marker.label)
        if ok:
            session.edit("Rename marker", lambda: service.rename_marker(marker.id, label))

    menu_item(menu, "&Rename…", rename)
    menu_item(menu, "&Delete marker", lambda: session.edit("Delete marker", lambda: service.remove_marker(marker.id)))
    menu_item(menu, "Move the &playhead here", lambda: session.move_playhead(marker.frame))


def _fill_empty_menu(window: MainWindow, menu: QMenu) -> None:
    for action in (window.paste_action, window.add_shot_action, window.select_all_action, window.marker_action):
        menu.addAction(action)
