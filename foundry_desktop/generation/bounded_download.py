"""Downloads that cannot run away: a deadline in all, a stall timeout between bytes, a size cap
checked against the declared length before a byte is read, and media recognised from its
first bytes, before anything is written.

Every backend that fetches a take (ComfyUI's /view, the cloud services' output URLs) streams
it through `write_bounded`, so a server that trickles a byte every 20 s, announces 4 GB, or
answers a sign-in page as video/mp4 is refused in words instead of holding `generate` forever
or filling the disk. The caller owns the file (a hidden .partial it renames when the whole
thing checks out, and removes otherwise).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from foundry_desktop.errors import GenerationError

MediaFamily = Literal["video", "picture", "sound"]
Wanted = Literal["video", "still", "sound", "any"]

DEFAULT_DEADLINE_S = 60 * 60.0  # a 2 GiB take over a slow line still fits; a trickle does not
DEFAULT_STALL_S = 120.0
HEAD_BYTES = 16  # enough for every signature below


@dataclass(frozen=True)
class TransferLimits:
    """How long one transfer may take in all (`deadline_s`), and without a single byte moving (`stall_s`)."""

    deadline_s: float = DEFAULT_DEADLINE_S
    stall_s: float = DEFAULT_STALL_S


class TransferRefused(GenerationError):
    """A download or upload stopped by its bounds; `reason` says which one."""

    def __init__(self, message: str, reason: Literal["deadline", "stall", "too_large", "not_media", "short"]) -> None:
        super().__init__(message)
        self.reason = reason

    @property
    def timed_out(self) -> bool:
        return self.reason in ("deadline", "stall")


def media_families(head: bytes) -> frozenset[MediaFamily]:
    """What a file starting with `head` can be, from its magic number; empty: not media we take."""
    if len(head) >= 12 and head[4:8] == b"ftyp":  # ISO BMFF: MP4, MOV, M4A
        return frozenset({"video", "sound"})
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):  # QuickTime without ftyp
        return frozenset({"video"})
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM, Matroska
        return frozenset({"video", "sound"})
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return frozenset({"picture", "video"})  # APNG moves
    if head.startswith(b"\xff\xd8\xff"):
        return frozenset({"picture"})
    if head.startswith(b"GIF87a") or head.startswith(b"GIF89a"):
        return frozenset({"picture", "video"})
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return frozenset({"picture", "video"})  # animated WebP: ComfyUI's SaveAnimatedWEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return frozenset({"sound"})
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return frozenset({"video"})
    if head.startswith((b"fLaC", b"ID3")):
        return frozenset({"sound"})
    if head.startswith(b"OggS"):
        return frozenset({"sound", "video"})
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio / ADTS frame
        return frozenset({"sound"})
    return frozenset()


def is_wanted(head: bytes, want: Wanted) -> bool:
    families = media_families(head)
    if want == "any":
        return bool(families)
    return {"video": "video", "still": "picture", "sound": "sound"}[want] in families


def refuse_declared_size(declared: int | None, max_bytes: int, *, source: str, noun: str) -> None:
    """Refuse a transfer whose announced length is over the cap, before a byte of it is read."""
    if declared is not None and declared > max_bytes:
        raise TransferRefused(
            f"The {noun} from {source} would be {_size(declared)}, more than Foundry accepts ({_size(max_bytes)}); "
            f"Foundry did not download it.", "too_large")


async def write_bounded(
    chunks: AsyncIterator[bytes], file: BinaryIO, *, limits: TransferLimits, max_bytes: int, source: str,
    noun: str, want: Wanted, declared: int | None = None,
) -> int:
    """Copy `chunks` into `file` within `limits` and `max_bytes`; the number of bytes written.

    Nothing is written until the first bytes show the media wanted (`want`). The deadline
    counts from this call; the stall timeout from the last chunk. Raises TransferRefused."""
    refuse_declared_size(declared, max_bytes, source=source, noun=noun)
    clock = asyncio.get_running_loop()
    start = clock.time()
    head, received = b"", 0
    iterator = aiter(chunks)
    try:
        async with asyncio.timeout(None) as timer:
            while True:
                timer.reschedule(min(start + limits.deadline_s, clock.time() + limits.stall_s))
                try:
                    chunk = await anext(iterator)
                except StopAsyncIteration:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise TransferRefused(f"The {noun} from {source} is larger than Foundry accepts "
                                          f"({_size(max_bytes)}); Foundry did not keep it.", "too_large")
                if len(head) < HEAD_BYTES:
                    head += chunk
                    if len(head) < HEAD_BYTES:
                        continue
                    _check_head(head, want, source, noun)
                    file.write(head)
                else:
                    file.write(chunk)
    except TimeoutError:
        if clock.time() - start >= limits.deadline_s:
            raise TransferRefused(f"The {noun} from {source} did not arrive within {limit_in_words(limits.deadline_s)} "
                                  f"({_size(received)} came); Foundry gave up on it.", "deadline") from None
        raise TransferRefused(f"The {noun} from {source} stopped coming: nothing for {limit_in_words(limits.stall_s)} "
                              f"after {_size(received)}; Foundry gave up on it.", "stall") from None
    if len(head) < HEAD_BYTES:  # a tiny body: whatever came is the head
        _check_head(head, want, source, noun)
        file.write(head)
    return received


def _check_head(head: bytes, want: Wanted, source: str, noun: str) -> None:
    if is_wanted(head, want):
        return
    if not head.strip():
        problem = f"{source} sent nothing as the {noun}"
    elif head.lstrip()[:1] in (b"<", b"{", b"["):
        problem = (f"{source} sent a web page or an error message instead of the {noun} (its link may have "
                   f"expired, or a network sign-in page is in the way)")
    else:
        problem = f"What {source} sent is not a {noun}: its first bytes are no format Foundry knows for one"
    raise TransferRefused(f"{problem}. Foundry did not keep it.", "not_media")


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GiB"
    if count >= 1024**2:
        return f"{count / 1024**2:.0f} MiB"
    return f"{count} bytes"


def limit_in_words(value: float) -> str:
    """A time limit as a creator reads it: 0.3 s, 45 s, 60 minutes."""
    return f"{value:g} s" if value < 120 else f"{value / 60:.0f} minutes"
