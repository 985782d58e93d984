"""A test server that speaks OpenAI's chat completions (``POST /v1/chat/completions``), as
OpenAI and the local servers that copy it (Ollama, LM Studio, vLLM) do, with a small
deterministic "model" behind it that writes scene plans from a brief.

The real ``openai`` package talks to it with ``AsyncOpenAI(base_url=server.base_url,
api_key=...)``; ``client.chat.completions.parse(..., response_format=PydanticModel)`` sends
``response_format: {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}``,
and ``{"type": "json_object"}`` is taken too. The answer is a chat completion:
``{"id": "chatcmpl-…", "object": "chat.completion", "created", "model", "system_fingerprint",
"choices": [{"index": 0, "message": {"role": "assistant", "content": "<JSON text>",
"refusal": null}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens",
"completion_tokens", "total_tokens"}}``.

The planner reads the request, not a canned file. From the first user message it takes the
brief (the text between a pair of triple quotes, or the whole message) and the target (the
number of seconds after "Target duration:"); each sentence or line of the brief becomes a
scene, titled with its first words and lasting in proportion to its length in words, rounded
to a tenth of a second (so the durations add up to the target only roughly, as a real model's
do; ``duration_scale`` makes them miss it by a factor); at most ``max_scenes`` scenes (8). A
"Visual style:" line is added to every prompt and a "Tone:" line sets the music mood, rather
than becoming scenes.

Errors are OpenAI's ``{"error": {"message", "type", "param", "code"}}``: 401 ``invalid_api_key``;
404 ``model_not_found`` for a model the server does not have (what OpenAI and Ollama answer);
400 ``invalid_request_error`` for a missing ``messages`` or ``model`` or a malformed
``response_format``; 429 with ``Retry-After`` and ``retry-after-ms`` (``rate_limit_next``, from
cloud_base, like ``fail_next`` and ``drop_next``).

Scripted behaviours, one per coming completion (``answer_next("prose", "loose")``), then
proper answers again:

* ``"prose"``: not JSON at all: a chatty sentence and the plan in a Markdown fence;
* ``"truncated"``: the JSON cut off halfway (``finish_reason`` still ``stop``, as some
  local servers say);
* ``"loose"``: JSON that does not match the schema: durations as strings with units
  ("4.5 s"), the first scene without a prompt;
* ``"refuse"``: a refusal (``content: null``, ``refusal`` set), as OpenAI answers;
* ``"slow"``: the proper answer after ``slow_s`` seconds (beyond a client's timeout).

Asked for a mood board (a schema with ``directions``), the model names three or four
looks (as many as "Directions: N" in the request says) whose keywords are the brief's longest
words and whose palettes come from a hash of the brief and the look, so that another brief
gives other colours.

``POST /v1/images/generations`` (``client.images.generate``) answers ``{"created", "data":
[{"b64_json", "revised_prompt"}], "usage"}``: ``n`` PNG pictures of the ``size`` asked for
(scaled down to 160 px on the long side), coloured from the prompt, so that each prompt gives
other pictures; ``image_urls=True`` answers ``url`` instead, served by this server. 400 for
an ``n`` outside 1..10 or a size not in ``IMAGE_SIZES``, 404 for a model not in
``image_models``.

``completions`` counts the completions answered (scripted ones included), ``images`` the
pictures made, and ``requests`` (from cloud_base) logs each request with its JSON body.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import re
import secrets
import threading
import time
from collections import deque
from typing import Any

from aiohttp import web
from PIL import Image, ImageDraw

from .cloud_base import CloudServer, json_object
from .openai_errors import OpenAIErrors

MODELS = ("gpt-4o-mini", "llama3.1")
BEHAVIOURS = ("prose", "truncated", "loose", "refuse", "slow")
TRANSITIONS = (("cut", 0.0), ("dissolve", 0.5), ("cut", 0.0), ("fade_black", 1.0))
MAX_SCENES = 8
IMAGE_MODELS = ("gpt-image-2",)  # gpt-image-1 shut down 2026-10-23, -1.5 and -1-mini 2026-12-01
IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
LOOKS = ("Warm Documentary", "Bold Graphic", "Dreamlike Pastel", "Noir Contrast")


class OpenAIChatServer(OpenAIErrors, CloudServer):
    """OpenAI-compatible chat completions on 127.0.0.1; see the module docstring."""

    def __init__(self, api_key: str = "test-key", *, models: tuple[str, ...] = MODELS,
                 image_models: tuple[str, ...] = IMAGE_MODELS, slow_s: float = 5.0, image_urls: bool = False) -> None:
        super().__init__(api_key)
        self.models, self.image_models, self.image_urls = models, image_models, image_urls
        self._pictures: dict[str, bytes] = {}
        self.slow_s = slow_s
        self.duration_scale = 1.0
        self.max_scenes = MAX_SCENES  # a bench asks for longer films (bench/film_dispatch.py: 40)
        self._script: deque[str] = deque()
        self._script_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v1/chat/completions", self._completions), web.get("/v1/models", self._models),
                web.post("/v1/images/generations", self._images)]

    def answer_next(self, *behaviours: str) -> None:
        """How the next completions answer, one behaviour each, in order."""
        unknown = set(behaviours) - set(BEHAVIOURS)
        if unknown:
            raise ValueError(f"unknown behaviours {sorted(unknown)}")
        with self._script_lock:
            self._script.extend(behaviours)

    @property
    def completions(self) -> int:
        with self._lock:
            return self._counts["completions"]

    @property
    def images(self) -> int:
        with self._lock:
            return self._counts["images"]

    # ----------------------------------------------------------------- errors

    # ----------------------------------------------------------------- routes

    async def _models(self, request: web.Request) -> web.Response:
        data = [{"id": model, "object": "model", "created": 1700000000, "owned_by": "test"} for model in self.models]
        return web.json_response({"object": "list", "data": data})

    async def _completions(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "We could not parse the JSON body of your request.")
        for param in ("model", "messages"):
            if param not in body:
                return self.error_response(400, f"Missing required parameter: '{param}'.", param=param,
                                           code="missing_required_parameter")
        if body["model"] not in self.models:
            return self.error_response(404, f"The model `{body['model']}` does not exist or you do not have "
                                            "access to it.", code="model_not_found")
        messages = body["messages"]
        if not isinstance(messages, list) or not messages or not all(
                isinstance(m, dict) and "role" in m for m in messages):
            return self.error_response(400, "Invalid 'messages': expected a non-empty array of messages.",
                                       param="messages", code="invalid_value")
        schema, problem = _schema_of(body.get("response_format"))
        if problem:
            return self.error_response(400, problem, param="response_format", code="invalid_value")
        with self._script_lock:
            behaviour = self._script.popleft() if self._script else None
        if behaviour == "slow":
            await asyncio.sleep(self.slow_s)
        wants_mood_board = schema is not None and "directions" in schema.get("properties", {})
        request_text = _first_user_text(messages)
        plan = self._mood_board(request_text) if wants_mood_board else self._plan(request_text)
        content: str | None = json.dumps(plan)
        refusal = None
        if behaviour == "prose":
            content = f"Sure! Here is a plan for your film:\n\n```json\n{json.dumps(plan, indent=2)}\n```\nEnjoy!"
        elif behaviour == "truncated":
            content = content[: len(content) // 2]
        elif behaviour == "loose" and wants_mood_board:
            plan["directions"][0]["palette"] = ["warm orange", "#12"]
            content = json.dumps(plan)
        elif behaviour == "loose":
            for scene in plan["scenes"]:
                scene["duration_seconds"] = f"{scene['duration_seconds']} s"
            plan["scenes"][0].pop("prompt")
            content = json.dumps(plan)
        elif behaviour == "refuse":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        if schema is not None and not {"scenes", "directions"} & set(schema.get("properties", {})):
            content = json.dumps({})  # a schema this model was not built to answer
        self.count("completions")
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        completion_tokens = len((content or refusal or "").split())
        return web.json_response({
            "id": f"chatcmpl-{secrets.token_urlsafe(21)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_foundry_test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })

    # ----------------------------------------------------------------- the planner

    def _plan(self, request_text: str) -> dict[str, Any]:
        """A scene plan from the brief and target in the request (see the module docstring)."""
        quoted = re.search(r'"""(.*?)"""', request_text, re.DOTALL)
        brief = quoted.group(1) if quoted else request_text
        target_match = re.search(r"Target duration:\s*([0-9]+(?:\.[0-9]+)?)", request_text, re.IGNORECASE)
        target = float(target_match.group(1)) if target_match else 30.0
        style, mood, sentences = "", "warm and hopeful", []
        for line in brief.splitlines():
            label, _, value = line.partition(":")
            if label.strip().lower() == "visual style" and value.strip():
                style = value.strip()
            elif label.strip().lower() == "tone" and value.strip():
                mood = value.strip()
            elif label.strip().lower() != "audience":
                sentences += [s.strip() for s in re.split(r"(?<=[.!?;])\s+", line) if s.strip(" .!?;")]
        sentences = sentences[:self.max_scenes] or ["The subject, plainly shown."]
        words = [len(sentence.split()) for sentence in sentences]
        scenes = []
        for index, (sentence, count) in enumerate(zip(sentences, words, strict=True)):
            text = sentence.rstrip(" .!?;")
            kind, seconds = TRANSITIONS[index % len(TRANSITIONS)]
            scenes.append({
                "title": " ".join(text.split()[:4]).title(),
                "description": sentence,
                "prompt": f"{text}, cinematic shot" + (f", {style}" if style else ""),
                "duration_seconds": round(target * count / sum(words) * self.duration_scale, 1),
                "transition": kind,
                "transition_seconds": seconds,
            })
        return {"scenes": scenes, "music_mood": mood}


    def _mood_board(self, request_text: str) -> dict[str, Any]:
        quoted = re.search(r'"""(.*?)"""', request_text, re.DOTALL)
        brief = quoted.group(1) if quoted else request_text
        count_match = re.search(r"Directions:\s*([34])", request_text)
        count = int(count_match.group(1)) if count_match else 3
        words = sorted({w.strip(".,;:!?").lower() for w in brief.split() if len(w.strip(".,;:!?")) > 4},
                       key=lambda w: (-len(w), w))
        directions = []
        for look in LOOKS[:count]:
            digest = hashlib.sha256(f"{brief}|{look}".encode()).hexdigest()
            keywords = [look.split()[0].lower(), *words[:4]] + ["texture", "light", "mood"][: max(0, 3 - len(words))]
            directions.append({
                "name": look,
                "description": f"A {look.lower()} look for {', '.join(words[:2]) or 'the film'}.",
                "keywords": keywords,
                "palette": [f"#{digest[i:i + 6]}" for i in range(0, 24, 6)],
                "prompt_prefix": f"{look.lower()} style, {', '.join(keywords[:3])}",
            })
        return {"directions": directions}

    async def _images(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "We could not parse the JSON body of your request.")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return self.error_response(400, "Missing required parameter: 'prompt'.", param="prompt",
                                       code="missing_required_parameter")
        model = body.get("model", "dall-e-2")
        if model not in self.image_models:
            return self.error_response(404, f"The model `{model}` does not exist or you do not have access to it.",
                                       code="model_not_found")
        n, size = body.get("n", 1), body.get("size", "1024x1024")
        if not isinstance(n, int) or not 1 <= n <= 10:
            return self.error_response(400, f"Invalid 'n': integer above maximum value. Expected a value <= 10, but "
                                            f"got {n} instead.", param="n", code="integer_above_max_value")
        if size not in IMAGE_SIZES:
            return self.error_response(400, f"Invalid value: '{size}'. Supported values are: "
                                            f"{', '.join(repr(s) for s in IMAGE_SIZES)}.", param="size",
                                       code="invalid_value")
        width, height = (1024, 1024) if size == "auto" else (int(side) for side in size.split("x"))
        data = []
        for index in range(n):
            picture = _picture_for(prompt, index, width, height)
            self.count("images")
            if self.image_urls:
                token = secrets.token_urlsafe(12)
                with self._lock:
                    self._pictures[token] = picture
                data.append({"url": f"{self.url}/outputs/{token}/picture.png", "revised_prompt": prompt})
            else:
                data.append({"b64_json": base64.b64encode(picture).decode(), "revised_prompt": prompt})
        return web.json_response({"created": int(time.time()), "data": data,
                                  "usage": {"input_tokens": len(prompt.split()), "output_tokens": 1056 * n,
                                            "total_tokens": len(prompt.split()) + 1056 * n}})

    async def _serve_output(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            picture = self._pictures.get(request.match_info["token"])
        if picture is None:
            return await super()._serve_output(request)
        return web.Response(body=picture, content_type="image/png")


def _picture_for(prompt: str, index: int, width: int, height: int) -> bytes:
    """A small PNG whose colours come from the prompt and its index: other prompts, other pictures."""
    digest = hashlib.sha256(f"{prompt}|{index}".encode()).digest()
    scale = 160 / max(width, height)
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    image = Image.new("RGB", size, tuple(digest[:3]))
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4),
                                  fill=tuple(digest[3:6]))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _first_user_text(messages: list[dict[str, Any]]) -> str:
    for message in messages:
        if message.get("role") == "user":
            content = message.get("content", "")
            if isinstance(content, list):  # content parts
                return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
            return str(content)
    return ""


def _schema_of(response_format: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON schema asked for (None for json_object or none), or what is wrong with the request."""
    if response_format is None:
        return None, None
    if not isinstance(response_format, dict) or response_format.get("type") not in ("json_schema", "json_object",
                                                                                   "text"):
        return None, "Invalid 'response_format.type': expected one of 'text', 'json_object' or 'json_schema'."
    if response_format["type"] != "json_schema":
        return None, None
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        return None, "Missing required parameter: 'response_format.json_schema.name'."
    if not isinstance(spec.get("schema"), dict):
        return None, "Invalid 'response_format.json_schema.schema': expected an object."
    return spec["schema"], None
