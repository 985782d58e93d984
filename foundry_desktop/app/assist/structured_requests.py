"""Requests to the creative assist's language model that come back in the shape asked for, or
fail in one line a creator can act on.

A structured answer is `chat.completions.parse` with a pydantic model as the
response format (JSON-schema structured output; local servers that ignore the
schema still get it described in the caller's system prompt), validated by
pydantic. Models answer loosely and servers get busy or slow, so asking is a
loop of up to `settings.attempts` tries:

* an answer that is not the JSON asked for (prose, cut short, wrong fields) is
  shown back to the model with pydantic's complaint, and asked again;
* a 429 waits its Retry-After (capped), a timeout or a 5xx tries again;
* a wrong key, an unknown model, a server that cannot be reached and a refusal
  end it at once, each with its own message.

Other requests (pictures for mood boards) use the same retries through
`with_retries`. Every final failure is an AssistError.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.errors import FoundryError
from foundry_desktop.generation.cloud.replies import reply_problem
from foundry_desktop.generation.cloud.replies.openai import ChatAnswer

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

# A server that asks for a longer pause than this is as good as down for someone waiting at a dialog.
MAX_RETRY_AFTER_S = 60.0
SERVER_ERROR_PAUSE_S = 1.0


class AssistError(FoundryError):
    """The language model could not give what was asked: the server refused, could not be
    reached, or kept answering late or in another shape."""


async def ask_structured[T: BaseModel](settings: LanguageModelSettings, client: openai.AsyncOpenAI,
                                       messages: list[dict[str, Any]], shape: type[T], *, what: str) -> T:
    """The model's answer to `messages`, parsed into `shape`, asking again as the module docstring
    says. `what` names the answer in messages ("a scene plan")."""
    import openai

    messages = list(messages)
    endpoint = f"{settings.model} at {settings.base_url}"
    last_problem = ""
    for attempt in range(1, settings.attempts + 1):
        try:
            raw = await client.chat.completions.with_raw_response.parse(
                model=settings.model, messages=messages, response_format=shape)
        except openai.OpenAIError as exc:
            pause, last_problem = _pause_before_retry(exc, settings, attempt)
            if attempt < settings.attempts:
                await asyncio.sleep(pause)
            continue
        try:  # read here, not by the SDK, which does not check the answer's own shape
            choice = ChatAnswer.model_validate_json(raw.http_response.content).choices[0]
        except ValidationError as exc:  # a proxy's page, a broken server: ask again
            last_problem = f"its answer was not a chat completion ({reply_problem(exc)})"
            continue
        if choice.finish_reason == "content_filter":
            raise AssistError(f"The model would not write {what}: its content filter stopped it. Reword the brief.")
        if choice.message.refusal:
            raise AssistError(f"The model would not write {what}: {' '.join(choice.message.refusal.split())[:300]}")
        if choice.finish_reason == "length":
            last_problem = "its answer was cut short"
            messages.append({"role": "user", "content": "Your answer was cut short. Answer again, more briefly, "
                                                        "with the whole JSON object."})
            continue
        content = choice.message.content or ""
        if not content.strip():
            last_problem = "its answer was empty"
            messages.append({"role": "user", "content": "Your answer was empty. Answer with the JSON object."})
            continue
        try:
            return shape.model_validate_json(content)
        except ValidationError as exc:
            last_problem = f"its answer did not have the shape asked for ({_problems(exc, most=1)})"
            logger.info("%s: loose answer (try %d): %s", endpoint, attempt, _problems(exc, most=1))
            messages += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": "That answer cannot be read: " + _problems(exc) + ". Answer again "
                                            "with only the JSON object, matching the schema exactly."},
            ]
    raise AssistError(f"The language model ({endpoint}) gave no usable answer for {what}: {last_problem}.")


async def with_retries[T](settings: LanguageModelSettings, call: Callable[[], Awaitable[T]], *, what: str,
                          model: str | None = None) -> T:
    """`call()`'s result, tried again after a 429, a timeout or a 5xx, up to settings.attempts;
    `model` is the one `call` uses, when not the chat model (for the message if it is unknown)."""
    import openai

    last_problem = ""
    for attempt in range(1, settings.attempts + 1):
        try:
            return await call()
        except openai.OpenAIError as exc:
            pause, last_problem = _pause_before_retry(exc, settings, attempt, model)
            if attempt < settings.attempts:
                await asyncio.sleep(pause)
    raise AssistError(f"The assist's server ({settings.base_url}) gave no {what}: {last_problem}.")


def _pause_before_retry(exc: Exception, settings: LanguageModelSettings, attempt: int,
                        model: str | None = None) -> tuple[float, str]:
    """For a failure worth another try: how long to wait, and what went wrong in words (for the
    message after the last try). Any other failure is raised as the AssistError that explains it."""
    import openai

    tries = f"{settings.attempts} time{'s' if settings.attempts != 1 else ''}"
    if isinstance(exc, openai.RateLimitError):
        pause = min(_retry_after_s(exc.response), MAX_RETRY_AFTER_S)
        logger.info("%s: 429, waiting %.1f s (try %d)", settings.base_url, pause, attempt)
        return pause, f"the server was busy (429) {tries}"
    if isinstance(exc, openai.APITimeoutError):
        logger.info("%s: no answer within %g s (try %d)", settings.base_url, settings.timeout_s, attempt)
        return 0.0, f"no answer within {settings.timeout_s:g} s, {tries}"
    if isinstance(exc, openai.InternalServerError):
        return SERVER_ERROR_PAUSE_S * attempt, f"the server failed ({exc.status_code}) {tries}"
    if isinstance(exc, openai.AuthenticationError):
        raise AssistError(f"The language model's server ({settings.base_url}) refused the key: set the right one "
                          "with `foundry key set assist`.") from None
    if isinstance(exc, openai.NotFoundError):
        option = "--image-model" if model else "--model"
        raise AssistError(f"The language model's server does not offer '{model or settings.model}' "
                          f"({_server_message(exc)}); choose another with `foundry assist set {option}`.") from None
    if isinstance(exc, openai.APIStatusError):
        raise AssistError(f"The language model's server refused the request: {_server_message(exc)}") from None
    if isinstance(exc, openai.APIConnectionError):
        raise AssistError(f"The language model's server at {settings.base_url} cannot be reached: is it running, "
                          "and is the address right (`foundry assist show`)?") from None
    raise AssistError(f"The language model's answer could not be read: {exc}") from None


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


def _problems(exc: ValidationError, most: int = 8) -> str:
    errors = exc.errors()
    shown = []
    for error in errors[:most]:
        where = ".".join(str(part) for part in error["loc"])
        shown.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    return "; ".join(shown) + more
