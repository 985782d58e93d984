"""Talking to one ComfyUI server, as docs/protocols/comfyui.md describes it.

The order matters and is ComfyUI's, not ours: open the WebSocket with a
client id *before* posting the prompt with that id (execution events go only
to that client; one socket per server serves all our prompts there, see
events.py); post with a prompt id we chose, so a restart can find the
prompt again; follow only our prompt's events; fetch the history after the
final `executing {node: null}` (it is written just after success). When the
socket drops, the prompt is followed by polling its history and the queue, and
a prompt the server no longer knows (it restarted) is reported as lost so the
caller can submit it elsewhere.

Everything coming back from a server is untrusted: every answer is read
through replies.py's models before it is used (one it cannot read fails that
job in words), output names are checked before anything is written, downloads
are capped in size and checked to be whole and to decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from foundry_desktop.errors import GenerationError, MediaError
from foundry_desktop.generation.backend import RemoteJobLost
from foundry_desktop.generation.bounded_download import TransferLimits, write_bounded
from foundry_desktop.generation.bounded_upload import bounded_upload
from foundry_desktop.generation.comfyui.events import EventQueue, ServerEvents
from foundry_desktop.generation.comfyui.replies import (
    Event,
    ExecutionError,
    Executing,
    HistoryEntry,
    Progress as ProgressEvent,
    Queue,
    Refusal,
    SystemStats,
    UnreadableReply,
    UploadedImage,
    read,
    read_history,
    read_models,
    read_object_info,
)
from foundry_desktop.media.probe import SourceInfo, probe_sound_source, probe_source

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".webp", ".gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
AUDIO_SUFFIXES = (".flac", ".mp3", ".opus", ".wav", ".ogg", ".m4a")  # SaveAudio writes FLAC, its siblings MP3 and Opus
DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024**3
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _().+-]*$")
_POLL_S = 1.0
_QUIET_S = 15.0  # a socket silent this long while a prompt runs: the history is asked whether it ended
# The first ComfyUI whose /interrupt honours a prompt_id (Comfy-Org/ComfyUI#9607, September 2025);
# an older one stops whatever prompt is running when the request arrives, whoever sent it.
TARGETED_INTERRUPT_SINCE = (0, 3, 57)
_CANCEL_LOOKS = 4  # looks at the queue per cancel: ours deleted, then one more look (a server ignoring deletes: given up)


class ServerLostPrompt(RemoteJobLost):
    """The server went away or forgot the prompt (a restart): submit it elsewhere."""


class PromptInterrupted(GenerationError):
    """The prompt was cancelled or interrupted before it finished."""


@dataclass(frozen=True)
class OutputFile:
    filename: str
    subfolder: str
    kind: str  # ComfyUI's "type": output, temp
    animated: bool

    @property
    def suffix(self) -> str:
        return Path(self.filename).suffix.lower()


Progress = Callable[[float, str], None]  # fraction done, what is happening


def connection_problem(exc: httpx.HTTPError) -> str:
    """What went wrong with a request, in words: httpx leaves some errors without a message."""
    text = " ".join(str(exc).split())
    if text:
        return text
    for kind, words in _CONNECTION_WORDS:
        if isinstance(exc, kind):
            return words
    return type(exc).__name__


_CONNECTION_WORDS = (
    (httpx.TimeoutException, "it did not answer in time"),
    (httpx.ConnectError, "the connection was refused"),
    (httpx.RemoteProtocolError, "it closed the connection without a proper answer"),
    (httpx.ReadError, "the connection broke while reading its answer"),
    (httpx.WriteError, "the connection broke while sending"),
)


class ComfyUIClient:
    """One server. Async; the httpx client is shared and owned by the caller."""

    def __init__(self, name: str, url: str, http: httpx.AsyncClient, *, max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
                 transfer_limits: TransferLimits | None = None):
        self.name = name
        self.url = url.rstrip("/")
        self._http = http
        self._max_download_bytes = max_download_bytes
        self.transfer_limits = transfer_limits or TransferLimits()
        self.quiet_s = _QUIET_S
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self._events = ServerEvents(f"{scheme}://{parts.netloc}{parts.path}/ws")
        # Prompts a cancel asked to stop, kept until the server no longer has them (and no one
        # follows them), so that each later look at the queue sees all of ours at once.
        self._cancelling: set[str] = set()
        self._interrupted: set[str] = set()  # of those, the ones /interrupt was sent for (once is enough)
        self._cancel_lock = asyncio.Lock()  # one cancel at a time looks and acts, each after the last's effect

    # -- plain requests -------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, f"{self.url}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: httpx.HTTPError) -> ServerLostPrompt:
        if isinstance(exc, httpx.TimeoutException):
            return ServerLostPrompt(f"ComfyUI on {self.name} did not answer in time ({self.url}).")
        return ServerLostPrompt(f"ComfyUI on {self.name} cannot be reached at {self.url} ({connection_problem(exc)}).")

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request(method, path, **kwargs)
        if response.status_code >= 400:
            raise GenerationError(f"ComfyUI on {self.name} answered {response.status_code} to {path}.")
        try:
            return response.json()
        except ValueError:
            raise UnreadableReply(f"ComfyUI on {self.name} sent something that is not JSON for {path}.") from None

    def _answer(self, path: str) -> str:
        return f"The answer of ComfyUI on {self.name} to {path}"

    async def system_stats(self) -> SystemStats:
        return read(SystemStats, await self._json("GET", "/system_stats"), self._answer("/system_stats"))

    async def object_info(self) -> dict[str, Any]:
        return read_object_info(await self._json("GET", "/object_info"), self._answer("/object_info"))

    async def models(self, folder: str) -> list[str]:
        response = await self._request("GET", f"/models/{folder}")
        if response.status_code != 200:
            return []  # an older server without the route: the loaders' dropdowns are checked instead
        try:
            body = response.json()
        except ValueError:
            raise UnreadableReply(f"{self._answer(f'/models/{folder}')} is not JSON.") from None
        return read_models(body, self._answer(f"/models/{folder}"))

    async def queue(self) -> tuple[list[str], list[str]]:
        """The prompt ids running and pending (pending in run order)."""
        body = read(Queue, await self._json("GET", "/queue"), self._answer("/queue"))
        running = [item.prompt_id for item in body.queue_running]
        pending = [item.prompt_id for item in sorted(body.queue_pending, key=lambda item: item.number)]
        return running, pending

    async def history(self, prompt_id: str) -> HistoryEntry | None:
        body = await self._json("GET", f"/history/{prompt_id}")
        return read_history(body, prompt_id, self._answer("/history"))

    async def upload_image(self, path: Path) -> str:
        """Upload an input image within the transfer's limits (bounded_upload.py); the name to use is the one
        the server gives back."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise GenerationError(f"The input image {path.name} cannot be read: {exc.strerror or exc}.") from None
        request = self._http.build_request("POST", f"{self.url}/upload/image", files={"image": (path.name, content)},
                                           data={"type": "input", "overwrite": "false"})
        try:
            response = await bounded_upload(self._http, request, limits=self.transfer_limits,
                                            source=f"ComfyUI on {self.name}", noun=f"input image {path.name}")
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code != 200:
            raise GenerationError(f"ComfyUI on {self.name} refused the input image {path.name} ({response.status_code}).")
        try:
            body = response.json()
        except ValueError:
            raise UnreadableReply(f"{self._answer('/upload/image')} is not JSON.") from None
        uploaded = read(UploadedImage, body, self._answer("/upload/image"))
        return f"{uploaded.subfolder}/{uploaded.name}" if uploaded.subfolder else uploaded.name

    async def submit(self, graph: dict[str, Any], client_id: str, prompt_id: str) -> None:
        if prompt_id in self._cancelling:
            raise PromptInterrupted("Cancelled.")
        response = await self._request("POST", "/prompt", json={"prompt": graph, "client_id": client_id, "prompt_id": prompt_id})
        if response.status_code == 200:
            if prompt_id in self._cancelling:  # cancelled while on its way: that cancel may have found nothing
                await self.cancel(prompt_id)
                raise PromptInterrupted("Cancelled.")
            return
        try:
            refusal = Refusal.model_validate(response.json())
        except ValueError:  # not JSON, or not ComfyUI's refusal (a proxy's page, say): its first words
            words = " ".join(response.text.split())[:200]
            refusal = Refusal(error=words or f"it answered {response.status_code}")
        raise GenerationError(f"ComfyUI on {self.name} refused the workflow: {refusal.in_words().rstrip('.')}.")

    async def cancel(self, prompt_id: str) -> None:
        """Stop our prompt without ever stopping another one.

        Every prompt of ours being cancelled that is still waiting is deleted first (a deletion names
        its prompts, so it touches no other), and the queue looked at again, until none is waiting:
        so the prompt that starts when ours ends is never one of ours we are about to delete. Then
        the running prompt, if it is one we are cancelling, is interrupted:

        * from ComfyUI 0.3.57 on (its /system_stats version), /interrupt names it, and the server
          itself sets its stop flag only while that prompt runs: only an end of ours in the instant
          between the server's own check and its flag (not a round trip of ours) can reach the next;
        * on an older server /interrupt stops whatever runs when it arrives, so it is sent only when
          nothing at all waits behind ours; a prompt that someone sends then can still be stopped if
          it starts within the one round trip between our last look and the server reading /interrupt,
          which needs ours to end within that same round trip. With anything waiting behind ours it is
          not interrupted: it runs to its end on the server and its follower stops at once (nothing of
          it is downloaded); a later cancel that finds nothing waiting interrupts it then."""
        self._cancelling.add(prompt_id)
        stopped: list[str] = []  # whose followers stop once this cancel is done (not before: see below)
        try:
            async with self._cancel_lock:
                await self._take_off(prompt_id, stopped)
        finally:
            # Woken last, so that a caller whose run ends with its jobs is not stopped mid-cancel.
            for ended in stopped:
                self._events.poll_instead(ended)

    async def _take_off(self, prompt_id: str, stopped: list[str]) -> None:
        targeted = await self._interrupts_by_prompt_id()
        for _ in range(_CANCEL_LOOKS):
            try:
                running, pending = await self.queue()
            except UnreadableReply:  # where it is cannot be told: only requests naming this prompt alone
                await self._request("POST", "/queue", json={"delete": [prompt_id]})
                if targeted and prompt_id not in self._interrupted:
                    await self._interrupt(prompt_id)
                stopped.append(prompt_id)
                return
            self._forget_ended(running + pending)
            ours_waiting = [waiting for waiting in pending if waiting in self._cancelling]
            if ours_waiting:
                await self._request("POST", "/queue", json={"delete": ours_waiting})
                stopped += ours_waiting
                continue  # look again: one of them may have started meanwhile
            for current in running:
                if current not in self._cancelling or current in self._interrupted:
                    continue
                if targeted or (not pending and len(running) == 1):
                    await self._interrupt(current)
                else:
                    stopped.append(current)  # left to end there; its follower stops now
            return

    async def _interrupts_by_prompt_id(self) -> bool:
        """Whether the server's /interrupt honours a prompt_id; a version it will not tell counts as older."""
        try:
            version = (await self.system_stats()).system.version()
        except ServerLostPrompt:
            raise
        except GenerationError:  # a refusal or an answer that is not ComfyUI's
            return False
        return version is not None and version >= TARGETED_INTERRUPT_SINCE

    async def _interrupt(self, prompt_id: str) -> None:
        self._interrupted.add(prompt_id)
        await self._request("POST", "/interrupt", json={"prompt_id": prompt_id})

    def _forget_ended(self, on_server: list[str]) -> None:
        """Drop the cancelled prompts the server no longer has, unless one is still followed (it may
        be about to be sent: submit() looks for it here)."""
        kept = set(on_server)
        self._cancelling = {p for p in self._cancelling if p in kept or self._events.is_followed(p)}
        self._interrupted &= self._cancelling

    # -- following a prompt ---------------------------------------------------

    def events(self, prompt_id: str) -> contextlib.AbstractAsyncContextManager[EventQueue | None]:
        """The events of `prompt_id` on the server's one socket, from now on (None if it will
        not open: the prompt is then followed by polling). Enter it before submitting."""
        return self._events.following(prompt_id)

    @property
    def client_id(self) -> str:
        """The client id to post prompts with: their events come to our socket."""
        return self._events.client_id

    async def aclose(self) -> None:
        await self._events.close()

    async def follow(self, prompt_id: str, events: EventQueue | None, on_progress: Progress) -> HistoryEntry:
        """Wait for the prompt to end; its history entry on success."""
        if events is not None:
            await self._listen(prompt_id, events, on_progress)
        # Finished (history is written just after success), or the socket dropped: poll.
        return await self._poll(prompt_id, on_progress)

    async def _listen(self, prompt_id: str, events: EventQueue, on_progress: Progress) -> None:
        # The events only tell progress and the end early: the history is the server's word on the
        # result, so an event that cannot be read is passed over (an unreadable `executing` ends
        # listening, and the history decides) rather than failing work the server may finish.
        while (event := await self._next_event(prompt_id, events)) is not None:
            if event.type == "progress":
                progress = _readable(ProgressEvent, event)
                if progress is not None:
                    on_progress(progress.fraction(), f"node {progress.node}")
            elif event.type == "executing":
                executing = _readable(Executing, event)
                if executing is None or executing.node is None:
                    return  # the legacy "done" marker: the history is being written
                on_progress(-1.0, f"node {executing.node}")
            elif event.type == "execution_error":
                error = _readable(ExecutionError, event)
                words = error.in_words() if error is not None else "its error report could not be read"
                raise GenerationError(f"ComfyUI on {self.name} failed in {words}")
            elif event.type == "execution_interrupted":
                raise PromptInterrupted(f"The prompt was interrupted on {self.name}.")

    async def _next_event(self, prompt_id: str, events: EventQueue) -> Event | None:
        """The prompt's next event; None when the socket dropped, or when it has been quiet for
        `quiet_s` and the history already holds the prompt (its end event was lost or unreadable)."""
        while True:
            try:
                return await asyncio.wait_for(events.get(), self.quiet_s)
            except TimeoutError:
                if await self.history(prompt_id) is not None:
                    return None

    async def _poll(self, prompt_id: str, on_progress: Progress) -> HistoryEntry:
        while True:
            if prompt_id in self._cancelling:  # taken off, or left to end on a server that would stop another
                raise PromptInterrupted("Cancelled.")
            entry = await self.history(prompt_id)
            if entry is not None:
                # ComfyUI writes the entry when the prompt has ended: not completed is a failure too.
                if entry.status.status_str == "error" or not entry.status.completed:
                    raise GenerationError(f"ComfyUI on {self.name} failed: {_history_error(entry)}")
                return entry
            else:
                running, pending = await self.queue()
                if prompt_id not in running and prompt_id not in pending:
                    # Not queued, not in history: gone (a restart forgets both), unless the
                    # history is being written this very moment: look once more.
                    await asyncio.sleep(_POLL_S / 4)
                    if await self.history(prompt_id) is None:
                        raise ServerLostPrompt(f"ComfyUI on {self.name} no longer has the prompt (restarted?).")
                    continue
            await asyncio.sleep(_POLL_S)

    # -- results -------------------------------------------------------------

    def outputs(self, entry: HistoryEntry) -> list[OutputFile]:
        """The files a finished prompt made; videos are listed under `images` too, sound under `audio`."""
        files = []
        for output in entry.outputs.values():
            animated = any(flag is True for flag in output.animated)
            for key in ("images", "videos", "gifs", "audio"):
                for item in getattr(output, key):
                    files.append(OutputFile(item.filename, item.subfolder, item.type, animated or key != "images"))
        return files

    async def download(self, output: OutputFile, destination: Path) -> SourceInfo:
        """Fetch `output` into `destination` (a name of ours, never the server's), within the transfer's
        bounds (bounded_download.py: deadline, stall, size cap, media from its first bytes), checked to
        be whole and to decode; nothing is left at `destination` otherwise."""
        if not _safe(output.filename):
            raise GenerationError(f"ComfyUI on {self.name} named its output {output.filename!r}; Foundry refuses unsafe names.")
        if not all(_safe(part) for part in output.subfolder.split("/") if part):
            raise GenerationError(
                f"ComfyUI on {self.name} put its output in the folder {output.subfolder!r}; Foundry refuses unsafe names."
            )
        params = {"filename": output.filename, "subfolder": output.subfolder, "type": output.kind}
        partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")
        sound = output.suffix in AUDIO_SUFFIXES
        source = f"ComfyUI on {self.name}"
        try:
            async with self._http.stream("GET", f"{self.url}/view", params=params) as response:
                if response.status_code != 200:
                    raise GenerationError(f"ComfyUI on {self.name} could not send {output.filename} ({response.status_code}).")
                expected = _declared_length(response)
                with partial.open("xb") as file:
                    received = await write_bounded(
                        response.aiter_bytes(), file, limits=self.transfer_limits, max_bytes=self._max_download_bytes,
                        source=source, noun=f"{'sound' if sound else 'file'} {output.filename}",
                        want="sound" if sound else "any", declared=expected,
                    )
            if expected is not None and received != expected:
                raise GenerationError(f"The download of {output.filename} from {self.name} was cut short.")
            try:
                info = await asyncio.to_thread(probe_sound_source if sound else probe_source, partial)
            except MediaError:
                what = "sound file" if sound else "video or picture"
                raise GenerationError(f"{output.filename} from {self.name} is not a {what} Foundry can read.") from None
            partial.replace(destination)
            return info
        except httpx.HTTPError as exc:
            raise ServerLostPrompt(f"The download from ComfyUI on {self.name} failed ({connection_problem(exc)}).") from None
        finally:
            partial.unlink(missing_ok=True)


def _history_error(entry: HistoryEntry) -> str:
    for kind, data in entry.status.messages:
        if kind == "execution_error":
            error = _readable(ExecutionError, Event(type=kind, data=data))
            return error.in_words() if error is not None else "its error report could not be read"
    return "the prompt ended with an error"


def _readable(model: type[Any], event: Event) -> Any:
    """The event's data as `model`, or None when it does not have that shape."""
    try:
        return read(model, event.data, "an event")
    except UnreadableReply:
        return None


def _safe(part: str) -> bool:
    return bool(_SAFE_NAME.match(part)) and ".." not in part


def _declared_length(response: httpx.Response) -> int | None:
    """The Content-Length the server declared, or None when it declared none it could mean."""
    text = response.headers.get("content-length", "")
    return int(text) if text.isascii() and text.isdigit() else None
