"""Reading a cut file of any format Foundry imports: which reader, the frame rate an EDL
lacks, the timeline chosen in a file holding several, a size check before anything is
read, and OTIO bundles unpacked for as long as their media is needed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from foundry_desktop.domain.time import parse_frame_rate
from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.edl.music_beside import read_edl_with_music
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml
from foundry_desktop.interchange.film_cut import ReadCut
from foundry_desktop.interchange.otio.bundle import BUNDLES, bundle_content_size, unpacked_bundle
from foundry_desktop.interchange.otio.reader import read_otio

IMPORT_FORMATS = {".fcpxml": "FCPXML", ".fcpxmld": "FCPXML bundle", ".edl": "CMX 3600 EDL", ".otio": "OpenTimelineIO",
                  ".otioz": "OpenTimelineIO bundle", ".otiod": "OpenTimelineIO bundle"}
# The formats whose files may hold several timelines, one chosen by name or number.
SEVERAL_TIMELINES = (".fcpxml", ".fcpxmld", ".otio", ".otioz", ".otiod")
_MB = 1024 * 1024
# Files bigger than any cut, refused before they are read (a reader holds the whole file, an XML
# tree several times its size). An EDL event is about 100-300 bytes with its comments: 64 MB is
# some 200,000 events, fifty feature films' cuts. FCPXML and OTIO spend 1-5 kB on a clip with its
# asset and metadata: 256 MB is over 50,000 clips. Anything larger is not a cut (a media file or
# log renamed, a file written wrong) and would only fill the memory before saying so. A bundle's
# media is no part of its cut: only its timeline document counts.
MAX_CUT_BYTES = {".edl": 64 * _MB, ".fcpxml": 256 * _MB, ".fcpxmld": 256 * _MB, ".otio": 256 * _MB,
                 ".otioz": 256 * _MB, ".otiod": 256 * _MB}


@contextmanager
def opened_cut_file(path: Path, frame_rate: str | Fraction | None = None,
                    sequence: str | None = None) -> Iterator[ReadCut]:
    """The cut `path` holds (read_cut_file), its media files readable while the `with` lasts:
    an OTIO .otioz bundle's are unpacked into a temporary folder until then."""
    path = Path(path)
    kind = _checked_kind(path, sequence)
    if kind not in BUNDLES:
        yield _read(path, kind, frame_rate, sequence)
        return
    with unpacked_bundle(path) as content:
        yield _with_rate_note(read_otio(content, sequence, path.name), path, frame_rate)


def read_cut_file(path: Path, frame_rate: str | Fraction | None = None, sequence: str | None = None) -> ReadCut:
    """Read an FCPXML, EDL or OTIO file. An EDL carries no frame rate: `frame_rate` gives it.
    The other formats carry their own, which wins over `frame_rate` (with a warning when they differ).
    `sequence` names the timeline of an FCPXML or OTIO file that holds several (CutChoiceError lists them).
    A .otioz's media is gone once this returns: to use it, read with opened_cut_file."""
    with opened_cut_file(path, frame_rate, sequence) as read:
        return read


def _checked_kind(path: Path, sequence: str | None) -> str:
    kind = path.suffix.lower()
    if kind not in IMPORT_FORMATS:
        raise CutFileError(f"Foundry imports cuts from {', '.join(IMPORT_FORMATS)} files; "
                           f"{path.name} is none of these.")
    if not path.exists():
        raise CutFileError(f"{path} does not exist.")
    if sequence is not None and kind not in SEVERAL_TIMELINES:
        raise CutFileError(f"{path.name} holds one timeline: choosing one by name is for FCPXML files and OTIO "
                           "collections, which may hold several.")
    _check_size(path, kind)
    return kind


def _read(path: Path, kind: str, frame_rate: str | Fraction | None, sequence: str | None) -> ReadCut:
    if kind == ".edl":
        if frame_rate is None:
            raise CutFileError(f"An EDL does not say its frame rate: give the rate {path.name} was cut at "
                               "(for example 24, 25 or 29.97).")
        return read_edl_with_music(path, parse_frame_rate(frame_rate))
    read = read_fcpxml(path, sequence) if kind in (".fcpxml", ".fcpxmld") else read_otio(path, sequence)
    return _with_rate_note(read, path, frame_rate)


def _with_rate_note(read: ReadCut, path: Path, frame_rate: str | Fraction | None) -> ReadCut:
    rate = None if frame_rate is None else parse_frame_rate(frame_rate)
    if rate is not None and rate != read.cut.frame_rate:
        note = (f"{path.name} is cut at {float(read.cut.frame_rate):.3f} fps; the project uses that, "
                f"not {float(rate):.3f}.")
        return ReadCut(read.cut, (*read.warnings, note))
    return read


def _check_size(path: Path, kind: str) -> None:
    """Refuse a file too big to be a cut (MAX_CUT_BYTES) before reading any of it."""
    if kind in BUNDLES:
        size = bundle_content_size(path)
    else:
        files = list(path.rglob("*.fcpxml")) if path.is_dir() else [path]  # a bundle: the document inside
        size = sum(file.stat().st_size for file in files)
    if size > MAX_CUT_BYTES[kind]:
        raise CutFileError(f"{path.name} is {size / _MB:.0f} MB: too big to be a cut (an {IMPORT_FORMATS[kind]} "
                           f"holds far less than {MAX_CUT_BYTES[kind] // _MB} MB even for a long film). "
                           "Check that it is the file the editor exported.")
