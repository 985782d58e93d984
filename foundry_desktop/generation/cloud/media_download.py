"""Saving what a cloud service made: a download written under our own name through a
.partial file, within the transfer's bounds (bounded_download.py: deadline, stall, size cap,
media recognised from its first bytes), checked to be whole and to decode, renamed only then.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from foundry_desktop.errors import MediaError
from foundry_desktop.generation.bounded_download import TransferLimits, TransferRefused, write_bounded
from foundry_desktop.generation.cloud.errors import CloudOutputError, CloudUnavailableError
from foundry_desktop.media.probe import SourceInfo, probe_sound_source, probe_source

Wanted = Literal["video", "still", "any"]

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
_MEDIA_TYPES = {
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov", "video/x-matroska": ".mkv",
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
    # What music models send (asked for with want="any": a sound has no picture to probe).
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/mpeg": ".mp3", "audio/flac": ".flac",
    "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/ogg": ".ogg",
}
_MEDIA_SUFFIXES = frozenset(_MEDIA_TYPES.values()) | {".jpeg"}
_SOUND_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".m4a", ".aac", ".ogg"})


@dataclass(frozen=True)
class SavedMedia:
    path: Path
    info: SourceInfo


def media_suffix(content_type: str, url: str, want: Wanted) -> str:
    """Our file's suffix: from the content type, else from the URL's path, else the usual one."""
    suffix = _MEDIA_TYPES.get(content_type)
    if suffix is None:
        from_url = Path(urlsplit(url).path).suffix.lower()
        suffix = from_url if from_url in _MEDIA_SUFFIXES else (".png" if want == "still" else ".mp4")
    return suffix


async def save_media(
    chunks: AsyncIterator[bytes], stem: Path, *, provider: str, want: Wanted, content_type: str = "",
    url: str = "", expected_bytes: int | None = None, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    limits: TransferLimits = TransferLimits(),
) -> SavedMedia:
    """Write `chunks` to `stem` + a suffix of ours, whole and decodable, or leave nothing behind.

    The bytes go to a hidden .partial file first; only a file that is complete,
    within `max_bytes` and `limits`, and opens as the kind of media wanted is
    renamed into place. A declared length over the cap, or first bytes that are
    not media, are refused before anything is written; a transfer past its
    deadline or stalled is a CloudUnavailableError (worth following again later).
    A transport error while reading `chunks` propagates (the caller decides
    whether to retry); the partial file is removed whatever happens."""
    kind = content_type.split(";")[0].strip().lower()
    noun = "picture" if want == "still" else "video"
    if kind.startswith("text/") or kind in ("application/json", "application/xml"):
        raise CloudOutputError(
            f"{provider} sent a web page instead of the {noun} (its link may have expired, or a network "
            f"sign-in page is in the way). Foundry did not keep it.", provider=provider,
        )
    destination = stem.with_name(stem.name + media_suffix(kind, url, want))
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")
    try:
        with partial.open("xb") as file:
            try:
                received = await write_bounded(
                    chunks, file, limits=limits, max_bytes=max_bytes, source=provider,
                    noun={"still": "picture", "video": "video"}.get(want, "file"),
                    want=want, declared=expected_bytes,
                )
            except TransferRefused as exc:
                error = CloudUnavailableError if exc.timed_out else CloudOutputError
                raise error(str(exc), provider=provider, retry_later=exc.timed_out) from None
        if expected_bytes is not None and received != expected_bytes:
            raise CloudOutputError(f"The {noun} from {provider} arrived cut short ({received} of "
                                   f"{expected_bytes} bytes).", provider=provider)
        try:
            info = await asyncio.to_thread(probe_sound_source if destination.suffix in _SOUND_SUFFIXES else probe_source,
                                           partial)
        except MediaError:
            raise CloudOutputError(
                f"What {provider} sent is not a {noun} Foundry can read (damaged, cut short or not media at "
                f"all). Foundry did not keep it.", provider=provider,
            ) from None
        if want == "video" and info.still:
            raise CloudOutputError(f"{provider} sent a still picture where a video was expected.", provider=provider)
        if want == "still" and not info.still:
            raise CloudOutputError(f"{provider} sent a video where a picture was expected.", provider=provider)
        partial.replace(destination)
        return SavedMedia(destination, dataclasses.replace(info, path=destination))
    finally:
        partial.unlink(missing_ok=True)
