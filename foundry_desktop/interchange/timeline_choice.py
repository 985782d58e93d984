"""Which of the timelines a cut file holds becomes the film, when it holds several.

An FCPXML library's projects and an OTIO collection's timelines are chosen the same
way: with none named, a file of one timeline gives that one and a file of several is
refused with their names listed (the creator chooses; taking the first would as likely
take an empty one); a name chooses by exact name, then ignoring case, and a number by
its place in the list (names may repeat: two timelines called "Untitled" are still two).
"""

from __future__ import annotations

from typing import TypeVar

from foundry_desktop.errors import CutChoiceError

T = TypeVar("T")


def pick_timeline(file_name: str, named: list[tuple[str, T]], choice: str | None, kind: str) -> tuple[str, T]:
    """The (name, timeline) of `named` that `choice` names, or the only one; CutChoiceError lists them
    where that is ambiguous. `kind` says what they are in the refusal ("projects", "timelines")."""
    names = tuple(name for name, _ in named)
    listed = "; ".join(f"{n}. {name}" for n, name in enumerate(names, start=1))
    if choice is None:
        if len(named) == 1:
            return named[0]
        raise CutChoiceError(f"{file_name} holds {len(named)} {kind}: {listed}. Choose one by its name or "
                             f"number (foundry import --sequence NAME).", names)
    for matches in (lambda name: name == choice, lambda name: name.casefold() == choice.strip().casefold()):
        found = [(name, timeline) for name, timeline in named if matches(name)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise CutChoiceError(f"{file_name} holds {len(found)} {kind} named '{choice}': choose one by its "
                                 f"number ({listed}).", names)
    if choice.strip().isdigit() and 1 <= int(choice) <= len(named):
        return named[int(choice) - 1]
    raise CutChoiceError(f"{file_name} holds nothing named '{choice}'; its {kind}: {listed}.", names)
