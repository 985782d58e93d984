"""The timeline itself: a custom-painted widget that draws only what is on screen.

Three tracks under a timecode ruler: the shots (each with a filmstrip of its
selected take, its name, length and status), the music bed and the captions;
transitions across the cuts, markers on the ruler, and the playhead. The
pointer scrubs the ruler, selects shots (Ctrl and Shift add), drags a shot to a
new place, drags a shot's edge to trim it (or, before it has a take, to change
its length) with snapping to cuts and the playhead, and double-clicks a cut to
edit its transition. Files dropped from the desktop become shots or music; a take
dragged from the takes bin is used on its own shot, or becomes a new shot elsewhere.

Painting is per visible shot, found by bisecting the cut plan, so a thousand
shots cost what the dozen on screen cost.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from foundry_desktop.app.shots.media_shots import add_prepared_shot, prepare_media, prepare_take
from foundry_desktop.app.shots.music_clips import add_prepared_music, prepare_sound
from foundry_desktop.app.shots.take_previews import take_filmstrip
from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.domain.project import Take
from foundry_desktop.domain.status import ShotStatus
from foundry_desktop.domain.time import format_timecode, frames_to_seconds
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.panels.take_drag import dragged_take
from foundry_desktop.ui.timeline.geometry import (
    CONTENT_HEIGHT,
    EDGE_GRAB_PX,
    HEADER_WIDTH,
    ROWS,
    RULER_HEIGHT,
    Viewport,
    row_at,
    row_of,
    snapped,
    tick_step,
)

STRIP_PICTURES = 8  # filmstrip pictures made per take; drawn as many as fit
DRAG_START_PX = 5
LABEL_HEIGHT = 17
MIN_DETAILED_PX = 28  # narrower shots are drawn as plain bars


@dataclass
class _Drag:
    """A gesture in progress: what it started on and where the pointer is now."""

    kind: str  # "scrub", "move", "trim_in", "trim_out"
    shot_index: int = -1
    start_x: float = 0.0
    frame: int = 0  # the (snapped) frame the pointer points at
    active: bool = False  # past DRAG_START_PX (a press that never moves is a click)


class TimelineCanvas(QWidget):
    """Paints and edits the open project's timeline; see the module docstring."""

    transition_edit_requested = Signal(int)  # the index of the shot before the cut
    viewport_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.view = Viewport()
        self.setMinimumHeight(CONTENT_HEIGHT)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._plan: CutPlan | None = None
        self._starts: list[int] = []  # each shot's record_in, for bisecting
        self._statuses: list[ShotStatus] = []  # each shot's, worked out once per change, not per paint
        self._takes: list[Take | None] = []  # each shot's selected take
        self._strips: dict[str, list[QImage]] = {}  # take id -> its filmstrip
        self._strips_asked: set[str] = set()
        self._progress: dict[str, float] = {}  # shot id -> generation progress
        self._drag: _Drag | None = None
        self._drop_frame: int | None = None  # where dropped files would land
        self.fitted = False  # showing the whole film: kept so when the canvas is resized

    # -- the project -------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        self.session = session
        self._strips.clear()
        self._strips_asked.clear()
        self._progress.clear()
        self.reload()

    def reload(self) -> None:
        """The model changed: lay the shots out again."""
        self._plan = self.session.service.cut_plan() if self.session else None
        self._starts = [placed.record_in for placed in self._plan.shots] if self._plan else []
        if self.session is not None:
            project = self.session.service.project
            self._statuses = self.session.service.statuses()
            self._takes = [project.selected_take(shot) for shot in project.timeline.shots]
        self.viewport_changed.emit()
        self.update()

    def refresh_shot(self, shot_id: str) -> None:
        """One shot's status or take changed (generation): that shot only, not the whole layout."""
        if self.session is None:
            return
        index = self.session.index_of(shot_id)
        if 0 <= index < len(self._statuses):
            shot = self.session.service.project.timeline.shots[index]
            self._statuses[index] = self.session.service.shot_status(shot)
            self._takes[index] = self.session.service.project.selected_take(shot)
            self.update()

    def note_progress(self, shot_id: str, fraction: float) -> None:
        self._progress[shot_id] = fraction
        self.update()

    @property
    def length(self) -> int:
        return self._plan.length if self._plan else 0

    def fit(self) -> None:
        self.fitted = True
        self.view.fit(self.length, self.width())
        self.viewport_changed.emit()
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fitted:  # the whole film stays in view until the creator zooms
            self.fit()

    def zoom(self, factor: float, x: float | None = None) -> None:
        self.fitted = False
        self.view.zoom_about(factor, self.width() / 2 if x is None else x)
        self.viewport_changed.emit()
        self.update()

    def scroll_to(self, px: float) -> None:
        self.view.scroll_px = max(0.0, px)
        self.update()

    def content_width(self) -> float:
        return self.length * self.view.px_per_frame + 200

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.BASE)
        if self.session is None or self._plan is None:
            painter.setPen(theme.DIM_TEXT)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No project open")
            return
        first, last = self.view.visible_frames(self.width())
        self._paint_tracks(painter)
        self._paint_shots(painter, first, last)
        self._paint_transitions(painter, first, last)
        self._paint_music(painter)
        self._paint_captions(painter)
        self._paint_ruler(painter, first, last)
        self._paint_drag(painter)
        self._paint_playhead(painter)
        self._paint_headers(painter)

    def _paint_tracks(self, painter: QPainter) -> None:
        for row in ROWS:
            painter.fillRect(QRectF(HEADER_WIDTH, row.top, self.width() - HEADER_WIDTH, row.height), theme.WINDOW)

    def _paint_headers(self, painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, HEADER_WIDTH, self.height()), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        for row, name in zip(ROWS, ("Shots", "Music", "Captions"), strict=True):
            painter.drawText(QRectF(10, row.top, HEADER_WIDTH - 12, row.height),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)

    def _visible_shots(self, first: float, last: float) -> range:
        start = max(0, bisect.bisect_right(self._starts, first) - 1)
        stop = bisect.bisect_right(self._starts, last)
        return range(start, min(stop, len(self._starts)))

    def _paint_shots(self, painter: QPainter, first: float, last: float) -> None:
        assert self.session is not None and self._plan is not None
        project = self.session.service.project
        row = row_of("video")
        metrics = QFontMetrics(painter.font())
        selected_ids = set(self.session.selected)
        for index in self._visible_shots(first, last):
            placed = self._plan.shots[index]
            shot = project.timeline.shots[index]
            left, right = self.view.x_of(placed.record_in), self.view.x_of(placed.record_out)
            box = QRectF(left + 1, row.top, max(2.0, right - left - 2), row.height)
            selected = shot.id in selected_ids
            status, take = self._statuses[index], self._takes[index]
            colour = theme.STATUS_COLOURS.get(status.kind, theme.DIM_TEXT)
            if box.width() < MIN_DETAILED_PX:  # zoomed far out: a bar in the status colour says enough
                painter.fillRect(box, colour.darker(150) if not selected else theme.ACCENT)
                continue
            painter.fillRect(box, theme.PANEL)
            if take is not None:
                self._paint_strip(painter, box.adjusted(0, LABEL_HEIGHT, 0, 0), take.id, take)
            painter.fillRect(QRectF(box.left(), box.top(), box.width(), LABEL_HEIGHT), QColor("#2f3237"))
            painter.fillRect(QRectF(box.left(), box.top(), 4, LABEL_HEIGHT), colour)
            seconds = float(frames_to_seconds(shot.length, project.format.frame_rate))
            label = f"{index + 1}  {shot.name or shot.spec.prompt or 'Untitled'}"
            painter.setPen(theme.TEXT)
            text_box = QRectF(box.left() + 8, box.top(), box.width() - 12, LABEL_HEIGHT)
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(0, int(text_box.width()) - 40)))
            painter.setPen(theme.DIM_TEXT)
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{seconds:.1f}s")
            if take is None and status.kind != "generating":
                painter.setPen(theme.DIM_TEXT)
                painter.drawText(box.adjusted(6, LABEL_HEIGHT, -6, 0), Qt.AlignmentFlag.AlignCenter,
                                 metrics.elidedText(status.kind.capitalize(), Qt.TextElideMode.ElideRight,
                                                    max(0, int(box.width()) - 12)))
            if status.kind == "generating":
                fraction = self._progress.get(shot.id, 0.0)
                painter.fillRect(QRectF(box.left(), box.bottom() - 4, box.width() * fraction, 4),
                                 theme.STATUS_COLOURS["generating"])
            painter.setPen(QPen(theme.ACCENT if selected else QColor("#3a3c41"), 2 if selected else 1))
            painter.drawRect(box)

    def _paint_strip(self, painter: QPainter, area: QRectF, take_id: str, take) -> None:
        pictures = self._strips.get(take_id)
        if pictures is None:
            self._ask_strip(take)
            return
        if not pictures or area.width() < 4:
            return
        tile_width = area.height() * pictures[0].width() / max(1, pictures[0].height())
        count = max(1, int(area.width() // max(1.0, tile_width)) + 1)
        painter.save()
        painter.setClipRect(area)
        for slot in range(count):
            picture = pictures[min(len(pictures) - 1, slot * len(pictures) // count)]
            painter.drawImage(QRectF(area.left() + slot * tile_width, area.top(), tile_width, area.height()), picture)
        painter.restore()

    def _ask_strip(self, take) -> None:
        if self.session is None or take.id in self._strips_asked:
            return
        self._strips_asked.add(take.id)
        media = self.session.service.media

        def make() -> list[QImage]:
            return [QImage(str(path)) for path in take_filmstrip(media, take, STRIP_PICTURES)]

        def done(pictures: list[QImage]) -> None:
            self._strips[take.id] = [picture for picture in pictures if not picture.isNull()]
            self.update()

        self.session.in_thread("Filmstrip", make, done)

    def _paint_transitions(self, painter: QPainter, first: float, last: float) -> None:
        assert self._plan is not None
        row = row_of("video")
        for transition in self._plan.transitions:
            if transition.record_in + transition.frames < first or transition.record_in > last:
                continue
            left = self.view.x_of(transition.record_in)
            right = self.view.x_of(transition.record_in + transition.frames)
            box = QRectF(left, row.top + LABEL_HEIGHT + 4, max(6.0, right - left), 14)
            painter.fillRect(box, QColor(224, 138, 46, 170))
            painter.setPen(QColor("#16171a"))
            painter.drawLine(box.topLeft(), box.bottomRight())
            painter.drawLine(box.bottomLeft(), box.topRight())

    def _paint_music(self, painter: QPainter) -> None:
        assert self.session is not None
        row = row_of("music")
        for clip in self.session.service.project.timeline.music:
            length = clip.source_out - clip.source_in
            end = self.length if clip.loop else clip.start + length
            box = QRectF(self.view.x_of(clip.start), row.top + 2, max(2.0, (end - clip.start) * self.view.px_per_frame),
                         row.height - 4)
            painter.fillRect(box, QColor("#2e5a46"))
            painter.setPen(theme.TEXT)
            painter.drawText(box.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter,
                             clip.name + ("  (loops)" if clip.loop else ""))

    def _paint_captions(self, painter: QPainter) -> None:
        assert self.session is not None
        row = row_of("captions")
        for caption in self.session.service.project.timeline.captions:
            box = QRectF(self.view.x_of(caption.start), row.top + 2,
                         max(2.0, (caption.end - caption.start) * self.view.px_per_frame), row.height - 4)
            painter.fillRect(box, QColor("#3b3f6b"))
            painter.setPen(theme.TEXT)
            painter.drawText(box.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, caption.text)

    def _paint_ruler(self, painter: QPainter, first: float, last: float) -> None:
        assert self.session is not None
        rate = self.session.service.format.frame_rate
        painter.fillRect(QRectF(HEADER_WIDTH, 0, self.width() - HEADER_WIDTH, RULER_HEIGHT), theme.PANEL)
        major, minor = tick_step(self.view.px_per_frame, rate)
        frame = max(0, int(first // minor) * minor)
        while frame <= last:
            x = self.view.x_of(frame)
            if frame % major == 0:
                painter.setPen(theme.DIM_TEXT)
                painter.drawLine(QPointF(x, RULER_HEIGHT - 12), QPointF(x, RULER_HEIGHT))
                painter.drawText(QPointF(x + 3, 12), format_timecode(frame, rate))
            else:
                painter.setPen(QColor("#4a4d53"))
                painter.drawLine(QPointF(x, RULER_HEIGHT - 5), QPointF(x, RULER_HEIGHT))
            frame += minor
        for marker in self.session.service.project.timeline.markers:
            x = self.view.x_of(marker.frame)
            painter.setBrush(QColor(marker.color))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon(QPolygonF([QPointF(x - 5, RULER_HEIGHT - 10), QPointF(x + 5, RULER_HEIGHT - 10),
                                           QPointF(x, RULER_HEIGHT - 2)]))

    def _paint_playhead(self, painter: QPainter) -> None:
        assert self.session is not None
        x = self.view.x_of(self.session.playhead)
        if x < HEADER_WIDTH:
            return
        painter.setPen(QPen(theme.ACCENT, 1.5))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.setBrush(theme.ACCENT)
        painter.drawPolygon(QPolygonF([QPointF(x - 6, 0), QPointF(x + 6, 0), QPointF(x, 8)]))

    def _paint_drag(self, painter: QPainter) -> None:
        row = row_of("video")
        if self._drag is not None and self._drag.active and self._drag.kind != "scrub":
            x = self.view.x_of(self._drag.frame)
            painter.setPen(QPen(theme.TEXT, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, row.top - 2), QPointF(x, row.bottom + 2))
        if self._drop_frame is not None:
            x = self.view.x_of(self._drop_frame)
            painter.setPen(QPen(theme.ACCENT, 2))
            painter.drawLine(QPointF(x, RULER_HEIGHT), QPointF(x, self.height()))

    # -- finding things under the pointer ---------------------------------------------

    def shot_at(self, x: float) -> int:
        """The index of the shot under `x`, or -1."""
        frame = self.view.frame_at(x)
        index = bisect.bisect_right(self._starts, frame) - 1
        if self._plan is None or index < 0 or index >= len(self._plan.shots):
            return -1
        return index if frame < self._plan.shots[index].record_out else -1

    def _cut_points(self) -> list[int]:
        if self._plan is None:
            return []
        return [0, *(placed.record_out for placed in self._plan.shots)]

    def _insertion_index(self, frame: float) -> int:
        """Where a shot dropped at `frame` goes: before the first shot whose middle is after it."""
        if self._plan is None:
            return 0
        for index, placed in enumerate(self._plan.shots):
            if frame < (placed.record_in + placed.record_out) / 2:
                return index
        return len(self._plan.shots)

    def _edge_at(self, x: float) -> tuple[str, int] | None:
        """("trim_in" | "trim_out", shot index) when `x` is on a shot's edge."""
        index = self.shot_at(x)
        if index < 0 or self._plan is None:
            return None
        placed = self._plan.shots[index]
        if abs(x - self.view.x_of(placed.record_in)) <= EDGE_GRAB_PX:
            return "trim_in", index
        if abs(x - self.view.x_of(placed.record_out)) <= EDGE_GRAB_PX:
            return "trim_out", index
        return None

    def _cut_at(self, x: float) -> int:
        """The index of the shot before the cut under `x`, or -1."""
        if self._plan is None:
            return -1
        for index, placed in enumerate(self._plan.shots[:-1]):
            if abs(x - self.view.x_of(placed.record_out)) <= max(EDGE_GRAB_PX, 8):
                return index
        return -1

    # -- the pointer ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.session is None or event.button() != Qt.MouseButton.LeftButton:
            return
        x, y = event.position().x(), event.position().y()
        if y < RULER_HEIGHT and x >= HEADER_WIDTH:
            self._drag = _Drag("scrub", active=True)
            self.session.move_playhead(round(self.view.frame_at(x)))
            return
        row = row_at(y)
        if row is None or row.track != "video" or x < HEADER_WIDTH:
            return
        edge = self._edge_at(x)
        if edge is not None:
            self._drag = _Drag(edge[0], edge[1], x)
            return
        index = self.shot_at(x)
        if index < 0:
            self.session.select([])
            return
        self._select_on_click(index, event.modifiers())
        self._drag = _Drag("move", index, x)

    def _select_on_click(self, index: int, modifiers: Qt.KeyboardModifier) -> None:
        assert self.session is not None
        shots = self.session.service.project.timeline.shots
        shot_id = shots[index].id
        chosen = list(self.session.selected)
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            chosen = [s for s in chosen if s != shot_id] if shot_id in chosen else [*chosen, shot_id]
        elif modifiers & Qt.KeyboardModifier.ShiftModifier and chosen:
            anchor = self.session.index_of(chosen[0])
            low, high = sorted((anchor, index))
            chosen = [chosen[0], *(shots[i].id for i in range(low, high + 1) if shots[i].id != chosen[0])]
        elif shot_id not in chosen:
            chosen = [shot_id]
        self.session.select(chosen)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        x = event.position().x()
        drag = self._drag
        if drag is None:
            edge = self._edge_at(x) if row_at(event.position().y()) == row_of("video") else None
            self.setCursor(Qt.CursorShape.SizeHorCursor if edge else Qt.CursorShape.ArrowCursor)
            return
        if self.session is None:
            return
        if drag.kind == "scrub":
            self.session.move_playhead(round(self.view.frame_at(x)))
            return
        if not drag.active and abs(x - drag.start_x) < DRAG_START_PX:
            return
        drag.active = True
        targets = [*self._cut_points(), self.session.playhead]
        drag.frame = snapped(self.view.frame_at(x), targets, self.view.px_per_frame)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self._drag = self._drag, None
        if drag is None or self.session is None or not drag.active or drag.kind == "scrub":
            self.update()
            return
        if drag.kind == "move":
            self._finish_move(drag)
        else:
            self._finish_trim(drag)
        self.update()

    def _finish_move(self, drag: _Drag) -> None:
        assert self.session is not None
        destination = self._insertion_index(drag.frame)
        if destination > drag.shot_index:
            destination -= 1  # the shot leaves its old place first
        if destination != drag.shot_index:
            service = self.session.service
            self.session.edit("Move shot", lambda: service.move_shot(drag.shot_index, destination))

    def _finish_trim(self, drag: _Drag) -> None:
        """An edge dragged: the shot's take is trimmed; a shot without a take changes its length."""
        assert self.session is not None and self._plan is not None
        service = self.session.service
        index = drag.shot_index
        shot = service.project.timeline.shots[index]
        placed = self._plan.shots[index]
        has_take = service.project.selected_take(shot) is not None
        if drag.kind == "trim_out":
            change = drag.frame - placed.record_out
            if has_take:
                end = max(shot.trim_in + 1, min(shot.spec.duration, shot.source_end + change))
                self.session.edit("Trim shot", lambda: service.trim_shot(index, shot.trim_in, end))
            else:
                frames = max(1, shot.spec.duration + change)
                self.session.edit("Change duration", lambda: service.set_shot_duration(index, frames))
        elif has_take:
            start = max(0, min(shot.source_end - 1, shot.trim_in + drag.frame - placed.record_in))
            self.session.edit("Trim shot", lambda: service.trim_shot(index, start, shot.trim_out))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cut = self._cut_at(event.position().x())
        if cut >= 0 and row_at(event.position().y()) == row_of("video"):
            self.transition_edit_requested.emit(cut)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 ** steps, event.position().x())
        else:
            self.scroll_to(self.view.scroll_px - steps * 120)
            self.viewport_changed.emit()
        event.accept()

    def event(self, event) -> bool:  # noqa: D102 (tooltips: a shot's status and its reason)
        if event.type() == event.Type.ToolTip and self.session is not None:
            position = event.pos()
            index = self.shot_at(position.x()) if row_at(position.y()) == row_of("video") else -1
            if index >= 0:
                shot = self.session.service.project.timeline.shots[index]
                QToolTip.showText(event.globalPos(), f"{shot.spec.prompt}\n{self._statuses[index].text}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- files from the desktop, takes from the bin ---------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.session is not None and (event.mimeData().hasUrls() or dragged_take(event.mimeData())):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self._drop_frame = round(self.view.frame_at(event.position().x()))
        self.update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._drop_frame = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._drop_frame = None
        take = dragged_take(event.mimeData())
        if self.session is not None and take is not None:
            event.acceptProposedAction()
            self.drop_take(*take, event.position().toPoint())
            return
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if self.session is None or not paths:
            return
        event.acceptProposedAction()
        self.drop_files(paths, event.position().toPoint())

    def drop_files(self, paths: list[Path], at: QPoint) -> None:
        """Files dropped at `at`: on the music track they become music there, anywhere else
        shots inserted at that place, in the order given. Checking and copying them happen
        off the GUI thread; each file that cannot be used says why, and changes nothing."""
        assert self.session is not None
        session, service = self.session, self.session.service
        frame = max(0, round(self.view.frame_at(at.x())))
        row = row_at(at.y())
        music = row is not None and row.track == "music"
        prepare = prepare_sound if music else prepare_media
        index = self._insertion_index(frame)

        def prepare_all() -> list[tuple[Path, object]]:
            prepared: list[tuple[Path, object]] = []
            for path in paths:
                try:
                    prepared.append((path, prepare(service.media, path)))
                except FoundryError as exc:
                    prepared.append((path, exc))
            return prepared

        def add_all(prepared: list[tuple[Path, object]]) -> None:
            usable = [(path, item) for path, item in prepared if not isinstance(item, FoundryError)]
            for path, item in prepared:
                if isinstance(item, FoundryError):
                    session.error.emit(f"Cannot use {path.name}", str(item))
            if not usable:
                return

            def add() -> None:
                with service.group(f"Add {len(usable)} files" if len(usable) > 1 else f"Add {usable[0][0].name}"):
                    for offset, (_, item) in enumerate(usable):
                        if music:
                            add_prepared_music(service, item, at_seconds=frames_to_seconds(frame, service.format.frame_rate))
                        else:
                            add_prepared_shot(service, item, at=min(index + offset, len(service.project.timeline.shots)))

            session.edit("Add files", add)

        session.in_thread("Add files", prepare_all, add_all)

    def drop_take(self, shot_id: str, take_id: str, at: QPoint) -> None:
        """A take dropped at `at`: on its own shot it becomes the take shown there (as "Use this
        take" does); anywhere else on the shot track, a new shot showing it is inserted there,
        leaving the shot it was dropped on as it was."""
        assert self.session is not None
        session, service = self.session, self.session.service
        source = session.shot(shot_id)
        take = next((t for t in service.project.takes_of(shot_id) if t.id == take_id), None)
        if source is None or take is None:
            return  # the shot or take went away while it was dragged
        target = self.shot_at(at.x())
        if target >= 0 and service.project.timeline.shots[target].id == shot_id:
            session.edit("Use this take", lambda: service.select_take(target, take_id))
            return
        index = self._insertion_index(max(0, self.view.frame_at(at.x())))
        number = service.project.takes_of(shot_id).index(take) + 1
        label = f"{source.name or f'Shot {session.index_of(shot_id) + 1}'} take {number}"
        name = label + Path(take.media_path).suffix

        def added(prepared) -> None:
            session.edit("Add take", lambda: add_prepared_shot(
                service, prepared, at=min(index, len(service.project.timeline.shots))))

        session.in_thread("Add take", lambda: prepare_take(service.media, take, name), added)
