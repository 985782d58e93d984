"""The cut played frame by frame in the window, from the takes themselves.

One worker thread owns the decoders (app.playback.FrameReader) and hands back frames
through a queued signal; the GUI thread never decodes. The worker lives as long as the
player (an idle thread costs nothing); the decoders close when the film is taken away. Playing keeps a few frames read
ahead, and a timer shows, at the film's rate, the newest frame that is due: when decoding
falls behind, late frames are passed over instead of slowing the film down, so picture
and sound keep time. The clock starts when the first frame is on screen, so Space is
answered by a moving picture as soon as one frame is decoded.

Paused, `show(frame)` shows one frame; a newer request makes older ones moot (the worker
passes over them), so dragging the playhead never builds a backlog. An edit hands a new
film (`set_film`); the reader keeps the decoders of takes the edit left alone. Pausing
leaves the frame at the playhead on screen: play and pause before the first frame came
(which made the paused request moot) would otherwise leave an older frame up, even the
black of the film's fade-in, while the playhead is elsewhere.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from foundry_desktop.app.playback.film_frames import FilmFrames
from foundry_desktop.app.playback.frame_reader import FilmFrame, FrameReader
from foundry_desktop.ui.playback.slate_picture import slate_picture

# Frames decoded ahead of the one on screen: enough to ride out a slow frame (a seek at a
# cut), few enough that an edit or a pause throws little work away.
READ_AHEAD = 8
logger = logging.getLogger(__name__)


def picture_of(shown: FilmFrame, width: int, height: int) -> QImage:
    if shown.picture is None:
        assert shown.slate is not None
        return slate_picture(shown.slate, width, height)
    rows, columns = shown.picture.shape[:2]
    return QImage(shown.picture.data, columns, rows, 3 * columns, QImage.Format.Format_RGB888).copy()


class FilmPlayer(QObject):
    frame_shown = Signal(int, QImage)  # film frame, its picture: now on screen
    playing_changed = Signal(bool)
    started = Signal(int)  # playing: the first frame is on screen, the film's clock runs from it
    ended = Signal()  # played to the film's last frame
    _decoded = Signal(int, int, object)  # generation, frame, FilmFrame or None (passed over)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.film: FilmFrames | None = None
        self.frame = 0  # the frame on screen, or asked for
        self.on_screen: int | None = None  # the frame of this film whose picture is up; None: none yet
        self.playing = False
        self._reader = FrameReader()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="film-frames")
        self._generation = 0  # bumped by every seek, pause, play and edit: older reads are moot
        self._late_before = 0  # while playing: frames before this are due already, not worth decoding
        self._ready: dict[int, FilmFrame] = {}
        self._requested_to = 0  # the next frame to ask the worker for while playing
        self._origin: tuple[float, int] | None = None  # (clock, frame) playing started from
        self._decoded.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    # -- what the panel asks -------------------------------------------------------------

    def set_film(self, film: FilmFrames | None) -> None:
        """The cut changed (or a project opened): go on from the same frame with the new one."""
        self.film = film
        self.on_screen = None  # what is up is the old cut's picture
        if film is None or film.length == 0:
            self.pause()
            self._worker.submit(self._reader.close)  # a closed project's files are let go
            return
        self.frame = film.clamp(self.frame)
        if self.playing:
            self._restart_reads(max(self.frame + 1, self._late_before))
        else:
            self.show(self.frame)

    def show(self, frame: int) -> None:
        """Paused: show film frame `frame`."""
        if self.film is None or self.film.length == 0:
            return
        self.frame = self.film.clamp(frame)
        self._generation += 1
        self._request(self.frame)

    def play(self, frame: int) -> None:
        """Play from film frame `frame`."""
        film = self.film
        if film is None or film.length == 0:
            return
        self.frame = film.clamp(frame)
        self._origin = None
        self._late_before = self.frame
        self._restart_reads(self.frame)
        self.playing = True
        self._timer.start(max(1, int(500 / film.frame_rate)))  # twice a frame: shown within half of one
        self.playing_changed.emit(True)

    def pause(self) -> None:
        """Stop playing, the frame at the playhead on screen (a paused `show` still on its way
        stands)."""
        if not self.playing:
            return
        self._generation += 1
        self._ready.clear()
        self._timer.stop()
        self.playing = False
        self.playing_changed.emit(False)
        if self.on_screen != self.frame:  # paused before the frame played from came: show it
            self.show(self.frame)

    # -- the worker ------------------------------------------------------------------------

    def _restart_reads(self, frame: int) -> None:
        self._generation += 1
        self._ready.clear()
        self._requested_to = frame
        self._ask_ahead()

    def _request(self, frame: int) -> None:
        self._worker.submit(self._decode, self._generation, self.film, frame)

    def _decode(self, generation: int, film: FilmFrames, frame: int) -> None:
        """On the worker thread."""
        shown = None
        if generation == self._generation and frame >= (self._late_before if self.playing else 0):
            try:
                shown = self._reader.read(film, frame)
            except Exception:  # a bug: logged, and the frame passed over; the film plays on
                logger.exception("film frame %d could not be made", frame)
        try:
            self._decoded.emit(generation, frame, shown)
        except RuntimeError:
            pass  # the window closed while this frame was decoded: nobody to show it to

    def _ask_ahead(self) -> None:
        assert self.film is not None
        self._requested_to = max(self._requested_to, self._late_before)
        while self._requested_to < min(self.film.length, max(self.frame, self._late_before) + READ_AHEAD):
            self._request(self._requested_to)
            self._requested_to += 1

    def _arrived(self, generation: int, frame: int, shown: FilmFrame | None) -> None:
        if generation != self._generation or shown is None or self.film is None:
            return
        if not self.playing:
            self._display(shown)
            return
        self._ready[frame] = shown
        if self._origin is None:
            self._origin = (time.monotonic(), frame)  # the film's clock starts with its first picture
            self.started.emit(frame)
            self._tick()

    # -- the clock ------------------------------------------------------------------------

    def _tick(self) -> None:
        film = self.film
        if film is None or self._origin is None:
            return
        started, first = self._origin
        due = first + int((time.monotonic() - started) * film.frame_rate)
        self._late_before = min(due, film.length - 1)
        ready = sorted(frame for frame in self._ready if frame <= due)
        if ready:
            newest = self._ready[ready[-1]]
            for frame in ready:
                del self._ready[frame]
            self._display(newest)
        # The end: the last frame stays up, as players do (or, should it never come, soon after).
        if self.frame >= film.length - 1 or due >= film.length + READ_AHEAD:
            self.pause()
            self.ended.emit()
            return
        self._ask_ahead()

    def _display(self, shown: FilmFrame) -> None:
        assert self.film is not None
        self.frame = self.on_screen = shown.frame
        self.frame_shown.emit(shown.frame, picture_of(shown, self.film.width, self.film.height))
