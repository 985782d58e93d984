"""OpenTimelineIO (.otio) for a cut, for DaVinci Resolve, Kdenlive and OTIO tools.

The timeline runs at the cut's rate and starts at the cut's start timecode
(01:00:00:00 unless it says another). Its tracks, in order:

* "Video": the clips in order, a Gap for empty time before one. Each clip's
  media reference is an ExternalReference (an absolute, percent-encoded file URL; available_range =
  the whole file, from its first frame's timecode) or, for offline media, a MissingReference. A
  transition between two clips is an OTIO Transition centred on the cut as
  FilmCut places it: in_offset (the part before the cut, over the outgoing
  clip) = film_cut.frames_before_cut, out_offset = the rest. Dissolves and fades through
  black or white are all SMPTE_Dissolve, which every OTIO reader knows: an
  editor that knows no dip to colour shows a dissolve of the same length, and
  metadata["foundry"]["kind"] keeps which it was. The film's fade from black is
  a Transition before the first clip with in_offset 0, its fade to black one
  after the last clip with out_offset 0 (Hiero's OTIO export writes fades so,
  and the cmx_3600 adapter writes them as dissolves from and to black).
  Markers sit on this track (name = label, the nearest OTIO colour, the exact
  colour in metadata); captions too, as markers spanning the caption with
  the text as name and metadata["foundry"]["caption"] = true, since OTIO has
  no titles an editor would show. A scene begins at a marker "Scene: NAME".
* "Shot sound" (audio), when any clip has sound: the same clips at the same
  places, so the editor plays the takes' sound; gaps where a clip has none.
* "Music" (audio, more tracks where pieces overlap): the music pieces at
  their places with Gaps between; gain and fades in metadata["foundry"].

What OTIO has no field for sits in metadata["foundry"]: the frame size, the
exact rate, the audio rate and whether its timecode drops frames on the timeline; on a
clip's media reference, whether its source's timecode drops frames where that differs
from the timeline's ("drop_frame", beside the available range it labels); each clip's cut metadata
(prompt, seed, backend, its scene's notes...), has_audio, still and the name of
its scene on the clip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import opentimelineio as otio

from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.domain.cut_plan import TRANSITION_NAMES
from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.file_url import file_url
from foundry_desktop.interchange.film_cut import (
    CutCaption,
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    FilmCut,
    with_scene_markers,
)
from foundry_desktop.interchange.marker_colours import nearest_named
from foundry_desktop.interchange.otio.conventions import (
    CAPTION_MARKER_COLOR,
    MARKER_COLORS,
    MUSIC_ROLE,
    CMX_NAMESPACE,
    NAMESPACE,
    SHOT_SOUND_ROLE,
    frame_range,
    frame_time,
)

FADE_IN_NAME = "Fade from black"
FADE_OUT_NAME = "Fade to black"


def _media_reference(name: str, media: Path | None, media_frames: int, cut: FilmCut,
                     start: int = 0, file_name: str = "", drop_frame: bool | None = None) -> otio.core.MediaReference:
    available = frame_range(start, media_frames, cut.frame_rate)  # from the timecode of its first frame
    # How that timecode counts, where it differs from the timeline's (OTIO's RationalTime has no flag for it).
    metadata = {} if drop_frame is None else {NAMESPACE: {"drop_frame": drop_frame}}
    if media is None:
        return otio.schema.MissingReference(name=name, available_range=available, metadata=metadata)
    reference = otio.schema.ExternalReference(target_url=file_url(media), available_range=available,
                                              metadata=metadata)
    reference.name = file_name or media.name  # what Resolve shows, and relinks by
    return reference


def _checked_metadata(metadata: dict[str, Any], owner: str) -> dict[str, Any]:
    """The metadata as OTIO can store it, or an ExportError that says which value is the trouble."""
    try:
        json.dumps(metadata, allow_nan=False)
        otio.schema.Marker(metadata=metadata)  # OTIO's own limits too (64-bit integers)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"The metadata of {owner} cannot be written to OTIO: {exc}") from None
    return metadata


def _clip(clip: CutClip, index: int, cut: FilmCut) -> otio.schema.Clip:
    metadata = {"metadata": _checked_metadata(dict(clip.metadata), f"clip {index + 1} ({clip.name})"),
                "has_audio": clip.has_audio, "still": clip.still}
    if clip.scene:
        metadata["scene"] = clip.scene
    # The reel where OpenTimelineIO's EDL adapter keeps it, so its EDLs and Resolve's conform by it too.
    reel = {CMX_NAMESPACE: {"reel": clip.reel}} if clip.reel else {}
    return otio.schema.Clip(
        name=clip.name,
        media_reference=_media_reference(clip.name, clip.media, clip.media_frames, cut, clip.source_start,
                                         clip.file_name, clip.source_drop_frame),
        source_range=frame_range(clip.source_start + clip.source_in, clip.source_out - clip.source_in,
                                 cut.frame_rate),
        metadata={NAMESPACE: metadata, **reel},
    )


def _transition(name: str, kind: str, before_cut: int, after_cut: int, cut: FilmCut) -> otio.schema.Transition:
    return otio.schema.Transition(
        name=name,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=frame_time(before_cut, cut.frame_rate),
        out_offset=frame_time(after_cut, cut.frame_rate),
        metadata={NAMESPACE: {"kind": kind}},
    )


def _between(transition: CutTransition, cut: FilmCut) -> otio.schema.Transition:
    before_cut = cut.clips[transition.outgoing].record_out - transition.record_in
    name = TRANSITION_NAMES[transition.kind].capitalize()
    return _transition(name, transition.kind, before_cut, transition.frames - before_cut, cut)


def _gap(frames: int, cut: FilmCut) -> otio.schema.Gap:
    return otio.schema.Gap(source_range=frame_range(0, frames, cut.frame_rate))


def _marker(marker: CutMarker, cut: FilmCut) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=marker.label,
        marked_range=frame_range(marker.frame, 0, cut.frame_rate),
        color=nearest_named(marker.color, MARKER_COLORS, otio.schema.MarkerColor.YELLOW),
        metadata={NAMESPACE: {"color": marker.color}},
    )


def _caption(caption: CutCaption, cut: FilmCut) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=caption.text,
        marked_range=frame_range(caption.start, caption.end - caption.start, cut.frame_rate),
        color=CAPTION_MARKER_COLOR,
        metadata={NAMESPACE: {"caption": True}},
    )


def _video_track(cut: FilmCut) -> otio.schema.Track:
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    after: dict[int, CutTransition] = {t.outgoing: t for t in cut.transitions}
    position = 0
    for index, clip in enumerate(cut.clips):
        if clip.record_in < position:
            raise ExportError(f"Clip {index + 1} ({clip.name}) overlaps the clip before it; OTIO cannot hold that.")
        if clip.record_in > position:
            track.append(_gap(clip.record_in - position, cut))
        if index == 0 and cut.fade_in:  # within the first clip, after any empty time the film starts with
            track.append(_transition(FADE_IN_NAME, "fade_in", 0, cut.fade_in, cut))
        track.append(_clip(clip, index, cut))
        position = clip.record_out
        if index in after and index + 1 < len(cut.clips):
            track.append(_between(after[index], cut))
    if cut.fade_out:
        track.append(_transition(FADE_OUT_NAME, "fade_out", cut.fade_out, 0, cut))
    for marker in with_scene_markers(cut).markers:
        track.markers.append(_marker(marker, cut))
    for caption in cut.captions:
        track.markers.append(_caption(caption, cut))
    return track


def _shot_sound_track(cut: FilmCut) -> otio.schema.Track:
    track = otio.schema.Track(name="Shot sound", kind=otio.schema.TrackKind.Audio,
                              metadata={NAMESPACE: {"role": SHOT_SOUND_ROLE}})
    after: dict[int, CutTransition] = {t.outgoing: t for t in cut.transitions}
    position = 0
    for index, clip in enumerate(cut.clips):
        if not clip.has_audio:
            continue
        if clip.record_in > position:
            track.append(_gap(clip.record_in - position, cut))
        track.append(_clip(clip, index, cut))
        position = clip.record_out
        following = cut.clips[index + 1] if index + 1 < len(cut.clips) else None
        if index in after and following is not None and following.has_audio:
            track.append(_between(after[index], cut))
    return track


def _music_lanes(music: Iterable[CutMusic]) -> list[list[CutMusic]]:
    """The pieces spread over as few tracks as hold them without overlaps, earliest first."""
    lanes: list[list[CutMusic]] = []
    for piece in sorted(music, key=lambda m: (m.record_in, m.record_out)):
        lane = next((lane for lane in lanes if lane[-1].record_out <= piece.record_in), None)
        if lane is None:
            lanes.append([piece])
        else:
            lane.append(piece)
    return lanes


def _music_track(number: int, pieces: list[CutMusic], cut: FilmCut) -> otio.schema.Track:
    name = "Music" if number == 1 else f"Music {number}"
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio, metadata={NAMESPACE: {"role": MUSIC_ROLE}})
    position = 0
    for piece in pieces:
        if piece.record_in < 0:
            raise ExportError(f"The music {piece.name} starts before the film; OTIO cannot place it there.")
        if piece.record_in > position:
            track.append(_gap(piece.record_in - position, cut))
        track.append(otio.schema.Clip(
            name=piece.name,
            media_reference=_media_reference(piece.name, piece.media, piece.media_frames, cut),
            source_range=frame_range(piece.source_in, piece.frames, cut.frame_rate),
            metadata={NAMESPACE: {"gain_db": piece.gain_db, "fade_in": piece.fade_in, "fade_out": piece.fade_out}},
        ))
        position = piece.record_out
    return track


def otio_timeline(cut: FilmCut) -> otio.schema.Timeline:
    """The cut as an OTIO Timeline (see the module's docstring for its layout)."""
    timeline = otio.schema.Timeline(
        name=cut.name,
        global_start_time=frame_time(cut.record_start(bool(cut.drop_frame)), cut.frame_rate),
        metadata={NAMESPACE: {"width": cut.width, "height": cut.height, "frame_rate": str(cut.frame_rate),
                              "audio_rate": cut.audio_rate,
                              **({} if cut.drop_frame is None else {"drop_frame": cut.drop_frame})}},
    )
    timeline.tracks.append(_video_track(cut))
    if any(clip.has_audio for clip in cut.clips):
        timeline.tracks.append(_shot_sound_track(cut))
    for number, pieces in enumerate(_music_lanes(cut.music), start=1):
        timeline.tracks.append(_music_track(number, pieces, cut))
    return timeline


def otio_text(cut: FilmCut) -> str:
    return otio.adapters.write_to_string(otio_timeline(cut), adapter_name="otio_json")


def write_otio(cut: FilmCut, path: Path) -> Path:
    """Write the cut to `path` (.otio), whole or not at all."""
    text = otio_text(cut)
    try:
        return write_atomically(path, lambda file: file.write(text.encode("utf-8")))
    except OSError as exc:
        raise ExportError(f"Could not write the OTIO timeline {path.name}: {exc.strerror or exc}.") from None
