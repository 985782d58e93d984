"""Media paths as file URLs and back, the way NLEs write them.

`file:///Users/me/My%20Film/shot%231.mp4`: absolute, percent-encoded UTF-8
(space, #, % and ? encoded, so that no character is read as URL syntax);
Windows drives as `file:///C:/...` and shares as `file://server/share/...`.
Reading is lenient, as files from other tools demand: a '#' or '?' left
unencoded belongs to the file name, and a plain path (absolute, a Windows
drive, or relative to the file that names it) is taken as it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath, PureWindowsPath
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes, urlsplit

_WINDOWS_DRIVE = re.compile(r"^/?[A-Za-z]:([\\/]|$)")


def is_media_file(path: Path | None) -> bool:
    """Whether a media path a cut names is a file there. The path is anything the file said: a name
    longer than the file system allows, a NUL byte, a path through a file is no file, not an error."""
    if path is None:
        return False
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


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
    """The path a media reference names: a file URL decoded back to the exact path, a
    plain path, or a relative reference resolved against `relative_to` (the folder of
    the file that holds it). None for URLs that are not files (http:, photos:...)."""
    if _WINDOWS_DRIVE.match(url):
        return Path(url.lstrip("/"))
    scheme = urlsplit(url).scheme
    if scheme.lower() == "file":
        rest = url[len("file:"):]  # not urlsplit's path: it would cut at an unencoded '#' or '?'
        host = ""
        if rest.startswith("//"):
            host, slash, rest = rest[2:].partition("/")
            rest = slash + rest
        decoded = os.fsdecode(unquote_to_bytes(rest))
        if _WINDOWS_DRIVE.match(decoded):  # file:///C:/Clips/a.mov names C:/Clips/a.mov, not /C:/Clips/a.mov
            return Path(decoded.lstrip("/"))
        if host not in ("", "localhost"):  # a network share: file://server/share/clip.mov
            return Path(f"//{host}{decoded}")
        return Path(decoded) if decoded.startswith("/") else relative_to / decoded
    if scheme and len(scheme) > 1:
        return None
    path = Path(os.fsdecode(unquote_to_bytes(url))) if "%" in url else Path(url)
    return path if path.is_absolute() else relative_to / path
