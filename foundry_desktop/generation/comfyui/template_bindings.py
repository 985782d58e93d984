"""Which of a shot's prompt, seed and input image a workflow template really uses.

A template fills a shot's values into the node inputs its roles name (template.py). A
role that is missing, or that lands in a node whose result no output node uses, leaves
that value out of what the server makes: a template without a prompt role makes the same
picture whatever the prompt says, one without a seed role the same take for every seed,
and ComfyUI hands back a byte-identical file after the creator's change, silently.

This is decided from the graph, not by comparing outputs: a value reaches the take when
one of its role's nodes is an output node or feeds one, link by link. The input image
counts as ignored only where it matters: at import, when the graph loads a picture of its
own that no role replaces (its image is fixed); for a generation, when the shot has an
image and the template takes none. Whether a take made so is worth a warning (the creator
changed what it ignores) is the app's to judge: app/shots/ignored_inputs.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from foundry_desktop.generation.comfyui.api_graph import is_link
from foundry_desktop.generation.comfyui.template import WorkflowTemplate

# The three values a creator changes to get another take, in the order the warning names them.
WATCHED_ROLES = ("prompt", "seed", "input_image")
_WORDS = {"prompt": "the prompt", "seed": "the seed", "input_image": "the input image"}
# Core ComfyUI's nodes that read a picture from the server's input folder.
_PICTURE_LOADERS = frozenset({"LoadImage", "LoadImageMask", "LoadImageOutput"})


def feeding_outputs(template: WorkflowTemplate) -> set[str]:
    """The ids of the output nodes and of every node whose result reaches one of them."""
    graph = template.graph
    reached: set[str] = set()
    waiting = list(template.outputs())
    while waiting:
        node_id = waiting.pop()
        if node_id in reached or node_id not in graph:
            continue
        reached.add(node_id)
        waiting.extend(value[0] for value in graph[node_id]["inputs"].values() if is_link(value))
    return reached


def ignored_roles(template: WorkflowTemplate, roles: Iterable[str] = WATCHED_ROLES) -> tuple[str, ...]:
    """Those of `roles` whose value never reaches an output node: no node input takes it, or
    none of the nodes that take it feeds an output. A graph with no output node at all is
    judged by `foundry workflow check` instead (the server refuses it), so nothing here."""
    if not template.outputs():
        return ()
    used = feeding_outputs(template)
    return tuple(role for role in roles
                 if not any(target.node_id in used for target in template.roles.get(role, ())))


def loads_own_picture(template: WorkflowTemplate) -> bool:
    """Whether the graph reads a picture of its own (a Load Image node that feeds an output)."""
    used = feeding_outputs(template)
    return any(template.graph[node_id]["class_type"] in _PICTURE_LOADERS for node_id in used)


def import_warning(template: WorkflowTemplate) -> str | None:
    """What a creator importing `template` should know about the values it ignores, or None."""
    ignored = [role for role in ignored_roles(template)
               if role != "input_image" or loads_own_picture(template)]
    if not ignored:
        return None
    them = "them" if len(ignored) > 1 else "it"
    return (f"The workflow “{template.title}” ignores {_listed(ignored)} it is given: {_why(ignored)} "
            f"If it should use {them}, tag the node input that takes {them} in the graph, as in "
            f"(Input:{ignored[0]}), or map {them} under “params”.")


def ignored_given(template: WorkflowTemplate, given: Mapping[str, Any]) -> tuple[str, ...]:
    """Those of the values `given` (role -> value; None or "" for one not given) that `template`
    leaves out of what it makes."""
    return tuple(role for role in ignored_roles(template) if given.get(role) not in (None, ""))


def _listed(roles: list[str]) -> str:
    words = [_WORDS[role] for role in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _why(roles: list[str]) -> str:
    """What ignoring them means for the takes it makes."""
    if "input_image" in roles and len(roles) == 1:
        return "its takes start from its own picture (or none), not the shot's."
    if roles == ["seed"]:
        return "every take of a shot comes out the same, whatever its seed."
    return f"changing {'them' if len(roles) > 1 else 'it'} makes the same take again."
