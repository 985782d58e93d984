"""The editor's window: five dockable panels around the open project, menus and a
toolbar, a status bar with the servers and jobs, the welcome page when nothing is
open, and the layout and recent projects remembered between runs.

The window owns the app's GenerationSession (one per app) and one ProjectSession
per open project; the panels get the session and do the rest themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox

from foundry_desktop.app.exchange.cut_import import ImportReport
from foundry_desktop.app.generation.session import GenerationSession
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.setup.demo_film import create_demo_project
from foundry_desktop.app.user_folders import documents_folder
from foundry_desktop.app.project_access.window_opening import FirstLook, WindowProject
from foundry_desktop.errors import CutChoiceError
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.budget_check import BudgetCheck
from foundry_desktop.ui.dialogs.import_cut import ImportChoice, ask_for_import, ask_for_sequence, import_or_names
from foundry_desktop.ui.dialogs.import_report import show_import_report
from foundry_desktop.ui.dialogs.render import RenderDialog
from foundry_desktop.ui.dialogs.workflow_library import WorkflowLibraryDialog
from foundry_desktop.ui.editing.attach import attach_editing
from foundry_desktop.ui.inspector.inspector import InspectorPanel
from foundry_desktop.ui.window.dock_layout import lay_out_docks, media_and_takes
from foundry_desktop.ui.window.jobs_in_front import JobsInFront
from foundry_desktop.ui.panels.jobs import JobsPanel
from foundry_desktop.ui.panels.offline_notice import OfflineNotice
from foundry_desktop.ui.panels.preview import PreviewPanel
from foundry_desktop.ui.window.project_opening import ProjectOpening
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.settings.dialog import SettingsDialog
from foundry_desktop.ui.storyboard.panel import StoryboardPanel
from foundry_desktop.ui.timeline.panel import TimelinePanel
from foundry_desktop.ui.window.recent_projects import RecentProjects
from foundry_desktop.ui.window.welcome import CentralArea, NewProjectDialog, WelcomePage
from foundry_desktop.ui.window.window_actions import add_menus_and_toolbar

# Bump when the docks change, so an old saved layout is not restored onto new ones (2: a central strip; layouts
# saved by 1 were squeezed by background work, see CentralArea; 3: the storyboard's tab).
LAYOUT_VERSION = 3


class MainWindow(QMainWindow):
    # One action per command of window_actions.MENUS, named there (window.export_action, ...);
    # these two the window relabels with the edit they would undo or redo.
    undo_action: QAction
    redo_action: QAction

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings("Foundry", "Foundry Desktop")
        self.recent = RecentProjects(self.settings)
        self.generation = GenerationSession(on_health=self._show_health)
        self.session: ProjectSession | None = None
        self.errors: list[tuple[str, str]] = []  # every error shown, newest last (tests read it)
        self._reopen_generation = False  # the settings changed while jobs ran
        self.work = BackgroundWork(lambda message: self.show_error("Something went wrong", message))
        self.budget_check = BudgetCheck(self)  # Generate asks first where the budget cannot guard a shot
        self.opening = ProjectOpening(self.work, self.statusBar())
        self.setWindowTitle("Foundry Desktop")
        self.resize(1440, 900)
        self.setDockNestingEnabled(True)

        self.welcome = WelcomePage()
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.open_requested.connect(self.choose_project)
        self.welcome.demo_requested.connect(self.open_demo)
        self.welcome.recent_chosen.connect(lambda path: self.open_project(Path(path)))
        self.setCentralWidget(CentralArea(self.welcome))

        self.timeline = TimelinePanel()
        self.inspector = InspectorPanel()
        self.takes, self.media_bin, self.media_tabs = media_and_takes()
        self.jobs, self.preview, self.offline_notice = JobsPanel(), PreviewPanel(), OfflineNotice(self)
        self.storyboard = StoryboardPanel()
        self.panels = (self.timeline, self.inspector, self.takes, self.media_bin, self.jobs, self.preview,
                       self.offline_notice, self.storyboard)
        self.docks = lay_out_docks(self, {
            "Preview": self.preview, "Takes": self.media_tabs, "Inspector": self.inspector,
            "Timeline": self.timeline, "Jobs": self.jobs, "Storyboard": self.storyboard})
        self.docks["Storyboard"].visibilityChanged.connect(self.storyboard.on_screen)
        self.jobs_in_front = JobsInFront(self.docks["Jobs"], [self.docks["Timeline"], self.docks["Storyboard"]])
        self._default_layout = self.saveState(LAYOUT_VERSION)

        self._jobs_timer = QTimer(self, singleShot=True, interval=0)
        self._jobs_timer.timeout.connect(self._show_jobs)
        self.health = QLabel("")
        self.jobs_summary = QLabel("")
        self.statusBar().addPermanentWidget(self.jobs.renders.status)
        self.statusBar().addPermanentWidget(self.jobs_summary)
        self.statusBar().addPermanentWidget(self.health)
        self.recent_menu: QMenu | None = None
        self._project_actions = add_menus_and_toolbar(self)  # window.new_action, window.undo_action, ...
        self.addToolBarBreak()  # the offline notice: a row of its own under the toolbar, shown when needed
        self.addToolBar(self.offline_notice)
        attach_editing(self, self._project_actions)
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._show_project_state()
        self._show_health()

    # -- projects ------------------------------------------------------------------------

    def new_project(self) -> asyncio.Future[bool] | None:
        """The project the creator describes, made and opened in a worker thread."""
        dialog = NewProjectDialog(documents_folder(), self)
        if dialog.exec() != NewProjectDialog.DialogCode.Accepted:
            return None
        (width, height), path = dialog.chosen_size, dialog.path  # read here: the dialog's widgets are the GUI's
        name, rate = dialog.name.text().strip() or "Untitled film", dialog.rate.currentText()
        return self.open_project(path, failure="Cannot make the project", make=lambda: ProjectService.create(
            path, name=name, width=width, height=height, frame_rate=rate).close())

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(documents_folder()), "Foundry projects (*.foundry)")
        if path:
            self.open_project(Path(path))

    def open_demo(self) -> None:
        """The demo in the user's documents, laid out off the GUI thread, opened with its shots
        generating (the jobs panel shows them), and the status bar says where it is."""
        path = documents_folder() / "Foundry demo" / "demo.foundry"

        def lay_out() -> None:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                create_demo_project(path).close()  # opened again by the window's way, in the same worker

        def generating() -> None:
            self.session.generate()  # only what is not generated yet; the built-in backend is free
            self.statusBar().showMessage(f"The demo is in {path.parent}; its shots are generating (see Jobs).")

        return self.open_project(path, make=lay_out, then=generating, failure="Cannot make the demo")

    def open_project(self, path: Path, *, make: Callable[[], None] | None = None, then: Callable[[], None] | None = None,
                     failure: str = "Cannot open the project") -> asyncio.Future[bool]:
        """Open `path` (made first by `make`) in a worker, then show it and run `then`; a failed open says
        why under `failure` and leaves the open project open. The future says whether it opened."""
        path = Path(path)
        if self.session is not None and self.session.path.resolve() == path.resolve():
            self.activateWindow()  # already open here: nothing to open (its lock would say "elsewhere")
            return self.opening.settled(True)

        def opened(project: WindowProject) -> None:
            self._use(project.service, project.first_look)
            if project.why_read_only:
                self.statusBar().showMessage(f"Opened for reading only: {project.why_read_only}")
            if then is not None:
                then()

        def refused(message: str) -> None:
            self._show_project_line()  # the project still open, as it was
            self.show_error(failure, message)
            if make is None:
                self.recent.forget(path)
                self._show_recent()

        return self.opening.start(path, make, opened, refused)

    def event(self, event: QEvent) -> bool:  # noqa: D102 -- back from a terminal: show what its commands changed
        if event.type() == QEvent.Type.WindowActivate and self.session is not None:
            self.session.look_for_outside_changes()
        return super().event(event)

    def _use(self, service: ProjectService, first_look: FirstLook) -> None:
        self.close_project()
        session = ProjectSession(service, self.generation, self)
        session.error.connect(self.show_error)
        session.notice.connect(lambda message: self.statusBar().showMessage(message, 6000))
        session.changed.connect(self._show_project_state)
        session.busy_changed.connect(self._busy_changed)
        session.shot_status_changed.connect(self._jobs_timer.start)  # a batch of changes: one count
        self.session = session
        for panel in self.panels:
            panel.set_session(session)
        self.recent.remember(session.path)
        self._show_project_state(first_look=first_look)
        self._restore_layout()  # once the panels show the project: restored onto empty ones, it was not kept
        self.generation.start_soon()  # the servers' health, for the status bar

    def close_project(self) -> None:
        if self.session is None:
            return
        self.settings.setValue("layout", self.saveState(LAYOUT_VERSION))
        for panel in self.panels:
            panel.set_session(None)
        self.session.close()
        self.session.deleteLater()
        self.session = None
        self._show_project_state()

    # -- showing state ---------------------------------------------------------------------

    def _show_project_state(self, *_: object, first_look: FirstLook | None = None) -> None:
        """The window as the open project stands; `first_look`: as it was read with it (opening)."""
        session = self.session
        self.centralWidget().show_welcome(session is None)
        if session is None:
            for dock in self.docks.values():
                dock.setVisible(False)
        for action in self._project_actions:
            action.setEnabled(session is not None)
        self._show_recent()
        if session is None:
            self.setWindowTitle("Foundry Desktop")
            self.statusBar().clearMessage()
            self.jobs_summary.setText("")
            self.undo_action.setText("&Undo")
            self.redo_action.setText("&Redo")
            return
        self.setWindowTitle(f"{session.service.project.name} — Foundry Desktop")
        self._show_project_line()
        undo_label, redo_label = ((first_look.undo_label, first_look.redo_label) if first_look else
                                  (session.service.undo_label(), session.service.redo_label()))
        self.undo_action.setEnabled(undo_label is not None)
        self.undo_action.setText(f"&Undo {undo_label}" if undo_label else "&Undo")
        self.redo_action.setEnabled(redo_label is not None)
        self.redo_action.setText(f"&Redo {redo_label}" if redo_label else "&Redo")
        self._show_jobs(states=first_look.shot_states if first_look else None)

    def _show_project_line(self) -> None:
        """The open project's format and length in the status bar (from memory: no reading)."""
        if self.session is None:
            self.statusBar().clearMessage()
            return
        project = self.session.service.project
        fmt = project.format
        self.statusBar().showMessage(f"{fmt.width}×{fmt.height} · {fmt.frame_rate} fps · "
                                     f"{len(project.timeline.shots)} shots")

    def _show_jobs(self, *_: object, states: tuple[str, ...] | None = None) -> None:
        session = self.session
        if session is None:
            return
        statuses = list(states) if states is not None else [status.kind for status in session.service.statuses()]
        generating, failed = statuses.count("generating"), statuses.count("failed")
        waiting = statuses.count("missing") + statuses.count("stale")
        parts = [f"{generating} generating" if generating else "", f"{failed} failed" if failed else "",
                 f"{waiting} to generate" if waiting else ""]
        self.jobs_summary.setText(" · ".join(part for part in parts if part) or "All shots current")

    def _show_health(self) -> None:
        servers = self.generation.servers
        if not servers:
            self.health.setText("Built-in generator")
            return
        up = [status for status in servers if status.up]
        queued = sum(status.queue_length for status in up)
        self.health.setText(f"ComfyUI: {len(up)} of {len(servers)} up, {queued} queued")
        self.health.setToolTip("\n".join(f"{s.server.name}: {'up' if s.up else 'down'} — {s.gpu or s.message}"
                                         for s in servers))

    def show_error(self, title: str, message: str) -> None:
        """An error in words, in a box that does not stop the app (work goes on behind it)."""
        self.errors.append((title, message))
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- commands ----------------------------------------------------------------------------

    def travel(self, *, undo: bool) -> None:
        session = self.session
        if session is None:
            return
        label = session.edit("Undo" if undo else "Redo", session.service.undo if undo else session.service.redo)
        if label:
            self.statusBar().showMessage(f"{'Undid' if undo else 'Redid'}: {label}", 4000)

    def generate(self, *, selected_only: bool) -> None:
        session = self.session
        if session is None:
            return
        shot_ids = set(session.selected) if selected_only and session.selected else None
        # Jobs in front once the shots go (the timeline comes back when the run ends); not for a no.
        self.budget_check.generate(session, shot_ids, sending=self.jobs_in_front.show_jobs)

    def show_storyboard(self) -> None:
        """The storyboard's tab in front, most of the window's height, its grid taking the keys."""
        dock = self.docks["Storyboard"]
        dock.show()
        dock.raise_()
        self.resizeDocks([dock], [self.height() * 3 // 5], Qt.Orientation.Vertical)
        self.storyboard.grid.setFocus()

    def show_render(self) -> None:
        if self.session is not None:
            dialog = RenderDialog(self.session, self.jobs.renders, self, self.settings)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def open_dialog(self, dialog_class) -> None:
        """A dialog of the open project (export, plan, mood board, captions, characters), deleted when closed."""
        if self.session is not None:
            dialog = dialog_class(self.session, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def import_media(self) -> None:
        self.media_tabs.setCurrentWidget(self.media_bin)
        self.media_bin.import_files()

    def choose_cut_to_import(self) -> None:
        choice = ask_for_import(self, documents_folder())
        if choice is not None:
            self.import_cut(choice)

    def import_cut(self, choice: ImportChoice) -> asyncio.Task:
        """Make the project from the cut in a worker thread (it copies the media), then open it
        (in a worker too) and list what could not be kept; the task ends once it is open."""
        self.statusBar().showMessage(f"Importing {choice.source.name}…")
        opening: list[asyncio.Future[bool]] = []

        def opened(report: ImportReport | CutChoiceError) -> None:
            self.statusBar().clearMessage()
            if isinstance(report, CutChoiceError):  # several timelines: import again the one chosen
                ask_for_sequence(self, choice.source, report.names,
                                 lambda sequence: self.import_cut(replace(choice, sequence=sequence)))
                return
            opening.append(self.open_project(
                report.project, then=lambda: show_import_report(self, f"Imported {choice.source.name}", report.warnings)))

        def failed(message: str) -> None:
            self.statusBar().clearMessage()
            self.show_error("Cannot import the cut", message)

        importing = self.work.in_thread(lambda: import_or_names(choice), opened, failed)

        async def imported_and_opened() -> None:
            await importing
            if opening:
                await opening[0]

        return asyncio.ensure_future(imported_and_opened())

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.generation, self, settings=self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # deleted on the GUI thread
        dialog.generation_settings_changed.connect(self._generation_settings_changed)
        dialog.open()

    def show_workflow_library(self) -> None:
        dialog = WorkflowLibraryDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.library_changed.connect(self.inspector.reload_choices)
        dialog.open()

    def _generation_settings_changed(self) -> None:
        """The backends were opened with the old servers and services: open them again, once
        nothing is generating (a running job keeps the backend it started with)."""
        if self.session is not None and self.session.generating:
            self._reopen_generation = True
            return
        asyncio.ensure_future(self._reopen_backends())

    def _busy_changed(self, busy: bool) -> None:
        self._show_jobs()
        if not busy:
            self.jobs_in_front.run_ended()
        if not busy and self._reopen_generation:
            asyncio.ensure_future(self._reopen_backends())

    async def _reopen_backends(self) -> None:
        self._reopen_generation = False
        await self.generation.close()
        await self.generation.start()
        self._show_health()
        self.inspector.reload_choices()  # an OpenAI-compatible address adds the "openai" backend

    # -- remembered between runs ---------------------------------------------------------------

    def _show_recent(self) -> None:
        self.welcome.show_recent(self.recent.paths())
        if self.recent_menu is not None:
            self.recent.fill(self.recent_menu, lambda path: self.open_project(Path(path)))

    def _restore_layout(self) -> None:
        """The panels as the creator left them (the default layout the first time)."""
        state = self.settings.value("layout")
        if not (isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)):
            self.restoreState(self._default_layout, LAYOUT_VERSION)

    def reset_layout(self) -> None:
        if self.session is not None:
            self.restoreState(self._default_layout, LAYOUT_VERSION)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.jobs.renders.may_close(self):
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.work.cancel()
        self.jobs.renders.cancel_all()
        self.close_project()  # the generation session is closed by main() once the loop has stopped
        super().closeEvent(event)
