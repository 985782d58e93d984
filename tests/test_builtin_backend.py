"""The built-in backend: real title cards and Ken Burns takes, probed and decoded."""

from __future__ import annotations

import asyncio
import ctypes
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from video_sources import decoded_frames

from foundry_desktop import RESOURCES_DIR
from foundry_desktop.errors import GenerationError, InputFileError
from foundry_desktop.generation.backend import GenerationEvent, GenerationRequest
from foundry_desktop.generation.local.builtin import BuiltinBackend
from foundry_desktop.generation.local.ken_burns import KenBurns
from foundry_desktop.media.probe import decode_all_frames, probe_media
from foundry_desktop.media.encode.video_writer import VideoWriter


@pytest.fixture
def still(tmp_path) -> Path:
    """A 400x300 picture with a grid, so motion shows."""
    x = np.linspace(0, 255, 400)[None, :]
    y = np.linspace(0, 255, 300)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, 255 - x + 0 * y], axis=-1).astype(np.uint8)
    rgb[::25] = 255
    rgb[:, ::25] = 255
    path = tmp_path / "still.png"
    Image.fromarray(rgb).save(path)
    return path


def request(tmp_path: Path, **changes) -> GenerationRequest:
    fields = dict(
        shot_id="shot1",
        prompt="Dawn breaks over a quiet valley",
        negative_prompt="",
        seed=7,
        width=160,
        height=90,
        frame_rate=Fraction(24),
        frames=12,
        output_dir=tmp_path / "scratch",
    )
    fields.update(changes)
    return GenerationRequest(**fields)


def generate(req: GenerationRequest, backend: BuiltinBackend | None = None):
    events: list[GenerationEvent] = []
    result = asyncio.run((backend or BuiltinBackend()).generate(req, events.append))
    return result, events


def assert_take_matches(result, req: GenerationRequest) -> None:
    info = probe_media(result.path)
    assert (info.width, info.height) == (req.width, req.height)
    assert info.frame_rate == req.frame_rate
    assert info.frame_count == req.frames
    assert decode_all_frames(result.path) == req.frames
    assert info.video_codec == "h264" and not info.has_audio
    assert (result.width, result.height, result.frame_rate, result.frames) == (
        req.width,
        req.height,
        req.frame_rate,
        req.frames,
    )


def test_title_card_honours_size_rate_and_length(tmp_path):
    req = request(tmp_path, width=320, height=180, frames=30)
    result, events = generate(req)
    assert_take_matches(result, req)
    assert result.path.parent == req.output_dir
    assert result.path.name.startswith("builtin-shot1-") and result.path.suffix == ".mp4"
    assert len(result.path.stem.split("-")[-1]) == 32  # uuid4 hex
    assert result.backend_info["generator"] == "title_card"
    assert [p.name for p in req.output_dir.iterdir()] == [result.path.name]

    kinds = [event.kind for event in events]
    assert kinds[0] == "queued" and kinds[-1] == "done"
    progress = [event.progress for event in events if event.kind == "progress"]
    assert len(progress) >= 3 and progress == sorted(progress)
    assert 0 < progress[0] and progress[-1] == 1.0
    assert all(event.shot_id == "shot1" for event in events)


def test_title_card_at_an_ntsc_rate(tmp_path):
    req = request(tmp_path, frame_rate=Fraction(30000, 1001), frames=20)
    result, _ = generate(req)
    assert_take_matches(result, req)


def test_title_text_fades_in_and_is_drawn_in_white(tmp_path):
    req = request(tmp_path, width=320, height=180, frames=48, prompt="HELLO")
    frames = decoded_frames(generate(req)[0].path)
    brightest = [int(frame.min(axis=2).max()) for frame in frames]  # white needs all three channels
    assert brightest[24] > 220  # the text, mid-shot
    assert brightest[0] < brightest[24] - 60  # faded at the start
    assert brightest[-1] < brightest[24] - 60  # and at the end


def test_the_title_param_wins_over_the_prompt(tmp_path):
    by_title = generate(request(tmp_path, prompt="ignored", params={"title": "Chapter One"}))[0]
    by_prompt = generate(request(tmp_path, prompt="Chapter One"))[0]
    assert all(np.array_equal(a, b) for a, b in zip(decoded_frames(by_title.path), decoded_frames(by_prompt.path)))


def test_same_request_same_frames_other_seed_other_frames(tmp_path):
    first = decoded_frames(generate(request(tmp_path))[0].path)
    again = decoded_frames(generate(request(tmp_path))[0].path)
    other = decoded_frames(generate(request(tmp_path, seed=8))[0].path)
    assert len(first) == len(again) == len(other) == 12
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[6], other[6])


def test_title_card_moves(tmp_path):
    frames = decoded_frames(generate(request(tmp_path, prompt="", frames=48))[0].path)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 1


def test_ken_burns_honours_size_rate_and_length(tmp_path, still):
    req = request(tmp_path, input_image=still, width=192, height=108, frames=24)
    result, events = generate(req)
    assert_take_matches(result, req)
    assert result.backend_info["generator"] == "ken_burns"
    assert events[-1].kind == "done"


def test_ken_burns_is_deterministic_and_seeded(tmp_path, still):
    first = decoded_frames(generate(request(tmp_path, input_image=still))[0].path)
    again = decoded_frames(generate(request(tmp_path, input_image=still))[0].path)
    other = decoded_frames(generate(request(tmp_path, input_image=still, seed=12345))[0].path)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first[0], first[-1])  # it moves


@pytest.mark.parametrize("image_size", [(400, 300), (1000, 200), (200, 800), (1920, 1080)])
def test_ken_burns_never_looks_outside_the_image(image_size):
    image = Image.new("RGB", image_size, (90, 120, 150))
    for seed in range(40):
        move = KenBurns(image, seed, 160, 90, frames=50)
        width, height = move.image_size
        areas = []
        for index in range(50):
            left, top, right, bottom = move.view_box(index)
            assert left >= -1e-6 and top >= -1e-6 and right <= width + 1e-6 and bottom <= height + 1e-6
            assert (right - left) / (bottom - top) == pytest.approx(160 / 90, rel=1e-6)
            areas.append((right - left) * (bottom - top))
        # Eased: the zoom barely changes over the first step, most in the middle.
        steps = np.abs(np.diff(areas))
        assert steps[0] < steps[24] / 10
        # Zoom 1 at one end, 1.12..1.18 at the other.
        assert 1.12**2 - 1e-6 <= max(areas) / min(areas) <= 1.18**2 + 1e-6


def test_a_file_that_is_not_an_image_is_refused(tmp_path):
    notes = tmp_path / "notes.png"
    notes.write_text("not really a picture")
    req = request(tmp_path, input_image=notes)
    events: list[GenerationEvent] = []
    with pytest.raises(InputFileError, match=r"^notes.png is not an image Foundry can read\.$"):
        asyncio.run(BuiltinBackend().generate(req, events.append))
    assert events[-1].kind == "failed" and "notes.png" in events[-1].message
    assert not req.output_dir.exists() or list(req.output_dir.iterdir()) == []


def test_a_missing_image_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="gone.png"):
        generate(request(tmp_path, input_image=tmp_path / "gone.png"))


def test_odd_sizes_are_refused_clearly(tmp_path):
    with pytest.raises(GenerationError, match="even width and height"):
        generate(request(tmp_path, width=161))


def test_cancel_stops_a_running_generation_and_removes_its_file(tmp_path):
    backend = BuiltinBackend()
    req = request(tmp_path, frames=5000)
    events: list[GenerationEvent] = []

    async def scenario() -> None:
        def on_event(event: GenerationEvent) -> None:
            events.append(event)
            if event.kind == "progress" and len([e for e in events if e.kind == "progress"]) == 1:
                asyncio.get_running_loop().create_task(backend.cancel("shot1"))

        await backend.generate(req, on_event)

    with pytest.raises(GenerationError, match=r"^Generation of this shot was cancelled\.$"):
        asyncio.run(scenario())
    assert events[-1].kind == "failed" and events[-1].message == "Generation of this shot was cancelled."
    progress = [event.progress for event in events if event.kind == "progress"]
    assert progress[-1] < 0.5  # stopped soon after the first report, long before the end
    assert list(req.output_dir.iterdir()) == []


def test_cancelling_the_task_stops_the_worker_too(tmp_path):
    backend = BuiltinBackend()
    req = request(tmp_path, frames=5000)

    async def scenario() -> None:
        task = asyncio.create_task(backend.generate(req, lambda event: None))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())  # asyncio.run waits for the thread that waits for the worker process
    # Nothing left behind (the folder itself appears only if the worker got as far as writing).
    assert not req.output_dir.exists() or list(req.output_dir.iterdir()) == []


def test_the_event_loop_keeps_running_while_a_take_renders(tmp_path, still):
    req = request(tmp_path, input_image=still, width=640, height=360, frames=48)

    async def scenario() -> int:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        await BuiltinBackend().generate(req, lambda event: None)
        done.set()
        await ticking
        return ticks

    assert asyncio.run(scenario()) >= 10


def test_health_is_ok():
    health = asyncio.run(BuiltinBackend().health())
    assert health.ok


def test_demo_stills_are_usable(tmp_path):
    for name in ("valley.png", "coast.png"):
        path = RESOURCES_DIR / "demo" / name
        assert path.stat().st_size < 1_500_000
        with Image.open(path) as image:
            assert image.size == (1920, 1080)
        result, _ = generate(request(tmp_path, input_image=path, frames=6))
        assert decode_all_frames(result.path) == 6


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dirties the heap through glibc")
def test_encoding_is_repeatable_even_when_the_heap_is_dirty(tmp_path, still):
    """With AVX-512, x264 reads memory it never wrote at some widths (160 is one);
    whatever bytes the heap holds must not change a take."""
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    noise = np.random.default_rng().bytes(1 << 16)

    def dirty_the_heap() -> None:
        blocks = []
        for size in [*range(64, 4096, 64), *range(4096, 1 << 16, 4096)]:
            block = libc.malloc(size)
            ctypes.memmove(block, noise, size)
            blocks.append(block)
        for block in blocks:
            libc.free(block)

    move = KenBurns(Image.open(still).convert("RGB"), 7, 160, 90, frames=12)
    takes = []
    for attempt in range(4):
        # On this thread, so that the encoder allocates from the heap arena just dirtied.
        path = tmp_path / f"take{attempt}.mp4"
        with VideoWriter(path, width=160, height=90, frame_rate=Fraction(24), keyframe_interval_s=1.0) as writer:
            for index in range(12):
                dirty_the_heap()
                writer.add_frame(move.frame(index))
            writer.finish()
        takes.append(path.read_bytes())
    assert all(take == takes[0] for take in takes)
