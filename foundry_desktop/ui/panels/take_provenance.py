"""Where a take came from, in words: the backend and server or service, the seed, the model
and workflow, when it was made, how long it took and what it cost; and how long the take
itself lasts, which is what a take's tile says first (a creator picks takes by their length,
not by how long the machine worked on them)."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from foundry_desktop.app.shots.take_fit import take_length, take_warnings
from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.project import Take


def is_own_media(take: Take) -> bool:
    """The creator's own footage or still (backend "media"): no seed, nothing generated."""
    return take.backend == "media"


def tile_lines(take: Take, frame_rate: Fraction) -> list[str]:
    """Under a take's picture: its length, then where it came from in a few words."""
    length = f"{take_length(take, frame_rate)} · {take.frames} frames"
    if is_own_media(take):
        return [length, str(take.request.get("file") or "Your file")]
    cost = take_cost(take)
    return [length, f"{made_where(take)} · seed {take.seed}",
            made_when(take, short=True) + (f" · {cost}" if cost else "")]


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


def provenance(take: Take, fit: str = "fit") -> list[str]:
    """Where a take came from, a line per fact, as the tooltip and the compare dialog show it; then
    what the creator should know about it (a shape or length other than its shot's, say), each
    marked as a warning."""
    return _origin(take) + [f"⚠ {warning}" for warning in take_warnings(take, fit)]


def _origin(take: Take) -> list[str]:
    if is_own_media(take):
        return [f"Your file {take.request.get('file') or take.media_path}",
                f"{take.width}×{take.height}, {take.frames} frames",
                f"Brought in {made_when(take, short=False)}"]
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
