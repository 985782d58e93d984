"""Mood boards from a brief against the OpenAI-compatible test server: style directions through
structured output (asked again when loose), reference pictures through the images endpoint
(base64 or URL, after a 429), stored in the project's media folder; without a picture model,
directions without pictures and a note; a chosen look becomes a style template."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from PIL import Image
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.assist.structured_requests import AssistError
from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.app.assist.mood_boards import propose_mood_board
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.planning.scene_plan import Brief

BRIEF = Brief(text="Handmade ceramic mugs, thrown and glazed in a seaside workshop.", subject="Tidewater Pottery")


@pytest.fixture(autouse=True)
def key_store(password_store):
    password_store.set_password("foundry-desktop", "assist", "sk-mood")


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "mugs.foundry", width=320, height=180) as service:
        yield service


def settings_for(server, **changes):
    # The timeout of a try only stops a broken test hanging: a slow machine never comes near it.
    return LanguageModelSettings(**{"base_url": server.base_url, "model": "gpt-4o-mini",
                                    "image_model": "gpt-image-2", "timeout_s": 60, **changes})


@pytest.mark.parametrize("image_urls", [False, True])
def test_directions_with_pictures_in_the_media_folder(service, image_urls):
    with OpenAIChatServer(api_key="sk-mood", image_urls=image_urls) as server:
        server.answer_next("loose")  # a palette that is not hex colours: shown back, asked again
        server.rate_limit_next(1, retry_after_s=0.2, only="/v1/images")
        board = asyncio.run(propose_mood_board(settings_for(server), BRIEF, service.media, directions=4,
                                               pictures_each=2, aspect="9:16"))
        assert server.completions == 2 and server.images == 8
        image_requests = server.requests_to("POST", "/v1/images/generations")
        assert [r.status for r in image_requests] == [429, 200, 200, 200, 200]
        assert {r.json["size"] for r in image_requests} == {"1024x1536"}
    assert [entry.direction.name for entry in board.directions] == [
        "Warm Documentary", "Bold Graphic", "Dreamlike Pastel", "Noir Contrast"]
    palettes = [entry.direction.palette for entry in board.directions]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for palette in palettes for colour in palette)
    assert len({tuple(palette) for palette in palettes}) == 4
    assert board.directions[0].direction.keywords == ["warm", "tidewater", "handmade", "workshop", "ceramic"]
    pictures = [path for entry in board.directions for path in entry.pictures]
    assert len(pictures) == 8 and len(set(pictures)) == 8  # other prompts, other pictures
    for relative in pictures:
        assert relative.startswith("moodboards/")
        with Image.open(service.media.path_of(relative)) as picture:
            assert picture.format == "PNG" and picture.size[1] > picture.size[0]  # portrait, as asked
    assert board.notes == []


def test_no_picture_model_gives_directions_without_pictures_and_a_wrong_one_says_so(service):
    with OpenAIChatServer(api_key="sk-mood") as server:
        board = asyncio.run(propose_mood_board(settings_for(server, image_model=None), BRIEF, service.media))
        assert len(board.directions) == 3 and all(entry.pictures == [] for entry in board.directions)
        assert "No picture model is set up" in board.notes[0] and server.images == 0
        with pytest.raises(AssistError, match=r"does not offer 'dall-e-9'.*--image-model"):
            asyncio.run(propose_mood_board(settings_for(server, image_model="dall-e-9"), BRIEF, service.media))


def test_a_chosen_look_becomes_a_style_with_its_pictures_and_stales_nothing(tmp_path, monkeypatch, capsys):
    project = tmp_path / "mugs.foundry"
    with ProjectService.create(project, width=320, height=180) as service:
        service.add_shot(prompt="A mug on the wheel")
    with OpenAIChatServer(api_key="sk-mood") as server:
        monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
        assert main(["assist", "set", "--base-url", server.base_url, "--model", "gpt-4o-mini",
                     "--image-model", "gpt-image-2"]) == 0
        capsys.readouterr()
        assert main(["moodboard", str(project), "--brief", BRIEF.text, "--json"]) == 0
    saved = tmp_path / "board.json"
    saved.write_text(capsys.readouterr().out)
    looks = json.loads(saved.read_text())["directions"]
    assert len(looks) == 3 and all(len(look["pictures"]) == 2 for look in looks)

    assert main(["moodboard", str(project), "--from-json", str(saved), "--choose", "2"]) == 0
    assert main(["moodboard", str(project), "--from-json", str(saved), "--choose", "2"]) == 0  # chosen twice
    with ProjectService.open(project) as service:
        styles = service.project.styles
        assert [style.name for style in styles] == [looks[1]["name"], f"{looks[1]['name']} 2"]
        style = styles[0]
        assert (style.prompt_prefix, list(style.palette), list(style.keywords)) == (
            looks[1]["prompt_prefix"], looks[1]["palette"], looks[1]["keywords"])
        assert [image.path for image in style.reference_images] == looks[1]["pictures"]
        assert all(service.media.exists(image.path) for image in style.reference_images)
        shot = service.project.timeline.shots[0]
        assert shot.spec.style is None  # a new style is there to attach; it changes no shot by itself
        service.undo()
        assert len(service.project.styles) == 1
    assert main(["moodboard", str(project), "--from-json", str(saved), "--choose", "9"]) == 1
    assert "no look 9" in capsys.readouterr().err
