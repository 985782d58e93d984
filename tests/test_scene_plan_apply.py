"""A scene plan put on the timeline: shots whose lengths add up exactly to the target in frames
(24, 25 and 29.97 fps), as one undo step, appended or inserted, the shots already there
untouched; transitions that do not fit shortened with a note; and `foundry plan`."""

from __future__ import annotations

import json
from fractions import Fraction

import keyring
import pytest
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    save_language_model,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.cli.main import main
from foundry_desktop.domain.planning.scene_plan import (
    PlannedScene,
    ProposedPlan,
    ScenePlan,
    plan_from_proposal,
)
from foundry_desktop.domain.time import seconds_to_frames


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def project(tmp_path, rate="24", name="film") -> ProjectService:
    service = ProjectService.create(tmp_path / f"{name}.foundry", frame_rate=rate, width=320, height=180)
    service.add_shot(prompt="Existing opening", duration_seconds="4", name="Opening")
    service.add_shot(prompt="Existing ending", duration_seconds="3")
    service.set_transition(0, "dissolve", 12)
    return service


def proposal(*seconds: float, transitions=None) -> ProposedPlan:
    transitions = transitions or [("cut", 0)] * len(seconds)
    return ProposedPlan.model_validate({"music_mood": "bright", "scenes": [
        {"title": f"Scene {n}", "description": f"what happens in {n}", "prompt": f"prompt {n}",
         "duration_seconds": length, "transition": kind, "transition_seconds": t}
        for n, (length, (kind, t)) in enumerate(zip(seconds, transitions, strict=True), start=1)]})


def snapshot(service) -> list[dict]:
    return [shot.model_dump() for shot in service.project.timeline.shots]


@pytest.mark.parametrize("rate", ["24", "25", "30000/1001"])
def test_an_applied_plan_adds_up_exactly_is_one_undo_step_and_leaves_the_shots_there(tmp_path, rate):
    with project(tmp_path, rate) as service:
        frame_rate = service.format.frame_rate
        # Durations that add up to 31.3 s and land between frames, for a 30 s film.
        plan = plan_from_proposal(proposal(3.3, 7.1, 0.4, 9.9, 10.6), brief=None, target_seconds=Fraction(30),
                                  rate=frame_rate, aspect="16:9")
        before = snapshot(service)
        applied = apply_plan(service, plan)
        shots = service.project.timeline.shots
        assert snapshot(service)[:2] == before  # untouched, to the last field
        new = shots[2:]
        assert [shot.id for shot in new] == applied.shot_ids and applied.first == 2
        assert sum(shot.spec.duration for shot in new) == seconds_to_frames(30, frame_rate)
        assert sum(shot.length for shot in new) == seconds_to_frames(30, frame_rate)
        assert [shot.name for shot in new] == [f"Scene {n}" for n in range(1, 6)]
        assert [shot.spec.prompt for shot in new] == [f"prompt {n}" for n in range(1, 6)]
        assert new[2].spec.duration == seconds_to_frames(1, frame_rate)  # 0.4 s held at a second

        assert service.undo() == "Apply a plan of 5 scenes"
        assert snapshot(service) == before
        service.redo()
        assert [shot.id for shot in service.project.timeline.shots[2:]] == applied.shot_ids


def test_a_plan_inserted_between_shots_and_transitions_that_do_not_fit(tmp_path):
    with project(tmp_path) as service:
        before = snapshot(service)
        plan = plan_from_proposal(
            proposal(1, 4, 3, transitions=[("fade_black", 2), ("dissolve", 0.5), ("fade_white", 1)]),
            brief=None, target_seconds=Fraction(8), rate=Fraction(24), aspect="9:16")
        applied = apply_plan(service, plan, at=1)
        shots = service.project.timeline.shots
        assert [shot.id for shot in shots[1:4]] == applied.shot_ids
        assert [shots[0].model_dump(), shots[4].model_dump()] == [before[0], before[1]]
        # The 2 s fade after a 1 s scene may take half of it: 12 frames.
        assert (shots[1].transition_out.kind, shots[1].transition_out.duration) == ("fade_black", 12)
        assert shots[2].transition_out.duration == 12
        # The last scene leads into the shot that was second: its fade is kept, within bounds.
        assert (shots[3].transition_out.kind, shots[3].transition_out.duration) == ("fade_white", 24)
        assert any("Scene 1's fade black was 2.00 s" in note and "0.50 s" in note for note in applied.notes)
        assert any("written for 9:16" in note for note in applied.notes)
        assert service.undo() is not None and snapshot(service) == before


def test_a_shot_before_the_plan_whose_dissolve_no_longer_fits_is_named(tmp_path):
    with project(tmp_path) as service:
        # The opening's 12-frame dissolve covers the first 6 frames of the shot after it: a 5-frame scene holds 10.
        plan = plan_from_proposal(proposal(0.2), brief=None, target_seconds=Fraction(1, 5), rate=Fraction(24),
                                  aspect="16:9")
        applied = apply_plan(service, plan, at=1)
        assert service.project.timeline.shots[1].spec.duration == 5
        assert service.project.timeline.shots[0].transition_out.duration == 10
        assert any("after shot 1 into the plan's first scene was shortened to 10 frames" in n for n in applied.notes)
        with pytest.raises(Exception, match="positions 1 to 4"):
            apply_plan(service, plan, at=9)


def test_a_plan_at_another_rate_keeps_its_seconds_and_edited_lengths_are_fitted(tmp_path):
    with project(tmp_path, "25") as service:
        plan = ScenePlan(frame_rate=Fraction(24), target_frames=240, scenes=[
            PlannedScene(prompt="a", frames=100, transition="dissolve", transition_frames=12),
            PlannedScene(prompt="b", frames=100),
            PlannedScene(prompt="c", frames=100)])  # edited by hand: 300 frames for a 240 frame target
        applied = apply_plan(service, plan)
        new = service.project.timeline.shots[2:]
        assert [shot.spec.duration for shot in new] == [84, 83, 83]  # 10 s at 25 fps, in proportion
        assert new[0].transition_out.duration == 13  # half a second at 25 fps
        assert any("added up to 12.50 s" in note for note in applied.notes)


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def chat_server():
    with OpenAIChatServer(api_key="sk-cli") as server:
        yield server


def test_foundry_plan_prints_saves_edits_and_applies(tmp_path, chat_server, capsys):
    with project(tmp_path, "30000/1001"):
        pass
    path = str(tmp_path / "film.foundry")
    save_language_model(LanguageModelSettings(base_url=chat_server.base_url, model="llama3.1", timeout_s=60))
    keyring.set_password("foundry-desktop", "assist", "sk-cli")
    brief = tmp_path / "brief.txt"
    brief.write_text("Waves hit the pier at night. A lighthouse turns. The keeper pours tea.\nTone: quiet\n")

    assert main(["plan", path, "--brief", str(brief), "--duration", "12"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 scenes, 12.01 s (360 frames at 29.970 fps), 16:9; music: quiet")
    assert "Waves Hit The Pier" in out and "lighthouse turns" in out

    assert main(["plan", path, "--brief", "A storm. A calm sea.", "--duration", "6", "--aspect", "1:1",
                 "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["aspect"] == "1:1" and saved["target_frames"] == 180 and len(saved["scenes"]) == 2
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert len(service.project.timeline.shots) == 2  # not applied without --apply

    saved["scenes"][0]["prompt"] = "A storm over a black sea, lightning"
    saved["scenes"][1]["frames"] += 30  # an edit that no longer adds up: fitted, with a note
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(saved))
    assert main(["plan", path, "--from-json", str(edited), "--apply", "--at", "2"]) == 0
    captured = capsys.readouterr()
    assert "Added shots 2 to 3" in captured.out and "they were fitted to the target" in captured.err
    with ProjectService.open(tmp_path / "film.foundry") as service:
        shots = service.project.timeline.shots
        assert [shot.spec.prompt for shot in shots] == [
            "Existing opening", "A storm over a black sea, lightning", saved["scenes"][1]["prompt"], "Existing ending"]
        assert shots[1].spec.duration + shots[2].spec.duration == 180

    edited.write_text(json.dumps({**saved, "scenes": []}))
    assert main(["plan", path, "--from-json", str(edited), "--apply"]) == 1
    assert "is not a plan foundry can apply: scenes" in capsys.readouterr().err


def test_foundry_plan_with_no_model_says_so_in_one_line_and_the_rest_works(tmp_path, capsys):
    with project(tmp_path):
        pass
    path = str(tmp_path / "film.foundry")
    assert main(["plan", path, "--brief", "A film about bread.", "--apply"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("foundry: error: No language model is set up") and err.count("\n") == 1
    plan = tmp_path / "plan.json"
    plan.write_text(ScenePlan(target_frames=48, scenes=[PlannedScene(prompt="bread", frames=48)]).model_dump_json())
    assert main(["plan", path, "--from-json", str(plan), "--apply"]) == 0  # a saved plan needs no model
    assert "1. Scene 1 — 2.00 s (48 frames)" in capsys.readouterr().out
    assert main(["info", path, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["shots"]) == 3
