"""The storyboard: the film as scenes of shot cards, each with its approved keyframe, prompt,
length and the state of both stages (keyframe stills, then video). The storyboard view and the
exported contact sheet show the same board; this module says what is on it, in order, and
which shots each stage would send, without any drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from foundry_desktop.app.generation.keyframes import shots_for_keyframes
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cost import Cost, unit_words
from foundry_desktop.domain.keyframe_spec import approved_keyframe, keyframes_of
from foundry_desktop.domain.project import Scene, Shot
from foundry_desktop.domain.status import ShotStatus

KeyframeState = Literal["none", "variants", "approved"]
OUTSIDE_SCENES = "Outside any scene"


@dataclass(frozen=True)
class Card:
    """One shot on the board."""

    shot_id: str
    number: int  # 1-based, in film order
    prompt: str
    seconds: float
    keyframe: Path | None  # the approved keyframe's picture file; None: no approved keyframe
    keyframe_hash: str  # its content hash (a view's cache key); "" without one
    keyframe_state: KeyframeState
    variants: int  # keyframe stills made for the shot
    video: ShotStatus

    @property
    def label(self) -> str:
        return f"Shot {self.number}"

    @property
    def duration_text(self) -> str:
        return seconds_text(self.seconds)

    @property
    def keyframe_text(self) -> str:
        if self.keyframe_state == "approved":
            return "Keyframe approved"
        if self.keyframe_state == "variants":
            return f"{self.variants} variant{'s' if self.variants != 1 else ''} to approve"
        return "No keyframe"

    @property
    def video_text(self) -> str:
        kind = self.video.kind
        if kind == "missing" and self.video.reasons == ("not generated yet",):
            return "Video not generated"
        words = {"current": "Video current", "generating": "Video generating"}.get(kind, f"Video {kind}")
        return f"{words}: {', '.join(self.video.reasons)}" if self.video.reasons else words


@dataclass(frozen=True)
class Row:
    """A scene's shots (or the shots outside any scene), with the header the board shows."""

    scene: Scene | None
    number: int  # the scene's number in film order; 0 outside any scene
    cards: tuple[Card, ...]

    @property
    def title(self) -> str:
        if self.scene is None:
            return OUTSIDE_SCENES
        return f"Scene {self.number} · {self.scene.name or 'Untitled scene'}"

    @property
    def place(self) -> str:
        """'Harbour · dawn': where and when, as the scene says (empty when it says neither)."""
        if self.scene is None:
            return ""
        return " · ".join(part for part in (self.scene.location, self.scene.time_of_day) if part)

    @property
    def notes(self) -> str:
        if self.scene is None:
            return ""
        return "\n".join(part for part in (self.scene.description, self.scene.notes) if part)

    @property
    def summary(self) -> str:
        count = len(self.cards)
        return f"{count} shot{'s' if count != 1 else ''} · {seconds_text(sum(card.seconds for card in self.cards))}"


@dataclass(frozen=True)
class Storyboard:
    title: str
    made_on: str
    rows: tuple[Row, ...]

    @property
    def cards(self) -> list[Card]:
        return [card for row in self.rows for card in row.cards]

    @property
    def subtitle(self) -> str:
        cards = self.cards
        count = len(cards)
        return (f"{self.made_on} · {count} shot{'s' if count != 1 else ''} · "
                f"{seconds_text(sum(card.seconds for card in cards))}")


def seconds_text(seconds: float) -> str:
    """'4.0 s' for a shot; '1:04' once it runs a minute or more."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def card_of(service: ProjectService, shot: Shot, number: int) -> Card:
    project = service.project
    stills = keyframes_of(project, shot)
    approved = approved_keyframe(project, shot)
    state: KeyframeState = "approved" if approved else ("variants" if stills else "none")
    return Card(
        shot_id=shot.id, number=number, prompt=shot.spec.prompt or shot.name,
        seconds=float(shot.length / project.format.frame_rate),
        keyframe=service.media.path_of(approved.media_path) if approved else None,
        keyframe_hash=approved.content_hash if approved else "",
        keyframe_state=state, variants=len(stills), video=service.shot_status(shot))


def storyboard_of(service: ProjectService, today: date | None = None) -> Storyboard:
    """The board in film order: a row for each scene's shots (or a run of shots outside any
    scene), scenes numbered as the scene list numbers them; a scene with no shots yet keeps its
    place after the scene listed before it."""
    project = service.project
    listed = project.timeline.scenes
    numbers = {scene.id: number for number, scene in enumerate(listed, start=1)}
    rows: list[Row] = []
    for number, shot in enumerate(project.timeline.shots, start=1):
        scene = next((s for s in listed if s.id == shot.scene_id), None) if shot.scene_id else None
        card = card_of(service, shot, number)
        if rows and rows[-1].scene is scene:
            rows[-1] = Row(scene, rows[-1].number, (*rows[-1].cards, card))
        else:
            rows.append(Row(scene, numbers[scene.id] if scene else 0, (card,)))
    for index, scene in enumerate(listed):
        if any(row.scene is scene for row in rows):
            continue
        before = listed[index - 1].id if index else None
        at = next((i + 1 for i, row in enumerate(rows) if row.scene is not None and row.scene.id == before),
                  next((i for i, row in enumerate(rows) if row.scene is not None), len(rows)))
        rows.insert(at, Row(scene, numbers[scene.id], ()))
    return Storyboard(project.name, (today or date.today()).strftime("%d %B %Y").lstrip("0"), tuple(rows))


# -- the two stages ------------------------------------------------------------------------------

def shots_to_keyframe(service: ProjectService, selected: list[str]) -> list[str]:
    """The shots "Make keyframes" sends: the selected ones, or (none selected) every shot
    without a keyframe still yet (one with variants waits for the creator to approve one)."""
    if selected:
        return [shot.id for shot in shots_for_keyframes(service, set(selected))]
    return [shot.id for shot in shots_for_keyframes(service, None) if not keyframes_of(service.project, shot)]


def shots_to_animate(service: ProjectService) -> list[str]:
    """The shots "Animate approved" sends: every shot whose keyframe is approved and whose video
    is not current (nor being made now)."""
    project = service.project
    return [shot.id for shot in project.timeline.shots
            if approved_keyframe(project, shot) is not None
            and service.shot_status(shot).kind not in ("current", "generating")]


def cost_words(totals: dict[str, float], unknown: dict[str, int]) -> str:
    """'about 1.2 US dollars', 'free', or what is not known beforehand, for a confirmation."""
    known = [str(Cost(amount, unit)) for unit, amount in totals.items() if amount]
    unsure = [f"{count} job{'s' if count != 1 else ''} in {unit_words(unit)} not known until run"
              for unit, count in unknown.items()]
    if not known and not unsure:
        return "free"
    return "; ".join(([f"about {', '.join(known)}"] if known else []) + unsure)
