"""The sound outline drawn in each music clip: made by the app from the clip's file (decoded
and cached beside the takes' pictures) in a worker thread the first time the clip is painted,
then kept per file, so clips cut from one file share it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from foundry_desktop.app.shots.music_waveforms import clip_waveform
from foundry_desktop.domain.project import AudioClip
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.project_session import ProjectSession


class Waveforms(QObject):
    ready = Signal()  # an outline arrived: paint again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # (content hash, file in the media folder) -> WaveformPeaks: a file relinked to a new
        # place is asked for again, even if it could not be read before
        self._peaks: dict[tuple[str, str], object] = {}
        self._asked: set[tuple[str, str]] = set()

    def clear(self) -> None:
        self._peaks.clear()
        self._asked.clear()

    def seconds(self, clip: AudioClip) -> float | None:
        """How long the clip's file is, once its outline has arrived (trims stop there)."""
        peaks = self._peaks.get((clip.content_hash, clip.media_path))
        return peaks.duration_s if peaks is not None else None

    def peaks(self, clip: AudioClip, session: ProjectSession):
        """The outline of the clip's file (WaveformPeaks); None while it is being made (asked for
        here the first time) or when the file cannot be read (the clip is then drawn plain: the
        render says what is wrong with the file, the timeline does not nag about it)."""
        key = (clip.content_hash, clip.media_path)
        peaks = self._peaks.get(key)
        if peaks is None and key not in self._asked:
            self._asked.add(key)
            media = session.service.media

            def make():
                try:
                    return clip_waveform(media, clip)
                except FoundryError:
                    return None

            def done(made) -> None:
                if isValid(self) and made is not None:
                    self._peaks[key] = made
                    self.ready.emit()

            session.in_thread("Sound outline", make, done)
        return peaks
