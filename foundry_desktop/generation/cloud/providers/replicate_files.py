"""A picture as a Replicate prediction takes it: inline up to 256 KB, else through Replicate's files API.

Replicate advises data URLs only for files up to 256 KB. A larger picture is uploaded
first, as replicate-python's `files.create` does it: `POST /v1/files`, multipart/form-data
with the bytes in the part named `content` (its filename and content type given there)
and an optional `metadata` part of JSON; the answer is the file (`id`, `size`,
`checksums`, `expires_at`, `urls.get`), and `urls.get` is what the prediction's input
receives. Files up to 100 MB are taken; Replicate removes them when they expire, so none is
left behind for long.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

from foundry_desktop.generation.cloud.catalog.replicate_models import MAX_DATA_URL_BYTES
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import SUFFIXES, PictureRules, picture_for, read_input_image
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.replicate import UploadedFile

MAX_UPLOAD_BYTES = 100 * 1024**2  # Replicate's files API takes files up to 100 MB


async def picture_input(api: CloudApi, path: Path, *, role: str = "input image", rules: PictureRules | None = None,
                        who: str = "") -> str:
    """`path` as a prediction input: a data URL when small, else the URL of its upload. A listed model's
    picture is fitted to its `rules` first (inputs.picture_for; `who` names the model in messages).

    The upload is named by its role, not by the file's own name (which may say more about the
    creator's machine than the model needs)."""
    if rules is not None:
        data, mime = await asyncio.to_thread(picture_for, path, rules, role=role, who=who)
    else:
        data, mime = await asyncio.to_thread(read_input_image, path, provider=api.provider,
                                             max_bytes=MAX_UPLOAD_BYTES)
    if len(data) <= MAX_DATA_URL_BYTES:
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    what = f"uploading the {role} ({len(data) / 1024**2:.1f} MiB)"
    filename = f"{role.replace(' ', '-')}{SUFFIXES[mime]}"
    body = await api.call("POST", "/v1/files", what=what, files={"content": (filename, data, mime)},
                          data={"metadata": json.dumps({"purpose": role})})
    return read_reply(UploadedFile, body or {}, provider=api.provider, what=what).urls.get
