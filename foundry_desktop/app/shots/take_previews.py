"""Pictures of takes and of the media bin's files for the views: thumbnails and filmstrips,
kept in the project's media folder beside the files they show.

Each call may decode video: call it from a worker thread, never the GUI thread.
The files are cached by content, so asking again is a file lookup.
"""

from __future__ import annotations

from pathlib import Path

from foundry_desktop.domain.project import Take
from foundry_desktop.media.previews.thumbnails import thumbnail, thumbnail_strip
from foundry_desktop.store.media_cache import MediaCache

PICTURES_FOLDER = "derived/pictures"


def take_thumbnail(media: MediaCache, take: Take, *, at_s: float = 0.0, width: int = 160) -> Path:
    """A JPEG of the take at `at_s` seconds (its first picture by default)."""
    return thumbnail(media.path_of(take.media_path), at_s, _pictures_folder(media), width,
                     content_hash=take.content_hash)


def take_filmstrip(media: MediaCache, take: Take, count: int, *, width: int = 96) -> list[Path]:
    """`count` JPEGs across the take, first frame first, for the timeline's strip."""
    return thumbnail_strip(media.path_of(take.media_path), count, _pictures_folder(media), width,
                           content_hash=take.content_hash)


def _pictures_folder(media: MediaCache) -> Path:
    folder = media.path_of(PICTURES_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def media_thumbnail(media: MediaCache, media_path: str, content_hash: str, *, at_s: float = 0.0,
                    width: int = 160) -> Path:
    """A JPEG of a file the media bin holds (footage or a still), `at_s` seconds in."""
    return thumbnail(media.path_of(media_path), at_s, _pictures_folder(media), width, content_hash=content_hash)
