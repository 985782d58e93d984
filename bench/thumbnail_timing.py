"""Thumbnails of a 1080p H.264 take and the sound outline of a 10-minute song: how long they take.

Run the same way each time:  .venv/bin/python bench/thumbnail_timing.py
Target (issue): a thumbnail of a 1080p H.264 take <= 25 ms.
The take is 10 s of 1920x1080 at 24 fps with a keyframe every 2 s, written the
way Foundry writes takes (VideoWriter: libx264 veryfast, CRF 20) from a moving,
textured picture so that it does not compress to nothing. Each uncached
thumbnail starts from an empty cache; one call before the timings is not
counted (it loads FFmpeg's decoders). The sound is 10 minutes of 48 kHz stereo
AAC (a tone that swells and fades, over a little noise).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foundry_desktop.media.previews.thumbnails import thumbnail
from foundry_desktop.media.encode.video_writer import VideoWriter
from foundry_desktop.media.previews.waveform import waveform_peaks
from foundry_desktop.media.encode.yuv_picture import yuv420p_frame

WIDTH, HEIGHT, FPS, TAKE_SECONDS = 1920, 1080, 24, 10
SONG_SECONDS, SONG_RATE = 600, 48000
# Between keyframes, so that exact mode has frames to decode forward.
TIMES = [0.37 + 0.97 * index for index in range(10)]


def make_take(path: Path) -> Path:
    rng = np.random.default_rng(7)
    step = 6  # pixels the picture slides each frame
    frames = TAKE_SECONDS * FPS
    # Soft blotches (coarse noise, smoothly enlarged) with a little grain: detail an
    # encoder must spend bits on, as in a generated landscape; ~240 KB keyframes.
    cell, texture_width = 16, WIDTH + step * frames
    coarse = rng.integers(30, 220, (HEIGHT // cell + 2, texture_width // cell + 2), dtype=np.uint8)
    enlarged = av.VideoFrame.from_ndarray(coarse, format="gray").reformat(
        width=coarse.shape[1] * cell, height=coarse.shape[0] * cell, interpolation="BICUBIC"
    )
    texture = enlarged.to_ndarray()[:HEIGHT, :texture_width].astype(np.int16)
    texture = np.clip(texture + rng.integers(-3, 4, texture.shape), 16, 235).astype(np.uint8)
    columns = np.arange(WIDTH // 2)
    with VideoWriter(path, width=WIDTH, height=HEIGHT, frame_rate=Fraction(FPS), keyframe_interval_s=2) as writer:
        for index in range(frames):
            y = np.ascontiguousarray(texture[:, index * step : index * step + WIDTH])
            u = np.broadcast_to(((columns + 4 * index) % 96 + 80).astype(np.uint8), (HEIGHT // 2, WIDTH // 2))
            v = np.full((HEIGHT // 2, WIDTH // 2), round(128 + 40 * np.sin(index / 12)), dtype=np.uint8)
            writer.add_frame(yuv420p_frame(y, np.ascontiguousarray(u), v))
        writer.finish()
    return path


def keyframe_kilobytes(path: Path) -> float:
    with av.open(str(path)) as container:
        sizes = [packet.size for packet in container.demux(video=0) if packet.is_keyframe and packet.size]
    return statistics.mean(sizes) / 1000


def make_song(path: Path) -> Path:
    rng = np.random.default_rng(8)
    chunk = 1024
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=SONG_RATE, layout="stereo")
        for start in range(0, SONG_SECONDS * SONG_RATE, chunk):
            times = np.arange(start, start + chunk) / SONG_RATE
            swell = 0.4 + 0.35 * np.sin(2 * np.pi * times / 20)
            tone = swell * np.sin(2 * np.pi * 220 * times)
            samples = np.stack([tone, 0.8 * tone]) + rng.normal(0, 0.02, (2, chunk))
            frame = av.AudioFrame.from_ndarray(samples.astype(np.float32), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = SONG_RATE, start, Fraction(1, SONG_RATE)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def uncached_ms(take: Path, folder: Path, exact: bool) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call (CPU: all threads; it shows what a busy machine hides)."""
    wall, cpu = [], []
    for at_s in TIMES:
        cache = folder / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        started, started_cpu = time.perf_counter(), time.process_time()
        thumbnail(take, at_s, cache, exact=exact)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def cached_ms(take: Path, folder: Path) -> list[float]:
    cache = folder / "warm-cache"
    for at_s in TIMES:
        thumbnail(take, at_s, cache)
    timings = []
    for at_s in TIMES:
        started = time.perf_counter()
        thumbnail(take, at_s, cache)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float], cpu: list[float] | None = None) -> str:
    text = f"median {statistics.median(timings):6.1f} ms   max {max(timings):6.1f} ms"
    return text if cpu is None else f"{text}   CPU median {statistics.median(cpu):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        take = make_take(folder / "take.mp4")
        megabits = take.stat().st_size * 8 / TAKE_SECONDS / 1e6
        keyframe_kb = keyframe_kilobytes(take)
        thumbnail(take, 5.0, folder / "warm-up")

        fast, fast_cpu = uncached_ms(take, folder, exact=False)
        exact, exact_cpu = uncached_ms(take, folder, exact=True)
        cached = cached_ms(take, folder)

        song = make_song(folder / "song.m4a")
        started = time.perf_counter()
        peaks = waveform_peaks(song, 100, folder / "cache")
        waveform_s = time.perf_counter() - started
        started = time.perf_counter()
        waveform_peaks(song, 100, folder / "cache")
        waveform_cached_ms = (time.perf_counter() - started) * 1000
        # Again, uncached and untimed, to see what memory the streaming decode holds at most.
        tracemalloc.start()
        waveform_peaks(song, 100, folder / "traced")
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"cores: {os.cpu_count()} (load average {load}), PyAV {av.__version__}, take {WIDTH}x{HEIGHT} {FPS} fps "
          f"{TAKE_SECONDS} s, {megabits:.1f} Mbit/s, a keyframe every 2 s ({keyframe_kb:.0f} KB each)")
    print(f"thumbnail, uncached, fast (keyframe)  {summary(fast, fast_cpu)}   (target <= 25 ms)")
    print(f"thumbnail, uncached, exact frame      {summary(exact, exact_cpu)}")
    print(f"thumbnail, cached                     {summary(cached)}")
    print(f"waveform, {SONG_SECONDS // 60} min 48 kHz stereo AAC, 100 buckets/s: {waveform_s:.2f} s "
          f"({SONG_SECONDS / waveform_s:.0f}x realtime, {len(peaks.maxima)} buckets), "
          f"cached {waveform_cached_ms:.1f} ms, Python-heap peak while decoding {peak_bytes / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
