"""Undo as recorded changes: an edit writes and records only the rows it changed, undo and
redo bring the open project back row by row, and the open project always matches what a
fresh opening of the file reads, across reopening, groups and the schema 7 migration."""

import json
import random
import sqlite3
from pathlib import Path

import pytest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.project import Project, Shot, ShotSpec, Take, Timeline
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.store import migrations, project_store
from foundry_desktop.store.project_rows import shot_row
from foundry_desktop.store.project_store import ProjectStore
from foundry_desktop.store.row_changes import diff_list
from old_schemas import undo_migrations_after


def on_file(path: Path) -> Project:
    """The project as a fresh, read-only opening of the file reads it."""
    with ProjectService.open(path, read_only=True) as reader:
        return reader.project


def last_step_changes(path: Path) -> list[tuple[str, str, dict | None, dict | None]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT table_name, row_id, before_json, after_json FROM undo_changes "
        "WHERE step_id = (SELECT max(id) FROM undo_steps) ORDER BY seq"
    ).fetchall()
    conn.close()
    return [(table, row_id, before and json.loads(before), after and json.loads(after))
            for table, row_id, before, after in rows]


def shots(count: int) -> list[Shot]:
    return [Shot(name=f"Shot {n}", spec=ShotSpec(prompt=f"shot {n}", seed=n, duration=48)) for n in range(count)]


@pytest.fixture
def service(tmp_path):
    path = tmp_path / "film.foundry"
    ProjectStore.create(path, Project(name="Film", timeline=Timeline(shots=shots(30)))).close()
    with ProjectService.open(path) as service:
        yield service


def some_edit(service: ProjectService, rng: random.Random, number: int) -> None:
    """An edit of the kind `number` picks (each the service offers, in turn), on random shots;
    some are refused, some change nothing."""
    count = len(service.project.timeline.shots)
    index = rng.randrange(count)
    captions, characters = service.project.timeline.captions, service.project.characters
    edits = [
        lambda: service.add_shot(at=rng.randint(0, count), prompt=f"new {number}", seed=number),
        lambda: service.update_shot(index, prompt=f"prompt {number}", name=f"name {number}"),
        lambda: service.move_shot(index, rng.randrange(count)),
        lambda: service.remove_shot(index),
        lambda: service.trim_shot(index, rng.randint(0, 10), rng.choice([None, 30, 40])),
        lambda: service.set_shot_duration(index, rng.randint(1, 96)),
        lambda: service.set_transition(index, "dissolve", rng.randint(1, 12)),
        lambda: service.set_shot_picture_and_sound(index, fit="fill", audio_gain_db=-6.0, audio_muted=True),
        lambda: service.split_shot(index, rng.randint(1, 20)),
        lambda: service.set_film_fades(rng.randint(0, 10), rng.randint(0, 10)),
        lambda: service.rename_project(f"Film {number}"),
        lambda: service.add_caption(f"line {number}", str(rng.randint(0, 20)), "25"),
        lambda: captions and service.update_caption(captions[0].id, text=f"changed {number}"),
        lambda: captions and service.remove_caption(captions[-1].id),
        lambda: service.add_marker(rng.randint(0, 500), f"beat {number}"),
        lambda: service.add_template("character", f"Person {number}", prompt_prefix=f"person {number},"),
        lambda: characters and service.update_shot(index, character=characters[0].id),
        lambda: characters and service.update_template("character", characters[0].id, prompt_prefix=f"p{number}"),
        lambda: characters and service.remove_template("character", characters[-1].id),
    ]
    edits[number % len(edits)]()


def test_many_edits_undone_and_redone_across_reopening_match_the_model(tmp_path, service):
    rng = random.Random(16)
    path = service.path
    states = [service.project]
    attempt = 0
    while len(states) < 80:
        attempt += 1
        try:
            if attempt % 9 == 0:
                with service.group(f"Two edits {attempt}"):
                    some_edit(service, rng, attempt)
                    some_edit(service, rng, attempt + 1000)
            else:
                some_edit(service, rng, attempt)
        except InvalidEditError:
            assert service.project is states[-1]  # a refused edit (or group) changes nothing
            continue
        if service.project != states[-1]:  # an edit to what is already there is no step
            states.append(service.project)
            if len(states) % 10 == 0:
                assert on_file(path) == service.project

    def travel(steps: range, move, reopen_at: int) -> ProjectService:
        nonlocal service
        for expected in steps:
            if expected == reopen_at:
                service.close()
                service = ProjectService.open(path)
                assert service.project == states[expected + (1 if move == "undo" else -1)]
            assert getattr(service, move)() is not None
            assert service.project == states[expected]
        return service

    travel(range(len(states) - 2, -1, -1), "undo", reopen_at=40)
    assert service.undo() is None and on_file(path) == states[0]
    travel(range(1, len(states)), "redo", reopen_at=30)
    assert service.redo() is None and on_file(path) == states[-1]
    service.close()


def test_an_edit_shares_what_it_left_alone_and_records_only_what_changed(service):
    before = service.project
    service.update_shot(12, prompt="a changed prompt")
    after = service.project
    assert all(after.timeline.shots[i] is before.timeline.shots[i] for i in range(30) if i != 12)
    assert after.timeline.captions is before.timeline.captions and after.characters is before.characters
    [(table, row_id, old, new)] = last_step_changes(service.path)
    assert (table, row_id, set(old), set(new)) == ("shots", after.timeline.shots[12].id, {"spec_json"}, {"spec_json"})
    assert json.loads(new["spec_json"])["prompt"] == "a changed prompt"

    # A move changes the positions of the shots between its ends, and nothing else about them.
    service.move_shot(3, 6)
    changes = last_step_changes(service.path)
    assert {(old["position"], new["position"]) for _, _, old, new in changes} == {(3, 6), (4, 3), (5, 4), (6, 5)}
    assert all(set(old) == set(new) == {"position"} for _, _, old, new in changes)

    # Adding writes the whole new row; removing records the whole old one, to bring it back.
    service.add_shot(prompt="last", seed=1)
    [(_, _, old, new)] = last_step_changes(service.path)
    assert old is None and new["position"] == 30 and json.loads(new["spec_json"])["prompt"] == "last"
    service.remove_shot(30)
    [(_, _, old, new)] = last_step_changes(service.path)
    assert new is None and old["name"] == "" and old["position"] == 30


def test_the_row_changes_between_any_two_lists_lead_from_one_to_the_other():
    rng = random.Random(5)

    def rows(items):
        return {item.id: {"id": item.id, "position": p, "name": item.name} for p, item in enumerate(items)}

    def to_row(item, position):
        return {"id": item.id, "position": position, "name": item.name}

    for case in range(300):
        old = shots(rng.randint(0, 40))
        new = list(old)
        for _ in range(rng.randint(0, 4)):
            roll, at = rng.random(), rng.randrange(len(new) + 1)
            if roll < 0.25:
                new.insert(at, Shot(name=f"new {case}"))
            elif new and roll < 0.5:
                del new[at % len(new)]
            elif new and roll < 0.7:
                new.insert(at % len(new), new.pop(rng.randrange(len(new))))
            elif new:  # the same item, copied: equal, or changed
                index = at % len(new)
                new[index] = new[index].model_copy(update={"name": rng.choice([new[index].name, f"renamed {case}"])})
        result = rows(old)
        for change in diff_list("shots", old, new, to_row):
            if change.after is None:
                assert result.pop(change.row_id) == change.before
            elif change.before is None:
                result[change.row_id] = change.after
            else:
                assert {key: result[change.row_id][key] for key in change.before} == change.before
                result[change.row_id] = {**result[change.row_id], **change.after}
        assert result == rows(new)


def test_undo_and_redo_read_back_only_the_rows_they_touched(service, monkeypatch):
    before = service.project
    service.update_shot(7, prompt="changed")
    service.add_caption("hello", "0", "1")

    def no_whole_loads(conn):
        raise AssertionError("undo and redo must not load the whole project")

    monkeypatch.setattr(project_store, "load_project", no_whole_loads)
    assert service.undo() == 'Add caption "hello"'
    assert service.undo() == "Change shot 8: prompt"
    assert service.project == before
    # Nothing else was rebuilt: the untouched shots are the very objects from before.
    assert all(service.project.timeline.shots[i] is before.timeline.shots[i] for i in range(30) if i != 7)
    service.redo()
    service.redo()
    monkeypatch.undo()
    assert service.project == on_file(service.path)
    assert service.project.timeline.shots[7].spec.prompt == "changed"


def test_an_undo_given_a_project_that_does_not_match_the_file_takes_the_files_word(tmp_path):
    with ProjectStore.create(tmp_path / "film.foundry", Project(name="Film")) as store:
        first = store.load()
        second = first.model_copy(update={"timeline": ops.append_shot(first.timeline, Shot())})
        store.commit_edit(first, second, "add one")
        third = second.model_copy(update={"timeline": ops.append_shot(second.timeline, Shot())})
        store.commit_edit(second, third, "add two")
        travel = store.undo(first)  # stale: the file holds `third`
        assert travel.label == "add two" and travel.project == store.load() == second


def test_a_group_is_one_recorded_step_and_a_rollback_restores_the_open_project(service):
    before = service.project
    with service.group("Storyboard"):
        shot = service.add_shot(at=5, prompt="inserted", seed=3)
        service.update_shot(5, prompt="inserted, then changed")  # the same row twice in one step
        service.move_shot(5, 0)
        service.add_caption("title", "0", "2")
    after = service.project
    assert service.project.timeline.shots[0].id == shot.id
    assert service.undo_label() == "Storyboard" and service.undo() == "Storyboard"
    assert service.project == before == on_file(service.path)
    assert service.redo() == "Storyboard"
    assert service.project == after == on_file(service.path)

    # A failure deep inside nested groups drops them all: the model and the file as they were.
    with pytest.raises(InvalidEditError):
        with service.group("Outer"):
            service.remove_shot(0)
            with service.group("Inner"):
                service.update_shot(1, prompt="doomed")
                service.remove_shot(99)
    assert service.project == after == on_file(service.path)
    assert service.undo_label() == "Storyboard"


def test_store_groups_begin_commit_and_roll_back(tmp_path):
    with ProjectStore.create(tmp_path / "film.foundry", Project(name="Film")) as store:
        empty = store.load()
        store.begin_group("two shots")
        one = empty.model_copy(update={"timeline": ops.append_shot(empty.timeline, Shot(name="a"))})
        store.commit_edit(empty, one, "ignored inside a group")
        two = one.model_copy(update={"timeline": ops.append_shot(one.timeline, Shot(name="b"))})
        store.commit_edit(one, two, "ignored too")
        store.commit_group()
        assert store.undo_label() == "two shots" and store.load() == two

        store.begin_group("doomed")
        three = two.model_copy(update={"timeline": ops.remove_shot(two.timeline, 0)})
        store.commit_edit(two, three, "remove")
        store.rollback_group()
        assert store.load() == two and store.undo_label() == "two shots"

        assert store.undo(two).project == empty == store.load()
        assert store.redo(empty).project == two == store.load()


def test_undoing_a_template_change_shows_the_take_that_matches_again(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90) as service:
        service.add_shot(prompt="walks", seed=1)
        service.add_template("character", "Mara", prompt_prefix="Mara,")
        service.update_shot(0, character="Mara")

        def take_for_current_spec(name: str) -> Take:
            shot = service.project.timeline.shots[0]
            take = Take(shot_id=shot.id, media_path=f"takes/{name}.mp4", content_hash=name,
                        fingerprint=shot_fingerprint(shot, service.project), spec={}, backend="builtin", seed=1,
                        frames=72, width=160, height=90, created_at=f"2026-01-0{len(name)}", elapsed_s=1.0)
            service.add_take(take, select_it=True)
            return take

        first = take_for_current_spec("a")
        service.update_template("character", "Mara", prompt_prefix="Mara Kell,")  # the shot's row is untouched
        second = take_for_current_spec("bb")
        assert service.undo() == "Change character Mara"
        assert service.project.timeline.shots[0].selected_take_id == first.id
        assert service.project == on_file(service.path)
        assert service.redo() == "Change character Mara"
        assert service.project.timeline.shots[0].selected_take_id == second.id
        assert service.project == on_file(service.path)


def version_6_file(path: Path) -> tuple[Shot, Shot]:
    """A project as schema 6 left it: undo steps holding whole rows on both sides of a change."""
    old, new = Shot(id="s1", spec=ShotSpec(prompt="old")), Shot(id="s1", spec=ShotSpec(prompt="new"))
    second = Shot(id="s2", spec=ShotSpec(prompt="second"))
    ProjectStore.create(path, Project(name="Old", timeline=Timeline(shots=[new, second]))).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO undo_steps VALUES (1, 'Add shot 2', '2026-01-01', 0)")
    conn.execute("INSERT INTO undo_changes VALUES (1, 0, 'shots', 's2', NULL, ?)", (json.dumps(shot_row(second, 1)),))
    conn.execute("INSERT INTO undo_steps VALUES (2, 'Change shot 1: prompt', '2026-01-02', 0)")
    for seq, (before, after) in enumerate([(shot_row(old, 0), shot_row(new, 0)),
                                           (shot_row(second, 1), shot_row(second, 1))]):  # a change of nothing
        conn.execute("INSERT INTO undo_changes VALUES (2, ?, 'shots', ?, ?, ?)",
                     (seq, after["id"], json.dumps(before), json.dumps(after)))
    undo_migrations_after(conn, 6)
    conn.execute("PRAGMA user_version = 6")
    conn.execute("COMMIT")
    conn.close()
    return old, new


def test_a_version_6_project_keeps_its_history_as_changed_columns(tmp_path):
    path = tmp_path / "old.foundry"
    old, new = version_6_file(path)
    with ProjectStore.open(path) as store:
        assert [shot.spec.prompt for shot in store.load().timeline.shots] == ["new", "second"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version() == 14
    assert last_step_changes(path) == [("shots", "s1", {"spec_json": shot_row(old, 0)["spec_json"]},
                                        {"spec_json": shot_row(new, 0)["spec_json"]})]
    assert json.loads(conn.execute("SELECT after_json FROM undo_changes WHERE step_id = 1").fetchone()[0]) == (
        shot_row(Shot(id="s2", spec=ShotSpec(prompt="second")), 1))  # a whole added row stays whole
    conn.close()
    backup = sqlite3.connect(path.with_name("old.foundry.v6.bak"))
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 6
    assert backup.execute("SELECT count(*) FROM undo_changes").fetchone()[0] == 3
    backup.close()

    with ProjectService.open(path) as service:
        assert service.undo() == "Change shot 1: prompt"
        assert [shot.spec.prompt for shot in service.project.timeline.shots] == ["old", "second"]
    with ProjectService.open(path) as service:
        assert service.undo() == "Add shot 2"
        assert [shot.spec.prompt for shot in service.project.timeline.shots] == ["old"]
        assert service.redo() == "Add shot 2" and service.redo() == "Change shot 1: prompt"
        assert service.project == on_file(path)
        assert [shot.spec.prompt for shot in service.project.timeline.shots] == ["new", "second"]
