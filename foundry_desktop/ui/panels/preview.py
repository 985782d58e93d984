"""The preview: one take, or the whole timeline from the playhead.

A take (asked for with the session's `take_preview_requested`) plays its own
file. The timeline plays a low-resolution film of the whole cut, made by
app.film_render.render_preview in a worker thread. That film is named by what
it shows, so asking for it again after an edit costs almost nothing when the
edit changed nothing visible, and a new one never overwrites the file the
player has open. While the timeline plays, the player moves the session's
playhead; when the playhead is moved from elsewhere (the timeline), the player
seeks to that frame. The picture is shown by video_view.VideoView.
"""

from __future__ import annotations

import asyncio
import logging
from fractions import Fraction
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
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

from foundry_desktop.app.render.film_render import FilmRender, render_preview
from foundry_desktop.domain.time import format_timecode
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.elided_label import ElidedLabel
from foundry_desktop.ui.panels.video_view import VideoView
from foundry_desktop.ui.project_session import ProjectSession

Mode = Literal["none", "take", "timeline"]

# Edits come in bursts (a drag, a generation run finishing shot after shot): the
# timeline preview is made again once they pause.
REFRESH_DELAY_MS = 400
NO_PROJECT_HINT = "Open a project to preview it."
IDLE_HINT = "Play the timeline to watch the cut from the playhead,\nor pick a take to watch it alone."
LOADED = (
    QMediaPlayer.MediaStatus.LoadedMedia,
    QMediaPlayer.MediaStatus.BufferingMedia,
    QMediaPlayer.MediaStatus.BufferedMedia,
    QMediaPlayer.MediaStatus.EndOfMedia,
)


def frame_centre_ms(frame: int, rate: Fraction) -> int:
    """Where to seek to show frame `frame`: its middle. Qt's player shows the frame
    before when asked for the exact start of one."""
    return round((frame + Fraction(1, 2)) * 1000 / rate)


def frame_at_ms(position_ms: int, rate: Fraction) -> int:
    return int(Fraction(position_ms) * rate / 1000)


class PreviewPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list[tuple[object, object]] = []
        self.mode: Mode = "none"
        self.frames_shown = 0  # video frames that reached the sink (tests, and a sanity check)
        self.source: Path | None = None  # the file the player has
        self.timeline_file: Path | None = None  # the latest timeline preview made
        self._timeline_version = -1  # the edit count the timeline preview was made at
        self._edits = 0
        self._rendering = False
        self._render_again = False
        self._play_after_render = False
        self._pending_seek_ms: int | None = None  # applied once the player has loaded the file
        self._play_when_loaded = False
        self._driving_playhead = False  # the playhead moves because the player does: no seek back
        self._slider_from_player = False

        self.view = VideoView(NO_PROJECT_HINT)
        # Their words change while work runs (a take's seed, a render's progress): never the panel's width.
        self.title_label = ElidedLabel()
        self.status_label = ElidedLabel()
        self.status_label.setProperty("hint", True)
        self.banner = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setProperty("banner", "error")  # the theme's inline error look
        self.banner.hide()

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)  # with no audio device it plays silently; nothing breaks
        self._connect_player()

        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._transport())

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(lambda: self._render_timeline(play=False))
        self._playback_state_changed(self.player.playbackState())
        self._show_time(0)
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
        """Play or pause, play the timeline, the position, loop, and the timecode; Space plays too."""
        self.play_button = QToolButton()
        self.play_button.clicked.connect(self.toggle_playback)
        self.timeline_button = QPushButton(
            "Play timeline", toolTip="Play the whole cut from the playhead (rendered small, in the background)")
        self.timeline_button.clicked.connect(self.play_timeline)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._slider_moved)
        self.loop_button = QToolButton(text="Loop", checkable=True, toolTip="Play again from the start at the end")
        self.loop_button.toggled.connect(self._loop_toggled)
        self.timecode_label = QLabel()
        self.timecode_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.toggle_playback)
        space.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        transport = QHBoxLayout()
        for widget in (self.play_button, self.timeline_button, self.slider, self.loop_button, self.timecode_label):
            transport.addWidget(widget, 1 if widget is self.slider else 0)
        return transport

    # -- the session ----------------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Preview this project (None: none open). Disconnects from the previous session."""
        for signal, slot in self._connections:
            signal.disconnect(slot)  # type: ignore[attr-defined]
        self._connections = []
        self._refresh_timer.stop()
        self.player.stop()
        self.player.setSource(QUrl())
        self.session, self.mode, self.source, self.timeline_file = session, "none", None, None
        self._timeline_version, self._edits = -1, 0
        self._rendering = self._render_again = self._play_after_render = self._play_when_loaded = False
        self._pending_seek_ms = None
        self.banner.hide()
        self.title_label.clear()
        self.status_label.clear()
        self.view.show_hint(IDLE_HINT if session is not None else NO_PROJECT_HINT)
        if session is not None:
            for signal, slot in (
                (session.take_preview_requested, self.show_take),
                (session.playhead_moved, self._playhead_moved),
                (session.changed, self._timeline_edited),
                (session.render_progress, self._render_progress),
            ):
                signal.connect(slot)
                self._connections.append((signal, slot))
        self._show_time(0)
        self._update_controls()

    @property
    def frame_rate(self) -> Fraction:
        return self.session.service.format.frame_rate if self.session is not None else Fraction(24)

    @property
    def playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

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
        self._refresh_timer.stop()
        self.mode = "take"
        number = session.index_of(shot_id) + 1
        shot = f"Shot {number}" if number else "A removed shot"
        self.title_label.setText(f"{shot} · take {takes.index(take) + 1} of {len(takes)} · seed {take.seed}")
        self._load(session.service.media.path_of(take.media_path), 0, play=True)

    # -- the timeline ------------------------------------------------------------------------

    def play_timeline(self) -> None:
        """Play the cut from the playhead, rendering its preview first where it is out of date."""
        session = self.session
        if session is None:
            return
        self._enter_timeline()
        if session.playhead >= session.service.cut_plan().length - 1:
            self._drive_playhead(0)  # at the end: play from the start, as players do
        if self._timeline_loaded() and self._timeline_version == self._edits:
            self._seek(frame_centre_ms(session.playhead, self.frame_rate))
            self.player.play()
        else:
            self._render_timeline(play=True)

    def _enter_timeline(self) -> None:
        if self.mode != "timeline":
            self.mode = "timeline"
            self.title_label.setText("Timeline")
            if self.source is not None and not self._timeline_loaded():
                self.player.pause()  # a take was playing: the timeline starts where the playhead is

    def _timeline_loaded(self) -> bool:
        return self.timeline_file is not None and self.source == self.timeline_file

    def _render_timeline(self, play: bool) -> None:
        """Make the timeline preview in a worker thread, then show it at the playhead."""
        session = self.session
        if session is None:
            return
        self._play_after_render = self._play_after_render or play
        if self._rendering:
            self._render_again = True  # an edit came while rendering: once more when this one ends
            return
        self._rendering, self._render_again = True, False
        version, service = self._edits, session.service
        self.status_label.setText("Rendering the timeline preview…")

        def render() -> FilmRender | FoundryError:
            try:
                return render_preview(service)
            except FoundryError as exc:
                return exc  # shown in the panel, where the creator is looking, not as a dialog

        task = session.in_thread("Preview", render, lambda result: self._rendered(session, version, result))
        task.add_done_callback(lambda finished: self._render_ended(session, finished))

    def _rendered(self, session: ProjectSession, version: int, result: FilmRender | FoundryError) -> None:
        if session is not self.session:
            return
        if isinstance(result, FoundryError):
            self._play_after_render = False
            if self.mode == "timeline":  # not over a take the creator turned to meanwhile
                self._show_error(str(result))
                if not self._timeline_loaded():
                    self.view.show_hint(IDLE_HINT)
            return
        self.banner.hide()
        self.timeline_file, self._timeline_version = result.report.media.path, version
        if self.mode != "timeline":
            return  # a take was asked for meanwhile; the film is ready for the next Play timeline
        play = self._play_after_render or self.playing
        self._play_after_render = False
        self._load(self.timeline_file, frame_centre_ms(session.playhead, self.frame_rate), play)

    def _render_ended(self, session: ProjectSession, task: asyncio.Task) -> None:
        if session is not self.session:
            return
        self._rendering = False
        if self.status_label.text().startswith("Rendering"):
            self.status_label.clear()
        failure = None if task.cancelled() else task.exception()
        if failure is not None:  # a bug, not something the creator did: in the log, and in words here
            logging.getLogger(__name__).error("The timeline preview failed", exc_info=failure)
            self._show_error(f"The timeline preview could not be made ({failure}). Your project is unchanged.")
        if self._render_again:
            self._render_timeline(play=False)
        else:
            self._play_after_render = False

    def _timeline_edited(self, _label: str) -> None:
        self._edits += 1
        if self.mode == "timeline":
            self._refresh_timer.start()  # restarted by each edit of a burst

    def _render_progress(self, fraction: float, _seconds_left: float) -> None:
        if self._rendering:
            self.status_label.setText(f"Rendering the timeline preview… {fraction:.0%}")

    def _playhead_moved(self, frame: int) -> None:
        if self._driving_playhead or self.session is None:
            return
        self._enter_timeline()
        if self._timeline_loaded():
            self._seek(frame_centre_ms(frame, self.frame_rate))
            if self._timeline_version != self._edits and not self._refresh_timer.isActive():
                self._refresh_timer.start()
        else:
            self._render_timeline(play=False)  # shown at the playhead once made

    # -- the player ---------------------------------------------------------------------------

    def _load(self, path: Path, at_ms: int, play: bool) -> None:
        self.banner.hide()
        self.view.show_video()
        if path == self.source and self.player.mediaStatus() in LOADED:
            self._seek(at_ms)
            if play:
                self.player.play()
            return
        self.source, self._pending_seek_ms, self._play_when_loaded = path, at_ms, play
        self.player.setSource(QUrl.fromLocalFile(str(path)))  # loads asynchronously
        self._update_controls()

    def _seek(self, position_ms: int) -> None:
        if self.player.mediaStatus() in LOADED:
            self.player.setPosition(position_ms)
        else:
            self._pending_seek_ms = position_ms

    def _media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._pending_seek_ms is not None:
            position, self._pending_seek_ms = self._pending_seek_ms, None
            if self._play_when_loaded:
                self.player.setPosition(position)
                self.player.play()
            else:
                self.player.pause()  # paused, so the frame at the position is shown
                self.player.setPosition(position)
            self._play_when_loaded = False
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._show_error(f"Cannot play {self.source.name if self.source else 'this file'}: "
                             f"{self.player.errorString() or 'the file is damaged or of an unknown kind'}.")
        self._update_controls()

    def _player_failed(self, _error: QMediaPlayer.Error, message: str) -> None:
        self._show_error(f"The player stopped: {message}")

    def toggle_playback(self) -> None:
        if self.playing:
            self.player.pause()
        elif self.mode == "take" and self.source is not None:
            self.player.play()
        else:
            self.play_timeline()

    def pause(self) -> None:
        self.player.pause()

    def _frame_arrived(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self.frames_shown += 1

    def _position_changed(self, position_ms: int) -> None:
        self._slider_from_player = True
        self.slider.setValue(position_ms)
        self._slider_from_player = False
        self._show_time(position_ms)
        if self.mode == "timeline" and self.playing and self.session is not None and self._timeline_loaded():
            self._drive_playhead(frame_at_ms(position_ms, self.frame_rate))

    def _drive_playhead(self, frame: int) -> None:
        assert self.session is not None
        self._driving_playhead = True
        try:
            self.session.move_playhead(frame)
        finally:
            self._driving_playhead = False

    def _slider_moved(self, position_ms: int) -> None:
        if self._slider_from_player or self.source is None:
            return
        if self.mode == "timeline" and self._timeline_loaded():
            frame = frame_at_ms(position_ms, self.frame_rate)
            self._seek(frame_centre_ms(frame, self.frame_rate))
            self._drive_playhead(frame)
        else:
            self._seek(position_ms)

    def _duration_changed(self, duration_ms: int) -> None:
        self._slider_from_player = True  # a shorter file clamps the value: that is no drag
        self.slider.setRange(0, max(0, duration_ms))
        self._slider_from_player = False
        self._show_time(self.player.position())

    def _show_time(self, position_ms: int) -> None:
        rate = self.frame_rate
        total = frame_at_ms(self.player.duration(), rate) if self.source is not None else 0
        now = min(frame_at_ms(position_ms, rate), max(0, total - 1))
        self.timecode_label.setText(f"{format_timecode(now, rate)} / {format_timecode(total, rate)}")

    def _playback_state_changed(self, _state: QMediaPlayer.PlaybackState) -> None:
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
        self.slider.setEnabled(self.source is not None)
