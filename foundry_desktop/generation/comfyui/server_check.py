"""Checking a workflow template against a ComfyUI server: what keeps it from running there.

The server describes itself in GET /object_info (its node classes, their
inputs, the choices of each dropdown) and GET /models/{folder} (the model
files it has); a missing node class, a model file not in its folder, a
dropdown value the server does not offer or an input a newer node needs
each becomes one sentence a creator can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from foundry_desktop.generation.comfyui.api_graph import is_link, node_label, node_order
from foundry_desktop.generation.comfyui.model_folders import FOLDER_ALIASES, model_folder
from foundry_desktop.generation.comfyui.template import WorkflowTemplate


def check_against(
    template: WorkflowTemplate,
    object_info: Mapping[str, Any],
    models: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """What keeps a server from running `template`, in a creator's words.

    `object_info` is the server's GET /object_info; `models` maps a models
    folder to the files GET /models/{folder} listed (a folder left out is
    not checked there, though a loader's dropdown in object_info still is).
    An empty list means nothing was found wrong.
    """
    problems: list[str] = []
    reported_models: set[tuple[str, str]] = set()
    missing_classes: set[str] = set()

    for node_id, node in sorted(template.graph.items(), key=lambda item: node_order(item[0])):
        class_type = node["class_type"]
        if class_type in object_info:
            problems += _node_problems(template, node_id, node, object_info[class_type], reported_models)
        elif class_type not in missing_classes:
            missing_classes.add(class_type)
            problems.append(
                f"The server lacks the node {class_type} (used by {node_label(node_id, node)}): "
                "install the custom node that provides it, or update ComfyUI."
            )

    for model in template.required_models():
        if (model.folder, model.name) in reported_models:
            continue
        listed = _listed_models(models or {}, model.folder)
        if listed is not None and _normalise_model_name(model.name) not in listed:
            reported_models.add((model.folder, model.name))
            problems.append(_missing_model_message(model.name, model.folder))
    return problems


def _node_problems(
    template: WorkflowTemplate,
    node_id: str,
    node: Mapping[str, Any],
    spec: Mapping[str, Any],
    reported_models: set[tuple[str, str]],
) -> list[str]:
    """One node against the server's description of its class: inputs it needs, dropdown choices."""
    problems = []
    declared = spec.get("input") or {}
    required = declared.get("required") or {}
    optional = declared.get("optional") or {}
    for input_name in required:
        if input_name not in node["inputs"]:
            problems.append(
                f"{node_label(node_id, node)} needs the input {input_name}, which the workflow does "
                "not set: the node on the server is probably newer than the workflow."
            )
    filled_by_fill = {(t.node_id, t.input_name) for t in template.roles.get("input_image", ())}
    for input_name, value in node["inputs"].items():
        if is_link(value) or (node_id, input_name) in filled_by_fill:  # Foundry uploads its own image
            continue
        options = _dropdown_options(required.get(input_name, optional.get(input_name)))
        if options is None or value in options:
            continue
        folder = model_folder(node["class_type"], input_name, value)
        if folder is None:
            problems.append(
                f"{node_label(node_id, node)}: {input_name} is {value!r}, which this server does not "
                f"offer (it offers {_list_for_people(options)})."
            )
        elif (folder, value) not in reported_models:
            reported_models.add((folder, value))
            problems.append(_missing_model_message(value, folder))
    return problems


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
    for alias in FOLDER_ALIASES.get(folder, (folder,)):
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
