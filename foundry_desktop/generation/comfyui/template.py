"""A ComfyUI workflow template: an API-format graph plus where a shot's values go.

A ComfyUI server runs whatever graph it is sent, so Foundry does not build
graphs itself: a creator (or the repository's `workflows/` folder) supplies a
graph exported from ComfyUI, and the template says which node input receives
each of the shot's values — its *roles*: prompt, negative_prompt, seed, width,
height, frames, fps, input_image, last_image, seconds, denoise, steps, cfg,
filename_prefix, plus any free-form role the creator sets with
`--param KEY=VALUE` (say `motion_bucket_id`). `fill` puts one shot's values into a copy of the graph.

Reading a template file is template_file.py; checking a template against a
server is server_check.py. Problems filling it for a shot raise
GenerationError.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.comfyui.api_graph import is_link, node_order
from foundry_desktop.generation.comfyui.model_folders import model_folder

if TYPE_CHECKING:
    from foundry_desktop.generation.backend import GenerationRequest

STANDARD_ROLES = (
    "prompt",
    "negative_prompt",
    "seed",
    "width",
    "height",
    "frames",
    "fps",
    "input_image",
    "last_image",
    "seconds",
    "denoise",
    "steps",
    "cfg",
    "filename_prefix",
)

# ComfyUI's largest seed (KSampler accepts 0 .. 2**64 - 1).
_MAX_SEED = 0xFFFFFFFFFFFFFFFF

# Output nodes of core ComfyUI, for when no server's /object_info is at hand.
_CORE_OUTPUT_CLASSES = {
    "SaveImage", "PreviewImage", "SaveVideo", "SaveWEBM", "SaveAnimatedWEBP", "SaveAnimatedPNG",
    "SaveAudio", "SaveAudioMP3", "SaveAudioOpus", "PreviewAudio", "SaveLatent",
}  # fmt: skip
# Savers whose file is a sound, and those whose file is moving pictures.
_SOUND_SAVERS = {"SaveAudio", "SaveAudioMP3", "SaveAudioOpus", "PreviewAudio"}
_VIDEO_SAVERS = {"SaveVideo", "SaveWEBM", "SaveAnimatedWEBP", "SaveAnimatedPNG"}
_KIND_WORDS = {"video": "video", "still": "still pictures", "sound": "sound"}


@dataclass(frozen=True)
class InputTarget:
    """One node input that receives a role's value."""

    node_id: str
    input_name: str


@dataclass(frozen=True)
class ModelFile:
    """A model file a workflow loads, and the ComfyUI models folder it lives in."""

    name: str
    folder: str
    url: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class WorkflowValues:
    """What a shot puts into a workflow. None leaves the template's own value.

    `extra` holds the creator's `--param KEY=VALUE` settings: steps, cfg,
    denoise or any free-form role; an extra naming a standard role
    (say `width`) overrides the field.
    """

    prompt: str = ""
    negative_prompt: str = ""
    seed: int = 0
    width: int | None = None
    height: int | None = None
    frames: int | None = None
    fps: Fraction | float | None = None
    input_image: str | None = None  # the name ComfyUI's /upload/image answered with
    last_image: str | None = None  # the last frame's upload, for first/last-frame workflows
    seconds: float | None = None  # a sound's length, for audio workflows
    filename_prefix: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(
        cls, request: GenerationRequest, uploaded_image: str | None = None, filename_prefix: str | None = None,
        uploaded_last_image: str | None = None,
    ) -> WorkflowValues:
        """The values of one generation request; its pictures must be uploaded first. A sound's
        length in seconds is its frames at its frame rate (a `seconds` param overrides it)."""
        return cls(
            prompt=request.prompt,
            negative_prompt=request.negative_prompt,
            seed=request.seed,
            width=request.width,
            height=request.height,
            frames=request.frames,
            fps=request.frame_rate,
            input_image=uploaded_image,
            last_image=uploaded_last_image,
            seconds=float(request.frames / Fraction(request.frame_rate)) if request.output == "sound" else None,
            filename_prefix=filename_prefix,
            extra=dict(request.params),
        )


@dataclass(frozen=True, eq=False)
class WorkflowTemplate:
    """An API-format ComfyUI graph and the node inputs each role fills.

    Treat `graph` as read-only: `fill` works on a deep copy, and the identity
    hash is computed from it.
    """

    name: str
    title: str
    category: str
    description: str
    graph: Mapping[str, Any] = field(repr=False)
    roles: Mapping[str, tuple[InputTarget, ...]]
    size_multiple: int = 2
    declared_models: tuple[ModelFile, ...] = ()
    source: Path | None = None

    # -- what the template is -------------------------------------------------

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def takes_image(self) -> bool:
        """Whether the workflow starts from an input image (image-to-video)."""
        return "input_image" in self.roles

    @property
    def takes_last_image(self) -> bool:
        """Whether the workflow also takes the shot's last frame (first/last-frame video)."""
        return "last_image" in self.roles

    @property
    def makes_video(self) -> bool:
        """Whether the workflow makes moving pictures (it has a frame count to fill)."""
        return "frames" in self.roles

    @property
    def output_kind(self) -> str:
        """What the workflow makes, by its save nodes: "sound", "video" or "still"."""
        savers = {self.graph[node_id]["class_type"] for node_id in self.outputs()}
        if savers and savers <= _SOUND_SAVERS:
            return "sound"
        return "video" if savers & _VIDEO_SAVERS or self.makes_video else "still"

    def check_output(self, wanted: str) -> None:
        """GenerationError, before anything is sent, when the workflow cannot make what a request asks
        for (a video shot may still use a picture workflow: the picture lasts the shot)."""
        made = self.output_kind
        if made != wanted and not (wanted == "video" and made == "still"):
            raise GenerationError(
                f"The workflow “{self.title}” makes {_KIND_WORDS[made]}, not {_KIND_WORDS[wanted]}: "
                "choose another workflow (see `foundry workflow list`)."
            )

    @cached_property
    def identity(self) -> str:
        """A hash of everything that decides what the workflow generates.

        The graph, the role map and the size rounding enter; title, category
        and description do not, so renaming a workflow keeps its takes current.
        """
        canonical = {
            "graph": self.graph,
            "roles": {
                role: [[target.node_id, target.input_name] for target in targets]
                for role, targets in sorted(self.roles.items())
            },
            "size_multiple": self.size_multiple,
        }
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The workflow as kept in a take's provenance."""
        return {"name": self.name, "title": self.title, "identity": self.identity}

    def required_nodes(self) -> list[str]:
        """The node classes the server must have, sorted."""
        return sorted({node["class_type"] for node in self.graph.values()})

    def required_models(self) -> list[ModelFile]:
        """The model files the graph's loaders name, with their folders, sorted."""
        found: dict[tuple[str, str], ModelFile] = {}
        urls = {model.name: model.url for model in self.declared_models}
        for _, node, input_name, value in self._literal_inputs():
            folder = model_folder(node["class_type"], input_name, value)
            if folder is not None:
                found.setdefault((folder, value), ModelFile(value, folder, urls.get(value)))
        return [found[key] for key in sorted(found)]

    def outputs(self, object_info: Mapping[str, Any] | None = None) -> list[str]:
        """The ids of the output nodes (those whose results ComfyUI reports).

        With a server's /object_info the server's word decides; without, core
        ComfyUI's save and preview nodes count.
        """
        ids = []
        for node_id, node in self.graph.items():
            class_type = node["class_type"]
            if object_info is not None and class_type in object_info:
                is_output = bool(object_info[class_type].get("output_node"))
            else:
                is_output = class_type in _CORE_OUTPUT_CLASSES or class_type.startswith(("Save", "Preview"))
            if is_output:
                ids.append(node_id)
        return sorted(ids, key=node_order)

    # -- filling it for a shot ------------------------------------------------

    def fill(self, values: WorkflowValues, *, ignore_unknown: bool = False) -> dict[str, Any]:
        """A copy of the graph with the shot's values in their node inputs.

        The seed always lands (a graph identical to an earlier one is served
        from ComfyUI's cache with no new file); width and height are rounded
        to the template's size multiple, always even (H.264 needs even sizes).
        An extra the template has no role for raises, unless `ignore_unknown`
        (a shot's params may be meant for another backend).
        """
        wanted: dict[str, Any] = {"prompt": values.prompt, "seed": values.seed}
        if values.negative_prompt:  # empty keeps the template's own (often tuned) negative prompt
            wanted["negative_prompt"] = values.negative_prompt
        for role in ("width", "height", "frames", "fps", "input_image", "last_image", "seconds", "filename_prefix"):
            if getattr(values, role) is not None:
                wanted[role] = getattr(values, role)
        unknown = [key for key in values.extra if key not in self.roles and key not in STANDARD_ROLES]
        if unknown and not ignore_unknown:
            known = ", ".join(sorted(self.roles)) or "none"
            raise GenerationError(
                f"The workflow “{self.title}” has no setting called {', '.join(sorted(unknown))} "
                f"(it has: {known})."
            )
        wanted.update({key: value for key, value in values.extra.items() if key not in unknown})

        if self.takes_image and not wanted.get("input_image"):
            raise GenerationError(
                f"The workflow “{self.title}” starts from an image: give the shot an input image."
            )
        if self.takes_last_image and not wanted.get("last_image"):
            raise GenerationError(
                f"The workflow “{self.title}” goes from a first to a last frame: give the shot a last-frame keyframe."
            )

        if "seed" not in self.roles:
            # Nothing else varies between takes, and ComfyUI serves a graph it has
            # seen from its cache with no new file: a new file name at least makes
            # the save node run again.
            wanted["filename_prefix"] = f"{wanted.get('filename_prefix') or 'foundry'}_{wanted['seed']}"

        graph = copy.deepcopy(dict(self.graph))
        for role, value in wanted.items():
            for target in self._targets(role, graph):
                inputs = graph[target.node_id]["inputs"]
                inputs[target.input_name] = self._coerce(role, value, inputs[target.input_name])
        return graph

    def _targets(self, role: str, graph: Mapping[str, Any]) -> tuple[InputTarget, ...]:
        """Where a role lands; an unmapped file name prefix goes to every save node that has one."""
        if role == "filename_prefix" and role not in self.roles:
            return tuple(
                InputTarget(node_id, "filename_prefix")
                for node_id in self.outputs()
                if isinstance(graph[node_id]["inputs"].get("filename_prefix"), str)
            )
        return self.roles.get(role, ())

    def _coerce(self, role: str, value: Any, current: Any) -> Any:
        """The value as the node input takes it, or a GenerationError naming the setting."""
        if role in ("width", "height"):
            return _round_size(_as_int(role, value, self.title), self.size_multiple)
        if role == "frames":
            frames = _as_int(role, value, self.title)
            if frames < 1:
                raise GenerationError(f"A shot needs at least one frame (asked for {frames}).")
            return frames
        if role == "seed":
            seed = _as_int(role, value, self.title)
            if not 0 <= seed <= _MAX_SEED:
                raise GenerationError(f"The seed must be between 0 and {_MAX_SEED} (got {seed}).")
            return seed
        if role == "seconds":
            seconds = _as_number(role, value, self.title)
            if seconds <= 0:
                raise GenerationError(f"A sound must last longer than zero seconds (asked for {value}).")
            return float(seconds)
        if role == "fps":
            # Always a float: ComfyUI turns it into an int itself for INT inputs
            # (SVD's motion fps), and 30000/1001 must not become 30 for CreateVideo.
            fps = _as_number(role, value, self.title)
            if fps <= 0:
                raise GenerationError(f"The frame rate must be above zero (got {value}).")
            return float(fps)
        if role in ("prompt", "negative_prompt", "input_image", "last_image", "filename_prefix"):
            return str(value)
        return _like(current, value, role, self.title)

    def _literal_inputs(self) -> Iterable[tuple[str, Mapping[str, Any], str, Any]]:
        for node_id, node in self.graph.items():
            for input_name, value in node["inputs"].items():
                if not is_link(value):
                    yield node_id, node, input_name, value


def _round_size(value: int, multiple: int) -> int:
    """The nearest positive multiple of `multiple` (ties round up)."""
    return max(multiple, math.floor(value / multiple + 0.5) * multiple)


def _as_number(role: str, value: Any, title: str) -> float | int | Fraction:
    if isinstance(value, bool):
        raise GenerationError(f"The setting {role} of “{title}” takes a number, not {value!r}.")
    number: float | int | Fraction | None = None
    if isinstance(value, (int, float, Fraction)):
        number = value
    elif isinstance(value, str):
        try:
            number = Fraction(value.strip()) if "/" in value else float(value)
        except (ValueError, ZeroDivisionError):
            number = None
    if number is not None and math.isfinite(number):
        return number
    raise GenerationError(f"The setting {role} of “{title}” takes a number; {value!r} is not one.")


def _as_int(role: str, value: Any, title: str) -> int:
    number = _as_number(role, value, title)
    if number != int(number):
        raise GenerationError(f"The setting {role} of “{title}” takes a whole number; {value!r} is not one.")
    return int(number)


def _like(current: Any, value: Any, role: str, title: str) -> Any:
    """`value` in the type the template's own value has (extras come from the command line as text)."""
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0"):
            return False
        raise GenerationError(f"The setting {role} of “{title}” is on or off (true/false); {value!r} is neither.")
    if isinstance(current, (int, float)):
        number = _as_number(role, value, title)
        # An exported 6 may be a FLOAT input (cfg), so a fractional value stays fractional.
        if isinstance(current, int) and number == int(number):
            return int(number)
        return float(number)
    if isinstance(current, str):
        return str(value)
    return value
