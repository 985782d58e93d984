"""Rendering the timeline into one film: the cut plan turned into a recipe for the composer.

The cut comes from domain.cut_plan (the same rule the preview and the exports
use); this module only says which file and which frames each piece shows and
where each take's sound plays, then hands that to media.film_compose.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial
from pathlib import Path

from foundry_desktop.app.render.caption_pixels import caption_look
from foundry_desktop.app.events import Notice, RenderProgress
from foundry_desktop.app.render.output_presets import (
    OutputFormat,
    RenderSettings,
    output_format,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.captions.styles import word_spans
from foundry_desktop.domain.cut_plan import CutPlan, FilmPiece
from foundry_desktop.domain.project import Caption, ProjectFormat, Take
from foundry_desktop.errors import MediaError, TimelineNotReadyError
from foundry_desktop.interchange.subtitles import write_subtitles
from foundry_desktop.media.render.audio_mix import AudioPlacement
from foundry_desktop.media.cache_pruning import prune_cache
from foundry_desktop.media.render.caption_overlay import CaptionOverlay
from foundry_desktop.media.render.film_compose import (
    ComposeProgress,
    ComposeReport,
    FilmRecipe,
    compose_film,
    first_sample_of_frame,
    recipe_key,
    segment_path,
)
from foundry_desktop.media.render.film_segment import SourceSpan, VideoSegment
from foundry_desktop.media.probe import probe_media, probe_source
from foundry_desktop.media.render.stream_copy import (
    CopyableTake,
    copyable_take,
    split_for_copy,
)
from foundry_desktop.media.encode.video_encoding import VideoEncoding, VideoFormat

SEGMENT_CACHE = "renders/segments"
# Beyond this, the segments used longest ago are deleted (never the current film's).
SEGMENT_CACHE_BUDGET = 4 * 1024**3
PREVIEW_FOLDER = "renders/previews"
PREVIEW_HEIGHT = 360
PREVIEWS_KEPT = 3  # the player may still show an earlier one
# Plain stretches of a shot are encoded in pieces this long (whole keyframe intervals).
CHUNK_SECONDS = 10


@dataclass(frozen=True)
class FilmRender:
    report: ComposeReport
    plan: CutPlan
    subtitles: tuple[Path, ...] = ()  # SRT and WebVTT beside the film, when it has captions


def _selected_takes(service: ProjectService) -> list[Take]:
    shots = service.project.timeline.shots
    if not shots:
        raise TimelineNotReadyError("Nothing to render: the timeline has no shots.")
    takes = []
    for index, (shot, status) in enumerate(zip(shots, service.statuses(), strict=True)):
        take = service.project.selected_take(shot)
        if take is None or status.kind == "missing":
            raise TimelineNotReadyError(
                f"Shot {index + 1} has no take to render ({', '.join(status.reasons)}); generate it first."
            )
        if status.kind != "current":
            service.events.emit(Notice(f"Shot {index + 1} is {status.text}; rendering its current take."))
        takes.append(take)
    return takes


def film_recipe(
    service: ProjectService, output: OutputFormat, loudness_lufs: float | None = -14.0, true_peak_dbtp: float = -1.0
) -> tuple[FilmRecipe, CutPlan]:
    project = service.project
    video = output.video
    shots = project.timeline.shots
    takes = _selected_takes(service)
    plan = service.cut_plan()
    paths = [service.media.path_of(take.media_path) for take in takes]

    def span(shot_index: int, source_in: int) -> SourceSpan:
        take = takes[shot_index]
        return SourceSpan(paths[shot_index], take.content_hash, source_in, shots[shot_index].fit, f"Shot {shot_index + 1}")

    captions = _caption_overlays(project.timeline.captions, video.height)

    copyable: dict[int, CopyableTake | None] = {}

    def segments_of(piece: FilmPiece) -> list[VideoSegment]:
        incoming = None if piece.incoming_source_in is None else span(piece.shot + 1, piece.incoming_source_in)
        overlays = tuple(o for o in (placed(piece.record_in, piece.frames) for placed in captions) if o is not None)
        if piece.blend == "gap":
            return [VideoSegment(piece.frames, None, captions=overlays)]
        if piece.blend != "none" or overlays:
            return [VideoSegment(piece.frames, span(piece.shot, piece.source_in), piece.blend, incoming, overlays)]
        # Plain pictures: copied where the take is already what the encoder would write.
        if piece.shot not in copyable:
            copyable[piece.shot] = copyable_take(paths[piece.shot], video)
        runs = split_for_copy(copyable[piece.shot], piece.source_in, piece.frames)
        return [VideoSegment(frames, span(piece.shot, first), copy=copy) for first, frames, copy in runs]

    chunk = max(1, round(CHUNK_SECONDS * video.frame_rate))
    segments = tuple(
        segment
        for piece in plan.pieces()
        if piece.frames > 0
        for part in _chunked(piece, chunk)
        for segment in segments_of(part)
    )
    sample = partial(first_sample_of_frame, frame_rate=video.frame_rate, audio_rate=output.audio_rate)
    audio = (*take_sound(service, plan, _sounding_take(paths), sample), *_music(service, plan, sample))
    recipe = FilmRecipe(video, output.audio_rate, segments, audio, loudness_lufs, true_peak_dbtp, output.container)
    return recipe, plan


def _chunked(piece: FilmPiece, chunk: int) -> list[FilmPiece]:
    """A shot playing plain, cut where its take's frame number is a multiple of `chunk`.

    Long shots become several segments, so both cores work on them and a change
    to a shot's trim re-encodes only the chunks at its ends (the cuts fall at the
    same take frames whatever the trim)."""
    if piece.blend != "none":
        return [piece]
    parts = []
    source, end = piece.source_in, piece.source_in + piece.frames
    while source < end:
        boundary = min(end, (source // chunk + 1) * chunk)
        record_in = piece.record_in + source - piece.source_in
        parts.append(replace(piece, record_in=record_in, frames=boundary - source, source_in=source))
        source = boundary
    return parts


def _caption_overlays(captions: list[Caption], frame_height: int):
    """For each caption, a function that places it over the segment at film frame
    `start`, `frames` long (None where it does not show there).

    Times are clipped to the segment, so a segment's cache key changes only when
    what shows in it changes."""

    def placer(caption: Caption):
        look = caption_look(caption.style, frame_height)
        starts = [start for start, _ in word_spans(caption)] if look.highlight_color is not None else []

        def placed(start: int, frames: int) -> CaptionOverlay | None:
            if caption.end <= start or caption.start >= start + frames:
                return None

            def clip(frame: int) -> int:
                return min(frames, max(0, frame - start))

            return CaptionOverlay(caption.text, look, clip(caption.start), clip(caption.end),
                                  tuple(clip(word) for word in starts))

        return placed

    return [placer(caption) for caption in captions]


def _music(service: ProjectService, plan: CutPlan, sample: Callable[[int], int]):
    """The music track: each clip from its start, looped if asked, cut off where the film ends."""
    fmt = service.format
    media = service.media

    for clip in service.project.timeline.music:
        if clip.start >= plan.length:
            continue
        body = clip.source_out - clip.source_in
        end = plan.length if clip.loop else min(plan.length, clip.start + body)
        yield AudioPlacement(
            path=media.path_of(clip.media_path),
            start_sample=sample(clip.start),
            samples=sample(end) - sample(clip.start),
            source_start=Fraction(clip.source_in) / fmt.frame_rate,
            gain_db=clip.gain_db,
            fade_in=sample(clip.start + clip.fade_in) - sample(clip.start),
            fade_out=sample(end) - sample(max(clip.start, end - clip.fade_out)),
            label=f"Music {clip.name}".strip(),
            loop_samples=sample(clip.start + body) - sample(clip.start) if clip.loop else None,
        )


def take_sound(service: ProjectService, plan: CutPlan, sounding: Callable[[int], Path | None],
               sample: Callable[[int], int]):
    """Each shot's own sound, over the shot and the transitions at its ends, crossfading there.
    `sounding(index)` is the file whose sound shot `index` plays, or None where it is silent
    (the render and the preview decide differently what a take without usable sound means)."""
    shots = service.project.timeline.shots
    fmt = service.format
    incoming = {t.outgoing + 1: t for t in plan.transitions}
    outgoing = {t.outgoing: t for t in plan.transitions}
    last = len(plan.shots) - 1

    for placed in plan.shots:
        shot = shots[placed.index]
        path = None if shot.audio_muted else sounding(placed.index)
        if path is None:
            continue
        into, out_of = incoming.get(placed.index), outgoing.get(placed.index)
        start = into.record_in if into else placed.record_in
        end = out_of.record_out if out_of else placed.record_out
        fade_in = into.frames if into else (plan.fade_in if placed.index == 0 else 0)
        fade_out = out_of.frames if out_of else (plan.fade_out if placed.index == last else 0)
        source_frame = placed.source_in - (placed.record_in - start)
        yield AudioPlacement(
            path=path,
            start_sample=sample(start),
            samples=sample(end) - sample(start),
            source_start=Fraction(source_frame) / fmt.frame_rate,
            gain_db=shot.audio_gain_db,
            fade_in=sample(start + fade_in) - sample(start),
            fade_out=sample(end) - sample(end - fade_out),
            label=f"Shot {placed.index + 1}",
        )


def _sounding_take(paths: list[Path]) -> Callable[[int], Path | None]:
    """The render's answer: a take with sound plays it; one that cannot be read stops the render."""

    def sounding(index: int) -> Path | None:
        try:
            return paths[index] if probe_source(paths[index]).has_audio else None
        except MediaError as exc:
            raise MediaError(f"Shot {index + 1}: {exc}") from None

    return sounding


def render_film(
    service: ProjectService,
    output: Path,
    *,
    cancel: threading.Event | None = None,
    on_progress: Callable[[ComposeProgress], None] | None = None,
    loudness_lufs: float | None = -14.0,
    true_peak_dbtp: float = -1.0,
    settings: RenderSettings = RenderSettings(),
) -> FilmRender:
    """Render to `output` (written whole or not at all) as `settings` say. Safe to call
    from a worker thread.

    The mix is normalised to `loudness_lufs` integrated (None: left as mixed),
    its true peak kept under `true_peak_dbtp`."""
    output = Path(output)
    recipe, plan = film_recipe(service, output_format(service.format, output, settings), loudness_lufs, true_peak_dbtp)
    report = _compose(service, recipe, plan, output, cancel, on_progress)
    subtitles = write_subtitles(output, service.project.timeline.captions, service.format.frame_rate, plan.length)
    return FilmRender(report, plan, subtitles)


def preview_format(fmt: ProjectFormat) -> OutputFormat:
    """Small, quick and easy to scrub: at most PREVIEW_HEIGHT lines, a keyframe every
    second, always H.264 (every player plays it; Qt's plays no AV1)."""
    height = min(fmt.height, PREVIEW_HEIGHT)
    width = max(2, round(fmt.width * height / fmt.height / 2) * 2)
    video = VideoFormat(width, height, fmt.frame_rate, VideoEncoding("libx264", crf=26), keyframe_interval_s=1.0)
    return OutputFormat(video, "mp4", fmt.audio_rate)


def render_preview(
    service: ProjectService,
    *,
    cancel: threading.Event | None = None,
    on_progress: Callable[[ComposeProgress], None] | None = None,
) -> FilmRender:
    """The whole timeline as a low-resolution film for the preview player.

    Incremental like any render (its segments are cached), and named by what it
    shows: the same timeline gives back the same file at once, and a new
    preview never replaces a file a player may still have open."""
    recipe, plan = film_recipe(service, preview_format(service.format))
    folder = service.media.path_of(PREVIEW_FOLDER)
    output = folder / f"{recipe_key(recipe)[:32]}.mp4"
    if output.is_file():
        os.utime(output)
        media = probe_media(output)
        reused = len({segment.key(recipe.video) for segment in recipe.segments})
        report = ComposeReport(media, recipe.video.encoding.encoder, 0, reused, 0, None, 0.0)
    else:
        report = _compose(service, recipe, plan, output, cancel, on_progress)
    prune_cache(folder, 0, keep=[output, *sorted(folder.glob("*.mp4"), key=_modified)[-PREVIEWS_KEPT:]])
    return FilmRender(report, plan)


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _compose(
    service: ProjectService,
    recipe: FilmRecipe,
    plan: CutPlan,
    output: Path,
    cancel: threading.Event | None,
    on_progress: Callable[[ComposeProgress], None] | None,
) -> ComposeReport:
    for warning in plan.warnings:
        service.events.emit(Notice(warning))

    def progress(update: ComposeProgress) -> None:
        if on_progress is not None:
            on_progress(update)
        service.events.emit(RenderProgress(update.fraction, update.frames_done, update.frames_total, update.eta_s))

    cache = service.media.path_of(SEGMENT_CACHE)
    report = compose_film(recipe, output, cache, on_progress=progress, cancel=cancel)
    in_use = [segment_path(cache, segment.key(recipe.video), recipe.video) for segment in recipe.segments]
    prune_cache(cache, SEGMENT_CACHE_BUDGET, keep=in_use)
    return report
