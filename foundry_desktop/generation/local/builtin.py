"""The backend that needs nothing: title cards and Ken Burns moves, made on the CPU.

A shot without an input image becomes a title card of its title (or prompt);
a shot with one becomes a slow pan and zoom over it. Everything is decided by
the request — the seed picks colours and motion — so the same request always
decodes to the same frames, which is what makes fingerprint reuse honest.

Frames are drawn and encoded in a worker process of the generator's own:
drawing is Python and numpy under the GIL, and on a thread of the editor it
would stall the GUI thread for tens of milliseconds at a time. The event loop
only relays progress. Takes use a one-second GOP so previews scrub quickly.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av

from foundry_desktop.errors import GenerationError, InputFileError, MediaError
from foundry_desktop.generation.backend import (
    BackendHealth,
    EventSink,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
)
from foundry_desktop.generation.local.ken_burns import KenBurns, load_still
from foundry_desktop.generation.local.music_bed import generate_bed
from foundry_desktop.generation.local.title_card import TitleCard
from foundry_desktop.media.encode.video_encoding import (
    DEFAULT_KEYFRAME_INTERVAL_S,
    VideoEncoding,
)
from foundry_desktop.media.encode.video_writer import VideoWriter
from foundry_desktop.media.worker_processes import WorkerPool, report_progress

PROGRESS_REPORTS = 20
CANCELLED_MESSAGE = "Generation of this shot was cancelled."

# Not the render pool: that one runs one render at a time, and generation goes on beside renders.
_WORKER = WorkerPool(workers=1)


class _Cancelled(Exception):
    pass


class _Pictures(Protocol):
    def frame(self, index: int) -> av.VideoFrame: ...


def _check(request: GenerationRequest) -> None:
    if request.width <= 0 or request.height <= 0 or request.width % 2 or request.height % 2:
        raise GenerationError(
            f"The built-in generator needs an even width and height, not {request.width}x{request.height}."
        )
    if request.frames < 1:
        raise GenerationError(f"A shot must last at least one frame, not {request.frames}.")
    if request.frame_rate <= 0:
        raise GenerationError(f"A frame rate must be positive, not {request.frame_rate}.")


def _pictures_for(request: GenerationRequest) -> tuple[_Pictures, str]:
    if request.input_image is None:
        title = str(request.params.get("title") or request.prompt)
        card = TitleCard(title, request.seed, request.width, request.height, request.frame_rate, request.frames)
        return card, "title_card"
    still = load_still(request.input_image)
    return KenBurns(still, request.seed, request.width, request.height, request.frames), "ken_burns"


def take_path(request: GenerationRequest) -> Path:
    """A new file name for a take of the request, in its output folder."""
    safe_shot = re.sub(r"[^A-Za-z0-9_-]", "_", request.shot_id)[:64] or "shot"
    return Path(request.output_dir) / f"builtin-{safe_shot}-{uuid.uuid4().hex}.mp4"


def render_take(
    request: GenerationRequest, on_progress: Callable[[float], None], cancel: threading.Event,
    path: Path | None = None,
) -> tuple[Path, str]:
    """Draw and encode the take (blocking) to `path` (a new name by default); returns its path
    and what kind of take it is."""
    _check(request)
    pictures, kind = _pictures_for(request)
    path = path or take_path(request)
    every = _progress_every(request)
    with VideoWriter(
        path,
        width=request.width,
        height=request.height,
        frame_rate=Fraction(request.frame_rate),
        # Encoded as the film is by default, so a render copies these pictures instead of encoding them again.
        keyframe_interval_s=DEFAULT_KEYFRAME_INTERVAL_S,
        encoding=VideoEncoding(),
    ) as writer:
        for index in range(request.frames):
            if cancel.is_set():
                raise _Cancelled()
            writer.add_frame(pictures.frame(index))
            if (index + 1) % every == 0 and index + 1 < request.frames:
                on_progress((index + 1) / request.frames)
        if cancel.is_set():
            raise _Cancelled()
        writer.finish()
    return path, kind


def _progress_every(request: GenerationRequest) -> int:
    return max(1, request.frames // PROGRESS_REPORTS)


def _render_in_worker(request: GenerationRequest, path: Path) -> tuple[Path, str]:
    """In the worker process: the take, with a progress unit sent per report."""
    return render_take(request, lambda fraction: report_progress(1), threading.Event(), path)


def _render_in_pool(
    request: GenerationRequest, progress: Callable[[float], None], cancel: threading.Event
) -> tuple[Path, str]:
    """The take, made by the generator's worker process. Waits on a thread (to its end, even when
    the task awaiting it is cancelled), passing the worker's progress reports on to `progress`."""
    path = take_path(request)
    reports = 0

    def relay(amount: int) -> None:  # on the thread that waits for the worker
        nonlocal reports
        reports += amount
        progress(min(0.99, reports * _progress_every(request) / request.frames))

    try:
        (made,) = _WORKER.run(_render_in_worker, [((request, path), f"the take of shot {request.shot_id}")],
                              relay, cancel)
    except MediaError:
        if cancel.is_set():  # the pool stopped the worker (it cannot be asked mid-frame)
            _remove_leftovers(path)
            raise _Cancelled() from None
        raise
    return made


def _remove_leftovers(path: Path) -> None:
    """What a worker stopped mid-take leaves: the take or its partly written file."""
    path.unlink(missing_ok=True)
    for partial in path.parent.glob(f".{path.stem}.*.partial"):
        partial.unlink(missing_ok=True)


class BuiltinBackend:
    name = "builtin"

    def __init__(self) -> None:
        # Stop flags of the renders running now, per shot (a shot may be asked for twice).
        self._running: dict[str, set[threading.Event]] = {}

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        if request.output == "sound":
            return await generate_bed(request, on_event)
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        self._running.setdefault(request.shot_id, set()).add(cancel)

        def progress(fraction: float) -> None:
            # Called on the worker thread; events are delivered on the loop's thread.
            loop.call_soon_threadsafe(on_event, GenerationEvent("progress", request.shot_id, fraction))

        def failed(message: str) -> None:
            on_event(GenerationEvent("failed", request.shot_id, message=message))

        on_event(GenerationEvent("queued", request.shot_id))
        try:
            _check(request)
            path, kind = await asyncio.to_thread(_render_in_pool, request, progress, cancel)
        except asyncio.CancelledError:
            cancel.set()  # the pool stops the worker, and what it wrote goes
            raise
        except _Cancelled:
            failed(CANCELLED_MESSAGE)
            raise GenerationError(CANCELLED_MESSAGE) from None
        except (GenerationError, InputFileError) as exc:
            failed(str(exc))
            raise
        except MediaError as exc:
            failed(str(exc))
            raise GenerationError(str(exc)) from exc
        except BaseException as exc:
            failed(f"The built-in generator failed unexpectedly: {exc}")
            raise
        finally:
            self._forget(request.shot_id, cancel)

        on_event(GenerationEvent("progress", request.shot_id, 1.0))
        on_event(GenerationEvent("done", request.shot_id, 1.0))
        return GenerationResult(
            path=path,
            frames=request.frames,
            width=request.width,
            height=request.height,
            frame_rate=Fraction(request.frame_rate),
            elapsed_s=round(time.monotonic() - started, 3),
            backend_info={"generator": kind, "version": 1},
        )

    def _forget(self, shot_id: str, cancel: threading.Event) -> None:
        waiting = self._running.get(shot_id)
        if waiting is not None:
            waiting.discard(cancel)
            if not waiting:
                del self._running[shot_id]

    async def cancel(self, shot_id: str) -> None:
        for stop in self._running.get(shot_id, ()):
            stop.set()

    async def health(self) -> BackendHealth:
        return BackendHealth(ok=True, message="Built in: title cards and Ken Burns moves, no GPU needed.")
