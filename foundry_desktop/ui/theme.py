"""The app's look: a dark palette in the manner of the editors creators know (Resolve,
Final Cut), one accent colour, and the few colours the timeline paints with.

Everything is set once on the QApplication (Fusion style, so it looks the same on
every platform); widgets use the palette rather than colours of their own.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

WINDOW = QColor("#1e1f22")
BASE = QColor("#16171a")  # lists, editors, the timeline's background
PANEL = QColor("#26282c")
TEXT = QColor("#dcdde0")
DIM_TEXT = QColor("#8b8e94")
ACCENT = QColor("#e08a2e")  # selection, playhead, primary actions
LINK = QColor("#6cb4ff")

# What each shot status is drawn in (timeline badges, inspector, takes).
STATUS_COLOURS = {
    "current": QColor("#4caf6a"),
    "stale": QColor("#e0b12e"),
    "missing": QColor("#7a7d84"),
    "generating": QColor("#4f9ee8"),
    "failed": QColor("#e0524a"),
}

STYLE_SHEET = """
QToolTip { color: #dcdde0; background: #2d2f34; border: 1px solid #44474d; padding: 4px; }
QDockWidget::title { background: #26282c; padding: 4px 8px; }
QDockWidget { titlebar-close-icon: none; }
QToolBar { border: none; spacing: 4px; padding: 2px; }
QStatusBar { color: #8b8e94; }
QPushButton { padding: 4px 12px; }
QPushButton[primary="true"] { background: #e08a2e; color: #16171a; font-weight: 600; border-radius: 3px; }
QLabel[hint="true"] { color: #8b8e94; font-size: 13px; }
QLabel[banner="error"] { background: #4a2422; color: #f3c6c2; padding: 6px 10px; border-radius: 3px; }
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: PANEL,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: DIM_TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: QColor("#16171a"),
        QPalette.ColorRole.Link: LINK,
        QPalette.ColorRole.Mid: QColor("#3a3c41"),
        QPalette.ColorRole.Dark: QColor("#111214"),
        QPalette.ColorRole.Light: QColor("#44474d"),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, DIM_TEXT)
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
