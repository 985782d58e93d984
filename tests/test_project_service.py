"""Edits through the app service: validation, events, and undo/redo of every operation."""

from pathlib import Path

import pytest
from PIL import Image

from foundry_desktop.app.events import ProjectChanged
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.keyframe_spec import approved_keyframe
from foundry_desktop.errors import InputFileError, InvalidEditError


def saved_timeline(service: ProjectService) -> dict:
    """The timeline as the project file holds it, read by a second, read-only opening."""
    with ProjectService.open(service.path, read_only=True) as reader:
        return reader.project.timeline.model_dump()


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as service:
        for number in range(3):
            service.add_shot(prompt=f"shot {number}", duration_seconds="2", seed=number)
        yield service


def timeline_state(service: ProjectService) -> dict:
    return service.project.timeline.model_dump()


EDITS = {
    "add": lambda s: s.add_shot(prompt="new", at=1, seed=9),
    "update": lambda s: s.update_shot(0, prompt="changed", seed=5, duration_seconds="1.5"),
    "rename": lambda s: s.update_shot(2, name="Finale"),
    "move": lambda s: s.move_shot(0, 2),
    "remove": lambda s: s.remove_shot(1),
    "trim": lambda s: s.trim_shot(1, 4, 40),
    "duration": lambda s: s.set_shot_duration(2, 12),
    "transition": lambda s: s.set_transition(0, "dissolve", 12),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_undo_and_redo_of_each_edit(service, edit):
    before = timeline_state(service)
    EDITS[edit](service)
    after = timeline_state(service)
    assert after != before
    assert service.undo() is not None
    assert timeline_state(service) == before
    assert service.redo() is not None
    assert timeline_state(service) == after
    # And the same across a restart: the history lives in the file.
    path = service.path
    service.close()
    with ProjectService.open(path) as reopened:
        assert timeline_state(reopened) == after
        reopened.undo()
        assert timeline_state(reopened) == before


def test_group_undoes_as_one(service):
    before = timeline_state(service)
    with service.group("Storyboard"):
        service.add_shot(prompt="a", seed=1)
        service.move_shot(3, 0)
        service.set_transition(0, "fade_white", 6)
    assert service.undo_label() == "Storyboard"
    service.undo()
    assert timeline_state(service) == before


def test_failed_group_rolls_back_model_and_file(service):
    before = timeline_state(service)
    with pytest.raises(InvalidEditError):
        with service.group("Doomed"):
            service.add_shot(prompt="a", seed=1)
            service.remove_shot(17)
    assert timeline_state(service) == before
    assert saved_timeline(service) == before


def test_events_announce_edits(service):
    seen = []
    unsubscribe = service.events.subscribe(seen.append)
    service.update_shot(0, prompt="x")
    service.undo()
    unsubscribe()
    service.redo()
    assert seen == [ProjectChanged("Change shot 1: prompt"), ProjectChanged("Undo Change shot 1: prompt")]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.add_shot(prompt="x", duration_seconds="-2"), "must be positive"),
        (lambda s: s.add_shot(prompt="x", duration_seconds="0"), "must be positive"),
        (lambda s: s.add_shot(prompt="x", duration_seconds="soon"), "not a number of seconds"),
        (lambda s: s.add_shot(prompt="x", seed=-1), "seed"),
        (lambda s: s.update_shot(7, prompt="x"), "no shot 8"),
        (lambda s: s.move_shot(0, 5), "no shot 6"),
        (lambda s: s.set_transition(2, "dissolve", 4), "last shot"),
        (lambda s: s.set_transition(0, "dissolve", 400), "at most 96 frames"),
        (lambda s: s.set_transition(0, "explode", 4), "kind"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(service, edit, message):
    before = timeline_state(service)
    undo_label = service.undo_label()
    with pytest.raises(InvalidEditError, match=message):
        edit(service)
    assert timeline_state(service) == before
    assert saved_timeline(service) == before
    assert service.undo_label() == undo_label


def test_input_images_are_checked_and_stored_by_content(service, tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        service.add_shot(prompt="x", image=tmp_path / "missing.png")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(InputFileError, match="not an image"):
        service.add_shot(prompt="x", image=text)
    picture = tmp_path / "still.png"
    Image.new("RGB", (64, 36), (200, 40, 40)).save(picture)
    shot = service.add_shot(prompt="x", image=picture)
    keyframe = approved_keyframe(service.project, service.project.timeline.shots[-1])  # the picture, approved
    stored = service.media.path_of(keyframe.media_path)
    assert stored.read_bytes() == picture.read_bytes()
    assert keyframe.request["file"] == "still.png" and shot.spec.input_image is None
    # The project no longer depends on the original file.
    picture.unlink()
    assert service.media.exists(keyframe.media_path)
    # Clearing the image.
    index = len(service.project.timeline.shots) - 1
    service.update_shot(index, image="")
    assert approved_keyframe(service.project, service.project.timeline.shots[index]) is None


def test_read_only_service_refuses_edits(service):
    path: Path = service.path
    with ProjectService.open(path, read_only=True) as reader:
        assert len(reader.project.timeline.shots) == 3
        with pytest.raises(Exception, match="read-only"):
            reader.add_shot(prompt="x")
