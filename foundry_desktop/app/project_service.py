"""The application service: one open project, its edits, undo, generation and render.

The GUI and the CLI both drive a project through this class. Every edit is
validated by the domain, persisted by the store as one undoable step, and
announced on `events`. Views never change the model any other way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from foundry_desktop.app.clipboard_edits import ClipboardEdits
from foundry_desktop.app.edit_base import edit_errors
from foundry_desktop.app.events import EventBus, ProjectChanged, ShotStatusChanged
from foundry_desktop.app.gap_edits import GapEdits
from foundry_desktop.app.keyframe_edits import KeyframeEdits
from foundry_desktop.app.project_access.project_cleaning import remove_leftovers_on_open
from foundry_desktop.app.scene_edits import SceneEdits
from foundry_desktop.app.shot_edits import DEFAULT_SHOT_SECONDS, ShotEdits, new_seed
from foundry_desktop.app.template_edits import TemplateEdits
from foundry_desktop.app.track_edits import TrackEdits
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.cost import COST_UNITS
from foundry_desktop.domain.cut_plan import CutPlan, plan_cut
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.domain.project import MediaItem, Project, ProjectFormat, Shot, Take
from foundry_desktop.domain.status import GenerationState, ShotStatus, shot_status
from foundry_desktop.domain.time import parse_frame_rate
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.smpte_timecode import NTSC_RATES
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.cancel_requests import EVERY_JOB, request_cancel
from foundry_desktop.store.project_file import LOCK_WAIT_S
from foundry_desktop.store.project_store import ProjectStore, Travel


@dataclass(frozen=True)
class AddedAfterTheFilm:
    """An addition after the film written to the file (write_after_the_film), not yet the open project."""

    label: str
    before: Project
    after: Project
    takes: tuple[Take, ...]

# Part of this module's interface: the views, commands and app modules import them from here.
__all__ = ["DEFAULT_SHOT_SECONDS", "EVERY_JOB", "ProjectService", "edit_errors", "new_seed"]


class ProjectService(ShotEdits, KeyframeEdits, GapEdits, ClipboardEdits, SceneEdits, TrackEdits, TemplateEdits):
    """The only door to an open project for the GUI and the CLI.

    The store is the service's own (`_store`): views and commands ask the service, and the
    architecture test holds ui/ and cli/ to that. The app's own modules (generation, render,
    exchange) reach the project's records through the methods under "records" below. The
    edits live by kind in shot_edits, clipboard_edits, scene_edits, track_edits and template_edits, on
    edit_base.
    """

    def __init__(self, store: ProjectStore, *, remove_leftovers: bool = True):
        self._store = store
        self.events = EventBus()
        try:
            self.project = store.load()  # then kept in step with the file (see EditBase)
        except BaseException:  # a damaged file refused: its lock and connection are let go
            store.close()
            raise
        self._before_group = self.project
        self._plan: tuple[Project, CutPlan] | None = None  # the last cut_plan and the project it plans
        if not store.read_only:
            # Marks and scratch files left by a process that died mid-generation (no one else
            # generates meanwhile: the lock is held, from open on for a command).
            with store.holding_lock():
                store.clear_generating_states()
                store.media.clear_scratch()
                if remove_leftovers:  # partial renders and takes, markers, media copies nobody names
                    remove_leftovers_on_open(self, time.time_ns())

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
    def open(cls, path: Path, *, read_only: bool = False, lock_per_write: bool = False,
             lock_wait_s: float = LOCK_WAIT_S, remove_leftovers: bool = True) -> ProjectService:
        """`lock_per_write`: for the window, which stays open beside commands (see ProjectStore).
        `lock_wait_s`: how long to wait for another writer to finish before refusing.
        `remove_leftovers`: on opening for writing, what killed work left (project_cleaning);
        False for a caller that reports them itself (`foundry clean`)."""
        return cls(ProjectStore.open(Path(path), read_only=read_only, lock_per_write=lock_per_write,
                                     lock_wait_s=lock_wait_s), remove_leftovers=remove_leftovers)

    def holding_lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Keep the project to this process throughout (the window's generation runs), read again
        first, in a worker thread, if a command changed it meanwhile."""
        return _holding_lock(self)

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

    def media_references(self) -> set[str]:
        """The content hash of every media file the project or its undo history names."""
        return self._store.media_references()

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

    def cancel_requests(self) -> set[str]:
        """Job ids other processes asked this one to cancel (EVERY_JOB: all unfinished)."""
        return self._store.cancel_requests()

    def forget_cancel_requests(self, job_ids: set[str]) -> None:
        self._store.forget_cancel_requests(job_ids)

    def ask_runner_to_cancel(self, job_ids: list[str] | None) -> None:
        """Ask the process that holds the project (and runs its jobs) to cancel `job_ids` (None:
        all unfinished); this process may hold it read-only."""
        request_cancel(self.path, job_ids if job_ids is not None else [EVERY_JOB])

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
        """The film as it plays now, with each shot's selected take (or what it will generate). Made once
        per state of the project (a model never mutated): every view asks after each edit, and at 10,000
        shots each plan takes a fifth of a second."""
        project = self.project
        if self._plan is not None and self._plan[0] is project:
            return self._plan[1]
        take_frames = {}
        for shot in project.timeline.shots:
            take = project.selected_take(shot)
            if take is not None:
                take_frames[shot.id] = take.frames
        plan = plan_cut(project.timeline, take_frames)
        self._plan = (project, plan)
        return plan

    # -- edits of the film as a whole (shots, tracks, templates: the base classes)

    def set_film_fades(self, fade_in: int, fade_out: int) -> None:
        length = self.cut_plan().length
        for fade, words in ((fade_in, "in"), (fade_out, "out")):
            if 0 < length < fade:  # an empty film: its fades may be set before its shots
                rate = self.format.frame_rate
                raise InvalidEditError(f"The film lasts {float(length / rate):.2f} s; a fade {words} of "
                                       f"{float(fade / rate):.2f} s is longer than the film.")
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
        self._edit("Set the film's timecode", self._with_timeline(
            lambda timeline: timeline.with_changes(start_timecode=start_timecode, drop_frame=drop_frame)))

    def set_shot_sources(self, sources: dict[int, tuple[str, int, bool | None]]) -> None:
        """The reel and source timecode (of its source's first frame) an editor conforms each shot by,
        as shot index -> (reel, timecode in frames, whether that timecode drops frame labels; None: as
        the film's): one undo step however many shots it sets."""
        if not sources:
            return
        if any(timecode < 0 for _, timecode, _ in sources.values()):
            raise InvalidEditError("A source's timecode cannot start before 00:00:00:00.")
        if any(drop for *_, drop in sources.values()) and self.format.frame_rate not in NTSC_RATES:
            raise InvalidEditError(f"Drop-frame timecode exists only at 29.97 and 59.94 fps; this film runs at "
                                   f"{float(self.format.frame_rate):g} fps.")
        for index in sources:
            self.shot_at(index)  # a shot that is not there is refused in words
        label = (f"Set the reel and source timecode of shot {next(iter(sources)) + 1}" if len(sources) == 1
                 else "Set the shots' reels and source timecode")
        self._edit(label, self._with_timeline(lambda timeline: timeline.model_copy(update={"shots": [
            shot.with_changes(reel=sources[i][0].strip(), source_timecode=sources[i][1], source_drop_frame=sources[i][2])
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
        self.finish_adding(self.write_after_the_film(label, lay_out))

    def write_after_the_film(self, label: str,
                             lay_out: Callable[[Project, int], tuple[Project, list[Take]]]) -> AddedAfterTheFilm:
        """add_after_the_film's slow half, which may run in a worker thread (a 10,000-event cut takes
        seconds to write): laid out after the project as it is now and written to the file (the store
        serialises its writes). The open project and its listeners learn of it in finish_adding, on the
        thread that owns them."""
        before = self.project
        take_frames = {shot.id: take.frames for shot in before.timeline.shots
                       if (take := before.selected_take(shot)) is not None}
        with edit_errors():
            after, takes = lay_out(before, plan_cut(before.timeline, take_frames).length)
        self._store.commit_edit(before, after, label)
        self._store.add_shown_takes(takes)
        return AddedAfterTheFilm(label, before, after, tuple(takes))

    def finish_adding(self, added: AddedAfterTheFilm) -> None:
        """The written addition as the open project. Where an edit came in meanwhile the file holds
        both, and the project is read from it again."""
        self.project = added.after if self.project is added.before else self._store.load()
        self.events.emit(ProjectChanged(added.label))
        for take in added.takes:
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
        with self.reading_again_if_stale():
            self._store.begin_group(label)
        try:
            yield
        except BaseException:
            self._store.rollback_group()  # the whole group, however deep
            self.project = self._before_group
            self.events.emit(ProjectChanged(f"Cancel {label}"))
            raise
        self._store.commit_group()

    def forget_history(self) -> None:
        """Nothing to undo or redo: for a project a builder (the demo) made, whose building steps are
        no edit of the creator's (a few Ctrl+Z took the demo apart). The project itself is unchanged."""
        self._store.forget_history()

    def undo(self) -> str | None:
        """Undo the latest edit; returns its label, None when there is nothing to undo."""
        with self.reading_again_if_stale():
            travel = self._store.undo(self.project, reselect=self._matching_takes)
        return self._after_travel(travel, "Undo")

    def redo(self) -> str | None:
        with self.reading_again_if_stale():
            travel = self._store.redo(self.project, reselect=self._matching_takes)
        return self._after_travel(travel, "Redo")

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


@contextlib.asynccontextmanager
async def _holding_lock(service: ProjectService) -> AsyncIterator[None]:
    with service._store.holding_lock():
        # Asked first here (one pragma), so a run goes on without a thread when nothing changed; read again
        # if something made here (a take) came in while it read (see show_outside_changes).
        while service._store.changed_elsewhere():
            changes = await asyncio.get_event_loop().run_in_executor(None, service.read_outside_changes)
            service.show_outside_changes(changes)
        yield
