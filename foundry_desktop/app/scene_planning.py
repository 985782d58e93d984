"""Asking the language model for a scene plan, and getting one in the shape asked for.

One request is `chat.completions.parse` with the plan's pydantic model as the
response format (JSON schema structured output; local servers that ignore the
schema still get it described in the system prompt). The answer is validated
by pydantic; the model's durations are then fitted to the target in frames
(domain.scene_plan). Models answer loosely, servers get busy and slow, so the
asking is a loop of up to `settings.attempts` tries:

* an answer that is not the JSON asked for (prose, cut short, wrong fields) is
  shown back to the model with pydantic's complaint, and asked again;
* a 429 waits its Retry-After (capped), a timeout or a 5xx tries again;
* a wrong key, an unknown model, a server that cannot be reached and a refusal
  end it at once, each with its own message.

Every final failure is a PlanningError (a FoundryError) in one line a creator
can act on; with no model set up, NoLanguageModelError says how to set one up.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from foundry_desktop.app.language_model import (
    LanguageModelSettings,
    language_model_client,
    require_configured,
)
from foundry_desktop.domain.scene_plan import (
    ASPECTS,
    Aspect,
    Brief,
    ProposedPlan,
    ScenePlan,
    plan_from_proposal,
)
from foundry_desktop.errors import FoundryError

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

# A server that asks for a longer pause than this is as good as down for someone waiting at a dialog.
MAX_RETRY_AFTER_S = 60.0
SERVER_ERROR_PAUSE_S = 1.0

SYSTEM_PROMPT = """\
You plan short films for a creator who makes each shot with a text-to-video model.
From the creator's brief, write a scene plan: the scenes in the order they play, and the mood of the music.

For each scene give:
- title: a few words;
- description: what happens, and what it says about the subject or the key messages;
- prompt: the text-to-video prompt for that one shot, in concrete visual words: subject, action, setting, \
camera (framing and movement), light, colour and style. Keep people, products and style the same from scene to \
scene. No on-screen text unless the brief asks for it;
- duration_seconds: how long it lasts. The durations must add up to the target duration. Prefer 2 to 8 seconds \
a scene (video models make short clips);
- transition: how it hands over to the next scene: "cut", "dissolve", "fade_black" or "fade_white";
- transition_seconds: its length, 0 for a cut, usually 0.5 to 1.5 otherwise.

Frame every shot for the aspect given. Answer with the JSON object only, matching this schema:
{schema}"""


class PlanningError(FoundryError):
    """The language model could not give a plan: the server refused, could not be reached,
    or kept answering in another shape."""


@dataclass(frozen=True)
class PlanRequest:
    brief: Brief
    target_seconds: Fraction
    frame_rate: Fraction
    aspect: Aspect = "16:9"

    def in_words(self) -> str:
        """The user message. The brief sits between triple quotes, so that nothing in it reads as
        an instruction of ours, and the target has a line of its own."""
        _, _, framing = ASPECTS[self.aspect]
        return (f'The brief:\n"""\n{self.brief.in_words()}\n"""\n'
                f"Target duration: {float(self.target_seconds):g} seconds.\n"
                f"Aspect: {self.aspect} ({framing}).")


async def propose_plan(settings: LanguageModelSettings, request: PlanRequest,
                       client: openai.AsyncOpenAI | None = None) -> ScenePlan:
    """The model's plan for `request`, in frames adding up to the target; see the module docstring."""
    require_configured(settings, chat=True)
    if request.target_seconds <= 0:
        raise PlanningError("A plan needs a target duration above zero seconds.")
    client = client or language_model_client(settings)
    proposal = await ask_structured(settings, client, [
        {"role": "system", "content": SYSTEM_PROMPT.format(schema=json.dumps(ProposedPlan.model_json_schema()))},
        {"role": "user", "content": request.in_words()},
    ], ProposedPlan, what="a scene plan")
    try:
        return plan_from_proposal(proposal, brief=request.brief, target_seconds=request.target_seconds,
                                  rate=request.frame_rate, aspect=request.aspect)
    except (ValueError, ValidationError) as exc:  # DomainError is a ValueError
        raise PlanningError(f"The model's plan cannot be used: {exc}") from None


async def ask_structured[T](settings: LanguageModelSettings, client: openai.AsyncOpenAI,
                            messages: list[dict[str, Any]], shape: type[T], *, what: str) -> T:
    """The model's answer to `messages`, parsed into `shape` (a pydantic model), asking again as
    the module docstring says. `what` names the answer in messages ("a scene plan")."""
    import openai

    messages = list(messages)
    endpoint = f"{settings.model} at {settings.base_url}"
    last_problem = ""
    for attempt in range(1, settings.attempts + 1):
        started, raw = time.monotonic(), None
        try:
            raw = await client.chat.completions.with_raw_response.parse(
                model=settings.model, messages=messages, response_format=shape)
            completion = raw.parse()
        except openai.RateLimitError as exc:
            pause = min(_retry_after_s(exc.response), MAX_RETRY_AFTER_S)
            last_problem = f"the server was busy (429) {settings.attempts} times"
            logger.info("%s: 429, waiting %.1f s (try %d)", endpoint, pause, attempt)
            if attempt < settings.attempts:
                await asyncio.sleep(pause)
            continue
        except openai.APITimeoutError:
            last_problem = f"no answer within {settings.timeout_s:g} s, {settings.attempts} times"
            logger.info("%s: no answer after %.1f s (try %d)", endpoint, time.monotonic() - started, attempt)
            continue
        except openai.AuthenticationError:
            raise PlanningError(f"The language model's server ({settings.base_url}) refused the key: set the right "
                                "one with `foundry key set assist`.") from None
        except openai.PermissionDeniedError as exc:
            raise PlanningError(f"The language model's server refused: {_server_message(exc)}") from None
        except openai.NotFoundError as exc:
            raise PlanningError(f"The language model's server does not offer '{settings.model}' "
                                f"({_server_message(exc)}); choose another with `foundry assist set --model`."
                                ) from None
        except openai.BadRequestError as exc:
            raise PlanningError(f"The language model's server refused the request: {_server_message(exc)}") from None
        except openai.InternalServerError as exc:
            last_problem = f"the server failed ({exc.status_code}) {settings.attempts} times"
            if attempt < settings.attempts:
                await asyncio.sleep(SERVER_ERROR_PAUSE_S * attempt)
            continue
        except openai.APIConnectionError:
            raise PlanningError(f"The language model's server at {settings.base_url} cannot be reached: is it "
                                "running, and is the address right (`foundry assist show`)?") from None
        except openai.ContentFilterFinishReasonError:
            raise PlanningError(f"The model would not write {what}: its content filter stopped it. Reword the "
                                "brief.") from None
        except openai.LengthFinishReasonError:
            last_problem = "its answer was cut short"
            messages.append({"role": "user", "content": "Your answer was cut short. Answer again, more briefly, "
                                                        "with the whole JSON object."})
            continue
        except ValidationError as exc:
            answer = _answer_text(raw)
            last_problem = f"its answer did not have the shape asked for ({_first_problem(exc)})"
            logger.info("%s: loose answer (try %d): %s", endpoint, attempt, _first_problem(exc))
            messages += [
                {"role": "assistant", "content": answer or ""},
                {"role": "user", "content": "That answer cannot be read: " + _problems(exc) + ". Answer again "
                                            "with only the JSON object, matching the schema exactly."},
            ]
            continue
        message = completion.choices[0].message
        if message.refusal:
            raise PlanningError(f"The model would not write {what}: {message.refusal.strip()}")
        if message.parsed is None:
            last_problem = "its answer was empty"
            messages.append({"role": "user", "content": "Your answer was empty. Answer with the JSON object."})
            continue
        return message.parsed
    raise PlanningError(f"The language model ({endpoint}) gave no usable answer for {what}: {last_problem}.")


def _retry_after_s(response: Any) -> float:
    """How long the server asked us to wait: retry-after-ms (OpenAI's), else Retry-After in seconds
    or as an HTTP date; a second when it said nothing usable."""
    headers = response.headers
    try:
        return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when.timestamp() - time.time())


def _server_message(exc: openai.APIStatusError) -> str:
    """The server's own words: OpenAI's error.message, or the plain error string local servers send."""
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else body
    if isinstance(message, str) and message.strip():
        return message.strip().rstrip(".") + "."
    return f"HTTP {exc.status_code}."


def _answer_text(raw: Any) -> str:
    """What the model said, from the raw response, for showing it back to the model."""
    try:
        return raw.http_response.json()["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def _problems(exc: ValidationError, most: int = 8) -> str:
    errors = exc.errors()
    shown = []
    for error in errors[:most]:
        where = ".".join(str(part) for part in error["loc"])
        shown.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    return "; ".join(shown) + more
