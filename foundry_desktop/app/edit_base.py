"""What every edit of the open project shares: the project, how an edit is made and
undone, and how a refusal reads. ProjectService is built from this and the edit
groups on it (shot_edits, track_edits, template_edits).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from foundry_desktop.app.events import ChangedElsewhere, EventBus, ProjectChanged
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import Project, ProjectFormat, Shot, Take
from foundry_desktop.domain.prompt_templates import KIND_WORDS, PromptTemplate, TemplateKind, find_template
from foundry_desktop.domain.time import seconds_to_frames
from foundry_desktop.errors import InvalidEditError, ProjectChangedElsewhereError
from foundry_desktop.store.project_store import FileRead, ProjectStore

OUTSIDE_CHANGE_LABEL = "Changed by another Foundry command"


def _explain_validation(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "value"
    message = error["msg"].removeprefix("Value error, ")
    return f"Invalid {field.replace('_', ' ')}: {message}."


@contextlib.contextmanager
def edit_errors(about: str = "") -> Iterator[None]:
    """Domain refusals become the InvalidEditError a creator sees; `about` (say, "Shot 3 (Lanterns)")
    names what was refused where the refusal alone would not."""
    try:
        yield
    except DomainError as exc:
        raise InvalidEditError(_about(about, str(exc))) from None
    except ValidationError as exc:
        raise InvalidEditError(_about(about, _explain_validation(exc))) from None


def _about(about: str, message: str) -> str:
    return f"{about}: {message[:1].lower()}{message[1:]}" if about else message


@dataclass(frozen=True)
class OutsideChanges:
    """What a look at the file found (read_outside_changes), for the thread that owns the project."""

    based_on: Project  # the open project as the look began
    read: FileRead | None  # the file's project, where another process had changed it


class EditBase:
    """The open project and the one way to change it (`_edit`)."""

    _store: ProjectStore
    events: EventBus
    # The open project, kept in step with the file: each edit writes what it changed, each
    # undo or redo reads back what it changed (see the store); only opening reads it all.
    project: Project
    # The window: an edit refused because the file changed elsewhere asks for a look (ChangedElsewhere),
    # which reads in a worker thread, rather than reading the whole file on the thread that edits.
    rereads_in_background = False

    @property
    def format(self) -> ProjectFormat:
        return self.project.format

    def shot_at(self, index: int) -> Shot:
        shots = self.project.timeline.shots
        if not 0 <= index < len(shots):
            raise InvalidEditError(
                f"There is no shot {index + 1}: the timeline has {len(shots)} shot{'s' if len(shots) != 1 else ''}."
            )
        return shots[index]

    def frames_from_seconds(self, seconds: str | float | Fraction, *, allow_zero: bool = False) -> int:
        with edit_errors():
            frames = seconds_to_frames(seconds, self.format.frame_rate)
        if frames < 0 or (frames == 0 and not allow_zero):
            raise InvalidEditError(f"A duration must be positive (got {seconds} seconds).")
        return frames

    def template(self, kind: TemplateKind, key: str) -> PromptTemplate:
        """The character or style with this id or name; InvalidEditError naming those there are."""
        templates = self.project.templates(kind)
        template = find_template(templates, key)
        if template is None:
            singular, plural = KIND_WORDS[kind]
            known = ", ".join(t.name for t in templates)
            where = f" (the project's {plural}: {known})." if known else f"; the project has no {plural} yet."
            raise InvalidEditError(f"There is no {singular} called {key}{where}")
        return template

    def _edit(self, label: str, change: Callable[[Project], Project]) -> None:
        """Make `change` (a new project from the open one) and save it as one undo step. The change
        shares everything it leaves alone with the project before (domain.timeline_ops), and the
        store writes only the rows that differ, so an edit costs what it changes."""
        before = self.project
        with edit_errors():
            after = change(before)
        with self.reading_again_if_stale():
            self._store.commit_edit(before, after, label)
        self.project = after
        self.events.emit(ProjectChanged(label))

    def refresh_from_file(self) -> bool:
        """Read the project again if another process (a command in a terminal) has changed the file
        since this one read it; True if it had. Cheap when nothing changed: the window asks often."""
        if not self._store.changed_elsewhere():
            return False
        self.project = self._store.load()
        self.events.emit(ProjectChanged(OUTSIDE_CHANGE_LABEL))
        return True

    def read_outside_changes(self) -> OutsideChanges:
        """refresh_from_file's slow half, for a worker thread (the store reads on a connection of its own)."""
        based_on = self.project  # taken before the read: a change made here after it makes the read stale
        return OutsideChanges(based_on, self._store.read_if_changed_elsewhere())

    def show_outside_changes(self, changes: OutsideChanges) -> bool:
        """refresh_from_file's quick half, on the thread that owns the project; True if the file's project
        is the open one now. A read begun before a change made here (an edit, a take recorded) is dropped,
        so it never undoes that change: the file holds both, and as the version the read saw is not
        taken, the next look reads it again."""
        if changes.read is None or self.project is not changes.based_on:
            return False
        self.project = changes.read.project
        self._store.take_read(changes.read)
        self.events.emit(ProjectChanged(OUTSIDE_CHANGE_LABEL))
        return True

    @contextlib.contextmanager
    def reading_again_if_stale(self) -> Iterator[None]:
        """An edit refused because the file changed under it leaves the project read again."""
        try:
            yield
        except ProjectChangedElsewhereError:
            if self.rereads_in_background:
                self.events.emit(ChangedElsewhere())
            else:
                self.refresh_from_file()
            raise

    def add_take(self, take: Take, *, select_it: bool) -> None:
        """Record a take (a generation's or the creator's file), shown in its shot if `select_it`.
        Takes live outside the undo history: they are never lost."""
        self._store.add_take(take, select_it=select_it)
        self.project = self.project.with_take(take, select_it=select_it)

    def _with_timeline(self, timeline_change: Callable[..., Any]) -> Callable[[Project], Project]:
        return lambda project: project.model_copy(update={"timeline": timeline_change(project.timeline)})
