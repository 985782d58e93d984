"""The timeline itself: a custom-painted widget that draws only what is on screen.

Three tracks under a timecode ruler and the scenes' bands (scene_bands.py): the shots,
the music bed and the captions (painted by painting.TimelinePainter, with filmstrips
from filmstrips.Filmstrips).
The pointer scrubs the ruler, selects shots (Ctrl and Shift add), drags a shot to a
new place (into empty time, if it fits there: empty_time.py), selects a gap, drags
a shot's edge to trim it (shot_trims.py: a readout by the pointer while dragging, Escape
cancels) with snapping to cuts, the playhead and markers, and double-clicks a cut to
edit its transition. Files dropped from the desktop become shots or music; a take
dragged from the takes bin is used on its own shot, or becomes a new shot elsewhere
(drops.py).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.domain.project import Take
from foundry_desktop.domain.status import ShotStatus
from foundry_desktop.ui.panels.media_bin import dragged_media
from foundry_desktop.ui.panels.take_drag import dragged_take
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.drops import (
    accept_as_copy,
    add_dropped_files,
    place_dropped_media,
    place_dropped_take,
)
from foundry_desktop.ui.timeline.empty_time import EmptyTime
from foundry_desktop.ui.timeline.filmstrips import Filmstrips
from foundry_desktop.ui.timeline.geometry import (
    CONTENT_HEIGHT,
    DRAG_START_PX,
    EDGE_GRAB_PX,
    HEADER_WIDTH,
    RULER_HEIGHT,
    Viewport,
    row_at,
    row_of,
    snapped,
)
from foundry_desktop.ui.timeline.painting import TimelinePainter, TimelineScene
from foundry_desktop.ui.timeline.scene_bands import SceneBands
from foundry_desktop.ui.timeline.shot_trims import finish_trim, paint_readout, planned_trim, trim_readout
from foundry_desktop.ui.timeline.track_gestures import TrackGestures


@dataclass
class _Drag:
    """A gesture in progress: what it started on and where the pointer is now."""

    kind: str  # "scrub", "move", "trim_in", "trim_out"
    shot_index: int = -1
    start_x: float = 0.0
    frame: int = 0  # the (snapped) frame the pointer points at
    active: bool = False  # past DRAG_START_PX (a press that never moves is a click)
    grab: int = 0  # a moved shot: how far into it the pointer took hold, in frames
    at: tuple[float, float] = (0.0, 0.0)  # where the pointer is now


class TimelineCanvas(QWidget):
    """Paints and edits the open project's timeline; see the module docstring."""

    transition_edit_requested = Signal(int)  # the index of the shot before the cut
    context_menu_requested = Signal(QPoint)  # a right click here: the window's menus (ui/editing) answer
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
        self._strips = Filmstrips(self)
        self._strips.ready.connect(self.update)
        self._progress: dict[str, float] = {}  # shot id -> generation progress
        self._drag: _Drag | None = None
        self._drop_frame: int | None = None  # where dropped files would land
        self.tracks = TrackGestures(self)  # the music and caption tracks under the pointer
        self.bands = SceneBands(self)  # the scenes' bands above the shots
        self.empty = EmptyTime()  # the selected gap; where a dragged shot would land in empty time
        self.fitted = False  # showing the whole film: kept so when the canvas is resized
        self.snapping = True  # drags and trims snap to cuts, the playhead and markers (N)

    # -- the project -------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        self.session = session
        self._strips.clear()
        self.tracks.waveforms.clear()
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
        self.bands.lay_out(self._plan)
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
        scene = None
        if self.session is not None and self._plan is not None:
            drag = self._drag
            moving = drag is not None and drag.active and drag.kind != "scrub"
            inserting = moving and not (drag.kind == "move" and self.empty.landing is not None)
            scene = TimelineScene(self.session, self._plan, self._starts, self._statuses, self._takes,
                                  self._progress, drag.frame if inserting else None, self._drop_frame, self.tracks)
        painter = QPainter(self)
        TimelinePainter(painter, self.width(), self.height(), self.view, self._strips).paint(scene)
        if scene is not None:
            dragged = drag.shot_index if moving and drag.kind == "move" else None
            self.empty.paint(painter, self.view, scene.plan, scene.session, dragged, self.width())
            self.bands.paint(painter, self.width())
            if moving and drag.kind != "move":
                paint_readout(painter, self.trim_readout(), *drag.at, self.width())

    def trim_readout(self) -> str:
        """What the readout by a dragged edge says ("+12 frames  ·  4.5 s"), or "" when no edge is dragged."""
        drag = self._drag
        if drag is None or not drag.active or drag.kind not in ("trim_in", "trim_out") or self._plan is None:
            return ""
        assert self.session is not None
        return trim_readout(self.session, planned_trim(self.session, self._plan, drag.kind, drag.shot_index, drag.frame))

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
        """The index of the shot before the cut under `x`, or -1 (a shot's end before empty time is no cut)."""
        if self._plan is None:
            return -1
        for index, placed in enumerate(self._plan.shots[:-1]):
            touching = self._plan.shots[index + 1].record_in == placed.record_out
            if touching and abs(x - self.view.x_of(placed.record_out)) <= max(EDGE_GRAB_PX, 8):
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
        if self.bands.press(x, y):
            return
        row = row_at(y)
        if row is not None and row.track != "video" and x >= HEADER_WIDTH:
            self.tracks.press(row.track, x, y, add=bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))
            return
        if row is None or row.track != "video" or x < HEADER_WIDTH:
            return
        edge = self._edge_at(x)
        if edge is not None:
            self._drag = _Drag(edge[0], edge[1], x)
            return
        index = self.shot_at(x)
        if index < 0:
            self.session.select([])
            if self._plan is not None:
                self.empty.click(self.session, self._plan, self.view.frame_at(x))
            self.update()
            return
        self.empty.gap_shot_id = None
        self._select_on_click(index, event.modifiers())
        assert self._plan is not None
        self._drag = _Drag("move", index, x, grab=round(self.view.frame_at(x)) - self._plan.shots[index].record_in)

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
        elif shot_id not in chosen or self.session.selected_scene:  # a scene's band chose them: now this shot
            chosen = [shot_id]
        self.session.select(chosen)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        x, y = event.position().x(), event.position().y()
        if self.tracks.move(x, y) or self.bands.move(x):
            return
        drag = self._drag
        if drag is None:
            edge = self._edge_at(x) if row_at(y) == row_of("video") else None
            over = self.tracks.hover(getattr(row_at(y), "track", None), x, y) if self.session else None
            self.setCursor(over or (Qt.CursorShape.SizeHorCursor if edge else Qt.CursorShape.ArrowCursor))
            return
        if self.session is None:
            return
        if drag.kind == "scrub":
            self.session.move_playhead(round(self.view.frame_at(x)))
            return
        if not drag.active and abs(x - drag.start_x) < DRAG_START_PX:
            return
        drag.active, drag.at = True, (x, y)
        markers = [marker.frame for marker in self.session.service.project.timeline.markers]
        targets = [*self._cut_points(), self.session.playhead, *markers] if self.snapping else []
        drag.frame = snapped(self.view.frame_at(x), targets, self.view.px_per_frame)
        if drag.kind == "move" and self._plan is not None:
            self.empty.follow_drag(self.session, self._plan, drag.shot_index, self.view.frame_at(x) - drag.grab,
                                   self.session.playhead, self.view.px_per_frame)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.tracks.release() or self.bands.release():
            return
        drag, self._drag = self._drag, None
        landing, self.empty.landing = self.empty.landing, None
        if drag is None or self.session is None or not drag.active or drag.kind == "scrub":
            self.update()
            return
        if drag.kind == "move" and landing is not None:
            service = self.session.service
            self.session.edit("Move shot", lambda: service.move_shot_to_frame(drag.shot_index, landing))
        elif drag.kind == "move":
            self._finish_move(drag)
        else:
            finish_trim(self.session, self._plan, drag.kind, drag.shot_index, drag.frame)
        self.update()

    def _finish_move(self, drag: _Drag) -> None:
        assert self.session is not None
        destination = self._insertion_index(drag.frame)
        if destination > drag.shot_index:
            destination -= 1  # the shot leaves its old place first
        if destination != drag.shot_index:
            service = self.session.service
            self.session.edit("Move shot", lambda: service.move_shot(drag.shot_index, destination))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self._drag is not None and self._drag.kind != "scrub":
            self._drag = None  # a drag let go of: the release that follows changes nothing
            self.empty.landing = None
            self.update()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.bands.double_click(event.position().x(), event.position().y()):
            return
        row = row_at(event.position().y())
        if row is not None and event.position().x() >= HEADER_WIDTH and \
                self.tracks.double_click(row.track, event.position().x(), event.position().y()):
            return
        cut = self._cut_at(event.position().x())
        if cut >= 0 and row_at(event.position().y()) == row_of("video"):
            self.transition_edit_requested.emit(cut)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        row = row_at(event.pos().y())
        if self.session is not None and self.tracks.context_menu(getattr(row, "track", None), event.pos().x(),
                                                                 event.pos().y(), event.globalPos()):
            return  # a music clip's or caption's own menu
        self.context_menu_requested.emit(event.pos())

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
            elif tip := (self.tracks.tooltip(getattr(row_at(position.y()), "track", None), position.x(), position.y())
                         or self.bands.tooltip(position.x(), position.y())):
                QToolTip.showText(event.globalPos(), tip, self)
            elif row_at(position.y()) == row_of("video") and self._plan is not None and (
                    gap := self.empty.describe(self.session, self._plan, self.view.frame_at(position.x()))):
                QToolTip.showText(event.globalPos(), gap, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- files from the desktop, takes from the bin ---------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        data = event.mimeData()
        if self.session is not None and (data.hasUrls() or dragged_take(data) or dragged_media(data)):
            accept_as_copy(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self._drop_frame = round(self.view.frame_at(event.position().x()))
        self.update()
        accept_as_copy(event)

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._drop_frame = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._drop_frame = None
        take = dragged_take(event.mimeData())
        if self.session is not None and take is not None:
            accept_as_copy(event)
            self.drop_take(*take, event.position().toPoint())
            return
        media = dragged_media(event.mimeData())
        if self.session is not None and media is not None:
            accept_as_copy(event)
            frame = max(0, round(self.view.frame_at(event.position().x())))
            place_dropped_media(self.session, media, frame=frame, index=self._insertion_index(frame))
            return
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if self.session is None or not paths:
            return
        accept_as_copy(event)
        self.drop_files(paths, event.position().toPoint())

    def drop_files(self, paths: list[Path], at: QPoint) -> None:
        """Files dropped at `at`: on the music track they become music there, anywhere else
        shots inserted at that place, in the order given (drops.add_dropped_files)."""
        assert self.session is not None
        frame = max(0, round(self.view.frame_at(at.x())))
        row = row_at(at.y())
        music = row is not None and row.track == "music"
        add_dropped_files(self.session, paths, music=music, frame=frame, index=self._insertion_index(frame))

    def drop_take(self, shot_id: str, take_id: str, at: QPoint) -> None:
        """A take dropped at `at`: on its own shot it becomes the take shown there, anywhere else
        on the shot track a new shot showing it is inserted there (drops.place_dropped_take)."""
        assert self.session is not None
        place_dropped_take(self.session, shot_id, take_id, onto=self.shot_at(at.x()),
                           index=self._insertion_index(max(0, self.view.frame_at(at.x()))))
