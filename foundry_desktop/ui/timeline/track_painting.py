"""Painting the music and caption tracks: where each clip and caption is drawn (also where the
pointer finds it: music_boxes, caption_boxes), a music clip's sound outline, fades and gain
line, and a caption's text. Overlapping music clips stack in lanes (geometry.music_lanes).

A clip's outline is scaled by its gain, so the rubber band and the picture agree; the fades
are shaded corners with a handle at each one's end, as in Resolve and Premiere.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen, QPolygonF

from foundry_desktop.domain.project import AudioClip, Caption
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.geometry import Viewport, label_left, lane_span, music_lanes, row_of
from foundry_desktop.ui.timeline.offline_mark import paint_offline
from foundry_desktop.ui.timeline.waveforms import Waveforms

GAIN_TOP_DB = 12.0  # the rubber band's range: the top and bottom of a clip
GAIN_BOTTOM_DB = -36.0
HANDLE_PX = 7  # a fade handle's size
CLIP_COLOUR = QColor("#2e5a46")
OUTLINE_COLOUR = QColor("#6fbf95")
CAPTION_COLOUR = QColor("#3b3f6b")
GAIN_COLOUR = QColor("#f2d24b")


def clip_end(clip: AudioClip, film_length: int) -> int:
    """Where a clip stops: its own end, or the film's when it loops (at least once through)."""
    body = clip.source_out - clip.source_in
    return max(film_length, clip.start + body) if clip.loop else clip.start + body


def music_boxes(view: Viewport, clips: list[AudioClip], film_length: int) -> list[tuple[AudioClip, QRectF]]:
    """Each clip with the box it is drawn in, in its lane."""
    spans = [(clip.start, clip_end(clip, film_length)) for clip in clips]
    lanes = music_lanes(spans)
    count = max(lanes, default=0) + 1
    boxes = []
    for clip, (start, end), lane in zip(clips, spans, lanes, strict=True):
        top, height = lane_span(lane, count)
        left = view.x_of(start)
        boxes.append((clip, QRectF(left, top, max(2.0, view.x_of(end) - left), height - 1)))
    return boxes


def caption_boxes(view: Viewport, captions: list[Caption]) -> list[tuple[Caption, QRectF]]:
    row = row_of("captions")
    return [(caption, QRectF(view.x_of(caption.start), row.top + 2,
                             max(2.0, (caption.end - caption.start) * view.px_per_frame), row.height - 4))
            for caption in captions]


def gain_y(box: QRectF, gain_db: float) -> float:
    fraction = (GAIN_TOP_DB - min(GAIN_TOP_DB, max(GAIN_BOTTOM_DB, gain_db))) / (GAIN_TOP_DB - GAIN_BOTTOM_DB)
    return box.top() + fraction * box.height()


def gain_at(box: QRectF, y: float) -> float:
    """The gain (dB, to a tenth) the rubber band means at height `y` in the clip."""
    fraction = min(1.0, max(0.0, (y - box.top()) / max(1.0, box.height())))
    return round(GAIN_TOP_DB - fraction * (GAIN_TOP_DB - GAIN_BOTTOM_DB), 1)


class TrackPainter:
    """Paints the music clips and captions given (with any drag in progress already applied)."""

    def __init__(self, painter: QPainter, view: Viewport, width: int, waveforms: Waveforms) -> None:
        self.painter, self.view, self.width, self.waveforms = painter, view, width, waveforms

    def paint(self, session: ProjectSession, film_length: int, music: list[AudioClip], captions: list[Caption]) -> None:
        selected_music, selected_captions = set(session.selected_music), set(session.selected_captions)
        self._rate = session.service.format.frame_rate
        metrics = QFontMetrics(self.painter.font())
        boxes = music_boxes(self.view, music, film_length)
        if max((box.top() for _, box in boxes), default=0) > row_of("music").top + 3:  # a second lane is shown
            self.painter.setPen(QColor("#3a3c41"))
            middle = lane_span(1, 2)[0] - 0.5
            self.painter.drawLine(QPointF(self.view.x_of(0), middle), QPointF(self.width, middle))
        for clip, box in boxes:
            if box.right() >= 0 and box.left() <= self.width:
                self._clip(session, clip, box, clip.id in selected_music, metrics)
        for caption, box in caption_boxes(self.view, captions):
            if box.right() >= 0 and box.left() <= self.width:
                self._caption(caption, box, caption.id in selected_captions, metrics)

    def _clip(self, session: ProjectSession, clip: AudioClip, box: QRectF, selected: bool, metrics: QFontMetrics) -> None:
        painter = self.painter
        painter.fillRect(box, CLIP_COLOUR if not selected else CLIP_COLOUR.lighter(125))
        peaks = self.waveforms.peaks(clip, session)
        if peaks is not None:
            self._outline(clip, box, peaks)
        if clip.loop:  # a faint line where each repeat begins
            painter.setPen(QPen(QColor(255, 255, 255, 70), 1, Qt.PenStyle.DashLine))
            step = (clip.source_out - clip.source_in) * self.view.px_per_frame
            x = box.left() + step * max(1, math.ceil(-box.left() / step)) if step >= 4 else box.right()
            while x < min(box.right(), self.width):  # from the first repeat on screen
                painter.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()))
                x += step
        if clip.media_path in session.offline:
            paint_offline(painter, box)
        self._fades(clip, box)
        y = gain_y(box, clip.gain_db)
        painter.setPen(QPen(GAIN_COLOUR, 1.5))
        painter.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        label = clip.name + ("  (loops)" if clip.loop else "") + (f"  {clip.gain_db:+.1f} dB" if clip.gain_db else "")
        left = label_left(box.left()) + 4
        label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(0, int(box.right() - left) - 8))
        if label:  # low in the clip, clear of the gain line and the fade handles, on a shade to stay legible
            text_box = QRectF(left, box.bottom() - metrics.height() - 1, metrics.horizontalAdvance(label) + 6,
                              metrics.height())
            painter.fillRect(text_box, QColor(0, 0, 0, 110))
            painter.setPen(theme.TEXT)
            painter.drawText(text_box.adjusted(3, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, label)
        painter.setPen(QPen(theme.ACCENT if selected else QColor("#1d3b2d"), 2 if selected else 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)

    def _outline(self, clip: AudioClip, box: QRectF, peaks) -> None:
        """The sound, one vertical line a pixel column: the min..max of the buckets under it."""
        left, right = max(box.left(), 0.0), min(box.right(), float(self.width))
        columns = int(right - left)
        if columns < 2 or not len(peaks.maxima):
            return
        rate = float(self._rate)
        frames = (np.arange(columns + 1) + left - box.left()) / self.view.px_per_frame  # into the clip
        body = clip.source_out - clip.source_in
        if clip.loop:
            frames = np.mod(frames, body)
        buckets = ((clip.source_in + frames) / rate * peaks.buckets_per_second).astype(np.int64)
        buckets = np.clip(buckets, 0, len(peaks.maxima) - 1)
        # Each column's buckets run from its own first to the next column's (reduceat takes a
        # column whose next starts no later, at a loop's wrap or zoomed in, as its one bucket);
        # the last column's run is cut off where the next would start, not at the file's end.
        starts = buckets[:-1]
        highs = np.maximum.reduceat(peaks.maxima, starts)
        lows = np.minimum.reduceat(peaks.minima, starts)
        last = slice(starts[-1], max(buckets[-1], starts[-1] + 1))
        highs[-1], lows[-1] = peaks.maxima[last].max(), peaks.minima[last].min()
        level = min(4.0, 10 ** (clip.gain_db / 20))
        middle, half = box.center().y(), box.height() / 2 - 2
        highs = middle - np.clip(highs * level, -1, 1) * half
        lows = middle - np.clip(lows * level, -1, 1) * half
        self.painter.setPen(QPen(OUTLINE_COLOUR, 1))
        self.painter.drawLines([QLineF(left + i + 0.5, highs[i], left + i + 0.5, lows[i] + 0.5) for i in range(columns)])

    def _fades(self, clip: AudioClip, box: QRectF) -> None:
        painter = self.painter
        shade = QColor(0, 0, 0, 120)
        fade_in = box.left() + clip.fade_in * self.view.px_per_frame
        fade_out = box.right() - clip.fade_out * self.view.px_per_frame
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        if clip.fade_in:
            painter.drawPolygon(QPolygonF([box.topLeft(), QPointF(fade_in, box.top()), box.bottomLeft()]))
        if clip.fade_out:
            painter.drawPolygon(QPolygonF([QPointF(fade_out, box.top()), box.topRight(), box.bottomRight()]))
        painter.setBrush(theme.TEXT)
        for x in (fade_in, fade_out):
            painter.drawRect(QRectF(min(max(x - HANDLE_PX / 2, box.left()), box.right() - HANDLE_PX), box.top(),
                                    HANDLE_PX, HANDLE_PX))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _caption(self, caption: Caption, box: QRectF, selected: bool, metrics: QFontMetrics) -> None:
        painter = self.painter
        painter.fillRect(box, CAPTION_COLOUR if not selected else CAPTION_COLOUR.lighter(140))
        painter.setPen(theme.TEXT)
        text_box = QRectF(label_left(box.left()) + 4, box.top(), 0, box.height())
        text_box.setRight(box.right() - 2)
        painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(caption.text, Qt.TextElideMode.ElideRight, max(0, int(text_box.width()))))
        if selected:
            painter.setPen(QPen(theme.ACCENT, 2))
            painter.drawRect(box)
