"""Reading a ComfyUI workflow template file into a WorkflowTemplate.

A ComfyUI server runs whatever graph it is sent, so Foundry does not build
graphs itself: a creator (or the repository's `workflows/` folder) supplies a
graph exported from ComfyUI with "Save (API Format)", and a *parameter map*
says which node input receives each of the shot's values — its *roles*:
prompt, negative_prompt, seed, width, height, frames, fps, input_image,
last_image, seconds, denoise, steps, cfg, filename_prefix, plus any free-form
role the creator sets with `--param KEY=VALUE` (say `motion_bucket_id`).

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

Problems with the file itself raise InputFileError: the creator fixes the file.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from foundry_desktop.errors import InputFileError
from foundry_desktop.generation.comfyui.api_graph import is_link, node_label, node_order
from foundry_desktop.generation.comfyui.template import InputTarget, ModelFile, WorkflowTemplate

TEMPLATE_FORMAT_VERSION = 1

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
    "last_image": ("image",),
    "seconds": ("seconds", "seconds_total"),
    "denoise": ("denoise",),
    "steps": ("steps",),
    "cfg": ("cfg",),
    "filename_prefix": ("filename_prefix",),
}

_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# `(Input:seed)` or `(Input:seed=noise_seed)`, anywhere in a node's title.
_TITLE_TAG = re.compile(r"\(\s*input\s*:\s*([A-Za-z0-9_]+)\s*(?:=\s*([A-Za-z0-9_]+)\s*)?\)", re.IGNORECASE)

UI_FORMAT_MESSAGE = (
    "was saved in ComfyUI's UI format; export it with Save (API Format) "
    "(in ComfyUI: Workflow › Export (API)) and use that file."
)


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
            if is_link(value) and value[0] not in graph:
                raise InputFileError(
                    f"{where}: {node_label(node_id, node)} takes {input_name} from node {value[0]}, "
                    "which is not in the workflow."
                )


def _roles_from_titles(graph: Mapping[str, Any], where: str) -> dict[str, tuple[InputTarget, ...]]:
    """Roles tagged in node titles: `(Input:role)` or `(Input:role=input_name)`."""
    roles: dict[str, list[InputTarget]] = {}
    for node_id, node in sorted(graph.items(), key=lambda item: node_order(item[0])):
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
                f"{where}: {node_label(node_id, node)} has no input called {' or '.join(candidates)} "
                f"for the parameter {role}; name the input, as in (Input:{role}=INPUT_NAME)."
            )
    elif input_name not in inputs:
        have = ", ".join(sorted(inputs)) or "none"
        raise InputFileError(
            f"{where}: the parameter {role} points at the input {input_name} of {node_label(node_id, node)}, "
            f"which that node does not have (it has: {have})."
        )
    if is_link(inputs[input_name]):
        raise InputFileError(
            f"{where}: the parameter {role} points at {input_name} of {node_label(node_id, node)}, which is wired "
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


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)
