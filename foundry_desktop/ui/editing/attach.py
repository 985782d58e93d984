"""What the window hands the editing commands once its menus exist: the timeline's
right-click menus, and the keys its menus now own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from foundry_desktop.ui.editing.timeline_menus import show_timeline_menu

if TYPE_CHECKING:
    from foundry_desktop.ui.main_window import MainWindow


def attach_editing(window: MainWindow, menu_actions: list[QAction]) -> None:
    window.timeline.canvas.context_menu_requested.connect(lambda at: show_timeline_menu(window, at))
    # The menus' keys (B, J/K/L, I/O, M...) work wherever the focus is in the window. The timeline
    # panel binds some of them itself, for when it is used alone; inside the window that would be
    # the same key bound twice, which Qt treats as ambiguous and answers with nothing.
    owned = {sequence.toString() for action in menu_actions for sequence in action.shortcuts()}
    for action in window.timeline.actions():
        if any(sequence.toString() in owned for sequence in action.shortcuts()):
            window.timeline.removeAction(action)
