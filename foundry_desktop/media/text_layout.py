"""Breaking text into lines that fit a width, for title cards and captions."""

from __future__ import annotations

from PIL import ImageFont


def wrap_lines(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line stands on its own line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def balanced_lines(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """As few lines as wrap_lines needs, but as even in length as they can be: a
    two-line caption reads better as two halves than as a full line and one word."""
    lines = wrap_lines(text, font, max_width)
    if len(lines) < 2:
        return lines
    narrow, wide = 0.0, max_width  # the narrowest width that still needs no more lines, bisected
    for _ in range(12):
        middle = (narrow + wide) / 2
        if len(wrap_lines(text, font, middle)) > len(lines):
            narrow = middle
        else:
            wide = middle
    return wrap_lines(text, font, wide)
