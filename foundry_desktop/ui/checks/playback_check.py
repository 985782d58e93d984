"""The self-test's playback check: a rendered film plays through Qt's media player
(its own FFmpeg, the plugin a frozen build most often loses) and frames arrive."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QUrl
from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

WANTED_FRAMES = 12
TIMEOUT_S = 15.0


def play_and_count_frames(film: Path) -> str:
    """Play `film` into a video sink (no window, no sound device needed) until enough frames
    arrived; the detail of the check, or a RuntimeError that says what the player did."""
    if QCoreApplication.instance() is None:
        raise RuntimeError("no Qt application is running")
    player = QMediaPlayer()
    sink = QVideoSink()
    player.setVideoSink(sink)
    frames: list[tuple[int, int]] = []
    sink.videoFrameChanged.connect(lambda frame: frames.append((frame.width(), frame.height())))
    errors: list[str] = []
    player.errorOccurred.connect(lambda _error, message: errors.append(message))
    player.setSource(QUrl.fromLocalFile(str(film)))
    player.play()
    deadline = time.monotonic() + TIMEOUT_S
    while len(frames) < WANTED_FRAMES and not errors and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    player.stop()
    if errors:
        raise RuntimeError(f"the player refused {film.name}: {errors[0]}")
    if len(frames) < WANTED_FRAMES:
        raise RuntimeError(f"{len(frames)} frames arrived in {TIMEOUT_S:.0f} s (media status {player.mediaStatus().name})")
    width, height = frames[-1]
    return f"{len(frames)} frames of {width}x{height} through QMediaPlayer"
