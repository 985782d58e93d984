"""The outline of a music clip's sound for the timeline, made from its file in the media folder
and cached beside the pictures of takes.

Each call may decode the whole file: call it from a worker thread, never the GUI thread.
"""

from __future__ import annotations

from foundry_desktop.domain.project import AudioClip
from foundry_desktop.media.previews.waveform import WaveformPeaks, waveform_peaks
from foundry_desktop.store.media_cache import MediaCache

WAVEFORMS_FOLDER = "derived/waveforms"
# Enough detail to draw a clip at the timeline's closest zoom (40 px a frame at 24 fps is
# 960 px a second: a bucket then spans about 5 px), and small for an hour of sound (2.9 MB).
BUCKETS_PER_SECOND = 200


def clip_waveform(media: MediaCache, clip: AudioClip) -> WaveformPeaks:
    """The min/max outline of the clip's whole file (the clip's part of it is for the view to pick)."""
    folder = media.path_of(WAVEFORMS_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    return waveform_peaks(media.path_of(clip.media_path), BUCKETS_PER_SECOND, folder, content_hash=clip.content_hash)
