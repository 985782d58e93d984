"""Checking and importing the still images shots start from: a picture the creator gives a
shot becomes a keyframe take of its own (backend "media"), approved as its first frame."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from foundry_desktop.domain.fingerprint import fingerprint_of_spec
from foundry_desktop.domain.keyframe_spec import picture_keyframe_spec
from foundry_desktop.domain.project import Take
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


def picture_keyframe(path: Path, media: MediaCache, shot_id: str) -> Take:
    """The picture at `path`, checked and copied into the media folder, as a keyframe take of the
    shot (not yet recorded); its provenance is the file's name."""
    from PIL import Image

    relative = import_input_image(path, media)
    with Image.open(media.path_of(relative)) as image:
        width, height = image.size
    spec = picture_keyframe_spec(relative)
    return Take(shot_id=shot_id, kind="still", media_path=relative, content_hash=Path(relative).stem,
                fingerprint=fingerprint_of_spec(spec), spec=spec, backend="media", request={"file": Path(path).name},
                seed=0, frames=1, width=width, height=height,
                created_at=datetime.now(UTC).isoformat(timespec="microseconds"), elapsed_s=0.0)
