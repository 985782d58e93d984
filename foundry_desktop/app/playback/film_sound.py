"""The film's sound while it plays in the window: each shot's own sound and the music,
mixed by the render's mixer (media.render.audio_mix) from any film frame on.

As the render places them, with one difference: a shot with no take, or whose file is
offline or has no sound, is silent instead of refused, so the film plays on. Placing
reads the takes' headers (which have sound), so it runs on a worker thread.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import take_sound
from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.errors import MediaError
from foundry_desktop.media.probe import probe_source
from foundry_desktop.media.render.audio_mix import AudioMixer, AudioPlacement
from foundry_desktop.media.render.film_compose import first_sample_of_frame


class FilmSound:
    """Where each sound of the cut plays, on the film's sample clock at `rate`."""

    def __init__(self, placements: list[AudioPlacement], frame_rate: Fraction, rate: int) -> None:
        self.placements = placements
        self.frame_rate = frame_rate
        self.rate = rate

    def sample_of(self, frame: int) -> int:
        return first_sample_of_frame(frame, frame_rate=self.frame_rate, audio_rate=self.rate)

    def mixer_from(self, frame: int) -> AudioMixer:
        """The mix from film frame `frame` on, read in blocks (stereo float32)."""
        start = self.sample_of(frame)
        parts = [part for placement in self.placements for part in from_sample(placement, start, self.rate)]
        return AudioMixer(parts, self.rate)


def from_sample(placement: AudioPlacement, start: int, rate: int) -> list[AudioPlacement]:
    """What of `placement` plays from film sample `start` on, on a clock that starts there
    (`rate` samples a second). A fade already under way starts again from where it is cut:
    close enough to hear."""
    if placement.end_sample <= start:
        return []
    if placement.start_sample >= start:
        return [replace(placement, start_sample=placement.start_sample - start)]
    cut = start - placement.start_sample
    left = placement.samples - cut
    fade_in = max(0, placement.fade_in - cut)
    loop = placement.loop_samples
    if not loop:
        return [replace(placement, start_sample=0, samples=left, fade_in=fade_in,
                        source_start=placement.source_start + Fraction(cut, rate))]
    # A loop cut part way: the rest of this pass, then the loop again from its start.
    into = cut % loop
    rest = min(left, loop - into)
    parts = [replace(placement, start_sample=0, samples=rest, loop_samples=None, fade_in=fade_in,
                     fade_out=placement.fade_out if rest == left else 0,
                     source_start=placement.source_start + Fraction(into, rate))]
    if left > rest:
        parts.append(replace(placement, start_sample=rest, samples=left - rest, fade_in=0))
    return parts


def film_sound(service: ProjectService, plan: CutPlan) -> FilmSound:
    """The cut's sound as the preview plays it (reads the takes' headers: call off the GUI thread)."""
    fmt = service.format
    rate = fmt.audio_rate
    sound = FilmSound([], fmt.frame_rate, rate)
    sound.placements.extend(take_sound(service, plan, _sounding_take(service), sound.sample_of))
    sound.placements.extend(_music(service, plan, sound))
    return sound


def _has_sound(path: Path | None) -> bool:
    try:
        return path is not None and path.is_file() and probe_source(path).has_audio
    except MediaError:
        return False  # a take that cannot be read is silent here; its picture says so


def _sounding_take(service: ProjectService):
    """The preview's answer: the selected take's file where it has readable sound; a shot not
    generated, offline or unreadable is silent, and the film plays on."""
    project = service.project

    def sounding(index: int) -> Path | None:
        take = project.selected_take(project.timeline.shots[index])
        path = None if take is None else service.media.path_of(take.media_path)
        return path if _has_sound(path) else None

    return sounding


def _music(service: ProjectService, plan: CutPlan, sound: FilmSound):
    """The music track: each clip from its start, looped if asked, cut off where the film ends."""
    for clip in service.project.timeline.music:
        path = service.media.path_of(clip.media_path)
        if clip.start >= plan.length or not path.is_file():
            continue
        body = clip.source_out - clip.source_in
        end = plan.length if clip.loop else min(plan.length, clip.start + body)
        start_sample = sound.sample_of(clip.start)
        yield AudioPlacement(
            path=path, start_sample=start_sample, samples=sound.sample_of(end) - start_sample,
            source_start=Fraction(clip.source_in) / sound.frame_rate, gain_db=clip.gain_db,
            fade_in=sound.sample_of(clip.start + clip.fade_in) - start_sample,
            fade_out=sound.sample_of(end) - sound.sample_of(max(clip.start, end - clip.fade_out)),
            label=f"Music {clip.name}".strip(),
            loop_samples=sound.sample_of(clip.start + body) - start_sample if clip.loop else None,
        )
