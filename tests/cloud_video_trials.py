"""What the fal and Gemini backend tests share around their test servers: retry and poll policies
fast enough for a server on 127.0.0.1, the four aspects every listed model is tried at, a test
picture, and running one generation against a server with a backend made for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy

TASK_S = 0.1  # how long a test server's task runs before its video is ready
ENDLESS_TASK_S = 3600  # a task that never finishes by itself: for cancel and resume
# Only so that a broken backend fails the test instead of hanging it; never reached otherwise.
WAIT_S = 60
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02, max_wait_s=2)
FAST_POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)
SIZES = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (960, 960), "4:3": (1024, 768)}


def picture(path: Path, size: tuple[int, int], *, noisy: bool = False) -> Path:
    """A PNG; `noisy` makes it weigh about 3 bytes a pixel (a large input)."""
    width, height = size
    pixels = (np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8) if noisy
              else np.full((height, width, 3), (40, 120, 200), np.uint8))
    Image.fromarray(pixels).save(path)
    return path


async def generate_on(backend: Callable[[httpx.AsyncClient, Any], Any], server: Any, shot: GenerationRequest,
                      events: list | None = None):
    """The take `backend(http, server)` makes of `shot`, its events appended to `events`."""
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        return await backend(http, server).generate(shot, (events if events is not None else []).append)


def run(work):
    return asyncio.run(asyncio.wait_for(work, WAIT_S))
