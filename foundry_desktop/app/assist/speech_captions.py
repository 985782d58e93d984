"""Captions from speech: a take's sound, a music clip's file, or any audio/video file,
transcribed with word times and laid on the caption track.

Three steps, so the GUI can run the slow one off its thread:

1. `speech_source` (quick, reads the project): which file, which part of it is
   heard in the film and at which film frame it starts. A shot's take is placed
   by the cut plan (the shot's record_in and its trimmed source part); a music
   clip by its start and source_in (its first pass: a looped clip's repeats are
   not captioned again); an imported file at the frame the creator gives.
2. `transcribe_speech` (slow, touches no project): the sound as WAV pieces under
   the upload limit, transcribed, the words placed in film frames, grouped into
   captions (domain.caption_segments) in a caption style.
3. `add_transcribed_captions` (an edit): all captions as ONE undo step. Existing
   captions are never changed silently: new captions that overlap existing ones
   are refused, naming them, unless `replace` is asked for, which removes exactly
   the existing captions the new ones overlap (a title elsewhere in the shot stays).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.render.caption_pixels import font_file
from foundry_desktop.app.assist.language_model import LanguageModelSettings, require_configured
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.app.assist.speech_transcription import transcribe_pieces
from foundry_desktop.domain.captions.segments import CaptionRules, caption_drafts
from foundry_desktop.domain.captions.styles import caption_style
from foundry_desktop.domain.project import Caption, CaptionStyle
from foundry_desktop.domain.captions.spoken_words import place_words, punctuated
from foundry_desktop.domain.time import format_timecode
from foundry_desktop.errors import InputFileError, InvalidEditError, MediaError
from foundry_desktop.media.speech_audio import MAX_PIECE_SECONDS, speech_pieces


@dataclass(frozen=True)
class SpeechSource:
    """A sound and where it is heard in the film: its audio from `source_in` frames (at the
    project's rate) for `frames` frames (None: to its end) plays from film frame `film_start`."""

    label: str  # "shot 2", "music bed.mp3", "interview.wav": how messages name it
    path: Path
    film_start: int
    source_in: int = 0
    frames: int | None = None


def speech_source(service: ProjectService, source: str, *, at_seconds: str | Fraction | None = None) -> SpeechSource:
    """`shot:N` (shot N's selected take), `music:N` (the Nth music clip) or a file path
    (placed at `at_seconds`, default the film's start)."""
    kind, _, number = source.partition(":")
    if kind in ("shot", "music") and number.strip().isdigit():
        index = int(number) - 1
        if kind == "shot":
            return _shot_source(service, index)
        return _music_source(service, index)
    path = Path(source).expanduser()
    if not path.is_file():
        raise InputFileError(f"{source!r} is neither shot:N, music:N nor a file that exists.")
    start = service.frames_from_seconds(at_seconds or "0", allow_zero=True)
    return SpeechSource(path.name, path, start)


def _shot_source(service: ProjectService, index: int) -> SpeechSource:
    shot = service.shot_at(index)
    take = service.project.selected_take(shot)
    if take is None:
        raise InvalidEditError(f"Shot {index + 1} has no take yet: generate it first.")
    placed = service.cut_plan().shots[index]
    return SpeechSource(f"shot {index + 1}", service.media.path_of(take.media_path), placed.record_in,
                        placed.source_in, placed.source_out - placed.source_in)


def _music_source(service: ProjectService, index: int) -> SpeechSource:
    music = service.project.timeline.music
    if not 0 <= index < len(music):
        raise InvalidEditError(f"There is no music clip {index + 1}: the music track has {len(music)}.")
    clip = music[index]
    return SpeechSource(f"music {clip.name}".strip(), service.media.path_of(clip.media_path), clip.start,
                        clip.source_in, clip.source_out - clip.source_in)


def style_named(style: str | CaptionStyle) -> CaptionStyle:
    if isinstance(style, CaptionStyle):
        chosen = style
    else:
        try:
            chosen = caption_style(style)
        except ValueError as exc:
            raise InvalidEditError(str(exc)) from None
    font_file(chosen.font)
    return chosen


async def transcribe_speech(
    source: SpeechSource,
    settings: LanguageModelSettings,
    frame_rate: Fraction,
    *,
    style: str | CaptionStyle = "subtitle",
    language: str | None = None,
    rules: CaptionRules = CaptionRules(),
    max_piece_seconds: int = MAX_PIECE_SECONDS,
) -> list[Caption]:
    """The captions for what is said in `source`, timed in film frames. Touches no project."""
    require_configured(settings)
    chosen = style_named(style)
    with tempfile.TemporaryDirectory(prefix="foundry-speech-") as folder:
        # The whole sound is sent, so words at the trim points are heard whole; place_words
        # keeps those that start inside the part the film plays.
        try:
            pieces = await asyncio.to_thread(speech_pieces, source.path, Path(folder),
                                             max_piece_seconds=max_piece_seconds)
        except MediaError as exc:
            raise MediaError(f"{source.label[:1].upper()}{source.label[1:]}: {exc}") from None
        transcript = await transcribe_pieces(pieces, settings, language=language)
    words = place_words(punctuated(transcript.words, transcript.text), frame_rate, audio_starts_at=source.film_start,
                        shown_from=source.source_in,
                        shown_until=None if source.frames is None else source.source_in + source.frames)
    with edit_errors():
        return [Caption(text=draft.text, start=draft.start, end=draft.end, style=chosen,
                        word_starts=list(draft.word_starts)) for draft in caption_drafts(words, frame_rate, rules)]


def add_transcribed_captions(
    service: ProjectService, captions: list[Caption], *, source_label: str, replace: bool = False,
) -> list[Caption]:
    """Put `captions` on the caption track as one undo step (see the module docstring for
    what happens to captions already there). Returns the captions added."""
    if not captions:
        return []
    existing = service.project.timeline.captions
    overlapped = [old for old in existing if any(old.start < new.end and new.start < old.end for new in captions)]
    if overlapped and not replace:
        rate = service.format.frame_rate
        named = "; ".join(f"{format_timecode(old.start, rate)} \"{old.text.splitlines()[0][:30]}\"" for old in overlapped[:3])
        more = f" and {len(overlapped) - 3} more" if len(overlapped) > 3 else ""
        raise InvalidEditError(
            f"The captions from {source_label} would overlap {len(overlapped)} caption"
            f"{'s' * (len(overlapped) != 1)} already there ({named}{more}); replace them, or remove them first.")
    service.add_captions(captions, replacing=[old.id for old in overlapped], label=f"Captions from {source_label}")
    return captions
