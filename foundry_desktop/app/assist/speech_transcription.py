"""Speech to words with their times, through an OpenAI-compatible transcription endpoint.

One request per piece of sound (media.speech_audio), as the openai package sends
it: `audio.transcriptions.create(model=..., response_format="verbose_json",
timestamp_granularities=["word", "segment"])`. Word times need a model that gives
them (OpenAI's whisper-1; the newer gpt-4o transcribe models answer text only, and
refuse verbose_json): a model that gives no word times is named in the error,
with the one to use instead.

The client does not retry on its own (language_model_client); this module does,
up to the settings' `attempts`: a 429 after the wait its Retry-After asks for (at
most MAX_RETRY_WAIT_S), a request that timed out, a server error (5xx). A wrong
key, an endpoint that cannot be reached, a refused file or model are said at once,
in words.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from foundry_desktop.app.assist.language_model import LanguageModelSettings, language_model_client, require_configured
from foundry_desktop.domain.captions.spoken_words import HeardWord
from foundry_desktop.errors import FoundryError
from foundry_desktop.generation.cloud.replies import reply_problem
from foundry_desktop.generation.cloud.replies.openai import TranscriptionAnswer
from foundry_desktop.media.speech_audio import SpeechPiece

if TYPE_CHECKING:
    import openai

MAX_RETRY_WAIT_S = 30.0
DEFAULT_RETRY_WAIT_S = 1.0
WORD_TIMING_MODEL = "whisper-1"


class TranscriptionError(FoundryError):
    """The transcription endpoint refused, failed or gave no word times."""


@dataclass(frozen=True)
class Transcript:
    """What was heard: the words with seconds from the start of the sound, and the text
    with its punctuation."""

    words: tuple[HeardWord, ...]
    text: str
    language: str | None


def _seconds(value: Any) -> Fraction:
    # Through the decimal text, so 1.24 is 31/25 and not the float nearest to it.
    return Fraction(str(value))


def retry_wait(exc: openai.APIStatusError) -> float:
    """The wait a 429 asks for (retry-after-ms, then Retry-After in seconds), capped."""
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(MAX_RETRY_WAIT_S, max(0.0, float(headers[name]) * scale))
        except (KeyError, TypeError, ValueError):
            continue
    return DEFAULT_RETRY_WAIT_S


def _no_word_times(model: str) -> TranscriptionError:
    return TranscriptionError(
        f"The transcription model {model!r} gives no word times, which captions need: use {WORD_TIMING_MODEL!r} "
        f"(foundry assist set --transcription-model {WORD_TIMING_MODEL}) or another model that answers "
        "verbose_json with word timestamps.")


def _refusal(exc: openai.APIStatusError, settings: LanguageModelSettings) -> TranscriptionError:
    import openai

    message = exc.body.get("message") if isinstance(exc.body, dict) else None
    message = " ".join(str(message or exc.message).split())[:300]
    model = settings.transcription_model
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return TranscriptionError(
            f"The endpoint {settings.base_url} refused the key ({message}). Set it with `foundry key set assist`.")
    if isinstance(exc, openai.NotFoundError):
        return TranscriptionError(f"The endpoint {settings.base_url} has no transcription model {model!r} "
                                  f"or no transcription service ({message}).")
    lowered = message.lower()
    if exc.status_code == 400 and ("verbose_json" in lowered or "timestamp" in lowered):
        return _no_word_times(model)
    if exc.status_code == 413:
        return TranscriptionError(f"The endpoint refused the sound as too large ({message}).")
    return TranscriptionError(f"The transcription endpoint refused the sound ({exc.status_code}: {message}).")


def _transcript(content: bytes, model: str) -> Transcript:
    """The raw answer read at the edge (the SDK does not check it): words with times, or one line."""
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        body = content.decode("utf-8", "replace")  # a server that answers plain text whatever is asked
    if isinstance(body, str):
        if body.strip():
            raise _no_word_times(model)  # text came back, but no words with times
        return Transcript((), "", None)
    try:
        answer = TranscriptionAnswer.model_validate(body)
    except ValidationError as exc:
        raise TranscriptionError(f"The transcription model {model!r} sent an answer Foundry cannot read "
                                 f"({reply_problem(exc)}).") from None
    if not answer.words:
        if answer.text.strip():
            raise _no_word_times(model)
        return Transcript((), "", answer.language)  # silence
    heard = []
    for word in answer.words:
        start, end = _seconds(word.start), _seconds(word.end)
        heard.append(HeardWord(word.word, start, max(start, end)))
    return Transcript(tuple(heard), answer.text, answer.language)


async def _transcribe_piece(
    client: openai.AsyncOpenAI, piece: SpeechPiece, settings: LanguageModelSettings, language: str | None,
) -> Transcript:
    import openai

    options: dict[str, Any] = {"language": language} if language else {}
    for attempt in range(1, settings.attempts + 1):
        last = attempt == settings.attempts
        try:
            with piece.path.open("rb") as sound:
                raw = await client.audio.transcriptions.with_raw_response.create(
                    file=sound, model=settings.transcription_model, response_format="verbose_json",
                    timestamp_granularities=["word", "segment"], **options)
        except openai.RateLimitError as exc:
            if last:
                raise TranscriptionError(f"The transcription endpoint is busy (429) after {attempt} tries; "
                                         "try again later.") from None
            await asyncio.sleep(retry_wait(exc))
        except openai.APITimeoutError:
            if last:
                raise TranscriptionError(f"The transcription endpoint did not answer within {settings.timeout_s:g} s, "
                                         f"{attempt} times.") from None
        except openai.InternalServerError as exc:
            if last:
                raise TranscriptionError(f"The transcription endpoint failed ({exc.status_code}) "
                                         f"{attempt} times.") from None
            await asyncio.sleep(DEFAULT_RETRY_WAIT_S)
        except openai.APIConnectionError:
            raise TranscriptionError(f"Cannot reach the transcription endpoint at {settings.base_url}.") from None
        except openai.APIStatusError as exc:
            raise _refusal(exc, settings) from None
        else:
            return _transcript(raw.http_response.content, settings.transcription_model)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def transcribe_pieces(
    pieces: Sequence[SpeechPiece], settings: LanguageModelSettings, *, language: str | None = None,
) -> Transcript:
    """The words of all pieces, in order, each in seconds from the start of the first piece."""
    require_configured(settings)
    client = language_model_client(settings)
    words: list[HeardWord] = []
    texts: list[str] = []
    heard_language = None
    try:
        for piece in pieces:
            transcript = await _transcribe_piece(client, piece, settings, language)
            words.extend(HeardWord(w.text, w.start + piece.offset, w.end + piece.offset) for w in transcript.words)
            texts.append(transcript.text.strip())
            heard_language = heard_language or transcript.language
    finally:
        await client.close()
    return Transcript(tuple(words), " ".join(text for text in texts if text), heard_language)
