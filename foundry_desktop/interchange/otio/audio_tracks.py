"""The audio tracks of an OTIO timeline: music, except what plays a video clip's own
file in its place (that clip's sound) and Foundry's "Shot sound" track.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from foundry_desktop.interchange.film_cut import CutClip, CutMusic
from foundry_desktop.interchange.otio.conventions import MUSIC_ROLE, SHOT_SOUND_ROLE, foundry_metadata
from foundry_desktop.interchange.otio.timeline_source import TimelineSource


def music_and_shot_sound(src: TimelineSource, clips: list[CutClip], origin: int) -> tuple[list[CutMusic], set[int]]:
    """The music, and the video clips whose own sound an audio track plays."""
    music: list[CutMusic] = []
    sounding: set[int] = set()
    for track in src.timeline.audio_tracks():
        role = foundry_metadata(track).get("role")
        if role == SHOT_SOUND_ROLE:
            continue
        fades: dict[int, dict[str, int]] = {}
        for index, item in enumerate(track):
            if isinstance(item, otio.schema.Transition):
                frames = src.frames(item.in_offset) + src.frames(item.out_offset)
                fades.setdefault(index - 1, {})["fade_out"] = frames
                fades.setdefault(index + 1, {})["fade_in"] = frames
        for index, item in enumerate(track):
            if isinstance(item, (otio.schema.Gap, otio.schema.Transition)):
                continue
            start, end = src.track_frames(track, index)
            start, end = start - origin, end - origin
            if not isinstance(item, otio.schema.Clip):
                kind = type(item).__name__.lower()
                src.warn(f"The nested {kind} {item.name} on an audio track is not imported.")
                continue
            what = f"The audio clip {item.name}"
            media = src.media(item, what)
            if role != MUSIC_ROLE and media is not None:
                own_sound = [i for i, clip in enumerate(clips)
                             if clip.media == media and clip.record_in < end and start < clip.record_out]
                if own_sound:
                    sounding.update(own_sound)
                    continue
            piece = _music_piece(src, item, what, media, start, end, fades.get(index, {}))
            if piece is not None:
                music.append(piece)
    return music, sounding


def _music_piece(src: TimelineSource, item: otio.schema.Clip, what: str, media: Path | None, start: int,
                 end: int, fades: dict[str, int]) -> CutMusic | None:
    source_in, _, media_frames = src.source(item, what)
    source_out = source_in + end - start
    if start < 0:
        src.warn(f"{what} starts before the film; its beginning is cut off.")
        source_in, start = source_in - start, 0
        if source_in >= source_out:
            return None
    own = foundry_metadata(item)
    gain = own.get("gain_db", 0.0)
    return CutMusic(
        name=item.name or (media.name if media else "Music"), media=media,
        media_frames=max(media_frames, source_out), source_in=source_in, source_out=source_out,
        record_in=start, gain_db=float(gain) if isinstance(gain, (int, float)) else 0.0,
        fade_in=int(own.get("fade_in", fades.get("fade_in", 0))),
        fade_out=int(own.get("fade_out", fades.get("fade_out", 0))),
    )
