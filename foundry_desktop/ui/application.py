"""The Qt application as every entry of the desktop program makes it: named (for its
settings and the desktop entry), with its icon, themed, and with Qt's media backend
quiet about each file it opens."""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from foundry_desktop import RESOURCES_DIR
from foundry_desktop.ui.theme import apply_theme
from foundry_desktop.ui.wheel_guard import install_wheel_guard

ICON = RESOURCES_DIR / "icons" / "foundry.png"


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Foundry Desktop")
    app.setOrganizationName("Foundry")
    app.setDesktopFileName("foundry-desktop")  # the Linux desktop entry (resources/linux)
    app.setWindowIcon(QIcon(str(ICON)))
    apply_theme(app)
    install_wheel_guard(app)
    # Qt's media backend describes every file it opens and lists each optional library it did
    # not find (PipeWire, VA-API); keep its real warnings, not that.
    QLoggingCategory.setFilterRules("qt.multimedia.ffmpeg*.info=false\nqt.multimedia.symbolsresolver*=false\n"
                                    "qt.multimedia.playbackengine.codec*=false")
    return app
