"""A mood board from a brief: the language model proposes three or four style directions
(structured_requests.py, structured like scene plans), and the picture model makes reference
pictures for each through `client.images.generate` on the same OpenAI-compatible endpoint.

Pictures are checked (Pillow must read them) and stored in the project's media
folder under moodboards/, content-addressed like every other media file. With
no picture model set up the directions come without pictures, and a note says
how to add one. A picture answered as a URL instead of base64 is downloaded.

Choosing a direction makes a style template from it: that is the style-template
store's business (see `MoodBoardDirection`, which holds all a template needs),
not this module's.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import uuid
from typing import TYPE_CHECKING

import httpx
from PIL import Image, UnidentifiedImageError

from foundry_desktop.app.assist.structured_requests import (
    AssistError,
    ask_structured,
    with_retries,
)
from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    client_for,
    require_configured,
)
from foundry_desktop.domain.planning.mood_board import (
    MoodBoard,
    MoodBoardDirection,
    ProposedMoodBoard,
    StyleDirection,
)
from foundry_desktop.domain.planning.scene_plan import Aspect, Brief
from foundry_desktop.generation.bounded_download import TransferLimits, TransferRefused, write_bounded
from foundry_desktop.generation.cloud.errors import CloudReplyError
from foundry_desktop.generation.cloud.providers.openai_sdk import json_answer
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.openai import ImagesAnswer
from foundry_desktop.store.media_cache import MediaCache

if TYPE_CHECKING:
    import openai

MEDIA_KIND = "moodboards"
# The sizes OpenAI's picture models take, nearest to each aspect preset.
MAX_PICTURE_BYTES = 64 * 1024**2
PICTURE_SIZES = {"16:9": "1536x1024", "9:16": "1024x1536", "1:1": "1024x1024"}

SYSTEM_PROMPT = """\
You are an art director. From the creator's brief, propose {count} distinct visual directions for the film, \
each a look the whole film could have. For each: a name of two or three words; a description of the look \
(light, colour, texture, camera); 3 to 8 keywords; a palette of 3 to 6 colours as #RRGGBB, darkest first; and \
a prompt prefix: the words to put before every shot's text-to-video prompt to give it this look.
Answer with the JSON object only, matching this schema:
{schema}"""


async def propose_mood_board(settings: LanguageModelSettings, brief: Brief, media: MediaCache, *,
                             directions: int = 3, pictures_each: int = 2, aspect: Aspect = "16:9",
                             client: openai.AsyncOpenAI | None = None) -> MoodBoard:
    """Style directions for `brief`, each with `pictures_each` reference pictures in `media`."""
    require_configured(settings, chat=True)
    if not 3 <= directions <= 4 or not 0 <= pictures_each <= 4:
        raise AssistError("A mood board has 3 or 4 directions of up to 4 pictures each.")
    schema = json.dumps(ProposedMoodBoard.model_json_schema())
    async with client_for(settings, client) as model:
        proposal = await ask_structured(settings, model, [
            {"role": "system", "content": SYSTEM_PROMPT.format(count=directions, schema=schema)},
            {"role": "user", "content": f'The brief:\n"""\n{brief.in_words()}\n"""\nDirections: {directions}.'},
        ], ProposedMoodBoard, what="a mood board")
        notes = []
        if settings.image_model is None or pictures_each == 0:
            if pictures_each:
                notes.append("No picture model is set up (foundry assist set --image-model NAME): the directions "
                             "come without pictures.")
            return MoodBoard(brief, [MoodBoardDirection(direction) for direction in proposal.directions], notes)
        board = []
        for direction in proposal.directions[:directions]:
            pictures = await _pictures(settings, model, direction, brief, media, pictures_each, PICTURE_SIZES[aspect])
            board.append(MoodBoardDirection(direction, pictures))
        return MoodBoard(brief, board, notes)


async def _pictures(settings: LanguageModelSettings, client: openai.AsyncOpenAI, direction: StyleDirection,
                    brief: Brief, media: MediaCache, count: int, size: str) -> list[str]:
    subject = brief.subject or brief.text.split(".")[0] or ", ".join(brief.key_messages)
    look = direction.prompt_prefix.strip().rstrip(",")
    prompt = f"{look}, {subject.strip()}. Palette: {', '.join(direction.palette)}."

    async def generate():
        return await client.images.with_raw_response.generate(model=settings.image_model, prompt=prompt, n=count,
                                                              size=size)

    raw = await with_retries(settings, generate, what=f"pictures for '{direction.name}'",
                             model=settings.image_model)
    try:
        answer = read_reply(ImagesAnswer, json_answer(raw, provider="The picture model", what="making pictures"),
                            provider="The picture model", what=f"making pictures for '{direction.name}'")
    except CloudReplyError as exc:
        raise AssistError(str(exc)) from None
    stored = []
    for picture in answer.data:
        if picture.b64_json:
            try:
                data = base64.b64decode(picture.b64_json, validate=True)
            except (binascii.Error, ValueError):
                raise AssistError(f"The picture model sent a picture for '{direction.name}' that is not "
                                  "base64.") from None
        elif picture.url:
            data = await _download(picture.url, settings.timeout_s)
        else:
            continue
        stored.append(_store_picture(data, media, direction.name))
    return stored


async def _download(url: str, timeout_s: float) -> bytes:
    """The picture at `url`, within the bounds every download keeps (bounded_download.py)."""
    where = url.split("?")[0]
    buffer = io.BytesIO()
    try:
        async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=True) as http:
            async with http.stream("GET", url) as response:
                response.raise_for_status()
                length = response.headers.get("content-length", "")
                await write_bounded(response.aiter_bytes(), buffer, limits=TransferLimits(), max_bytes=MAX_PICTURE_BYTES,
                                    source=where, noun="picture", want="still",
                                    declared=int(length) if length.isdigit() else None)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is no HTTPError
        raise AssistError(f"A mood board picture could not be downloaded from {where[:200]}: {exc}.") from None
    except TransferRefused as exc:
        raise AssistError(str(exc)) from None
    return buffer.getvalue()


def _store_picture(data: bytes, media: MediaCache, name: str) -> str:
    """Check the picture (Pillow reads it whole) and adopt it into the media folder as PNG or JPEG."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            suffix = ".jpg" if picture.format == "JPEG" else ".webp" if picture.format == "WEBP" else ".png"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AssistError(f"The picture model sent something for '{name}' that is not a picture.") from None
    scratch = media.scratch_dir() / f"{uuid.uuid4().hex}{suffix}"
    scratch.write_bytes(data)
    relative, _ = media.adopt(scratch, MEDIA_KIND, move=True)
    return relative
