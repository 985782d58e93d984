"""The application service: one open project, its edits, undo, generation and render.

The GUI and the CLI both drive a project through this class. Every edit is
validated by the domain, persisted by the store as one undoable step, and
announced on `events`. Views never change the model any other way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from foundry_desktop.app.clipboard_edits import ClipboardEdits
from foundry_desktop.app.edit_base import edit_errors
from foundry_desktop.app.events import EventBus, ProjectChanged, ShotStatusChanged
from foundry_desktop.app.gap_edits import GapEdits
from foundry_desktop.app.scene_edits import SceneEdits
from foundry_desktop.app.shot_edits import DEFAULT_SHOT_SECONDS, ShotEdits, new_seed
from foundry_desktop.app.template_edits import TemplateEdits
from foundry_desktop.app.track_edits import TrackEdits
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.cost import COST_UNITS
from foundry_desktop.domain.cut_plan import CutPlan, plan_cut
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.domain.keyframe_spec import keyframes_of
from foundry_desktop.domain.project import MediaItem, Project, ProjectFormat, Shot, Take
from foundry_desktop.domain.status import GenerationState, ShotStatus, shot_status
from foundry_desktop.domain.time import parse_frame_rate
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.smpte_timecode import NTSC_RATES
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.project_store import ProjectStore, Travel

# Part of this module's interface: the views, commands and app modules import them from here.
__all__ = ["DEFAULT_SHOT_SECONDS", "ProjectService", "edit_errors", "new_seed"]


class ProjectService(ShotEdits, GapEdits, ClipboardEdits, SceneEdits, TrackEdits, TemplateEdits):
    """The only door to an open project for the GUI and the CLI.

    The store is the service's own (`_store`): views and commands ask the service, and the
    architecture test holds ui/ and cli/ to that. The app's own modules (generation, render,
    exchange) reach the project's records through the methods under "records" below. The
    edits live by kind in shot_edits, clipboard_edits, scene_edits, track_edits and template_edits, on
    edit_base.
    """

    def __init__(self, store: ProjectStore):
        self._store = store
        self.events = EventBus()
        try:
            self.project = store.load()  # then kept in step with the file (see EditBase)
        except BaseException:  # a damaged file refused: its lock and connection are let go
            store.close()
            raise
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
        """The most the project may spend in `unit`; None lifts the budget. One undo step."""
        words = COST_UNITS.get(unit, unit)
        label = f"Lift the budget for {words}" if amount is None else f"Set the budget for {words}"
        self._store.set_budget(unit, amount, label)
        self.events.emit(ProjectChanged(label))

    def add_jobs(self, jobs: Iterable[GenerationJob]) -> None:
        self._store.add_jobs(jobs)

    def save_job(self, job: GenerationJob) -> GenerationJob:
        return self._store.save_job(job)

    def save_job_and_state(self, job: GenerationJob, state: GenerationState | None) -> GenerationJob:
        return self._store.save_job_and_state(job, state)

    def finish_job(self, job: GenerationJob, take: Take, *, select_it: bool, mark: bool = True) -> GenerationJob:
        """Record a job's take with the job done (`mark`: and its shot's generation mark cleared);
        the open project gets the take too."""
        finished = self._store.finish_job(job, take, select_it=select_it, mark=mark)
        self.project = self.project.with_take(take, select_it=select_it)
        return finished

    def generation_states(self) -> dict[str, GenerationState]:
        return self._store.generation_states()

    def set_generation_states(self, states: dict[str, GenerationState | None]) -> None:
        self._store.set_generation_states(states)

    # The open project follows these records without reading the file again (one take of many);
    # add_take is EditBase's, since splitting a shot adds one too.

    def select_take_of(self, shot_id: str, take_id: str | None) -> None:
        self._store.select_take(shot_id, take_id)
        self.project = self.project.with_selected_take(shot_id, take_id)

    # -- keyframes: still takes of a shot, one approved as its first frame (and one as its last)

    def keyframes_of(self, shot_id: str) -> list[Take]:
        """The shot's keyframe stills, oldest first."""
        shot = self._shot_by_id(shot_id)
        return keyframes_of(self.project, shot)

    def approve_keyframe(self, shot_id: str, take_id: str | None, *, last: bool = False) -> None:
        """Approve one of the shot's keyframes as its first frame (`last`: its last frame), or none
        (None), as one undo step: the video starts from it, so the video's fingerprint changes
        with it. A video take made from it earlier is shown again."""
        shot = self._shot_by_id(shot_id)
        if take_id is not None and not any(t.id == take_id for t in keyframes_of(self.project, shot)):
            raise InvalidEditError("That is not a keyframe of this shot: approve one of its keyframe stills.")
        field = "last_keyframe_take_id" if last else "keyframe_take_id"
        if getattr(shot, field) == take_id:
            return
        number = self.project.timeline.shots.index(shot) + 1
        which = "last-frame keyframe" if last else "keyframe"
        label = f"Approve the {which} of shot {number}" if take_id else f"Clear the {which} of shot {number}"
        changed = self._replace_shot(label, shot.model_copy(update={field: take_id}))
        for shown_id, video_id in self._matching_takes(self.project, [changed]).items():
            self.select_take_of(shown_id, video_id)
            self.events.emit(ProjectChanged(label))

    def set_continue_from_previous(self, shot_id: str, on: bool) -> None:
        """Start the shot's video from the last frame of the previous shot's take (instead of its
        keyframe), for continuity; one undo step."""
        shot = self._shot_by_id(shot_id)
        if shot.continue_from_previous == on:
            return
        number = self.project.timeline.shots.index(shot) + 1
        if on and number == 1:
            raise InvalidEditError("Shot 1 is the first shot: there is no previous shot to continue from.")
        label = f"Continue shot {number} from the previous shot" if on else f"Start shot {number} from its keyframe"
        self._replace_shot(label, shot.model_copy(update={"continue_from_previous": on}))

    def _replace_shot(self, label: str, changed: Shot) -> Shot:
        """Put `changed` in place of the shot with its id, as one undo step; returns it."""
        self._edit(label, self._with_timeline(lambda timeline: timeline.model_copy(update={
            "shots": [changed if s.id == changed.id else s for s in timeline.shots]})))
        return changed

    def _shot_by_id(self, shot_id: str) -> Shot:
        shot = next((s for s in self.project.timeline.shots if s.id == shot_id), None)
        if shot is None:
            raise InvalidEditError("That shot is no longer in the film.")
        return shot

    # -- queries (shot_at, frames_from_seconds and format: see EditBase) ------

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

    # -- edits of the film as a whole (shots, tracks, templates: the base classes)

    def set_film_fades(self, fade_in: int, fade_out: int) -> None:
        self._edit(
            "Set the film's fades",
            self._with_timeline(lambda timeline: timeline_ops.set_film_fades(timeline, fade_in, fade_out)),
        )

    def set_film_timecode(self, start_timecode: int | None, drop_frame: bool | None) -> None:
        """Where the film's timecode starts (frames; None: 01:00:00:00) and whether it drops frame labels
        (None: as the rate allows), as one undo step: the default of every export."""
        if start_timecode is not None and start_timecode < 0:
            raise InvalidEditError("The film's timecode cannot start before 00:00:00:00.")
        if drop_frame and self.format.frame_rate not in NTSC_RATES:
            raise InvalidEditError(f"Drop-frame timecode exists only at 29.97 and 59.94 fps; this film runs at "
                                   f"{float(self.format.frame_rate):g} fps.")
        self._edit("Set the film's timecode", self._with_timeline(lambda timeline: timeline.model_copy(
            update={"start_timecode": start_timecode, "drop_frame": drop_frame})))

    def set_shot_sources(self, sources: dict[int, tuple[str, int]]) -> None:
        """The reel and source timecode (of its source's first frame) an editor conforms each shot by,
        as shot index -> (reel, timecode in frames): one undo step however many shots it sets."""
        if not sources:
            return
        if any(timecode < 0 for _, timecode in sources.values()):
            raise InvalidEditError("A source's timecode cannot start before 00:00:00:00.")
        for index in sources:
            self.shot_at(index)  # a shot that is not there is refused in words
        label = (f"Set the reel and source timecode of shot {next(iter(sources)) + 1}" if len(sources) == 1
                 else "Set the shots' reels and source timecode")
        self._edit(label, self._with_timeline(lambda timeline: timeline.model_copy(update={"shots": [
            shot.model_copy(update={"reel": sources[i][0].strip(), "source_timecode": sources[i][1]})
            if i in sources else shot for i, shot in enumerate(timeline.shots)]})))

    def add_media(self, items: list[MediaItem]) -> list[MediaItem]:
        """Put files already copied into the media folder into the bin, as one undo step; a file the
        bin holds already (the same content) is not added twice. Returns the items added."""
        held = {item.content_hash for item in self.project.media}
        added = []
        for item in items:
            if item.content_hash not in held:
                held.add(item.content_hash)
                added.append(item)
        if added:
            label = f"Import {added[0].name}" if len(added) == 1 else f"Import {len(added)} files"
            self._edit(label, lambda project: project.model_copy(update={"media": [*project.media, *added]}))
        return added

    def add_after_the_film(self, label: str, lay_out: Callable[[Project, int], tuple[Project, list[Take]]]) -> None:
        """Add what `lay_out` lays out after the film's end (an imported cut: shots, tracks, bin items,
        given the project and the frame where the film ends) as one undo step; the takes it returns,
        shown in their new shots, are recorded as every take is (outside the undo history), together."""
        made: list[Take] = []

        def change(project: Project) -> Project:
            after, takes = lay_out(project, self.cut_plan().length)
            made.extend(takes)
            return after

        self._edit(label, change)
        self._store.add_shown_takes(made)
        for take in made:
            self.events.emit(ShotStatusChanged(take.shot_id))

    def record_relinked(self, origins: dict[str, str], found: list[MediaItem], count: int) -> None:
        """After Relink put `count` files back into the media folder, as one undo step: where each bin
        item's file was found (bin item id -> path), and `found`, the creator's files the timeline
        uses that the bin lacked, into the bin (so the step records where they were found too)."""
        media = [item.model_copy(update={"origin": origins[item.id]}) if item.id in origins else item
                 for item in self.project.media]
        held = {item.content_hash for item in media}
        media += [item for item in found if item.content_hash not in held]
        self._edit(f"Relink {count} file{'s' if count != 1 else ''}",
                   lambda project: project.model_copy(update={"media": media}))

    def rename_project(self, name: str) -> None:
        if not name.strip():
            raise InvalidEditError("A project needs a name.")
        self._edit("Rename project", lambda project: project.model_copy(update={"name": name.strip()}))

    # -- groups and undo ------------------------------------------------------

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

    def reload(self) -> None:
        self.project = self._store.load()
