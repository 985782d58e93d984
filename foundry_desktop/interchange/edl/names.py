"""What a CMX 3600 EDL may call things: ASCII text and 8-character reels.

An EDL is plain ASCII. Text with other characters is transliterated: each
character is decomposed (Unicode NFKD) and keeps its ASCII part, so "Café"
becomes "Cafe" and "Ångström" "Angstrom"; typographic quotes and dashes become
their plain forms (“ ” ’ – — as " " ' - -); a character with no ASCII part
("日") becomes "?". Tabs, line breaks and other control characters become spaces, as
they would break the EDL's lines. A media path that loses characters this way
no longer names its file, so the writer adds its exact form as a percent-encoded
file URL (`* SOURCE FILE URL:`), which is ASCII and which the reader prefers.

Reels name a source in at most 8 characters of [A-Za-z0-9_]. Each media file
gets its own reel, derived from its file name (`shot_01_take3.mp4` →
`SHOT01TA`): upper case, only letters and digits, cut to 8. When two files would
share a reel, the later one (in the order given) ends in a counter instead
(`SHOT01_2`, `SHOT01_3`, ... the name shortened to make room), so reels never
collide and the same cut always gets the same reels. `BL`, `BLK`, `BLACK`, `AX`
and `BARS` are never given to a file: readers take them for black, an unnamed
source or colour bars. A source that already has a reel (the cut it came from
named it, or its file carries one) keeps it when it is a strict reel already
(`B008` stays `B008`), else its reel is made from that name the same way.

The long-name variant (`names="long"`, the File129 EDLs Resolve and Avid write)
keeps the whole name, up to 128 characters, with spaces as `_` (an event line's
fields are separated by spaces); the same counters keep long reels distinct.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from pathlib import PurePath
from typing import Literal

REEL_LENGTH = 8
LONG_REEL_LENGTH = 128  # File129: the reel field holds up to 128 characters and a space
ReelStyle = Literal["cmx", "long"]
_STRICT_REEL = re.compile(r"^[A-Za-z0-9_]{1,8}$")
BLACK_REEL = "BL"
RESERVED_REELS = frozenset({"BL", "BLK", "BLACK", "AX", "BARS"})


_TYPOGRAPHY = {
    **dict.fromkeys("‘’‚‛′", "'"), **dict.fromkeys("“”„‟″«»", '"'), **dict.fromkeys("‐‑‒–—―−", "-"), "…": "...",
}


def ascii_text(text: str) -> str:
    """`text` in printable ASCII (see the module's rules)."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char if char.isprintable() else " ")
            continue
        if char in _TYPOGRAPHY:
            out.append(_TYPOGRAPHY[char])
            continue
        if unicodedata.category(char).startswith(("C", "Z")):  # control, format, separators
            out.append(" ")
            continue
        kept = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii() and c.isprintable())
        out.append(kept or "?")
    return "".join(out)


def _reel_stem(name: str) -> str:
    stem = PurePath(name).stem if "." in name else name
    return re.sub(r"[^A-Z0-9]", "", ascii_text(stem).upper()) or "CLIP"


def _long_stem(name: str) -> str:
    stem = PurePath(name).stem if PurePath(name).suffix else name
    return _long_reel(stem)


def _long_reel(reel: str) -> str:
    return "_".join(ascii_text(reel).split()) or "CLIP"


def fits_strict_reel(reel: str) -> bool:
    """Whether a reel can be written as it is in a strict CMX 3600 EDL."""
    return bool(_STRICT_REEL.match(reel)) and reel.upper() not in RESERVED_REELS


def _candidate(name: str, given: bool, style: ReelStyle) -> str:
    """A reel the source gave is kept as it is where the style allows; a file's name is made into one."""
    if style == "long":
        return _long_reel(name) if given else _long_stem(name)
    return name if given and fits_strict_reel(name) else _reel_stem(name)


def reel_names(sources: Iterable[tuple[Hashable, str] | tuple[Hashable, str, bool]],
               style: ReelStyle = "cmx") -> dict[Hashable, str]:
    """One reel per distinct source key, in order, from (key, file or clip name) pairs, or (key, name,
    True) where the name is a reel the source gave (the cut it came from, its file's reel tag)."""
    reels: dict[Hashable, str] = {}
    taken = set(RESERVED_REELS)
    length = LONG_REEL_LENGTH if style == "long" else REEL_LENGTH
    for key, name, *given in sources:
        if key in reels:
            continue
        stem = _candidate(name, bool(given and given[0]), style)
        reel = stem[:length]
        counter = 1
        while reel.upper() in taken:
            counter += 1
            suffix = f"_{counter}"
            reel = stem[: length - len(suffix)] + suffix
        reels[key] = reel
        taken.add(reel.upper())
    return reels
