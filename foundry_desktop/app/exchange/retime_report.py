"""Speed changes an import cannot keep, said once for all the shots they touch.

The readers warn of each retimed shot on its own line (an FCPXML timeMap or rate
conform, an OTIO time warp or freeze frame): a cut with a speed ramp in every other
shot read as dozens of lines saying the same thing. The report a creator reads (the
CLI's and the window's) says it once: "12 shots play at another speed ...", the first
few named; every line is still there for whoever asks (--json, Show Details).
"""

from __future__ import annotations

import re

NAMED = 3  # names a grouped line gives before "and N more"

# "Shot 4 ('Name') changes speed (retime), ... it plays at normal speed from its first frame." (FCPXML)
# "Shot 4 ('Name') plays its 25 fps media at the timeline's rate ...; Foundry plays it at normal speed." (FCPXML)
# "Clip 4 (Name) plays at 2x speed in the timeline; Foundry plays it at normal speed." (OTIO; freeze frames too)
_RETIMED = re.compile(r"^(?:Shot|Clip) (\d+) \(('?)(.*)\2\) (?:changes speed|plays (?:at|its)|is a freeze frame)"
                      r".*(?:Foundry plays it at normal speed|it plays at normal speed from its first frame)\.$",
                      re.DOTALL)


def first_named(names: list[str]) -> str:
    """The first NAMED names, and how many more there are."""
    shown = ", ".join(names[:NAMED])
    return shown if len(names) <= NAMED else f"{shown} and {len(names) - NAMED:,} more"


def retimed_shot(warning: str) -> str | None:
    """'4 (Name)' where `warning` is a reader's line for one retimed shot; None for any other."""
    match = _RETIMED.match(warning)
    return None if match is None else f"{match[1]} ({match[3]})"


def grouped_retimes(warnings: tuple[str, ...]) -> tuple[str, ...]:
    """`warnings` with the lines of several retimed shots made one, where the first of them was."""
    shots = [shot for warning in warnings if (shot := retimed_shot(warning)) is not None]
    if len(shots) < 2:
        return warnings
    shots = list(dict.fromkeys(shots))  # a shot retimed twice (a timeMap and a rate conform) counted once
    line = (f"{len(shots):,} shots play at another speed (a retime, speed effect or media at another frame rate), "
            f"which Foundry does not represent; they play at normal speed (shot {first_named(shots)}).")
    first = next(index for index, warning in enumerate(warnings) if retimed_shot(warning) is not None)
    others = tuple(warning for warning in warnings if retimed_shot(warning) is None)
    return (*others[:first], line, *others[first:])
