"""OTIO bundles: a timeline with its media. A .otiod is a folder, a .otioz the same folder
zipped; both hold the timeline as content.otio and its media under media/, which the
timeline names by relative paths.

A .otiod is read in place. A .otioz is unpacked into a temporary folder that lasts as
long as the `with` (the import copies the media into the project inside it), so its
media is read as files like any other. zipfile drops absolute paths and ".." from the
names it unpacks, so nothing lands outside that folder; a bundle whose media would not
fit on the disk is refused before anything is unpacked.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from foundry_desktop.errors import CutFileError

BUNDLES = (".otiod", ".otioz")
CONTENT = "content.otio"


def bundle_content_size(path: Path) -> int:
    """How many bytes the bundle's timeline (content.otio) holds, media aside: the size a reader reads."""
    if path.is_dir():
        content = path / CONTENT
        return content.stat().st_size if content.is_file() else 0
    with _zip(path) as bundle:
        return bundle.getinfo(CONTENT).file_size if CONTENT in bundle.namelist() else 0


@contextmanager
def unpacked_bundle(path: Path) -> Iterator[Path]:
    """The content.otio of the bundle at `path`, its media beside it while the `with` lasts."""
    if path.is_dir():
        content = path / CONTENT
        if not content.is_file():
            raise CutFileError(f"{path.name} holds no {CONTENT}: it is not an OTIO bundle.")
        yield content
        return
    with _zip(path) as bundle, tempfile.TemporaryDirectory(prefix="foundry-otioz-") as folder:
        if CONTENT not in bundle.namelist():
            raise CutFileError(f"{path.name} holds no {CONTENT}: it is not an OTIO bundle.")
        needed, free = sum(info.file_size for info in bundle.infolist()), shutil.disk_usage(folder).free
        if needed > free:
            raise CutFileError(f"{path.name} unpacks to {needed / 2**30:.1f} GB and the disk holding the temporary "
                               f"folder has {free / 2**30:.1f} GB free: make room, or unpack it and import the "
                               f"folder (.otiod).")
        try:
            bundle.extractall(folder)
        except (OSError, zipfile.BadZipFile) as exc:
            raise CutFileError(f"Could not unpack {path.name}: {getattr(exc, 'strerror', None) or exc}.") from None
        yield Path(folder) / CONTENT


@contextmanager
def _zip(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        bundle = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise CutFileError(f"{path.name} is not an OTIO bundle: it is not a zip file.") from None
    except OSError as exc:
        raise CutFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    with bundle:
        yield bundle
