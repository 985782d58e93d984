"""The Timeline panel: the canvas with its zoom controls and scroll bar, the editor's
keys (frame steps, J/K/L, I/O trims to the playhead, B / Ctrl+K splits, markers, zoom),
ripple delete and lift (the window's Edit menu holds their keys), and the transition
editor a double-click on a cut opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.exchange.conform_keys import film_timecode_at
from foundry_desktop.domain.cut_plan import PlacedShot
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.domain.timeline_ops import max_transition_frames
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.canvas import TimelineCanvas
from foundry_desktop.ui.timeline.empty_time import lift_selected, ripple_delete
from foundry_desktop.ui.timeline.geometry import HEADER_WIDTH
from foundry_desktop.ui.timeline.track_commands import delete_selected_items, split_selection_at_playhead

TRANSITION_NAMES = {"cut": "Cut", "dissolve": "Dissolve", "fade_black": "Dip to black", "fade_white": "Dip to white"}
ZOOM_STEP = 1.5
SHUTTLE_FRAMES = (1, 2, 4, 8)  # J/L pressed again go faster, frames per tick


def take_frame_at(placed: PlacedShot, frame: int) -> int:
    """The frame of the shot's take that the film shows at `frame`. It may lie past the
    shot's trim_in: a transition without handles before it trims the start further."""
    return placed.source_in + frame - placed.record_in


class TransitionDialog(QDialog):
    """Kind and length of the transition after one shot."""

    def __init__(self, session: ProjectSession, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        service = session.service
        shot = service.project.timeline.shots[index]
        rate = service.format.frame_rate
        self.setWindowTitle(f"Transition after shot {index + 1}")
        self.kind = QComboBox()
        for kind, name in TRANSITION_NAMES.items():
            self.kind.addItem(name, kind)
        self.kind.setCurrentIndex(list(TRANSITION_NAMES).index(shot.transition_out.kind))
        limit = max_transition_frames(service.project.timeline, index)
        self.seconds = QDoubleSpinBox()
        self.seconds.setDecimals(2)
        self.seconds.setRange(float(frames_to_seconds(1, rate)), max(0.04, float(frames_to_seconds(limit, rate))))
        self.seconds.setSuffix(" s")
        self.seconds.setValue(float(frames_to_seconds(shot.transition_out.duration or min(limit, round(rate) // 2), rate)))
        layout = QFormLayout(self)
        layout.addRow("Transition", self.kind)
        layout.addRow("Length", self.seconds)
        layout.addRow(QLabel(f"At most {float(frames_to_seconds(limit, rate)):.2f} s: "
                             "up to where each shot's other transition begins."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.kind.currentIndexChanged.connect(lambda: self.seconds.setEnabled(self.kind.currentData() != "cut"))
        self.seconds.setEnabled(self.kind.currentData() != "cut")

    def chosen(self, session: ProjectSession) -> tuple[str, int]:
        kind = self.kind.currentData()
        frames = 0 if kind == "cut" else max(1, session.service.frames_from_seconds(f"{self.seconds.value():.4f}"))
        return kind, frames


class TimelinePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list = []
        self._shuttle = 0  # J/L speed: negative backwards
        self.shuttle_timer: int | None = None  # runs only while shuttling
        self.canvas = TimelineCanvas()
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.timecode = QLabel("00:00:00:00")
        self.timecode.setMinimumWidth(HEADER_WIDTH)
        tools = QHBoxLayout()
        tools.setContentsMargins(6, 2, 6, 2)
        tools.addWidget(self.timecode)
        tools.addStretch(1)
        for text, tip, slot in (("−", "Zoom out (Ctrl+−, Ctrl+wheel)", self.zoom_out),
                                ("+", "Zoom in (Ctrl+=, Ctrl+wheel)", self.zoom_in),
                                ("Fit", "The whole film (Shift+Z)", self.canvas.fit)):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            tools.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(tools)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.scroll)
        self.scroll.valueChanged.connect(lambda value: self.canvas.scroll_to(value))
        self.canvas.viewport_changed.connect(self._update_scroll)
        self.canvas.transition_edit_requested.connect(self.edit_transition)
        self._add_keys()

    def _add_keys(self) -> None:
        keys = [
            ("Previous frame", Qt.Key.Key_Left, lambda: self.step(-1)),
            ("Next frame", Qt.Key.Key_Right, lambda: self.step(1)),
            ("Back one second", "Shift+Left", lambda: self.step(-self._fps())),
            ("On one second", "Shift+Right", lambda: self.step(self._fps())),
            ("Play backwards", Qt.Key.Key_J, lambda: self.shuttle(-1)),
            ("Stop", Qt.Key.Key_K, lambda: self.shuttle(0)),
            ("Play forwards", Qt.Key.Key_L, lambda: self.shuttle(1)),
            ("Trim start to playhead", Qt.Key.Key_I, lambda: self.trim_to_playhead(start=True)),
            ("Trim end to playhead", Qt.Key.Key_O, lambda: self.trim_to_playhead(start=False)),
            ("Split at playhead", Qt.Key.Key_B, self.split_at_playhead),
            ("Split at playhead (Ctrl+K)", "Ctrl+K", self.split_at_playhead),
            ("Add marker", Qt.Key.Key_M, self.add_marker),
            ("Zoom in", "Ctrl+=", self.zoom_in),
            ("Zoom out", "Ctrl+-", self.zoom_out),
            ("Fit the film", "Shift+Z", self.canvas.fit),
        ]
        self.key_actions: dict[str, QAction] = {}
        for name, key, slot in keys:
            action = QAction(name, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.key_actions[name] = action

    # -- the project ---------------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self.session = session
        self.canvas.set_session(session)
        if session is not None:
            for signal, slot in ((session.changed, self._changed), (session.shot_status_changed, self.canvas.refresh_shot),
                                 (session.selection_changed, self._repaint), (session.playhead_moved, self._playhead),
                                 (session.generation_progress, self._progress),
                                 (session.offline_changed, self._repaint)):
                signal.connect(slot)
                self._connections.append((signal, slot))
            self.canvas.fit()
        self._playhead(session.playhead if session else 0)

    def _changed(self, *_: object) -> None:
        self.canvas.reload()
        if self.session is not None:  # the film's start timecode may be what changed
            self._playhead(self.session.playhead)

    def _repaint(self, *_: object) -> None:
        self.canvas.update()

    def _progress(self, shot_id: str, job_id: str, fraction: float, message: str) -> None:
        self.canvas.note_progress(shot_id, fraction)

    def _playhead(self, frame: int) -> None:
        if self.session is not None:
            self.timecode.setText(film_timecode_at(self.session.service.project, frame))
        self.canvas.update()

    def _update_scroll(self) -> None:
        view = self.canvas.view
        self.scroll.blockSignals(True)
        self.scroll.setRange(0, max(0, int(self.canvas.content_width() - (self.canvas.width() - HEADER_WIDTH))))
        self.scroll.setPageStep(max(1, self.canvas.width() - HEADER_WIDTH))
        self.scroll.setValue(int(view.scroll_px))
        self.scroll.blockSignals(False)

    def _fps(self) -> int:
        return round(self.session.service.format.frame_rate) if self.session else 24

    # -- the editor's keys ------------------------------------------------------------------

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def _zoom(self, factor: float) -> None:
        """About the playhead while it is in view, as Resolve and Premiere zoom: the frame being
        worked on stays under the pointer's eye; otherwise about the middle."""
        canvas = self.canvas
        x = canvas.view.x_of(self.session.playhead) if self.session is not None else None
        canvas.zoom(factor, x if x is not None and HEADER_WIDTH <= x <= canvas.width() else None)

    def step(self, frames: int) -> None:
        if self.session is not None:
            self.session.move_playhead(self.session.playhead + frames)

    def shuttle(self, direction: int) -> None:
        """J and L play backwards and forwards (again: faster), K stops: the playhead moves
        in real time steps so the timeline and the preview follow it."""
        if direction == 0 or (self._shuttle and (direction > 0) != (self._shuttle > 0)):
            self._shuttle = 0
        else:
            speed = min(len(SHUTTLE_FRAMES), abs(self._shuttle) + 1)
            self._shuttle = speed if direction > 0 else -speed
        if self._shuttle and self.shuttle_timer is None:
            self.shuttle_timer = self.startTimer(round(1000 / max(1, self._fps())))
        elif not self._shuttle and self.shuttle_timer is not None:
            self.killTimer(self.shuttle_timer)
            self.shuttle_timer = None

    def timerEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.session is None or not self._shuttle:
            return
        frames = SHUTTLE_FRAMES[abs(self._shuttle) - 1]
        before = self.session.playhead
        self.step(frames if self._shuttle > 0 else -frames)
        if self.session.playhead == before:  # the film's start or end
            self.shuttle(0)

    def trim_to_playhead(self, *, start: bool) -> None:
        """I / O: the selected shot's first or last frame becomes the one under the playhead."""
        session = self.session
        if session is None or not session.selected:
            return
        service = session.service
        index = session.index_of(session.selected[0])
        placed = service.cut_plan().shots[index]
        shot = service.project.timeline.shots[index]
        if not placed.record_in < session.playhead < placed.record_out:
            session.error.emit("Trim", f"Put the playhead inside shot {index + 1} to trim it there.")
            return
        offset = take_frame_at(placed, session.playhead) - shot.trim_in
        if start:
            session.edit("Trim", lambda: service.trim_shot(index, shot.trim_in + offset, shot.trim_out))
        else:
            session.edit("Trim", lambda: service.trim_shot(index, shot.trim_in, shot.trim_in + offset))

    def split_at_playhead(self) -> None:
        """B / Ctrl+K: the shot under the playhead is cut in two there; the second half is selected."""
        session = self.session
        if session is None or split_selection_at_playhead(session):  # a selected music clip or caption
            return
        service = session.service
        playhead = session.playhead
        placed = next((p for p in service.cut_plan().shots if p.record_in <= playhead < p.record_out), None)
        if placed is None or placed.record_in == playhead:
            session.error.emit("Split", "Put the playhead inside a shot to split it there: it is on a cut or past the end.")
            return
        shot = service.project.timeline.shots[placed.index]
        offset = take_frame_at(placed, playhead) - shot.trim_in
        second = session.edit("Split", lambda: service.split_shot(placed.index, offset))
        if second is not None:
            session.select([second.id])

    def add_marker(self) -> None:
        if self.session is not None:
            session = self.session
            session.edit("Add marker", lambda: session.service.add_marker(session.playhead))

    def ripple_delete(self) -> None:
        """Edit > Ripple delete: the selected shots, or the selected gap, and the film closes up."""
        if self.session is not None:
            ripple_delete(self.session, self.canvas.empty, self.delete_selected)
            self.canvas.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        # In the window, Delete and Backspace are Edit > Ripple delete and Lift and never reach
        # here; a timeline shown on its own answers them the same way.
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() == Qt.Key.Key_Delete:
            self.ripple_delete()
        elif event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() == Qt.Key.Key_Backspace:
            self.lift()
        else:
            super().keyPressEvent(event)

    def lift(self) -> None:
        """Edit > Lift: the selected shots go and leave their time empty."""
        if self.session is not None:
            lift_selected(self.session)

    def delete_selected(self) -> None:
        session = self.session
        if session is None or delete_selected_items(session) or not session.selected:  # clips, captions, or shots
            return
        indexes = sorted((session.index_of(shot_id) for shot_id in session.selected), reverse=True)
        label = f"Remove {len(indexes)} shots" if len(indexes) > 1 else f"Remove shot {indexes[0] + 1}"

        def remove() -> None:
            with session.service.group(label):
                for index in indexes:
                    session.service.remove_shot(index)

        session.edit("Delete", remove)
        session.select([])

    def edit_transition(self, index: int) -> None:
        session = self.session
        if session is None:
            return
        dialog = TransitionDialog(session, index, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            kind, frames = dialog.chosen(session)
            session.edit("Transition", lambda: session.service.set_transition(index, kind, frames))
