"""One notice, across the window under the toolbar, when files the project uses are offline
(missing from its media folder): it names them as the creator knows them (the file they
imported, the shot that uses it), never by content hash, and offers Relink…. It does not stop
the editor: the project opens and works, and each offline shot is marked on the timeline.

It looks at the disk in a worker thread when a project opens and after each change (an undo
or a relink may bring files back or take them away), tells the session (whose `offline` the
bin and the timeline mark), and hides when nothing is missing or when the creator closes it
(until another file goes missing).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QSizePolicy, QToolBar, QWidget
from shiboken6 import isValid

from foundry_desktop.app.shots.media_relink import OfflineFile, offline_media
from foundry_desktop.ui.dialogs.relink import relink_media
from foundry_desktop.ui.project_session import ProjectSession

NAMES_SHOWN = 6  # then "and N more" (the tooltip lists them all)


def offline_words(offline: list[OfflineFile]) -> str:
    names = [file.name for file in offline]
    more = len(names) - NAMES_SHOWN
    listed = ", ".join(names[:NAMES_SHOWN]) + (f" and {more} more" if more > 0 else "")
    count = f"{len(names)} media file{'s are' if len(names) != 1 else ' is'}"
    return f"{count} offline (missing from the project's media folder): {listed}."


class OfflineNotice(QToolBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Offline media", parent)
        self.setObjectName("toolbar-offline-media")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # it shows itself when needed, not from a menu
        self.session: ProjectSession | None = None
        self.offline: list[OfflineFile] = []
        self._dismissed: set[str] = set()  # media paths shown when the creator closed the notice
        self._checking = self._check_again = False
        self.message = QLabel(wordWrap=True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.relink_button = QPushButton("Relink…", toolTip="Find the missing files in a folder you choose")
        self.relink_button.clicked.connect(self.relink)
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self._dismiss)
        body = QWidget(objectName="offline-notice")
        body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        body.setStyleSheet("#offline-notice { background: #4d3b12; border-radius: 4px; }")  # a warning's amber
        row = QHBoxLayout(body)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(QLabel("⚠"))
        row.addWidget(self.message, 1)
        row.addWidget(self.relink_button)
        row.addWidget(self.close_button)
        self.addWidget(body)
        self.setVisible(False)

    def set_session(self, session: ProjectSession | None) -> None:
        if self.session is not None:
            self.session.changed.disconnect(self.check)
        self.session, self.offline = session, []
        self._dismissed.clear()
        self.setVisible(False)
        if session is not None:
            self._own_row()
            session.changed.connect(self.check)
            self.check()

    def _own_row(self) -> None:
        """Back on a row of its own under the toolbar: a layout restored from an older run may have
        put it beside the toolbar (a hidden toolbar keeps no line of its own in a saved layout)."""
        window = self.parentWidget()
        if isinstance(window, QMainWindow):
            window.removeToolBar(self)
            window.addToolBarBreak()
            window.addToolBar(self)

    def check(self, *_: object) -> None:
        session = self.session
        if session is None:
            return
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        project, media = session.service.project, session.service.media

        def checked(offline: list[OfflineFile]) -> None:
            if not isValid(self):
                return
            self._checking = False
            if self.session is session:
                session.show_offline(frozenset(file.media_path for file in offline))  # for the bin and the timeline
                self._show(offline)
            if self._check_again:
                self.check()

        session.in_thread("Checking the media", lambda: offline_media(project, media), checked)

    def _show(self, offline: list[OfflineFile]) -> None:
        self.offline = offline
        self.message.setText(offline_words(offline) if offline else "")
        self.message.setToolTip("\n".join(file.name for file in offline))
        self.setVisible(bool({file.media_path for file in offline} - self._dismissed))

    def _dismiss(self) -> None:
        self._dismissed = {file.media_path for file in self.offline}
        self.setVisible(False)

    def relink(self) -> None:
        """File > Relink media… and the notice's button."""
        if self.session is not None:
            relink_media(self.window(), self.session)
