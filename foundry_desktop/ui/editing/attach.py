"""What the window hands the editing commands once its menus exist: the timeline's
right-click menus, the keys its menus now own, and those keys' Ctrl and Alt ones winning over
a focused text field (field_keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from foundry_desktop.ui.editing.field_keys import WindowKeysOverFields

from foundry_desktop.ui.editing.timeline_menus import show_timeline_menu

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow


def attach_editing(window: MainWindow, menu_actions: list[QAction]) -> None:
    window.timeline.canvas.context_menu_requested.connect(lambda at: show_timeline_menu(window, at))
    # The menus' keys (B, J/K/L, I/O, M...) work wherever the focus is in the window. The timeline
    # panel binds some of them itself, for when it is used alone; inside the window that would be
    # the same key bound twice, which Qt treats as ambiguous and answers with nothing.
    owned = {sequence.toString() for action in menu_actions for sequence in action.shortcuts()}
    for action in window.timeline.actions():
        if any(sequence.toString() in owned for sequence in action.shortcuts()):
            window.timeline.removeAction(action)
    window.field_keys = WindowKeysOverFields(window, [action for menu in window.menuBar().findChildren(QMenu)
                                                      for action in menu.actions()])
