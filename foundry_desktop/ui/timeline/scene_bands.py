"""The scenes' bands, a strip between the ruler and the shots: one band per scene over its shots,
in the scene's colour, with its name. A click selects the scene (its shots, and the scene for the
inspector's scene editor); dragging a band left or right moves the scene, its shots with it, as
one undo step (ProjectService.move_scene), a line showing where it would go meanwhile. A scene
with no shots (they were all moved or deleted) is a small tag where the list places it, so it
can still be chosen, named, moved or removed.

The bands are worked out once per layout of the timeline (a walk of the shots), not per paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.ui import theme
from foundry_desktop.ui.timeline.geometry import (
    BANDS_TOP,
    DRAG_START_PX,
    HEADER_WIDTH,
    SCENE_BAND_HEIGHT,
    in_scene_bands,
)

if TYPE_CHECKING:
    from foundry_desktop.ui.timeline.canvas import TimelineCanvas

EMPTY_TAG_PX = 84  # an empty scene's tag: wide enough to read a short name


@dataclass(frozen=True)
class Band:
    scene_id: str
    name: str
    color: str
    first: int  # the film frame where its first shot starts (an empty scene: where it is listed)
    last: int  # where its last shot ends (an empty scene: the same frame)
    empty_place: int = -1  # an empty scene: its tag's place among those at the same frame; else -1

    @property
    def empty(self) -> bool:
        return self.empty_place >= 0

    @property
    def middle(self) -> float:
        return (self.first + self.last) / 2


@dataclass
class _BandDrag:
    band: Band
    start_x: float
    x: float
    active: bool = False


class SceneBands:
    """The canvas's scene bands: their layout, painting and gestures (see the module docstring)."""

    def __init__(self, canvas: TimelineCanvas) -> None:
        self.canvas = canvas
        self._bands: list[Band] = []
        self._empty: list[Band] = []  # the scenes with no shots, as tags
        self._drag: _BandDrag | None = None

    def lay_out(self, plan: CutPlan | None) -> None:
        """The timeline was laid out again (`plan`, the canvas's): place the bands over their shots."""
        session = self.canvas.session
        if plan is None or session is None:
            self._bands = []
            return
        timeline = session.service.project.timeline
        spans: dict[str, tuple[int, int]] = {}
        for shot, placed in zip(timeline.shots, plan.shots, strict=True):
            if shot.scene_id is not None:
                first = spans.get(shot.scene_id, (placed.record_in, 0))[0]
                spans[shot.scene_id] = (first, placed.record_out)
        self._bands, self._empty = [], []
        after, stacked = 0, 0  # where the scenes listed so far end; empty tags already there
        for number, scene in enumerate(timeline.scenes, 1):
            name = scene.name.strip() or f"Scene {number}"
            if scene.id in spans:
                self._bands.append(Band(scene.id, name, scene.color, *spans[scene.id]))
                after, stacked = spans[scene.id][1], 0
            else:
                self._empty.append(Band(scene.id, name, scene.color, after, after, stacked))
                stacked += 1

    def bands(self) -> list[Band]:
        """The scenes with shots, in film order, as the last layout placed them."""
        return self._bands

    def _tag_left(self, band: Band) -> float:
        return self.canvas.view.x_of(band.first) + band.empty_place * EMPTY_TAG_PX

    def band_at(self, x: float, y: float) -> Band | None:
        """The band, or empty scene's tag (drawn over the bands), under the pointer."""
        if not in_scene_bands(y) or x < HEADER_WIDTH:
            return None
        tag = next((band for band in self._empty if 0 <= x - self._tag_left(band) < EMPTY_TAG_PX), None)
        if tag is not None:
            return tag
        frame = self.canvas.view.frame_at(x)
        return next((band for band in self.bands() if band.first <= frame < band.last), None)

    # -- gestures ------------------------------------------------------------------

    def press(self, x: float, y: float) -> bool:
        """A press in the strip: on a band, it is chosen and may be dragged. True when the strip took it."""
        if not in_scene_bands(y) or x < HEADER_WIDTH or self.canvas.session is None:
            return False
        band = self.band_at(x, y)
        if band is not None:
            self.canvas.session.select_scene(band.scene_id)
            self._drag = _BandDrag(band, x, x)
        return True

    def move(self, x: float) -> bool:
        drag = self._drag
        if drag is None:
            return False
        drag.x = x
        drag.active = drag.active or abs(x - drag.start_x) >= DRAG_START_PX
        self.canvas.update()
        return True

    def release(self) -> bool:
        drag, self._drag = self._drag, None
        if drag is None:
            return False
        session = self.canvas.session
        if drag.active and session is not None:
            place = self._place_for(drag)
            if place is not None:
                service, scene_id = session.service, drag.band.scene_id
                session.edit("Move scene", lambda: service.move_scene(scene_id, place))
        self.canvas.update()
        return True

    def double_click(self, x: float, y: float) -> bool:
        band = self.band_at(x, y)
        if band is None or self.canvas.session is None:
            return in_scene_bands(y)
        self.canvas.session.select_scene(band.scene_id)
        return True

    def tooltip(self, x: float, y: float) -> str | None:
        band = self.band_at(x, y)
        if band is None or self.canvas.session is None:
            return None
        scene = next(s for s in self.canvas.session.service.project.timeline.scenes if s.id == band.scene_id)
        details = [part for part in (scene.location, scene.time_of_day) if part]
        lines = [band.name + (f" — {', '.join(details)}" if details else ""), scene.description]
        how = ("No shots yet: click to edit or remove it; drag to move it." if band.empty
               else "Click to select its shots; drag to move the scene.")
        return "\n".join([line for line in lines if line] + [how])

    def _place_for(self, drag: _BandDrag) -> int | None:
        """The scene's new place in the list (ProjectService.move_scene's to_index) for a drop at the
        pointer: before the first other band whose middle is after it, else after the last band;
        None when that is where it is."""
        frame = self.canvas.view.frame_at(drag.x)
        others = [band for band in self.bands() if band.scene_id != drag.band.scene_id]
        scenes = self.canvas.session.service.project.timeline.scenes  # type: ignore[union-attr]
        ids = [scene.id for scene in scenes if scene.id != drag.band.scene_id]
        before = next((band for band in others if frame < band.middle), None)
        if before is not None:
            place = ids.index(before.scene_id)
        elif others:
            place = ids.index(others[-1].scene_id) + 1
        else:
            return None
        current = [scene.id for scene in scenes].index(drag.band.scene_id)
        return None if place == current else place

    # -- painting ------------------------------------------------------------------

    def paint(self, painter: QPainter, width: int) -> None:
        view = self.canvas.view
        strip = QRectF(HEADER_WIDTH, BANDS_TOP, width - HEADER_WIDTH, SCENE_BAND_HEIGHT)
        painter.fillRect(strip, theme.BASE)
        metrics = QFontMetrics(painter.font())
        session = self.canvas.session
        chosen = session.selected_scene if session is not None else None
        first, last = view.visible_frames(width)
        for band in self.bands():
            if band.last < first or band.first > last:
                continue
            left, right = max(HEADER_WIDTH, view.x_of(band.first)), view.x_of(band.last)
            tags = sum(1 for tag in self._empty if tag.first == band.first)  # its name goes after them
            self._band(painter, metrics, band, QRectF(left + 1, BANDS_TOP + 1, max(2.0, right - left - 2),
                                                      SCENE_BAND_HEIGHT - 2), band.scene_id == chosen,
                       indent=tags * EMPTY_TAG_PX)
        for band in self._empty:
            left = self._tag_left(band)
            if HEADER_WIDTH <= left + EMPTY_TAG_PX and left <= width:
                box = QRectF(left + 1, BANDS_TOP + 3, EMPTY_TAG_PX - 2, SCENE_BAND_HEIGHT - 6)
                self._band(painter, metrics, band, box, band.scene_id == chosen, empty=True)
        self._dragged(painter, metrics)
        if session is not None and (x := view.x_of(session.playhead)) >= HEADER_WIDTH:
            painter.setPen(QPen(theme.ACCENT, 1.5))  # the playhead runs through the strip too
            painter.drawLine(QPointF(x, BANDS_TOP), QPointF(x, BANDS_TOP + SCENE_BAND_HEIGHT))
        painter.fillRect(QRectF(0, BANDS_TOP, HEADER_WIDTH, SCENE_BAND_HEIGHT), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        painter.drawText(QRectF(10, BANDS_TOP, HEADER_WIDTH - 12, SCENE_BAND_HEIGHT),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, "Scenes")

    @staticmethod
    def _band(painter: QPainter, metrics: QFontMetrics, band: Band, box: QRectF, chosen: bool,
              empty: bool = False, indent: float = 0) -> None:
        colour = QColor(band.color)
        fill = QColor(colour)
        fill.setAlpha(90 if empty else 255 if chosen else 170)
        if empty:
            painter.fillRect(box, theme.PANEL)  # a tag over a band hides the band beneath it
        painter.fillRect(box, fill)
        pen = QPen(theme.ACCENT if chosen else colour.lighter(130), 2 if chosen else 1)
        pen.setStyle(Qt.PenStyle.DashLine if empty else Qt.PenStyle.SolidLine)  # no shots: a tag, not a band
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        if box.width() - indent > 24:
            text_box = box.adjusted(6 + indent, 0, -4, 0)
            name = metrics.elidedText(band.name, Qt.TextElideMode.ElideRight, int(text_box.width()))
            painter.setPen(theme.TEXT if colour.lightness() < 150 else QColor("#111111"))
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)

    def _dragged(self, painter: QPainter, metrics: QFontMetrics) -> None:
        """The band being dragged, following the pointer, and a line where it would go."""
        drag = self._drag
        if drag is None or not drag.active:
            return
        view = self.canvas.view
        shift = drag.x - drag.start_x
        if drag.band.empty:
            left = self._tag_left(drag.band) + shift
            right = left + EMPTY_TAG_PX
        else:
            left, right = view.x_of(drag.band.first) + shift, view.x_of(drag.band.last) + shift
        painter.setOpacity(0.6)
        self._band(painter, metrics, drag.band, QRectF(left, BANDS_TOP + 1, max(2.0, right - left),
                                                       SCENE_BAND_HEIGHT - 2), True)
        painter.setOpacity(1.0)
        frame = view.frame_at(drag.x)
        others = [band for band in self.bands() if band.scene_id != drag.band.scene_id]
        before = next((band for band in others if frame < band.middle), None)
        edge = before.first if before is not None else others[-1].last if others else None
        if edge is not None:
            painter.setPen(QPen(theme.TEXT, 2, Qt.PenStyle.DashLine))
            x = view.x_of(edge)
            painter.drawLine(QPointF(x, BANDS_TOP - 2), QPointF(x, BANDS_TOP + SCENE_BAND_HEIGHT + 2))
