"""The window's docks as an editor lays them out: the bin and the inspector in columns down the
sides, the preview between them, the timeline (with the storyboard and the jobs behind it) across
the whole width below, as in Resolve's Edit page."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

from foundry_desktop.ui.panels.media_bin import MediaBinPanel
from foundry_desktop.ui.panels.takes import TakesPanel

AREAS = {
    "Preview": Qt.DockWidgetArea.TopDockWidgetArea,
    "Takes": Qt.DockWidgetArea.LeftDockWidgetArea,
    "Inspector": Qt.DockWidgetArea.RightDockWidgetArea,
    "Timeline": Qt.DockWidgetArea.BottomDockWidgetArea,
    "Jobs": Qt.DockWidgetArea.BottomDockWidgetArea,
    "Storyboard": Qt.DockWidgetArea.BottomDockWidgetArea,
}
TITLES = {"Takes": "Media && Takes"}  # "&&": a dock title is a Qt label, where & marks a shortcut


def lay_out_docks(window: QMainWindow, panels: Mapping[str, QWidget]) -> dict[str, QDockWidget]:
    """A dock for each of `panels` (keyed as AREAS), placed and sized; the docks by the same keys."""
    docks = {name: _dock(window, TITLES.get(name, name), panels[name], area) for name, area in AREAS.items()}
    window.tabifyDockWidget(docks["Timeline"], docks["Storyboard"])
    window.tabifyDockWidget(docks["Timeline"], docks["Jobs"])
    docks["Timeline"].raise_()
    window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.resizeDocks([docks["Takes"], docks["Inspector"]], [330, 400], Qt.Orientation.Horizontal)
    window.resizeDocks([docks["Preview"], docks["Timeline"]], [520, 260], Qt.Orientation.Vertical)
    return docks


def media_and_takes() -> tuple[TakesPanel, MediaBinPanel, QTabWidget]:
    """The left dock's two tabs: the project's media bin, and the selected shot's takes (at the front)."""
    takes, media_bin = TakesPanel(), MediaBinPanel()
    tabs = QTabWidget(documentMode=True)
    tabs.addTab(media_bin, "Media")
    tabs.addTab(takes, "Takes")
    tabs.setCurrentWidget(takes)
    return takes, media_bin, tabs


def _dock(window: QMainWindow, title: str, panel: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock-{title}")  # saveState needs a name (kept: saved layouts use it)
    dock.setWidget(panel)
    window.addDockWidget(area, dock)
    return dock
