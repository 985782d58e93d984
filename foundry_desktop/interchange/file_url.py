"""Media paths as file URLs and back, the way NLEs write them.

`file:///Users/me/My%20Film/shot%231.mp4`: absolute, percent-encoded UTF-8
(space, #, % and ? encoded, so that no character is read as URL syntax);
Windows drives as `file:///C:/...` and shares as `file://server/share/...`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath, PureWindowsPath
from urllib.parse import quote, quote_from_bytes, unquote, urlsplit

_DRIVE = re.compile(r"^/[A-Za-z]:(/|$)")


def file_url(path: PurePath) -> str:
    """The file URL of an absolute path (ValueError for a relative one).
    A PureWindowsPath gives a Windows URL on any system."""
    if not path.is_absolute():
        raise ValueError(f"{path} is not an absolute path")
    if isinstance(path, PureWindowsPath):
        if path.drive.startswith("\\\\"):  # \\server\share
            return "file:" + quote(path.as_posix(), safe="/")
        return f"file:///{path.drive}" + quote(path.as_posix()[len(path.drive):], safe="/")
    # Bytes, so that a name the file system stores undecodable still round-trips.
    return "file://" + quote_from_bytes(os.fsencode(str(path)), safe="/")


def path_from_file_url(url: str, relative_to: Path) -> Path | None:
    """The path a `src` names: a file URL decoded back to the exact path, or a
    relative reference resolved against `relative_to` (the file's folder).
    None for URLs that are not files (http:, photos:...)."""
    parts = urlsplit(url)
    if parts.scheme == "" and not url.startswith("//"):
        return relative_to / unquote(url, errors="surrogateescape")
    if parts.scheme.lower() != "file":
        return None
    decoded = unquote(parts.path, errors="surrogateescape")
    if parts.netloc not in ("", "localhost"):  # a Windows share: file://server/share/clip.mov
        return Path(f"//{parts.netloc}{decoded}")
    if _DRIVE.match(decoded):  # file:///C:/Clips/a.mov names C:/Clips/a.mov, not /C:/Clips/a.mov
        return Path(decoded[1:])
    return Path(decoded)
