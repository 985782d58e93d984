"""A take made after a change its workflow ignores: the same take again, said in words.

A backend says which of the shot's prompt, seed and input image its workflow left out of a
take (GenerationResult.ignored_inputs; for ComfyUI, read from the template's bindings). Where
an earlier take of the same shot came from the same workflow with another value for one of
them, the creator changed something that changes nothing — a new prompt, a variant's new
seed, another keyframe — and, silently, would get the earlier take back byte for byte. The
warning says which value the workflow ignores and which take this one repeats. A first take
says nothing: nothing was changed yet (the workflow's import said what it ignores).
"""

from __future__ import annotations

from collections.abc import Sequence

from foundry_desktop.domain.project import Take

ROLE_WORDS = {"prompt": "the prompt", "seed": "the seed", "input_image": "the input image"}


def ignored_change_warning(take: Take, earlier: Sequence[Take], ignored: Sequence[str]) -> str | None:
    """The warning for `take` (not yet among `earlier`, the owner's takes as `foundry takes` numbers
    them) when its backend ignored `ignored` and the latest earlier take of the same workflow had
    other values for some of them; None otherwise."""
    known = [role for role in ignored if role in ROLE_WORDS]
    for number, other in reversed(list(enumerate(earlier, start=1))):
        if other.kind != take.kind or other.backend != take.backend or _workflow(other) != _workflow(take):
            continue
        changed = [role for role in known if other.request.get(role) != take.request.get(role)]
        if not changed:
            continue
        words = _listed(changed)
        return (f"The workflow “{_title(take)}” ignores {words}: this take comes out as take {number} did, "
                f"although {words} changed since. Give the workflow's template a place for "
                f"{'them' if len(changed) > 1 else 'it'}, or choose another workflow.")
    return None


def _workflow(take: Take) -> tuple[object, object]:
    """Which workflow made the take: its name, and the identity of its graph where the backend said it."""
    made_by = (take.request.get("backend_info") or {}).get("workflow") or {}
    return take.request.get("workflow"), made_by.get("identity") if isinstance(made_by, dict) else None


def _title(take: Take) -> str:
    made_by = (take.request.get("backend_info") or {}).get("workflow") or {}
    title = made_by.get("title") if isinstance(made_by, dict) else None
    return str(title or take.request.get("workflow") or take.backend)


def _listed(roles: list[str]) -> str:
    words = [ROLE_WORDS[role] for role in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
