"""The service's edits of the tracks laid over the shots: music clips, captions, markers.

Music clips and captions are edited by id (the timeline keeps them sorted by start, so an
index would change under a move); each change is one undo step named for what it did.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from foundry_desktop.app.edit_base import EditBase, edit_errors
from foundry_desktop.app.render.caption_pixels import font_file
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.captions.styles import caption_style, word_spans
from foundry_desktop.domain.project import AudioClip, Caption, CaptionStyle, Marker, Timeline, new_id
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.errors import InvalidEditError


class TrackEdits(EditBase):
    """Each edit here is one undo step; captions are checked (times, font) before they are stored."""

    def add_music_clip(self, clip: AudioClip) -> None:
        self._edit(
            f"Add music {clip.name}".strip(),
            self._with_timeline(lambda timeline: timeline_ops.add_audio_clip(timeline, clip)),
        )

    def music_clip(self, clip_id: str) -> AudioClip:
        clip = next((c for c in self.project.timeline.music if c.id == clip_id), None)
        if clip is None:
            raise InvalidEditError("There is no such music clip on the timeline.")
        return clip

    def update_music_clip(self, clip_id: str, label: str, **changes: Any) -> AudioClip:
        """The clip with `changes` (start, source_in, source_out, gain_db, fade_in, fade_out,
        loop, name), checked as a new clip would be, as one undo step called `label`."""
        old = self.music_clip(clip_id)
        fixed = {"id", "media_path", "content_hash"}  # which file a clip plays is not an edit of it
        unknown = sorted(name for name in changes if name in fixed or name not in AudioClip.model_fields)
        if unknown:
            raise InvalidEditError(f"A music clip has no field {', '.join(unknown)} to change.")
        merged = {**old.__dict__, **changes}
        length = merged["source_out"] - merged["source_in"]
        if length > 0 and merged["fade_in"] + merged["fade_out"] > length:
            raise InvalidEditError(f"The fades ({self._seconds(merged['fade_in'])} in, "
                                   f"{self._seconds(merged['fade_out'])} out) are longer than the clip "
                                   f"({self._seconds(length)}): shorten them first.")
        with edit_errors():
            clip = AudioClip.model_validate(merged)
        self._edit(label, self._with_timeline(lambda timeline: _replace_clip(timeline, clip_id, [clip])))
        return clip

    def choose_music_take(self, clip_id: str, take_id: str) -> AudioClip:
        """A generated clip plays its sound take `take_id` from its start: the clip keeps where it
        starts, its gain and loop, and its fades where they fit the take. One undo step."""
        old = self.music_clip(clip_id)
        take = next((t for t in self.project.takes_of(clip_id) if t.id == take_id and t.kind == "sound"), None)
        if take is None:
            raise InvalidEditError("That is not a take of this music clip (see `foundry takes P music:N`).")
        fade_in = min(old.fade_in, take.frames // 2)
        fade_out = min(old.fade_out, take.frames - fade_in)
        with edit_errors():
            clip = AudioClip.model_validate({
                **old.__dict__, "media_path": take.media_path, "content_hash": take.content_hash, "source_in": 0,
                "source_out": take.frames, "fade_in": fade_in, "fade_out": fade_out, "selected_take_id": take.id,
            })
        self._edit(f"Choose take of music {old.name}".strip(),
                   self._with_timeline(lambda timeline: _replace_clip(timeline, clip_id, [clip])))
        return clip

    def _seconds(self, frames: int) -> str:
        return f"{float(frames_to_seconds(frames, self.format.frame_rate)):.2f} s"

    def remove_music_clip(self, clip_id: str) -> None:
        name = self.music_clip(clip_id).name
        self._edit(f"Remove music {name}".strip(),
                   self._with_timeline(lambda t: timeline_ops.remove_audio_clip(t, clip_id)))

    def split_music_clip(self, clip_id: str, frame: int) -> AudioClip:
        """The clip cut in two at timeline `frame`; returns the second part. The first keeps the
        fade in, the second the fade out, each shortened to fit its part."""
        old = self.music_clip(clip_id)
        offset = frame - old.start
        if old.loop:
            raise InvalidEditError("A looping music clip cannot be split: turn Loop off first.")
        if not 0 < offset < old.source_out - old.source_in:
            raise InvalidEditError("Put the playhead inside the music clip to split it there.")
        cut = old.source_in + offset
        body = old.source_out - cut
        with edit_errors():
            first = AudioClip.model_validate({**old.__dict__, "source_out": cut, "fade_in": min(old.fade_in, offset),
                                              "fade_out": 0})
            second = AudioClip.model_validate({**old.__dict__, "id": new_id(), "start": frame, "source_in": cut,
                                               "fade_in": 0, "fade_out": min(old.fade_out, body)})
        self._edit(f"Split music {old.name}".strip(),
                   self._with_timeline(lambda timeline: _replace_clip(timeline, clip_id, [first, second])))
        return second

    def add_caption(
        self,
        text: str,
        start_seconds: str | Fraction,
        end_seconds: str | Fraction,
        style: str | CaptionStyle = "subtitle",
        word_starts: list[int] | None = None,
    ) -> Caption:
        """A caption over the film from `start_seconds` to `end_seconds`, in a named style or a
        style of its own; `word_starts` (film frames) time each word for the highlight."""
        start = self.frames_from_seconds(start_seconds, allow_zero=True)
        end = self.frames_from_seconds(end_seconds, allow_zero=True)
        length = self.cut_plan().length
        if 0 < length < end:  # an empty film: its captions may come before its shots
            raise InvalidEditError(f"The film ends at {float(length / self.format.frame_rate):.2f} s; a caption "
                                   f"must end within it (not at {float(end / self.format.frame_rate):.2f} s).")
        if isinstance(style, str):
            try:
                style = caption_style(style)
            except ValueError as exc:
                raise InvalidEditError(str(exc)) from None
        font_file(style.font)  # an unknown font is refused now, not at the render
        with edit_errors():
            caption = Caption(text=text, start=start, end=end, style=style, word_starts=word_starts)
        self._edit(
            f"Add caption \"{caption.text[:30]}\"",
            self._with_timeline(lambda timeline: timeline_ops.add_caption(timeline, caption)),
        )
        return caption

    def add_captions(self, captions: list[Caption], *, replacing: list[str] = (), label: str = "Add captions") -> None:
        """Several captions (and the removal of `replacing`, by id) as one undoable edit."""
        for caption in captions:
            font_file(caption.style.font)
        self._edit(label, self._with_timeline(
            lambda timeline: timeline_ops.replace_captions(timeline, list(replacing), captions)))

    def update_caption(
        self,
        caption_id: str,
        *,
        text: str | None = None,
        start: int | None = None,
        end: int | None = None,
        style: str | CaptionStyle | None = None,
        verb: str = "Change",
    ) -> Caption:
        """Change a caption's text, frames [start, end) or style; None leaves a field as it is.
        The undo step is called `verb` and the caption ("Move caption "Hello"").

        Its word times follow what still makes sense: moved whole (same length), they move
        with it; with the words or the length changed, they are kept where they still fit
        (one per word, inside the caption), else dropped (the highlight then spreads the
        words by length)."""
        old = next((c for c in self.project.timeline.captions if c.id == caption_id), None)
        if old is None:
            raise InvalidEditError("There is no such caption on the timeline.")
        if isinstance(style, str):
            try:
                style = caption_style(style)
            except ValueError as exc:
                raise InvalidEditError(str(exc)) from None
        if style is not None:
            font_file(style.font)
        new_text = old.text if text is None else text
        new_start = old.start if start is None else start
        new_end = old.end if end is None else end
        word_starts = old.word_starts
        if word_starts is not None and new_end - new_start == old.end - old.start:
            word_starts = [frame + new_start - old.start for frame in word_starts]
        if word_starts is not None and (
            len(word_starts) != len(new_text.split())
            or not all(new_start <= frame < new_end for frame in word_starts)
        ):
            word_starts = None
        with edit_errors():
            caption = Caption(id=old.id, text=new_text, start=new_start, end=new_end,
                              style=style or old.style, word_starts=word_starts)
        self._edit(f"{verb} caption \"{caption.text[:30]}\"",
                   self._with_timeline(lambda timeline: timeline_ops.update_caption(timeline, caption)))
        return caption

    def split_caption(self, caption_id: str, frame: int) -> Caption:
        """The caption cut in two at `frame`; returns the second part. The words spoken before
        `frame` stay in the first part and the rest go to the second; when all fall on one
        side, both parts keep the whole text (the creator then edits one)."""
        old = next((c for c in self.project.timeline.captions if c.id == caption_id), None)
        if old is None:
            raise InvalidEditError("There is no such caption on the timeline.")
        if not old.start < frame < old.end:
            raise InvalidEditError("Put the playhead inside the caption to split it there.")
        words = old.text.split()
        before = sum(1 for start, _ in word_spans(old) if start < frame)
        timed = old.word_starts
        with edit_errors():
            if 0 < before < len(words):
                first = Caption(id=old.id, text=" ".join(words[:before]), start=old.start, end=frame, style=old.style,
                                word_starts=timed[:before] if timed else None)
                second = Caption(text=" ".join(words[before:]), start=frame, end=old.end, style=old.style,
                                 word_starts=timed[before:] if timed else None)
            else:
                first = Caption(id=old.id, text=old.text, start=old.start, end=frame, style=old.style)
                second = Caption(text=old.text, start=frame, end=old.end, style=old.style)
        self._edit(f"Split caption \"{old.text[:30]}\"", self._with_timeline(
            lambda timeline: timeline_ops.replace_captions(timeline, [old.id], [first, second])))
        return second

    def remove_caption(self, caption_id: str) -> None:
        self._edit("Remove caption", self._with_timeline(lambda t: timeline_ops.remove_caption(t, caption_id)))

    def add_marker(self, frame: int, label: str = "", color: str | None = None) -> Marker:
        with edit_errors():
            marker = Marker(frame=frame, label=label, **({"color": color} if color else {}))
        self._edit(f"Add marker at frame {frame}", self._with_timeline(lambda t: timeline_ops.add_marker(t, marker)))
        return marker

    def remove_marker(self, marker_id: str) -> None:
        self._edit("Remove marker", self._with_timeline(lambda t: timeline_ops.remove_marker(t, marker_id)))

    def rename_marker(self, marker_id: str, label: str) -> None:
        self._edit(f"Rename marker \"{label.strip()[:30]}\"",
                   self._with_timeline(lambda t: timeline_ops.rename_marker(t, marker_id, label.strip())))


def _replace_clip(timeline: Timeline, clip_id: str, clips: list[AudioClip]) -> Timeline:
    """`clip_id` replaced by `clips`, the track kept in order of start (the others shared)."""
    music = [clip for clip in timeline.music if clip.id != clip_id]
    return timeline.model_copy(update={"music": sorted([*music, *clips], key=lambda clip: clip.start)})
