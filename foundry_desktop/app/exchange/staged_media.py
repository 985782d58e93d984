"""The media folder of a project being imported, filled under a temporary name.

An import copies every clip's media before it writes the project file. Copied straight
into `film.media`, an import killed midway (kill -9, power loss) left that folder
behind without its project, and the next import to the name took it over, old files
and all. So the media goes to a sibling `film.media.importing-PID` that is renamed to
`film.media` only once `film.foundry` is complete. What a killed import leaves is that
temporary, whose process is gone: the next import to the name removes it (and a
`film.media` without its project, which only such an import could have left).
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from foundry_desktop.errors import InputFileError
from foundry_desktop.store.project_store import media_folder_for

_STAGING = ".importing-"


def staging_folder(project_path: Path) -> Path:
    """This process's temporary media folder for the new project at `project_path`."""
    final = media_folder_for(project_path)
    return final.with_name(f"{final.name}{_STAGING}{os.getpid()}")


def clear_leftovers(project_path: Path) -> None:
    """Remove what a killed import to `project_path` left: temporaries of processes no longer running,
    and a media folder without its project file."""
    final = media_folder_for(project_path)
    for sibling in final.parent.glob(f"{glob.escape(final.name)}{_STAGING}*"):
        pid = sibling.name.rpartition(_STAGING)[2]
        if sibling.is_dir() and not _running(pid):
            shutil.rmtree(sibling, ignore_errors=True)
    if final.is_dir() and not Path(project_path).exists():
        shutil.rmtree(final, ignore_errors=True)


def put_in_place(staging: Path, project_path: Path) -> None:
    """The temporary media folder as the project's own, once the project file is complete."""
    if not staging.exists():  # nothing was copied (every clip offline)
        return
    try:
        staging.rename(media_folder_for(project_path))
    except OSError as exc:
        raise InputFileError(f"The imported media could not be put in place as {media_folder_for(project_path).name}: "
                             f"{exc.strerror or exc}.") from None


def _running(pid: str) -> bool:
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True

