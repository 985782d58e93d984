"""Checking a workflow template against a ComfyUI server: what keeps it from running there.

The server describes itself in GET /object_info (its node classes, their
inputs, the choices of each dropdown) and GET /models/{folder} (the model
files it has); a missing node class, a model file not in its folder, a
dropdown value the server does not offer, an input a newer node needs, a
number out of the node's range, a link between outputs and inputs of
different types, or a graph with no output node (all of which the server
refuses) each becomes one sentence a creator can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from foundry_desktop.generation.comfyui.api_graph import is_link, node_label, node_order
from foundry_desktop.generation.comfyui.input_specs import dropdown_choices, link_problem, value_problem
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
            problems += _node_problems(template, node_id, node, object_info, reported_models)
        elif class_type not in missing_classes:
            missing_classes.add(class_type)
            problems.append(
                f"The server lacks the node {class_type} (used by {node_label(node_id, node)}): "
                "install the custom node that provides it, or update ComfyUI."
            )
    if not missing_classes and not template.outputs(object_info):
        problems.append(
            "The workflow has no output node (such as Save Image, Save Video or Save Audio), "
            "so the server would refuse it: add one and export it again."
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
    object_info: Mapping[str, Any],
    reported_models: set[tuple[str, str]],
) -> list[str]:
    """One node against the server's description of its class: inputs it needs, values and links it takes."""
    problems = []
    declared = object_info[node["class_type"]].get("input") or {}
    required = declared.get("required") or {}
    optional = declared.get("optional") or {}
    label = node_label(node_id, node)
    for input_name in required:
        if input_name not in node["inputs"]:
            problems.append(
                f"{label} needs the input {input_name}, which the workflow does "
                "not set: the node on the server is probably newer than the workflow."
            )
    uploads = {(t.node_id, t.input_name) for role in ("input_image", "last_image") for t in template.roles.get(role, ())}
    for input_name, value in node["inputs"].items():
        spec = required.get(input_name, optional.get(input_name))
        if spec is None or (node_id, input_name) in uploads:
            continue  # ComfyUI ignores inputs a node does not declare; Foundry uploads its own pictures
        if is_link(value):
            problem = _link_problem(template, value, spec, object_info)
        else:
            problem = value_problem(spec, value) or _choice_problem(node, input_name, value, spec, reported_models)
        if problem:
            problems.append(problem if problem.startswith("The server") else f"{label}: {input_name} {problem}.")
    return problems


def _link_problem(template: WorkflowTemplate, link: list, spec: Any, object_info: Mapping[str, Any]) -> str | None:
    source = template.graph.get(link[0])
    source_info = object_info.get(source["class_type"]) if source else None
    if source_info is None or not isinstance(source_info.get("output"), list):
        return None  # a missing node class is reported on its own; a class without outputs listed is not judged
    return link_problem(spec, source_info["output"], link[1])


def _choice_problem(
    node: Mapping[str, Any], input_name: str, value: Any, spec: Any, reported_models: set[tuple[str, str]]
) -> str | None:
    options = dropdown_choices(spec)
    if options is None or value in options:
        return None
    folder = model_folder(node["class_type"], input_name, value)
    if folder is None:
        return f"is {value!r}, which this server does not offer (it offers {_list_for_people(options)})"
    if (folder, value) in reported_models:
        return None
    reported_models.add((folder, value))
    return _missing_model_message(value, folder)


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
