"""A shot's picture as Runway takes it: inline as a data URI when it fits Runway's 5 MB limit
on the data URI itself, else through Runway's ephemeral uploads, named by a runway:// URI.

The upload goes as the SDK's uploads resource does it (runwayml/sdk-python 5.13,
resources/uploads.py, `create_ephemeral`):
1. `POST /v1/uploads` with `{"filename", "type": "ephemeral"}` (the key and version header as
   any call) answers `uploadUrl`, `fields` and `runwayUri`;
2. `POST uploadUrl`, a multipart form of every field as given and then the file as `file`,
   sent without the key (the SDK sends it from a fresh client: a signed storage form carries
   its own signature, and the key must never reach a storage host);
3. the generation request names the picture by `runwayUri`; Runway deletes it after a while.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

from foundry_desktop.generation.cloud.catalog.runway_models import MAX_INLINE_PICTURE_BYTES
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import SUFFIXES, PictureRules, picture_for
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.runway import RunwayUploadStarted



def goes_by_upload(path: Path) -> bool:
    """True when the picture is too large to go inline (a look at its size: nothing is sent)."""
    try:
        return Path(path).stat().st_size > MAX_INLINE_PICTURE_BYTES
    except OSError:
        return False  # the request shape says what is wrong with it


async def picture_uri(api: CloudApi, path: Path, rules: PictureRules, *, role: str, who: str) -> str:
    """The picture at `path`, fitted to the model's `rules`, as a URI Runway takes: a data URI, or a
    runway:// URI once uploaded."""
    data, mime = await asyncio.to_thread(picture_for, path, rules, role=role, who=who)
    if len(data) <= MAX_INLINE_PICTURE_BYTES:
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    filename = "input" + SUFFIXES[mime]  # not the file's own name: nothing of this machine goes out
    what = "uploading the input image"
    answer = await api.call("POST", "/v1/uploads", json={"filename": filename, "type": "ephemeral"}, what=what)
    started = read_reply(RunwayUploadStarted, answer, provider=api.provider, what=what)
    await api.call("POST", started.uploadUrl, what=what, authorized=False, answer_is_json=False,
                   data=dict(started.fields), files={"file": (filename, data, mime)})
    return started.runwayUri
