"""The one life cycle every cloud generation backend follows: submit → poll → download (→ cancel).

Runway, Replicate, Stability AI and OpenAI-compatible /v1/videos services
differ in routes, bodies and status words, and in nothing else that matters
here (docs/protocols/cloud-apis.md). So what they share lives here and in
http.py (with credentials, retries, refusals and media_download), errors.py
and inputs.py, and a provider's module is only its translation.

`CloudTaskBackend` is the life cycle itself: events, polling with backoff and
an overall timeout, download as soon as the task succeeds (output URLs are
temporary), cancel, and resume after a restart, on four hooks a provider
fills. A create call is never sent twice (see retries.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import (
    Awaitable,
    Callable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import (
    BackendHealth,
    EventKind,
    EventSink,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
    OutputKind,
    frames_made,
    refuse_unmade_output,
)
from foundry_desktop.generation.cloud.credentials import CloudCredentials
from foundry_desktop.generation.cloud.errors import (
    CloudError,
    CloudOutputError,
    CloudReplyError,
    CloudTaskCancelledError,
    CloudTaskFailedError,
    CloudTimeoutError,
    CloudUnavailableError,
    ContentModeratedError,
)
from foundry_desktop.generation.cloud.media_download import SavedMedia
from foundry_desktop.generation.cloud.retries import seconds_in_words

T = TypeVar("T")
Phase = Literal["queued", "running", "succeeded", "failed", "cancelled"]
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def known_phase(phases: Mapping[str, Phase], word: str, *, provider: str, kind: str, remote_id: str) -> Phase:
    """The phase a provider's status word stands for; a word not in its table is an answer Foundry
    cannot act on, said in one line (the job fails rather than waiting on a word it will never see)."""
    phase = phases.get(word)
    if phase is None:
        raise CloudReplyError(f"{provider} reported a {kind} status Foundry does not know ({word[:40] or 'none'}).",
                              provider=provider, remote_id=remote_id)
    return phase
MAX_MESSAGE_CHARS = 600  # a service's own words are quoted in messages: a page of them is not


def one_line(message: str) -> str:
    """A message as one line of reasonable length, whatever a service put into it."""
    flat = " ".join(message.split())
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class PollPolicy:
    """How a task is followed: a status read every `interval_s`, growing by `growth` up to
    `max_interval_s` (long jobs need fewer reads), and given up after `timeout_s` in all."""

    interval_s: float = 5.0
    max_interval_s: float = 20.0
    growth: float = 1.3
    timeout_s: float = 30 * 60.0




@dataclass(frozen=True)
class TaskStatus:
    """A task's state as the life cycle needs it, read from whatever the provider answers."""

    phase: Phase
    progress: float | None = None  # 0..1 while running, when the provider tells
    words: str = ""  # the provider's own status word, shown in progress events
    failure: str = ""  # when failed: a sentence for the creator
    moderated: bool = False  # failed because content moderation refused it
    outputs: tuple[str, ...] = ()  # output URLs, when succeeded
    info: dict[str, Any] = field(default_factory=dict)  # extra provenance (metrics, actual cost...)

    @property
    def settled(self) -> bool:
        return self.phase in ("succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class Submission:
    """What a create call gave: the task's id at the provider, what to record about it, and its
    first status when the answer tells it; `saved` when the answer was the output itself (Stability)."""

    remote_id: str | None
    info: dict[str, Any]
    status: TaskStatus | None = None
    saved: SavedMedia | None = None


SubmittedHook = Callable[[str, str], None]  # (shot id, remote id): record it before anything else happens


@dataclass(eq=False)
class _Run:
    """One generate() or resume() in progress, so that cancel() can reach it."""

    shot_id: str
    remote_id: str | None = None
    cancelled: bool = False
    cancel_sent: bool = False
    cancel_problem: str = ""
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class _Reporter:
    """Events for one shot, without repeating the same one at every poll."""

    def __init__(self, on_event: EventSink, shot_id: str) -> None:
        self._on_event, self._shot_id, self._last = on_event, shot_id, None

    def __call__(self, kind: EventKind, progress: float, message: str = "", *, server: str | None = None,
                 remote_id: str | None = None) -> None:
        event = GenerationEvent(kind, self._shot_id, round(max(0.0, min(1.0, progress)), 3), message,
                                server=server, remote_id=remote_id)
        if event != self._last:
            self._last = event
            self._on_event(event)


class CloudTaskBackend:
    """The life cycle of a cloud generation, once for every provider.

    generate(): report queued → submitting → submit → record the remote id (`on_submitted`)
    → poll with backoff, reporting progress → download the output as soon as
    it succeeds → report done. resume(): the same from an existing remote id,
    without submitting. cancel(): the provider's cancel for a running task.

    A provider subclass sets `name` and `provider` and fills the hooks
    `_submit`, `_status`, `_fetch` and `_cancel_remote` (and `_health_check`).
    Cancelling the asyncio task running generate() is *not* a creator's cancel
    (the app closing, say): the remote task is left running, to be resumed.
    """

    name = "cloud"
    provider = "the cloud service"
    cost_unit: str | None = None  # the domain.cost unit the provider charges in
    outputs: frozenset[OutputKind] = frozenset({"video"})  # what the provider makes (backend.py)

    def __init__(
        self, credentials: CloudCredentials, *, poll: PollPolicy | None = None,
        on_submitted: SubmittedHook | None = None,
    ) -> None:
        self.credentials = credentials
        self.poll = poll or PollPolicy()
        self.on_submitted = on_submitted
        self._runs: dict[str, list[_Run]] = {}

    # -- hooks ---------------------------------------------------------------

    async def _submit(self, request: GenerationRequest) -> Submission:
        raise NotImplementedError

    async def _status(self, remote_id: str) -> TaskStatus:
        raise NotImplementedError

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        raise NotImplementedError

    async def _cancel_remote(self, remote_id: str) -> None:
        raise NotImplementedError

    async def _health_check(self) -> str:
        raise NotImplementedError

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        """What a resumed task's provenance says (the submission's details were not kept)."""
        return {"model": request.model}

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """What the request will cost in `cost_unit`, where the price is known beforehand."""
        return None

    # -- the Backend protocol -------------------------------------------------

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        report = _Reporter(on_event, request.shot_id)
        started = time.monotonic()
        with self._run(request.shot_id) as run:
            return await self._reporting_failures(report, self._generate(request, run, report, started))

    async def resume(
        self, server: str | None, remote_id: str, request: GenerationRequest, on_event: EventSink
    ) -> GenerationResult:
        """Follow a task submitted before a restart, by its id, to its end and download its output;
        nothing is submitted. (`server` is the backend's name here: one service per backend.)"""
        report = _Reporter(on_event, request.shot_id)
        started = time.monotonic()
        with self._run(request.shot_id) as run:
            run.remote_id = remote_id
            report("progress", 0.0, f"following {self.provider} task {remote_id}")
            return await self._reporting_failures(
                report, self._finish(request, run, Submission(remote_id, self._resume_info(request)), report, started)
            )

    async def cancel(self, shot_id: str) -> None:
        """Stop the shot's task at the provider (its generate() then raises CloudTaskCancelledError).
        Asked before the create call has answered, the task is cancelled as soon as it has an id."""
        runs = list(self._runs.get(shot_id, ()))
        for run in runs:  # flagged first, so that every run stops even if a provider's cancel fails
            run.cancelled = True
            run.wake.set()
        for run in runs:
            await self._send_cancel(run, quietly=False)

    async def cancel_remote(self, server: str | None, remote_id: str) -> None:
        """Stop the task with this id: a run following it here stops (its generate() raises
        CloudTaskCancelledError), and one sent by an earlier run is cancelled at the provider."""
        runs = [run for runs in self._runs.values() for run in runs if run.remote_id == remote_id]
        for run in runs:
            run.cancelled = True
            run.wake.set()
        for run in runs:
            await self._send_cancel(run, quietly=False)
        if not runs:
            await self._cancel_remote(remote_id)

    async def health(self) -> BackendHealth:
        try:
            return BackendHealth(True, self.credentials.scrub(await self._health_check()))
        except GenerationError as exc:
            return BackendHealth(False, one_line(self.credentials.scrub(str(exc))))

    # -- the life cycle -------------------------------------------------------

    @contextlib.contextmanager
    def _run(self, shot_id: str) -> Iterator[_Run]:
        """Register a run of `shot_id` for cancel() while it lasts (a shot may be asked for twice)."""
        run = _Run(shot_id)
        self._runs.setdefault(shot_id, []).append(run)
        try:
            yield run
        finally:
            runs = self._runs.get(shot_id, [])
            if run in runs:
                runs.remove(run)
            if not runs:
                self._runs.pop(shot_id, None)

    async def _reporting_failures(self, report: _Reporter, work: Awaitable[GenerationResult]) -> GenerationResult:
        """Run `work`; a failure is reported as a `failed` event, its message scrubbed of the key."""
        try:
            return await work
        except GenerationError as exc:
            message = one_line(self.credentials.scrub(str(exc)))
            exc.args = (message,)
            report("failed", 0.0, message)
            raise

    async def _generate(
        self, request: GenerationRequest, run: _Run, report: _Reporter, started: float,
    ) -> GenerationResult:
        refuse_unmade_output(self.provider, self.outputs, request)  # before anything is sent
        report("queued", 0.0, f"for {self.provider}")
        # Recorded by the job before the create call: should Foundry stop before the answer,
        # the task may exist with no id known to us, and is not sent again unasked.
        report("submitting", 0.0, f"sending to {self.provider}", server=self.name)
        submission = await self._submit(request)
        if submission.remote_id is not None:
            run.remote_id = submission.remote_id
            if self.on_submitted is not None:
                self.on_submitted(request.shot_id, submission.remote_id)
            # The job records the id, so a restart follows this task instead of paying for another.
            report("submitted", 0.0, f"{self.provider} has it (task {submission.remote_id})",
                   server=self.name, remote_id=submission.remote_id)
        return await self._finish(request, run, submission, report, started)

    async def _finish(
        self, request: GenerationRequest, run: _Run, submission: Submission, report: _Reporter, started: float,
    ) -> GenerationResult:
        saved, status = submission.saved, submission.status
        if saved is None:
            assert run.remote_id is not None
            status = await self._wait(run, status, report)
            report("progress", 0.99, f"downloading from {self.provider}")
            saved = await self._following(run, self._fetch(run.remote_id, status, self._stem(request, run.remote_id)))
        if run.cancelled:  # asked while the output was on its way: the creator no longer wants it
            saved.path.unlink(missing_ok=True)
            await self._send_cancel(run, quietly=True)
            raise self._cancelled(run)
        if request.output == "still" and not saved.info.still:
            saved.path.unlink(missing_ok=True)
            raise CloudOutputError(f"{self.provider} sent a video where a keyframe picture was expected; choose an "
                                   f"image model for keyframes.", provider=self.provider, remote_id=run.remote_id)
        report("done", 1.0, f"made by {self.provider}")
        info = {"provider": self.name, "remote_id": run.remote_id, "model": request.model,
                **submission.info, **(status.info if status else {})}
        if saved.info.duration_s is not None:
            info["clip_seconds"] = round(saved.info.duration_s, 3)
        # The service's own figure where it reports one (Replicate's predict time), else the
        # price of what was asked (Runway, Stability and the gateways charge by that).
        amount = info.pop("cost_actual", None)
        if amount is None:
            amount = self.estimate_cost(request)
        return GenerationResult(
            path=saved.path,
            frames=frames_made(request, saved.info),
            width=saved.info.width,
            height=saved.info.height,
            frame_rate=Fraction(request.frame_rate),
            elapsed_s=round(time.monotonic() - started, 3),
            backend_info=info,
            cost=Cost(float(amount), self.cost_unit) if amount is not None and self.cost_unit else None,
        )

    async def _wait(self, run: _Run, status: TaskStatus | None, report: _Reporter) -> TaskStatus:
        """Poll until the task settles; its final status when it succeeded, else the matching error."""
        remote_id = run.remote_id
        assert remote_id is not None
        deadline = time.monotonic() + self.poll.timeout_s
        interval = self.poll.interval_s
        while True:
            if run.cancelled:
                await self._send_cancel(run, quietly=True)
                raise self._cancelled(run)
            if status is None:
                status = await self._following(run, self._status(remote_id))
            if status.phase == "succeeded":
                return status
            if status.phase == "failed":
                error = ContentModeratedError if status.moderated else CloudTaskFailedError
                raise error(status.failure or f"{self.provider} reported that the task failed.",
                            provider=self.provider, remote_id=remote_id)
            if status.phase == "cancelled":
                raise CloudTaskCancelledError(f"The task was cancelled at {self.provider}.", provider=self.provider,
                                              remote_id=remote_id)
            if status.phase == "queued":  # as the ComfyUI backend reports a server's queue: progress 0
                report("progress", 0.0, f"queued at {self.provider}" + (f" ({status.words})" if status.words else ""))
            else:
                report("progress", min(0.98, status.progress or 0.0), f"{self.provider}: {status.words or 'running'}")
            left = deadline - time.monotonic()
            if left <= 0:
                await self._send_cancel(run, quietly=True)
                raise CloudTimeoutError(
                    f"{self.provider} had not finished the shot after {seconds_in_words(self.poll.timeout_s)}; Foundry "
                    f"cancelled the task ({remote_id}) so that it stops costing.", provider=self.provider,
                    remote_id=remote_id,
                )
            run.wake.clear()
            try:
                await asyncio.wait_for(run.wake.wait(), timeout=min(interval, left))
            except TimeoutError:
                pass
            interval = min(self.poll.max_interval_s, interval * self.poll.growth)
            status = None

    async def _following(self, run: _Run, work: Awaitable[T]) -> T:
        """A status read or the download of a task the provider holds: when the provider stays out
        of reach, the error says that the task can be followed again later (it keeps the remote id)."""
        try:
            return await work
        except CloudUnavailableError as exc:
            raise CloudUnavailableError(
                f"{exc} The task ({run.remote_id}) is still at {self.provider}: Foundry can follow it again "
                f"later without paying twice.", provider=self.provider, status=exc.status,
                remote_id=run.remote_id, retry_later=True,
            ) from None
        except CloudError:
            if run.cancelled:  # some providers forget a task once it is cancelled
                raise self._cancelled(run) from None
            raise

    async def _send_cancel(self, run: _Run, *, quietly: bool) -> None:
        """The provider's cancel, once per run; `quietly` keeps a failure for the cancelled message
        instead of raising it (the run is stopping either way)."""
        if run.remote_id is None or run.cancel_sent:
            return
        run.cancel_sent = True
        try:
            await self._cancel_remote(run.remote_id)
        except CloudError as exc:
            run.cancel_problem = str(exc)
            if not quietly:
                raise

    def _cancelled(self, run: _Run) -> CloudTaskCancelledError:
        message = "Cancelled."
        if run.cancel_problem:
            message += (f" {self.provider} did not confirm stopping task {run.remote_id} "
                        f"({run.cancel_problem}); it may still run and cost.")
        return CloudTaskCancelledError(message, provider=self.provider, remote_id=run.remote_id)

    def _stem(self, request: GenerationRequest, remote_id: str | None) -> Path:
        """Our name for the output (never the provider's): backend and task id, made safe for a file name."""
        safe = _SAFE_ID.sub("-", remote_id or uuid.uuid4().hex).strip("-")[:80] or uuid.uuid4().hex
        return Path(request.output_dir) / f"{self.name}-{safe}"

