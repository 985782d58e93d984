"""The service's edits of the tracks laid over the shots: music clips, captions, markers."""

from __future__ import annotations

from fractions import Fraction

from foundry_desktop.app.edit_base import EditBase, edit_errors
from foundry_desktop.app.render.caption_pixels import font_file
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.captions.styles import caption_style
from foundry_desktop.domain.project import AudioClip, Caption, CaptionStyle, Marker
from foundry_desktop.errors import InvalidEditError


class TrackEdits(EditBase):
    """Each edit here is one undo step; captions are checked (times, font) before they are stored."""

    def add_music_clip(self, clip: AudioClip) -> None:
        self._edit(
            f"Add music {clip.name}".strip(),
            self._with_timeline(lambda timeline: timeline_ops.add_audio_clip(timeline, clip)),
        )

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
    ) -> Caption:
        """Change a caption's text, frames [start, end) or style; None leaves a field as it is.

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
        self._edit(f"Change caption \"{caption.text[:30]}\"",
                   self._with_timeline(lambda timeline: timeline_ops.update_caption(timeline, caption)))
        return caption

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
