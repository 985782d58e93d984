"""An EDL file's bytes as text, in whatever encoding the program that wrote it used.

CMX 3600 is ASCII, but clip names and comments carry whatever the editor typed:
Resolve and Final Cut write UTF-8 (sometimes with a byte-order mark), Premiere on
Windows may write UTF-16 with a byte-order mark, and Avid and older systems write
their machine's 8-bit code page. Files copied from DOS-era systems end in an
end-of-file byte (0x1A), and some tools pad with NULs. So: a byte-order mark says
the encoding; UTF-16 without one shows as a NUL beside each ASCII byte; else
UTF-8, else Windows-1252, else Latin-1, which reads any byte, so decoding never
fails. Only a file that still holds NULs or many control bytes (a binary file) is
refused; a stray one reads as a space.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from foundry_desktop.errors import CutFileError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# What a text file may hold below the space: tab, line feed, form feed, carriage return.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TRAILING_PADDING = "\x00\x1a \t\r\n\x0c"


def _encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        return "utf-16-le"
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] and data[3]:
        return "utf-16-be"
    return "utf-8"


def _decoded(data: bytes) -> str:
    encoding = _encoding(data)
    if encoding.startswith("utf-16"):
        if len(data) % 2:  # a DOS end-of-file byte after the last UTF-16 character
            data = data[:-1]
        return data.decode(encoding, errors="replace")
    for each in (encoding, "cp1252"):
        try:
            return data.decode(each)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def edl_file_text(data: bytes, file_name: str) -> str:
    """The text of an EDL file's bytes, up to a DOS end-of-file byte, trailing NULs left off."""
    text = _decoded(data).split("\x1a", 1)[0].rstrip(_TRAILING_PADDING)
    controls = len(_BINARY.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise CutFileError(f"{file_name} is not a text file, so not an EDL.")
    return _BINARY.sub(" ", text)  # a stray control byte in a comment is no reason to refuse the cut


def read_edl_file(path: Path) -> str:
    """The text of the EDL file at `path` (see edl_file_text)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {Path(path).name}: {exc.strerror or exc}.") from None
    return edl_file_text(data, Path(path).name)
