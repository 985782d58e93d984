"""Checking and importing the still images shots start from."""

from __future__ import annotations

from pathlib import Path

from foundry_desktop.errors import InputFileError
from foundry_desktop.store.media_cache import MediaCache


def import_input_image(path: Path, media: MediaCache) -> str:
    """Validate `path` as an image and copy it into the media cache; returns its relative path."""
    # Pillow is imported here, not with the project service: opening a project needs none of it.
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"The input image {path} does not exist.")
    if not path.is_file():
        raise InputFileError(f"The input image {path} is not a file.")
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InputFileError(f"{path.name} is not an image Foundry can read.") from None
    except Image.DecompressionBombError:
        raise InputFileError(f"{path.name} is too large an image to use.") from None
    relative, _ = media.adopt(path, "inputs", move=False)
    return relative
