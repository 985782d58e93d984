"""Whether a take matches the shot it was made for — its picture's shape and its length — and
everything else a creator should know about it, in words.

A workflow or service may make something other than what the shot asked for: a ComfyUI
workflow that ignores the size and length it is given makes 512x512, 2 s takes in a 384x216
film of 3 s shots, and services round lengths to what a model allows. The film still plays
such a take the one way the cut plan says (domain/cut_plan): fitted into the frame with
bars (or cropped, for a shot set to fill), and for as long as the shot asks or the take
lasts, whichever is shorter — the render, the preview and the exports alike. These notes
say so where the take is shown (`foundry generate`, `info`, `takes`, the jobs panel, the
inspector), with what its backend said about it (a workflow that ignored the prompt).
"""

from __future__ import annotations

from fractions import Fraction

from foundry_desktop.domain.project import Take

# A shape this close to the shot's is a workflow rounding the size to its multiple (384x216 made
# as 384x224), which the frame hides in a few pixels of bar, not a picture of another shape.
ASPECT_TOLERANCE = Fraction(1, 20)
# Services round lengths (Wan makes 4n+1 frames): a frame either way is not another length.
LENGTH_TOLERANCE_FRAMES = 1


def take_fit_notes(take: Take, fit: str = "fit") -> list[str]:
    """How a generated video take differs from what its shot asked for (the spec it was made
    from), and what the film does about it; [] when it matches, and for footage, stills and
    sound (a creator's own clip is whatever shape and length it is)."""
    spec = take.spec
    asked = [spec.get(key) for key in ("width", "height", "frames", "frame_rate")]
    if take.kind != "video" or take.backend == "media" or not all(asked[:3]) or not take.width or not take.height:
        return []
    width, height, frames, rate = asked
    notes = []
    wanted, made = Fraction(width, height), Fraction(take.width, take.height)
    if abs(made - wanted) > wanted * ASPECT_TOLERANCE:
        framed = ("its edges are cropped to fill the frame" if fit == "fill"
                  else "it shows with black bars to fit the frame")
        notes.append(f"the take is {take.width}x{take.height}, not the shot's shape ({width}x{height}): {framed}.")
    if abs(take.frames - frames) > LENGTH_TOLERANCE_FRAMES:
        rate = Fraction(rate) if rate else None
        made_words, asked_words = _length(take.frames, rate), _length(frames, rate)
        if take.frames < frames:
            notes.append(f"the take lasts {made_words}, shorter than the shot's {asked_words}: "
                         "the shot ends where the take does.")
        else:
            notes.append(f"the take lasts {made_words}, longer than the shot's {asked_words}: "
                         f"the film uses {asked_words} of it.")
    return notes


def take_warnings(take: Take, fit: str = "fit") -> list[str]:
    """Everything a creator should know about the take: how it differs from its shot, then what
    its backend said about making it (kept in its provenance)."""
    said = take.request.get("warnings")
    backend_words = [str(line) for line in said if isinstance(line, str)] if isinstance(said, list) else []
    return [sentence(note) for note in take_fit_notes(take, fit)] + backend_words


def take_length(take: Take, frame_rate: Fraction) -> str:
    """'2.50 s', or '1:05.25' from a minute on: the take's own length at the project's rate."""
    seconds = float(Fraction(take.frames) / frame_rate)
    return f"{seconds:.2f} s" if seconds < 60 else f"{int(seconds // 60)}:{seconds % 60:05.2f}"


def sentence(note: str) -> str:
    """A note as a sentence of its own: 'The take is ...'."""
    return note[:1].upper() + note[1:]


def _length(frames: int, rate: Fraction | None) -> str:
    return f"{float(frames / rate):.2f} s" if rate else f"{frames} frames"
