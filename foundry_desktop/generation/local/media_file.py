"""The backend of shots that show an existing clip or still as it is.

Nothing is generated: the take is the file the creator brought. It goes
through the backend interface all the same, so such a shot is generated,
reused, made stale and re-made by the same rules as any other.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from fractions import Fraction
from pathlib import Path

from foundry_desktop.errors import GenerationError, MediaError
from foundry_desktop.generation.backend import (
    BackendHealth,
    EventSink,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
    refuse_unmade_output,
)
from foundry_desktop.media.probe import probe_source


class MediaFileBackend:
    name = "media"
    # A still the creator brings may be a keyframe (a picture given with --image, say).
    outputs = frozenset({"video", "still"})

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        started = time.monotonic()
        refuse_unmade_output("A media file shot", self.outputs, request)
        if request.input_media is None:
            raise GenerationError("This shot shows a media file, but none is set.")
        on_event(GenerationEvent("queued", request.shot_id))
        try:
            info = await asyncio.to_thread(probe_source, request.input_media)
        except MediaError as exc:
            raise GenerationError(str(exc)) from None
        if request.output == "still" and not info.still:
            raise GenerationError(f"{request.input_media.name} is a video; a keyframe must be a still picture.")
        copy = Path(request.output_dir) / f"media-{uuid.uuid4().hex}{request.input_media.suffix.lower()}"
        await asyncio.to_thread(shutil.copyfile, request.input_media, copy)
        on_event(GenerationEvent("done", request.shot_id, 1.0))
        return GenerationResult(
            path=copy,
            frames=request.frames,
            width=info.width,
            height=info.height,
            frame_rate=Fraction(request.frame_rate),
            elapsed_s=round(time.monotonic() - started, 3),
            backend_info={"file": request.input_media.name, "still": info.still},
        )

    async def cancel(self, shot_id: str) -> None:
        """A copy finishes in moments; there is nothing to stop."""

    async def health(self) -> BackendHealth:
        return BackendHealth(ok=True, message="Uses clips and stills as they are.")
