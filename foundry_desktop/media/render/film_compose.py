"""Composing the film: encode the segments not already cached, then join them.

Segments are encoded in worker processes, in parallel, so both cores work
and a codec that crashes takes down a worker, not the editor.

Smart render: every segment is kept in a cache folder under the key of what
decides its frames, so a render after a change encodes only the segments the
change touched and copies the rest. The join copies encoded packets (no
re-encode) and mixes and encodes the sound alongside, so the film has exactly
as many audio samples as its pictures last (frame n begins at sample
round(n * rate / fps), counted from the start, so rounding cannot pile up).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.render.audio_mix import AudioMixer, AudioPlacement
from foundry_desktop.media.render.film_segment import (
    SourceSpan,
    VideoSegment,
    open_span,
    render_segment,
)
from foundry_desktop.media.freed_memory import release_freed_memory
from foundry_desktop.media.render.loudness import Loudness, LoudnessMeter, normalising_gain_db
from foundry_desktop.media.probe import MediaInfo, probe_media
from foundry_desktop.media.encode.video_encoding import (
    ENCODER_THREADS,
    VideoFormat,
    is_hardware,
)
from foundry_desktop.media.encode.video_writer import VideoWriter
from foundry_desktop.media.worker_processes import WorkerPool, report_progress


@dataclass(frozen=True)
class FilmRecipe:
    """Everything the film is made of, with no reference to the project model."""

    video: VideoFormat
    audio_rate: int
    segments: tuple[VideoSegment, ...]
    audio: tuple[AudioPlacement, ...] = ()
    loudness_lufs: float | None = -14.0  # integrated target of the mix; None leaves it as mixed
    true_peak_dbtp: float = -1.0  # ceiling for the normalised mix
    container: str = "mp4"  # the film's muxer (see video_encoding.CONTAINERS)

    @property
    def frames(self) -> int:
        return sum(segment.frames for segment in self.segments)


@dataclass(frozen=True)
class ComposeProgress:
    fraction: float
    frames_done: int
    frames_total: int
    eta_s: float | None


@dataclass(frozen=True)
class ComposeReport:
    media: MediaInfo
    encoder: str
    segments_encoded: int
    segments_reused: int  # found in the cache
    segments_copied: int  # made by copying a take's pictures, not encoding them (see stream_copy)
    mix_loudness: Loudness | None  # as mixed, before normalising
    mix_gain_db: float


def first_sample_of_frame(frame_index: int, frame_rate: Fraction, audio_rate: int) -> int:
    """The audio sample at which film frame `frame_index` begins (rounded half up)."""
    exact = Fraction(frame_index * audio_rate) / Fraction(frame_rate)
    return int(exact + Fraction(1, 2))


class _Progress:
    """Counts encoded frames; reports at most every percent, so a GUI is not flooded."""

    def __init__(self, total: int, sink: Callable[[ComposeProgress], None] | None) -> None:
        self.total = max(1, total)
        self.done = 0
        self._sink = sink
        self._last = -1.0
        self._started = time.monotonic()

    def advance(self, frames: int = 1) -> None:
        self.done += frames
        fraction = min(1.0, self.done / self.total)
        if self._sink is None or (fraction - self._last < 0.01 and self.done < self.total):
            return
        self._last = fraction
        elapsed = time.monotonic() - self._started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        self._sink(ComposeProgress(fraction, min(self.done, self.total), self.total, eta))


def segment_path(cache: Path, key: str, fmt: VideoFormat) -> Path:
    return cache / key[:2] / f"{key}.{fmt.encoding.segment_container}"


def recipe_key(recipe: FilmRecipe) -> str:
    """Everything that decides the film's bytes, hashed: the same key, the same film."""
    described = repr((
        [segment.key(recipe.video) for segment in recipe.segments],
        recipe.audio, recipe.audio_rate, recipe.loudness_lufs, recipe.true_peak_dbtp, recipe.container,
    ))
    return hashlib.sha256(described.encode()).hexdigest()


def _check_sources(recipe: FilmRecipe) -> None:
    """Open every source once before encoding anything: a bad take fails at once, by name."""
    spans: dict[Path, SourceSpan] = {}
    for segment in recipe.segments:
        for span in (segment.source, segment.incoming):
            if span is not None:
                spans.setdefault(span.path, span)
    for span in spans.values():
        open_span(span, recipe.video).close()
    release_freed_memory()  # the decoders' buffers, while the workers encode


def compose_film(
    recipe: FilmRecipe,
    output: Path,
    segment_cache: Path,
    on_progress: Callable[[ComposeProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ComposeReport:
    """Render `recipe` to `output`, in the recipe's container (written whole or not at all)."""
    if not recipe.segments:
        raise MediaError("Nothing to render: the film has no frames.")
    if recipe.audio_rate <= 0:
        raise MediaError(f"An audio rate must be positive, not {recipe.audio_rate}.")
    _check_sources(recipe)
    fmt = recipe.video
    keys = [segment.key(fmt) for segment in recipe.segments]
    paths = [segment_path(segment_cache, key, fmt) for key in keys]
    missing = {key: (segment, path) for key, segment, path in zip(keys, recipe.segments, paths, strict=True)
               if not path.is_file()}
    # Encoding is the work; the join is counted as a tenth of a frame per frame.
    to_encode = sum(segment.frames for segment, _ in missing.values())
    progress = _Progress(to_encode + recipe.frames // 10, on_progress)

    _encode_segments(list(missing.values()), fmt, f"part of {output.name} in the render cache ({segment_cache})",
                     progress, cancel)
    for path in paths:
        os.utime(path)  # the cache keeps what was used last

    measured = _measure_mix(recipe) if recipe.audio and recipe.loudness_lufs is not None else None
    gain_db = 0.0 if measured is None else normalising_gain_db(measured, recipe.loudness_lufs, recipe.true_peak_dbtp)
    _join(recipe, paths, output, progress, cancel, gain_db)
    return ComposeReport(
        media=probe_media(output),
        encoder=fmt.encoding.encoder,
        segments_encoded=sum(not segment.copy for segment, _ in missing.values()),
        segments_reused=len(set(keys)) - len(missing),
        segments_copied=sum(segment.copy for segment, _ in missing.values()),
        mix_loudness=measured,
        mix_gain_db=gain_db,
    )


def _measure_mix(recipe: FilmRecipe) -> Loudness:
    """First pass over the sound: how loud the mix is, block by block."""
    total = first_sample_of_frame(recipe.frames, recipe.video.frame_rate, recipe.audio_rate)
    meter = LoudnessMeter(recipe.audio_rate)
    with AudioMixer(list(recipe.audio), recipe.audio_rate) as mixer:
        while mixer.position < total:
            meter.add(mixer.read(min(recipe.audio_rate, total - mixer.position)))
    return meter.result()


def _encode_segment_job(segment: VideoSegment, fmt: VideoFormat, path: Path, described_as: str) -> None:
    """Runs in a worker process."""
    frames_since_report = 0

    def on_frame() -> None:
        nonlocal frames_since_report
        frames_since_report += 1
        if frames_since_report == _PROGRESS_BATCH:
            report_progress(frames_since_report)
            frames_since_report = 0

    render_segment(segment, fmt, path, on_frame=on_frame, described_as=described_as)
    report_progress(frames_since_report)


def _encode_segments(
    missing: list[tuple[VideoSegment, Path]],
    fmt: VideoFormat,
    described_as: str,
    progress: _Progress,
    cancel: threading.Event | None,
) -> None:
    """Encode segments in parallel worker processes, longest first so the cores finish together."""
    if not missing:
        return
    for _, path in missing:
        path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(missing, key=lambda item: -item[0].frames)
    jobs = [((segment, fmt, path, described_as), segment.describe()) for segment, path in ordered]
    # A GPU encodes one film at full speed, and consumer cards allow only a few sessions at once.
    parallel = 1 if is_hardware(fmt.encoding.encoder) else None
    try:
        shared_worker_pool().run(_encode_segment_job, jobs, on_progress=progress.advance, cancel=cancel, parallel=parallel)
    except BaseException:
        # A killed worker leaves its unfinished file behind (finished ones are complete, and kept);
        # only this render's own: another process may be writing beside them.
        for _, path in missing:
            for partial in path.parent.glob(f".{path.stem}.*.partial"):
                partial.unlink(missing_ok=True)
        raise


_POOL: WorkerPool | None = None
_PROGRESS_BATCH = 4


def shared_worker_pool() -> WorkerPool:
    """The encoding workers of this process, started on first use and stopped at exit."""
    global _POOL
    if _POOL is None:
        # Each encoder has two threads of its own (ENCODER_THREADS): cores / 2 of them fill the machine.
        _POOL = WorkerPool(max(1, (os.cpu_count() or 1) // ENCODER_THREADS))
        atexit.register(_POOL.close)
    return _POOL


def _decoded_after(packet: av.Packet, last_dts: int | None) -> int:
    """Keep the packet's decoding time after the last one's, and return it. A segment of a
    frame or two has no B-frame delay, so the segment after it starts decoding before its
    own first frame, behind it; the muxer needs rising times (as ffmpeg's concat makes them)."""
    if last_dts is not None and packet.dts <= last_dts:
        packet.dts = last_dts + 1
    return packet.dts


def _join(
    recipe: FilmRecipe,
    paths: Sequence[Path],
    output: Path,
    progress: _Progress,
    cancel: threading.Event | None,
    gain_db: float,
) -> None:
    fmt = recipe.video
    gain = np.float32(10 ** (gain_db / 20))
    rate = recipe.audio_rate
    join_step = 10
    with av.open(str(paths[0])) as first:
        template = first.streams.video[0]
        extradata = template.codec_context.extradata
        with (
            VideoWriter.for_format(
                output,
                fmt,
                audio_rate=rate,
                container=recipe.container,
                faststart=True,
                copy_video_from=template,
            ) as writer,
            AudioMixer(list(recipe.audio), rate) as mixer,
        ):
            film_frame = 0
            last_dts = None
            for path, segment in zip(paths, recipe.segments, strict=True):
                with av.open(str(path)) as container:
                    stream = container.streams.video[0]
                    if stream.codec_context.extradata != extradata:
                        # Segments share one encoder setup; a stale cache entry from another must not slip in.
                        raise MediaError(f"The cached segment {path.name} was encoded differently; delete it and render again.")
                    offset = Fraction(film_frame) / fmt.frame_rate / stream.time_base
                    if offset.denominator != 1:
                        raise MediaError(f"The segment {path.name} has a time base that cannot hold its frames exactly.")
                    for packet in container.demux(stream):
                        if packet.size == 0:
                            continue  # the demuxer's end-of-stream marker
                        if cancel is not None and cancel.is_set():
                            raise MediaError("Render cancelled.")
                        packet.pts += int(offset)
                        packet.dts += int(offset)
                        last_dts = _decoded_after(packet, last_dts)
                        writer.add_video_packet(packet, frames=1)
                        # Sound up to the end of the pictures so far, so the muxer can interleave.
                        wanted = first_sample_of_frame(writer.frames_written, fmt.frame_rate, rate) - writer.samples_written
                        writer.add_audio(mixer.read(wanted) * gain)
                        if writer.frames_written % join_step == 0:
                            progress.advance()
                film_frame += segment.frames
                if writer.frames_written != film_frame:
                    raise MediaError(f"The segment {path.name} holds {writer.frames_written} frames, not {film_frame}.")
            wanted = first_sample_of_frame(film_frame, fmt.frame_rate, rate) - writer.samples_written
            writer.add_audio(mixer.read(wanted) * gain)
            writer.finish()
    progress.advance(progress.total - progress.done)
