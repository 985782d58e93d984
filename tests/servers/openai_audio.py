"""A test server that speaks OpenAI's transcription API (``POST /v1/audio/transcriptions``).

The real ``openai`` package talks to it with ``AsyncOpenAI(base_url=server.base_url,
api_key=...)``. The request is what ``client.audio.transcriptions.create`` sends:
multipart/form-data with ``file``, ``model``, and optionally ``response_format``
(json by default, text, verbose_json), ``timestamp_granularities[]`` (word,
segment; repeated), ``language`` (ISO-639-1) and ``prompt``.

It hears the AUDIO it is sent, deterministically: the upload is decoded with PyAV,
and each burst of tone between silences is one spoken word. A word's start and
end are the first and last samples of its burst above the silence level (in
seconds, rounded to 10 ms as whisper answers them); its text is looked up in
``vocabulary`` by the burst's pitch (the nearest frequency within 5%), so a test
that writes tones at known times and pitches knows exactly what it will hear
(tests/spoken_audio.py writes such sound). Vocabulary entries may carry
punctuation ("Hello,"): like whisper-1, the ``words`` list has the bare word and
the ``text`` and segments keep the punctuation.

Answers, as OpenAI gives them:

* ``verbose_json``: ``{"task": "transcribe", "language": "english", "duration",
  "text", "words": [{"word", "start", "end"}] (with the word granularity),
  "segments": [{"id", "seek", "start", "end", "text", "tokens", "temperature",
  "avg_logprob", "compression_ratio", "no_speech_prob"}] (with the segment
  granularity, or none asked), "usage": {"type": "duration", "seconds"}}``;
  a segment ends at a pause of half a second or after a sentence's end;
* ``json``: ``{"text", "usage"}``; ``text``: the text alone.

Models: ``whisper-1`` gives word times; ``gpt-4o-transcribe`` and
``gpt-4o-mini-transcribe`` answer json/text only and refuse verbose_json with
OpenAI's 400 — unless ``lenient=True``, where they answer ``{"text"}`` whatever is
asked, as some compatible local servers do.

Errors are OpenAI's body ``{"error": {"message", "type", "param", "code"}}``: 401
for a wrong key, 400 for an unknown model, a file format it does not take (by
the file name's extension, as OpenAI checks it) or a file it cannot decode, an
unknown language; 413 for a file over 25 MB; 429 with ``Retry-After`` and
``retry-after-ms`` (``rate_limit_next``). ``slow_next(n, seconds)`` holds the next
n transcriptions that long (beyond a client's timeout); ``slow_responses_s`` holds
every response. Counters: ``transcriptions`` (answered 200), ``heard`` (the last
answer's words as (text, start, end)), ``requests`` (every request, its form
without file bytes).
"""

from __future__ import annotations

import asyncio
import io
import string
import threading
from collections.abc import Mapping
from typing import Any

import av
import numpy as np
from aiohttp import web

from .cloud_base import CloudServer
from .openai_errors import OpenAIErrors

WORD_MODELS = ("whisper-1",)
TEXT_MODELS = ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")
FORMATS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
MAX_FILE_BYTES = 25 * 1024 * 1024
LANGUAGES = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "ja": "japanese",
             "nl": "dutch", "pt": "portuguese"}
SILENCE_LEVEL = 0.05  # samples above this are sound
WORD_GAP_S = 0.06  # a quieter stretch at least this long ends a word
SEGMENT_PAUSE_S = 0.5


class OpenAIAudioServer(OpenAIErrors, CloudServer):
    """An OpenAI-compatible /v1/audio/transcriptions on 127.0.0.1; see the module docstring."""

    rate_limit_message = "Rate limit reached for whisper-1 on requests per min (RPM): Limit 50. Please try again later."

    def __init__(
        self, api_key: str = "test-key", *, vocabulary: Mapping[float, str] | None = None, lenient: bool = False,
    ) -> None:
        super().__init__(api_key)
        self.vocabulary = dict(vocabulary or {})
        self.lenient = lenient
        self.heard: list[tuple[str, float, float]] = []
        self._slow: list[float] = []
        self._slow_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def transcriptions(self) -> int:
        with self._lock:
            return self._counts["transcriptions"]

    def slow_next(self, n: int = 1, seconds: float = 5.0) -> None:
        """Hold the next n transcription requests `seconds` before answering them."""
        with self._slow_lock:
            self._slow.extend([seconds] * n)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v1/audio/transcriptions", self._transcribe)]

    def _invalid(self, message: str, param: str | None, code: str | None = "invalid_value") -> web.Response:
        return self.error_response(400, message, param=param, code=code)

    # ----------------------------------------------------------------- the route

    async def _transcribe(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            return self._invalid("Could not parse multipart form", None, None)
        form = await request.post()
        try:
            with self._slow_lock:
                hold = self._slow.pop(0) if self._slow else 0.0
            if hold:
                await asyncio.sleep(hold)
            return await self._answer(form)
        finally:  # also when the client gave up waiting and the handler was cancelled
            for value in form.values():
                if isinstance(value, web.FileField):
                    value.file.close()

    async def _answer(self, form: Any) -> web.Response:
        upload = form.get("file")
        model = form.get("model")
        if not isinstance(upload, web.FileField):
            return self._invalid("Missing required parameter: 'file'.", "file", "missing_required_parameter")
        if not isinstance(model, str) or not model:
            return self._invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter")
        if model not in WORD_MODELS + TEXT_MODELS:
            return self._invalid(f"Invalid model {model}. The model argument should be left blank.", "model")
        response_format = form.get("response_format", "json")
        if response_format not in ("json", "text", "verbose_json"):
            return self._invalid(f"Invalid value: '{response_format}'. This test server answers 'json', 'text' "
                                 "and 'verbose_json'.", "response_format")
        if model in TEXT_MODELS and response_format == "verbose_json" and not self.lenient:
            return self._invalid(f"response_format 'verbose_json' is not compatible with model '{model}'. "
                                 "Use 'json' or 'text' instead.", "response_format", "unsupported_value")
        language = form.get("language")
        if language is not None and language not in LANGUAGES:
            return self._invalid(f"Invalid language '{language}'. Language parameter must be specified in "
                                 "ISO-639-1 format.", "language")
        extension = (upload.filename or "").rpartition(".")[2].lower()
        if extension not in FORMATS:
            return self._invalid(f"Invalid file format. Supported formats: {list(FORMATS)}", "file")
        data = upload.file.read()
        if len(data) > MAX_FILE_BYTES:
            return self.error_response(413, f"Maximum content size limit ({MAX_FILE_BYTES}) exceeded "
                                            f"({len(data)} bytes read)", param="file", code="file_too_large")
        try:
            samples, rate = await asyncio.to_thread(_decoded, data)
        except (av.FFmpegError, ValueError, IndexError):
            return self._invalid("Audio file might be corrupted or unsupported", "file")
        words = _bursts(samples, rate)
        spoken = [self._word_for(hz) for _, _, hz in words]
        timed = [(text, round(start, 2), round(end, 2)) for text, (start, end, _) in zip(spoken, words, strict=True)]
        duration = round(len(samples) / rate, 2)
        segments = _segments(timed)
        text = "".join(segment["text"] for segment in segments).strip()
        self.count("transcriptions")
        with self._lock:
            self.heard = [(_bare(text_), start, end) for text_, start, end in timed]
        usage = {"type": "duration", "seconds": max(1, round(duration))}
        if response_format == "text":
            return web.Response(text=text + "\n", content_type="text/plain")
        if model in TEXT_MODELS or response_format == "json":
            return web.json_response({"text": text, "usage": usage})
        granularities = form.getall("timestamp_granularities[]", [])
        body: dict[str, Any] = {"task": "transcribe", "language": LANGUAGES.get(language or "en", "english"),
                                "duration": duration, "text": text}
        if "word" in granularities:
            body["words"] = [{"word": _bare(word), "start": start, "end": end} for word, start, end in timed]
        if "segment" in granularities or not granularities:
            body["segments"] = segments
        body["usage"] = usage
        return web.json_response(body)

    def _word_for(self, hz: float) -> str:
        if self.vocabulary:
            nearest = min(self.vocabulary, key=lambda known: abs(known - hz))
            if abs(nearest - hz) <= 0.05 * nearest:
                return self.vocabulary[nearest]
        return "mm"


# --------------------------------------------------------------------------- hearing


def _decoded(data: bytes) -> tuple[np.ndarray, int]:
    """The upload's first audio stream as mono float samples at its own rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        raise ValueError("no audio")
    return np.concatenate(chunks), rate


def _bursts(samples: np.ndarray, rate: int) -> list[tuple[float, float, float]]:
    """(start s, end s, pitch Hz) of each run of sound between silences."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_LEVEL)
    if not loud.size:
        return []
    gaps = np.flatnonzero(np.diff(loud) > WORD_GAP_S * rate)
    firsts = np.concatenate([[loud[0]], loud[gaps + 1]])
    lasts = np.concatenate([loud[gaps], [loud[-1]]])
    bursts = []
    for first, last in zip(firsts, lasts, strict=True):
        piece = samples[first : last + 1]
        crossings = np.count_nonzero(np.diff(np.signbit(piece)))
        seconds = (last + 1 - first) / rate
        bursts.append((first / rate, (last + 1) / rate, crossings / 2 / seconds))
    return bursts


def _bare(word: str) -> str:
    return word.strip(string.punctuation + "…—–¿¡")


def _segments(timed: list[tuple[str, float, float]]) -> list[dict[str, Any]]:
    groups: list[list[tuple[str, float, float]]] = []
    for word in timed:
        if groups and word[1] - groups[-1][-1][2] < SEGMENT_PAUSE_S and not groups[-1][-1][0].endswith((".", "?", "!")):
            groups[-1].append(word)
        else:
            groups.append([word])
    return [
        {"id": number, "seek": 0, "start": group[0][1], "end": group[-1][2],
         "text": " " + " ".join(word for word, _, _ in group), "tokens": [50364 + i for i in range(len(group))],
         "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 1.2, "no_speech_prob": 0.01}
        for number, group in enumerate(groups)
    ]
