"""The right-click menu on a take tile in the Media & Takes panel: use the take in the film
(an undoable edit), show it in the preview, compare it with the take in use, or show its
file in the system's file browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu

from foundry_desktop.ui.editing.timeline_menus import menu_item

if TYPE_CHECKING:
    from foundry_desktop.ui.panels.takes import TakesPanel
    from foundry_desktop.ui.project_session import ProjectSession


def show_take_menu(panel: TakesPanel, session: ProjectSession | None, at: QPoint) -> QMenu | None:
    """The menu for the tile under `at` (a point on the gallery's viewport), open at once."""
    gallery = panel.gallery
    item = gallery.itemAt(at)
    if session is None or item is None or gallery.shot_id is None:
        return None
    shot = session.shot(gallery.shot_id)
    take_id = item.data(Qt.ItemDataRole.UserRole)
    take = next((t for t in session.service.project.takes_of(gallery.shot_id) if t.id == take_id), None)
    if shot is None or take is None:
        return None
    in_use = shot.selected_take_id
    service = session.service
    menu = QMenu(gallery)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu_item(menu, "&Use this take", lambda: session.edit(
        "Use this take", lambda: service.select_take(session.index_of(shot.id), take_id)), enabled=take_id != in_use)
    menu_item(menu, "Show in the &preview", lambda: session.preview_take(shot.id, take_id))

    def compare() -> None:
        gallery.clearSelection()
        for row in range(gallery.count()):
            if gallery.item(row).data(Qt.ItemDataRole.UserRole) in (take_id, in_use):
                gallery.setCurrentItem(gallery.item(row), QItemSelectionModel.SelectionFlag.Select)
        panel.compare_chosen()

    menu_item(menu, "&Compare with the take in use", compare, enabled=in_use is not None and take_id != in_use)
    path = service.media.path_of(take.media_path)
    menu_item(menu, "Show the &file", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))),
         enabled=service.media.exists(take.media_path))
    menu.popup(gallery.viewport().mapToGlobal(at))
    return menu
