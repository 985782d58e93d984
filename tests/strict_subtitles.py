"""Strict readers of SubRip (.srt) and WebVTT (.vtt), written from the formats, not from
Foundry's writer (interchange/subtitles.py), to judge what it writes.

Refused (SubtitleError): a missing or misnumbered cue number (SRT counts 1, 2, 3...),
a time not in the format's exact shape (SRT `HH:MM:SS,mmm`, WebVTT `[HH:]MM:SS.mmm`,
minutes and seconds below 60), a cue that ends before it starts or starts before
the cue before it, cues that overlap, a cue without text, more than one blank line
between cues or a blank line missing, a WebVTT file that does not begin with
`WEBVTT`, text with an unescaped `<` or `&` or `-->`, and word timestamps (`<00:00:01.500>`)
outside their cue or not rising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class SubtitleError(ValueError):
    pass


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    lines: list[str]
    word_times_ms: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_SRT_TIME = r"(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})"
_SRT_TIMING = re.compile(rf"^{_SRT_TIME} --> {_SRT_TIME}$")
_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+\S.*)?$")
_VTT_STAMP = re.compile(rf"<{_VTT_TIME}>")
_VTT_ENTITY = re.compile(r"&(amp|lt|gt|nbsp|lrm|rlm);")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _blocks(text: str, what: str) -> list[list[str]]:
    if "\r" in text:
        raise SubtitleError(f"{what}: carriage returns (this reader wants LF files)")
    if not text.endswith("\n"):
        raise SubtitleError(f"{what}: the file does not end with a line break")
    body = text[:-1]
    if body.endswith("\n\n") or "\n\n\n" in body:
        raise SubtitleError(f"{what}: more than one blank line between cues")
    body = body.removesuffix("\n")
    return [block.split("\n") for block in body.split("\n\n")] if body else []


def _check_order(cues: list[Cue], what: str) -> None:
    for number, cue in enumerate(cues, start=1):
        if cue.end_ms <= cue.start_ms:
            raise SubtitleError(f"{what} cue {number} ends before it starts")
        if not cue.lines or any(not line.strip() for line in cue.lines):
            raise SubtitleError(f"{what} cue {number} has an empty line of text")
        if number > 1:
            before = cues[number - 2]
            if cue.start_ms < before.start_ms:
                raise SubtitleError(f"{what} cue {number} starts before cue {number - 1}")
            if cue.start_ms < before.end_ms:
                raise SubtitleError(f"{what} cue {number} overlaps cue {number - 1}")


def parse_srt(text: str) -> list[Cue]:
    cues = []
    for number, block in enumerate(_blocks(text, "SRT"), start=1):
        if len(block) < 3:
            raise SubtitleError(f"SRT cue {number} needs a number, a timing and text: {block!r}")
        if block[0] != str(number):
            raise SubtitleError(f"SRT cue {number} is numbered {block[0]!r}")
        timing = _SRT_TIMING.match(block[1])
        if timing is None:
            raise SubtitleError(f"SRT cue {number} has the timing {block[1]!r}")
        parts = timing.groups()
        if any("-->" in line for line in block[2:]):
            raise SubtitleError(f"SRT cue {number}'s text holds '-->'")
        cues.append(Cue(_ms(*parts[:4]), _ms(*parts[4:]), block[2:]))
    _check_order(cues, "SRT")
    return cues


def _vtt_payload(line: str, cue: Cue, number: int) -> str:
    for stamp in _VTT_STAMP.finditer(line):
        at = _ms(*stamp.groups())
        if not cue.start_ms < at < cue.end_ms:
            raise SubtitleError(f"WebVTT cue {number}: word time {stamp.group()} is outside the cue")
        if cue.word_times_ms and at <= cue.word_times_ms[-1]:
            raise SubtitleError(f"WebVTT cue {number}: word times do not rise")
        cue.word_times_ms.append(at)
    plain = _VTT_STAMP.sub("", line)
    if "<" in plain or ">" in plain:
        raise SubtitleError(f"WebVTT cue {number}: unescaped < or > in {line!r}")
    if "&" in _VTT_ENTITY.sub("", plain):
        raise SubtitleError(f"WebVTT cue {number}: unescaped & in {line!r}")
    return _VTT_ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}.get(m.group(1), " "), plain)


def parse_webvtt(text: str) -> list[Cue]:
    blocks = _blocks(text, "WebVTT")
    if not blocks or not re.fullmatch(r"WEBVTT(?:[ \t].*)?", blocks[0][0]):
        raise SubtitleError("WebVTT: the file does not begin with WEBVTT")
    if len(blocks[0]) > 1:
        raise SubtitleError("WebVTT: header lines are not expected here")
    cues = []
    for number, block in enumerate(blocks[1:], start=1):
        if block[0].startswith("NOTE") or block[0] in ("STYLE", "REGION"):
            raise SubtitleError(f"WebVTT block {number} is {block[0]!r}, not a cue")
        lines = block[1:] if "-->" not in block[0] else block  # an identifier line may come first
        timing = _VTT_TIMING.match(lines[0])
        if timing is None:
            raise SubtitleError(f"WebVTT cue {number} has the timing {lines[0]!r}")
        parts = timing.groups()
        cue = Cue(_ms(*parts[:4]), _ms(*parts[4:]), [])
        if any("-->" in line for line in lines[1:]):
            raise SubtitleError(f"WebVTT cue {number}'s text holds '-->'")
        cue.lines = [_vtt_payload(line, cue, number) for line in lines[1:]]
        cues.append(cue)
    _check_order(cues, "WebVTT")
    return cues
