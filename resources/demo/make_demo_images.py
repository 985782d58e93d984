"""Paint the demo's two stills: a mountain valley at dawn and a sea coast at dusk.

Run it to regenerate resources/demo/valley.png and coast.png:

    .venv/bin/python resources/demo/make_demo_images.py

Everything is drawn with numpy from fixed seeds (so it is reproducible): gradient
skies, a sun with a glow, ridgelines from layered value noise, aerial haze that
grows with distance, a sea with perspective wave streaks and the sun's glitter.
Edges are anti-aliased by coverage; there is no per-pixel noise, which keeps
the PNGs small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 1920, 1080
HERE = Path(__file__).resolve().parent


def ridge(rng: np.random.Generator, width: int, octaves: int = 6, base_cells: int = 4) -> np.ndarray:
    """1-D fractal value noise in about -1..1: a mountain's skyline."""
    x = np.linspace(0, 1, width, endpoint=False)
    total = np.zeros(width)
    amplitude, cells, norm = 1.0, base_cells, 0.0
    for _ in range(octaves):
        knots = rng.uniform(-1, 1, cells + 2)
        position = x * cells
        index = position.astype(int)
        t = position - index
        t = t * t * (3 - 2 * t)
        total += amplitude * (knots[index] * (1 - t) + knots[index + 1] * t)
        norm += amplitude
        amplitude *= 0.5
        cells *= 2
    return total / norm


def vertical(top: tuple[float, ...], bottom: tuple[float, ...], y0: float, y1: float) -> np.ndarray:
    """(HEIGHT, 1, 3) colour ramp from `top` at row fraction y0 to `bottom` at y1."""
    y = np.linspace(0, 1, HEIGHT)[:, None, None]
    t = np.clip((y - y0) / max(1e-6, y1 - y0), 0, 1)
    return np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t


def coverage_below(line_y: np.ndarray) -> np.ndarray:
    """(HEIGHT, WIDTH, 1) 0..1: how much of each pixel lies below the line (in pixels)."""
    rows = np.arange(HEIGHT)[:, None] + 0.5
    return np.clip(rows - line_y[None, :] + 0.5, 0, 1)[..., None]


def sun_glow(cx: float, cy: float, radius: float, glow: float) -> tuple[np.ndarray, np.ndarray]:
    """Disc coverage and a soft glow around it, both (HEIGHT, WIDTH, 1)."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    distance = np.hypot(xx + 0.5 - cx, yy + 0.5 - cy)
    disc = np.clip(radius - distance + 0.5, 0, 1)
    halo = np.exp(-((distance / glow) ** 2)) * 0.55 + np.exp(-distance / (glow * 3)) * 0.25
    return disc[..., None], halo[..., None]


def blend(under: np.ndarray, over: np.ndarray | tuple[float, ...], alpha: np.ndarray) -> np.ndarray:
    return under * (1 - alpha) + np.asarray(over) * alpha


def valley() -> np.ndarray:
    rng = np.random.default_rng(11)
    sky = vertical((38, 42, 92), (118, 92, 150), 0.0, 0.28)
    sky = sky + vertical((0, 0, 0), (140, 82, 10), 0.22, 0.58)  # warmth towards the horizon
    image = np.broadcast_to(np.clip(sky, 0, 255), (HEIGHT, WIDTH, 3)).copy()

    sun_x, sun_y = WIDTH * 0.56, HEIGHT * 0.50
    disc, halo = sun_glow(sun_x, sun_y, 46, 170)
    image = blend(image, (255, 214, 150), np.clip(halo, 0, 1))
    image = blend(image, (255, 246, 220), disc)

    x = np.linspace(-1, 1, WIDTH)
    haze = np.array([236, 170, 130])
    layers = [
        # (skyline row as a fraction, ridge amplitude, V depth, colour, haze amount)
        (0.50, 0.07, 0.05, (92, 70, 120), 0.60),
        (0.56, 0.08, 0.10, (70, 52, 100), 0.45),
        (0.63, 0.09, 0.16, (52, 40, 80), 0.30),
        (0.72, 0.08, 0.22, (36, 30, 58), 0.16),
        (0.83, 0.06, 0.28, (22, 20, 38), 0.05),
    ]
    for row, amplitude, depth, colour, hazed in layers:
        # A valley: every range dips towards the middle, nearer ranges more steeply.
        valley_shape = -depth * (1 - np.abs(x - 0.12) ** 1.3)
        line = (row + amplitude * ridge(rng, WIDTH) - valley_shape * 0.9 - depth * 0.6) * HEIGHT
        line = np.clip(line, HEIGHT * 0.3, HEIGHT - 1)
        base = np.array(colour) * (1 - hazed) + haze * hazed
        # Each range is lit along its crest and falls into shadow below.
        rows = np.arange(HEIGHT)[:, None]
        below = np.clip((rows - line[None, :]) / (HEIGHT * 0.25), 0, 1)[..., None]
        fill = base[None, None, :] * (1.06 - 0.35 * below)
        image = blend(image, fill, coverage_below(line))
        # Mist pooling just above the next range.
        mist = np.exp(-(((rows - line[None, :] - HEIGHT * 0.035) / (HEIGHT * 0.03)) ** 2))[..., None] * 0.18
        image = blend(image, haze, mist * hazed)
    return image


def coast() -> np.ndarray:
    rng = np.random.default_rng(23)
    horizon = HEIGHT * 0.56
    sky = vertical((24, 40, 84), (92, 110, 160), 0.0, 0.32)
    sky = sky + vertical((0, 0, 0), (150, 90, 40), 0.3, 0.56)
    image = np.broadcast_to(np.clip(sky, 0, 255), (HEIGHT, WIDTH, 3)).copy()

    sun_x, sun_y = WIDTH * 0.66, horizon - 30
    disc, halo = sun_glow(sun_x, sun_y, 38, 150)
    image = blend(image, (255, 200, 140), np.clip(halo, 0, 1))
    image = blend(image, (255, 238, 205), disc)

    # The sea. Rows below the horizon stand for distances that shrink towards the
    # viewer, so wave streaks repeat evenly in 1/depth and stretch wider nearby;
    # they fade out towards the horizon, where they would be finer than a pixel.
    rows = np.arange(HEIGHT)[:, None].astype(float)
    columns = np.arange(WIDTH)[None, :].astype(float)
    depth = np.clip((rows + 0.5 - horizon) / (HEIGHT - horizon), 1e-3, 1)
    sea = vertical((168, 128, 122), (16, 44, 72), 0.56, 1.0)
    distance = 1.0 / (depth + 0.03)
    wave_number = 110.0
    period_rows = 2 * np.pi * (HEIGHT - horizon) * (depth + 0.03) ** 2 / wave_number
    visible = np.clip((period_rows - 3) / 8, 0, 1)
    streak = np.sin(distance * wave_number + 1.3 * np.sin(columns / (90 + 500 * depth)))
    breakup = 0.5 + 0.5 * np.sin(columns / (12 + 160 * depth) + 3.0 * np.sin(distance * 9.0))
    waves = (np.clip(streak, 0, 1) ** 3 * breakup * visible)[..., None]
    sea = sea * (1 - 0.18 * waves) + 0.06 * waves * np.array([200, 210, 230])
    column = np.exp(-(((columns - sun_x) / (30 + 330 * depth)) ** 2))[..., None]
    glitter = column * (0.35 + 0.9 * waves) * (1 - 0.6 * depth[..., None])
    sea = blend(sea, (255, 214, 160), np.clip(glitter, 0, 0.9))
    image = blend(image, sea, coverage_below(np.full(WIDTH, horizon)))

    # A low, hazy far headland on the right, sitting on the horizon.
    x = np.linspace(0, 1, WIDTH)
    lift = np.clip((x - 0.8) * 9, 0, 1) ** 0.7 * (0.028 + 0.008 * ridge(rng, WIDTH, octaves=5))
    far = horizon - lift * HEIGHT
    land = coverage_below(far) * (1 - coverage_below(np.full(WIDTH, horizon)))
    image = blend(image, (112, 92, 118), land)

    # The near cliff on the left: its skyline drops to the sea, and its foot meets
    # the water along a shoreline that comes towards the viewer (down and left).
    top = horizon - (0.26 * np.clip(1 - (x / 0.34) ** 1.8, 0, 1) + 0.018 * ridge(rng, WIDTH, octaves=7)) * HEIGHT
    top = np.where(x < 0.34, np.minimum(top, horizon + 2), HEIGHT + 10)
    shore_x = (0.34 - 0.24 * np.clip((rows - horizon) / (HEIGHT - horizon), 0, 1) ** 0.8) * WIDTH
    shore_x = shore_x + 14 * ridge(rng, HEIGHT, octaves=6)[:, None]
    inside = np.clip(shore_x - columns + 0.5, 0, 1)[..., None]  # anti-aliased, left of the shore
    cliff = coverage_below(top) * np.where(rows[..., None] > horizon, inside, 1.0)
    shade = np.clip((rows - top[None, :]) / (HEIGHT * 0.5), 0, 1)[..., None]
    lit = np.clip((columns / WIDTH) / 0.34, 0, 1)[..., None]  # the seaward face catches the sunset
    rock = np.array((52, 40, 44))[None, None, :] * (1.0 - 0.45 * shade) + np.array((60, 34, 20)) * lit * (1 - shade)
    rock = rock * (1 + 0.06 * np.sin(rows * 0.11 + columns * 0.004))[..., None]  # strata
    grass = np.clip(1 - (rows - top[None, :]) / 16.0, 0, 1)[..., None]  # a lit grassy lip
    rock = blend(rock, (104, 112, 64), grass * 0.75)
    image = blend(image, rock, cliff)
    # Surf along the shoreline.
    foam = np.exp(-(((columns - shore_x - 6) / (3 + 10 * depth)) ** 2)) * (rows > horizon)
    foam = foam * (0.5 + 0.5 * np.sin(rows * 0.35 + columns * 0.02) ** 2)
    image = blend(image, (228, 226, 232), np.clip(foam * 0.8, 0, 1)[..., None])
    return image


def save(image: np.ndarray, name: str) -> Path:
    path = HERE / name
    Image.fromarray(np.clip(image + 0.5, 0, 255).astype(np.uint8)).save(path, optimize=True)
    return path


def main() -> None:
    for painter, name in ((valley, "valley.png"), (coast, "coast.png")):
        path = save(painter(), name)
        print(f"{path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
