"""SRT and WebVTT subtitle files for the film's captions.

Times are the captions' film frames converted to milliseconds exactly (frame
n starts at n / fps seconds), so a player shows a subtitle on the same frames
the burnt-in caption covers. Captions past the film's end are dropped, and one
running over it is cut off there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.domain.captions.styles import word_spans
from foundry_desktop.domain.project import Caption
from foundry_desktop.errors import ExportError


def _milliseconds(frame: int, frame_rate: Fraction) -> int:
    return int(Fraction(frame * 1000) / frame_rate + Fraction(1, 2))


def _clock(frame: int, frame_rate: Fraction, separator: str) -> str:
    ms = _milliseconds(frame, frame_rate)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{ms:03d}"


def _in_film(captions: Sequence[Caption], film_frames: int) -> list[tuple[Caption, int]]:
    """(caption, its end in the film), for captions that show in the film, in time order."""
    shown = sorted((c for c in captions if c.start < film_frames), key=lambda c: (c.start, c.end))
    return [(caption, min(caption.end, film_frames)) for caption in shown]


def _lines(text: str) -> str:
    # A blank line ends a cue in both formats, so a caption may not contain one.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def srt_text(captions: Sequence[Caption], frame_rate: Fraction, film_frames: int) -> str:
    cues = []
    for number, (caption, end) in enumerate(_in_film(captions, film_frames), start=1):
        timing = f"{_clock(caption.start, frame_rate, ',')} --> {_clock(end, frame_rate, ',')}"
        cues.append(f"{number}\n{timing}\n{_lines(caption.text)}\n")
    return "\n".join(cues)


def _vtt_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_payload(caption: Caption, end: int, frame_rate: Fraction) -> str:
    """The cue text; with a word highlight, each word after the first carries the
    time it is spoken (WebVTT's karaoke timestamps), so players can follow along."""
    if caption.style.highlight_color is None:
        return _vtt_escaped(_lines(caption.text))
    spans = iter(word_spans(caption))
    lines = []
    stamped = _milliseconds(caption.start, frame_rate)  # each timestamp must come after the one before
    for line in _lines(caption.text).split("\n"):
        words = []
        for word in line.split():
            start, _ = next(spans)
            stamp = ""
            if start < end and _milliseconds(start, frame_rate) > stamped:
                stamp, stamped = f"<{_clock(start, frame_rate, '.')}>", _milliseconds(start, frame_rate)
            words.append(stamp + _vtt_escaped(word))
        lines.append(" ".join(words))
    return "\n".join(lines)


def webvtt_text(captions: Sequence[Caption], frame_rate: Fraction, film_frames: int) -> str:
    cues = ["WEBVTT\n"]
    for caption, end in _in_film(captions, film_frames):
        timing = f"{_clock(caption.start, frame_rate, '.')} --> {_clock(end, frame_rate, '.')}"
        cues.append(f"{timing}\n{_vtt_payload(caption, end, frame_rate)}\n")
    return "\n".join(cues)


SUBTITLE_WRITERS = {".srt": srt_text, ".vtt": webvtt_text}


def write_subtitle_file(path: Path, captions: Sequence[Caption], frame_rate: Fraction, film_frames: int) -> None:
    """`path` as SRT or WebVTT, by its suffix, written whole or not at all."""
    writer = SUBTITLE_WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ExportError(f"{path.name}: captions are written as .srt or .vtt.")
    text = writer(captions, frame_rate, film_frames)
    try:
        write_atomically(path, lambda file: file.write(text.encode("utf-8")))
    except OSError as exc:
        raise ExportError(f"Could not write the subtitles {path.name}: {exc.strerror or exc}.") from None


def write_subtitles(film: Path, captions: Sequence[Caption], frame_rate: Fraction, film_frames: int) -> tuple[Path, ...]:
    """`film`.srt and `film`.vtt beside the film (each written whole or not at all).
    Without captions, none, and those of an earlier render of it are removed:
    players load them by name, and would show captions the film no longer has."""
    sidecars = {suffix: film.with_suffix(suffix) for suffix in (".srt", ".vtt")}
    if not _in_film(captions, film_frames):
        for path in sidecars.values():
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        return ()
    for path in sidecars.values():
        write_subtitle_file(path, captions, frame_rate, film_frames)
    return tuple(sidecars.values())
