"""Choosing a mood board's direction: it becomes a style template of the project (one undo
step), its prompt prefix, palette, keywords and reference pictures carried over, so the shots
that take the style take the look."""

from __future__ import annotations

from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.planning.mood_board import MoodBoardDirection
from foundry_desktop.domain.prompt_templates import ReferenceImage, StyleTemplate


def style_from_direction(service: ProjectService, chosen: MoodBoardDirection) -> StyleTemplate:
    """A new style from `chosen`; named after the direction ("Noir 2" when "Noir" is taken)."""
    direction = chosen.direction
    taken = {style.name.casefold() for style in service.project.styles}
    name, number = direction.name.strip(), 2
    while name.casefold() in taken:
        name, number = f"{direction.name.strip()} {number}", number + 1
    pictures = tuple(ReferenceImage(path=path, name=f"{direction.name.strip()} {index}{Path(path).suffix}")
                     for index, path in enumerate(chosen.pictures, start=1))
    return service.add_template("style", name, description=direction.description,
                                prompt_prefix=direction.prompt_prefix, palette=tuple(direction.palette),
                                keywords=tuple(direction.keywords), reference_images=pictures)
