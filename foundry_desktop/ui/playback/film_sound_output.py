"""The film's sound while the cut plays, through the machine's default audio output.

A worker thread places the sounds (reading the takes' headers) and mixes blocks a little
ahead of the sink (app.playback.FilmSound); the GUI thread only copies finished blocks
into the sink as it has room. With no audio output the film plays silently and nothing
else changes. The sound starts with the picture (when its first frame is on screen) and
is started again from the playhead after a seek or an edit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer
from PySide6.QtMultimedia import QAudio, QAudioFormat, QAudioSink, QMediaDevices

from foundry_desktop.app.playback.film_sound import film_sound
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cut_plan import CutPlan

BLOCK_SECONDS = 0.05
AHEAD_SECONDS = 0.4  # mixed ahead of the sink: rides out a slow read, little to throw away on a seek
FEED_INTERVAL_MS = 20
UNHEARD_S = 5.0
logger = logging.getLogger(__name__)


class FilmSoundOutput(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="film-sound")
        self._generation = 0
        self._blocks: deque[bytes] = deque()  # filled by the worker, emptied by the GUI thread
        self._lock = threading.Lock()
        self._sink: QAudioSink | None = None
        self._device: QIODevice | None = None
        self._feed_timer = QTimer(self, interval=FEED_INTERVAL_MS)
        self._feed_timer.timeout.connect(self._feed)

    @property
    def sounding(self) -> bool:
        return self._sink is not None

    def start(self, service: ProjectService, frame: int) -> None:
        """Play the cut's sound from film frame `frame` (silently where there is no output)."""
        self.stop()
        output = QMediaDevices.defaultAudioOutput()
        if output.isNull():
            return
        rate = service.format.audio_rate
        audio_format = QAudioFormat()
        audio_format.setSampleRate(rate)
        audio_format.setChannelCount(2)
        audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not output.isFormatSupported(audio_format):
            logger.info("the audio output cannot play %d Hz stereo: the preview plays silently", rate)
            return
        self._sink = QAudioSink(output, audio_format, self)
        self._device = self._sink.start()
        if self._sink.error() != QAudio.Error.NoError or self._device is None:
            self.stop()
            return
        plan = service.cut_plan()
        self._worker.submit(self._mix, self._generation, service, plan, frame, rate)
        self._feed_timer.start()

    def stop(self) -> None:
        self._generation += 1
        self._feed_timer.stop()
        with self._lock:
            self._blocks.clear()
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
        self._sink, self._device = None, None

    def _mix(self, generation: int, service: ProjectService, plan: CutPlan, frame: int, rate: int) -> None:
        """On the worker thread: blocks of the mix, kept AHEAD_SECONDS ahead, until stopped."""
        block = max(1, round(rate * BLOCK_SECONDS))
        try:
            sound = film_sound(service, plan)
            end = sound.sample_of(plan.length) - sound.sample_of(frame)
            with sound.mixer_from(frame) as mixer:
                waiting_since = time.monotonic()
                while generation == self._generation and mixer.position < end:
                    if len(self._blocks) * BLOCK_SECONDS >= AHEAD_SECONDS:
                        if time.monotonic() - waiting_since > UNHEARD_S:
                            return  # nobody takes the sound any more (a window closed without stop)
                        time.sleep(BLOCK_SECONDS / 2)
                        continue
                    waiting_since = time.monotonic()
                    samples = np.clip(mixer.read(block), -1.0, 1.0)
                    pcm = (samples.T * 32767).astype("<i2").tobytes()  # interleaved stereo
                    with self._lock:
                        if generation == self._generation:
                            self._blocks.append(pcm)
        except Exception:  # the sound is a courtesy of the preview: the picture plays on without it
            logger.exception("the preview's sound stopped")

    def _feed(self) -> None:
        if self._sink is None or self._device is None:
            return
        with self._lock:
            while self._blocks and self._sink.bytesFree() >= len(self._blocks[0]):
                self._device.write(self._blocks.popleft())
