"""Where a take came from, in words: the backend and server or service, the seed, the model
and workflow, when it was made, how long it took and what it cost."""

from __future__ import annotations

from datetime import datetime

from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.project import Take


def made_where(take: Take) -> str:
    """'comfyui on studio-4090', 'runway', 'builtin'."""
    info = take.request.get("backend_info") or {}
    place = info.get("server") or info.get("provider")
    return f"{take.backend} on {place}" if place and place != take.backend else take.backend


def made_when(take: Take, *, short: bool) -> str:
    try:
        made = datetime.fromisoformat(take.created_at).astimezone()
    except ValueError:
        return take.created_at
    if short:
        return made.strftime("%H:%M" if made.date() == datetime.now().astimezone().date() else "%d %b")
    return made.strftime("%Y-%m-%d %H:%M:%S")


def take_cost(take: Take) -> str | None:
    cost = take.request.get("cost")
    return str(Cost(cost["amount"], cost["unit"])) if cost else None


def provenance(take: Take) -> list[str]:
    """Where a take came from, a line per fact, as the tooltip and the compare dialog show it."""
    info = take.request.get("backend_info") or {}
    workflow = info.get("workflow") or {}
    lines = [f"Made by {made_where(take)}", f"Seed {take.seed}"]
    if take.request.get("model"):
        lines.append(f"Model {take.request['model']}")
    if workflow.get("title"):
        lines.append(f"Workflow {workflow['title']}")
    if info.get("prompt_id") or info.get("remote_id"):
        lines.append(f"Job {info.get('prompt_id') or info.get('remote_id')}")
    lines += [f"{take.width}×{take.height}, {take.frames} frames",
              f"Made {made_when(take, short=False)} in {take.elapsed_s:.1f} s",
              f"Cost {take_cost(take) or 'not reported'}"]
    return lines
