"""Draws Foundry Desktop's icon (resources/icons/foundry.png, 256x256): a strip of film
frames glowing like metal from a forge. Run it to make the picture again:
    python resources/icons/make_icon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = 256
ACCENT = (224, 138, 46)  # the theme's accent (ui/theme.py)
DARK = (26, 27, 30)


def draw() -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    big = SIZE * scale
    icon = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((8 * scale, 8 * scale, big - 8 * scale, big - 8 * scale), radius=52 * scale, fill=DARK)
    # A glow behind the strip.
    glow = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse((48 * scale, 70 * scale, big - 48 * scale, big - 70 * scale), fill=(*ACCENT, 150))
    icon.alpha_composite(glow.filter(ImageFilter.GaussianBlur(28 * scale)))
    # The film strip: three frames with sprocket holes above and below.
    top, bottom = 78 * scale, big - 78 * scale
    left, right = 36 * scale, big - 36 * scale
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((left, top, right, bottom), radius=10 * scale, fill=ACCENT)
    hole = 9 * scale
    for x in range(left + 14 * scale, right - 10 * scale, 24 * scale):
        for y in (top + 8 * scale, bottom - 8 * scale - hole):
            draw.rounded_rectangle((x, y, x + hole, y + hole), radius=2 * scale, fill=DARK)
    frame_top, frame_bottom = top + 26 * scale, bottom - 26 * scale
    width = (right - left - 4 * 10 * scale) // 3
    for index in range(3):
        x = left + 10 * scale + index * (width + 10 * scale)
        shade = (255, 236, 200) if index == 1 else (255, 214, 160)
        draw.rounded_rectangle((x, frame_top, x + width, frame_bottom), radius=4 * scale, fill=shade)
    return icon.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    draw().save(Path(__file__).with_name("foundry.png"))
