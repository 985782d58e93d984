"""The `comfyui` backend: a shot's workflow template run on the least busy capable server.

For one take: pick a server (farm.py), upload the input image there,
fill the template, open the event socket, post the prompt under an id of
ours, follow it to the end, download the output under a name of ours and
check it decodes. A server that dies or forgets the prompt mid-way has the
prompt run on another server (the dead one no longer holds it, so nothing is
generated twice); a refused workflow or a failing node is the creator's to
fix, and is reported in their words instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import (
    BackendHealth,
    EventSink,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
    frames_made,
)
from foundry_desktop.generation.comfyui.client import (
    AUDIO_SUFFIXES,
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    ComfyUIClient,
    OutputFile,
    PromptInterrupted,
    ServerLostPrompt,
)
from foundry_desktop.generation.comfyui.farm import ComfyFarm
from foundry_desktop.generation.comfyui.library import WorkflowLibrary
from foundry_desktop.generation.comfyui.replies import HistoryEntry
from foundry_desktop.generation.comfyui.template import (
    WorkflowTemplate,
    WorkflowValues,
)
from foundry_desktop.generation.comfyui.template_bindings import ignored_given


# Which saved files can be the take, best first, for each kind of output a request asks for.
_WANTED_SUFFIXES = {
    "video": (VIDEO_SUFFIXES, IMAGE_SUFFIXES),
    "still": (IMAGE_SUFFIXES,),
    "sound": (AUDIO_SUFFIXES,),
}
_KIND_WORDS = {"video": "video or picture", "still": "picture", "sound": "sound"}


def _pick_output(outputs: list[OutputFile], client: ComfyUIClient, kind: str = "video") -> OutputFile:
    """The take: for a video the first video the workflow saved, else its first picture; for a
    still its first picture; for a sound its first sound file."""
    for wanted in _WANTED_SUFFIXES[kind]:
        for output in outputs:
            if output.kind == "output" and output.suffix in wanted:
                return output
    raise GenerationError(f"The workflow ran on {client.name} but saved no {_KIND_WORDS[kind]}.")


def _ignored_values(template: WorkflowTemplate, request: GenerationRequest) -> tuple[str, ...]:
    """Which of the shot's prompt, seed and picture the workflow left out of the take."""
    return ignored_given(template, {"prompt": request.prompt, "seed": request.seed, "input_image": request.input_image})


def _gpu_seconds(entry: HistoryEntry) -> float | None:
    """How long the server worked on the prompt, from its own execution_start and
    execution_success stamps (milliseconds) in the history entry."""
    stamps = entry.stamps()
    start, end = stamps.get("execution_start"), stamps.get("execution_success")
    numbers = all(isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and math.isfinite(stamp)
                  for stamp in (start, end))
    if numbers and end >= start:
        return round((end - start) / 1000, 3)
    return None


@dataclass(eq=False)
class _Attempt:
    """One generate() or resume() in progress, so that a cancel can reach its prompt."""

    shot_id: str
    client: ComfyUIClient | None = None
    prompt_id: str | None = None  # while the prompt is on a server
    cancelled: bool = False


class ComfyUIBackend:
    name = "comfyui"
    cost_unit = "gpu-seconds"  # a local server costs its time; estimates come from earlier runs

    def __init__(self, farm: ComfyFarm, library: WorkflowLibrary) -> None:
        self.farm = farm
        self.library = library
        self._attempts: set[_Attempt] = set()
        self._uploaded: dict[tuple[str, Path, int], asyncio.Future[str]] = {}  # (server, image, mtime) -> name there

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        if not request.workflow:
            raise GenerationError("A ComfyUI shot needs a workflow; choose one with --workflow (see `foundry workflow list`).")
        template = self.library.get(request.workflow)
        template.check_output(request.output)
        started = time.monotonic()
        lost_on: dict[str, str] = {}  # server -> why it lost the prompt
        on_event(GenerationEvent("queued", request.shot_id))
        with self._attempt(request.shot_id) as attempt:
            while True:
                try:
                    # The slot is held while the server works; the download happens after it is
                    # freed, so the server starts our next prompt meanwhile.
                    async with self.farm.slot(template, exclude=lost_on) as client:
                        if attempt.cancelled:
                            raise PromptInterrupted("Cancelled.")
                        prompt_id, entry = await self._run_on(client, template, request, on_event, attempt)
                    return await self._collect(client, template, request, prompt_id, entry, started, on_event)
                except ServerLostPrompt as exc:
                    if attempt.cancelled:  # taken out of the queue by us: not lost
                        raise PromptInterrupted("Cancelled.") from None
                    lost_on[client.name] = str(exc)
                    self.farm.status[client.name].up = False
                    on_event(GenerationEvent("queued", request.shot_id, 0.0, f"{exc} Trying another server."))

    @contextlib.contextmanager
    def _attempt(self, shot_id: str, client: ComfyUIClient | None = None, prompt_id: str | None = None) -> Iterator[_Attempt]:
        attempt = _Attempt(shot_id, client, prompt_id)
        self._attempts.add(attempt)
        try:
            yield attempt
        finally:
            self._attempts.discard(attempt)

    async def _upload(self, client: ComfyUIClient, image: Path) -> str:
        """The input image on that server, uploaded once per content (every variant of a
        shot, and every shot from the same still, uses the same upload, even while it is
        still on its way); a failed upload is tried again by the next job."""
        key = (client.name, image.resolve(), image.stat().st_mtime_ns)
        upload = self._uploaded.get(key)
        if upload is None:
            upload = self._uploaded[key] = asyncio.ensure_future(client.upload_image(image))
        try:
            return await asyncio.shield(upload)  # one job cancelled does not cancel the others' upload
        except BaseException:
            if upload.done() and (upload.cancelled() or upload.exception() is not None):
                self._uploaded.pop(key, None)
            raise

    async def _run_on(
        self, client: ComfyUIClient, template: WorkflowTemplate, request: GenerationRequest, on_event: EventSink,
        attempt: _Attempt,
    ) -> tuple[str, HistoryEntry]:
        """Send the prompt and follow it to the end: its id and history entry."""
        # Only pictures the workflow reads go up: a text-to-video shot may still carry its approved keyframe.
        uploaded = uploaded_last = None
        if request.input_image is not None and template.takes_image:
            uploaded = await self._upload(client, request.input_image)
        if request.last_image is not None and template.takes_last_image:
            uploaded_last = await self._upload(client, request.last_image)
        prompt_id = str(uuid.uuid4())
        graph = template.fill(
            WorkflowValues.from_request(
                request, uploaded_image=uploaded, filename_prefix=f"foundry/{request.shot_id[:12]}",
                uploaded_last_image=uploaded_last,
            ),
            ignore_unknown=True,
        )

        def progress(fraction: float, what: str) -> None:
            if fraction >= 0:
                on_event(GenerationEvent("progress", request.shot_id, min(0.99, fraction), f"{client.name}: {what}"))

        attempt.client, attempt.prompt_id = client, prompt_id
        try:
            async with client.events(prompt_id) as events:
                on_event(GenerationEvent("submitting", request.shot_id, server=client.name, remote_id=prompt_id))
                await client.submit(graph, client.client_id, prompt_id)
                on_event(GenerationEvent("submitted", request.shot_id, 0.0, f"queued on {client.name}",
                                         server=client.name, remote_id=prompt_id))
                entry = await client.follow(prompt_id, events, progress)
        finally:
            attempt.client, attempt.prompt_id = None, None
        return prompt_id, entry

    async def resume(self, server: str, prompt_id: str, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        """Follow a prompt submitted before a restart, by its id, instead of submitting it again.
        ServerLostPrompt if the server never got it or has forgotten it: then submit anew."""
        client = self.farm.clients.get(server)
        if client is None:
            raise ServerLostPrompt(f"The ComfyUI server {server} is no longer set up.")
        template = self.library.get(request.workflow or "")
        started = time.monotonic()
        with self._attempt(request.shot_id, client, prompt_id) as attempt:
            try:
                entry = await client.follow(prompt_id, None, lambda fraction, what: None)
            except ServerLostPrompt:
                if attempt.cancelled:
                    raise PromptInterrupted("Cancelled.") from None
                raise
        return await self._collect(client, template, request, prompt_id, entry, started, on_event)

    async def _collect(
        self, client: ComfyUIClient, template: WorkflowTemplate, request: GenerationRequest, prompt_id: str,
        entry: HistoryEntry, started: float, on_event: EventSink,
    ) -> GenerationResult:
        output = _pick_output(client.outputs(entry), client, request.output)
        destination = Path(request.output_dir) / f"comfyui-{prompt_id}{output.suffix}"
        info = await client.download(output, destination)
        on_event(GenerationEvent("done", request.shot_id, 1.0, f"made on {client.name}"))
        gpu_seconds = _gpu_seconds(entry)
        return GenerationResult(
            path=destination,
            frames=frames_made(request, info),
            width=info.width,
            height=info.height,
            frame_rate=Fraction(request.frame_rate),
            elapsed_s=round(time.monotonic() - started, 3),
            backend_info={
                "server": client.name,
                "prompt_id": prompt_id,
                "workflow": template.describe(),
                "output": output.filename,
                "graph": entry.graph_run(),  # the exact request, as the server kept it
            },
            cost=Cost(gpu_seconds, self.cost_unit) if gpu_seconds is not None else None,
            ignored_inputs=_ignored_values(template, request),
        )

    async def cancel(self, shot_id: str) -> None:
        """Stop the shot's generations: a prompt is taken out of its server's queue, or
        interrupted (only ours); one still waiting for a server is never sent."""
        for attempt in [a for a in self._attempts if a.shot_id == shot_id]:
            await self._stop(attempt)

    async def cancel_remote(self, server: str, prompt_id: str) -> None:
        """Cancel a prompt by its id: one followed here stops, one sent by an earlier run of
        the app is taken off its server."""
        attempt = next((a for a in self._attempts if a.prompt_id == prompt_id), None)
        if attempt is not None:
            await self._stop(attempt)
        elif (client := self.farm.clients.get(server)) is not None:
            await client.cancel(prompt_id)

    @staticmethod
    async def _stop(attempt: _Attempt) -> None:
        attempt.cancelled = True
        if attempt.client is not None and attempt.prompt_id is not None:
            await attempt.client.cancel(attempt.prompt_id)

    async def aclose(self) -> None:
        await self.farm.aclose()

    async def health(self) -> BackendHealth:
        await self.farm.check_all()
        up = [s for s in self.farm.status.values() if s.server.enabled and s.up]
        if not up:
            return BackendHealth(False, "No ComfyUI server is reachable.")
        return BackendHealth(True, ", ".join(f"{s.server.name}: {s.gpu or 'up'}, {s.queue_length} queued" for s in up))
