"""Painting the timeline: the tracks and their names, the shots (each with a filmstrip of its
selected take, its name, length and status), transitions across the cuts, the music and caption
tracks (track_painting), the timecode ruler with its markers, where a drag or a drop would land, and
the playhead.

Only what is on screen is drawn: the visible shots are found by bisecting their starts, so
a thousand shots cost what the dozen on screen cost.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen, QPolygonF

from foundry_desktop.app.exchange.conform_keys import film_timecode_at
from foundry_desktop.app.exchange.timecode_ticks import round_timecode_frames
from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.domain.project import Project, Take
from foundry_desktop.domain.status import ShotStatus
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.filmstrips import Filmstrips
from foundry_desktop.ui.timeline.geometry import (
    HEADER_WIDTH,
    ROWS,
    RULER_HEIGHT,
    Viewport,
    label_left,
    row_of,
    tick_step,
)
from foundry_desktop.ui.timeline.offline_mark import is_offline, paint_offline
from foundry_desktop.ui.timeline.track_painting import TrackPainter

if TYPE_CHECKING:
    from foundry_desktop.ui.timeline.track_gestures import TrackGestures

LABEL_HEIGHT = 17
MIN_DETAILED_PX = 28  # narrower shots are drawn as plain bars
LABEL_GAP = 3  # between a ruler label and its tick, the panel's edge or the next label


@dataclass(frozen=True)
class TimelineScene:
    """What one paint of the timeline shows."""

    session: ProjectSession
    plan: CutPlan
    starts: list[int]  # each shot's record_in, for bisecting
    statuses: list[ShotStatus]  # each shot's
    takes: list[Take | None]  # each shot's selected take
    progress: dict[str, float]  # shot id -> generation progress
    drag_frame: int | None  # where a shot or an edge being dragged would go
    drop_frame: int | None  # where dropped files would land
    tracks: TrackGestures | None = None  # the music clips and captions, as a drag in progress shows them

    @property
    def project(self) -> Project:
        return self.session.service.project


def ruler_label_places(ticks: list[tuple[float, str]], width_of: Callable[[str], float],
                       right: float) -> list[tuple[float, str]]:
    """Where each major tick's timecode is written: just right of its tick; the last one, where
    that would run past the right edge (it was cut off there), ends at the edge instead, or is
    left out when it would then overlap the label before it."""
    places: list[tuple[float, str]] = []
    previous_end = float("-inf")
    for x, text in ticks:
        left = min(x + LABEL_GAP, right - width_of(text) - LABEL_GAP)
        if left >= previous_end + LABEL_GAP:
            places.append((left, text))
            previous_end = left + width_of(text)
    return places


class TimelinePainter:
    """Paints a TimelineScene onto a widget of the given size, through the view's zoom and scroll."""

    def __init__(self, painter: QPainter, width: int, height: int, view: Viewport, strips: Filmstrips) -> None:
        self.painter, self.width, self.height, self.view, self.strips = painter, width, height, view, strips

    def paint(self, scene: TimelineScene | None) -> None:
        painter = self.painter
        painter.fillRect(QRectF(0, 0, self.width, self.height), theme.BASE)
        if scene is None:
            painter.setPen(theme.DIM_TEXT)
            painter.drawText(QRectF(0, 0, self.width, self.height), Qt.AlignmentFlag.AlignCenter, "No project open")
            return
        first, last = self.view.visible_frames(self.width)
        self._tracks()
        self._shots(scene, first, last)
        self._transitions(scene.plan, first, last)
        tracks = scene.tracks
        if tracks is not None:
            TrackPainter(self.painter, self.view, self.width, tracks.waveforms).paint(
                scene.session, scene.plan.length, tracks.music(), tracks.captions())
        self._ruler(scene, first, last)
        self._drag(scene)
        self._playhead(scene.session.playhead)
        self._headers()

    def _tracks(self) -> None:
        for row in ROWS:
            self.painter.fillRect(QRectF(HEADER_WIDTH, row.top, self.width - HEADER_WIDTH, row.height), theme.WINDOW)

    def _headers(self) -> None:
        painter = self.painter
        painter.fillRect(QRectF(0, 0, HEADER_WIDTH, self.height), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        for row, name in zip(ROWS, ("Shots", "Music", "Captions"), strict=True):
            painter.drawText(QRectF(10, row.top, HEADER_WIDTH - 12, row.height),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)

    @staticmethod
    def _visible_shots(starts: list[int], first: float, last: float) -> range:
        start = max(0, bisect.bisect_right(starts, first) - 1)
        stop = bisect.bisect_right(starts, last)
        return range(start, min(stop, len(starts)))

    def _shots(self, scene: TimelineScene, first: float, last: float) -> None:
        painter, project = self.painter, scene.project
        row = row_of("video")
        metrics = QFontMetrics(painter.font())
        selected_ids = set(scene.session.selected)
        for index in self._visible_shots(scene.starts, first, last):
            placed = scene.plan.shots[index]
            left, right = self.view.x_of(placed.record_in), self.view.x_of(placed.record_out)
            box = QRectF(left + 1, row.top, max(2.0, right - left - 2), row.height)
            selected = project.timeline.shots[index].id in selected_ids
            colour = theme.STATUS_COLOURS.get(scene.statuses[index].kind, theme.DIM_TEXT)
            if box.width() < MIN_DETAILED_PX:  # zoomed far out: a bar in the status colour says enough
                painter.fillRect(box, colour.darker(150) if not selected else theme.ACCENT)
                continue
            self._shot(scene, index, box, colour, metrics)
            painter.setPen(QPen(theme.ACCENT if selected else QColor("#3a3c41"), 2 if selected else 1))
            painter.drawRect(box)

    def _shot(self, scene: TimelineScene, index: int, box: QRectF, colour: QColor, metrics: QFontMetrics) -> None:
        """One shot wide enough for its details: filmstrip, label, length, status, progress."""
        painter, project = self.painter, scene.project
        shot, status, take = project.timeline.shots[index], scene.statuses[index], scene.takes[index]
        painter.fillRect(box, theme.PANEL)
        if is_offline(status, take):
            paint_offline(painter, box.adjusted(0, LABEL_HEIGHT, 0, 0))
        elif take is not None:
            self._strip(box.adjusted(0, LABEL_HEIGHT, 0, 0), take, scene.session)
        painter.fillRect(QRectF(box.left(), box.top(), box.width(), LABEL_HEIGHT), QColor("#2f3237"))
        painter.fillRect(QRectF(box.left(), box.top(), 4, LABEL_HEIGHT), colour)
        seconds = float(frames_to_seconds(shot.length, project.format.frame_rate))
        label = f"{index + 1}  {shot.name or shot.spec.prompt or 'Untitled'}"
        painter.setPen(theme.TEXT)
        left = label_left(box.left()) + 8
        text_box = QRectF(left, box.top(), max(0.0, box.right() - 4 - left), LABEL_HEIGHT)
        painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(0, int(text_box.width()) - 40)))
        painter.setPen(theme.DIM_TEXT)
        painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{seconds:.1f}s")
        if take is None and status.kind != "generating":
            painter.setPen(theme.DIM_TEXT)
            shown = QRectF(label_left(box.left()), box.top(), 0, box.height())  # centred in what is on screen
            shown.setRight(min(box.right(), float(self.width)))
            painter.drawText(shown.adjusted(6, LABEL_HEIGHT, -6, 0), Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(status.kind.capitalize(), Qt.TextElideMode.ElideRight,
                                                max(0, int(shown.width()) - 12)))
        if status.kind == "generating":
            fraction = scene.progress.get(shot.id, 0.0)
            painter.fillRect(QRectF(box.left(), box.bottom() - 4, box.width() * fraction, 4),
                             theme.STATUS_COLOURS["generating"])

    def _strip(self, area: QRectF, take: Take, session: ProjectSession) -> None:
        pictures = self.strips.pictures(take, session)
        if not pictures or area.width() < 4:
            return
        tile_width = area.height() * pictures[0].width() / max(1, pictures[0].height())
        count = max(1, int(area.width() // max(1.0, tile_width)) + 1)
        painter = self.painter
        painter.save()
        painter.setClipRect(area)
        for slot in range(count):
            picture = pictures[min(len(pictures) - 1, slot * len(pictures) // count)]
            painter.drawImage(QRectF(area.left() + slot * tile_width, area.top(), tile_width, area.height()), picture)
        painter.restore()

    def _transitions(self, plan: CutPlan, first: float, last: float) -> None:
        row = row_of("video")
        for transition in plan.transitions:
            if transition.record_in + transition.frames < first or transition.record_in > last:
                continue
            left = self.view.x_of(transition.record_in)
            right = self.view.x_of(transition.record_in + transition.frames)
            box = QRectF(left, row.top + LABEL_HEIGHT + 4, max(6.0, right - left), 14)
            self.painter.fillRect(box, QColor(224, 138, 46, 170))
            self.painter.setPen(QColor("#16171a"))
            self.painter.drawLine(box.topLeft(), box.bottomRight())
            self.painter.drawLine(box.bottomLeft(), box.topRight())

    def _ruler(self, scene: TimelineScene, first: float, last: float) -> None:
        painter = self.painter
        rate = scene.project.format.frame_rate
        painter.fillRect(QRectF(HEADER_WIDTH, 0, self.width - HEADER_WIDTH, RULER_HEIGHT), theme.PANEL)
        major, minor = tick_step(self.view.px_per_frame, rate)
        labels: list[tuple[float, str]] = []
        majors = set(round_timecode_frames(scene.project, first, last, major))  # round values of the film's timecode
        for frame in round_timecode_frames(scene.project, first, last, minor):
            x = self.view.x_of(frame)
            if frame in majors:
                painter.setPen(theme.DIM_TEXT)
                painter.drawLine(QPointF(x, RULER_HEIGHT - 12), QPointF(x, RULER_HEIGHT))
                labels.append((x, film_timecode_at(scene.project, frame)))  # from the film's start timecode
            else:
                painter.setPen(QColor("#4a4d53"))
                painter.drawLine(QPointF(x, RULER_HEIGHT - 5), QPointF(x, RULER_HEIGHT))
        painter.setPen(theme.DIM_TEXT)
        for x, text in ruler_label_places(labels, painter.fontMetrics().horizontalAdvance, self.width):
            painter.drawText(QPointF(x, 12), text)
        for marker in scene.project.timeline.markers:
            x = self.view.x_of(marker.frame)
            painter.setBrush(QColor(marker.color))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon(QPolygonF([QPointF(x - 5, RULER_HEIGHT - 10), QPointF(x + 5, RULER_HEIGHT - 10),
                                           QPointF(x, RULER_HEIGHT - 2)]))

    def _playhead(self, frame: int) -> None:
        x = self.view.x_of(frame)
        if x < HEADER_WIDTH:
            return
        self.painter.setPen(QPen(theme.ACCENT, 1.5))
        self.painter.drawLine(QPointF(x, 0), QPointF(x, self.height))
        self.painter.setBrush(theme.ACCENT)
        self.painter.drawPolygon(QPolygonF([QPointF(x - 6, 0), QPointF(x + 6, 0), QPointF(x, 8)]))

    def _drag(self, scene: TimelineScene) -> None:
        row = row_of("video")
        if scene.drag_frame is not None:
            x = self.view.x_of(scene.drag_frame)
            self.painter.setPen(QPen(theme.TEXT, 2, Qt.PenStyle.DashLine))
            self.painter.drawLine(QPointF(x, row.top - 2), QPointF(x, row.bottom + 2))
        if scene.drop_frame is not None:
            x = self.view.x_of(scene.drop_frame)
            self.painter.setPen(QPen(theme.ACCENT, 2))
            self.painter.drawLine(QPointF(x, RULER_HEIGHT), QPointF(x, self.height))
