"""Caption styles (fractions of the frame, font names) turned into pixels and font files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from foundry_desktop import RESOURCES_DIR
from foundry_desktop.domain.project import CaptionStyle
from foundry_desktop.errors import InvalidEditError

# The project service checks fonts with font_file on every open; the caption drawing (PyAV, numpy,
# Pillow: a quarter of a second) is imported only when a look is made, for a render.
if TYPE_CHECKING:
    from foundry_desktop.media.render.caption_overlay import CaptionLook

BUNDLED_FONTS = {
    "DejaVu Sans": RESOURCES_DIR / "fonts" / "DejaVuSans.ttf",
    "DejaVu Sans Bold": RESOURCES_DIR / "fonts" / "DejaVuSans-Bold.ttf",
}


def font_file(font: str) -> Path:
    """A bundled font by name, or a TrueType/OpenType file the creator named."""
    if font in BUNDLED_FONTS:
        return BUNDLED_FONTS[font]
    path = Path(font).expanduser()
    if path.suffix.lower() in (".ttf", ".otf", ".ttc") and path.is_file():
        return path
    raise InvalidEditError(
        f"The caption font {font!r} is neither a bundled font ({', '.join(BUNDLED_FONTS)}) nor a font file."
    )


def caption_look(style: CaptionStyle, frame_height: int) -> CaptionLook:
    from foundry_desktop.media.render.caption_overlay import CaptionLook, parse_color

    size = max(8, round(style.size * frame_height))
    shadow = round(style.shadow_offset * size) if style.shadow_color is not None else 0
    return CaptionLook(
        font_path=font_file(style.font),
        size_px=size,
        color=parse_color(style.color),
        outline_px=round(style.outline * size),
        outline_color=parse_color(style.outline_color),
        shadow_px=shadow,
        shadow_color=parse_color(style.shadow_color or "#00000000"),
        position=style.position,
        highlight_color=None if style.highlight_color is None else parse_color(style.highlight_color),
    )
