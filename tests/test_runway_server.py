"""The Runway test server refuses what Runway refuses: one known-invalid request for every rule
taken from runwayml/sdk-python 5.13's request types (tests/data/cloud/runway_sdk_video_params.json),
the boundaries it still accepts, and the ephemeral upload flow as the SDK's uploads resource
drives it (a signed storage form, no key, the file last)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from servers.runway import DATA_URI_MAX_BYTES, RunwayServer

KEY = "test-key-123"
HEADERS = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
HTTPS = "https://example.com/a.png"
SMALL_PNG = "data:image/png;base64,iVBORw0KGgo="
I2V = {"model": "gen4_turbo", "promptImage": HTTPS, "promptText": "a valley", "ratio": "1280:720"}
T2V = {"model": "gen4.5", "promptText": "a valley", "ratio": "1280:720", "duration": 5}
VEO = {"model": "veo3.1", "promptText": "a valley", "ratio": "1280:720"}


def without(body: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in names}


def data_uri(total_chars: int) -> str:
    """A valid base64 PNG data URI of exactly `total_chars` characters (a multiple of 4 past the head)."""
    head = "data:image/png;base64,"
    payload = total_chars - len(head)
    assert payload % 4 == 0
    return head + "A" * payload


@pytest.fixture(scope="module")
def runway() -> Iterator[tuple[RunwayServer, httpx.Client]]:
    with RunwayServer(api_key=KEY, task_seconds=0.2) as server:
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=60) as client:
            yield server, client


# (endpoint, body, the issue's path: the field, or "" for a key the model does not have)
INVALID = {
    "gen4.5 text: only 16:9 and 9:16": ("text_to_video", {**T2V, "ratio": "1104:832"}, "ratio"),
    "gen4.5 text: square": ("text_to_video", {**T2V, "ratio": "960:960"}, "ratio"),
    "gen4.5: duration required": ("text_to_video", without(T2V, "duration"), "duration"),
    "gen4.5: duration 2-10": ("text_to_video", {**T2V, "duration": 11}, "duration"),
    "gen4.5: duration too short": ("text_to_video", {**T2V, "duration": 1}, "duration"),
    "duration an integer": ("text_to_video", {**T2V, "duration": 5.5}, "duration"),
    "promptText required": ("text_to_video", without(T2V, "promptText"), "promptText"),
    "promptText non-empty": ("text_to_video", {**T2V, "promptText": ""}, "promptText"),
    "promptText 1000 units": ("text_to_video", {**T2V, "promptText": "x" * 1001}, "promptText"),
    "promptText counted in UTF-16": ("text_to_video", {**T2V, "promptText": "😀" * 501}, "promptText"),
    "gen4.5 picture: promptText required": ("image_to_video", {**without(I2V, "promptText"), "model": "gen4.5",
                                                               "duration": 5}, "promptText"),
    "ratio required (gen4.5)": ("text_to_video", without(T2V, "ratio"), "ratio"),
    "Veo: no seed": ("text_to_video", {**VEO, "seed": 3}, ""),
    "Veo: 4, 6 or 8 s": ("text_to_video", {**VEO, "duration": 5}, "duration"),
    "Veo 3: 8 s required": ("text_to_video", {**VEO, "model": "veo3"}, "duration"),
    "Veo: ratios": ("text_to_video", {**VEO, "ratio": "960:960"}, "ratio"),
    "Veo: audio is a boolean": ("text_to_video", {**VEO, "audio": "yes"}, "audio"),
    "gen4_turbo has no text to video": ("text_to_video", {**T2V, "model": "gen4_turbo"}, "model"),
    "gen3a_turbo is gone": ("image_to_video", {**I2V, "model": "gen3a_turbo"}, "model"),
    "gen4_aleph is gone": ("image_to_video", {**I2V, "model": "gen4_aleph"}, "model"),
    "aleph2 is video to video": ("text_to_video", {**T2V, "model": "aleph2"}, "model"),
    "no model": ("text_to_video", without(T2V, "model"), "model"),
    "gemini_omni_flash: 16:9 or 9:16": ("text_to_video", {"model": "gemini_omni_flash", "promptText": "a",
                                                          "ratio": "960:960"}, "ratio"),
    "gemini_omni_flash: 3-10 s": ("text_to_video", {"model": "gemini_omni_flash", "promptText": "a",
                                                    "duration": 11}, "duration"),
    "gemini_omni_flash: no seed": ("image_to_video", {"model": "gemini_omni_flash", "promptImage": HTTPS,
                                                      "seed": 1}, ""),
    "seedance2_fast: 720p at most": ("text_to_video", {"model": "seedance2_fast", "promptText": "a",
                                                       "ratio": "1920:1080"}, "ratio"),
    "seedance2: 9 references": ("text_to_video", {"model": "seedance2", "promptText": "a",
                                                  "references": [{"uri": HTTPS}] * 10}, "references"),
    "seedance2: promptText 3500": ("text_to_video", {"model": "seedance2", "promptText": "x" * 3501}, "promptText"),
    "seedance2: keyframes and references not mixed": (
        "image_to_video", {"model": "seedance2", "promptImage": [{"uri": HTTPS, "position": "first"},
                                                                 {"uri": HTTPS}]}, "promptImage"),
    "seedance2: no references on image to video": (
        "image_to_video", {"model": "seedance2", "promptImage": HTTPS, "references": [{"uri": HTTPS}]}, ""),
    "happyhorse: promptText 2500": ("text_to_video", {"model": "happyhorse_1_0", "promptText": "x" * 2501},
                                    "promptText"),
    "happyhorse picture: no ratio": ("image_to_video", {"model": "happyhorse_1_0", "promptImage": HTTPS,
                                                        "ratio": "1280:720"}, ""),
    "happyhorse: resolution": ("image_to_video", {"model": "happyhorse_1_0", "promptImage": HTTPS,
                                                  "resolution": "4K"}, "resolution"),
    "promptImage required": ("image_to_video", without(I2V, "promptImage"), "promptImage"),
    "gen4_turbo: first frame only": ("image_to_video", {**I2V, "promptImage": [{"uri": HTTPS, "position": "last"}]},
                                     "promptImage"),
    "Veo 3.1: not a last frame alone": ("image_to_video", {**without(VEO, "promptText"), "promptImage": [
        {"uri": HTTPS, "position": "last"}]}, "promptImage"),
    "a position once": ("image_to_video", {**without(VEO, "promptText"), "promptImage": [
        {"uri": HTTPS, "position": "first"}, {"uri": HTTPS, "position": "first"}]}, "promptImage"),
    "https only": ("image_to_video", {**I2V, "promptImage": "http://example.com/a.png"}, "promptImage"),
    "no other scheme": ("image_to_video", {**I2V, "promptImage": "ftp://example.com/a.png"}, "promptImage"),
    "a URL of 2048 characters at most": ("image_to_video", {**I2V, "promptImage": HTTPS + "?" + "a" * 2048},
                                         "promptImage"),
    "a data URI of 5 MB at most": ("image_to_video", {**I2V, "promptImage": data_uri(DATA_URI_MAX_BYTES + 2)},
                                   "promptImage"),
    "a data URI of a picture": ("image_to_video", {**I2V, "promptImage": "data:text/plain;base64,aGk="},
                                "promptImage"),
    "a data URI that decodes": ("image_to_video", {**I2V, "promptImage": "data:image/png;base64,@@@@"},
                                "promptImage"),
    "an upload made here": ("image_to_video", {**I2V, "promptImage": "runway://ephemeral/nothing"}, "promptImage"),
    "seed 0 or more": ("image_to_video", {**I2V, "seed": -1}, "seed"),
    "seed below 2**32": ("image_to_video", {**I2V, "seed": 2**32}, "seed"),
    "contentModeration values": ("image_to_video", {**I2V, "contentModeration": {"publicFigureThreshold": "off"}},
                                 "contentModeration"),
    "no unknown field": ("image_to_video", {**I2V, "negativePrompt": "blur"}, ""),
}


@pytest.mark.parametrize(("endpoint", "body", "field"), INVALID.values(), ids=INVALID.keys())
def test_every_rule_refuses_its_known_invalid_request(runway, endpoint: str, body: dict, field: str) -> None:
    server, client = runway
    before = server.submissions
    response = client.post(f"/v1/{endpoint}", json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"].startswith("Validation of body failed:") and field in answer["error"]
    assert [issue["path"] for issue in answer["issues"]] == [[field] if field else []]
    assert server.submissions == before


ACCEPTED = {
    "gen4.5 text 9:16, 2 s": ("text_to_video", {**T2V, "ratio": "720:1280", "duration": 2, "seed": 4294967295}),
    "gen4.5 picture 4:3, 10 s": ("image_to_video", {**I2V, "model": "gen4.5", "ratio": "1104:832", "duration": 10}),
    "1000 UTF-16 units": ("text_to_video", {**T2V, "promptText": "é" * 1000}),
    "gen4_turbo without a prompt, any length": ("image_to_video", {**without(I2V, "promptText"), "duration": 7}),
    "a data URI of exactly 5 MB": ("image_to_video", {**I2V, "promptImage": data_uri(DATA_URI_MAX_BYTES - 2)}),
    "Veo 3.1 first and last, negative prompt": ("image_to_video", {**without(VEO, "promptText"), "duration": 8,
        "negativePrompt": "", "promptImage": [{"uri": HTTPS, "position": "first"},
                                              {"uri": HTTPS, "position": "last"}]}),
    "seedance2 references": ("text_to_video", {"model": "seedance2", "promptText": "a", "ratio": "3840:2160",
                                               "duration": 15, "references": [{"uri": SMALL_PNG}] * 9}),
    "seedance2 reference pictures on image to video": ("image_to_video", {"model": "seedance2", "promptImage": [
        {"uri": HTTPS}, {"uri": HTTPS}]}),
    "happyhorse picture, empty prompt": ("image_to_video", {"model": "happyhorse_1_0", "promptImage": SMALL_PNG,
                                                            "promptText": ""}),
    "gemini_omni_flash text, no ratio": ("text_to_video", {"model": "gemini_omni_flash", "promptText": "a"}),
}


@pytest.mark.parametrize(("endpoint", "body"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_the_sdk_allows_is_accepted(runway, endpoint: str, body: dict) -> None:
    server, client = runway
    response = client.post(f"/v1/{endpoint}", json=body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"id"}


def picture(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def start_upload(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/v1/uploads", json={"filename": "input.png", "type": "ephemeral", **body})


def test_an_ephemeral_upload_as_the_sdk_makes_it(runway) -> None:
    server, client = runway
    started = start_upload(client)
    assert started.status_code == 200
    place = started.json()
    assert set(place) == {"uploadUrl", "fields", "runwayUri"} and place["runwayUri"].startswith("runway://")
    # Named before its file has arrived: refused.
    early = client.post("/v1/image_to_video", json={"model": "happyhorse_1_0", "promptImage": place["runwayUri"]})
    assert early.status_code == 400 and "upload" in early.json()["error"]
    sent = httpx.post(place["uploadUrl"], data=place["fields"], files={"file": ("input.png", picture(90, 160),
                                                                                "image/png")})
    assert sent.status_code == 201 and b"<PostResponse>" in sent.content  # success_action_status 201
    created = client.post("/v1/image_to_video", json={"model": "happyhorse_1_0", "promptImage": place["runwayUri"]})
    assert created.status_code == 200
    task = next(t for t in server.tasks if t.id == created.json()["id"])
    assert (task.width, task.height) == (90, 160)  # HappyHorse keeps the picture's shape


def test_the_upload_form_is_checked_as_a_storage_host_checks_it(runway) -> None:
    _, client = runway
    assert start_upload(client, type="permanent").status_code == 400
    assert start_upload(client, filename="").status_code == 400
    assert start_upload(client, public=True).status_code == 400
    place = start_upload(client).json()
    png = ("input.png", picture(16, 16), "image/png")
    refusals = {
        "the API key sent along": httpx.post(place["uploadUrl"], data=place["fields"], files={"file": png},
                                             headers={"Authorization": f"Bearer {KEY}"}),
        "a field changed": httpx.post(place["uploadUrl"], data={**place["fields"], "x-amz-signature": "0" * 64},
                                      files={"file": png}),
        "a field left out": httpx.post(place["uploadUrl"], data=without(place["fields"], "policy"),
                                       files={"file": png}),
        "no file": httpx.post(place["uploadUrl"], data=place["fields"], files={"other": png}),
        "the file not last": httpx.post(place["uploadUrl"], files=[
            ("file", png), *((name, (None, value)) for name, value in place["fields"].items())]),
        "not a media file": httpx.post(place["uploadUrl"], data=place["fields"],
                                       files={"file": ("notes.txt", b"hello", "text/plain")}),
    }
    for why, answer in refusals.items():
        assert answer.status_code in (400, 403), why
        assert answer.headers["content-type"].startswith("application/xml") and b"<Code>" in answer.content, why


def test_the_rules_are_the_sdks_own_copy() -> None:
    """The rules file names its origin and licence, and lists the SDK's video models per endpoint."""
    rules = json.loads((Path(__file__).parent / "data" / "cloud" / "runway_sdk_video_params.json").read_text())
    assert "runwayml/sdk-python 5.13.0" in rules["_origin"] and "Apache-2.0" in rules["_licence"]
    assert sorted(rules["text_to_video"]) == sorted(["gen4.5", "veo3.1", "veo3.1_fast", "happyhorse_1_0", "seedance2",
                                                     "seedance2_fast", "seedance2_mini", "gemini_omni_flash", "veo3"])
    assert sorted(rules["image_to_video"]) == sorted([*rules["text_to_video"], "gen4_turbo"])
