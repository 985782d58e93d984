"""Undo brings a removed shot back as it was, and a budget change is an undo step of its own.

A removed shot whose undo forgot its selected take would show another take (or none, and be
generated and paid for again); a budget change that was no undo step let the next `undo` take back
an earlier, unrelated edit. Driven through the CLI and the service, checked in the project file.
"""

import sqlite3
from pathlib import Path

import pytest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main


def run(capsys, *argv) -> str:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def shot_rows(path: Path) -> list[tuple]:
    """Each shot in the file in timeline order: id, selected take, approved keyframe, scene."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, selected_take_id, keyframe_take_id, scene_id FROM shots ORDER BY position").fetchall()


def take_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM takes")}


def budgets(path: Path) -> dict[str, float]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT unit, amount FROM budgets"))


@pytest.fixture(scope="module")
def made_film(tmp_path_factory) -> Path:
    """Shot 1 with two video takes, showing the older (stale) one the creator chose, and an approved
    keyframe, in a scene of its own; shot 2 after it, generated."""
    path = tmp_path_factory.mktemp("film") / "film.foundry"
    for argv in (
        ["new", path, "--size", "64x36", "--fps", "12"],
        ["shot", "add", path, "--prompt", "first light", "--duration", "1"],
        ["shot", "add", path, "--prompt", "the harbour", "--duration", "1"],
        ["generate", path],
        ["shot", "set", path, "1", "--prompt", "first light, later"],
        ["generate", path],
        ["take", "select", path, "1", "1"],
        ["keyframes", "make", path, "--shot", "1"],
        ["keyframes", "approve", path, "1", "3"],
        ["scene", "add", path, "Dawn", "--shots", "1"],
    ):
        assert main([str(arg) for arg in argv]) == 0
    return path


@pytest.fixture
def film(made_film, tmp_path) -> Path:
    path = tmp_path / made_film.name
    path.write_bytes(made_film.read_bytes())
    media = made_film.with_suffix(".media")
    (tmp_path / media.name).symlink_to(media)
    return path


def test_undoing_a_shot_removal_shows_its_take_keyframe_and_scene_again(capsys, film):
    before, takes_before = shot_rows(film), take_ids(film)
    first = before[0]
    assert first[1] is not None and first[2] is not None and first[3] is not None
    # The take shown is not the newest one matching the shot: the creator chose the older one.
    with ProjectService.open(film, read_only=True) as service:
        shot = service.project.timeline.shots[0]
        assert service.project.takes_of(shot.id)[0].id == first[1]  # the first of its takes
        info_before = run(capsys, "info", film)

    run(capsys, "shot", "remove", film, "1")
    assert [row[0] for row in shot_rows(film)] == [before[1][0]]
    run(capsys, "undo", film)
    assert shot_rows(film) == before
    assert take_ids(film) == takes_before
    assert run(capsys, "info", film) == info_before

    run(capsys, "redo", film)
    assert shot_rows(film) == before[1:]
    run(capsys, "undo", film)
    assert shot_rows(film) == before


def test_undoing_a_removal_in_the_service_matches_a_fresh_reading_of_the_file(film):
    with ProjectService.open(film) as service:
        shown = service.project.timeline.shots[0]
        service.remove_shot(0)
        service.undo()
        restored = service.project
    with ProjectService.open(film, read_only=True) as reader:
        assert reader.project.timeline == restored.timeline
        assert reader.project.takes == restored.takes
    assert restored.timeline.shots[0] == shown
    assert [t.id for t in restored.takes_of(shown.id)] == [t.id for t in reader.project.takes_of(shown.id)]


def test_a_scene_removed_with_its_shots_comes_back_with_their_takes(film):
    before = shot_rows(film)
    with ProjectService.open(film) as service:
        scene = service.project.timeline.scenes[0]
        service.remove_scene(scene.id, with_shots=True)
        assert len(service.project.timeline.shots) == 1
        service.undo()
    assert shot_rows(film) == before


def test_a_removed_shot_whose_take_was_deleted_since_comes_back_without_a_dangling_take(capsys, film):
    before = shot_rows(film)
    run(capsys, "shot", "remove", film, "1")
    with sqlite3.connect(film) as conn:  # as a clean-up of unused takes would
        conn.execute("DELETE FROM takes WHERE id = ?", (before[0][1],))
    run(capsys, "undo", film)
    first = shot_rows(film)[0]
    assert first[0] == before[0][0] and first[2:] == before[0][2:]
    # None of its other video takes was made from the keyframe approved since: it shows none.
    assert first[1] is None
    with sqlite3.connect(film) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "not generated" in run(capsys, "info", film).splitlines()[2]


def test_a_budget_change_is_its_own_undo_step(capsys, film):
    prompt_of = lambda: shot_rows(film)  # noqa: E731
    run(capsys, "shot", "set", film, "2", "--prompt", "the harbour at night")
    edited = prompt_of()
    run(capsys, "budget", "set", film, "runway-credits", "50")
    assert budgets(film) == {"runway-credits": 50}

    assert "Set the budget for Runway credits" in run(capsys, "undo", film)
    assert budgets(film) == {}
    with ProjectService.open(film, read_only=True) as reader:
        assert reader.project.timeline.shots[1].spec.prompt == "the harbour at night"  # the earlier edit stays
    assert prompt_of() == edited

    run(capsys, "undo", film)
    with ProjectService.open(film, read_only=True) as reader:
        assert reader.project.timeline.shots[1].spec.prompt == "the harbour"
    run(capsys, "redo", film)
    run(capsys, "redo", film)
    assert budgets(film) == {"runway-credits": 50}


def test_changing_and_lifting_a_budget_undo_to_the_amount_before(capsys, film):
    run(capsys, "budget", "set", film, "gpu-seconds", "100")
    run(capsys, "budget", "set", film, "gpu-seconds", "250")
    run(capsys, "budget", "remove", film, "gpu-seconds")
    assert budgets(film) == {}
    run(capsys, "undo", film)
    assert budgets(film) == {"gpu-seconds": 250}
    run(capsys, "undo", film)
    assert budgets(film) == {"gpu-seconds": 100}
    with ProjectService.open(film) as service:
        assert service.budgets() == {"gpu-seconds": 100}
        service.set_budget("gpu-seconds", 100)  # no change: no step
        assert service.undo_label() == "Set the budget for GPU seconds"
        with service._store.group("Set two budgets"):
            service.set_budget("usd", 5)
            service.set_budget("runway-credits", 9)
        assert service.undo() == "Set two budgets"
        assert service.budgets() == {"gpu-seconds": 100}
