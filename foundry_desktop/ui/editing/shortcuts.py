"""Help > Keyboard shortcuts: every key the window answers, grouped as the creator meets
them. Read from the window itself (the menus' actions, then the keys each panel handles
while it has the focus), so a command added anywhere is listed without touching this list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

Entry = tuple[str, str]  # what it does, its keys as the platform writes them


def _keys(sequences: list[QKeySequence]) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences if not s.isEmpty())


def _plain(text: str) -> str:
    """A menu item's text as read: no mnemonic ampersands, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")


def _menu_entries(window: MainWindow) -> list[tuple[str, list[Entry]]]:
    groups = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        # A command's own name ("Undo"), not what it says now ("Undo Add shot 3").
        entries = [(_plain(action.property("command_text") or action.text()), _keys(action.shortcuts()))
                   for action in menu.actions() if not action.isSeparator() and action.shortcuts()]
        if entries:
            groups.append((f"{_plain(menu_action.text())} menu", entries))
    return groups


def _panel_entries(panel: QWidget) -> list[Entry]:
    """The keys a panel handles itself (its actions and shortcuts), read while it has the focus."""
    entries = [(_plain(action.text()), _keys(action.shortcuts())) for action in panel.findChildren(QAction)
               if action.shortcuts() and action.parent() is not None and action in action.parent().actions()]
    entries += [(shortcut.whatsThis(), _keys([shortcut.key()])) for shortcut in panel.findChildren(QShortcut)
                if shortcut.whatsThis()]  # one that does not say what it does has nothing to list
    return [entry for entry in entries if entry[1]]


def shortcut_groups(window: MainWindow) -> list[tuple[str, list[Entry]]]:
    """(group, [(what, keys)]): the menus in menu-bar order, then each panel's own keys."""
    groups = _menu_entries(window)
    for title, dock in window.docks.items():
        entries = _panel_entries(dock.widget())
        if entries:
            groups.append((f"In the {title.lower()} panel", entries))
    return groups


class ShortcutsDialog(QDialog):
    """The list, with a field that keeps only the lines matching what is typed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 640)
        self.search = QLineEdit(placeholderText="Find a command or a key", clearButtonEnabled=True)
        self.tree = QTreeWidget(columnCount=2, rootIsDecorated=False, alternatingRowColors=True)
        self.tree.setHeaderLabels(["Command", "Keys"])
        for group, entries in shortcut_groups(window):
            heading = QTreeWidgetItem(self.tree, [group])
            heading.setFirstColumnSpanned(True)
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for what, keys in entries:
                QTreeWidgetItem(heading, [what, keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.search.textChanged.connect(self._filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    def listed(self) -> list[tuple[str, str, str]]:
        """(group, what, keys) of every line shown."""
        rows = []
        for g in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(g)
            rows += [(heading.text(0), heading.child(i).text(0), heading.child(i).text(1))
                     for i in range(heading.childCount()) if not heading.child(i).isHidden()]
        return rows

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for g in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(g)
            shown = 0
            for i in range(heading.childCount()):
                item = heading.child(i)
                hidden = bool(needle) and needle not in f"{item.text(0)} {item.text(1)}".lower()
                item.setHidden(hidden)
                shown += not hidden
            heading.setHidden(shown == 0)


def show_shortcuts(window: MainWindow) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
