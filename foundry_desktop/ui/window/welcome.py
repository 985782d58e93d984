"""What the window shows with no project open: New, Open, Open demo, and the recent
projects (each once, told apart by their folder); the window's central area that holds it;
and the small form a new project starts from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

SIZES = {"1920×1080 (16:9)": (1920, 1080), "1280×720 (16:9)": (1280, 720), "1080×1920 (9:16, vertical)": (1080, 1920),
         "1080×1080 (1:1)": (1080, 1080), "3840×2160 (4K)": (3840, 2160)}
RATES = ("24", "25", "30", "23.976", "29.97", "50", "60")


class CentralArea(QWidget):
    """The window's central widget: the welcome page with no project open, and with one a strip of
    no height between the preview and the timeline. Qt's main window without a visible central
    widget gives the left panel a separator's width of the preview at every relayout (each
    selection, each progress update), so the preview shrank while background work ran."""

    def __init__(self, welcome: WelcomePage) -> None:
        super().__init__()
        self.welcome = welcome
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(welcome)

    def show_welcome(self, shown: bool) -> None:
        self.welcome.setVisible(shown)
        self.setMaximumHeight(16777215 if shown else 0)  # Qt's QWIDGETSIZE_MAX: no limit
        self.setSizePolicy(QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored,
                           QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Fixed)


class WelcomePage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Foundry Desktop")
        title.setStyleSheet("font-size: 26px; font-weight: 600;")
        subtitle = QLabel("Lay a film out as shots, generate them, keep the takes you like, render the cut.")
        subtitle.setProperty("hint", True)
        buttons = QHBoxLayout()
        for text, signal, primary in (("New project…", self.new_requested, True), ("Open…", self.open_requested, False),
                                      ("Open the demo", self.demo_requested, False)):
            button = QPushButton(text)
            button.setProperty("primary", primary)
            button.setMinimumHeight(34)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setMaximumWidth(640)
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.recent_label = QLabel("Recent projects")
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        column.addLayout(buttons)
        column.addSpacing(18)
        column.addWidget(self.recent_label)
        column.addWidget(self.recent)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    def show_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).stem}    —    {path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_label.setVisible(bool(paths))


class NewProjectDialog(QDialog):
    """Name, size, frame rate and where the project file goes."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.name = QLineEdit("Untitled film")
        self.size = QComboBox()
        self.size.addItems(list(SIZES))
        self.rate = QComboBox()
        self.rate.addItems(list(RATES))
        self.folder = QLineEdit(str(folder))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Size", self.size)
        form.addRow("Frame rate", self.rate)
        form.addRow("Folder", where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where the project goes", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @property
    def path(self) -> Path:
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in self.name.text().strip()) or "Untitled film"
        return Path(self.folder.text()).expanduser() / f"{safe}.foundry"

    @property
    def chosen_size(self) -> tuple[int, int]:
        return SIZES[self.size.currentText()]
