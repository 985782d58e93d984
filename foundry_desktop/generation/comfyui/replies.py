"""What a ComfyUI server answers, as far as Foundry relies on it: checked at the edge.

A server, a proxy in front of it, or a custom node may send anything: a string
where an object belongs, a list for an error message, a progress value in
words. Every reply and WebSocket event is read through these models before any
of it is used, so that a reply Foundry cannot understand becomes one sentence
for that job (`UnreadableReply`) instead of a traceback deep in the client.
Only the fields Foundry reads are described; anything else a server adds is
allowed and ignored (newer ComfyUI builds add fields all the time).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from foundry_desktop.errors import GenerationError

T = TypeVar("T")
_LONGEST = 1000  # characters of a server's own words passed on to the creator


class UnreadableReply(GenerationError):
    """A server's answer that does not have the shape ComfyUI's has."""


def _node_id(value: Any) -> Any:
    """Node ids are strings in the API format; ComfyUI itself sometimes sends them as numbers."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


NodeId = Annotated[str, BeforeValidator(_node_id)]


def _lines(value: Any) -> Any:
    """Some nodes raise with a list of lines as their message: one line of them."""
    return " ".join(str(line) for line in value) if isinstance(value, list) else value


Message = Annotated[str, BeforeValidator(_lines)]


class _Reply(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


# -- health and capabilities --------------------------------------------------


class Device(_Reply):
    name: str = ""
    vram_total: int = Field(0, ge=0)
    vram_free: int = Field(0, ge=0)


class SystemInfo(_Reply):
    comfyui_version: str = ""  # absent before August 2024

    def version(self) -> tuple[int, int, int] | None:
        """The release as numbers ("0.3.64", "v0.3.57-dev"), or None when it reports none Foundry can read."""
        match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", self.comfyui_version.strip())
        return (int(match[1]), int(match[2]), int(match[3])) if match else None


class SystemStats(_Reply):
    """GET /system_stats."""

    system: SystemInfo = SystemInfo()
    devices: list[Device] = []


class NodeInputs(_Reply):
    required: dict[str, list[Any]] = {}
    optional: dict[str, list[Any]] = {}


class NodeInfo(_Reply):
    """One node class of GET /object_info: the inputs it declares, its outputs, whether it is an output node."""

    input: NodeInputs = NodeInputs()
    output: list[Any] = []
    output_node: bool = False


_OBJECT_INFO = TypeAdapter(dict[str, NodeInfo])
_MODELS = TypeAdapter(list[str])


# -- the queue, the history and uploads --------------------------------------------


def _queue_item(value: Any) -> Any:
    """A queue item is [number, prompt id, graph, extra data, outputs]: only the first two are read."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        raise ValueError("a queue item is a list starting with its number and prompt id")
    return {"number": value[0], "prompt_id": value[1]}


class QueueItem(_Reply):
    number: float = Field(allow_inf_nan=False)
    prompt_id: str


class Queue(_Reply):
    """GET /queue."""

    queue_running: list[Annotated[QueueItem, BeforeValidator(_queue_item)]] = []
    queue_pending: list[Annotated[QueueItem, BeforeValidator(_queue_item)]] = []


class SavedFile(_Reply):
    """One file an output node saved: what /view needs to send it."""

    filename: str = Field(min_length=1)
    subfolder: str = ""
    type: str = "output"


class NodeOutput(_Reply):
    """What one output node reports; videos come under `images` with `animated: [true]`."""

    images: list[SavedFile] = []
    videos: list[SavedFile] = []
    gifs: list[SavedFile] = []
    audio: list[SavedFile] = []
    animated: list[Any] = []


class HistoryStatus(_Reply):
    status_str: str = ""
    completed: bool = True
    messages: list[tuple[str, dict[str, Any]]] = []


class HistoryEntry(_Reply):
    """One prompt's entry of GET /history/{prompt_id}."""

    outputs: dict[str, NodeOutput] = {}
    status: HistoryStatus = HistoryStatus()
    prompt: list[Any] = []

    def graph_run(self) -> dict[str, Any] | None:
        """The graph the server ran, from [number, prompt id, graph, extra, outputs]."""
        return self.prompt[2] if len(self.prompt) > 2 and isinstance(self.prompt[2], dict) else None

    def stamps(self) -> dict[str, Any]:
        """The `timestamp` of each message kind the server logged (execution_start, execution_success...)."""
        return {kind: data.get("timestamp") for kind, data in self.status.messages}


_HISTORY = TypeAdapter(dict[str, Any])


class UploadedImage(_Reply):
    """POST /upload/image: the name the server gave the file (a clash is renamed)."""

    name: str = Field(min_length=1)
    subfolder: str = ""


# -- a refused prompt (POST /prompt answering 400) ---------------------------------


class Problem(_Reply):
    type: str = ""
    message: str = "invalid"
    details: str = ""
    extra_info: dict[str, Any] = {}


class NodeErrors(_Reply):
    errors: list[Problem] = []
    class_type: str = "?"


class Refusal(_Reply):
    error: Problem | str = Problem(message="the workflow was refused")
    node_errors: dict[str, NodeErrors] = {}

    def in_words(self) -> str:
        """ComfyUI's 400 body as a creator reads it: which node, which input, what is wrong."""
        lines = []
        for node_id, node in self.node_errors.items():
            for problem in node.errors:
                where = f"node {node_id} ({node.class_type})"
                if isinstance(input_name := problem.extra_info.get("input_name"), str) and input_name:
                    where += f", input '{input_name}'"
                detail = f": {problem.details}" if problem.details else ""
                lines.append(f"{where}: {problem.message}{detail}")
        summary = (self.error if isinstance(self.error, str) else self.error.message) or "the workflow was refused"
        text = " ".join((summary + (" — " + "; ".join(lines) if lines else "")).split())  # one line
        return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


# -- WebSocket events ------------------------------------------------------------


class Event(_Reply):
    """A text frame: {"type", "data"}. Only `prompt_id` and `node` are read to route it."""

    type: str
    data: dict[str, Any] = {}


class Progress(_Reply):
    value: float = Field(ge=0, allow_inf_nan=False)
    max: float = Field(gt=0, allow_inf_nan=False)
    node: NodeId | None = None

    def fraction(self) -> float:
        return min(1.0, self.value / self.max) if math.isfinite(self.value / self.max) else 0.0


class Executing(_Reply):
    node: NodeId | None = None


class ExecutionError(_Reply):
    node_id: NodeId | None = None
    node_type: str = "?"
    exception_type: str = "error"
    exception_message: Message = ""

    def in_words(self) -> str:
        message = " ".join(self.exception_message.split())[:_LONGEST]
        return f"node {self.node_id} ({self.node_type}): {self.exception_type}{': ' + message if message else ''}"


def read(model: type[T] | TypeAdapter[Any], value: Any, what: str) -> Any:
    """`value` as `model`, or UnreadableReply saying in words which answer was not understood."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(value)
        return model.model_validate(value)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise UnreadableReply(f"{what} is not what ComfyUI sends ({_first_problem(exc)}).") from None


def read_object_info(value: Any, what: str) -> dict[str, Any]:
    """GET /object_info checked, handed on as the server sent it (the checks read its raw specs)."""
    read(_OBJECT_INFO, value, what)
    return value


def read_models(value: Any, what: str) -> list[str]:
    return read(_MODELS, value, what)


def read_history(value: Any, prompt_id: str, what: str) -> HistoryEntry | None:
    """The prompt's entry of a history answer, or None while there is none (`{}` until it is written)."""
    body = read(_HISTORY, value, what)
    entry = body.get(prompt_id)
    return None if entry is None else read(HistoryEntry, entry, what)


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "the answer"
    text = f"{where}: {error['msg'].lower()}"
    return " ".join(text.split())[:200]  # one line, whatever the server put in its keys
