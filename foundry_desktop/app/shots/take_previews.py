"""Pictures of takes and music for the views: thumbnails, filmstrips and waveforms,
kept in the project's media folder beside the takes they show.

Each call may decode video: call it from a worker thread, never the GUI thread.
The files are cached by content, so asking again is a file lookup.
"""

from __future__ import annotations

from pathlib import Path

from foundry_desktop.domain.project import AudioClip, Take
from foundry_desktop.media.previews.thumbnails import thumbnail, thumbnail_strip
from foundry_desktop.media.previews.waveform import WaveformPeaks, waveform_peaks
from foundry_desktop.store.project_store import ProjectStore

PICTURES_FOLDER = "derived/pictures"
WAVEFORMS_FOLDER = "derived/waveforms"


def take_thumbnail(store: ProjectStore, take: Take, *, at_s: float = 0.0, width: int = 160) -> Path:
    """A JPEG of the take at `at_s` seconds (its first picture by default)."""
    return thumbnail(store.media.path_of(take.media_path), at_s, _folder(store, PICTURES_FOLDER), width,
                     content_hash=take.content_hash)


def take_filmstrip(store: ProjectStore, take: Take, count: int, *, width: int = 96) -> list[Path]:
    """`count` JPEGs across the take, first frame first, for the timeline's strip."""
    return thumbnail_strip(store.media.path_of(take.media_path), count, _folder(store, PICTURES_FOLDER), width,
                           content_hash=take.content_hash)


def picture_thumbnail(store: ProjectStore, path: Path, *, width: int = 160) -> Path:
    """A JPEG of any picture or video file (an input image the creator chose)."""
    return thumbnail(Path(path), 0.0, _folder(store, PICTURES_FOLDER), width)


def music_waveform(store: ProjectStore, clip: AudioClip, *, buckets_per_second: int = 50) -> WaveformPeaks:
    return waveform_peaks(store.media.path_of(clip.media_path), buckets_per_second,
                          _folder(store, WAVEFORMS_FOLDER), content_hash=clip.content_hash)


def _folder(store: ProjectStore, name: str) -> Path:
    folder = store.media.path_of(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
