"""What a drop on the timeline does, once the canvas has said where it landed: files from the
desktop become shots or music; a file dragged from the media bin becomes a shot (footage, still)
or music (sound); a take dragged from the takes bin is used on its own shot, or
becomes a new shot elsewhere. Files are checked and copied off the GUI thread; each is one
undoable edit of the app service.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDropEvent

from foundry_desktop.app.shots.media_bin import bin_entries, place_entry, prepare_entry
from foundry_desktop.app.shots.media_shots import add_prepared_shot, prepare_media, prepare_take
from foundry_desktop.app.shots.music_clips import add_prepared_music, prepare_sound
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.project_session import ProjectSession


def accept_as_copy(event: QDropEvent) -> None:
    """Every drop on the timeline copies: the file stays in its folder, the take in the bin. A drop
    answered with MoveAction (what a file manager often proposes) tells the source to delete what
    it gave; the takes bin removes a tile answered so."""
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()


def add_dropped_files(session: ProjectSession, paths: list[Path], *, music: bool, frame: int, index: int) -> None:
    """`music`: the files become music starting at `frame`; otherwise shots inserted at `index`,
    in the order given. Each file that cannot be used says why, and changes nothing."""
    service = session.service
    prepare = prepare_sound if music else prepare_media

    def prepare_all() -> list[tuple[Path, object]]:
        prepared: list[tuple[Path, object]] = []
        for path in paths:
            try:
                prepared.append((path, prepare(service.media, path)))
            except FoundryError as exc:
                prepared.append((path, exc))
        return prepared

    def add_all(prepared: list[tuple[Path, object]]) -> None:
        usable = [(path, item) for path, item in prepared if not isinstance(item, FoundryError)]
        for path, item in prepared:
            if isinstance(item, FoundryError):
                session.error.emit(f"Cannot use {path.name}", str(item))
        if not usable:
            return

        def add() -> None:
            with service.group(f"Add {len(usable)} files" if len(usable) > 1 else f"Add {usable[0][0].name}"):
                for offset, (_, item) in enumerate(usable):
                    if music:
                        add_prepared_music(service, item, at_seconds=frames_to_seconds(frame, service.format.frame_rate))
                    else:
                        add_prepared_shot(service, item, at=min(index + offset, len(service.project.timeline.shots)))

        session.edit("Add files", add)

    session.in_thread("Add files", prepare_all, add_all)


def place_dropped_take(session: ProjectSession, shot_id: str, take_id: str, *, onto: int, index: int) -> None:
    """A take dropped on the shot at `onto` (-1: none): on its own shot it becomes the take shown
    there (as "Use this take" does); anywhere else, a new shot showing it is inserted at `index`,
    leaving the shot it was dropped on as it was."""
    service = session.service
    source = session.shot(shot_id)
    take = next((t for t in service.project.takes_of(shot_id) if t.id == take_id), None)
    if source is None or take is None:
        return  # the shot or take went away while it was dragged
    if onto >= 0 and service.project.timeline.shots[onto].id == shot_id:
        session.edit("Use this take", lambda: service.select_take(onto, take_id))
        return
    number = service.project.video_takes_of(shot_id).index(take) + 1
    label = f"{source.name or f'Shot {session.index_of(shot_id) + 1}'} take {number}"
    name = label + Path(take.media_path).suffix

    def added(prepared) -> None:
        session.edit("Add take", lambda: add_prepared_shot(
            service, prepared, at=min(index, len(service.project.timeline.shots))))

    session.in_thread("Add take", lambda: prepare_take(service.media, take, name), added)


def place_dropped_media(session: ProjectSession, content_hash: str, *, frame: int, index: int) -> None:
    """A file dragged from the media bin: sound becomes music starting at `frame`, footage or a
    still a shot inserted at `index`; one undo step. The file is probed off the GUI thread."""
    service = session.service
    entry = next((e for e in bin_entries(service.project) if e.content_hash == content_hash), None)
    if entry is None:
        return  # it left the bin (an undo) while it was dragged

    def placed(prepared) -> None:
        session.edit(f"Add {entry.name}", lambda: place_entry(service, prepared, frame=frame, index=index))

    session.in_thread(f"Cannot use {entry.name}", lambda: prepare_entry(service.media, entry), placed)
