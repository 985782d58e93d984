"""Scenes: the rules every edit keeps (runs of consecutive shots, film order, membership of
shots added and moved), defaults inherited and overridden, and the service's scene edits, each
one undo step, checked in the project file."""

import json
import sqlite3
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from fcpxml_cuts import TRICKY_NAMES
from fcpxml_cuts import film as fcpxml_film
from interchange_samples import fcpxml_dtd_dir
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from old_schemas import undo_migrations_after

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.cli.main import main
from foundry_desktop.cli.parsers.scenes import SCENE_DEFAULT_OPTIONS
from foundry_desktop.domain import scenes, timeline_gaps
from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.planning.scene_plan import PlannedScene, ScenePlan
from foundry_desktop.domain.project import SCENE_DEFAULT_FIELDS, Scene, SceneDefaults, Shot, ShotSpec, Timeline
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.edl.reader import read_edl_text
from foundry_desktop.interchange.edl.writer import edl_text
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml_text
from foundry_desktop.interchange.fcpxml.writer import fcpxml_text
from foundry_desktop.interchange.film_cut import FilmCut
from foundry_desktop.interchange.otio.reader import read_otio_text
from foundry_desktop.interchange.otio.writer import otio_text


def film(*layout: str | None) -> Timeline:
    """Shots named s0, s1... in the scenes named by `layout` (None: in no scene); scenes A, B, C... listed
    in the order they first appear."""
    names = list(dict.fromkeys(name for name in layout if name is not None))
    listed = [Scene(id=name, name=name) for name in names]
    shots = [Shot(id=f"s{n}", name=f"s{n}", scene_id=name, spec=ShotSpec(duration=24)) for n, name in enumerate(layout)]
    timeline = Timeline(shots=shots, scenes=listed)
    assert scenes.scene_runs_are_consecutive(timeline)
    return timeline


def layout(timeline: Timeline) -> list[tuple[str, str | None]]:
    return [(shot.id, shot.scene_id) for shot in timeline.shots]


def order(timeline: Timeline) -> list[str]:
    return [scene.id for scene in timeline.scenes]


# -- the rules ---------------------------------------------------------------


def test_the_check_sees_broken_runs_unknown_scenes_and_order():
    timeline = film("A", "A", "B")
    split = timeline.model_copy(update={"shots": [timeline.shots[0], timeline.shots[2], timeline.shots[1]]})
    assert not scenes.scene_runs_are_consecutive(split)
    unknown = timeline.model_copy(update={"scenes": timeline.scenes[:1]})
    assert not scenes.scene_runs_are_consecutive(unknown)
    reversed_list = timeline.model_copy(update={"scenes": list(reversed(timeline.scenes))})
    assert not scenes.scene_runs_are_consecutive(reversed_list)
    empty_anywhere = timeline.model_copy(update={"scenes": [Scene(id="E"), *timeline.scenes]})
    assert scenes.scene_runs_are_consecutive(empty_anywhere)


@pytest.mark.parametrize(("index", "joins"), [(1, "A"), (2, "A"), (3, "B"), (5, "B"), (0, "A")])
def test_a_shot_added_joins_the_scene_before_it_or_at_the_start_the_one_after(index, joins):
    timeline = ops.insert_shot(film("A", "A", "B", "B", "B"), index, Shot(id="new"))
    assert timeline.shots[index].scene_id == joins
    assert scenes.scene_runs_are_consecutive(timeline)


def test_a_shot_after_shots_outside_scenes_stays_outside():
    timeline = ops.insert_shot(film(None, "A"), 1, Shot(id="new", scene_id="A"))
    assert layout(timeline)[1] == ("new", None)


@pytest.mark.parametrize(("source", "destination"), [(0, 3), (4, 1), (2, 0), (1, 4), (3, 2), (0, 4)])
def test_moved_shots_join_their_new_neighbours_and_runs_stay_whole(source, destination):
    timeline = ops.move_shot(film("A", "A", "B", "B", None), source, destination)
    assert scenes.scene_runs_are_consecutive(timeline)
    shots = timeline.shots
    expected = shots[destination - 1].scene_id if destination else shots[1].scene_id
    assert shots[destination].scene_id == expected


def test_removing_every_shot_of_a_scene_leaves_it_listed_and_empty():
    timeline = ops.remove_shot(film("A", "B", "C"), 1)
    assert order(timeline) == ["A", "B", "C"]
    assert scenes.shot_ranges(timeline) == {"A": (0, 1), "C": (1, 2)}
    assert scenes.scene_runs_are_consecutive(timeline)


def test_a_shot_moved_into_empty_time_joins_its_neighbours_scene():
    timeline = film("A", "B", "B")
    lifted = timeline_gaps.lift_shot(timeline, 0)
    moved = timeline_gaps.move_shot_to_frame(lifted, 1, 100)  # after the film's end: a gap opens
    assert [shot.scene_id for shot in moved.shots] == ["B", "B"]
    assert scenes.scene_runs_are_consecutive(moved)


def test_repair_takes_stray_shots_out_and_lists_scenes_in_film_order():
    timeline = film("A", "A", "B", "C")
    broken = timeline.model_copy(update={
        "shots": [timeline.shots[0], timeline.shots[2], timeline.shots[1], timeline.shots[3].model_copy(
            update={"scene_id": "gone"})],
        "scenes": list(reversed(timeline.scenes)),
    })
    repaired = scenes.repaired(broken)
    assert layout(repaired) == [("s0", "A"), ("s2", "B"), ("s1", None), ("s3", None)]
    assert order(repaired) == ["C", "A", "B"]  # C, now empty, keeps its place at the top
    assert scenes.scene_runs_are_consecutive(repaired)
    assert scenes.repaired(timeline) is timeline


# -- defaults -----------------------------------------------------------------


def test_a_joining_shot_takes_the_scene_defaults_except_what_it_overrides():
    timeline = film("A", "A")
    timeline = scenes.update_scene(timeline, "A", {"defaults": SceneDefaults(backend="comfyui", model="wan")})
    assert {shot.spec.backend for shot in timeline.shots} == {"comfyui"}
    own = Shot(id="own", spec=ShotSpec(backend="runway"), overrides=("backend",))
    timeline = ops.insert_shot(timeline, 1, own)
    assert (timeline.shots[1].spec.backend, timeline.shots[1].spec.model) == ("runway", "wan")
    timeline = scenes.update_scene(timeline, "A", {"defaults": SceneDefaults(backend="replicate")})
    assert [shot.spec.backend for shot in timeline.shots] == ["replicate", "runway", "replicate"]
    timeline = scenes.inheriting(timeline, [1], ["backend"])
    assert timeline.shots[1].spec.backend == "replicate" and timeline.shots[1].overrides == ()


def test_footage_in_a_scene_takes_none_of_its_generation_defaults():
    timeline = scenes.update_scene(film("A"), "A", {"defaults": SceneDefaults(backend="comfyui", style="noir")})
    footage = Shot(id="clip", spec=ShotSpec(backend="media", input_media="media/clip.mp4"))
    joined = ops.insert_shot(timeline, 1, footage).shots[1]
    assert (joined.scene_id, joined.spec) == ("A", footage.spec)


def test_inheriting_an_unknown_field_is_refused_with_the_fields_there_are():
    with pytest.raises(DomainError, match="style, character, backend"):
        scenes.inheriting(film("A"), [0], ["prompt"])


scene_operations = st.one_of(
    st.tuples(st.just("insert"), st.integers(-1, 9)),
    st.tuples(st.just("move"), st.integers(-1, 9), st.integers(-1, 9)),
    st.tuples(st.just("remove"), st.integers(-1, 9)),
    st.tuples(st.just("split"), st.integers(-1, 9)),
    st.tuples(st.just("lift"), st.integers(-1, 9)),
    st.tuples(st.just("to_frame"), st.integers(-1, 9), st.integers(0, 400)),
    st.tuples(st.just("new_scene"), st.integers(-1, 9), st.integers(1, 3)),
    st.tuples(st.just("in_scene"), st.integers(-1, 9), st.integers(0, 4)),
    st.tuples(st.just("move_scene"), st.integers(0, 4), st.integers(-1, 4)),
    st.tuples(st.just("remove_scene"), st.integers(0, 4), st.booleans()),
)


def apply_scene_operation(timeline: Timeline, op: tuple, number: int) -> Timeline:
    kind, *args = op
    listed = [scene.id for scene in timeline.scenes]
    if kind == "insert":
        return ops.insert_shot(timeline, args[0], Shot(id=f"new{number}", spec=ShotSpec(duration=24)))
    if kind == "move":
        return ops.move_shot(timeline, *args)
    if kind == "remove":
        return ops.remove_shot(timeline, *args)
    if kind == "split":
        half = Shot(id=f"half{number}", spec=ShotSpec(duration=24))
        return ops.split_shot(timeline, args[0], 12, half, has_take=False)
    if kind == "lift":
        return timeline_gaps.lift_shot(timeline, *args)
    if kind == "to_frame":
        return timeline_gaps.move_shot_to_frame(timeline, *args)
    if kind == "new_scene":
        return scenes.add_scene(timeline, Scene(id=f"scene{number}"), range(args[0], args[0] + args[1]))
    if not listed:
        raise DomainError("no scenes")
    if kind == "in_scene":
        return scenes.set_shots_scene(timeline, [args[0]], listed[args[1] % len(listed)])
    if kind == "move_scene":
        return scenes.move_scene(timeline, listed[args[0] % len(listed)], args[1])
    return scenes.remove_scene(timeline, listed[args[0] % len(listed)], with_shots=args[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(scene_operations, max_size=30))
def test_any_sequence_of_edits_keeps_scenes_runs_of_consecutive_shots_in_film_order(sequence):
    timeline = film("A", "A", "B", None, "C", "C")
    for number, op in enumerate(sequence):
        try:
            timeline = apply_scene_operation(timeline, op, number)
        except DomainError:
            pass  # refused edits change nothing
        assert scenes.scene_runs_are_consecutive(timeline), (op, layout(timeline), order(timeline))


# -- scene edits in the domain -------------------------------------------------


def test_a_new_scene_may_take_shots_only_from_a_scenes_ends():
    timeline = film("A", "A", "A", "B")
    taken = scenes.add_scene(timeline, Scene(id="N"), [2, 3])
    assert layout(taken) == [("s0", "A"), ("s1", "A"), ("s2", "N"), ("s3", "N")]
    assert order(taken) == ["A", "B", "N"]  # B, now empty, stays listed where it was
    with pytest.raises(DomainError, match='Scene "A" would not be one run'):
        scenes.add_scene(timeline, Scene(id="N"), [1])


def test_shots_that_do_not_follow_one_another_cannot_make_a_scene():
    with pytest.raises(DomainError, match="follow one another"):
        scenes.add_scene(film(None, None, None), Scene(id="N", name="N"), [0, 2])


def test_moving_a_scene_moves_its_shots_as_a_block_keeping_its_inner_gaps():
    timeline = film("A", "A", None, "B", "C", "C")
    shots = list(timeline.shots)
    shots[1] = shots[1].model_copy(update={"gap_before": 10})
    shots[4] = shots[4].model_copy(update={"gap_before": 7})
    timeline = timeline.model_copy(update={"shots": shots})
    moved = scenes.move_scene(timeline, "A", 2)
    assert order(moved) == ["B", "C", "A"]
    assert [shot.id for shot in moved.shots] == ["s2", "s3", "s4", "s5", "s0", "s1"]
    assert moved.shots[5].gap_before == 10 and moved.shots[2].gap_before == 7
    assert scenes.scene_runs_are_consecutive(moved)
    back = scenes.move_scene(moved, "A", 0)  # before the scene after it; s2 was in none, and stays first
    assert [shot.id for shot in back.shots] == ["s2", "s0", "s1", "s3", "s4", "s5"]


def test_moving_an_empty_scene_only_reorders_the_list():
    timeline = scenes.add_scene(film("A", "B"), Scene(id="E"))
    moved = scenes.move_scene(timeline, "E", 0)
    assert order(moved) == ["E", "A", "B"] and moved.shots == timeline.shots


def test_removing_a_scene_keeps_its_shots_outside_scenes_or_removes_them():
    timeline = film("A", "B", "B", "C")
    kept = scenes.remove_scene(timeline, "B")
    assert layout(kept) == [("s0", "A"), ("s1", None), ("s2", None), ("s3", "C")]
    gone = scenes.remove_scene(timeline, "B", with_shots=True)
    assert layout(gone) == [("s0", "A"), ("s3", "C")] and order(gone) == ["A", "C"]


# -- through the service, one undo step each, in the file ------------------------


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as service:
        for number in range(6):
            service.add_shot(prompt=f"shot {number}", duration_seconds="1", seed=number)
        yield service


def reopened(service: ProjectService) -> Timeline:
    with ProjectService.open(service.path, read_only=True) as reader:
        return reader.project.timeline


def test_service_scene_edits_are_saved_and_undone_one_step_each(service):
    beach = service.add_scene("Beach", shot_indexes=[0, 1, 2], location="beach", time_of_day="dusk")
    night = service.add_scene("Night", shot_indexes=[3, 4], color="#203040")
    assert service.undo_label() == 'Add scene "Night" with shots 4–5'
    saved = reopened(service)
    assert [(scene.name, scene.location, scene.time_of_day) for scene in saved.scenes] == [
        ("Beach", "beach", "dusk"), ("Night", "", "")]
    assert [shot.scene_id for shot in saved.shots] == [beach.id] * 3 + [night.id] * 2 + [None]

    ids = [shot.id for shot in service.project.timeline.shots]
    service.move_scene(night.id, 0)
    assert service.undo_label() == 'Move scene "Night" to place 1'
    assert [shot.id for shot in reopened(service).shots] == ids[3:5] + ids[:3] + ids[5:]
    assert service.undo() == 'Move scene "Night" to place 1'
    assert [shot.id for shot in reopened(service).shots] == ids
    assert [scene.name for scene in reopened(service).scenes] == ["Beach", "Night"]

    service.remove_scene(beach.id, with_shots=True)
    assert service.undo_label() == 'Remove scene "Beach" and its 3 shots'
    assert [shot.id for shot in reopened(service).shots] == ids[3:]
    service.undo()
    assert reopened(service) == service.project.timeline


def test_scene_defaults_reach_its_shots_unless_set_on_the_shot(service):
    noir = service.add_template("style", "Noir", prompt_suffix="black and white, hard shadows")
    scene = service.add_scene("Alley", shot_indexes=[1, 2, 3])
    service.update_shot(2, backend="replicate", model="minimax")
    service.update_scene(scene.id, defaults={"style": "Noir", "backend": "comfyui"})
    assert service.undo_label() == 'Change scene "Alley": defaults'
    shots = reopened(service).shots
    assert [(shot.spec.style, shot.spec.backend) for shot in shots[1:4]] == [
        (noir.id, "comfyui"), (noir.id, "replicate"), (noir.id, "comfyui")]
    assert shots[2].overrides == ("backend", "model") and shots[0].spec.style is None
    service.inherit_from_scene([2], ["backend"])
    assert reopened(service).shots[2].spec.backend == "comfyui"
    assert reopened(service).shots[2].overrides == ("model",)
    service.add_shot(at=2, prompt="insert")  # inside the scene: joins it and takes its defaults
    joined = reopened(service).shots[2]
    assert (joined.scene_id, joined.spec.style, joined.spec.backend) == (scene.id, noir.id, "comfyui")


def test_a_removed_style_leaves_the_scenes_that_gave_it_too(service):
    service.add_template("style", "Noir", prompt_suffix="black and white")
    scene = service.add_scene("Alley", shot_indexes=[0, 1], defaults={"style": "Noir"})
    service.remove_template("style", "Noir")
    timeline = reopened(service)
    assert timeline.scenes[0].defaults.style is None and timeline.shots[0].spec.style is None
    service.add_shot(at=1, prompt="joins the scene")
    assert reopened(service).shots[1].scene_id == scene.id and reopened(service).shots[1].spec.style is None


def test_set_shots_scene_and_refusals_a_creator_understands(service):
    first = service.add_scene("One", shot_indexes=[0, 1])
    service.add_scene("Two", shot_indexes=[2, 3, 4, 5])
    service.set_shots_scene([2], first.id)
    assert service.undo_label() == 'Put shot 3 in scene "One"'
    assert [shot.scene_id for shot in reopened(service).shots][:3] == [first.id] * 3
    with pytest.raises(InvalidEditError, match='Scene "Two" would not be one run'):
        service.set_shots_scene([4], None)
    with pytest.raises(InvalidEditError, match="There is no scene Three"):
        service.scene("Three")
    assert service.scene("2").name == "Two" and service.scene("one").id == first.id
    assert service.scene_of(service.project.timeline.shots[0]).name == "One"
    assert list(service.scene_shot_indexes(first.id)) == [0, 1, 2]


def test_timeline_edits_through_the_service_keep_the_runs(service):
    service.add_scene("One", shot_indexes=[0, 1, 2])
    service.add_scene("Two", shot_indexes=[3, 4])
    service.move_shot(5, 1)
    service.duplicate_shots([3, 4])
    service.split_shot(0, 10)
    service.remove_shot(4)
    timeline = reopened(service)
    assert scenes.scene_runs_are_consecutive(timeline)
    assert timeline == service.project.timeline


def test_a_version_9_project_opens_with_every_shot_outside_a_scene_and_takes_scenes(tmp_path):
    path = tmp_path / "old.foundry"
    with ProjectService.create(path, width=160, height=90) as service:
        service.add_shot(prompt="one", duration_seconds="1")
        service.add_shot(prompt="two", duration_seconds="1")
    conn = sqlite3.connect(path, isolation_level=None)  # the file as schema 9 left it (tests/old_schemas.py)
    conn.execute("BEGIN")
    undo_migrations_after(conn, 9)
    conn.execute("PRAGMA user_version = 9")
    conn.execute("COMMIT")
    conn.close()
    with ProjectService.open(path) as service:
        timeline = service.project.timeline
        assert timeline.scenes == [] and [(s.scene_id, s.overrides) for s in timeline.shots] == [(None, ())] * 2
        service.add_scene("First", shot_indexes=[0, 1])
    with ProjectService.open(path, read_only=True) as service:
        assert [s.scene_id for s in service.project.timeline.shots] == [service.project.timeline.scenes[0].id] * 2


def test_a_hand_edited_file_whose_scene_runs_are_broken_is_repaired_not_refused(service):
    scene = service.add_scene("One", shot_indexes=[0, 1])
    with sqlite3.connect(service.path) as conn:  # as a hand edit would leave it: a stray shot of scene One
        conn.execute("UPDATE shots SET scene_id = ? WHERE position = 4", (scene.id,))
    timeline = reopened(service)
    assert scenes.scene_runs_are_consecutive(timeline)
    assert [shot.scene_id for shot in timeline.shots] == [scene.id, scene.id, None, None, None, None]


# -- a scene plan applied -----------------------------------------------------------


def plan_of(*titles: str) -> ScenePlan:
    return ScenePlan(target_frames=24 * len(titles), frame_rate=24, scenes=[
        PlannedScene(title=title, description=f"what happens in {title}", prompt=f"{title} prompt", frames=24)
        for title in titles])


def test_an_applied_plan_makes_one_scene_per_planned_scene_in_one_undo_step(service):
    service.add_scene("Opening", shot_indexes=[0, 1])
    applied = apply_plan(service, plan_of("Harbour", "Market"), at=2)
    timeline = reopened(service)
    assert [scene.name for scene in timeline.scenes] == ["Opening", "Harbour", "Market"]
    assert timeline.scenes[1].description == "what happens in Harbour"
    assert [shot.scene_id for shot in timeline.shots[2:4]] == [scene.id for scene in timeline.scenes[1:]]
    assert [shot.id for shot in timeline.shots[2:4]] == applied.shot_ids and applied.notes == []
    service.split_shot(2, 10)  # a planned scene becoming two shots: both are in it
    harbour = reopened(service).scenes[1].id
    assert [shot.scene_id for shot in reopened(service).shots[2:4]] == [harbour, harbour]
    service.undo()
    assert service.undo() == "Apply a plan of 2 scenes"
    assert [scene.name for scene in reopened(service).scenes] == ["Opening"]


@pytest.mark.parametrize("at", [0, 2, 6])
def test_a_plan_at_a_scenes_edge_or_the_films_ends_makes_scenes_of_its_own(service, at):
    opening = service.add_scene("Opening", shot_indexes=[0, 1])
    service.add_scene("Middle", shot_indexes=[2, 3, 4, 5])
    apply_plan(service, plan_of("Harbour", "Market"), at=at)
    timeline = reopened(service)
    names = {scene.id: scene.name for scene in timeline.scenes}
    assert [names[shot.scene_id] for shot in timeline.shots[at:at + 2]] == ["Harbour", "Market"]
    assert scenes.scene_runs_are_consecutive(timeline)
    assert [shot.scene_id for shot in timeline.shots].count(opening.id) == 2


def test_a_plan_put_inside_a_scene_joins_it_and_says_so(service):
    scene = service.add_scene("Opening", shot_indexes=[0, 1, 2])
    applied = apply_plan(service, plan_of("Harbour"), at=1)
    timeline = reopened(service)
    assert [s.name for s in timeline.scenes] == ["Opening"] and timeline.shots[1].scene_id == scene.id
    assert any('inside scene "Opening"' in note for note in applied.notes)


# -- foundry scene ----------------------------------------------------------------------


def foundry(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_foundry_scene_add_set_move_remove_list_and_info(tmp_path, capsys):
    path = tmp_path / "cli.foundry"
    assert foundry(capsys, "new", path)[0] == 0
    for number in range(1, 6):
        assert foundry(capsys, "shot", "add", path, "--prompt", f"shot {number}")[0] == 0
    assert foundry(capsys, "style", "add", path, "Noir", "--suffix", "black and white")[0] == 0
    code, out, _ = foundry(capsys, "scene", "add", path, "Beach", "--shots", "1-3", "--location", "beach",
                           "--time", "dusk", "--backend", "comfyui", "--color", "#336699")
    assert (code, out.strip()) == (0, "Added scene 1 (Beach)")
    assert foundry(capsys, "scene", "add", path, "Night", "--shots", "4,5", "--style", "Noir")[0] == 0
    assert foundry(capsys, "shot", "set", path, "2", "--backend", "runway")[0] == 0
    assert foundry(capsys, "scene", "move", path, "night", "1")[0] == 0
    code, out, _ = foundry(capsys, "scene", "list", path)
    assert out.splitlines() == [
        "  1  Night  shots 1-2  6.00 s  defaults: style Noir",
        "  2  Beach  shots 3-5  9.00 s  [beach, dusk]  defaults: backend comfyui",
    ]
    code, out, _ = foundry(capsys, "info", path, "--json")
    info = json.loads(out)
    assert [(shot["scene"], shot["backend"], shot["style"]) for shot in info["shots"]] == [
        (1, "builtin", "Noir"), (1, "builtin", "Noir"), (2, "comfyui", None), (2, "runway", None), (2, "comfyui", None)]
    assert info["shots"][3]["overrides"] == ["backend"] and info["scenes"][1]["color"] == "#336699"
    assert foundry(capsys, "shot", "set", path, "4", "--inherit", "backend")[0] == 0
    assert foundry(capsys, "scene", "set", path, "2", "--name", "Shore", "--backend", "")[0] == 0
    assert foundry(capsys, "scene", "remove", path, "1", "--with-shots")[0] == 0
    with ProjectService.open(path, read_only=True) as service:
        timeline = service.project.timeline
        assert [scene.name for scene in timeline.scenes] == ["Shore"]
        assert timeline.scenes[0].defaults.backend is None
        assert [(shot.spec.prompt, shot.spec.backend, shot.overrides) for shot in timeline.shots] == [
            ("shot 1", "comfyui", ()), ("shot 2", "comfyui", ()), ("shot 3", "comfyui", ())]
        assert service.undo_label() == 'Remove scene "Night" and its 2 shots'


def test_foundry_scene_refusals_are_one_line_a_creator_understands(tmp_path, capsys):
    path = tmp_path / "cli.foundry"
    foundry(capsys, "new", path)
    foundry(capsys, "shot", "add", path, "--prompt", "one")
    for argv, message in [
        (("scene", "add", path, "A", "--shots", "1-3"), "There is no shot 2"),
        (("scene", "add", path, "A", "--shots", "two"), "--shots takes shot numbers such as 3-5"),
        (("scene", "move", path, "A", "1"), "the film has no scenes yet"),
        (("scene", "add", path, "A", "--shots", "1", "--at", "1"), "--at places a scene with none"),
        (("shot", "set", path, "1", "--style", "x", "--inherit", "style"), "not both"),
        (("scene", "add", path, "A", "--color", "red"), "written #rrggbb (for example #4a7fb5); 'red' is not"),
    ]:
        code, _, err = foundry(capsys, *argv)
        assert code != 0 and message in err and len(err.strip().splitlines()) == 1, (argv, err)


def test_the_cli_offers_every_default_a_scene_has():
    assert tuple(option.replace("-", "_") for option in SCENE_DEFAULT_OPTIONS) == SCENE_DEFAULT_FIELDS


# -- interchange: scenes kept where the format can hold them ------------------------------


def cut_with_scenes() -> FilmCut:
    """The FCPXML tests' film (four clips, markers, captions) with its first two clips in one scene and the
    third in another; the fourth in none."""
    cut = fcpxml_film(Fraction(25), names=TRICKY_NAMES)
    scenes_of = ("Dawn & <co>", "Dawn & <co>", "Dusk", "")
    return replace(cut, clips=tuple(replace(clip, scene=name) for clip, name in zip(cut.clips, scenes_of, strict=True)))


def assert_valid_fcpxml(document: etree._Element) -> None:
    """Valid against Apple's DTD, where the machine has it (FOUNDRY_FCPXML_DTD_DIR; see tests/test_fcpxml.py)."""
    folder = fcpxml_dtd_dir()
    if folder is None:
        pytest.skip("FOUNDRY_FCPXML_DTD_DIR is unset: Apple's FCPXML DTDs are not redistributable")
    checker = etree.DTD(str(folder / f"FCPXMLv{document.get('version').replace('.', '_')}.dtd"))
    assert checker.validate(document), checker.error_log.filter_from_errors()


def test_fcpxml_keeps_scenes_as_keywords_and_a_marker_where_each_begins_valid_against_the_dtd():
    cut = cut_with_scenes()
    text = fcpxml_text(cut)
    document = etree.fromstring(text.encode("utf-8"))
    assert [k.get("value") for k in document.iter("keyword")] == ["Scene: Dawn & <co>"] * 2 + ["Scene: Dusk"]
    assert {m.get("value") for m in document.iter("marker")} >= {"Scene: Dawn & <co>", "Scene: Dusk"}
    read = read_fcpxml_text(text, Path("/")).cut
    assert read == cut  # the scene markers are the scenes', not the film's markers
    assert_valid_fcpxml(document)


def test_otio_keeps_scenes_in_clip_metadata_and_markers():
    cut = cut_with_scenes()
    text = otio_text(cut)
    timeline = otio.adapters.read_from_string(text, "otio_json")
    clips = timeline.video_tracks()[0].find_clips()
    assert [clip.metadata["foundry"].get("scene") for clip in clips] == ["Dawn & <co>", "Dawn & <co>", "Dusk", None]
    assert "Scene: Dusk" in [marker.name for marker in timeline.video_tracks()[0].markers]
    assert read_otio_text(text, Path("/")).cut.clips == cut.clips
    assert read_otio_text(text, Path("/")).cut.markers == cut.markers


def test_edl_keeps_scenes_as_comments():
    cut = replace(cut_with_scenes(), music=(), captions=())
    text = edl_text(cut)
    assert text.count("* SCENE: Dawn & <co>") == 2 and text.count("* SCENE: Dusk") == 1
    read = read_edl_text(text, cut.frame_rate, folder=Path("/")).cut
    assert [clip.scene for clip in read.clips] == ["Dawn & <co>", "Dawn & <co>", "Dusk", ""]


def test_cuts_from_other_programs_have_no_scenes():
    cut = fcpxml_film(Fraction(25))
    assert all(clip.scene == "" for clip in read_fcpxml_text(fcpxml_text(cut), Path("/")).cut.clips)


@pytest.mark.parametrize("kind", [".fcpxml", ".otio", ".edl"])
def test_a_foundry_round_trip_keeps_the_scenes(service, tmp_path, kind):
    service.add_scene("Harbour", shot_indexes=[0, 1], location="harbour", time_of_day="dawn", color="#aa5500")
    service.add_scene("", shot_indexes=[2, 3, 4])  # unnamed: exported as "Scene 2"
    service.insert_gap(1, 12)  # empty time inside a scene stays in it
    exported = export_cut(service, tmp_path / f"cut{kind}").files[0]
    report = import_cut(exported, tmp_path / "again.foundry", frame_rate="24")
    with ProjectService.open(report.project) as again:
        timeline = again.project.timeline
        assert [scene.name for scene in timeline.scenes] == ["Harbour", "Scene 2"]
        numbers = {scene.id: number for number, scene in enumerate(timeline.scenes, 1)}
        assert [numbers.get(shot.scene_id) for shot in timeline.shots] == [1, 1, 2, 2, 2, None]
        assert timeline.markers == []
        harbour = timeline.scenes[0]
        if kind == ".otio":  # the one format with room for a scene's notes
            assert (harbour.location, harbour.time_of_day, harbour.color) == ("harbour", "dawn", "#aa5500")
    if kind == ".fcpxml":  # last, as it skips without the DTDs: shots to generate are gaps with the keyword too
        assert_valid_fcpxml(etree.parse(str(exported)).getroot())
