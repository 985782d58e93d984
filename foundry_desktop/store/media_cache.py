"""The content-addressed media folder beside a project.

Files are named by the SHA-256 of their bytes (`takes/3f/3fa9...c1.mp4`), so
the same video is stored once, a file's name proves its content, and the
project refers to media by relative path: move the project and its
`.media` folder together and everything still resolves.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from foundry_desktop.errors import MediaError

_CHUNK = 1 << 20


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def explain_os_error(exc: OSError, what: str) -> MediaError:
    if exc.errno == errno.ENOSPC:
        return MediaError(f"The disk is full: could not write {what}. Free some space and try again.")
    return MediaError(f"Could not write {what}: {exc.strerror or exc}.")


def _fsync_folder(folder: Path) -> None:
    # Makes a rename durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MediaCache:
    def __init__(self, root: Path):
        self.root = root

    def path_of(self, relative: str) -> Path:
        return self.root / relative

    def exists(self, relative: str) -> bool:
        return self.path_of(relative).is_file()

    def scratch_dir(self, *, create: bool = True) -> Path:
        """Where backends write files before they are adopted into the cache."""
        folder = self.root / "tmp"
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def clear_scratch(self) -> None:
        """Drop leftovers of work that a crash interrupted."""
        shutil.rmtree(self.root / "tmp", ignore_errors=True)

    def adopt(self, source: Path, kind: str, *, move: bool) -> tuple[str, str]:
        """Bring a file into the cache; returns (relative path, sha256).

        With move=True the source (a backend's scratch file) is renamed into
        place; otherwise it is copied through a temporary file, so the cache
        never holds a half-written file under a content name.
        """
        content_hash = sha256_of_file(source)
        relative = f"{kind}/{content_hash[:2]}/{content_hash}{source.suffix.lower()}"
        final = self.path_of(relative)
        if final.is_file():
            if move:
                source.unlink(missing_ok=True)
            return relative, content_hash
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            if move:
                with source.open("rb+") as handle:
                    os.fsync(handle.fileno())
                os.replace(source, final)
            else:
                self._copy_in(source, final)
            _fsync_folder(final.parent)
        except OSError as exc:
            raise explain_os_error(exc, f"{source.name} into the project's media folder") from None
        return relative, content_hash

    def restore(self, source: Path, relative: str) -> None:
        """Put a file found again (Relink) back at `relative`, whose content hash the caller has
        checked it matches. Copied, never linked: the folder must not change when the original does."""
        final = self.path_of(relative)
        if final.is_file():
            return
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            self._copy_in(source, final)
            _fsync_folder(final.parent)
        except OSError as exc:
            raise explain_os_error(exc, f"{source.name} into the project's media folder") from None

    def _copy_in(self, source: Path, final: Path) -> None:
        """Copy through a temporary file, so the cache never holds a half-written file under a content name."""
        temporary = self.scratch_dir() / f"{uuid.uuid4().hex}.part"
        try:
            with source.open("rb") as src, temporary.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(temporary, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
