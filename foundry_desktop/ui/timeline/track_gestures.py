"""The pointer on the music and caption tracks: a click selects a clip or caption (and no shot),
a drag moves it, its edges trim it, a music clip's top corners drag its fades and its gain line
(the rubber band) drags up and down; a double-click on the caption track types a caption there
(or edits the one clicked). Each finished drag is one undoable edit of the app service; while
it runs, the timeline paints the item where it would land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QRectF, Qt

from foundry_desktop.domain.project import AudioClip, Caption
from foundry_desktop.domain.time import format_timecode, frames_to_seconds
from foundry_desktop.ui.timeline.geometry import DRAG_START_PX, EDGE_GRAB_PX, snapped
from foundry_desktop.ui.timeline.track_commands import CaptionEntry, show_track_menu
from foundry_desktop.ui.timeline.track_painting import (
    HANDLE_PX,
    caption_boxes,
    gain_at,
    gain_y,
    music_boxes,
)
from foundry_desktop.ui.timeline.waveforms import Waveforms

if TYPE_CHECKING:
    from foundry_desktop.ui.timeline.canvas import TimelineCanvas

GAIN_GRAB_PX = 4
CURSORS = {"move": Qt.CursorShape.OpenHandCursor, "trim_in": Qt.CursorShape.SizeHorCursor,
           "trim_out": Qt.CursorShape.SizeHorCursor, "fade_in": Qt.CursorShape.SizeHorCursor,
           "fade_out": Qt.CursorShape.SizeHorCursor, "gain": Qt.CursorShape.SizeVerCursor}
LABELS = {"move": "Move", "trim_in": "Trim", "trim_out": "Trim", "fade_in": "Fade in", "fade_out": "Fade out",
          "gain": "Change the gain of"}


@dataclass
class _ItemDrag:
    kind: str  # a key of CURSORS
    item: AudioClip | Caption
    box: QRectF
    start: QPoint
    active: bool = False  # past DRAG_START_PX: a press that never moves is a click
    changes: dict[str, Any] = field(default_factory=dict)  # what releasing here would change


class TrackGestures(QObject):
    """The canvas's music and caption tracks under the pointer; see the module docstring."""

    def __init__(self, canvas: TimelineCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.waveforms = Waveforms(self)
        self.waveforms.ready.connect(canvas.update)
        self._drag: _ItemDrag | None = None
        self.entry: CaptionEntry | None = None  # a caption being typed

    # -- what is drawn (a drag in progress shows where the item would land) -------------

    def music(self) -> list[AudioClip]:
        clips = list(self.canvas.session.service.project.timeline.music) if self.canvas.session else []
        drag = self._drag
        if drag is not None and drag.active and isinstance(drag.item, AudioClip):
            moved = drag.item.model_copy(update=drag.changes)
            clips = sorted([moved if clip.id == moved.id else clip for clip in clips], key=lambda clip: clip.start)
        return clips

    def captions(self) -> list[Caption]:
        captions = list(self.canvas.session.service.project.timeline.captions) if self.canvas.session else []
        drag = self._drag
        if drag is not None and drag.active and isinstance(drag.item, Caption):
            moved = drag.item.model_copy(update=drag.changes)
            captions = [moved if caption.id == moved.id else caption for caption in captions]
        return captions

    def item_at(self, track: str, x: float, y: float) -> tuple[AudioClip | Caption, QRectF] | None:
        """The clip or caption under the pointer (the last drawn, so the one on top)."""
        view = self.canvas.view
        boxes = music_boxes(view, self.music(), self.canvas.length) if track == "music" \
            else caption_boxes(view, self.captions())
        return next(((item, box) for item, box in reversed(boxes) if box.contains(x, y)), None)

    def zone(self, item: AudioClip | Caption, box: QRectF, x: float, y: float) -> str:
        """What dragging from (x, y) on the item does."""
        if isinstance(item, AudioClip):
            fade_in = box.left() + item.fade_in * self.canvas.view.px_per_frame
            fade_out = box.right() - item.fade_out * self.canvas.view.px_per_frame
            if y - box.top() <= HANDLE_PX + 2:
                if abs(x - fade_in) <= HANDLE_PX:
                    return "fade_in"
                if abs(x - fade_out) <= HANDLE_PX:
                    return "fade_out"
        if x - box.left() <= EDGE_GRAB_PX:
            return "trim_in"
        if box.right() - x <= EDGE_GRAB_PX and not (isinstance(item, AudioClip) and item.loop):
            return "trim_out"  # a looping clip's end is the film's: its length is the loop's, in the inspector
        if isinstance(item, AudioClip) and abs(y - gain_y(box, item.gain_db)) <= GAIN_GRAB_PX:
            return "gain"
        return "move"

    # -- the pointer --------------------------------------------------------------------

    def press(self, track: str, x: float, y: float, add: bool = False) -> None:
        """A press on the track: selects the item under it (`add`, Ctrl held: adds it to, or takes
        it from, the selected items of that track) and may start dragging it."""
        session = self.canvas.session
        found = self.item_at(track, x, y)
        if found is None:
            session.select([])
            return
        item, box = found
        kind = "music" if track == "music" else "captions"
        chosen = list(session.selected_music if kind == "music" else session.selected_captions) if add else []
        session.select([], **{kind: [i for i in chosen if i != item.id] if item.id in chosen else [*chosen, item.id]})
        if add:
            return  # Ctrl+click picks; it does not drag
        self._drag = _ItemDrag(self.zone(item, box, x, y), item, box, QPoint(round(x), round(y)))

    def tooltip(self, track: str | None, x: float, y: float) -> str | None:
        """What a music clip or caption under the pointer is, in words (None: not over one)."""
        found = self.item_at(track, x, y) if track in ("music", "captions") else None
        if found is None:
            return None
        item, rate = found[0], self.canvas.session.service.format.frame_rate
        at = format_timecode(item.start, rate)
        if isinstance(item, Caption):
            return f"{item.text}\n{at}, {float(frames_to_seconds(item.end - item.start, rate)):.2f} s"
        length = float(frames_to_seconds(item.source_out - item.source_in, rate))
        fades = f"fades {float(frames_to_seconds(item.fade_in, rate)):.2f} s in, " \
                f"{float(frames_to_seconds(item.fade_out, rate)):.2f} s out"
        return (f"{item.name}\n{at}, {length:.2f} s{' looped to the end' if item.loop else ''}\n"
                f"gain {item.gain_db:+.1f} dB, {fades}")

    def hover(self, track: str | None, x: float, y: float) -> Qt.CursorShape | None:
        """The cursor over a music clip or caption (None: not over one)."""
        found = self.item_at(track, x, y) if track in ("music", "captions") else None
        return CURSORS[self.zone(*found, x, y)] if found else None

    def move(self, x: float, y: float) -> bool:
        """A drag of a clip or caption goes on (False: none is being dragged)."""
        drag = self._drag
        if drag is None:
            return False
        if not drag.active and (QPoint(round(x), round(y)) - drag.start).manhattanLength() < DRAG_START_PX:
            return True
        drag.active = True
        drag.changes = self._changes(drag, x, y)
        self.canvas.update()
        return True

    def release(self) -> bool:
        drag, self._drag = self._drag, None
        if drag is None:
            return False
        if drag.active and drag.changes:
            self._apply(drag)
        self.canvas.update()
        return True

    def _changes(self, drag: _ItemDrag, x: float, y: float) -> dict[str, Any]:
        item, view = drag.item, self.canvas.view
        if drag.kind == "gain":
            # The line follows the pointer from where it was taken, not to it: no jump on the first move.
            return {"gain_db": gain_at(drag.box, gain_y(drag.box, item.gain_db) + y - drag.start.y())}
        music = isinstance(item, AudioClip)
        length = item.source_out - item.source_in if music else item.end - item.start
        if drag.kind in ("fade_in", "fade_out"):
            edge = drag.box.left() if drag.kind == "fade_in" else drag.box.right()
            other = item.fade_out if drag.kind == "fade_in" else item.fade_in
            frames = round(abs(x - edge) / view.px_per_frame)
            return {drag.kind: max(0, min(length - other, frames))}
        shift = (x - drag.start.x()) / view.px_per_frame
        targets = self._snap_targets(item)
        if drag.kind == "move":
            start = snapped(item.start + shift, targets, view.px_per_frame)
            if start == round(item.start + shift):  # the start did not snap: perhaps the end does
                start = snapped(item.start + length + shift, targets, view.px_per_frame) - length
            start = max(0, start)
            return {"start": start} if music else {"start": start, "end": start + length}
        if drag.kind == "trim_in":
            start = snapped(item.start + shift, targets, view.px_per_frame)
            lowest = item.start - item.source_in if music else 0  # a clip cannot start before its file
            start = max(lowest, 0, min(item.start + length - 1, start))
            if not music:
                return {"start": start}
            body = length - (start - item.start)
            fade_in = min(item.fade_in, body)
            return {"start": start, "source_in": item.source_in + start - item.start, "fade_in": fade_in,
                    "fade_out": min(item.fade_out, body - fade_in)}
        end = max(item.start + 1, snapped(item.start + length + shift, targets, view.px_per_frame))
        if not music:
            return {"end": end}
        return self._trimmed_end(item, end - item.start)

    def _trimmed_end(self, clip: AudioClip, body: int) -> dict[str, Any]:
        """The clip `body` frames long, no longer than its file (once its length is known)."""
        seconds = self.waveforms.seconds(clip)
        if seconds is not None:
            rate = self.canvas.session.service.format.frame_rate
            body = min(body, max(1, int(seconds * rate) - clip.source_in))
        elif body > clip.source_out - clip.source_in:
            body = clip.source_out - clip.source_in  # its file's length is not known yet: only shorter
        fade_out = min(clip.fade_out, body)
        return {"source_out": clip.source_in + body, "fade_out": fade_out, "fade_in": min(clip.fade_in, body - fade_out)}

    def _snap_targets(self, item: AudioClip | Caption) -> list[int]:
        """The cuts, the playhead, and the ends of the track's other items."""
        session = self.canvas.session
        others = self.music() if isinstance(item, AudioClip) else self.captions()
        ends = [e for other in others if other.id != item.id
                for e in (other.start, other.start + other.source_out - other.source_in
                          if isinstance(other, AudioClip) else other.end)]
        return [*self.canvas._cut_points(), session.playhead, *ends]

    def _apply(self, drag: _ItemDrag) -> None:
        session = self.canvas.session
        service = session.service
        item = drag.item
        if isinstance(item, AudioClip):
            label = f"{LABELS[drag.kind]} music {item.name}".strip()
            session.edit(label, lambda: service.update_music_clip(item.id, label, **drag.changes))
        else:
            verb = "Move" if drag.kind == "move" else "Trim"
            session.edit("Caption", lambda: service.update_caption(item.id, verb=verb, **drag.changes))

    # -- typing captions, menus -------------------------------------------------------------

    def double_click(self, track: str, x: float, y: float) -> bool:
        """On the caption track: type a caption there, or edit the one clicked."""
        if track != "captions" or self.canvas.session is None:
            return False
        found = self.item_at(track, x, y)
        self.type_caption(found[0] if found else None, max(0, round(self.canvas.view.frame_at(x))))
        return True

    def type_caption(self, caption: Caption | None, frame: int) -> None:
        """The inline editor over `caption`, or over a new caption starting at `frame`."""
        if self.entry is not None:
            self.entry.finish()
        self.entry = CaptionEntry(self.canvas, caption, frame)
        self.entry.closed.connect(self._entry_closed)

    def _entry_closed(self) -> None:
        self.entry = None
        self.canvas.setFocus()

    def context_menu(self, track: str | None, x: float, y: float, at: QPoint) -> bool:
        found = self.item_at(track, x, y) if track in ("music", "captions") else None
        if found is None:
            return False
        item = found[0]
        self.canvas.session.select([], **{"music" if track == "music" else "captions": [item.id]})
        show_track_menu(self.canvas, item, at)
        return True
