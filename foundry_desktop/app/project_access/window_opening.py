"""How the window opens a project: beside the commands of a terminal, not instead of them.

The window stays open for hours, so it takes the project's lock only for each
write (see ProjectStore), never waiting for it: the GUI must not freeze behind a
command. Opening waits a moment, for a command's one-line edit to finish. A project another process is changing (a `generate` in a
terminal), or one on storage that cannot be written, opens for reading, and the
window says why.
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
class WindowProject:
    service: ProjectService
    why_read_only: str | None  # None: open for editing


def open_for_the_window(path: Path) -> WindowProject:
    name_this_process("the Foundry Desktop window")
    try:
        return WindowProject(ProjectService.open(path, lock_per_write=True, lock_wait_s=WINDOW_LOCK_WAIT_S), None)
    except (ProjectLockedError, ProjectReadOnlyError) as exc:
        return WindowProject(ProjectService.open(path, read_only=True), str(exc))
