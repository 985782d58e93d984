"""Asking the language model for a scene plan, through the real openai package, against an
OpenAI-compatible chat server on 127.0.0.1 (tests/servers/openai_chat.py): a good plan; a model
that first answers loosely; a 429; a timeout; a wrong key, an unknown model, a server that is
down, a refusal; and no model set up at all."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import keyring
import pytest
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.assist.structured_requests import AssistError
from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    NoLanguageModelError,
)
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.domain.planning.scene_plan import Brief, ProposedPlan
from foundry_desktop.domain.time import seconds_to_frames

BRIEF = Brief(
    text="A bakery opens at dawn. The baker kneads dough by hand, flour in the air. Customers queue in the rain. "
         "A child bites into a warm croissant and smiles.",
    subject="Maison Levain, a neighbourhood bakery",
    tone="gentle, morning calm",
    visual_style="35mm film, warm window light",
)


@pytest.fixture
def server():
    with OpenAIChatServer(api_key="sk-test-assist", slow_s=3.0) as server:
        yield server


@pytest.fixture(autouse=True)
def key_store(password_store):
    password_store.set_password("foundry-desktop", "assist", "sk-test-assist")


# A try's timeout where a test is about timeouts: far beyond a local answer (milliseconds, even on
# a loaded machine), so that only an answer held back on purpose runs into it. Elsewhere the
# timeout only stops a broken test hanging.
TRY_TIMEOUT_S = 2.0
WAIT_S = 60


def settings_for(server, **changes) -> LanguageModelSettings:
    return LanguageModelSettings(**{"base_url": server.base_url, "model": "gpt-4o-mini", "timeout_s": WAIT_S,
                                    **changes})


def ask(settings, seconds=30, rate=Fraction(24), aspect="16:9", brief=BRIEF):
    return asyncio.run(propose_plan(settings, PlanRequest(brief, Fraction(seconds), rate, aspect)))


@pytest.mark.parametrize("rate", [Fraction(24), Fraction(25), Fraction(30000, 1001)])
def test_a_plan_from_the_brief_adds_up_exactly_to_the_target_in_frames(server, rate):
    plan = ask(settings_for(server), seconds=30, rate=rate, aspect="9:16")
    target = seconds_to_frames(30, rate)
    assert plan.target_frames == target and sum(scene.frames for scene in plan.scenes) == target
    assert plan.frame_rate == rate and plan.aspect == "9:16" and plan.brief == BRIEF
    # The planner wrote one scene per sentence of the brief it was sent (the subject line is one too).
    assert [scene.description for scene in plan.scenes] == [
        "A bakery opens at dawn.", "The baker kneads dough by hand, flour in the air.", "Customers queue in the rain.",
        "A child bites into a warm croissant and smiles.", "Subject: Maison Levain, a neighbourhood bakery"]
    assert all(scene.prompt.endswith("35mm film, warm window light") for scene in plan.scenes)
    assert plan.music_mood == "gentle, morning calm"
    assert [(s.transition, s.transition_frames) for s in plan.scenes][:2] == [
        ("cut", 0), ("dissolve", seconds_to_frames(Fraction(1, 2), rate))]
    # What went over the wire: structured output with the plan's schema, the aspect, the key.
    (request,) = server.requests_to("POST", "/v1/chat/completions")
    body = request.json
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "ProposedPlan"
    assert set(body["response_format"]["json_schema"]["schema"]["properties"]) == {"scenes", "music_mood"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Target duration: 30 seconds." in body["messages"][1]["content"]
    assert "9:16 (vertical" in body["messages"][1]["content"]
    assert server.completions == 1


def test_durations_that_do_not_add_up_are_fitted_in_proportion_with_a_note(server):
    server.duration_scale = 1.25  # the model's scenes add up to 37.5 s for a 30 s film
    plan = ask(settings_for(server), seconds=30, rate=Fraction(25))
    assert sum(scene.frames for scene in plan.scenes) == 750
    assert any("added up to 37" in note and "fitted to 30 s" in note for note in plan.notes)
    asked = [scene["duration_seconds"] for scene in _answer_durations(server)]
    order = sorted(range(len(asked)), key=lambda i: asked[i])
    assert [plan.scenes[i].frames for i in order] == sorted(scene.frames for scene in plan.scenes)


def _answer_durations(server) -> list[dict]:
    """The durations the planner wrote for the last request, by asking it the same again."""
    return server._plan(server.requests[-1].json["messages"][1]["content"])["scenes"]


@pytest.mark.parametrize("first_answer", ["prose", "truncated", "loose"])
def test_a_loose_answer_is_shown_back_with_the_problem_and_asked_again(server, first_answer):
    server.answer_next(first_answer)
    plan = ask(settings_for(server))
    assert sum(scene.frames for scene in plan.scenes) == 720
    assert server.completions == 2
    first, second = (r.json for r in server.requests_to("POST", "/v1/chat/completions"))
    assert len(first["messages"]) == 2 and len(second["messages"]) == 4
    assistant, correction = second["messages"][2:]
    assert assistant["role"] == "assistant" and assistant["content"]  # its own answer, shown back
    assert correction["role"] == "user" and correction["content"].startswith("That answer cannot be read:")
    if first_answer == "loose":
        assert "scenes.0.prompt: Field required" in correction["content"]
        assert "duration_seconds" in correction["content"]
    else:
        assert "JSON" in correction["content"]


def test_still_loose_after_every_try_is_one_clear_error(server):
    server.answer_next("prose", "loose", "truncated")
    with pytest.raises(AssistError, match=r"gave no usable answer for a scene plan: its answer did not have the "
                                            r"shape asked for") as failure:
        ask(settings_for(server, attempts=3))
    assert "\n" not in str(failure.value) and server.completions == 3


def test_a_429_waits_its_retry_after_then_succeeds(server):
    server.rate_limit_next(1, retry_after_s=1.2)
    started = time.monotonic()
    plan = ask(settings_for(server))
    assert time.monotonic() - started >= 1.2
    statuses = [r.status for r in server.requests_to("POST", "/v1/chat/completions")]
    assert statuses == [429, 200] and plan.scenes


def test_a_server_still_busy_after_every_try_says_so(server):
    server.rate_limit_next(2, retry_after_s=0.1)
    with pytest.raises(AssistError, match=r"the server was busy \(429\) 2 times"):
        ask(settings_for(server, attempts=2))
    assert len(server.requests_to("POST", "/v1/chat/completions")) == 2


def test_a_timeout_is_tried_again_and_after_every_try_it_fails_clearly(server):
    server.slow_s = 3600  # a slow answer never comes in time: the plan is the second try's
    server.answer_next("slow")
    started = time.monotonic()
    plan = ask(settings_for(server, timeout_s=TRY_TIMEOUT_S))
    assert plan.scenes and time.monotonic() - started >= TRY_TIMEOUT_S
    assert len(server.requests_to("POST", "/v1/chat/completions")) == 2

    server.answer_next("slow", "slow")
    with pytest.raises(AssistError, match=r"no answer within 2 s, 2 times") as failure:
        ask(settings_for(server, timeout_s=TRY_TIMEOUT_S, attempts=2))
    assert "\n" not in str(failure.value)
    assert len(server.requests_to("POST", "/v1/chat/completions")) == 4


def test_a_wrong_key_an_unknown_model_a_refusal_and_a_server_that_is_down(server):
    keyring.set_password("foundry-desktop", "assist", "sk-wrong-key-0000")
    with pytest.raises(AssistError, match=r"refused the key: set the right one with `foundry key set assist`"):
        ask(settings_for(server))
    assert [r.status for r in server.requests] == [401]  # not asked again with the same wrong key
    keyring.set_password("foundry-desktop", "assist", "sk-test-assist")

    with pytest.raises(AssistError, match=r"does not offer 'gpt-9'.*does not exist.*foundry assist set --model"):
        ask(settings_for(server, model="gpt-9"))

    server.answer_next("refuse")
    with pytest.raises(AssistError, match=r"would not write a scene plan: I'm sorry"):
        ask(settings_for(server))

    down = settings_for(server)
    server.stop()
    with pytest.raises(AssistError, match=r"cannot be reached: is it running"):
        ask(down)


def test_with_no_model_set_up_it_says_so_in_one_line_and_asks_nothing(server):
    with pytest.raises(NoLanguageModelError, match="foundry assist set") as refused:
        ask(LanguageModelSettings())
    assert "\n" not in str(refused.value)
    with pytest.raises(NoLanguageModelError):
        ask(LanguageModelSettings(base_url=server.base_url))  # an endpoint but no chat model
    assert server.requests == []


def test_the_schema_sent_is_the_one_the_answer_is_read_with():
    schema = ProposedPlan.model_json_schema()
    scene = schema["$defs"]["ProposedScene"]
    assert scene["properties"]["transition"]["enum"] == ["cut", "dissolve", "fade_black", "fade_white"]
    assert set(scene["required"]) == {"title", "description", "prompt", "duration_seconds", "transition",
                                      "transition_seconds"}
