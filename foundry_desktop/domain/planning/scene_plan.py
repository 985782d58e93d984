"""A film planned from a creative brief, before it is on the timeline.

Three shapes:

* `Brief`: what the creator asks for, as free text, as fields (subject,
  audience, tone, visual style, key messages), or both.
* `ProposedPlan`: what the language model is asked to answer, in seconds, as
  it thinks of time. It is the JSON schema of the structured-output request,
  so its fields are few, all required, and described for the model.
* `ScenePlan`: the plan the creator reviews, edits (in the editor's table, or
  as JSON from the CLI) and applies: whole frames at a frame rate, adding up
  to the target (duration_fit), transitions in frames, notes on what was
  changed from the model's answer.

The aspect preset is recorded and given to the model (framing a vertical
film differs), but it never changes the project's format: the format belongs
to every shot already generated, and changing it would make them all stale.
Applying a plan to a project of another shape says so in a note.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from foundry_desktop.domain.planning.duration_fit import fit_durations
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import FrameRate, TransitionKind
from foundry_desktop.domain.time import frames_to_seconds, seconds_to_frames

Aspect = Literal["16:9", "9:16", "1:1"]
ASPECTS: dict[str, tuple[int, int, str]] = {
    "16:9": (16, 9, "landscape, for screens and video sites"),
    "9:16": (9, 16, "vertical, for phones, reels and stories"),
    "1:1": (1, 1, "square, for feeds"),
}
# Video models make clips of a few seconds; a scene under one second is rarely meant.
SCENE_MINIMUM = Fraction(1)
MAX_SCENES = 60
# Models round each scene to a tenth of a second or so; a sum off by less is not worth a note.
PROPOSAL_SLACK = Fraction(1, 2)


def nearest_aspect(width: int, height: int) -> Aspect:
    """The preset closest to a frame size (1280×720 → 16:9)."""
    ratio = Fraction(width, height)
    def distance(name: str) -> Fraction:
        across, down, _ = ASPECTS[name]
        return abs(Fraction(across, down) - ratio)

    return min(ASPECTS, key=distance)  # type: ignore[return-value]


class Brief(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    text: str = Field(default="", description="the brief in the creator's own words")
    subject: str = Field(default="", description="the product or subject")
    audience: str = ""
    tone: str = ""
    visual_style: str = ""
    key_messages: list[str] = Field(default_factory=list)

    @field_validator("key_messages")
    @classmethod
    def _no_empty_messages(cls, messages: list[str]) -> list[str]:
        return [message.strip() for message in messages if message.strip()]

    @model_validator(mode="after")
    def _says_something(self) -> Brief:
        if not (self.text or self.subject or self.key_messages):
            raise ValueError("a brief needs some text, a subject or a key message")
        return self

    def in_words(self) -> str:
        """The brief as the model reads it: the creator's text, then the fields given, one a line."""
        lines = [self.text] if self.text else []
        for label, value in (("Subject", self.subject), ("Audience", self.audience), ("Tone", self.tone),
                             ("Visual style", self.visual_style)):
            if value:
                lines.append(f"{label}: {value}")
        if self.key_messages:
            lines.append("Key messages: " + "; ".join(self.key_messages))
        return "\n".join(lines)


# --------------------------------------------------------------------------- the model's answer


class ProposedScene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="a few words naming the scene")
    description: str = Field(description="what happens in the scene and what it says about the subject")
    prompt: str = Field(description="the text-to-video prompt for this one shot: subject, action, setting, camera, "
                                    "light and style, in concrete visual words")
    duration_seconds: float = Field(gt=0, description="how long the scene lasts, in seconds")
    transition: TransitionKind = Field(description="how this scene hands over to the next one")
    transition_seconds: float = Field(ge=0, description="how long the transition lasts; 0 for a cut")


class ProposedPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenes: list[ProposedScene] = Field(min_length=1, max_length=MAX_SCENES, description="the scenes in order")
    music_mood: str = Field(description="the mood of the music under the whole film, in a few words")


# --------------------------------------------------------------------------- the creator's plan


class PlannedScene(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: str = ""
    description: str = ""
    prompt: str = Field(min_length=1)
    frames: int = Field(gt=0)
    transition: TransitionKind = "cut"
    transition_frames: int = Field(default=0, ge=0, description="frames of the transition into the next scene")

    @model_validator(mode="after")
    def _cut_has_no_duration(self) -> PlannedScene:
        if (self.transition == "cut") != (self.transition_frames == 0):
            raise ValueError("a cut has no duration, and any other transition lasts at least one frame")
        return self


class ScenePlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brief: Brief | None = None
    aspect: Aspect = "16:9"
    frame_rate: FrameRate = Fraction(24)
    target_frames: int = Field(gt=0)
    music_mood: str = ""
    scenes: list[PlannedScene] = Field(min_length=1, max_length=MAX_SCENES)
    notes: list[str] = Field(default_factory=list, description="what was changed from the model's answer")

    @property
    def total_frames(self) -> int:
        return sum(scene.frames for scene in self.scenes)

    def fitted(self) -> ScenePlan:
        """This plan with its scenes fitted to the target, in proportion to their lengths now
        (itself when they add up already), with a note saying so."""
        if self.total_frames == self.target_frames:
            return self
        frames = fit_durations([scene.frames for scene in self.scenes], self.target_frames,
                               seconds_to_frames(SCENE_MINIMUM, self.frame_rate))
        note = (f"The scenes added up to {_seconds(self.total_frames, self.frame_rate)}; they were fitted to the "
                f"target, {_seconds(self.target_frames, self.frame_rate)}.")
        scenes = [scene.model_copy(update={"frames": length})
                  for scene, length in zip(self.scenes, frames, strict=True)]
        return self.model_copy(update={"scenes": scenes, "notes": [*self.notes, note]})

    def at_rate(self, rate: Fraction) -> ScenePlan:
        """The same plan counted in frames at another rate: the target, the scenes together and the
        transitions keep their length in seconds (to the nearest frame)."""
        if rate == self.frame_rate:
            return self

        def converted(frames: int) -> int:
            return seconds_to_frames(frames_to_seconds(frames, self.frame_rate), rate)

        # The scenes keep their total in seconds too, fitted or not: fitted() then says if they drifted.
        lengths = fit_durations([scene.frames for scene in self.scenes], converted(self.total_frames),
                                seconds_to_frames(SCENE_MINIMUM, rate))
        scenes = [
            scene.model_copy(update={"frames": length, "transition_frames": max(1, converted(scene.transition_frames))
                                     if scene.transition != "cut" else 0})
            for scene, length in zip(self.scenes, lengths, strict=True)
        ]
        return self.model_copy(update={"frame_rate": rate, "target_frames": converted(self.target_frames),
                                       "scenes": scenes})


def plan_from_proposal(proposal: ProposedPlan, *, brief: Brief | None, target_seconds: Fraction, rate: Fraction,
                       aspect: Aspect) -> ScenePlan:
    """The model's answer as a plan in frames that adds up to the target exactly."""
    target = seconds_to_frames(target_seconds, rate)
    if target < len(proposal.scenes):
        raise DomainError(f"A film of {target_seconds} s cannot hold {len(proposal.scenes)} scenes.")
    weights = [Fraction(scene.duration_seconds) for scene in proposal.scenes]
    frames = fit_durations(weights, target, seconds_to_frames(SCENE_MINIMUM, rate))
    notes = []
    proposed = sum(weights)
    if abs(proposed - target_seconds) > PROPOSAL_SLACK:
        notes.append(f"The model's scenes added up to {float(proposed):g} s; they were fitted to "
                     f"{float(target_seconds):g} s in proportion.")
    scenes = []
    for number, (scene, length) in enumerate(zip(proposal.scenes, frames, strict=True), start=1):
        transition = scene.transition
        transition_frames = seconds_to_frames(Fraction(scene.transition_seconds), rate) if transition != "cut" else 0
        if transition != "cut" and transition_frames == 0:
            transition, transition_frames = "cut", 0
            notes.append(f"Scene {number}'s {scene.transition.replace('_', ' ')} had no length; it is a cut.")
        title = scene.title.strip() or f"Scene {number}"
        prompt = scene.prompt.strip() or scene.description.strip() or title
        scenes.append(PlannedScene(title=title, description=scene.description, prompt=prompt, frames=length,
                                   transition=transition, transition_frames=transition_frames))
    return ScenePlan(brief=brief, aspect=aspect, frame_rate=rate, target_frames=target,
                     music_mood=proposal.music_mood.strip(), scenes=scenes, notes=notes)


def _seconds(frames: int, rate: Fraction) -> str:
    return f"{float(frames_to_seconds(frames, rate)):.2f} s ({frames} frames)"
