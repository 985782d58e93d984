"""The open project as the views see it: the app service's events as Qt signals, the
selection and playhead the panels share, and background work that never blocks the
GUI thread.

Every panel talks to the project through one ProjectSession: edits go to the
app service (`edit`), which validates, stores and announces them; the panels
repaint on the signals. Work that takes time (generation, rendering, probing
media) runs as asyncio tasks on the qasync loop or in worker threads, and its
errors arrive as the `error` signal in words, never as a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from foundry_desktop.app.edit_base import OutsideChanges
from foundry_desktop.app.events import (
    ChangedElsewhere,
    GenerationProgress,
    Notice,
    ProjectChanged,
    RenderProgress,
    ShotStatusChanged,
)
from foundry_desktop.app.generation.session import GenerationSession
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import GenerateReport
from foundry_desktop.domain.project import Shot
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork

T = TypeVar("T")

OUTSIDE_LOOK_MS = 2000


class ProjectSession(QObject):
    """One open project. Signals are emitted on the GUI thread whichever thread the
    app's event came from (Qt queues them to this object's thread)."""

    changed = Signal(str)  # the model changed (an edit, undo, redo, generation); the edit's label
    shot_status_changed = Signal(str)  # shot id
    generation_progress = Signal(str, str, float, str)  # shot id, job id, fraction, message
    render_progress = Signal(float, float)  # fraction, seconds left (-1: not known)
    selection_changed = Signal(list)  # shot ids (empty while music clips or captions are selected)
    take_preview_requested = Signal(str, str)  # shot id, take id: show this take in the preview
    playhead_moved = Signal(int)  # frame
    notice = Signal(str)
    error = Signal(str, str)  # title, message in words
    busy_changed = Signal(bool)  # generation running or not
    offline_changed = Signal()  # `offline` changed
    outside_looked = Signal(bool)  # a look for outside changes was shown; True if the project was read again
    _changed_elsewhere = Signal()  # an edit was refused as the file changed: look now (from any thread)

    def __init__(self, service: ProjectService, generation: GenerationSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.generation = generation
        self.selected: list[str] = []  # shot ids
        # Or else music clips or captions, by id: selecting one kind of thing drops the others,
        # so Delete, split and the inspector act on what was clicked last.
        self.selected_music: list[str] = []
        self.selected_captions: list[str] = []
        # A scene chosen by its band: its shots are selected, and the inspector edits the scene.
        self.selected_scene: str | None = None
        self.playhead = 0
        # Media paths the project uses that are missing from its media folder, as the offline
        # notice last found them (it looks in a worker thread after each change; see show_offline).
        self.offline: frozenset[str] = frozenset()
        self._work = BackgroundWork(lambda message: self.error.emit("Foundry", message))
        self._generating = 0
        self._unsubscribe = service.events.subscribe(self._forward)
        # Commands run in a terminal change the file behind the window: look now and then (a look is
        # one pragma when nothing changed), and whenever the window comes to the front. A look reads in
        # a worker thread, one at a time; one asked for meanwhile follows it (`_look_again`).
        self._looking = False
        self._look_again = False
        service.rereads_in_background = True  # an edit refused as stale asks for a look instead
        self._changed_elsewhere.connect(self.look_for_outside_changes)
        self._outside = QTimer(self, interval=OUTSIDE_LOOK_MS)
        self._outside.timeout.connect(self.look_for_outside_changes)
        if not service.read_only:
            self._outside.start()

    # -- the model ------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.service.path

    def shot(self, shot_id: str) -> Shot | None:
        return next((shot for shot in self.service.project.timeline.shots if shot.id == shot_id), None)

    def index_of(self, shot_id: str) -> int:
        ids = [shot.id for shot in self.service.project.timeline.shots]
        return ids.index(shot_id) if shot_id in ids else -1

    def edit(self, title: str, change: Callable[[], T]) -> T | None:
        """Run an edit of the app service; a refusal becomes the `error` signal."""
        try:
            return change()
        except FoundryError as exc:
            self.error.emit(title, str(exc))
            return None

    def look_for_outside_changes(self) -> None:
        """Show what a command in a terminal changed, keeping what is selected where it still is;
        act on a `foundry cancel` no run here is watching. The file is read in a worker thread (the
        GUI thread never waits for it), and `outside_looked` says when what it found is shown."""
        if self._looking:
            self._look_again = True
            return
        self._looking = True
        service = self.service

        def look() -> tuple[OutsideChanges, bool]:
            return service.read_outside_changes(), bool(service.cancel_requests())

        def failed(message: str) -> None:
            self._looked()
            self.error.emit("Foundry", message)

        self._work.in_thread(look, self._show_outside_changes, failed)

    def _show_outside_changes(self, found: tuple[OutsideChanges, bool]) -> None:
        changes, asked_to_cancel = found
        changed = self.service.show_outside_changes(changes)
        if changed:
            timeline = self.service.project.timeline
            kept = ([i for i in self.selected if i in {shot.id for shot in timeline.shots}],
                    [i for i in self.selected_music if i in {clip.id for clip in timeline.music}],
                    [i for i in self.selected_captions if i in {c.id for c in timeline.captions}])
            if kept != (self.selected, self.selected_music, self.selected_captions):
                self.select(kept[0], music=kept[1], captions=kept[2])
        elif changes.read is not None:
            self._look_again = True  # read before a change made here, and dropped: the file has both
        if asked_to_cancel and not self.generating:
            self.run("Cancel", self.generation.act_on_cancel_requests(self.service))
        self.outside_looked.emit(changed)
        self._looked()

    def _looked(self) -> None:
        self._looking = False
        if self._look_again:
            self._look_again = False
            self.look_for_outside_changes()

    def select(self, shot_ids: Sequence[str], *, music: Sequence[str] = (), captions: Sequence[str] = ()) -> None:
        """Select these shots, or (with no shots) these music clips or captions."""
        timeline = self.service.project.timeline
        chosen = [i for i in shot_ids if i in {shot.id for shot in timeline.shots}]
        clips = [] if chosen else [i for i in music if i in {clip.id for clip in timeline.music}]
        texts = [] if chosen or clips else [i for i in captions if i in {c.id for c in timeline.captions}]
        changed = (chosen, clips, texts) != (self.selected, self.selected_music, self.selected_captions)
        if changed or self.selected_scene:  # a scene chosen by its band gives way to what is selected now
            self.selected, self.selected_music, self.selected_captions = chosen, clips, texts
            self.selected_scene = None
            self.selection_changed.emit(list(chosen))

    def select_scene(self, scene_id: str) -> None:
        """Select a scene: its shots, and the scene itself (the inspector's scene editor)."""
        shots = self.service.project.timeline.shots
        self.selected, self.selected_music, self.selected_captions = (
            [shots[index].id for index in self.service.scene_shot_indexes(scene_id)], [], [])
        self.selected_scene = scene_id
        self.selection_changed.emit(list(self.selected))

    def show_offline(self, media_paths: frozenset[str]) -> None:
        if media_paths != self.offline:
            self.offline = media_paths
            self.offline_changed.emit()

    def preview_take(self, shot_id: str, take_id: str) -> None:
        self.take_preview_requested.emit(shot_id, take_id)

    def move_playhead(self, frame: int) -> None:
        frame = max(0, min(int(frame), self.service.cut_plan().length))
        if frame != self.playhead:
            self.playhead = frame
            self.playhead_moved.emit(frame)

    # -- background work ------------------------------------------------------

    def run(self, title: str, work: Awaitable[T], done: Callable[[T], None] | None = None) -> asyncio.Task[Any]:
        """Run a coroutine on the loop; `done` gets its result, a refusal the `error` signal under `title`."""
        return self._work.run(work, done, lambda message: self.error.emit(title, message))

    def in_thread(self, title: str, function: Callable[[], T], done: Callable[[T], None] | None = None) -> asyncio.Task[Any]:
        """Run a blocking function in a worker thread; `done` runs on the GUI thread."""
        return self._work.in_thread(function, done, lambda message: self.error.emit(title, message))

    def generate(self, shot_ids: set[str] | None = None, variants: int = 0, done: Callable[[GenerateReport], None] | None = None) -> None:
        self._running_generation(self.generation.generate(self.service, shot_ids, variants), done)

    def make_keyframes(self, shot_ids: set[str] | None = None, variants: int = 0,
                       done: Callable[[GenerateReport], None] | None = None) -> None:
        """Keyframe stills for `shot_ids` (None: every generated shot without an approved one)."""
        self._running_generation(self.generation.make_keyframes(self.service, shot_ids, variants), done)

    def retry(self, job_id: str | None = None) -> None:
        self._running_generation(self.generation.retry(self.service, job_id), None)

    def cancel(self, job_id: str | None = None) -> None:
        self.run("Cancel", self.generation.cancel(self.service, job_id))

    def _running_generation(self, work: Awaitable[GenerateReport], done: Callable[[GenerateReport], None] | None) -> None:
        self._generating += 1
        self.busy_changed.emit(True)

        def finished(report: GenerateReport) -> None:
            if report.failures:
                self.error.emit("Generation", "\n".join(report.failures))
            if report.warnings:  # each also on its job's row and its take: the status bar only points there
                more = f" (and {len(report.warnings) - 1} more in the Jobs panel)" if len(report.warnings) > 1 else ""
                self.notice.emit(f"{report.warnings[0]}{more}")
            if done is not None:
                done(report)

        task = self.run("Generation", work, finished)
        task.add_done_callback(lambda _: self._generation_ended())

    def _generation_ended(self) -> None:
        self._generating -= 1
        self.busy_changed.emit(self._generating > 0)

    @property
    def generating(self) -> bool:
        return self._generating > 0

    async def wait_idle(self) -> None:
        """Until every task started here has ended (tests, and closing)."""
        await self._work.wait_idle()

    def close(self) -> None:
        """Stop listening and close the project; running tasks are cancelled (jobs the services
        already have are followed up when the project is opened again)."""
        self._outside.stop()
        self._work.cancel()
        self._unsubscribe()
        self.service.close()

    # -- the app's events as signals -------------------------------------------

    def _forward(self, event: object) -> None:
        if isinstance(event, ProjectChanged):
            self.changed.emit(event.label)
        elif isinstance(event, ShotStatusChanged):
            self.shot_status_changed.emit(event.shot_id)
        elif isinstance(event, GenerationProgress):
            self.generation_progress.emit(event.shot_id, event.job_id, event.progress, event.message)
        elif isinstance(event, RenderProgress):
            self.render_progress.emit(event.fraction, -1.0 if event.eta_s is None else event.eta_s)
        elif isinstance(event, Notice):
            self.notice.emit(event.message)
        elif isinstance(event, ChangedElsewhere):
            self._changed_elsewhere.emit()
