"""The Edit, Shots and Timeline menus' commands on the open project: cut, copy, paste at the
playhead, duplicate, select all, split at the playhead, snapping, Add shot placed where
the creator is working, and a new scene from the selected shots or one removed. Each edit
is one undo step on the service; the window's menus (window_actions) and the context menus
(timeline_menus) both call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from foundry_desktop.ui.editing.clipboard import copied_shots, put_shots
from foundry_desktop.ui.project_session import ProjectSession

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

REVEAL_MARGIN_PX = 40  # room left before a shot scrolled into view


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _selected_indexes(window: MainWindow) -> list[int]:
    session = window.session
    if session is None:
        return []
    return sorted(index for index in map(session.index_of, session.selected) if index >= 0)


def _nothing_selected(session: ProjectSession, what: str) -> None:
    session.error.emit(what, f"Select one or more shots on the timeline to {what.lower()} them.")


def copy(window: MainWindow) -> bool:
    session, indexes = window.session, _selected_indexes(window)
    if session is None:
        return False
    if not indexes:
        _nothing_selected(session, "Copy")
        return False
    payload = session.edit("Copy", lambda: session.service.copied_shots(indexes))
    if payload is None:
        return False
    put_shots(payload)
    window.statusBar().showMessage(f"Copied {_plural(len(indexes), 'shot')}.", 4000)
    return True


def cut(window: MainWindow) -> None:
    """Copy the selected shots, then remove them (one undo step)."""
    session, indexes = window.session, _selected_indexes(window)
    if session is None:
        return
    if not indexes:
        _nothing_selected(session, "Cut")
        return
    if not copy(window):
        return
    service = session.service

    def remove() -> None:
        with service.group(f"Cut {_plural(len(indexes), 'shot')}"):
            for index in reversed(indexes):
                service.remove_shot(index)

    session.edit("Cut", remove)
    session.select([])


def paste(window: MainWindow) -> None:
    """The copied shots inserted at the playhead (clipboard_edits says where exactly); shots
    copied in another project bring their files into this one first, in a worker thread."""
    session = window.session
    if session is None:
        return
    payload = copied_shots()
    if payload is None:
        session.error.emit("Paste", "There are no shots to paste: copy or cut shots on the timeline first.")
        return
    service = session.service

    def insert(_copied: int = 0) -> None:
        pasted = session.edit("Paste", lambda: service.paste_shots(payload, session.playhead))
        if pasted:
            session.select([shot.id for shot in pasted])
            end = service.cut_plan().shots[session.index_of(pasted[-1].id)].record_out
            session.move_playhead(end)  # as editors do: ready to paste again after them
            reveal_shot(window, pasted[0].id)

    if str(payload.get("media_folder")) == str(service.media.root.resolve()):
        insert()
    else:
        window.statusBar().showMessage("Bringing the copied shots' files into this project…")
        session.in_thread("Paste", lambda: service.bring_clipboard_media(payload), insert)


def duplicate(window: MainWindow) -> None:
    session, indexes = window.session, _selected_indexes(window)
    if session is None:
        return
    if not indexes:
        _nothing_selected(session, "Duplicate")
        return
    copies = session.edit("Duplicate", lambda: session.service.duplicate_shots(indexes))
    if copies:
        session.select([shot.id for shot in copies])
        reveal_shot(window, copies[0].id)


def select_all(window: MainWindow) -> None:
    if window.session is not None:
        window.session.select([shot.id for shot in window.session.service.project.timeline.shots])


def split_at_playhead(window: MainWindow) -> None:
    """B, Ctrl+B and Ctrl+K. A selected music clip or caption is split by the timeline's
    split_selection_at_playhead (the tracks' own, true when it split one); else the shot under
    the playhead."""
    split_track_item = getattr(window.timeline, "split_selection_at_playhead", None)
    if split_track_item is not None and split_track_item():
        return
    window.timeline.split_at_playhead()


def set_snapping(window: MainWindow, on: bool) -> None:
    window.timeline.canvas.snapping = on
    window.statusBar().showMessage(
        "Snapping on: drags and trims snap to cuts, the playhead and markers." if on else "Snapping off.", 4000)


def add_shot(window: MainWindow) -> None:
    """A new shot after the last selected shot, or at the playhead when none is (after the shot
    under it: a new shot does not cut one in two); selected and scrolled into view."""
    session = window.session
    if session is None:
        return
    prompt, ok = QInputDialog.getMultiLineText(window, "Add shot", "What should the shot show?")
    if not ok:
        return
    indexes = _selected_indexes(window)
    service = session.service
    if indexes:
        at = indexes[-1] + 1
    else:
        plan = service.cut_plan()
        at = next((placed.index + (placed.record_in < session.playhead) for placed in plan.shots
                   if session.playhead < placed.record_out), len(plan.shots))
    shot = session.edit("Add shot", lambda: service.add_shot(at=at, prompt=prompt.strip()))
    if shot is not None:
        session.select([shot.id])
        session.move_playhead(service.cut_plan().shots[at].record_in)
        reveal_shot(window, shot.id)


def reveal_shot(window: MainWindow, shot_id: str) -> None:
    """Scroll the timeline so the shot is in view, when it is not already."""
    session, canvas = window.session, window.timeline.canvas
    if session is None or session.index_of(shot_id) < 0:
        return
    placed = session.service.cut_plan().shots[session.index_of(shot_id)]
    first, last = canvas.view.visible_frames(canvas.width())
    if first <= placed.record_in and placed.record_out <= last:
        return
    canvas.fitted = False  # the creator's view now, kept when the window is resized
    canvas.scroll_to(placed.record_in * canvas.view.px_per_frame - REVEAL_MARGIN_PX)
    canvas.viewport_changed.emit()


def new_scene_from_selection(window: MainWindow) -> None:
    """The selected shots as a new scene ("Scene N", named in the inspector's scene editor, which it
    opens): one undo step. Shots taken from the middle of a scene are refused, with why."""
    session, indexes = window.session, _selected_indexes(window)
    if session is None:
        return
    if not indexes:
        session.error.emit("New scene", "Select the shots of the new scene on the timeline first.")
        return
    service = session.service
    name = f"Scene {len(service.project.timeline.scenes) + 1}"
    scene = session.edit("New scene", lambda: service.add_scene(name, shot_indexes=indexes))
    if scene is not None:
        session.select_scene(scene.id)


def remove_scene(window: MainWindow) -> None:
    """The chosen scene (its band clicked), or the first selected shot's, removed; its shots stay."""
    session = window.session
    if session is None:
        return
    scene_id = session.selected_scene
    if scene_id is None and session.selected and (shot := session.shot(session.selected[0])) is not None:
        scene_id = shot.scene_id
    if scene_id is None:
        session.error.emit("Remove scene", "Click a scene's band above the shots (or select a shot in a scene) "
                                           "to choose the scene to remove.")
        return
    service = session.service
    session.edit("Remove scene", lambda: service.remove_scene(scene_id))
