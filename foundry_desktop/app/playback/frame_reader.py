"""Film frames for the preview, decoded from the takes themselves: one open decoder per
take, read forward while the film plays and reopened only on a jump.

A reader belongs to one thread (PyAV containers are not shared): the player's worker
thread. Each call says which film it reads, so after an edit the next call reads the new
cut; decoders of takes the edit left alone stay open, the rest are closed. A shot whose
take is missing (offline) or does not decode becomes a slate for its length: the film
plays on.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import av
import numpy as np

from foundry_desktop.app.playback.film_frames import FilmFrames, ShotSource
from foundry_desktop.app.render.caption_pixels import caption_look
from foundry_desktop.domain.captions.styles import word_spans
from foundry_desktop.domain.project import Caption
from foundry_desktop.errors import FoundryError, MediaError
from foundry_desktop.media.encode.video_writer import BT709, LIMITED_RANGE
from foundry_desktop.media.encode.yuv_picture import BLACK_YUV, yuv420p_frame
from foundry_desktop.media.render.caption_overlay import CaptionOverlay, CaptionPainter
from foundry_desktop.media.render.conform import ConformedVideo
from foundry_desktop.media.render.picture_blend import film_fade_frame, transition_frame

# Reading on through this many frames is cheaper than a seek (which decodes from the
# keyframe before the target anyway).
READ_ON_LIMIT = 48
# Decoders kept open: the takes around the playhead and a few played recently. A long film
# does not hold one open file and its decoded pictures per shot.
MAX_OPEN = 8
ENDLESS = 1 << 40


@dataclass(frozen=True)
class Slate:
    """A shot shown as a card instead of a picture, and why."""

    number: int
    reason: str  # "not generated", "offline", "cannot be read"

    @property
    def text(self) -> str:
        return f"Shot {self.number} · {self.reason}"


@dataclass(frozen=True)
class FilmFrame:
    """Film frame `frame`: an RGB picture (height × width × 3), or a slate."""

    frame: int
    picture: np.ndarray | None = None
    slate: Slate | None = None


def black_frame(width: int, height: int) -> av.VideoFrame:
    y, u, v = BLACK_YUV
    return yuv420p_frame(np.full((height, width), y, np.uint8), np.full((height // 2, width // 2), u, np.uint8),
                         np.full((height // 2, width // 2), v, np.uint8))


def caption_overlay(caption: Caption, height: int) -> CaptionOverlay | None:
    """A caption over the whole film (in film frames), sized for the preview's pictures;
    None where its font is gone (the render refuses it in words; the preview plays on)."""
    try:
        look = caption_look(caption.style, height)
    except FoundryError:
        return None
    starts = tuple(start for start, _ in word_spans(caption)) if look.highlight_color is not None else ()
    return CaptionOverlay(caption.text, look, caption.start, caption.end, starts)


class _OpenTake:
    """One take's decoder and the take frame it gives next."""

    def __init__(self, source: ShotSource, film: FilmFrames, start: int) -> None:
        assert source.path is not None
        self.video = ConformedVideo(source.path, start, film.frame_rate, film.width, film.height, source.fit)
        # One endless run from `start` (the last picture holds past the take's end), read lazily.
        self._pictures = self.video.frames(ENDLESS)
        self.next_frame = start
        self._last: av.VideoFrame | None = None  # take frame next_frame - 1

    def can_give(self, frame: int) -> bool:
        """Without a seek: the frame given last, or one a little further on."""
        held = self._last is not None and frame == self.next_frame - 1
        return held or self.next_frame <= frame < self.next_frame + READ_ON_LIMIT

    def picture(self, frame: int) -> av.VideoFrame:
        """Take frame `frame`: the last one given again, or one further on."""
        for _ in range(frame - self.next_frame + 1):
            self._last = next(self._pictures)
        self.next_frame = max(self.next_frame, frame + 1)
        assert self._last is not None
        return self._last


class FrameReader:
    def __init__(self) -> None:
        self._open: OrderedDict[tuple[str, str, str], _OpenTake] = OrderedDict()  # least recently used first
        self._unusable: dict[tuple[str, str, str], str] = {}  # decoder key: why it is a slate
        self._film: FilmFrames | None = None
        self._captions: CaptionPainter | None = None  # keeps drawn captions while the size stays
        self._overlays: tuple[CaptionOverlay, ...] = ()  # the film's captions, in film frames

    def read(self, film: FilmFrames, frame: int) -> FilmFrame:
        """Film frame `frame` of `film` (clamped into the film)."""
        if film is not self._film:
            self._adopt(film)
        frame = film.clamp(frame)
        piece = film.piece_at(frame)
        offset = frame - piece.record_in
        if piece.blend == "gap":  # empty time on the timeline: black, as the render makes it
            shown: av.VideoFrame | Slate = black_frame(film.width, film.height)
        else:
            shown = self._take_frame(film, film.sources[piece.shot], piece.source_in + offset)
        if piece.blend in ("from_black", "to_black") and not isinstance(shown, Slate):
            shown = film_fade_frame(piece.blend, shown, offset, piece.frames)
        elif piece.incoming_source_in is not None:
            incoming = self._take_frame(film, film.sources[piece.shot + 1], piece.incoming_source_in + offset)
            if isinstance(shown, Slate) or isinstance(incoming, Slate):
                # No picture to blend with: each side's own until the cut.
                shown = shown if offset < piece.frames // 2 else incoming
            else:
                shown = transition_frame(piece.blend, shown, incoming, offset, piece.frames)
        if isinstance(shown, Slate):
            return FilmFrame(frame, slate=shown)
        if self._overlays:
            try:
                shown = self._captions_for(film).apply(shown, self._overlays, frame)
            except MediaError:
                pass  # a caption font that cannot be read: the render says so; the preview plays on
        rgb = shown.reformat(format="rgb24", src_colorspace=BT709, src_color_range=LIMITED_RANGE)
        # Rows without padding, as a QImage made from the array reads them.
        return FilmFrame(frame, picture=np.ascontiguousarray(rgb.to_ndarray()))

    def _captions_for(self, film: FilmFrames) -> CaptionPainter:
        if self._captions is None or (self._captions.width, self._captions.height) != (film.width, film.height):
            self._captions = CaptionPainter(film.width, film.height)
        return self._captions

    def _adopt(self, film: FilmFrames) -> None:
        """Keep the decoders the new cut still uses; a take that was offline may be back."""
        keys = {source.key for source in film.sources}
        for key in [key for key in self._open if key not in keys]:
            self._open.pop(key).video.close()
        self._unusable.clear()
        self._film = film
        self._overlays = tuple(
            overlay for overlay in (caption_overlay(caption, film.height) for caption in film.captions) if overlay
        )

    def _take_frame(self, film: FilmFrames, source: ShotSource, frame: int) -> av.VideoFrame | Slate:
        key = source.key
        if key is None:
            return Slate(source.number, "not generated")
        if key in self._unusable:
            return Slate(source.number, self._unusable[key])
        opened = self._open.get(key)
        try:
            if opened is None or not opened.can_give(frame):
                if opened is not None:
                    opened.video.close()
                    del self._open[key]
                if not source.path.is_file():
                    self._unusable[key] = "offline"
                    return Slate(source.number, "offline")
                opened = self._open[key] = _OpenTake(source, film, frame)
                if len(self._open) > MAX_OPEN:
                    self._open.popitem(last=False)[1].video.close()
            self._open.move_to_end(key)
            return opened.picture(frame)
        except MediaError:
            self._unusable[key] = "cannot be read"
            broken = self._open.pop(key, None)
            if broken is not None:
                broken.video.close()
            return Slate(source.number, "cannot be read")

    def close(self) -> None:
        for opened in self._open.values():
            opened.video.close()
        self._open.clear()
