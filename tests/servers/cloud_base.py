"""What the test servers standing in for the cloud generation APIs share.

`CloudServer` is the common part of the Runway, Replicate, Stability AI and
OpenAI-compatible /v1/videos servers beside this module (each follows
docs/protocols/cloud-apis.md); a provider's module adds its routes, its
error body and its task JSON. Shared here:

* Life cycle. An aiohttp application served by a background thread with its own
  event loop, on 127.0.0.1 at a free port: ``with RunwayServer(api_key="k") as
  server: server.url``. ``stop()`` and ``start()`` take it down and bring it
  back on the same port with its tasks, counters and log kept, like a provider
  that was briefly unreachable.
* Auth. Every API route wants ``Authorization: Bearer <api_key>`` (401 in the
  provider's error shape otherwise); output files need no key, as signed URLs.
* Tasks whose state follows the clock (nothing runs in the background): queued
  for the first quarter of ``task_seconds``, running with progress for the rest,
  then succeeded, or failed when ``fail_tasks_with`` was armed, unless cancelled
  first. A failed task fails when it would have finished.
* Outputs: real small files, an H.264 MP4 (yuv420p, even size, 12 frames at 24
  fps, made with PyAV) or a PNG/JPEG/WebP image (Pillow), in the aspect ratio
  asked for, made once per size and cached. The same server serves them at
  temporary-looking signed URLs, ``/outputs/<token>/<name>?expires=..&signature=..``:
  a changed signature is a 403, an unknown or deleted file a 404 (S3-style XML
  bodies, as object stores answer), and with ``outputs_expire_s`` set, a file
  older than that (counted from the task's end) is a 403 "Request has expired".
* Fault injection, settable from the test thread while the server runs:
  ``rate_limit_next(n, retry_after_s)``, ``fail_next(n, status)``,
  ``drop_next(n)`` (one-shot, for the next n matching requests; by default every
  API request, output downloads excluded; ``only="GET /v1/tasks"`` or
  ``only="/outputs/"`` narrows them to requests whose ``"METHOD /path"``
  contains that text), and the settings ``slow_responses_s``,
  ``truncate_outputs``, ``non_video_outputs``, ``fail_tasks_with``,
  ``task_seconds`` and ``outputs_expire_s``.
* Reply mutations, for fuzzing (tests/cloud_reply_mutations.py makes them):
  ``mutate_next(mutation, n, only=...)`` passes the next n matching answers
  (output downloads included when ``only`` names them) through ``mutation``:
  a function of the body's bytes, or one of the transport faults "truncated"
  (the whole length announced, half sent, then the connection closed), "closed"
  (the connection closed with no answer), "slow" (half the body, then nothing
  until the client gives up or SLOW_BODY_LIMIT_S passes), "trickle" (one byte
  every TRICKLE_PAUSE_S while the client listens) and "huge_length" (HUGE_LENGTH
  announced, then half the body and the connection closed).
* Events rather than the clock, for tests that must not depend on the machine's
  speed: ``hold_responses`` keeps every answer back (the request already in the
  log) until it is set back to False, so a test can act while a call is surely
  out; ``advance_tasks(s)`` moves the clock of the tasks still going on by s
  seconds, so a test can start long tasks that surely do not end before some
  event, then step them through their phases or to their end.
* Counters, so a test can prove nothing was submitted twice: ``submissions``
  (create calls accepted: a task made, or for Stability an image made),
  ``polls`` (status reads answered), ``cancels`` (cancels of a task still
  going), ``downloads`` (output files sent, however broken); and ``requests``,
  the log of every request received (headers without the key).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import io
import json
import secrets
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal, Self

import av
import numpy as np
from aiohttp import web
from PIL import Image

HOST = "127.0.0.1"
OUTPUTS_PREFIX = "/outputs/"

# Task phases, named neutrally; each provider maps them onto its own status words.
QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
SETTLED = frozenset({SUCCEEDED, FAILED, CANCELLED})
QUEUE_SHARE = 0.25  # the part of task_seconds a task spends queued before it runs

MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp",
               "wav": "audio/wav", "mp3": "audio/mpeg"}
SOUND_FORMATS = ("wav", "mp3")

# What a non-video output serves instead of the file: a login page, as a captive
# portal or a misconfigured CDN would.
NOT_MEDIA_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><h1>Sign in to continue</h1><form method=post><input name=user></form></body></html>\n"
)

TruncateMode = Literal["cut", "short"]
Mutation = Any  # Callable[[bytes], bytes] or "truncated" / "closed" / "slow"
HUGE_LENGTH = 5 * 1024**3  # what "huge_length" announces, and then does not send
TRICKLE_PAUSE_S = 0.05  # between the bytes of "trickle": a 20 kB file takes a quarter of an hour
SLOW_BODY_LIMIT_S = 120.0  # a slow body stalls at most this long: the client's own bounds end it first


# --------------------------------------------------------------------------- media


def fit_aspect(width: float, height: float, long_side: int = 160) -> tuple[int, int]:
    """A small picture size with the aspect ratio width:height, both sides even (H.264 4:2:0)."""
    scale = long_side / max(width, height)
    return max(2, 2 * round(width * scale / 2)), max(2, 2 * round(height * scale / 2))


def _picture(width: int, height: int, index: int, count: int) -> np.ndarray:
    """A gradient with a bright square crossing it, so that frames differ and decode to something."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), np.full_like(x, 96)], axis=-1)
    side = max(2, min(width, height) // 3)
    left = (width - side) * index // max(1, count - 1)
    top = (height - side) // 2
    rgb[top : top + side, left : left + side] = 240
    return rgb.astype(np.uint8)


@functools.cache
def sample_mp4(width: int = 160, height: int = 90, frames: int = 12, fps: int = 24) -> bytes:
    """A real MP4: H.264 yuv420p, `frames` pictures at `fps`; made once per size."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(_picture(width, height, index, frames), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


@functools.cache
def sample_image(fmt: str = "png", width: int = 160, height: int = 90) -> bytes:
    """A real PNG, JPEG or WebP picture; made once per format and size."""
    buffer = io.BytesIO()
    Image.fromarray(_picture(width, height, 0, 2)).save(buffer, format=fmt.upper())
    return buffer.getvalue()


@functools.cache
def sample_sound(fmt: str = "wav", seconds: int = 8, rate: int = 32000) -> bytes:
    """A real stereo WAV or MP3 of `seconds` (a soft chord, as music models make); made once per format and length."""
    times = np.arange(seconds * rate) / rate
    chord = sum(np.sin(2 * np.pi * hz * times) for hz in (220.0, 277.2, 329.6)) * 0.15
    samples = np.stack([chord, chord]).astype(np.float32)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as container:
        stream = container.add_stream("pcm_s16le" if fmt == "wav" else "libmp3lame", rate=rate, layout="stereo")
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
        frame.sample_rate = rate
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def media_bytes(fmt: str, width: int, height: int) -> bytes:
    """An output file; a sound's (wav, mp3) lasts `width` seconds (it has no picture: height is 0)."""
    if fmt in SOUND_FORMATS:
        return sample_sound(fmt, width)
    return sample_mp4(width, height) if fmt == "mp4" else sample_image(fmt, width, height)


def iso_time(wall: float, digits: int = 3) -> str:
    """An ISO 8601 UTC time with `digits` decimals and a Z, as JSON APIs write it."""
    text = datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[: len(text) - 6 + digits].rstrip(".") + "Z"


# --------------------------------------------------------------------------- records


@dataclass
class RecordedRequest:
    """One request as the server received it, for assertions."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # all but Authorization
    body: bytes = b""  # the raw body, except for multipart
    json: Any = None  # the body parsed, when it was JSON
    form: dict[str, Any] | None = None  # multipart fields; a file as {"filename", "content_type", "size"}
    status: int | None = None  # the status answered; None when the connection was dropped
    fault: str | None = None  # "drop", "rate_limit" or "fail" when an injected fault answered


@dataclass(eq=False)
class Task:
    """A generation whose state follows the clock from its creation."""

    id: str
    fmt: str  # of its outputs: "mp4", "png", "jpeg" or "webp"
    width: int
    height: int
    duration_s: float
    failure: str | None  # the failure kind it will end with (from fail_tasks_with), or None
    payload: dict[str, Any]  # what was asked, as the provider shows it back
    extra: dict[str, Any] = field(default_factory=dict)  # provider-specific details
    outputs: list[str] = field(default_factory=list)  # output tokens
    created_wall: float = field(default_factory=time.time)
    created_mono: float = field(default_factory=time.monotonic)
    cancelled_mono: float | None = None
    deleted: bool = False

    def _elapsed(self) -> float:
        end = self.cancelled_mono if self.cancelled_mono is not None else time.monotonic()
        return end - self.created_mono

    @property
    def _queue_s(self) -> float:
        return self.duration_s * QUEUE_SHARE

    @property
    def phase(self) -> str:
        elapsed = self._elapsed()
        if self.cancelled_mono is not None:
            return CANCELLED
        if elapsed >= self.duration_s:
            return FAILED if self.failure else SUCCEEDED
        return QUEUED if elapsed < self._queue_s else RUNNING

    @property
    def progress(self) -> float:
        """0 while queued, rising to 0.99 while running, 1 once succeeded."""
        if self.phase == SUCCEEDED:
            return 1.0
        run_s = self.duration_s - self._queue_s
        return 0.0 if run_s <= 0 else max(0.0, min(0.99, (self._elapsed() - self._queue_s) / run_s))

    @property
    def settled(self) -> bool:
        return self.phase in SETTLED

    @property
    def started_wall(self) -> float | None:
        """When it began running, or None while queued (or cancelled before)."""
        if self._elapsed() < self._queue_s:
            return None
        return self.created_wall + self._queue_s

    @property
    def finished_wall(self) -> float | None:
        if not self.settled:
            return None
        return self.created_wall + min(self._elapsed(), self.duration_s)

    @property
    def run_s(self) -> float:
        """How long it has run (or ran), as predict-time metrics count it."""
        return max(0.0, min(self._elapsed(), self.duration_s) - self._queue_s)

    def cancel(self) -> bool:
        """Cancel it if still going; False when it had already settled."""
        if self.settled:
            return False
        self.cancelled_mono = time.monotonic()
        return True


@dataclass
class _Output:
    task_id: str
    fmt: str
    width: int
    height: int
    filename: str


@dataclass
class _Fault:
    kind: str  # "drop", "rate_limit" or "fail"
    remaining: int
    only: str | None
    status: int = 500
    retry_after_s: float = 1.0

    def matches(self, method: str, path: str) -> bool:
        if self.only is None:
            return not path.startswith(OUTPUTS_PREFIX)
        return self.only in f"{method} {path}"


@dataclass
class _Mutate:
    mutation: Mutation
    remaining: int
    only: str | None

    def matches(self, method: str, path: str) -> bool:
        return self.only is None or self.only in f"{method} {path}"


class _Knob:
    """A setting the test thread may change while the server thread reads it."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = f"_knob_{name}"

    def __get__(self, server: CloudServer | None, owner: type | None = None) -> Any:
        if server is None:
            return self
        with server._lock:
            return getattr(server, self.attribute)

    def __set__(self, server: CloudServer, value: Any) -> None:
        with server._lock:
            setattr(server, self.attribute, value)


# --------------------------------------------------------------------------- the server


class CloudServer:
    """A provider's API on 127.0.0.1, run from a background thread; see the module docstring.

    Subclasses give `routes()`, `error_response()` and usually `new_task_id()`,
    and may override `check_headers()`, `unauthorized()` and `rate_limited()`.
    """

    #: How long output URLs say they stay valid (the `expires` in their query).
    output_url_ttl_s: float = 3600.0
    #: A larger request body is answered 413 before it is read.
    max_body_bytes: int = 64 * 1024 * 1024
    #: Paths served without the API key besides the outputs (a storage host's signed upload form).
    keyless_prefixes: tuple[str, ...] = ()

    # Settings the test thread may change while the server runs.
    slow_responses_s = _Knob()  # seconds every response waits before it is answered
    truncate_outputs = _Knob()  # False; "cut"/True: full Content-Length, half the bytes, then the
    #                             connection closes; "short": a complete response of half the bytes
    non_video_outputs = _Knob()  # output files answer an HTML page (200, text/html) instead
    fail_tasks_with = _Knob()  # arms the NEXT task to end failed: "moderation", "error", or a
    #                            provider's own failure code; cleared once a task takes it
    task_seconds = _Knob()  # how long a new task runs (a quarter of it queued)
    outputs_expire_s = _Knob()  # None, or seconds after a task's end when its files answer 403
    hold_responses = _Knob()  # True: every answer waits (its request already logged) until set False

    def __init__(
        self, api_key: str = "test-key", *, task_seconds: float = 0.4, outputs_expire_s: float | None = None
    ) -> None:
        self.api_key = api_key
        self._lock = threading.RLock()
        self._knob_slow_responses_s = 0.0
        self._knob_truncate_outputs: bool | TruncateMode = False
        self._knob_non_video_outputs = False
        self._knob_fail_tasks_with: str | None = None
        self._knob_task_seconds = task_seconds
        self._knob_outputs_expire_s = outputs_expire_s
        self._knob_hold_responses = False
        self._faults: list[_Fault] = []
        self._mutations: list[_Mutate] = []
        self._counts: Counter[str] = Counter()
        self._requests: list[RecordedRequest] = []
        self._tasks: dict[str, Task] = {}
        self._outputs: dict[str, _Output] = {}
        self._secret = secrets.token_bytes(16)  # signs output URLs
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Self:
        """Serve from a background thread; again on the same port after a stop()."""
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self._port or 0))
        self._port = sock.getsockname()[1]
        app = web.Application(middlewares=[self._middleware], client_max_size=self.max_body_bytes + 1024)
        app.router.add_routes(self.routes())
        app.router.add_get(OUTPUTS_PREFIX + "{token}/{name}", self._serve_output)
        # handler_cancellation: a client that goes away ends a held (Prefer: wait) request.
        runner = web.AppRunner(app, shutdown_timeout=0.5, handler_cancellation=True, access_log=None)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=type(self).__name__, daemon=True)
        thread.start()

        async def serve() -> None:
            await runner.setup()
            await web.SockSite(runner, sock).start()

        try:
            asyncio.run_coroutine_threadsafe(serve(), loop).result(timeout=60)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()
            sock.close()
            raise
        self._loop, self._thread, self._runner = loop, thread, runner
        return self

    def stop(self) -> None:
        """Stop serving (connections are closed); tasks, counters and the log are kept."""
        if self._thread is None:
            return
        loop, thread, runner = self._loop, self._thread, self._runner
        self._loop = self._thread = self._runner = None
        try:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=60)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, the root the provider's paths (/v1/...) hang from."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} was never started")
        return f"http://{HOST}:{self._port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    # ----------------------------------------------------------------- fault injection

    def rate_limit_next(self, n: int = 1, retry_after_s: float = 1.0, *, only: str | None = None) -> None:
        """Answer the next n matching requests 429 with Retry-After (the provider's body)."""
        self._arm(_Fault("rate_limit", n, only, status=429, retry_after_s=retry_after_s))

    def fail_next(self, n: int = 1, status: int = 500, *, only: str | None = None) -> None:
        """Answer the next n matching requests with `status` (the provider's error body)."""
        self._arm(_Fault("fail", n, only, status=status))

    def drop_next(self, n: int = 1, *, only: str | None = None) -> None:
        """Close the connection of the next n matching requests without answering."""
        self._arm(_Fault("drop", n, only))

    def mutate_next(self, mutation: Mutation, n: int = 1, *, only: str | None = None) -> None:
        """Pass the next n answers to requests matching `only` through `mutation` (module docstring)."""
        with self._lock:
            self._mutations.append(_Mutate(mutation, n, only))

    def _take_mutation(self, method: str, path: str) -> Mutation | None:
        with self._lock:
            for mutate in self._mutations:
                if mutate.matches(method, path):
                    mutate.remaining -= 1
                    if mutate.remaining <= 0:
                        self._mutations.remove(mutate)
                    return mutate.mutation
        return None

    def clear_faults(self) -> None:
        """Disarm every fault and put the settings back to normal (task_seconds stays)."""
        with self._lock:
            self._faults.clear()
            self._mutations.clear()
            self._knob_slow_responses_s = 0.0
            self._knob_truncate_outputs = False
            self._knob_non_video_outputs = False
            self._knob_fail_tasks_with = None
            self._knob_outputs_expire_s = None
            self._knob_hold_responses = False

    def _arm(self, fault: _Fault) -> None:
        if fault.remaining > 0:
            with self._lock:
                self._faults.append(fault)

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        """The armed fault this request meets: a drop before a 429 before a failure."""
        with self._lock:
            for kind in ("drop", "rate_limit", "fail"):
                for fault in self._faults:
                    if fault.kind == kind and fault.matches(method, path):
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                        return fault
        return None

    # ----------------------------------------------------------------- counters and log

    @property
    def submissions(self) -> int:
        with self._lock:
            return self._counts["submissions"]

    @property
    def polls(self) -> int:
        with self._lock:
            return self._counts["polls"]

    @property
    def cancels(self) -> int:
        with self._lock:
            return self._counts["cancels"]

    @property
    def downloads(self) -> int:
        with self._lock:
            return self._counts["downloads"]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    @property
    def tasks(self) -> list[Task]:
        """Every task created, oldest first (a copy of the list)."""
        with self._lock:
            return list(self._tasks.values())

    def count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    # ----------------------------------------------------------------- for subclasses

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        """A response with `status` and the provider's error body."""
        raise NotImplementedError

    def check_headers(self, request: web.Request) -> web.Response | None:
        """After the key: an error response when a header the provider requires is wrong."""
        return None

    def unauthorized(self, request: web.Request) -> web.Response:
        return self.error_response(401, "Invalid or missing API key")

    def authorized(self, request: web.Request) -> bool:
        """Whether the request carries the key the way the provider wants it (a bearer token here)."""
        return request.headers.get("Authorization") == f"Bearer {self.api_key}"

    def open_path(self, path: str) -> bool:
        """A path that takes no key: signed output URLs (and a provider's signed upload URLs)."""
        return path.startswith((OUTPUTS_PREFIX, *self.keyless_prefixes))

    def rate_limited(self, retry_after_s: float) -> web.Response:
        """The 429 of rate_limit_next(): the provider's body, and Retry-After in seconds."""
        response = self.error_response(429, "Too many requests; retry later.")
        response.headers["Retry-After"] = f"{retry_after_s:g}"
        return response

    def new_task_id(self) -> str:
        return str(uuid.uuid4())

    def create_task(
        self,
        *,
        fmt: str,
        width: int,
        height: int,
        payload: dict[str, Any],
        outputs: int = 1,
        filename: str = "output",
        **extra: Any,
    ) -> Task:
        """Accept a submission: a new task that takes the armed failure, if any, and counts."""
        with self._lock:
            failure, self._knob_fail_tasks_with = self._knob_fail_tasks_with, None
            task = Task(self.new_task_id(), fmt, width, height, self._knob_task_seconds, failure, payload, dict(extra))
            for index in range(outputs):
                token = secrets.token_urlsafe(18)
                name = f"{filename}.{fmt}" if outputs == 1 else f"{filename}-{index}.{fmt}"
                self._outputs[token] = _Output(task.id, fmt, width, height, name)
                task.outputs.append(token)
            self._tasks[task.id] = task
            self._counts["submissions"] += 1
        return task

    def take_failure(self) -> str | None:
        """The armed failure, disarmed (for providers whose generations are not tasks)."""
        with self._lock:
            failure, self._knob_fail_tasks_with = self._knob_fail_tasks_with, None
            return failure

    def advance_tasks(self, seconds: float) -> None:
        """The tasks still going behave as if `seconds` more had passed since their creation."""
        with self._lock:
            for task in self._tasks.values():
                if not task.settled:
                    task.created_mono -= seconds
                    task.created_wall -= seconds

    def find_task(self, task_id: str) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
        return None if task is None or task.deleted else task

    def output_urls(self, task: Task) -> list[str]:
        return [self._output_url(token) for token in task.outputs]

    async def wait_until_settled(self, task: Task, timeout_s: float) -> None:
        """Hold a request until the task settles or `timeout_s` passes."""
        deadline = time.monotonic() + timeout_s
        while not task.settled and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(0.02, left))

    def deliverable(self, fmt: str, width: int, height: int) -> tuple[bytes, str, int]:
        """An output as the fault settings make it: (body, content type, Content-Length to announce)."""
        if self.non_video_outputs:
            return NOT_MEDIA_HTML, "text/html", len(NOT_MEDIA_HTML)
        data = media_bytes(fmt, width, height)
        truncate = self.truncate_outputs
        if truncate == "short":
            return data[: len(data) // 2], MEDIA_TYPES[fmt], len(data) // 2
        if truncate:  # "cut" or True
            return data[: len(data) // 2], MEDIA_TYPES[fmt], len(data)
        return data, MEDIA_TYPES[fmt], len(data)

    async def send_output(
        self, request: web.Request, fmt: str, width: int, height: int, headers: dict[str, str] | None = None
    ) -> web.StreamResponse:
        """Answer with an output file (a download), broken as the fault settings say."""
        body, content_type, length = self.deliverable(fmt, width, height)
        if request.method == "HEAD":  # what a download would be, without one
            return web.Response(body=body, content_type=content_type, headers=headers)
        self.count("downloads")
        if length == len(body):
            return web.Response(body=body, content_type=content_type, headers=headers)
        # Announce the whole file, send half of it, then hang up: a download cut short.
        response = web.StreamResponse(headers=headers)
        response.content_type = content_type
        response.content_length = length
        await response.prepare(request)
        await response.write(body)
        if request.transport is not None:
            request.transport.close()
        return response

    # ----------------------------------------------------------------- plumbing

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        record = RecordedRequest(
            request.method,
            request.path,
            dict(request.query),
            {k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        with self._lock:
            self._requests.append(record)
        response = await self._respond(request, handler, record)
        if record.fault != "drop":
            record.status = response.status
        return response

    async def _respond(self, request: web.Request, handler: Any, record: RecordedRequest) -> web.StreamResponse:
        too_large = (request.content_length or 0) > self.max_body_bytes or not await self._read_body(request, record)
        if slow := self.slow_responses_s:
            await asyncio.sleep(slow)
        while self.hold_responses:
            await asyncio.sleep(0.01)
        if (fault := self._take_fault(request.method, request.path)) is not None:
            record.fault = fault.kind
            return self._fault_response(request, fault)
        if too_large:
            return self.error_response(413, "Request body too large")
        if not self.open_path(request.path):
            if not self.authorized(request):
                return self.unauthorized(request)
            if (problem := self.check_headers(request)) is not None:
                return problem
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # aiohttp's own 404/405 for paths the provider lacks
            if exc.status < 400:
                raise
            response = self.error_response(exc.status, exc.reason)
        mutation = self._take_mutation(request.method, request.path)
        if mutation is None or not isinstance(response, web.Response) or not isinstance(response.body, bytes):
            return response
        record.fault = "mutate"
        return await self._mutated(request, response, mutation)

    async def _mutated(self, request: web.Request, response: web.Response, mutation: Mutation) -> web.StreamResponse:
        body = response.body
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        if callable(mutation):
            return web.Response(status=response.status, body=mutation(body), headers=headers,
                                content_type=response.content_type)
        if mutation == "closed":
            if request.transport is not None:
                request.transport.abort()
            return web.Response()  # never reaches the client
        streamed = web.StreamResponse(status=response.status, headers=headers)
        streamed.content_type = response.content_type
        streamed.content_length = HUGE_LENGTH if mutation == "huge_length" else len(body)
        await streamed.prepare(request)
        if mutation == "trickle":  # a byte at a time, for as long as the client keeps listening
            for index in range(len(body)):
                if request.transport is None or request.transport.is_closing():
                    return streamed
                await streamed.write(body[index : index + 1])
                await asyncio.sleep(TRICKLE_PAUSE_S)
            return streamed
        await streamed.write(body[: len(body) // 2])
        if mutation == "slow":  # then nothing, until the client gives up on it
            deadline = time.monotonic() + SLOW_BODY_LIMIT_S
            while request.transport is not None and not request.transport.is_closing() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            if request.transport is not None and not request.transport.is_closing():
                await streamed.write(body[len(body) // 2 :])
                return streamed
        if request.transport is not None:
            request.transport.close()
        return streamed

    def _fault_response(self, request: web.Request, fault: _Fault) -> web.StreamResponse:
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response()  # never reaches the client
        if fault.kind == "rate_limit":
            return self.rate_limited(fault.retry_after_s)
        return self.error_response(fault.status, HTTPStatus(fault.status).phrase)

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> bool:
        """Read the body once for the log (aiohttp keeps it for the handler); False when too large."""
        if request.content_type.startswith("multipart/"):
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                return False
            except Exception:  # a malformed body: the handler answers it
                return True
            record.form = {}
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    size = value.file.seek(0, io.SEEK_END)
                    value.file.seek(0)
                    value = {"filename": value.filename, "content_type": value.content_type, "size": size}
                record.form[name] = value
        elif request.can_read_body:
            try:
                record.body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                return False
            try:
                record.json = json.loads(record.body)
            except ValueError:
                pass
        return True

    def _sign(self, token: str, expires: str) -> str:
        return hmac.new(self._secret, f"{token}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def _output_url(self, token: str) -> str:
        with self._lock:
            output = self._outputs[token]
            task = self._tasks[output.task_id]
        expires = str(int((task.finished_wall or time.time()) + self.output_url_ttl_s))
        query = f"expires={expires}&signature={self._sign(token, expires)}"
        return f"{self.url}{OUTPUTS_PREFIX}{token}/{output.filename}?{query}"

    async def _serve_output(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        with self._lock:
            output = self._outputs.get(token)
            task = self._tasks.get(output.task_id) if output else None
        if (
            output is None
            or task is None
            or task.deleted
            or task.phase != SUCCEEDED
            or request.match_info["name"] != output.filename
        ):
            return _storage_error(404, "NoSuchKey", "The specified key does not exist.")
        signature = self._sign(token, request.query.get("expires", ""))
        if not hmac.compare_digest(request.query.get("signature", ""), signature):
            return _storage_error(403, "SignatureDoesNotMatch", "The request signature does not match.")
        expire_s = self.outputs_expire_s
        if expire_s is not None and time.time() - (task.finished_wall or 0.0) > expire_s:
            return _storage_error(403, "AccessDenied", "Request has expired")
        return await self.send_output(request, output.fmt, output.width, output.height)


def _storage_error(status: int, code: str, message: str) -> web.Response:
    """An object store's error, as signed output URLs answer (S3's XML)."""
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return web.Response(status=status, text=body, content_type="application/xml")


async def json_object(request: web.Request) -> dict[str, Any] | None:
    """The request's JSON body when it is an object, else None."""
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
