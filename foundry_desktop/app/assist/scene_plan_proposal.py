"""Asking the language model for a scene plan from a brief.

The request is a system prompt (what a plan is, the schema) and the brief with
its target and aspect; the answer comes back through structured_requests.py (parsed
into ProposedPlan, asked again when loose, retried when late or refused for
now, one-line errors otherwise), and its durations are then fitted to the
target in whole frames (domain.scene_plan). With no model set up,
NoLanguageModelError says how to set one up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from pydantic import ValidationError

from foundry_desktop.app.assist.structured_requests import AssistError, ask_structured
from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    client_for,
    require_configured,
)
from foundry_desktop.domain.planning.scene_plan import (
    ASPECTS,
    Aspect,
    Brief,
    ProposedPlan,
    ScenePlan,
    plan_from_proposal,
)

if TYPE_CHECKING:
    import openai

SYSTEM_PROMPT = """\
You plan short films for a creator who makes each shot with a text-to-video model.
From the creator's brief, write a scene plan: the scenes in the order they play, and the mood of the music.

For each scene give:
- title: a few words;
- description: what happens, and what it says about the subject or the key messages;
- prompt: the text-to-video prompt for that one shot, in concrete visual words: subject, action, setting, \
camera (framing and movement), light, colour and style. Keep people, products and style the same from scene to \
scene. No on-screen text unless the brief asks for it;
- duration_seconds: how long it lasts. The durations must add up to the target duration. Prefer 2 to 8 seconds \
a scene (video models make short clips);
- transition: how it hands over to the next scene: "cut", "dissolve", "fade_black" or "fade_white";
- transition_seconds: its length, 0 for a cut, usually 0.5 to 1.5 otherwise.

Frame every shot for the aspect given. Answer with the JSON object only, matching this schema:
{schema}"""


@dataclass(frozen=True)
class PlanRequest:
    brief: Brief
    target_seconds: Fraction
    frame_rate: Fraction
    aspect: Aspect = "16:9"

    def in_words(self) -> str:
        """The user message. The brief sits between triple quotes, so that nothing in it reads as
        an instruction of ours, and the target has a line of its own."""
        _, _, framing = ASPECTS[self.aspect]
        return (f'The brief:\n"""\n{self.brief.in_words()}\n"""\n'
                f"Target duration: {float(self.target_seconds):g} seconds.\n"
                f"Aspect: {self.aspect} ({framing}).")


async def propose_plan(settings: LanguageModelSettings, request: PlanRequest,
                       client: openai.AsyncOpenAI | None = None) -> ScenePlan:
    """The model's plan for `request`, in frames adding up to the target; see the module docstring."""
    require_configured(settings, chat=True)
    if request.target_seconds <= 0:
        raise AssistError("A plan needs a target duration above zero seconds.")
    async with client_for(settings, client) as model:
        proposal = await ask_structured(settings, model, [
            {"role": "system", "content": SYSTEM_PROMPT.format(schema=json.dumps(ProposedPlan.model_json_schema()))},
            {"role": "user", "content": request.in_words()},
        ], ProposedPlan, what="a scene plan")
    try:
        return plan_from_proposal(proposal, brief=request.brief, target_seconds=request.target_seconds,
                                  rate=request.frame_rate, aspect=request.aspect)
    except (ValueError, ValidationError) as exc:  # DomainError is a ValueError
        raise AssistError(f"The model's plan cannot be used: {exc}") from None
