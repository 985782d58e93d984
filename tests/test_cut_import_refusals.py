"""A cut file that leads to a value the project model refuses (a timecode before 00:00:00:00, a
negative gap or trim) is refused at import in one line naming what it was, and leaves no project
behind, or the open project as it was. The import changes what it lays out with validated copies
(domain.project's with_changes), not model_copy's unchecked update: nothing reaches the project
file that the model's validators would refuse when the file is opened again."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from foundry_desktop.app.exchange.cut_import import import_cut, import_cut_into
from foundry_desktop.app.exchange.cut_project import ProjectDraft
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import ProjectFormat
from foundry_desktop.errors import FoundryError
from foundry_desktop.store.media_cache import MediaCache

GOLDEN = Path(__file__).parent / "golden"


def otio_starting_before_zero(folder: Path) -> Path:
    """Foundry's own OTIO export at 25 fps, its timeline's start moved to an hour before 00:00:00:00."""
    document = json.loads((GOLDEN / "otio/simple_25.otio").read_text(encoding="utf-8"))
    assert document["global_start_time"]["value"] == 90000.0
    document["global_start_time"]["value"] = -90000.0
    path = folder / "before zero.otio"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def fcpxml_starting_before_zero(folder: Path) -> Path:
    """Foundry's own FCPXML export at 25 fps, its sequence's tcStart an hour before 00:00:00:00."""
    text = (GOLDEN / "fcpxml/25.fcpxml").read_text(encoding="utf-8")
    assert text.count('tcStart="3600s"') == 1
    path = folder / "before zero.fcpxml"
    path.write_text(text.replace('tcStart="3600s"', 'tcStart="-3600s"'), encoding="utf-8")
    return path


def assert_one_line(error: FoundryError, *words: str) -> None:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message, message
    assert all(word in message for word in words), message


@pytest.mark.parametrize("hostile", [otio_starting_before_zero, fcpxml_starting_before_zero])
def test_a_cut_whose_film_starts_before_zero_is_refused_and_makes_no_project(tmp_path, hostile):
    """The readers keep a negative start timecode as it is; the project it would make could not be
    opened again ("damaged": Timeline.start_timecode >= 0), so the import refuses it first."""
    source = hostile(tmp_path)
    with pytest.raises(FoundryError) as refused:
        import_cut(source, tmp_path / "imported.foundry")
    assert_one_line(refused.value, "film timecode", "greater than or equal to 0")
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]  # no project, not even a partial one


def test_a_cut_whose_film_starts_before_zero_leaves_the_open_project_as_it_was(tmp_path):
    """Into an empty open project the cut's timecode would become the film's: refused, nothing written."""
    source = otio_starting_before_zero(tmp_path)
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="25") as service:
        before = service.project
        with pytest.raises(FoundryError) as refused:
            import_cut_into(service, source)
        assert_one_line(refused.value, "film timecode")
        assert service.project == before and service.undo_label() is None
    with ProjectService.open(path) as reopened:
        assert reopened.project == before


def draft_of_two_shots(tmp_path: Path) -> ProjectDraft:
    draft = ProjectDraft(ProjectFormat(width=320, height=180, frame_rate=Fraction(25)), MediaCache(tmp_path / "m"))
    draft.add_shot(name="Harbour", prompt="a harbour at dawn", duration_frames=50)
    draft.add_shot(name="Lanterns", prompt="lanterns", duration_frames=50)
    return draft


@pytest.mark.parametrize(("change", "field"), [
    (lambda draft: draft.insert_gap(1, -5), "gap before"),
    (lambda draft: draft.set_trims(1, -3, None), "trim in"),
    (lambda draft: draft.set_shot_sources({1: ("A001", -25, None)}), "source timecode"),
])
def test_a_shot_value_the_model_refuses_is_refused_naming_the_event_and_clip(tmp_path, change, field):
    """What a reader's slip or a hostile file could hand the layout of a shot: refused by the shot's
    own validators (model_copy's update took these as they were), in one line naming the shot."""
    draft = draft_of_two_shots(tmp_path)
    kept = list(draft.shots)
    with pytest.raises(FoundryError) as refused:
        change(draft)
    assert_one_line(refused.value, "Shot 2 (Lanterns)", field, "greater than or equal to 0")
    assert draft.shots == kept
