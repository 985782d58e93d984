"""The inspector's pickers: the backend, the workflow, and the character or style a shot
uses. Each shows what there is to choose and the shot's choice, rebuilding its list only
when the list itself changed (the pickers are refilled inside their own signals too); the
inspector saves what the creator picks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from foundry_desktop.app.generation.backends import backend_names, workflow_library
from foundry_desktop.app.generation.workflows import WorkflowEntry, WorkflowTemplate
from foundry_desktop.domain.prompt_templates import PromptTemplate


@dataclass(frozen=True)
class GeneratorChoices:
    """What the backend and workflow pickers offer on this machine."""

    backends: list[str]
    workflows: list[WorkflowEntry]  # favourites first
    templates: dict[str, WorkflowTemplate]  # workflow name -> its template


def load_generator_choices() -> GeneratorChoices:
    """Reads the machine's settings and every workflow file: run it in a worker thread."""
    library = workflow_library()
    entries = sorted(library.entries(), key=lambda entry: not entry.favourite)
    return GeneratorChoices(backend_names(), entries, {entry.name: library.get(entry.name) for entry in entries})


class BackendPicker(QComboBox):
    def show_backend(self, choices: GeneratorChoices, backend: str) -> None:
        # "media" is no generator: it is the backend of footage and stills, which show no picker.
        names = [name for name in choices.backends if name != "media"]
        if backend not in names:
            names.append(backend)  # a backend this machine lacks stays visible as the shot's choice
        if [self.itemText(i) for i in range(self.count())] != names:
            self.clear()
            self.addItems(names)
        self.setCurrentIndex(names.index(backend))


class WorkflowPicker(QComboBox):
    def show_workflow(self, choices: GeneratorChoices, workflow: str | None, comfyui: bool) -> None:
        items = [("Choose a workflow…", None, "")]
        for entry in choices.workflows:
            label = f"★ {entry.title}" if entry.favourite else f"{entry.category} · {entry.title}"
            items.append((label, entry.name, entry.description))
        if workflow is not None and workflow not in choices.templates:
            items.append((f"{workflow} (not in the library)", workflow, ""))
        if [self.itemData(i) for i in range(self.count())] != [data for _, data, _ in items]:
            self.clear()
            for label, data, description in items:
                self.addItem(label, data)
                self.setItemData(self.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        # A shot's workflow can be changed, not taken away (the app service has no edit for that).
        self.model().item(0).setEnabled(workflow is None)
        self.setCurrentIndex(max(0, self.findData(workflow)))
        self.setEnabled(comfyui)
        self.setToolTip("" if comfyui else "Workflows are for the comfyui backend")


class TemplatePicker(QComboBox):
    """A character or a style of the project, or None."""

    def show_template(self, templates: list[PromptTemplate], chosen: str | None) -> None:
        items = [("None", None)] + [(t.name, t.id) for t in templates]
        if [(self.itemText(i), self.itemData(i)) for i in range(self.count())] != items:
            self.clear()
            for name, template_id in items:
                self.addItem(name, template_id)
        self.setCurrentIndex(max(0, self.findData(chosen)))
