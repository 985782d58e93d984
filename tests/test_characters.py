"""Characters and style templates: the composed prompt, the fingerprint that follows it, the
project file (and its migration), undo, the CLI, and editing a character end to end."""

import asyncio
import json
import sqlite3
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.cli.main import main
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.project import Project, ProjectFormat, Shot, ShotSpec
from foundry_desktop.domain.prompt_composition import (
    compose,
    composed_prompt,
    input_image_of_spec,
    prompts_of_spec,
)
from foundry_desktop.domain.prompt_templates import (
    Character,
    ReferenceImage,
    StyleTemplate,
)
from foundry_desktop.domain.status import staleness_reasons
from foundry_desktop.errors import FoundryError, InvalidEditError
from old_schemas import undo_migrations_after
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.store import migrations

FMT = ProjectFormat(width=640, height=360, frame_rate=Fraction(24000, 1001))
MARA = Character(name="Mara", prompt_prefix="Mara, a red-haired woman,", prompt_suffix="green coat",
                 negative_prompt="extra fingers", reference_images=(ReferenceImage(path="inputs/aa/mara.png",
                                                                                   name="mara.png"),))
NOIR = StyleTemplate(name="Noir", prompt_prefix="film noir", prompt_suffix="35 mm grain;", negative_prompt="colour",
                     reference_images=(ReferenceImage(path="inputs/bb/noir.png", name="noir.png"),))


def picture(path: Path, colour=(200, 40, 40)) -> Path:
    Image.new("RGB", (64, 36), colour).save(path)
    return path


def film(*shots: Shot, characters=(MARA,), styles=(NOIR,)) -> Project:
    project = Project(format=FMT, characters=list(characters), styles=list(styles))
    project.timeline.shots.extend(shots)
    return project


# -- the composed prompt -------------------------------------------------------------


def test_the_prompt_is_composed_style_outside_character_inside():
    shot = Shot(spec=ShotSpec(prompt="  walks through the rain ", negative_prompt="blur", character=MARA.id,
                              style=NOIR.id))
    prompt, negative = composed_prompt(shot, film(shot))
    assert prompt == "film noir, Mara, a red-haired woman, walks through the rain, green coat, 35 mm grain"
    assert negative == "blur, extra fingers, colour"
    # Only a character: its words around the shot's; empty parts leave no stray commas.
    alone = Shot(spec=ShotSpec(prompt="waits", character=MARA.id))
    assert composed_prompt(alone, film(alone)) == ("Mara, a red-haired woman, waits, green coat", "extra fingers")
    only_style = Shot(spec=ShotSpec(prompt="", style=NOIR.id))
    assert composed_prompt(only_style, film(only_style)) == ("film noir, 35 mm grain", "colour")


def test_without_a_template_the_shot_sends_exactly_its_own_words():
    shot = Shot(spec=ShotSpec(prompt="  a fox,  ", negative_prompt=" blur "))
    assert composed_prompt(shot, film(shot)) == ("  a fox,  ", " blur ")
    assert compose("a", "b", None, None) == ("a", "b")


def test_the_spec_a_job_carries_composes_the_same_prompt_and_picks_the_picture():
    shot = Shot(spec=ShotSpec(prompt="walks", character=MARA.id, style=NOIR.id))
    project = film(shot)
    spec = json.loads(json.dumps(generation_spec(shot, project)))  # as stored in the jobs table
    assert prompts_of_spec(spec) == composed_prompt(shot, project)
    assert input_image_of_spec(spec) == "inputs/aa/mara.png"  # the character's, before the style's
    styled = Shot(spec=ShotSpec(prompt="walks", style=NOIR.id))
    assert input_image_of_spec(generation_spec(styled, film(styled))) == "inputs/bb/noir.png"
    own = Shot(spec=ShotSpec(prompt="walks", character=MARA.id, input_image="inputs/cc/own.png"))
    assert input_image_of_spec(generation_spec(own, film(own))) == "inputs/cc/own.png"
    plain = Shot(spec=ShotSpec(prompt="walks"))
    assert input_image_of_spec(generation_spec(plain, film(plain))) is None


# -- the fingerprint --------------------------------------------------------------------


def test_fingerprints_of_shots_without_templates_are_what_they_were_before_templates():
    """Golden values from the fingerprint code as it was before characters were stored: a project
    upgraded to templates finds every existing take still current."""
    shot = Shot(spec=ShotSpec(prompt="a lighthouse, storm", negative_prompt="blur", seed=42, duration=48,
                              params={"steps": 20}, input_image="inputs/ab/abc.png"))
    media = Shot(spec=ShotSpec(prompt="x", backend="media", input_media="takes/aa/a.mp4", seed=0, duration=10))
    for project in (Project(format=FMT), film(shot, media)):  # templates in the project change nothing for them
        assert shot_fingerprint(shot, project) == "cf1463a67b894682d5addc6bb9a346ae513a806228265bad074cbc3a8fedaf15"
        assert shot_fingerprint(media, project) == "e0472eb0ad407e8cacc4014a4b994458067ff901374fbd192f9f8408e25b59cf"


def test_editing_a_template_changes_exactly_the_fingerprints_of_its_shots():
    shots = [Shot(spec=ShotSpec(prompt="one", character=MARA.id)), Shot(spec=ShotSpec(prompt="two", style=NOIR.id)),
             Shot(spec=ShotSpec(prompt="three", character=MARA.id, style=NOIR.id)), Shot(spec=ShotSpec(prompt="four"))]
    project = film(*shots)
    before = [shot_fingerprint(shot, project) for shot in shots]

    def after(character=MARA, style=NOIR):
        changed = film(*shots, characters=(character,), styles=(style,))
        return [shot_fingerprint(shot, changed) != old for shot, old in zip(shots, before, strict=True)]

    assert after(MARA.model_copy(update={"prompt_suffix": "blue coat"})) == [True, False, True, False]
    assert after(MARA.model_copy(update={"negative_prompt": ""})) == [True, False, True, False]
    other_picture = (ReferenceImage(path="inputs/dd/other.png", name="mara.png"),)  # same name, other content
    assert after(MARA.model_copy(update={"reference_images": other_picture})) == [True, False, True, False]
    assert after(style=NOIR.model_copy(update={"prompt_prefix": "neo-noir"})) == [False, True, True, False]
    # What does not reach the generator changes nothing.
    assert after(MARA.model_copy(update={"name": "Mara Kell", "description": "the lead", "backend": "comfyui"})) == [
        False, False, False, False]
    assert after(style=NOIR.model_copy(update={"palette": ("#101010",), "keywords": ("rain",)})) == [
        False, False, False, False]


def test_stale_reasons_name_the_template():
    shot = Shot(spec=ShotSpec(prompt="walks", character=MARA.id))
    old = generation_spec(shot, film(shot))
    edited = film(shot, characters=(MARA.model_copy(update={"prompt_prefix": "Mara, older"}),))
    names = {MARA.id: "Mara", NOIR.id: "Noir"}
    assert staleness_reasons(old, generation_spec(shot, edited), names) == ("character Mara changed",)
    restyled = shot.model_copy(update={"spec": shot.spec.model_copy(update={"style": NOIR.id})})
    assert staleness_reasons(old, generation_spec(restyled, film(restyled)), names) == ("style now Noir",)
    bare = shot.model_copy(update={"spec": shot.spec.model_copy(update={"character": None})})
    assert staleness_reasons(old, generation_spec(bare, film(bare)), names) == ("character removed",)


# -- the project file ---------------------------------------------------------------------


def test_characters_and_styles_survive_reopening(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90) as service:
        mara = service.add_template("character", "Mara", description="the lead", prompt_prefix="Mara,",
                                    reference_images=(service.reference_image(picture(tmp_path / "mara.png")),),
                                    backend="builtin")
        noir = service.add_template("style", "Noir", prompt_suffix="grain", palette=("#102030",), keywords=("rain",))
        service.add_shot(prompt="walks", character="mara", style="Noir")
        saved = service.project
    with ProjectService.open(path) as service:
        assert service.project.characters == [mara] and service.project.styles == [noir]
        assert service.project.timeline.shots[0].spec.character == mara.id
        assert service.media.exists(mara.reference_images[0].path)
        assert shot_fingerprint(service.project.timeline.shots[0], service.project) == shot_fingerprint(
            saved.timeline.shots[0], saved)


def test_a_version_4_project_is_upgraded_with_a_backup_and_its_takes_stay_current(tmp_path):
    path = tmp_path / "old.foundry"
    with ProjectService.create(path, width=160, height=90) as service:
        service.add_shot(prompt="a fox", duration_seconds="0.5", seed=3)
        assert asyncio.run(generate_shots(service, default_registry())).generated == 1
    # The file as schema 4 left it: versions 5 and 6 only added tables (templates, project settings),
    # later ones columns and tables (tests/old_schemas.py).
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    undo_migrations_after(conn, 6)
    for statement in ("DROP TABLE characters", "DROP TABLE styles", "DROP TABLE project_settings",
                      "PRAGMA user_version = 4", "COMMIT"):
        conn.execute(statement)
    conn.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 4
    with ProjectService.open(path) as service:
        assert service.project.characters == [] and service.project.styles == []
        assert [status.kind for status in service.statuses()] == ["current"]
        service.add_template("character", "Mara")  # the new tables take edits
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version() == 14
    assert conn.execute("SELECT count(*) FROM characters").fetchone()[0] == 1
    conn.close()
    backup = sqlite3.connect(path.with_name("old.foundry.v4.bak"))
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 4
    assert "characters" not in {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    backup.close()


# -- edits and undo ---------------------------------------------------------------------------


def test_every_template_edit_is_one_undo_step(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90) as service:
        service.add_shot(prompt="one")
        service.add_shot(prompt="two")
        mara = service.add_template("character", "Mara", prompt_prefix="Mara,")
        service.update_shot(0, character="Mara")
        service.update_shot(1, character=mara.id)
        service.update_template("character", "mara", prompt_prefix="Mara Kell,", name="Mara Kell")
        assert service.template_usage("character") == {mara.id: [0, 1]}
        assert service.remove_template("character", "Mara Kell") == [0, 1]  # the shots lose it in the same step
        assert service.project.characters == [] and [s.spec.character for s in service.project.timeline.shots] == [
            None, None]

        assert service.undo() == "Remove character Mara Kell"
        assert [s.spec.character for s in service.project.timeline.shots] == [mara.id, mara.id]
        assert service.project.characters[0].prompt_prefix == "Mara Kell,"
        assert service.undo() == "Change character Mara"
        assert service.project.characters[0].name == "Mara"
        assert service.undo() == "Change shot 2: character"
        assert service.undo() == "Change shot 1: character"
        assert service.template_usage("character") == {mara.id: []}
        assert service.undo() == "Add character Mara"
        assert service.project.characters == []
        for _ in range(5):
            service.redo()
        assert service.project.characters == [] and service.redo_label() is None


def test_refusals_in_words(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90) as service:
        service.add_shot(prompt="one")
        with pytest.raises(InvalidEditError, match="no character called Bob; the project has no characters yet"):
            service.update_shot(0, character="Bob")
        service.add_template("character", "Mara")
        with pytest.raises(InvalidEditError, match="already a character called Mara"):
            service.add_template("character", " mara ")
        with pytest.raises(InvalidEditError, match="needs a name"):
            service.update_template("character", "Mara", name="  ")
        with pytest.raises(InvalidEditError, match=r"no style called Noir"):
            service.update_shot(0, style="Noir")
        service.add_template("style", "Mara")  # a style may share a character's name
        with pytest.raises(FoundryError, match="not an image"):
            service.reference_image(tmp_path / "film.foundry")


def test_attaching_a_template_brings_its_preferred_generator(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90) as service:
        service.add_shot(prompt="one")
        service.add_template("style", "Anime", backend="comfyui", workflow="wan-t2v")
        service.add_template("character", "Mara", model="mara-lora")
        service.update_shot(0, style="Anime", character="Mara")
        spec = service.project.timeline.shots[0].spec
        assert (spec.backend, spec.model, spec.workflow) == ("comfyui", "mara-lora", "wan-t2v")
        service.undo()
        # The creator's own choice in the same edit wins.
        service.update_shot(0, style="Anime", backend="builtin")
        assert service.project.timeline.shots[0].spec.backend == "builtin"


# -- the CLI -----------------------------------------------------------------------------------


def test_cli_characters_styles_and_shots(tmp_path, capsys):
    project = str(tmp_path / "film.foundry")
    face = str(picture(tmp_path / "mara.png"))
    assert main(["new", project, "--size", "160x90"]) == 0
    assert main(["character", "add", project, "Mara", "--prefix", "Mara,", "--negative", "extra fingers",
                 "--image", face, "--description", "the lead"]) == 0
    assert main(["style", "add", project, "Noir", "--suffix", "grain", "--palette", "#102030", "--keyword", "rain"]) == 0
    assert main(["shot", "add", project, "--prompt", "walks", "--character", "Mara", "--style", "noir"]) == 0
    assert main(["shot", "add", project, "--prompt", "street"]) == 0
    assert main(["shot", "set", project, "2", "--character", "mara"]) == 0
    capsys.readouterr()

    assert main(["character", "list", project, "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["name"], listed["prompt_prefix"], listed["reference_images"], listed["shots"]) == (
        "Mara", "Mara,", ["mara.png"], [1, 2])
    assert main(["style", "list", project]) == 0
    assert "Noir: 1 shot (1)" in capsys.readouterr().out

    assert main(["character", "set", project, "Mara", "--suffix", "green coat", "--no-images"]) == 0
    assert capsys.readouterr().out.strip() == "Changed character Mara (used by shots 1, 2)"
    assert main(["shot", "set", project, "2", "--character", ""]) == 0
    capsys.readouterr()
    assert main(["info", project, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    first, second = info["shots"]
    assert (first["character"], first["style"], first["final_prompt"], first["final_negative_prompt"]) == (
        "Mara", "Noir", "Mara, walks, green coat, grain", "extra fingers")
    assert (second["character"], second["final_prompt"]) == (None, "street")
    assert (info["characters"], info["styles"]) == (["Mara"], ["Noir"])

    assert main(["character", "remove", project, "Mara"]) == 0
    assert capsys.readouterr().out.strip() == "Removed character Mara; shot 1 no longer use it"
    assert main(["undo", project]) == 0
    capsys.readouterr()
    assert main(["shot", "set", project, "1", "--character", "Bob"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "There is no character called Bob (the project's characters: Mara)." in err


# -- end to end -----------------------------------------------------------------------------------


def test_editing_a_character_marks_exactly_its_shots_stale_with_the_reason(tmp_path):
    asyncio.run(_edit_a_character_end_to_end(tmp_path))


async def _edit_a_character_end_to_end(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90) as service:
        service.add_template("character", "Mara", prompt_prefix="Mara,",
                             reference_images=(service.reference_image(picture(tmp_path / "mara.png")),))
        service.add_template("character", "Tom", prompt_prefix="Tom,")
        service.add_template("style", "Noir", prompt_suffix="film noir")
        service.add_shot(prompt="walks", duration_seconds="0.5", character="Mara")
        service.add_shot(prompt="runs", duration_seconds="0.5", character="Tom", style="Noir")
        service.add_shot(prompt="waits", duration_seconds="0.5", character="Mara", style="Noir")
        service.add_shot(prompt="a street", duration_seconds="0.5")
        report = await generate_shots(service, default_registry())
        assert report.generated == 4 and report.failed == 0
        assert [status.kind for status in service.statuses()] == ["current"] * 4
        # What was sent: the composed prompt, and Mara's picture for her shots (the built-in
        # generator pans over a picture it is given instead of making a title card).
        takes = [service.project.selected_take(shot) for shot in service.project.timeline.shots]
        assert [take.request["prompt"] for take in takes] == [
            "Mara, walks", "Tom, runs, film noir", "Mara, waits, film noir", "a street"]
        mara_picture = Path(service.project.characters[0].reference_images[0].path).name
        assert [take.request["input_image"] for take in takes] == [mara_picture, None, mara_picture, None]
        assert [take.request["backend_info"]["generator"] for take in takes] == [
            "ken_burns", "title_card", "ken_burns", "title_card"]

        service.update_template("character", "Mara", prompt_prefix="Mara, older,")
        statuses = service.statuses()
        assert [(status.kind, status.reasons) for status in statuses] == [
            ("stale", ("character Mara changed",)), ("current", ()), ("stale", ("character Mara changed",)),
            ("current", ()),
        ]
        # A rename reaches no shot; the regenerated shots are current again, the others untouched.
        service.update_template("character", "Mara", name="Mara Kell")
        assert [status.kind for status in service.statuses()] == ["stale", "current", "stale", "current"]
        report = await generate_shots(service, default_registry())
        assert (report.generated, report.reused) == (2, 0)
        assert [status.kind for status in service.statuses()] == ["current"] * 4
        # Undoing the edit brings back the first takes, without generating.
        service.undo()
        service.undo()
        assert [status.kind for status in service.statuses()] == ["current"] * 4
