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

Everything coming back from a server is untrusted: output names are checked
before anything is written, downloads are capped in size and checked to be
whole and to decode.
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
from foundry_desktop.generation.comfyui.events import EventQueue, ServerEvents
from foundry_desktop.media.probe import SourceInfo, probe_sound_source, probe_source

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".webp", ".gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
AUDIO_SUFFIXES = (".flac", ".mp3", ".opus", ".wav", ".ogg", ".m4a")  # SaveAudio writes FLAC, its siblings MP3 and Opus
DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024**3
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _().+-]*$")
_POLL_S = 1.0


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


def _node_errors_in_words(body: dict[str, Any]) -> str:
    """ComfyUI's 400 body as a creator reads it: which node, which input, what is wrong."""
    error = body.get("error") or {}
    lines = []
    for node_id, node in (body.get("node_errors") or {}).items():
        for problem in node.get("errors", []):
            extra = problem.get("extra_info") or {}
            where = f"node {node_id} ({node.get('class_type', '?')})"
            if extra.get("input_name"):
                where += f", input '{extra['input_name']}'"
            detail = problem.get("details") or ""
            lines.append(f"{where}: {problem.get('message', 'invalid')}{': ' + detail if detail else ''}")
    summary = error.get("message") or "the workflow was refused"
    return summary + (" — " + "; ".join(lines) if lines else "")


class ComfyUIClient:
    """One server. Async; the httpx client is shared and owned by the caller."""

    def __init__(self, name: str, url: str, http: httpx.AsyncClient, *, max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
                 transfer_limits: TransferLimits | None = None):
        self.name = name
        self.url = url.rstrip("/")
        self._http = http
        self._max_download_bytes = max_download_bytes
        self.transfer_limits = transfer_limits or TransferLimits()
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self._events = ServerEvents(f"{scheme}://{parts.netloc}{parts.path}/ws")

    # -- plain requests -------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, f"{self.url}{path}", **kwargs)
        except httpx.TimeoutException:
            raise ServerLostPrompt(f"ComfyUI on {self.name} did not answer in time ({self.url}).") from None
        except httpx.HTTPError as exc:
            raise ServerLostPrompt(f"ComfyUI on {self.name} cannot be reached at {self.url} ({exc}).") from None

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request(method, path, **kwargs)
        if response.status_code >= 400:
            raise GenerationError(f"ComfyUI on {self.name} answered {response.status_code} to {path}.")
        try:
            return response.json()
        except ValueError:
            raise GenerationError(f"ComfyUI on {self.name} sent something that is not JSON for {path}.") from None

    async def system_stats(self) -> dict[str, Any]:
        return await self._json("GET", "/system_stats")

    async def object_info(self) -> dict[str, Any]:
        return await self._json("GET", "/object_info")

    async def models(self, folder: str) -> list[str]:
        response = await self._request("GET", f"/models/{folder}")
        if response.status_code == 404:
            return []
        return list(response.json()) if response.status_code == 200 else []

    async def queue(self) -> tuple[list[str], list[str]]:
        """The prompt ids running and pending (pending in run order)."""
        body = await self._json("GET", "/queue")
        running = [item[1] for item in body.get("queue_running", [])]
        pending = [item[1] for item in sorted(body.get("queue_pending", []), key=lambda item: item[0])]
        return running, pending

    async def history(self, prompt_id: str) -> dict[str, Any] | None:
        body = await self._json("GET", f"/history/{prompt_id}")
        return body.get(prompt_id) if isinstance(body, dict) else None

    async def upload_image(self, path: Path) -> str:
        """Upload an input image; the name to use is the one the server gives back."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise GenerationError(f"The input image {path.name} cannot be read: {exc.strerror or exc}.") from None
        response = await self._request(
            "POST", "/upload/image", files={"image": (path.name, content)}, data={"type": "input", "overwrite": "false"}
        )
        if response.status_code != 200:
            raise GenerationError(f"ComfyUI on {self.name} refused the input image {path.name} ({response.status_code}).")
        body = response.json()
        name, subfolder = body.get("name", ""), body.get("subfolder", "")
        return f"{subfolder}/{name}" if subfolder else name

    async def submit(self, graph: dict[str, Any], client_id: str, prompt_id: str) -> None:
        response = await self._request("POST", "/prompt", json={"prompt": graph, "client_id": client_id, "prompt_id": prompt_id})
        if response.status_code == 200:
            return
        try:
            body = response.json()
        except ValueError:
            body = {"error": {"message": response.text.strip()[:200] or f"status {response.status_code}"}}
        raise GenerationError(f"ComfyUI on {self.name} refused the workflow: {_node_errors_in_words(body)}.")

    async def cancel(self, prompt_id: str) -> None:
        """Take our prompt out of the queue, or interrupt it if it is the one running (only ours)."""
        running, pending = await self.queue()
        if prompt_id in pending:
            await self._request("POST", "/queue", json={"delete": [prompt_id]})
            self._events.poll_instead(prompt_id)
        elif prompt_id in running:
            await self._request("POST", "/interrupt", json={"prompt_id": prompt_id})

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

    async def follow(self, prompt_id: str, events: EventQueue | None, on_progress: Progress) -> dict[str, Any]:
        """Wait for the prompt to end; its history entry on success."""
        if events is not None:
            await self._listen(prompt_id, events, on_progress)
        # Finished (history is written just after success), or the socket dropped: poll.
        return await self._poll(prompt_id, on_progress)

    async def _listen(self, prompt_id: str, events: EventQueue, on_progress: Progress) -> None:
        while (event := await events.get()) is not None:
            kind, data = event
            if kind == "progress" and data.get("max"):
                on_progress(data["value"] / data["max"], f"node {data.get('node')}")
            elif kind == "executing":
                if data.get("node") is None:
                    return  # the legacy "done" marker: the history is being written
                on_progress(-1.0, f"node {data['node']}")
            elif kind == "execution_error":
                raise GenerationError(
                    f"ComfyUI on {self.name} failed in node {data.get('node_id')} ({data.get('node_type')}): "
                    f"{data.get('exception_type', 'error')}: {data.get('exception_message', '').strip()}"
                )
            elif kind == "execution_interrupted":
                raise PromptInterrupted(f"The prompt was interrupted on {self.name}.")

    async def _poll(self, prompt_id: str, on_progress: Progress) -> dict[str, Any]:
        while True:
            entry = await self.history(prompt_id)
            if entry is not None:
                status = entry.get("status") or {}
                if status.get("status_str") == "error":
                    raise GenerationError(f"ComfyUI on {self.name} failed: {_history_error(status)}")
                if status.get("completed", True):
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

    def outputs(self, entry: dict[str, Any]) -> list[OutputFile]:
        """The files a finished prompt made; videos are listed under `images` too, sound under `audio`."""
        files = []
        for output in (entry.get("outputs") or {}).values():
            animated = any(output.get("animated") or [])
            for key in ("images", "videos", "gifs", "audio"):
                for item in output.get(key) or []:
                    files.append(OutputFile(str(item.get("filename", "")), str(item.get("subfolder", "")),
                                            str(item.get("type", "output")), animated or key != "images"))
        return files

    async def download(self, output: OutputFile, destination: Path) -> SourceInfo:
        """Fetch `output` into `destination` (a name of ours, never the server's), within the transfer's
        bounds (bounded_download.py: deadline, stall, size cap, media from its first bytes), checked to
        be whole and to decode; nothing is left at `destination` otherwise."""
        for part in (output.filename, *filter(None, output.subfolder.split("/"))):
            if not _SAFE_NAME.match(part) or ".." in part:
                raise GenerationError(f"ComfyUI on {self.name} named its output {output.filename!r}; Foundry refuses unsafe names.")
        params = {"filename": output.filename, "subfolder": output.subfolder, "type": output.kind}
        partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")
        sound = output.suffix in AUDIO_SUFFIXES
        source = f"ComfyUI on {self.name}"
        try:
            async with self._http.stream("GET", f"{self.url}/view", params=params) as response:
                if response.status_code != 200:
                    raise GenerationError(f"ComfyUI on {self.name} could not send {output.filename} ({response.status_code}).")
                length = response.headers.get("content-length", "")
                expected = int(length) if length.isdigit() else None
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
            raise ServerLostPrompt(f"The download from ComfyUI on {self.name} failed ({exc}).") from None
        finally:
            partial.unlink(missing_ok=True)


def _history_error(status: dict[str, Any]) -> str:
    for kind, data in status.get("messages") or []:
        if kind == "execution_error":
            return (f"node {data.get('node_id')} ({data.get('node_type')}): {data.get('exception_type', 'error')}: "
                    f"{str(data.get('exception_message', '')).strip()}")
    return "the prompt ended with an error"
