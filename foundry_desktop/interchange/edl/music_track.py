"""An EDL's audio events that are not a shot's own sound, as music clips, each channel on its own.

A dissolve from black is a fade in, into black a fade out, and a dissolve
between two clips a cross-fade (the outgoing clip plays on under the incoming
one, fading out while it fades in).
"""

from __future__ import annotations

from foundry_desktop.interchange.edl.edit_events import EditEvent, EdlParser, note_lengths
from foundry_desktop.interchange.edl.media_finder import MediaFinder
from foundry_desktop.interchange.film_cut import CutMusic


def music_clips(parser: EdlParser, media: MediaFinder, events: list[EditEvent], origin: int) -> list[CutMusic]:
    by_channel: dict[str, list[EditEvent]] = {}
    for event in events:
        by_channel.setdefault(event.incoming.channel, []).append(event)
    music: list[CutMusic] = []
    cut_short = False
    for channel_events in by_channel.values():
        clips: list[CutMusic] = []
        for event in sorted(channel_events, key=lambda e: e.incoming.record_in):
            line = event.incoming
            if line.record_in == line.record_out:
                continue
            note_lengths(event, parser)
            frames = min(line.frames, line.record_out - line.record_in) if line.transition in ("D", "W") else 0
            before = clips[-1] if clips and clips[-1].record_out == line.record_in else None
            if line.black:
                if before is not None and frames:  # the clip before fades out into silence
                    clips[-1] = _extended(before, frames, fade_out=frames)
                continue
            name, _, path = media.clip(event)
            fade_in = frames
            if frames and before is not None and not (event.outgoing and event.outgoing.black):
                clips[-1] = _extended(before, frames, fade_out=frames)  # a cross-fade
            clips.append(CutMusic(name, path, line.source_in + line.record_out - line.record_in, line.source_in,
                                  line.source_in + line.record_out - line.record_in, line.record_in,
                                  fade_in=fade_in))
        for clip in clips:
            start = clip.record_in - origin
            if clip.record_out - origin <= 0:
                cut_short = True
                continue
            if start < 0:
                cut_short = True
                clip = CutMusic(clip.name, clip.media, clip.media_frames, clip.source_in - start, clip.source_out, 0,
                                fade_in=0, fade_out=clip.fade_out)
                start = 0
            music.append(CutMusic(clip.name, clip.media, clip.media_frames, clip.source_in, clip.source_out, start,
                                  fade_in=clip.fade_in, fade_out=clip.fade_out))
    if cut_short:
        parser.warnings.append("Audio before the film's first picture was left out.")
    return sorted(music, key=lambda m: m.record_in)


def _extended(clip: CutMusic, frames: int, *, fade_out: int) -> CutMusic:
    return CutMusic(clip.name, clip.media, clip.source_out + frames, clip.source_in, clip.source_out + frames,
                    clip.record_in, fade_in=clip.fade_in, fade_out=fade_out)
