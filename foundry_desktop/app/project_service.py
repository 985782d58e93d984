"""The application service: one open project, its edits, undo, generation and render.

The GUI and the CLI both drive a project through this class. Every edit is
validated by the domain, persisted by the store as one undoable step, and
announced on `events`. Views never change the model any other way.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from foundry_desktop.app.render.caption_pixels import font_file
from foundry_desktop.app.events import EventBus, ProjectChanged, ShotStatusChanged
from foundry_desktop.app.shots.input_images import import_input_image
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.captions.styles import caption_style
from foundry_desktop.domain.cut_plan import CutPlan, plan_cut
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.domain.project import (
    AudioClip,
    Caption,
    CaptionStyle,
    Marker,
    Project,
    ProjectFormat,
    Shot,
    ShotSpec,
    Take,
    Transition,
    new_id,
)
from foundry_desktop.domain.prompt_templates import (
    KIND_WORDS,
    Character,
    PromptTemplate,
    ReferenceImage,
    StyleTemplate,
    TemplateKind,
    find_template,
    usage,
    with_template,
)
from foundry_desktop.domain.status import GenerationState, ShotStatus, shot_status
from foundry_desktop.domain.time import parse_frame_rate, seconds_to_frames
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.project_store import ProjectStore, Travel

DEFAULT_SHOT_SECONDS = Fraction(3)

# Template fields an edit may set; None leaves one as it is.
_TEMPLATE_FIELDS = {
    "name", "description", "prompt_prefix", "prompt_suffix", "negative_prompt", "reference_images", "backend", "model",
    "workflow",
}
_STYLE_FIELDS = {"palette", "keywords"}
_TEMPLATE_CLASSES: dict[TemplateKind, type[PromptTemplate]] = {"character": Character, "style": StyleTemplate}

# Spec fields a shot edit may set directly (duration and image are converted first).
_SPEC_FIELDS = {
    "prompt", "negative_prompt", "backend", "model", "workflow", "params", "seed", "character", "style", "input_media"
}


def _explain_validation(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "value"
    message = error["msg"].removeprefix("Value error, ")
    return f"Invalid {field.replace('_', ' ')}: {message}."


@contextlib.contextmanager
def edit_errors() -> Iterator[None]:
    """Domain refusals become the InvalidEditError a creator sees."""
    try:
        yield
    except DomainError as exc:
        raise InvalidEditError(str(exc)) from None
    except ValidationError as exc:
        raise InvalidEditError(_explain_validation(exc)) from None


def new_seed() -> int:
    return secrets.randbelow(2**31)


class ProjectService:
    """The only door to an open project for the GUI and the CLI.

    The store is the service's own (`_store`): views and commands ask the service, and the
    architecture test holds ui/ and cli/ to that. The app's own modules (generation, render,
    exchange) reach the project's records through the methods under "records" below.
    """

    def __init__(self, store: ProjectStore):
        self._store = store
        self.events = EventBus()
        # The open project, kept in step with the file: each edit writes what it changed, each
        # undo or redo reads back what it changed (see the store); only opening loads it all.
        self.project: Project = store.load()
        self._before_group = self.project
        if not store.read_only:
            # Marks and scratch files left by a process that died mid-generation.
            store.clear_generating_states()
            store.media.clear_scratch()

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        name: str | None = None,
        width: int = 1280,
        height: int = 720,
        frame_rate: str | Fraction = Fraction(24),
        audio_rate: int = 48000,
    ) -> ProjectService:
        with edit_errors():
            fmt = ProjectFormat(
                width=width, height=height, frame_rate=parse_frame_rate(frame_rate), audio_rate=audio_rate
            )
        project = Project(name=name or Path(path).stem, format=fmt)
        return cls(ProjectStore.create(Path(path), project))

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> ProjectService:
        return cls(ProjectStore.open(Path(path), read_only=read_only))

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> ProjectService:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- the project file ----------------------------------------------------

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    @property
    def media(self) -> MediaCache:
        """The project's media folder: takes, pictures and sounds by content hash."""
        return self._store.media

    def undo_label(self) -> str | None:
        return self._store.undo_label()

    def redo_label(self) -> str | None:
        return self._store.redo_label()

    def setting(self, name: str) -> Any:
        """A setting the project keeps for itself (the assist's override, ...), or None."""
        return self._store.setting(name)

    def set_setting(self, name: str, value: Any) -> None:
        self._store.set_setting(name, value)

    # -- records: generation jobs, budgets, takes ------------------------------

    def jobs(self, states: tuple[JobState, ...] | None = None) -> list[GenerationJob]:
        return self._store.jobs(states)

    def budgets(self) -> dict[str, float]:
        return self._store.budgets()

    def set_budget(self, unit: str, amount: float | None) -> None:
        """The most the project may spend in `unit`; None lifts the budget."""
        self._store.set_budget(unit, amount)

    def add_jobs(self, jobs: Iterable[GenerationJob]) -> None:
        self._store.add_jobs(jobs)

    def save_job(self, job: GenerationJob) -> GenerationJob:
        return self._store.save_job(job)

    def save_job_and_state(self, job: GenerationJob, state: GenerationState | None) -> GenerationJob:
        return self._store.save_job_and_state(job, state)

    def finish_job(self, job: GenerationJob, take: Take, *, select_it: bool) -> GenerationJob:
        return self._store.finish_job(job, take, select_it=select_it)

    def generation_states(self) -> dict[str, GenerationState]:
        return self._store.generation_states()

    def set_generation_states(self, states: dict[str, GenerationState | None]) -> None:
        self._store.set_generation_states(states)

    def add_take(self, take: Take, *, select_it: bool) -> None:
        """Record a take (a generation's or the creator's file); the model is reloaded by the caller."""
        self._store.add_take(take, select_it=select_it)

    def select_take_of(self, shot_id: str, take_id: str | None) -> None:
        self._store.select_take(shot_id, take_id)

    # -- queries -------------------------------------------------------------

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

    def shot_status(self, shot: Shot) -> ShotStatus:
        take = self.project.selected_take(shot)
        media_present = take is None or self._store.media.exists(take.media_path)
        generation = self._store.generation_states().get(shot.id)
        return shot_status(self.project, shot, generation, media_present)

    def statuses(self) -> list[ShotStatus]:
        generation = self._store.generation_states()
        result = []
        for shot in self.project.timeline.shots:
            take = self.project.selected_take(shot)
            media_present = take is None or self._store.media.exists(take.media_path)
            result.append(shot_status(self.project, shot, generation.get(shot.id), media_present))
        return result

    def cut_plan(self) -> CutPlan:
        """The film as it plays now, with each shot's selected take (or what it will generate)."""
        project = self.project
        take_frames = {}
        for shot in project.timeline.shots:
            take = project.selected_take(shot)
            if take is not None:
                take_frames[shot.id] = take.frames
        return plan_cut(project.timeline, take_frames)

    def frames_from_seconds(self, seconds: str | float | Fraction, *, allow_zero: bool = False) -> int:
        with edit_errors():
            frames = seconds_to_frames(seconds, self.format.frame_rate)
        if frames < 0 or (frames == 0 and not allow_zero):
            raise InvalidEditError(f"A duration must be positive (got {seconds} seconds).")
        return frames

    # -- edits ---------------------------------------------------------------

    def _edit(self, label: str, change: Callable[[Project], Project]) -> None:
        before = self.project
        with edit_errors():
            after = change(before)
        self._store.commit_edit(before, after, label)
        self.project = after
        self.events.emit(ProjectChanged(label))

    def _with_timeline(self, timeline_change: Callable[..., Any]) -> Callable[[Project], Project]:
        return lambda project: project.model_copy(update={"timeline": timeline_change(project.timeline)})

    def _spec_with(self, base: ShotSpec, changes: dict[str, Any]) -> ShotSpec:
        """A copy of `base` with creator-level changes applied and validated."""
        update: dict[str, Any] = {}
        for key, value in changes.items():
            if value is None:
                continue
            if key == "duration_seconds":
                update["duration"] = self.frames_from_seconds(value)
            elif key == "duration_frames":
                update["duration"] = value
            elif key == "image" and value == "":
                update["input_image"] = update["input_image_name"] = None
            elif key == "image":
                update["input_image"] = import_input_image(Path(value), self._store.media)
                update["input_image_name"] = Path(value).name
            elif key in ("model", "workflow", "character", "style") and value == "":
                update[key] = None  # cleared (None itself means "unchanged" here)
            elif key in ("character", "style"):
                update[key] = self.template(key, value).id
            elif key in _SPEC_FIELDS:
                update[key] = value
            else:
                raise TypeError(f"unknown shot field {key!r}")
        # A newly attached template brings its preferred generator, unless this edit names one.
        for kind in ("style", "character"):  # the character's preference wins over the style's
            if update.get(kind) is not None and update[kind] != getattr(base, kind):
                template = self.project.template(kind, update[kind])
                for field in ("backend", "model", "workflow"):
                    if getattr(template, field) is not None and changes.get(field) is None:
                        update[field] = getattr(template, field)
        with edit_errors():
            return ShotSpec.model_validate({**base.model_dump(), **update})

    def add_shot(self, *, at: int | None = None, name: str = "", **spec_fields: Any) -> Shot:
        """Add a shot (at index `at`, default the end). Fields: prompt, duration_seconds, image, seed..."""
        spec_fields.setdefault("seed", new_seed())
        if spec_fields.get("duration_seconds") is None and spec_fields.get("duration_frames") is None:
            spec_fields["duration_seconds"] = DEFAULT_SHOT_SECONDS
        spec = self._spec_with(ShotSpec(), spec_fields)
        shot = Shot(name=name, spec=spec)
        index = len(self.project.timeline.shots) if at is None else at
        self._edit(
            f"Add shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.insert_shot(timeline, index, shot)),
        )
        return shot

    def update_shot(self, index: int, *, name: str | None = None, **spec_fields: Any) -> None:
        shot = self.shot_at(index)
        spec = self._spec_with(shot.spec, spec_fields)

        def change(timeline):
            timeline = timeline_ops.set_shot_spec(timeline, index, spec)
            return timeline_ops.rename_shot(timeline, index, name) if name is not None else timeline

        changed = [key for key, value in spec_fields.items() if value is not None]
        if name is not None:
            changed.append("name")
        what = ", ".join(key.replace("_", " ").removesuffix(" seconds") for key in changed) or "nothing"
        self._edit(f"Change shot {index + 1}: {what}", self._with_timeline(change))

    def move_shot(self, source: int, destination: int) -> None:
        self._edit(
            f"Move shot {source + 1} to {destination + 1}",
            self._with_timeline(lambda timeline: timeline_ops.move_shot(timeline, source, destination)),
        )

    def remove_shot(self, index: int) -> None:
        self._edit(
            f"Remove shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.remove_shot(timeline, index)),
        )

    def split_shot(self, index: int, offset: int) -> Shot:
        """Cut shot `index` in two, `offset` frames after its start (timeline_ops.split_shot);
        the new second half shows the rest of the same take. Returns the second half."""
        shot = self.shot_at(index)
        take = self.project.selected_take(shot)
        second = shot.model_copy(update={"id": new_id(), "selected_take_id": None})
        self._edit(
            f"Split shot {index + 1}",
            self._with_timeline(
                lambda timeline: timeline_ops.split_shot(timeline, index, offset, second, has_take=take is not None)),
        )
        if take is not None:
            # Takes live outside the undo history (they are never lost); after an undo and a
            # redo, the half finds this copy again by its fingerprint.
            copy = take.model_copy(update={"id": new_id(), "shot_id": second.id})
            self._store.add_take(copy, select_it=True)
            self.project = self.project.with_take(copy, select_it=True)
            self.events.emit(ShotStatusChanged(second.id))
        return self.project.timeline.shots[index + 1]

    def trim_shot(self, index: int, trim_in: int, trim_out: int | None) -> None:
        self._edit(
            f"Trim shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.trim_shot(timeline, index, trim_in, trim_out)),
        )

    def set_shot_duration(self, index: int, frames: int) -> None:
        self._edit(
            f"Set duration of shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.set_shot_duration(timeline, index, frames)),
        )

    def set_transition(self, index: int, kind: str, frames: int = 0) -> None:
        def change(timeline):
            return timeline_ops.set_transition(timeline, index, Transition(kind=kind, duration=frames))

        self._edit(f"Set transition after shot {index + 1}", self._with_timeline(change))

    def set_shot_picture_and_sound(
        self, index: int, *, fit: str | None = None, audio_gain_db: float | None = None, audio_muted: bool | None = None
    ) -> None:
        def change(timeline):
            return timeline_ops.set_shot_picture_and_sound(
                timeline, index, fit=fit, audio_gain_db=audio_gain_db, audio_muted=audio_muted
            )

        self._edit(f"Change picture and sound of shot {index + 1}", self._with_timeline(change))

    def set_film_fades(self, fade_in: int, fade_out: int) -> None:
        self._edit(
            "Set the film's fades",
            self._with_timeline(lambda timeline: timeline_ops.set_film_fades(timeline, fade_in, fade_out)),
        )

    def add_music_clip(self, clip: AudioClip) -> None:
        self._edit(
            f"Add music {clip.name}".strip(),
            self._with_timeline(lambda timeline: timeline_ops.add_audio_clip(timeline, clip)),
        )

    def add_caption(
        self,
        text: str,
        start_seconds: str | Fraction,
        end_seconds: str | Fraction,
        style: str | CaptionStyle = "subtitle",
        word_starts: list[int] | None = None,
    ) -> Caption:
        """A caption over the film from `start_seconds` to `end_seconds`, in a named style or a
        style of its own; `word_starts` (film frames) time each word for the highlight."""
        start = self.frames_from_seconds(start_seconds, allow_zero=True)
        end = self.frames_from_seconds(end_seconds, allow_zero=True)
        if isinstance(style, str):
            try:
                style = caption_style(style)
            except ValueError as exc:
                raise InvalidEditError(str(exc)) from None
        font_file(style.font)  # an unknown font is refused now, not at the render
        with edit_errors():
            caption = Caption(text=text, start=start, end=end, style=style, word_starts=word_starts)
        self._edit(
            f"Add caption \"{caption.text[:30]}\"",
            self._with_timeline(lambda timeline: timeline_ops.add_caption(timeline, caption)),
        )
        return caption

    def add_captions(self, captions: list[Caption], *, replacing: list[str] = (), label: str = "Add captions") -> None:
        """Several captions (and the removal of `replacing`, by id) as one undoable edit."""
        for caption in captions:
            font_file(caption.style.font)
        self._edit(label, self._with_timeline(
            lambda timeline: timeline_ops.replace_captions(timeline, list(replacing), captions)))

    def update_caption(
        self,
        caption_id: str,
        *,
        text: str | None = None,
        start: int | None = None,
        end: int | None = None,
        style: str | CaptionStyle | None = None,
    ) -> Caption:
        """Change a caption's text, frames [start, end) or style; None leaves a field as it is.

        Its word times follow what still makes sense: moved whole (same length), they move
        with it; with the words or the length changed, they are kept where they still fit
        (one per word, inside the caption), else dropped (the highlight then spreads the
        words by length)."""
        old = next((c for c in self.project.timeline.captions if c.id == caption_id), None)
        if old is None:
            raise InvalidEditError("There is no such caption on the timeline.")
        if isinstance(style, str):
            try:
                style = caption_style(style)
            except ValueError as exc:
                raise InvalidEditError(str(exc)) from None
        if style is not None:
            font_file(style.font)
        new_text = old.text if text is None else text
        new_start = old.start if start is None else start
        new_end = old.end if end is None else end
        word_starts = old.word_starts
        if word_starts is not None and new_end - new_start == old.end - old.start:
            word_starts = [frame + new_start - old.start for frame in word_starts]
        if word_starts is not None and (
            len(word_starts) != len(new_text.split())
            or not all(new_start <= frame < new_end for frame in word_starts)
        ):
            word_starts = None
        with edit_errors():
            caption = Caption(id=old.id, text=new_text, start=new_start, end=new_end,
                              style=style or old.style, word_starts=word_starts)
        self._edit(f"Change caption \"{caption.text[:30]}\"",
                   self._with_timeline(lambda timeline: timeline_ops.update_caption(timeline, caption)))
        return caption

    def remove_caption(self, caption_id: str) -> None:
        self._edit("Remove caption", self._with_timeline(lambda timeline: timeline_ops.remove_caption(timeline, caption_id)))

    def add_marker(self, frame: int, label: str = "", color: str | None = None) -> Marker:
        with edit_errors():
            marker = Marker(frame=frame, label=label, **({"color": color} if color else {}))
        self._edit(f"Add marker at frame {frame}", self._with_timeline(lambda t: timeline_ops.add_marker(t, marker)))
        return marker

    def remove_marker(self, marker_id: str) -> None:
        self._edit("Remove marker", self._with_timeline(lambda t: timeline_ops.remove_marker(t, marker_id)))

    def rename_project(self, name: str) -> None:
        if not name.strip():
            raise InvalidEditError("A project needs a name.")
        self._edit("Rename project", lambda project: project.model_copy(update={"name": name.strip()}))

    # -- characters and styles -----------------------------------------------

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

    def template_usage(self, kind: TemplateKind) -> dict[str, list[int]]:
        """Template id -> the indexes (from 0) of the shots that use it, for each character or style."""
        shots = self.project.timeline.shots
        return usage([getattr(shot.spec, kind) for shot in shots], self.project.templates(kind))

    def reference_image(self, path: Path) -> ReferenceImage:
        """Check a picture and copy it into the media folder (file work: keep it off the GUI thread)."""
        return ReferenceImage(path=import_input_image(Path(path), self._store.media), name=Path(path).name)

    def _templates_edit(self, kind: TemplateKind, label: str, template: PromptTemplate,
                        detach: bool = False) -> None:
        """Store `template` (added or changed), or with `detach` take it away from the project and its shots."""
        field = "characters" if kind == "character" else "styles"

        def change(project: Project) -> Project:
            templates = project.templates(kind)
            if not detach:
                return project.model_copy(update={field: with_template(templates, template, kind)})
            timeline = project.timeline
            for index, shot in enumerate(timeline.shots):
                if getattr(shot.spec, kind) == template.id:
                    timeline = timeline_ops.set_shot_spec(timeline, index, shot.spec.model_copy(update={kind: None}))
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

    @contextlib.contextmanager
    def group(self, label: str) -> Iterator[None]:
        """Edits inside become one undo step, saved together or not at all."""
        if not self._store.in_group():
            self._before_group = self.project  # models are never mutated: this is the project as it was
        self._store.begin_group(label)
        try:
            yield
        except BaseException:
            self._store.rollback_group()  # the whole group, however deep
            self.project = self._before_group
            self.events.emit(ProjectChanged(f"Cancel {label}"))
            raise
        self._store.commit_group()

    # -- undo ----------------------------------------------------------------

    def undo(self) -> str | None:
        """Undo the latest edit; returns its label, None when there is nothing to undo."""
        return self._after_travel(self._store.undo(self.project, reselect=self._matching_takes), "Undo")

    def redo(self) -> str | None:
        return self._after_travel(self._store.redo(self.project, reselect=self._matching_takes), "Redo")

    def _after_travel(self, travel: Travel | None, verb: str) -> str | None:
        if travel is None:
            return None
        self.project = travel.project
        self.events.emit(ProjectChanged(f"{verb} {travel.label}"))
        return travel.label

    def _matching_takes(self, project: Project, shots: list[Shot]) -> dict[str, str]:
        """After undo/redo, show each of `shots` (those it may have changed) the take that matches its spec
        again, if it has one."""
        selections = {}
        for shot in shots:
            fingerprint = shot_fingerprint(shot, project)
            selected = project.selected_take(shot)
            if selected is not None and selected.fingerprint == fingerprint:
                continue
            matching = [take for take in project.takes_of(shot.id) if take.fingerprint == fingerprint]
            if matching:
                selections[shot.id] = matching[-1].id
        return selections

    # -- takes ---------------------------------------------------------------

    def select_take(self, index: int, take_id: str) -> None:
        """Show take `take_id` in shot `index`. A variant (the shot's spec with another seed)
        brings its seed along, as an undoable edit, so the shot stays current and an undo
        shows the take before again."""
        shot = self.shot_at(index)
        take = next((t for t in self.project.takes_of(shot.id) if t.id == take_id), None)
        if take is None:
            raise InvalidEditError(f"Shot {index + 1} has no such take.")
        current = generation_spec(shot, self.project)
        if take.spec != current and {**take.spec, "seed": current["seed"]} == current:
            self.update_shot(index, seed=take.seed)  # the take then matches, and is selected on undo/redo too
        self._store.select_take(shot.id, take_id)
        self.project = self.project.with_selected_take(shot.id, take_id)
        self.events.emit(ProjectChanged(f"Select take for shot {index + 1}"))

    def reload(self) -> None:
        self.project = self._store.load()
