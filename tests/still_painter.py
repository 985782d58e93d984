"""A text-to-image backend for tests of keyframes: it paints a real PNG whose colour comes from
the request's seed, like a service that takes a task, answers with its id and is followed by it.

It stands in for the image backends (built-in, ComfyUI, the cloud) that the stills part brings;
what it checks is the job machinery around them: requests, resume after a crash, costs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from PIL import Image

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import BackendHealth, GenerationEvent, GenerationRequest, GenerationResult

PRICE = 2.0


class StillPainter:
    name = "painter"
    cost_unit = "stability-credits"
    outputs = frozenset({"still"})

    def __init__(self) -> None:
        self.submissions = 0
        self.requests: list[GenerationRequest] = []
        self.resumed: list[str] = []
        self.hold: asyncio.Event | None = None  # set: every task waits for it before it is done
        self.refuse: str | None = None  # set: every task fails with this message

    def estimate_cost(self, request: GenerationRequest) -> float:
        return PRICE

    async def generate(self, request: GenerationRequest, on_event) -> GenerationResult:
        if request.output != "still":
            raise AssertionError(f"the painter makes stills, and was asked for {request.output}")
        self.submissions += 1
        remote_id = f"task-{self.submissions}"
        on_event(GenerationEvent("submitting", request.shot_id, server="painter", remote_id=remote_id))
        self.requests.append(request)
        on_event(GenerationEvent("submitted", request.shot_id, server="painter", remote_id=remote_id))
        if self.hold is not None:
            await self.hold.wait()
        if self.refuse is not None:
            raise GenerationError(self.refuse)
        return paint(request)

    async def resume(self, server: str, remote_id: str, request: GenerationRequest, on_event) -> GenerationResult:
        self.resumed.append(remote_id)
        return paint(request)

    async def cancel(self, shot_id: str) -> None:
        return None

    async def health(self) -> BackendHealth:
        return BackendHealth(True)


def colour_of(seed: int) -> tuple[int, int, int]:
    return (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)


def paint(request: GenerationRequest) -> GenerationResult:
    path = Path(request.output_dir) / f"still-{request.shot_id}-{request.seed}.png"
    picture = np.full((request.height, request.width, 3), colour_of(request.seed), np.uint8)
    Image.fromarray(picture).save(path)
    return GenerationResult(path, 1, request.width, request.height, request.frame_rate, 0.0,
                            cost=Cost(PRICE, "stability-credits"))
