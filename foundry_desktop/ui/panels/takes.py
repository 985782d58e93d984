"""The takes of the selected shot: a gallery to look at them, choose one and make more.

Each take shows a picture from its middle, its length, where it came from (backend, server
or service, seed, when, what it cost; all of it on hover) and a mark on the one the shot uses.
Pointing at a take plays it in its tile; clicking shows it in the preview; using it
is an undoable edit of the app service; dragging it onto the timeline uses it there
(see TimelineCanvas.drop_take).
The pictures are the app's cached thumbnails, made in a worker thread, so the GUI
thread never waits on a video file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.app.shots.take_previews import take_filmstrip
from foundry_desktop.domain.project import Take
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.budget_check import BudgetCheck
from foundry_desktop.ui.elided_label import ElidedLabel
from foundry_desktop.ui.editing.take_menu import show_take_menu
from foundry_desktop.ui.panels.compare_takes import CompareTakesDialog
from foundry_desktop.ui.panels.take_gallery import TILE, TakeGallery, TakeStills, tile_icon
from foundry_desktop.ui.panels.take_provenance import provenance, tile_lines
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

HOVER_FRAMES = 12  # pictures across a take that the tile under the pointer runs through
HOVER_FRAME_MS = 120


class TakesPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._connections: list[tuple[Any, Callable[..., None]]] = []
        self._shot_id: str | None = None
        self._jobs: dict[str, dict[str, tuple[float, str]]] = {}  # shot id -> job id -> (fraction, message)
        self._starting: set[str] = set()  # shots asked to generate, no word from their jobs yet
        self._status = ""  # the shown shot's status kind
        self._generating = False  # the shown shot's takes are on their way
        self.stills = TakeStills(self)
        self.stills.ready.connect(lambda _key: self._refresh())
        self.compare_dialog: CompareTakesDialog | None = None
        self.budget_check = BudgetCheck(self)  # Generate asks first where the budget cannot guard the takes
        self._strips: dict[str, list[QImage]] = {}  # take content hash -> pictures across the take
        self._playing: tuple[str, int] | None = None  # (take id, the strip picture shown) while hovered
        self._hover_timer = QTimer(self, interval=HOVER_FRAME_MS)
        self._hover_timer.timeout.connect(self._next_hover_frame)

        self.heading = ElidedLabel()  # a shot's long name must not widen the panel
        bold = self.heading.font()
        bold.setBold(True)
        self.heading.setFont(bold)
        column = QVBoxLayout(self)
        column.addWidget(self.heading)
        column.addWidget(self._build_pages(), 1)
        column.addWidget(self._build_controls())
        self._refresh()

    def _build_pages(self) -> QStackedWidget:
        """The gallery of the shot's takes, or a hint where there are none to show."""
        self.gallery = TakeGallery(viewMode=QListView.ViewMode.IconMode, iconSize=TILE, wordWrap=True,
                                   movement=QListView.Movement.Static, resizeMode=QListView.ResizeMode.Adjust,
                                   selectionMode=QListWidget.SelectionMode.ExtendedSelection, spacing=4)
        lines = self.fontMetrics().lineSpacing()
        # Four lines of words under a tile and one spare, for a server's long name wrapping.
        self.gallery.setGridSize(QSize(TILE.width() + 36, TILE.height() + 5 * lines + 16))
        self.gallery.itemClicked.connect(self._preview)
        self.gallery.itemDoubleClicked.connect(lambda item: self._use(item.data(Qt.ItemDataRole.UserRole)))
        self.gallery.itemSelectionChanged.connect(self._update_buttons)
        self.gallery.hovered.connect(self._hover_play)
        self.gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.gallery.customContextMenuRequested.connect(lambda at: show_take_menu(self, self._session, at))
        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setProperty("hint", True)  # the theme's look for hints
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hint)
        self.pages.addWidget(self.gallery)
        return self.pages

    def _build_controls(self) -> QWidget:
        """Use, compare, generate with variants, and the progress of the shot's takes on their way."""
        self.use_button = QPushButton("Use this take", toolTip="Show this take in the film (undoable)")
        self.use_button.clicked.connect(lambda: self._use(self._chosen()[0]))
        self.compare_button = QPushButton("Compare", toolTip="Choose two takes (Ctrl+click) to see them side by side")
        self.compare_button.clicked.connect(self.compare_chosen)
        self.variants = QSpinBox(minimum=0, maximum=16, specialValueText="none",
                                 toolTip="More takes of this shot, each with a new seed")
        self.variants.valueChanged.connect(self._update_buttons)
        self.generate_button = QPushButton("Generate")
        self.generate_button.clicked.connect(self._generate)
        self.progress = QProgressBar(textVisible=True)
        self.progress_text = QLabel(wordWrap=True)
        self.controls = QWidget()
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        for widgets in ((self.use_button, self.compare_button), (QLabel("Variants"), self.variants, self.generate_button)):
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch()
            controls.addLayout(row)
        controls.addWidget(self.progress)
        controls.addWidget(self.progress_text)
        return self.controls

    # -- the session -------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Show this project's takes (None: no project open). Disconnects from the previous one."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._session, self._shot_id = session, None
        self._jobs.clear()
        self._starting.clear()
        if session is not None:
            for signal, slot in ((session.changed, self._refresh), (session.selection_changed, self._refresh),
                                 (session.shot_status_changed, self._refresh), (session.busy_changed, self._busy),
                                 (session.generation_progress, self._progress)):
                signal.connect(slot)
                self._connections.append((signal, slot))
        self._refresh()

    def _progress(self, shot_id: str, job_id: str, fraction: float, message: str) -> None:
        self._starting.discard(shot_id)
        self._jobs.setdefault(shot_id, {})[job_id] = (fraction, message)
        if shot_id == self._shot_id:
            self._show_progress()

    def _busy(self, busy: bool) -> None:
        if not busy:  # every run has ended: what is left in flight is for the shot status to say
            self._jobs.clear()
            self._starting.clear()
        self._refresh()

    # -- showing the takes ---------------------------------------------------------

    def _refresh(self, *_: object) -> None:
        session = self._session
        shot = session.shot(session.selected[0]) if session is not None and session.selected else None
        self._shot_id = self.gallery.shot_id = shot.id if shot is not None else None
        self.controls.setVisible(shot is not None)
        if shot is None:
            self.heading.setText("Takes")
            self.hint.setText("Open a project to see its takes." if session is None
                              else "Select a shot on the timeline to see its takes.")
            self.gallery.clear()
            self.pages.setCurrentWidget(self.hint)
            return
        takes = session.service.project.video_takes_of(shot.id)  # keyframes: the inspector's strip
        number = session.index_of(shot.id) + 1
        count = f"{len(takes)} take{'s' if len(takes) != 1 else ''}" if takes else "no takes"
        self.heading.setText(f"Shot {number}{' · ' + shot.name if shot.name else ''}: {count}")
        self.hint.setText("No takes yet — press Generate")
        self.pages.setCurrentWidget(self.gallery if takes else self.hint)
        shown = [self.gallery.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.gallery.count())]
        if shown != [take.id for take in takes]:
            chosen = set(self._chosen())
            self.gallery.clear()
            for take in takes:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, take.id)
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                self.gallery.addItem(item)
                item.setSelected(take.id in chosen)
        for row, take in enumerate(takes):
            self._show_take(self.gallery.item(row), row + 1, take, take.id == shot.selected_take_id, shot.fit)
        self._show_progress()

    def _show_take(self, item: QListWidgetItem, number: int, take: Take, in_use: bool, fit: str) -> None:
        assert self._session is not None
        key = take.content_hash
        self.stills.want(take, self._session)
        placeholder = "No picture" if key in self.stills.problems else "Loading…"
        item.setIcon(tile_icon(self.stills.pictures.get(key), placeholder, in_use, self.palette()))
        rate = self._session.service.format.frame_rate
        facts = provenance(take, fit)
        warned = " · ⚠" if any(fact.startswith("⚠") for fact in facts) else ""  # the tooltip says what
        item.setText("\n".join([f"Take {number}{' · in use' if in_use else ''}{warned}", *tile_lines(take, rate)]))
        problem = self.stills.problems.get(key)
        item.setToolTip("\n".join(facts + ([f"No picture: {problem}"] if problem else [])))
        font = item.font()
        font.setBold(in_use)
        item.setFont(font)

    def _show_progress(self) -> None:
        jobs = self._jobs.get(self._shot_id or "", {})
        running = [(fraction, message) for fraction, message in jobs.values() if fraction < 1.0]
        shot = self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None
        self._status = self._session.service.shot_status(shot).kind if shot is not None else ""
        busy = self._generating = bool(running) or self._shot_id in self._starting or self._status == "generating"
        self.progress.setVisible(busy)
        self.progress_text.setVisible(busy)
        self._update_buttons()
        if not busy:
            return
        if running:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * sum(fraction for fraction, _ in running) / len(running)))
            takes = f"{len(running)} takes" if len(running) > 1 else "1 take"
            self.progress_text.setText(f"Generating {takes}: {running[-1][1]}")
        else:  # waiting for the first word from the jobs
            self.progress.setRange(0, 0)
            self.progress_text.setText("Generating…")

    def _chosen(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.gallery.selectedItems()]

    def _update_buttons(self) -> None:
        shot = self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None
        chosen = self._chosen()
        self.use_button.setEnabled(shot is not None and len(chosen) == 1 and chosen[0] != shot.selected_take_id)
        self.compare_button.setEnabled(len(chosen) == 2)
        count = self.variants.value()
        self.generate_button.setText(f"Generate {count} variant{'s' if count > 1 else ''}" if count else "Generate")
        # Generating a current shot again would only find its take: more takes need variants.
        nothing_to_make = self._status == "current" and count == 0
        self.generate_button.setEnabled(not self._generating and not nothing_to_make)
        self.generate_button.setToolTip("The shot's take is current: ask for variants to get more takes"
                                        if nothing_to_make else "Generate the shot, and the variants asked for")

    # -- play on hover ---------------------------------------------------------------

    def _hover_play(self, take_id: str) -> None:
        """The tile under the pointer runs through its take (a strip of pictures across it, made
        off the GUI thread and kept); leaving it shows its still again."""
        self._hover_timer.stop()
        if self._playing is not None:
            self._playing = None
            self._refresh()
        take = self._take(take_id)
        if take is None or self._session is None:
            return
        self._playing = (take_id, 0)
        if take.content_hash in self._strips:
            self._hover_timer.start()
            return
        media, key = self._session.service.media, take.content_hash

        def make() -> list[QImage]:
            try:
                return [read_picture(path, TILE.width()) for path in take_filmstrip(media, take, HOVER_FRAMES,
                                                                                   width=TILE.width())]
            except FoundryError:  # offline or damaged: the tile stays still; the offline notice names the file
                return []

        def made(pictures: list[QImage]) -> None:
            if isValid(self):
                self._strips[key] = [picture for picture in pictures if not picture.isNull()]
                if self._playing is not None and self._playing[0] == take_id:
                    self._hover_timer.start()

        self._session.in_thread("Playing a take", make, made)

    def _take(self, take_id: str) -> Take | None:
        if not take_id or self._session is None or self._shot_id is None:
            return None
        return next((t for t in self._session.service.project.takes_of(self._shot_id) if t.id == take_id), None)

    def _next_hover_frame(self) -> None:
        take = self._take(self._playing[0]) if self._playing is not None else None
        pictures = self._strips.get(take.content_hash, []) if take is not None else []
        row = next((r for r in range(self.gallery.count())
                    if take is not None and self.gallery.item(r).data(Qt.ItemDataRole.UserRole) == take.id), -1)
        if not pictures or row < 0:
            self._hover_timer.stop()
            return
        take_id, frame = self._playing
        shot = self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None
        in_use = shot is not None and shot.selected_take_id == take_id
        self.gallery.item(row).setIcon(tile_icon(pictures[frame % len(pictures)], "", in_use, self.palette()))
        self._playing = (take_id, frame + 1)

    # -- what the creator does -----------------------------------------------------

    def _preview(self, item: QListWidgetItem) -> None:
        if self._session is not None and self._shot_id is not None:
            self._session.preview_take(self._shot_id, item.data(Qt.ItemDataRole.UserRole))

    def _use(self, take_id: str) -> None:
        """Show this take in the film: an undoable edit (a variant brings its seed along)."""
        session, shot_id = self._session, self._shot_id
        if session is not None and shot_id is not None:
            index = session.index_of(shot_id)
            session.edit("Use this take", lambda: session.service.select_take(index, take_id))

    def _generate(self) -> None:
        """Generate the shot's takes; where the budget cannot guard them, only once the creator agrees."""
        session, shot_id = self._session, self._shot_id
        if session is None or shot_id is None:
            return

        def sending() -> None:
            self._starting.add(shot_id)
            if shot_id == self._shot_id:
                self._show_progress()
        self.budget_check.generate(session, {shot_id}, self.variants.value(), sending=sending)

    def compare_chosen(self) -> None:
        """The two chosen takes side by side."""
        chosen = self._chosen()
        if self._session is None or self._shot_id is None or len(chosen) != 2:
            return
        shot = self._session.shot(self._shot_id)
        takes = {take.id: (number, take) for number, take in
                 enumerate(self._session.service.project.video_takes_of(self._shot_id), start=1)}
        shown = [(f"Take {number}", take, self.stills.pictures.get(take.content_hash),
                  shot is not None and take.id == shot.selected_take_id)
                 for number, take in sorted(takes[take_id] for take_id in chosen if take_id in takes)]
        self.compare_dialog = CompareTakesDialog(self, shown, self._use)
        self.compare_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compare_dialog.show()
