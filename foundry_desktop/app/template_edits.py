"""The service's edits of the project's characters and style templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from foundry_desktop.app.edit_base import EditBase, edit_errors
from foundry_desktop.app.shots.input_images import import_input_image
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.project import Project
from foundry_desktop.domain.prompt_templates import (
    Character,
    PromptTemplate,
    ReferenceImage,
    StyleTemplate,
    TemplateKind,
    usage,
    with_template,
)

# Template fields an edit may set; None leaves one as it is.
_TEMPLATE_FIELDS = {
    "name", "description", "prompt_prefix", "prompt_suffix", "negative_prompt", "reference_images", "backend", "model",
    "workflow",
}
_STYLE_FIELDS = {"palette", "keywords"}
_TEMPLATE_CLASSES: dict[TemplateKind, type[PromptTemplate]] = {"character": Character, "style": StyleTemplate}


class TemplateEdits(EditBase):
    """Characters and styles are added, changed and removed as one undo step each, with the
    shots that use them (the lookup by id or name, `template`, is on EditBase)."""

    def template_usage(self, kind: TemplateKind) -> dict[str, list[int]]:
        """Template id -> the indexes (from 0) of the shots that use it, for each character or style."""
        shots = self.project.timeline.shots
        return usage([getattr(shot.spec, kind) for shot in shots], self.project.templates(kind))

    def reference_image(self, path: Path) -> ReferenceImage:
        """Check a picture and copy it into the media folder (file work: keep it off the GUI thread)."""
        return ReferenceImage(path=import_input_image(Path(path), self._store.media), name=Path(path).name)

    def _templates_edit(self, kind: TemplateKind, label: str, template: PromptTemplate,
                        detach: bool = False) -> None:
        """Store `template` (added or changed), or with `detach` take it away from the project, its shots
        and the scenes that give it to their shots."""
        field = "characters" if kind == "character" else "styles"

        def change(project: Project) -> Project:
            templates = project.templates(kind)
            if not detach:
                return project.model_copy(update={field: with_template(templates, template, kind)})
            specs = {index: shot.spec.model_copy(update={kind: None})
                     for index, shot in enumerate(project.timeline.shots) if getattr(shot.spec, kind) == template.id}
            timeline = timeline_ops.set_shot_specs(project.timeline, specs)
            # Nor does a scene keep giving it to its shots.
            scene_list = [scene.model_copy(update={"defaults": scene.defaults.model_copy(update={kind: None})})
                          if getattr(scene.defaults, kind) == template.id else scene for scene in timeline.scenes]
            timeline = timeline.model_copy(update={"scenes": scene_list})
            kept = [t for t in templates if t.id != template.id]
            return project.model_copy(update={field: kept, "timeline": timeline})

        self._edit(label, change)

    def _template_values(self, kind: TemplateKind, fields: dict[str, Any]) -> dict[str, Any]:
        allowed = _TEMPLATE_FIELDS | (_STYLE_FIELDS if kind == "style" else set())
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"unknown {kind} field(s): {', '.join(sorted(unknown))}")
        return {key: value for key, value in fields.items() if value is not None}

    def add_template(self, kind: TemplateKind, name: str, **fields: Any) -> PromptTemplate:
        """A new character or style. Fields: description, prompt_prefix, prompt_suffix, negative_prompt,
        reference_images (ReferenceImage, see reference_image), backend, model, workflow; a style
        also palette and keywords."""
        with edit_errors():
            template = _TEMPLATE_CLASSES[kind](name=name, **self._template_values(kind, fields))
        self._templates_edit(kind, f"Add {kind} {template.name}", template)
        return template

    def update_template(self, kind: TemplateKind, key: str, **fields: Any) -> PromptTemplate:
        """Change a character or style (by id or name); None leaves a field as it is, "" clears a
        text. Every shot that uses it goes stale if what it adds to their prompts changed."""
        before = self.template(kind, key)
        values = self._template_values(kind, fields)
        with edit_errors():
            template = type(before).model_validate({**before.model_dump(), **values})
        if template != before:
            self._templates_edit(kind, f"Change {kind} {before.name}", template)
        return template

    def remove_template(self, kind: TemplateKind, key: str) -> list[int]:
        """Remove a character or style; the shots that used it lose it in the same undo step.
        Returns those shots' indexes (from 0)."""
        template = self.template(kind, key)
        detached = self.template_usage(kind)[template.id]
        self._templates_edit(kind, f"Remove {kind} {template.name}", template, detach=True)
        return detached
