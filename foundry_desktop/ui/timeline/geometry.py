"""Where things are on the timeline: frames to pixels and back, the tracks' rows, the
ruler's ticks, and snapping. Plain arithmetic, so the canvas only paints and reacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

HEADER_WIDTH = 92  # the track names on the left
RULER_HEIGHT = 28
TRACK_GAP = 4
VIDEO_HEIGHT = 76
MUSIC_HEIGHT = 56  # room for two lanes of overlapping clips, each tall enough for its handles
CAPTION_HEIGHT = 26
SCENE_BAND_HEIGHT = 18  # the scenes' bands, between the ruler and the shots
BANDS_TOP = RULER_HEIGHT + TRACK_GAP // 2
EDGE_GRAB_PX = 6  # how near a shot's edge the pointer trims instead of moving
DRAG_START_PX = 5  # how far a press must move to be a drag (one that moves less is a click)
SNAP_PX = 8
MIN_PX_PER_FRAME = 0.02  # about 2 hours across a wide window at 24 fps
MAX_PX_PER_FRAME = 40.0  # single frames wide enough to click

TRACKS = ("video", "music", "captions")


@dataclass(frozen=True)
class Row:
    track: str
    top: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def contains(self, y: float) -> bool:
        return self.top <= y < self.bottom


_TRACKS_TOP = BANDS_TOP + SCENE_BAND_HEIGHT
ROWS = (
    Row("video", _TRACKS_TOP + TRACK_GAP // 2, VIDEO_HEIGHT),
    Row("music", _TRACKS_TOP + TRACK_GAP // 2 + TRACK_GAP + VIDEO_HEIGHT, MUSIC_HEIGHT),
    Row("captions", _TRACKS_TOP + TRACK_GAP // 2 + 2 * TRACK_GAP + VIDEO_HEIGHT + MUSIC_HEIGHT, CAPTION_HEIGHT),
)
CONTENT_HEIGHT = ROWS[-1].bottom + TRACK_GAP


def in_scene_bands(y: float) -> bool:
    return BANDS_TOP <= y < BANDS_TOP + SCENE_BAND_HEIGHT


def row_at(y: float) -> Row | None:
    return next((row for row in ROWS if row.contains(y)), None)


def row_of(track: str) -> Row:
    return next(row for row in ROWS if row.track == track)


MUSIC_LANES = 2  # overlapping music clips stack in lanes; a third overlap shares the last lane


def music_lanes(spans: list[tuple[int, int]]) -> list[int]:
    """The lane of each [start, end) span (given in order of start): the first lane whose clips
    have all ended by its start, so clips that overlap never share a lane while lanes last."""
    ends: list[int] = []
    lanes: list[int] = []
    for start, end in spans:
        lane = next((i for i, last in enumerate(ends) if last <= start), min(len(ends), MUSIC_LANES - 1))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = max(ends[lane], end) if lane == MUSIC_LANES - 1 else end
        lanes.append(lane)
    return lanes


def lane_span(lane: int, lanes: int) -> tuple[float, float]:
    """(top, height) of a music lane when the track shows `lanes` of them."""
    row = row_of("music")
    height = (row.height - 4) / max(1, lanes)
    return row.top + 2 + lane * height, height


@dataclass
class Viewport:
    """The visible stretch of the timeline: zoom (pixels per frame) and the first visible pixel."""

    px_per_frame: float = 2.0
    scroll_px: float = 0.0

    def x_of(self, frame: float) -> float:
        return HEADER_WIDTH + frame * self.px_per_frame - self.scroll_px

    def frame_at(self, x: float) -> float:
        return (x - HEADER_WIDTH + self.scroll_px) / self.px_per_frame

    def visible_frames(self, width: int) -> tuple[float, float]:
        return self.frame_at(HEADER_WIDTH), self.frame_at(width)

    def zoom_about(self, factor: float, x: float) -> None:
        """Zoom keeping the frame under `x` where it is (Ctrl+wheel under the pointer)."""
        anchor = self.frame_at(x)
        self.px_per_frame = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, self.px_per_frame * factor))
        self.scroll_px = max(0.0, anchor * self.px_per_frame - (x - HEADER_WIDTH))

    def fit(self, length: int, width: int) -> None:
        """The whole film across the view, with a little room after it."""
        room = max(1, width - HEADER_WIDTH - 24)
        self.px_per_frame = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, room / max(1, length)))
        self.scroll_px = 0.0


def label_left(left: float) -> float:
    """Where a clip's name is written from: its left edge, or the view's left edge once its start
    has scrolled off (as Resolve and Premiere keep it), so a clip wider than the view keeps its name."""
    return max(left, float(HEADER_WIDTH))


def tick_step(px_per_frame: float, rate: Fraction, min_px: float = 90.0) -> tuple[int, int]:
    """(major, minor) tick spacing in frames: the first major step at least `min_px` apart,
    in steps a timecode reads well at (frames, then seconds, then minutes). Steps within a second
    divide it (at 24 fps 12 frames, not 10), so each second's ticks start again at its frame 00."""
    fps = max(1, round(rate))
    candidates = [step for step in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30) if step < fps and fps % step == 0]
    candidates += [fps * s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)]
    candidates = sorted({c for c in candidates if c > 0})
    major = next((c for c in candidates if c * px_per_frame >= min_px), candidates[-1])
    minor = next((c for c in reversed(candidates) if c < major and major % c == 0 and c * px_per_frame >= 8), major)
    return major, minor


def snapped(frame: float, targets: list[int], px_per_frame: float) -> int:
    """`frame` pulled to the nearest target (a cut, the playhead) within SNAP_PX, else rounded."""
    best = min(targets, key=lambda target: abs(target - frame), default=None)
    if best is not None and abs(best - frame) * px_per_frame <= SNAP_PX:
        return best
    return round(frame)
