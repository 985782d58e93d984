"""How the window opens a project: beside the commands of a terminal, not instead of them,
and in a worker thread (the window shows the project once it is read).

The window stays open for hours, so it takes the project's lock only for each
write (see ProjectStore), never waiting for it: the GUI must not freeze behind a
command. Opening waits a moment, for a command's one-line edit to finish. A project another process is changing (a `generate` in a
terminal), or one on storage that cannot be written, opens for reading, and the
window says why.

All of the opening's reading and writing is done here, off the GUI thread: the lock, the
file's checks and migrations, reading every row, clearing what killed work left, and what
the window shows of it first (the undo and redo labels, each shot's status: at 10,000 shots
a second of reads and stats). The window then only hands the project to its views.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from foundry_desktop.app.project_access.project_lock_words import name_this_process
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import ProjectLockedError, ProjectReadOnlyError

# Opening only: long enough for another command's one-line edit to finish, short enough not to be felt.
WINDOW_LOCK_WAIT_S = 0.5


@dataclass(frozen=True)
class FirstLook:
    """What the window shows of a project as it opens, read with it."""

    undo_label: str | None
    redo_label: str | None
    shot_states: tuple[str, ...]  # each shot's status kind ("current", "missing", "generating", ...)

    @classmethod
    def of(cls, service: ProjectService) -> FirstLook:
        return cls(service.undo_label(), service.redo_label(),
                   tuple(status.kind for status in service.statuses()))


@dataclass(frozen=True)
class WindowProject:
    service: ProjectService
    why_read_only: str | None  # None: open for editing
    first_look: FirstLook


def open_for_the_window(path: Path) -> WindowProject:
    """The project at `path`, opened and read (a worker thread's work); ProjectOpenError in words."""
    name_this_process("the Foundry Desktop window")
    try:
        service, why_read_only = ProjectService.open(path, lock_per_write=True, lock_wait_s=WINDOW_LOCK_WAIT_S), None
    except (ProjectLockedError, ProjectReadOnlyError) as exc:
        service, why_read_only = ProjectService.open(path, read_only=True), str(exc)
    try:
        service.cut_plan()  # made once per state of the project: every view asks for it first (0.1 s at 10,000)
        return WindowProject(service, why_read_only, FirstLook.of(service))
    except BaseException:
        service.close()
        raise
