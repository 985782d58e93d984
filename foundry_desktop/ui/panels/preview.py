"""The preview: one take, or the whole cut from the playhead.

A take (asked for with the session's `take_preview_requested`) plays its own file through
Qt's media player. The cut plays frame by frame from the takes themselves
(ui.playback.FilmPlayer): it starts as soon as one frame is decoded, shows a slate for a
shot without a usable take and plays on, and after an edit goes on with the new cut. (It
replaced a low-resolution render of the whole cut, which made Space wait for a render and
refused to play a cut with one shot not generated; the render is for the final film.)
Paused, it shows the frame at the playhead; while it plays, it moves the playhead.
The picture is shown by video_view.VideoView.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QFontDatabase, QImage
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.exchange.conform_keys import film_timecode_at
from foundry_desktop.app.playback.film_frames import FilmFrames, film_frames
from foundry_desktop.domain.time import format_timecode
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.elided_label import ElidedLabel
from foundry_desktop.ui.panels.video_view import VideoView
from foundry_desktop.ui.playback.film_player import FilmPlayer
from foundry_desktop.ui.playback.film_sound_output import FilmSoundOutput
from foundry_desktop.ui.project_session import ProjectSession

Mode = Literal["none", "take", "timeline"]

# Edits come in bursts (a drag, a generation run finishing shot after shot): the cut is
# read again once per burst, well within the second an edit may take to show.
REFRESH_DELAY_MS = 40
NO_PROJECT_HINT = "Open a project to preview it."
EMPTY_HINT = "The timeline has no shots yet.\nAdd a shot to see it here."


def frame_at_ms(position_ms: int, rate: Fraction) -> int:
    return int(Fraction(position_ms) * rate / 1000)


class PreviewPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list[tuple[object, object]] = []
        self.mode: Mode = "none"
        self.frames_shown = 0  # pictures that reached the screen (tests, and a sanity check)
        self.source: Path | None = None  # the take file the media player has
        self.film: FilmFrames | None = None  # the cut as it plays now
        self._driving_playhead = False  # the playhead moves because the player does: no seek back
        self._slider_from_player = False

        self.view = VideoView(NO_PROJECT_HINT)
        # Its words change as takes and the cut are shown: never the panel's width.
        self.title_label = ElidedLabel()
        self.banner = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setProperty("banner", "error")  # the theme's inline error look
        self.banner.hide()

        self.player = QMediaPlayer(self)  # a take
        self.audio = QAudioOutput(self)  # with no audio device it plays silently; nothing breaks
        self._connect_player()
        self.film_player = FilmPlayer(self)  # the cut
        self.film_player.frame_shown.connect(self._film_frame_shown)
        self.film_player.playing_changed.connect(self._playback_state_changed)
        self.film_player.ended.connect(self._film_ended)
        self.sound = FilmSoundOutput(self)  # the cut's sound, where the machine has an output
        self.film_player.started.connect(self._start_sound)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._transport())

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._read_cut)
        self._playback_state_changed()
        self._show_time()
        self._update_controls()

    def _connect_player(self) -> None:
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.view.video)
        self.view.video.videoSink().videoFrameChanged.connect(self._frame_arrived)
        self.player.positionChanged.connect(self._position_changed)
        self.player.durationChanged.connect(self._duration_changed)
        self.player.playbackStateChanged.connect(self._playback_state_changed)
        self.player.mediaStatusChanged.connect(self._media_status_changed)
        self.player.errorOccurred.connect(self._player_failed)

    def _transport(self) -> QHBoxLayout:
        """Play or pause, play the timeline, the position, loop, and the timecode. (Space is the
        window's Play / pause: a second Space shortcut here made the key ambiguous, so it did nothing.)"""
        self.play_button = QToolButton()
        self.play_button.clicked.connect(self.toggle_playback)
        self.timeline_button = QPushButton("Play timeline", toolTip="Play the whole cut from the playhead")
        self.timeline_button.clicked.connect(self.play_timeline)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._slider_moved)
        self.loop_button = QToolButton(text="Loop", checkable=True, toolTip="Play again from the start at the end")
        self.loop_button.toggled.connect(self._loop_toggled)
        self.timecode_label = QLabel()
        self.timecode_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        transport = QHBoxLayout()
        for widget in (self.play_button, self.timeline_button, self.slider, self.loop_button, self.timecode_label):
            transport.addWidget(widget, 1 if widget is self.slider else 0)
        return transport

    # -- the session ----------------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Preview this project (None: none open), at its playhead. Disconnects from the previous one."""
        for signal, slot in self._connections:
            signal.disconnect(slot)  # type: ignore[attr-defined]
        self._connections = []
        self._refresh_timer.stop()
        self.player.stop()
        self.player.setSource(QUrl())
        self.film_player.set_film(None)
        self.session, self.mode, self.source, self.film = session, "none", None, None
        self.banner.hide()
        self.title_label.clear()
        self.view.show_hint(NO_PROJECT_HINT)
        if session is not None:
            for signal, slot in (
                (session.take_preview_requested, self.show_take),
                (session.playhead_moved, self._playhead_moved),
                (session.changed, self._timeline_edited),
            ):
                signal.connect(slot)
                self._connections.append((signal, slot))
            self._enter_timeline()
        self._show_time()
        self._update_controls()

    @property
    def frame_rate(self) -> Fraction:
        return self.session.service.format.frame_rate if self.session is not None else Fraction(24)

    @property
    def playing(self) -> bool:
        return self.film_player.playing or self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    # -- a take -----------------------------------------------------------------------------

    def show_take(self, shot_id: str, take_id: str) -> None:
        """Play one take of one shot, from its start."""
        session = self.session
        if session is None:
            return
        takes = session.service.project.takes_of(shot_id)
        take = next((t for t in takes if t.id == take_id), None)
        if take is None:
            self._show_error("That take is no longer in the project.")
            return
        if not session.service.media.exists(take.media_path):
            self._show_error(f"The file of this take is missing from the project's media folder "
                             f"({take.media_path}); generate the shot again.")
            return
        self.film_player.pause()
        self.mode = "take"
        number = session.index_of(shot_id) + 1
        shot = f"Shot {number}" if number else "A removed shot"
        self.title_label.setText(f"{shot} · take {takes.index(take) + 1} of {len(takes)} · seed {take.seed}")
        self._load(session.service.media.path_of(take.media_path), 0, play=True)

    # -- the cut ---------------------------------------------------------------------------

    def play_timeline(self) -> None:
        """Play the cut from the playhead (from the start when the playhead is at the end)."""
        session = self.session
        if session is None:
            return
        self._enter_timeline()
        if self.film is None:
            self._show_error("Nothing to play yet: the timeline has no shots.")
            return
        start = session.playhead if session.playhead < self.film.length - 1 else 0
        self._drive_playhead(start)
        self.film_player.play(start)

    def _enter_timeline(self) -> None:
        """Show the cut at the playhead (a take may have been playing)."""
        if self.mode == "timeline":
            return
        self.mode = "timeline"
        self.title_label.setText("Timeline")
        self.player.pause()
        self.source = None
        self._read_cut()

    def _read_cut(self) -> None:
        """The cut as it is now (after an edit, or on opening), shown from the same frame."""
        session = self.session
        if session is None or self.mode != "timeline":
            return
        film = film_frames(session.service)
        self.film = film if film.length else None
        if self.film is None:
            self.film_player.set_film(None)
            self.view.show_hint(EMPTY_HINT)
        else:
            self.film_player.frame = session.playhead
            self.film_player.set_film(self.film)
            if self.film_player.playing and self.sound.sounding:
                self._start_sound(self.film_player.frame)  # the edited cut's sound, from here
        self._slider_from_player = True  # a shorter cut clamps the value: that is no drag
        self.slider.setRange(0, max(0, (self.film.length if self.film else 0) - 1))
        self.slider.setValue(session.playhead)
        self._slider_from_player = False
        self._show_time()
        self._update_controls()

    def _timeline_edited(self, _label: str) -> None:
        self._refresh_timer.start()  # restarted by each edit of a burst

    def _playhead_moved(self, frame: int) -> None:
        if self._driving_playhead or self.session is None:
            return
        self._enter_timeline()
        if self.film_player.playing:
            self.film_player.play(frame)  # moved while playing: play on from there
        else:
            self.film_player.show(frame)
        self._slider_from_player = True
        self.slider.setValue(frame)
        self._slider_from_player = False
        self._show_time()

    def _film_frame_shown(self, frame: int, picture: QImage) -> None:
        if self.mode != "timeline":
            return
        self.frames_shown += 1
        self.banner.hide()
        self.view.show_picture(picture)
        if self.film_player.playing:
            self._drive_playhead(frame)
            self._slider_from_player = True
            self.slider.setValue(frame)
            self._slider_from_player = False
            self._show_time()

    def _start_sound(self, frame: int) -> None:
        if self.session is not None:
            self.sound.start(self.session.service, frame)

    def _film_ended(self) -> None:
        if self.loop_button.isChecked():
            self.play_timeline()  # from the start: the playhead is at the end

    def _drive_playhead(self, frame: int) -> None:
        assert self.session is not None
        self._driving_playhead = True
        try:
            self.session.move_playhead(frame)
        finally:
            self._driving_playhead = False

    # -- the take player ---------------------------------------------------------------------

    def _load(self, path: Path, at_ms: int, play: bool) -> None:
        self.banner.hide()
        self.view.show_video()
        self.source = path
        self.player.setSource(QUrl.fromLocalFile(str(path)))  # loads asynchronously
        self.player.setPosition(at_ms)
        if play:
            self.player.play()
        self._update_controls()

    def _media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._show_error(f"Cannot play {self.source.name if self.source else 'this file'}: "
                             f"{self.player.errorString() or 'the file is damaged or of an unknown kind'}.")
        self._update_controls()

    def _player_failed(self, _error: QMediaPlayer.Error, message: str) -> None:
        self._show_error(f"The player stopped: {message}")

    def toggle_playback(self) -> None:
        if self.playing:
            self.pause()
        elif self.mode == "take" and self.source is not None:
            self.player.play()
        else:
            self.play_timeline()

    def pause(self) -> None:
        self.player.pause()
        self.film_player.pause()

    def _frame_arrived(self, frame: QVideoFrame) -> None:
        if frame.isValid() and self.mode == "take":
            self.frames_shown += 1

    def _position_changed(self, position_ms: int) -> None:
        if self.mode != "take":
            return
        self._slider_from_player = True
        self.slider.setValue(position_ms)
        self._slider_from_player = False
        self._show_time()

    def _slider_moved(self, value: int) -> None:
        if self._slider_from_player or self.session is None:
            return
        if self.mode == "take":
            self.player.setPosition(value)
        else:
            self.session.move_playhead(value)  # frames: the preview follows the playhead

    def _duration_changed(self, duration_ms: int) -> None:
        if self.mode != "take":
            return
        self._slider_from_player = True  # a shorter file clamps the value: that is no drag
        self.slider.setRange(0, max(0, duration_ms))
        self._slider_from_player = False
        self._show_time()

    def _show_time(self) -> None:
        """Where the picture is, and how long what plays is: the playhead in the cut, or the take's time."""
        rate = self.frame_rate
        if self.mode == "take":
            total = frame_at_ms(self.player.duration(), rate)
            now = min(frame_at_ms(self.player.position(), rate), max(0, total - 1))
        else:
            total = self.film.length if self.film is not None else 0
            now = min(self.session.playhead if self.session is not None else 0, max(0, total - 1))
        at = format_timecode(now, rate)
        if self.mode != "take" and self.session is not None:  # in the cut: the film's timecode, as an editor's reads
            at = film_timecode_at(self.session.service.project, now)
        self.timecode_label.setText(f"{at} / {format_timecode(total, rate)}")

    def _playback_state_changed(self, *_state: object) -> None:
        if not self.film_player.playing:
            self.sound.stop()
        icon = QStyle.StandardPixmap.SP_MediaPause if self.playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setToolTip("Pause (Space)" if self.playing else "Play (Space)")

    def _loop_toggled(self, looping: bool) -> None:
        self.player.setLoops(QMediaPlayer.Loops.Infinite if looping else QMediaPlayer.Loops.Once)

    def _show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()

    def _update_controls(self) -> None:
        has_session = self.session is not None
        self.play_button.setEnabled(has_session)
        self.timeline_button.setEnabled(has_session)
        self.slider.setEnabled(self.source is not None if self.mode == "take" else self.film is not None)
