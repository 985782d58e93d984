"""Reading a ComfyUI API-format graph: {node_id: {"class_type", "inputs", "_meta"}}.

An input holds either a value or a link to another node's output; nodes are
listed in the order ComfyUI numbers them; a node is named to a creator by its
id, its title and its class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_link(value: Any) -> bool:
    """ComfyUI's own test: a two-item list [source node id, output index]."""
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


def node_order(node_id: str) -> tuple[int, int, str]:
    return (0, int(node_id), "") if node_id.isdigit() else (1, 0, node_id)


def node_label(node_id: str, node: Mapping[str, Any]) -> str:
    title = (node.get("_meta") or {}).get("title")
    if isinstance(title, str) and title.strip() and title.strip() != node["class_type"]:
        return f"node {node_id} “{title.strip()}” ({node['class_type']})"
    return f"node {node_id} ({node['class_type']})"
