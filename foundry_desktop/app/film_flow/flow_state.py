"""What the film flow has done so far, kept in the project (its `film_flow` setting), so that running
it again continues where it stopped: the brief it was started from, the plan the language model
wrote, the mood board's looks and the one chosen, where the plan's shots went, and which steps are
done. The steps read and write it (through their FlowContext); nothing else does.

It lives outside the undo history, like generation jobs: undoing an edit does not un-pay for a plan.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    language_model_client,
    require_configured,
)
from foundry_desktop.app.film_flow.film_request import FilmRequest
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.planning.mood_board import MoodBoardDirection, StyleDirection
from foundry_desktop.domain.planning.scene_plan import ScenePlan
from foundry_desktop.generation.backend import BackendRegistry

if TYPE_CHECKING:
    import openai

SETTING = "film_flow"


class SavedLook(BaseModel):
    """A mood board direction with its reference pictures (paths in the project's media folder)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: StyleDirection
    pictures: list[str] = Field(default_factory=list)

    def as_direction(self) -> MoodBoardDirection:
        return MoodBoardDirection(self.direction, list(self.pictures))


class FilmFlowState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brief: str
    target_seconds: str  # a Fraction as text ("60", "59/2")
    plan: ScenePlan | None = None
    looks: list[SavedLook] = Field(default_factory=list)
    look: int | None = None  # the chosen look, numbered from 1 as `moodboard --choose` numbers them
    style_id: str | None = None  # the style template made from it
    shots_before: int | None = None  # shots on the timeline when the plan was applied: its shots follow
    shot_ids: list[str] = Field(default_factory=list)
    done: list[str] = Field(default_factory=list)  # the steps finished, in order
    music_seed: int | None = None  # chosen before the music is asked for, so a second run asks for the same
    music_clip_id: str | None = None
    film: str | None = None  # the last render, as written

    def with_done(self, step: str, **changes: object) -> FilmFlowState:
        done = self.done if step in self.done else [*self.done, step]
        return self.model_copy(update={**changes, "done": done})


def load_state(service: ProjectService) -> FilmFlowState | None:
    saved = service.setting(SETTING)
    return None if saved is None else FilmFlowState.model_validate(saved)


def save_state(service: ProjectService, state: FilmFlowState) -> FilmFlowState:
    service.set_setting(SETTING, state.model_dump(mode="json"))
    return state


@dataclass
class FlowContext:
    """What every step works with: the project, the backends, what was asked, and the state so far."""

    service: ProjectService
    registry: BackendRegistry
    request: FilmRequest
    state: FilmFlowState
    settings: LanguageModelSettings | None  # None: none set up (the steps that need one say so)
    notes: list[str] = field(default_factory=list)
    _client: openai.AsyncOpenAI | None = None

    def save(self, state: FilmFlowState) -> None:
        self.state = save_state(self.service, state)

    async def language_model(self) -> tuple[LanguageModelSettings, openai.AsyncOpenAI]:
        """The settings, checked, and one client for the whole run (made in a worker thread: the
        openai import and the password store would stall the window's loop); close() closes it."""
        settings = require_configured(self.settings or LanguageModelSettings(), chat=True)
        if self._client is None:
            self._client = await asyncio.to_thread(language_model_client, settings)
        return settings, self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    @property
    def shot_indexes(self) -> list[int]:
        """Where the flow's shots are on the timeline now (the creator may have moved some)."""
        ours = set(self.state.shot_ids)
        return [index for index, shot in enumerate(self.service.project.timeline.shots) if shot.id in ours]
