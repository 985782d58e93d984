"""Ways a file from the outside world arrives broken, as hypothesis strategies over its bytes.

Each mutation kind draws what it needs (where, how much) from hypothesis, so a failure shrinks to
the smallest breakage that shows it. Kinds that only make sense for one format (XML nesting and
entities, JSON nesting) fall back to a generic breakage on the others, so every kind applies to every
sample.
"""

from __future__ import annotations

import contextlib
import re
import signal
from collections.abc import Callable, Iterator

from hypothesis import strategies as st

Mutation = Callable[[st.DataObject, bytes], bytes]

# Lines a hostile or broken file may hold: record headers, events, timecodes, XML and JSON scraps.
NASTY_LINES = [
    b"", b"TITLE:", b"FCM: DROP FRAME", b"FCM: NOPE", b"001  AX V C 00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00",
    b"999  AX AA/V D 999 99:99:99:99 00:00:00:00 -1:00:00:00 00:00:00:00",
    b"002  AX V C 00:00:00:00 00:00:00:00 00:00:00:00 00:00:00:00",
    b"003  BL V W001 030 00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00",
    b"M2   AX 1e308 00:00:00:00", b"M2   AX -0.0 00:00:00:00", b"* FROM CLIP NAME: " + b"x" * 5000,
    b"* LOC: 00:00:00:00 RED " + b"\xff" * 8, b"* SOURCE FILE: ../../../../etc/passwd",
    b"<clip offset=\"1/0s\" duration=\"-5s\"/>", b"<asset-clip ref=\"r999\" duration=\"nan\"/>",
    b"<transition duration=\"99999999999999999999/1s\"/>", b"<![CDATA[", b"<!-- -->", b"&undefined;",
    b"\"duration\": {\"value\": 1e999, \"rate\": 0}", b"{\"OTIO_SCHEMA\": \"Clip.2\"}", b"]}]}", b"\x00\x00\x00",
]
HUGE_NUMBERS = [b"0", b"-1", b"1e308", b"1e999", b"nan", b"inf", b"-0", b"9" * 40, b"18446744073709551617",
                b"0.000000000000000000001", b"1/0", b"0/0", b"-99999999999"]
BAD_TIMECODES = [b"99:99:99:99", b"00:00:00:99", b"-1:00:00:00", b"00:00:00", b"00:00:00:00:00", b"AA:BB:CC:DD",
                 b"24:00:00;30", b"00:60:00:00", b"", b"1e9:00:00:00"]
_DIGITS = re.compile(rb"\d+(?:[./]\d+)?")
_TIMECODE = re.compile(rb"\d\d:\d\d:\d\d[:;]\d\d|\d+(?:/\d+)?s\b")
_TAG = re.compile(rb"<[A-Za-z][\w-]*")


def _position(data: st.DataObject, content: bytes, label: str) -> int:
    return data.draw(st.integers(0, len(content)), label=label)


def _replace_match(data: st.DataObject, content: bytes, pattern: re.Pattern, choices: list[bytes]) -> bytes:
    matches = list(pattern.finditer(content))
    if not matches:
        return _inserted_line(data, content)
    match = data.draw(st.sampled_from(matches), label="where")
    value = data.draw(st.sampled_from(choices), label="value")
    return content[:match.start()] + value + content[match.end():]


def _inserted_line(data: st.DataObject, content: bytes) -> bytes:
    lines = content.split(b"\n")
    at = data.draw(st.integers(0, len(lines)), label="line")
    line = data.draw(st.one_of(st.sampled_from(NASTY_LINES), st.binary(max_size=200)), label="inserted")
    return b"\n".join([*lines[:at], line, *lines[at:]])


def random_bytes(data: st.DataObject, content: bytes) -> bytes:
    return data.draw(st.binary(max_size=4096), label="bytes")


def byte_flips(data: st.DataObject, content: bytes) -> bytes:
    if not content:
        return b"\xff"
    changed = bytearray(content)
    for _ in range(data.draw(st.integers(1, 16), label="flips")):
        at = data.draw(st.integers(0, len(changed) - 1), label="at")
        changed[at] ^= data.draw(st.integers(1, 255), label="xor")
    return bytes(changed)


def truncation(data: st.DataObject, content: bytes) -> bytes:
    return content[:_position(data, content, "length")]


def inserted_lines(data: st.DataObject, content: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 4), label="lines")):
        content = _inserted_line(data, content)
    return content


def huge_numbers(data: st.DataObject, content: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 4), label="numbers")):
        content = _replace_match(data, content, _DIGITS, HUGE_NUMBERS)
    return content


def bad_timecodes(data: st.DataObject, content: bytes) -> bytes:
    return _replace_match(data, content, _TIMECODE, BAD_TIMECODES + HUGE_NUMBERS)


def wrong_encoding(data: st.DataObject, content: bytes) -> bytes:
    """The text re-encoded as another editor might write it, or broken UTF-8 sequences put in."""
    text = content.decode("utf-8", errors="replace")
    how = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "broken"]),
                    label="encoding")
    if how == "broken":
        at = _position(data, content, "at")
        return content[:at] + data.draw(st.sampled_from([b"\xc3", b"\xff\xfe", b"\xed\xa0\x80", b"\xe2\x82"])) \
            + content[at:]
    return text.encode(how, errors="replace")


def deep_nesting(data: st.DataObject, content: bytes) -> bytes:
    """Elements (or JSON arrays) nested far deeper than any timeline, where the document has its first."""
    depth = data.draw(st.sampled_from([300, 5_000, 100_000]), label="depth")
    stripped = content.lstrip()
    if stripped.startswith((b"{", b"[")):
        at = content.index(stripped[:1]) + 1
        return content[:at] + b"\"deep\": " + b"[" * depth + b"]" * depth + b"," + content[at:]
    tag = _TAG.search(content)
    if tag is None:
        return b"<a>" * depth + content + b"</a>" * depth
    at = content.index(b">", tag.end()) + 1 if b">" in content[tag.end():] else len(content)
    return content[:at] + b"<n>" * depth + b"</n>" * depth + content[at:]


_BOMB = (b"<!DOCTYPE fcpxml [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
         + b"".join(b"<!ENTITY %c \"%s\">" % (ord("b") + n, (b"&%c;" % (ord("a") + n)) * 10) for n in range(9))
         + b"]>\n")


def entity_bomb(data: st.DataObject, content: bytes) -> bytes:
    """A billion-laughs DOCTYPE before the root, its last entity used in a name."""
    tag = _TAG.search(content)
    if tag is None:
        return _BOMB + b"<fcpxml version=\"1.9\">&j;</fcpxml>"
    declaration_end = content.find(b"?>") + 2 if content.lstrip().startswith(b"<?xml") else 0
    body = content[declaration_end:]
    body = re.sub(rb"name=\"[^\"]*\"", b"name=\"&j;\"", body, count=1)
    return content[:declaration_end] + b"\n" + _BOMB + body


def huge_values(data: st.DataObject, content: bytes) -> bytes:
    """A name or attribute value of megabytes (a clip name, a JSON string, an EDL comment)."""
    size = data.draw(st.sampled_from([70_000, 1_000_000, 4_000_000]), label="size")
    filler = data.draw(st.sampled_from([b"x", b"\xc3\xa9", b"&amp;", b"9"]), label="filler") * (size // 4)
    for pattern in (rb"name=\"[^\"]*\"", rb"\"name\": \"[^\"]*\"", rb"\* FROM CLIP NAME: [^\n]*"):
        match = re.search(pattern, content)
        if match:
            head = match.group(0).split(b"\"")[0] if b"\"" in match.group(0) else b"* FROM CLIP NAME: "
            value = head + b"\"" + filler + b"\"" if b"\"" in match.group(0) else head + filler
            if pattern == rb"\"name\": \"[^\"]*\"":
                value = b"\"name\": \"" + filler + b"\""
            return content[:match.start()] + value + content[match.end():]
    return content + b"\n" + filler


MUTATIONS: dict[str, Mutation] = {
    "random bytes": random_bytes,
    "byte flips": byte_flips,
    "truncation": truncation,
    "inserted lines": inserted_lines,
    "huge numbers": huge_numbers,
    "bad timecodes": bad_timecodes,
    "wrong encoding": wrong_encoding,
    "deep nesting": deep_nesting,
    "entity bomb": entity_bomb,
    "huge values": huge_values,
}


class Hung(BaseException):
    """An example ran far longer than any file can need: a hang (a BaseException, so no reader's
    `except Exception` swallows it)."""


@contextlib.contextmanager
def failing_after(seconds: float) -> Iterator[None]:
    """Fail (never pass) an example that runs past `seconds`: a generous bound that catches a hang."""
    def stop(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
