"""Mood boards: three or four style directions for a film, proposed from its brief.

A direction is what a style template is made from: a name, a few words on the
look, keywords, a palette of hex colours and a prompt prefix that carries the
look into every shot's prompt. `ProposedMoodBoard` is the shape the language
model is asked to answer in (the JSON schema of the structured-output request);
`MoodBoard` adds the reference pictures generated for each direction, stored
in the project's media folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from foundry_desktop.domain.planning.scene_plan import Brief

HexColour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="a colour as #RRGGBB")]


class StyleDirection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="two or three words naming the look")
    description: str = Field(description="the look in a sentence or two: light, colour, texture, camera")
    keywords: list[str] = Field(min_length=3, max_length=8, description="single words or short phrases")
    palette: list[HexColour] = Field(min_length=3, max_length=6, description="the main colours, darkest first")
    prompt_prefix: str = Field(description="words put before every shot's prompt to give it this look")


class ProposedMoodBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    directions: list[StyleDirection] = Field(min_length=3, max_length=4, description="distinct looks for the film")


@dataclass(frozen=True)
class MoodBoardDirection:
    direction: StyleDirection
    pictures: list[str] = field(default_factory=list)  # relative paths in the project's media folder


@dataclass(frozen=True)
class MoodBoard:
    brief: Brief
    directions: list[MoodBoardDirection]
    notes: list[str] = field(default_factory=list)
