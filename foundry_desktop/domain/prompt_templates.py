"""Characters and style templates: reusable pieces of a prompt that keep shots consistent.

A character (Mara, the fox) or a style (35 mm film, watercolour) is named once
in the project and attached to shots. What it adds to each shot's prompt is
worked out by prompt_composition; its reference images become a shot's input
image where the shot has none of its own. Shots refer to templates by id, so a
rename touches no shot.

The functions here return new template lists (or a new project) and refuse, in
words, what would leave the project inconsistent: two templates of a kind with
one name, or a shot attached to a template that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from foundry_desktop.domain.errors import DomainError

TemplateKind = Literal["character", "style"]

Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")]


class ReferenceImage(BaseModel):
    """A picture of what the template should look like, kept in the project's media folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="relative to the media folder (content-addressed: the path names the content)")
    name: str = Field(description="the file name the creator chose")


class PromptTemplate(BaseModel):
    """What characters and styles share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    name: str
    description: str = ""
    reference_images: tuple[ReferenceImage, ...] = ()
    prompt_prefix: str = ""
    prompt_suffix: str = ""
    negative_prompt: str = ""
    # Preferred generator: set on a shot when the template is attached to it (the creator can change it after).
    backend: str | None = None
    model: str | None = None
    workflow: str | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a character or style needs a name")
        return value

    @field_validator("backend", "model", "workflow")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class Character(PromptTemplate):
    """Someone (or something) who appears in several shots and must look the same in each."""


class StyleTemplate(PromptTemplate):
    """A look shared by shots. The palette and keywords describe it (mood boards fill them);
    only the prompt fields and reference images reach the generator."""

    palette: tuple[Color, ...] = ()
    keywords: tuple[str, ...] = ()


KIND_WORDS: dict[TemplateKind, tuple[str, str]] = {"character": ("character", "characters"),
                                                   "style": ("style", "styles")}

T = TypeVar("T", bound=PromptTemplate)


def find_template(templates: list[T], key: str) -> T | None:
    """The template with this id, or else with this name (case and spacing ignored)."""
    by_id = next((t for t in templates if t.id == key), None)
    if by_id is not None:
        return by_id
    wanted = " ".join(key.split()).casefold()
    return next((t for t in templates if t.name.casefold() == wanted), None)


def with_template(templates: list[T], template: T, kind: TemplateKind) -> list[T]:
    """`templates` with `template` added (a new id) or replacing the one with its id."""
    clash = next((t for t in templates if t.id != template.id and t.name.casefold() == template.name.casefold()), None)
    if clash is not None:
        raise DomainError(f"There is already a {KIND_WORDS[kind][0]} called {clash.name}.")
    if any(t.id == template.id for t in templates):
        return [template if t.id == template.id else t for t in templates]
    return [*templates, template]


def usage(shot_templates: list[str | None], templates: list[T]) -> dict[str, list[int]]:
    """Template id -> the indexes (from 0) of the shots that use it, for every template."""
    used: dict[str, list[int]] = {t.id: [] for t in templates}
    for index, template_id in enumerate(shot_templates):
        if template_id in used:
            used[template_id].append(index)
    return used
