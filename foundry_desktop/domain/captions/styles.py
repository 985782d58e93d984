"""Named caption looks a creator starts from, and when each word of a caption is spoken.

A caption keeps its whole style (not a reference to a preset), so changing
what a preset looks like never changes a film that was already captioned.
"""

from __future__ import annotations

from foundry_desktop.domain.project import Caption, CaptionStyle

CAPTION_STYLES: dict[str, CaptionStyle] = {
    # Subtitles: small, low in the frame, readable over anything.
    "subtitle": CaptionStyle(),
    # A title over the picture: large, centred.
    "title": CaptionStyle(size=0.09, outline=0.05, position="middle"),
    # Short-form social video: big words, heavy outline, the spoken word in yellow.
    "social": CaptionStyle(size=0.075, outline=0.12, shadow_color=None, position="middle", highlight_color="#ffd60a"),
    # Quiet text for documentary work: regular weight, shadow only.
    "plain": CaptionStyle(font="DejaVu Sans", outline=0.0, shadow_offset=0.05, shadow_color="#000000c0"),
}


def caption_style(name: str) -> CaptionStyle:
    try:
        return CAPTION_STYLES[name]
    except KeyError:
        raise ValueError(f"There is no caption style {name!r}; choose one of {', '.join(CAPTION_STYLES)}.") from None


def word_spans(caption: Caption) -> list[tuple[int, int]]:
    """[start, end) film frames of each word: as timed, or spread over the caption by
    length (a long word takes longer to say) when the words carry no times."""
    words = caption.text.split()
    if caption.word_starts is not None:
        starts = list(caption.word_starts)
    else:
        total = sum(len(word) for word in words)
        length = caption.end - caption.start
        starts, before = [], 0
        for word in words:
            starts.append(caption.start + length * before // total)
            before += len(word)
    ends = [*starts[1:], caption.end]
    return list(zip(starts, ends, strict=True))
