"""ComfyUI workflow templates: an API-format graph plus where a shot's values go.

A ComfyUI server runs whatever graph it is sent, so Foundry does not build
graphs itself: a creator (or the repository's `workflows/` folder) supplies a
graph exported from ComfyUI with "Save (API Format)", and a *parameter map*
says which node input receives each of the shot's values — its *roles*:
prompt, negative_prompt, seed, width, height, frames, fps, input_image,
denoise, steps, cfg, filename_prefix, plus any free-form role the creator sets
with `--param KEY=VALUE` (say `motion_bucket_id`).

The template file (`NAME.json`) is one of two things:

* a Foundry template, which wraps the graph with what the library shows::

      {"foundry_workflow": 1,
       "title": "...", "category": "...", "description": "...",
       "models": [{"name": "svd_xt.safetensors", "folder": "checkpoints", "url": "..."}],
       "size_multiple": 8,
       "params": {"seed": {"node": "3", "input": "seed"},
                  "fps": [{"node": "12", "input": "fps"}, {"node": "24"}]},
       "graph": {... API format ...}}

  `input` may be left out: each role has default input names (`text` for a
  prompt, `seed`/`noise_seed` for the seed, ...; a free-form role defaults to
  the input of its own name). Only `graph` is required.

* a bare API-format export, whose roles come from tags in node titles: a node
  titled `Prompt (Input:prompt)` receives the prompt in its default input, one
  titled `Sampler (Input:seed=noise_seed)` receives the seed in `noise_seed`.
  Tags work inside a Foundry template's graph too; the explicit map wins for a
  role it names.

Problems with the file itself raise InputFileError (the creator fixes the
file); problems filling it for a shot raise GenerationError.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundry_desktop.errors import GenerationError, InputFileError

if TYPE_CHECKING:
    from foundry_desktop.generation.backend import GenerationRequest

TEMPLATE_FORMAT_VERSION = 1

STANDARD_ROLES = (
    "prompt",
    "negative_prompt",
    "seed",
    "width",
    "height",
    "frames",
    "fps",
    "input_image",
    "denoise",
    "steps",
    "cfg",
    "filename_prefix",
)

# Which input of a node a role lands in when the map or tag does not say:
# the first of these the node has. These are the names core ComfyUI nodes use.
DEFAULT_INPUTS: dict[str, tuple[str, ...]] = {
    "prompt": ("text", "prompt", "positive_prompt"),
    "negative_prompt": ("text", "negative_prompt", "prompt"),
    "seed": ("seed", "noise_seed"),
    "width": ("width",),
    "height": ("height",),
    "frames": ("length", "video_frames", "num_frames", "frames", "batch_size"),
    "fps": ("fps", "frame_rate"),
    "input_image": ("image",),
    "denoise": ("denoise",),
    "steps": ("steps",),
    "cfg": ("cfg",),
    "filename_prefix": ("filename_prefix",),
}

_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# `(Input:seed)` or `(Input:seed=noise_seed)`, anywhere in a node's title.
_TITLE_TAG = re.compile(r"\(\s*input\s*:\s*([A-Za-z0-9_]+)\s*(?:=\s*([A-Za-z0-9_]+)\s*)?\)", re.IGNORECASE)

# ComfyUI's largest seed (KSampler accepts 0 .. 2**64 - 1).
_MAX_SEED = 0xFFFFFFFFFFFFFFFF

# Model files a core loader names, by loader class: input -> models folder.
_LOADER_MODEL_INPUTS: dict[str, dict[str, str]] = {
    "CheckpointLoaderSimple": {"ckpt_name": "checkpoints"},
    "CheckpointLoader": {"ckpt_name": "checkpoints", "config_name": "configs"},
    "ImageOnlyCheckpointLoader": {"ckpt_name": "checkpoints"},
    "unCLIPCheckpointLoader": {"ckpt_name": "checkpoints"},
    "UNETLoader": {"unet_name": "diffusion_models"},
    "CLIPLoader": {"clip_name": "text_encoders"},
    "DualCLIPLoader": {"clip_name1": "text_encoders", "clip_name2": "text_encoders"},
    "TripleCLIPLoader": {f"clip_name{i}": "text_encoders" for i in (1, 2, 3)},
    "QuadrupleCLIPLoader": {f"clip_name{i}": "text_encoders" for i in (1, 2, 3, 4)},
    "CLIPVisionLoader": {"clip_name": "clip_vision"},
    "VAELoader": {"vae_name": "vae"},
    "LoraLoader": {"lora_name": "loras"},
    "LoraLoaderModelOnly": {"lora_name": "loras"},
    "ControlNetLoader": {"control_net_name": "controlnet"},
    "DiffControlNetLoader": {"control_net_name": "controlnet"},
    "UpscaleModelLoader": {"model_name": "upscale_models"},
    "StyleModelLoader": {"style_model_name": "style_models"},
    "GLIGENLoader": {"gligen_name": "gligen"},
    "HypernetworkLoader": {"hypernetwork_name": "hypernetworks"},
}
# For loaders we do not know (custom nodes), the input's name is a fair guess,
# used only when the value looks like a model file.
_MODEL_INPUT_FOLDERS = {
    "ckpt_name": "checkpoints",
    "unet_name": "diffusion_models",
    "vae_name": "vae",
    "lora_name": "loras",
    "control_net_name": "controlnet",
}
_MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")
# ComfyUI renamed two folders and still reads the old names.
_FOLDER_ALIASES = {"text_encoders": ("text_encoders", "clip"), "diffusion_models": ("diffusion_models", "unet")}

# Output nodes of core ComfyUI, for when no server's /object_info is at hand.
_CORE_OUTPUT_CLASSES = {
    "SaveImage", "PreviewImage", "SaveVideo", "SaveWEBM", "SaveAnimatedWEBP", "SaveAnimatedPNG",
    "SaveAudio", "SaveAudioMP3", "SaveAudioOpus", "PreviewAudio", "SaveLatent",
}  # fmt: skip

UI_FORMAT_MESSAGE = (
    "was saved in ComfyUI's UI format; export it with Save (API Format) "
    "(in ComfyUI: Workflow › Export (API)) and use that file."
)


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
    filename_prefix: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(
        cls, request: GenerationRequest, uploaded_image: str | None = None, filename_prefix: str | None = None
    ) -> WorkflowValues:
        """The values of one generation request; the input image must be uploaded first."""
        return cls(
            prompt=request.prompt,
            negative_prompt=request.negative_prompt,
            seed=request.seed,
            width=request.width,
            height=request.height,
            frames=request.frames,
            fps=request.frame_rate,
            input_image=uploaded_image,
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
    def makes_video(self) -> bool:
        """Whether the workflow makes moving pictures (it has a frame count to fill)."""
        return "frames" in self.roles

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
            folder = _model_folder(node["class_type"], input_name, value)
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
        return sorted(ids, key=_node_order)

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
        for role in ("width", "height", "frames", "fps", "input_image", "filename_prefix"):
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
        if role == "fps":
            # Always a float: ComfyUI turns it into an int itself for INT inputs
            # (SVD's motion fps), and 30000/1001 must not become 30 for CreateVideo.
            fps = _as_number(role, value, self.title)
            if fps <= 0:
                raise GenerationError(f"The frame rate must be above zero (got {value}).")
            return float(fps)
        if role in ("prompt", "negative_prompt", "input_image", "filename_prefix"):
            return str(value)
        return _like(current, value, role, self.title)

    # -- checking it against a server -----------------------------------------

    def check_against(
        self, object_info: Mapping[str, Any], models: Mapping[str, Iterable[str]] | None = None
    ) -> list[str]:
        """What keeps a server from running this workflow, in a creator's words.

        `object_info` is the server's GET /object_info; `models` maps a models
        folder to the files GET /models/{folder} listed (a folder left out is
        not checked there, though a loader's dropdown in object_info still is).
        An empty list means nothing was found wrong.
        """
        problems: list[str] = []
        reported_models: set[tuple[str, str]] = set()
        missing_classes: set[str] = set()

        for node_id, node in sorted(self.graph.items(), key=lambda item: _node_order(item[0])):
            class_type = node["class_type"]
            if class_type in object_info:
                problems += self._node_problems(node_id, node, object_info[class_type], reported_models)
            elif class_type not in missing_classes:
                missing_classes.add(class_type)
                problems.append(
                    f"The server lacks the node {class_type} (used by {_node_label(node_id, node)}): "
                    "install the custom node that provides it, or update ComfyUI."
                )

        for model in self.required_models():
            if (model.folder, model.name) in reported_models:
                continue
            listed = _listed_models(models or {}, model.folder)
            if listed is not None and _normalise_model_name(model.name) not in listed:
                reported_models.add((model.folder, model.name))
                problems.append(_missing_model_message(model.name, model.folder))
        return problems

    def _node_problems(
        self, node_id: str, node: Mapping[str, Any], spec: Mapping[str, Any], reported_models: set[tuple[str, str]]
    ) -> list[str]:
        """One node against the server's description of its class: inputs it needs, dropdown choices."""
        problems = []
        declared = spec.get("input") or {}
        required = declared.get("required") or {}
        optional = declared.get("optional") or {}
        for input_name in required:
            if input_name not in node["inputs"]:
                problems.append(
                    f"{_node_label(node_id, node)} needs the input {input_name}, which the workflow does "
                    "not set: the node on the server is probably newer than the workflow."
                )
        filled_by_fill = {(t.node_id, t.input_name) for t in self.roles.get("input_image", ())}
        for input_name, value in node["inputs"].items():
            if _is_link(value) or (node_id, input_name) in filled_by_fill:  # Foundry uploads its own image
                continue
            options = _dropdown_options(required.get(input_name, optional.get(input_name)))
            if options is None or value in options:
                continue
            folder = _model_folder(node["class_type"], input_name, value)
            if folder is None:
                problems.append(
                    f"{_node_label(node_id, node)}: {input_name} is {value!r}, which this server does not "
                    f"offer (it offers {_list_for_people(options)})."
                )
            elif (folder, value) not in reported_models:
                reported_models.add((folder, value))
                problems.append(_missing_model_message(value, folder))
        return problems

    def _literal_inputs(self) -> Iterable[tuple[str, Mapping[str, Any], str, Any]]:
        for node_id, node in self.graph.items():
            for input_name, value in node["inputs"].items():
                if not _is_link(value):
                    yield node_id, node, input_name, value


# -- loading ------------------------------------------------------------------


def load_workflow_template(path: Path, *, name: str | None = None) -> WorkflowTemplate:
    """Read a template file (Foundry template or bare API-format export).

    Its name is the file's stem unless `name` is given. Raises InputFileError
    with a message naming the file for anything that keeps it from working.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"The workflow file {path.name} does not exist (looked in {path.parent}).") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path.name} is not a workflow: it is not a text (JSON) file.") from None
    except OSError as exc:
        raise InputFileError(f"The workflow file {path.name} cannot be read: {exc.strerror or exc}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path.name} is not a workflow: it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    return parse_workflow_template(data, name=name or path.stem, source=path)


def parse_workflow_template(data: Any, *, name: str, source: Path | None = None) -> WorkflowTemplate:
    """Build a template from a file's parsed JSON; see the module docstring for the shapes."""
    where = source.name if source is not None else name
    if not isinstance(data, dict):
        raise InputFileError(
            f"{where} is not a ComfyUI workflow: it holds a JSON {type(data).__name__}, not an object."
        )
    if _is_ui_format(data):
        raise InputFileError(f"{where} {UI_FORMAT_MESSAGE}")

    if "graph" in data:
        version = data.get("foundry_workflow", TEMPLATE_FORMAT_VERSION)
        if not isinstance(version, int) or version > TEMPLATE_FORMAT_VERSION:
            raise InputFileError(f"{where} was made by a newer Foundry (template format {version}); update Foundry.")
        graph, explicit = data["graph"], data.get("params", {})
        info = data
    else:
        graph, explicit, info = data, {}, {}
    if isinstance(graph, dict) and _is_ui_format(graph):
        raise InputFileError(f"{where} {UI_FORMAT_MESSAGE}")
    graph = copy.deepcopy(graph)  # checked and kept as it is now, whatever the caller does with its data
    _check_graph(graph, where)

    roles = _roles_from_titles(graph, where)
    if not isinstance(explicit, dict):
        raise InputFileError(
            f"{where}: “params” must map each role to a node input, like {{\"seed\": {{\"node\": \"3\"}}}}."
        )
    roles.update(_roles_from_map(explicit, graph, where))

    size_multiple = info.get("size_multiple", 2)
    if not isinstance(size_multiple, int) or isinstance(size_multiple, bool) or size_multiple < 1:
        raise InputFileError(f"{where}: “size_multiple” must be a whole number of pixels (like 8 or 16).")
    return WorkflowTemplate(
        name=name,
        title=_text_field(info, "title", where) or _title_from_name(name),
        category=_text_field(info, "category", where) or "My workflows",
        description=_text_field(info, "description", where),
        graph=graph,
        roles=roles,
        size_multiple=_lcm(2, size_multiple),  # always even
        declared_models=_declared_models(info.get("models", []), where),
        source=source,
    )


def _is_ui_format(data: Mapping[str, Any]) -> bool:
    return isinstance(data.get("nodes"), list) and "links" in data


def _check_graph(graph: Any, where: str) -> None:
    """An API-format graph: {node_id: {"class_type", "inputs"}}, links to nodes that exist."""
    if not isinstance(graph, dict) or not graph:
        raise InputFileError(f"{where} holds no ComfyUI nodes; export the workflow with Save (API Format).")
    for node_id, node in graph.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            raise InputFileError(
                f"{where} is not an API-format ComfyUI workflow: node {node_id} has no class_type. "
                "Export the workflow with Save (API Format)."
            )
        if not isinstance(node.get("inputs", {}), dict):
            raise InputFileError(f"{where}: the inputs of node {node_id} ({node['class_type']}) are not an object.")
        node.setdefault("inputs", {})
        for input_name, value in node["inputs"].items():
            if _is_link(value) and value[0] not in graph:
                raise InputFileError(
                    f"{where}: {_node_label(node_id, node)} takes {input_name} from node {value[0]}, "
                    "which is not in the workflow."
                )


def _roles_from_titles(graph: Mapping[str, Any], where: str) -> dict[str, tuple[InputTarget, ...]]:
    """Roles tagged in node titles: `(Input:role)` or `(Input:role=input_name)`."""
    roles: dict[str, list[InputTarget]] = {}
    for node_id, node in sorted(graph.items(), key=lambda item: _node_order(item[0])):
        title = (node.get("_meta") or {}).get("title", "")
        if not isinstance(title, str):
            continue
        for role_text, input_name in _TITLE_TAG.findall(title):
            role = role_text.lower()
            _check_role_name(role, where)
            target = _resolve_target(role, node_id, input_name or None, graph, where)
            roles.setdefault(role, []).append(target)
    return {role: tuple(targets) for role, targets in roles.items()}


def _roles_from_map(
    explicit: Mapping[str, Any], graph: Mapping[str, Any], where: str
) -> dict[str, tuple[InputTarget, ...]]:
    """Roles from a template's "params" map: a target object or a list of them per role."""
    roles = {}
    for role, spec in explicit.items():
        _check_role_name(role, where)
        specs = spec if isinstance(spec, list) else [spec]
        targets = []
        for one in specs:
            if not isinstance(one, dict) or "node" not in one:
                raise InputFileError(
                    f"{where}: the parameter map for {role} must name a node, "
                    "like {\"node\": \"3\", \"input\": \"seed\"}."
                )
            input_name = one.get("input")
            if input_name is not None and not isinstance(input_name, str):
                raise InputFileError(f"{where}: the parameter map for {role} names its input with a non-text value.")
            targets.append(_resolve_target(role, str(one["node"]), input_name, graph, where))
        if not targets:
            raise InputFileError(f"{where}: the parameter map for {role} names no node.")
        roles[role] = tuple(targets)
    return roles


def _resolve_target(
    role: str, node_id: str, input_name: str | None, graph: Mapping[str, Any], where: str
) -> InputTarget:
    """The node input a role lands in, checked: the node and input exist and hold a value, not a link."""
    node = graph.get(node_id)
    if node is None:
        raise InputFileError(f"{where}: the parameter {role} points at node {node_id}, which is not in the workflow.")
    inputs = node["inputs"]
    if input_name is None:
        candidates = DEFAULT_INPUTS.get(role, (role,))
        input_name = next((name for name in candidates if name in inputs), None)
        if input_name is None:
            raise InputFileError(
                f"{where}: {_node_label(node_id, node)} has no input called {' or '.join(candidates)} "
                f"for the parameter {role}; name the input, as in (Input:{role}=INPUT_NAME)."
            )
    elif input_name not in inputs:
        have = ", ".join(sorted(inputs)) or "none"
        raise InputFileError(
            f"{where}: the parameter {role} points at the input {input_name} of {_node_label(node_id, node)}, "
            f"which that node does not have (it has: {have})."
        )
    if _is_link(inputs[input_name]):
        raise InputFileError(
            f"{where}: the parameter {role} points at {input_name} of {_node_label(node_id, node)}, which is wired "
            "to another node; Foundry can only fill an input that holds a value."
        )
    return InputTarget(node_id, input_name)


def _check_role_name(role: Any, where: str) -> None:
    if not isinstance(role, str) or not _ROLE_NAME.match(role):
        raise InputFileError(
            f"{where}: {role!r} is not a parameter name; use lower-case words joined by _ (like motion_bucket_id)."
        )


def _text_field(info: Mapping[str, Any], key: str, where: str) -> str:
    value = info.get(key, "")
    if not isinstance(value, str):
        raise InputFileError(f"{where}: “{key}” must be text.")
    return value.strip()


def _declared_models(entries: Any, where: str) -> tuple[ModelFile, ...]:
    if not isinstance(entries, list):
        raise InputFileError(f"{where}: “models” must be a list of {{\"name\", \"folder\"}} objects.")
    models = []
    for entry in entries:
        named = isinstance(entry, dict) and isinstance(entry.get("name"), str)
        if not named or not isinstance(entry.get("folder"), str):
            raise InputFileError(f"{where}: each entry of “models” needs a file name and a folder.")
        url = entry.get("url")
        models.append(ModelFile(entry["name"], entry["folder"], url if isinstance(url, str) else None))
    return tuple(models)


def _title_from_name(name: str) -> str:
    words = re.sub(r"[-_]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


# -- small pieces -------------------------------------------------------------


def _is_link(value: Any) -> bool:
    """ComfyUI's own test: a two-item list [source node id, output index]."""
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


def _node_order(node_id: str) -> tuple[int, int, str]:
    return (0, int(node_id), "") if node_id.isdigit() else (1, 0, node_id)


def _node_label(node_id: str, node: Mapping[str, Any]) -> str:
    title = (node.get("_meta") or {}).get("title")
    if isinstance(title, str) and title.strip() and title.strip() != node["class_type"]:
        return f"node {node_id} “{title.strip()}” ({node['class_type']})"
    return f"node {node_id} ({node['class_type']})"


def _model_folder(class_type: str, input_name: str, value: Any) -> str | None:
    """The models folder `value` must be in, or None when the input names no model file."""
    if not isinstance(value, str) or "." not in value:  # VAELoader's "taesd", "pixel_space"...
        return None
    known = _LOADER_MODEL_INPUTS.get(class_type)
    if known is not None:
        return known.get(input_name)
    if value.lower().endswith(_MODEL_SUFFIXES):
        return _MODEL_INPUT_FOLDERS.get(input_name)
    return None


def _dropdown_options(spec: Any) -> list[Any] | None:
    """The choices of a dropdown input in /object_info, in either shape; None if not a dropdown."""
    if not isinstance(spec, (list, tuple)) or not spec:
        return None
    if isinstance(spec[0], list):  # classic: [[options...], {...}]
        return spec[0]
    if spec[0] == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):  # newer: ["COMBO", {"options"...}]
        options = spec[1].get("options")
        return options if isinstance(options, list) else None
    return None


def _listed_models(models: Mapping[str, Iterable[str]], folder: str) -> set[str] | None:
    names: set[str] | None = None
    for alias in _FOLDER_ALIASES.get(folder, (folder,)):
        if alias in models:
            names = (names or set()) | {_normalise_model_name(name) for name in models[alias]}
    return names


def _normalise_model_name(name: str) -> str:
    return name.replace("\\", "/")  # a Windows server lists sub-folders with backslashes


def _missing_model_message(name: str, folder: str) -> str:
    return f"The server lacks the model {name} in {folder}: put it in ComfyUI/models/{folder}/."


def _list_for_people(options: list[Any], shown: int = 8) -> str:
    if not options:
        return "nothing"
    text = ", ".join(repr(option) for option in options[:shown])
    return text + (f" and {len(options) - shown} more" if len(options) > shown else "")


def _round_size(value: int, multiple: int) -> int:
    """The nearest positive multiple of `multiple` (ties round up)."""
    return max(multiple, math.floor(value / multiple + 0.5) * multiple)


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


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
