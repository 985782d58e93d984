"""What a creator does to music clips and captions besides dragging them: add music at the
playhead from a file dialog, type a caption in place (CaptionEntry, over the caption track),
delete or split what is selected, and the context menu of a clip or caption. Each is one
undoable edit of the app service.

`delete_selected_items` and `split_selection_at_playhead` answer False when no music clip or
caption is selected, so the timeline's Delete and split keys go on to the shots.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLineEdit, QMenu, QWidget

from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.project import AudioClip, Caption, CaptionStyle
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.drops import add_dropped_files
from foundry_desktop.ui.timeline.geometry import HEADER_WIDTH, Viewport, row_of

if TYPE_CHECKING:
    from foundry_desktop.ui.timeline.canvas import TimelineCanvas

NEW_CAPTION_SECONDS = 2  # as long as a short line takes to read
ENTRY_MIN_WIDTH = 240  # a caption typed above the track, its own span being too narrow to type in
IN_PLACE_MIN_WIDTH = 120  # the narrowest span a caption is typed in place over
SOUND_FILES = ("Sound (*.wav *.mp3 *.m4a *.aac *.flac *.ogg *.opus *.aif *.aiff);;"
               "Video with sound (*.mp4 *.mov *.mkv *.webm);;All files (*)")
FADE_PRESETS_S = (Fraction(0), Fraction(1, 2), Fraction(1), Fraction(2))


def add_music_at_playhead(session: ProjectSession, path: Path) -> None:
    """The sound file as music from the playhead (checked and copied off the GUI thread)."""
    add_dropped_files(session, [Path(path)], music=True, frame=session.playhead, index=0)


def choose_music(parent: QWidget, session: ProjectSession | None) -> None:
    """Shots > Add music…: a file dialog, then the file placed at the playhead."""
    if session is None:
        return
    path, _ = QFileDialog.getOpenFileName(parent, "Add music at the playhead", "", SOUND_FILES)
    if path:
        add_music_at_playhead(session, Path(path))


def delete_selected_items(session: ProjectSession) -> bool:
    """Delete the selected music clips or captions as one undo step (False: none selected)."""
    timeline = session.service.project.timeline
    clips = [c.id for c in timeline.music if c.id in session.selected_music]  # an undo may have taken some away
    captions = [c.id for c in timeline.captions if c.id in session.selected_captions]
    if not clips and not captions:
        return bool(session.selected_music or session.selected_captions)  # all gone: nothing to delete, no shot either
    service = session.service
    count = len(clips) + len(captions)
    label = f"Remove {count} items" if count > 1 else ("Remove music clip" if clips else "Remove caption")

    def remove() -> None:
        with service.group(label):
            for clip_id in clips:
                service.remove_music_clip(clip_id)
            for caption_id in captions:
                service.remove_caption(caption_id)

    session.edit("Delete", remove)
    session.select([])
    return True


def split_selection_at_playhead(session: ProjectSession) -> bool:
    """Split the selected music clip or caption under the playhead there and select its second
    part (False: no music clip or caption is selected; the caller splits the shot there)."""
    service, frame = session.service, session.playhead
    timeline = service.project.timeline
    if not session.selected_music and not session.selected_captions:
        return False
    if session.selected_music:
        chosen = [c for c in timeline.music if c.id in session.selected_music]
        under = [c for c in chosen if c.start < frame < c.start + c.source_out - c.source_in]
        split, kind = service.split_music_clip, "music"
    else:
        chosen = [c for c in timeline.captions if c.id in session.selected_captions]
        under = [c for c in chosen if c.start < frame < c.end]
        split, kind = service.split_caption, "captions"
    target = (under or chosen or [None])[0]
    if target is not None:  # one not under the playhead is refused in words by the service
        second = session.edit("Split", lambda: split(target.id, frame))
        if second is not None:
            session.select([], **{kind: [second.id]})
    return True


def type_caption_at_playhead(canvas: TimelineCanvas) -> None:
    """Shots > Add caption (Ctrl+T): the playhead brought into view and a caption typed there."""
    session = canvas.session
    if session is None:
        return
    holder = canvas.parentWidget()
    while holder is not None and not isinstance(holder, QDockWidget):
        holder = holder.parentWidget()
    if holder is not None:
        holder.show()  # a closed Timeline panel opens: the caption is typed where it can be seen
    x = canvas.view.x_of(session.playhead)
    if not 0 <= x < canvas.width() - ENTRY_MIN_WIDTH:
        canvas.scroll_to(canvas.view.scroll_px + x - canvas.width() / 3)
        canvas.viewport_changed.emit()
    canvas.setFocus()
    canvas.tracks.type_caption(None, session.playhead)


def entry_place(view: Viewport, start: int, end: int, width: int) -> QRect:
    """Where a caption from `start` to `end` is typed: over its own span on the caption track (its
    visible part), so the next caption stays in sight; where that is too narrow to type in, a
    wider box just above the track, from the caption's start, kept inside the timeline."""
    row = row_of("captions")
    left, right = max(view.x_of(start), float(HEADER_WIDTH)), min(view.x_of(end), float(width))
    if right - left >= IN_PLACE_MIN_WIDTH:
        return QRect(round(left), row.top, round(right - left), row.height)
    left = max(float(HEADER_WIDTH), min(left, width - ENTRY_MIN_WIDTH - 2.0))
    return QRect(round(left), row.top - row.height - 2, ENTRY_MIN_WIDTH, row.height)


class CaptionEntry(QLineEdit):
    """A caption's text typed over its span on the caption track (entry_place): Enter (or clicking away) keeps it,
    Escape leaves the track as it was. A new caption runs two seconds, or to the next one or
    the film's end, whichever comes first."""

    closed = Signal()

    def __init__(self, canvas: TimelineCanvas, caption: Caption | None, frame: int) -> None:
        super().__init__(canvas)
        self.canvas, self.caption = canvas, caption
        self._done = False
        session = canvas.session
        captions = session.service.project.timeline.captions
        self.start = caption.start if caption else frame
        if caption is not None:
            self.end = caption.end
        else:
            later = [c.start for c in captions if c.start > frame]  # it stops where the next one starts,
            film_end = [canvas.length] if canvas.length > frame else []  # or where the film ends
            default = frame + NEW_CAPTION_SECONDS * round(session.service.format.frame_rate)
            self.end = min([default, *later, *film_end])
        earlier = [c for c in captions if c.start <= self.start]
        self.style = caption.style if caption else (earlier[-1].style if earlier else CAPTION_STYLES["subtitle"])
        self.setText(caption.text if caption else "")
        self.setPlaceholderText("Type the caption; Enter keeps it, Esc cancels")
        self.setStyleSheet(f"border: 1px solid {theme.ACCENT.name()}")  # plainly the place being typed in
        self.setGeometry(entry_place(canvas.view, self.start, self.end, canvas.width()))
        self.returnPressed.connect(self.finish)
        self.show()
        self.setFocus()
        self.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            self._close()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # the line's own context menu keeps it open
            self.finish()

    def finish(self) -> None:
        """Keep what was typed: a new caption, or the caption's new text."""
        if self._done:
            return
        text, caption = self.text().strip(), self.caption
        session = self.canvas.session
        service = session.service
        self._close()
        if caption is not None and text != caption.text:
            session.edit("Caption", lambda: service.update_caption(caption.id, text=text))
        elif caption is None and text:
            rate = service.format.frame_rate
            added = session.edit("Add caption", lambda: service.add_caption(
                text, Fraction(self.start) / rate, Fraction(self.end) / rate, style=self.style))
            if added is not None:
                session.select([], captions=[added.id])

    def _close(self) -> None:
        if not self._done:
            self._done = True
            self.hide()
            self.deleteLater()
            self.closed.emit()


def show_track_menu(canvas: TimelineCanvas, item: AudioClip | Caption, at: QPoint) -> QMenu:
    """The context menu of a music clip or caption, shown at `at` (global); returned for tests."""
    menu = QMenu(canvas)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    session = canvas.session
    if isinstance(item, AudioClip):
        _music_items(menu, session, item)
    else:
        _caption_items(menu, canvas, item)
    menu.popup(at)
    return menu


def _add(menu: QMenu, text: str, run, *, checked: bool | None = None, enabled: bool = True) -> QAction:
    action = menu.addAction(text)
    if checked is not None:
        action.setCheckable(True)
        action.setChecked(checked)
    action.setEnabled(enabled)
    action.triggered.connect(lambda _checked=False: run())
    return action


def _music_items(menu: QMenu, session: ProjectSession, clip: AudioClip) -> None:
    service, rate = session.service, session.service.format.frame_rate
    body = clip.source_out - clip.source_in
    inside = 0 < session.playhead - clip.start < body and not clip.loop
    _add(menu, "Split at playhead", lambda: split_selection_at_playhead(session), enabled=inside)
    _add(menu, "Loop to the film's end", lambda: session.edit("Loop", lambda: service.update_music_clip(
        clip.id, f"{'Stop looping' if clip.loop else 'Loop'} music {clip.name}".strip(), loop=not clip.loop)),
        checked=clip.loop)
    for kind, title in (("fade_in", "Fade in"), ("fade_out", "Fade out")):
        sub = menu.addMenu(title)
        other = clip.fade_out if kind == "fade_in" else clip.fade_in
        for seconds in FADE_PRESETS_S:
            frames = min(body - other, round(seconds * rate))
            text = "None" if not seconds else f"{float(seconds):g} s"
            _add(sub, text, lambda kind=kind, frames=frames, title=title: session.edit(title, lambda: (
                service.update_music_clip(clip.id, f"{title} music {clip.name}".strip(), **{kind: frames}))),
                checked=getattr(clip, kind) == frames)
    _add(menu, "Gain to 0 dB", lambda: session.edit("Gain", lambda: service.update_music_clip(
        clip.id, f"Change the gain of music {clip.name}".strip(), gain_db=0.0)), enabled=clip.gain_db != 0)
    menu.addSeparator()
    _add(menu, "Delete", lambda: delete_selected_items(session))


def _caption_items(menu: QMenu, canvas: TimelineCanvas, caption: Caption) -> None:
    session = canvas.session
    service = session.service
    _add(menu, "Edit text", lambda: canvas.tracks.type_caption(caption, caption.start))
    _add(menu, "Split at playhead", lambda: split_selection_at_playhead(session),
         enabled=caption.start < session.playhead < caption.end)
    styles = menu.addMenu("Style")
    for name, style in CAPTION_STYLES.items():
        _add(styles, name.capitalize(), lambda style=style: _restyle(session, caption, style),
             checked=caption.style == style)
    menu.addSeparator()
    _add(menu, "Delete", lambda: delete_selected_items(session))


def _restyle(session: ProjectSession, caption: Caption, style: CaptionStyle) -> None:
    session.edit("Caption style", lambda: session.service.update_caption(caption.id, style=style))
