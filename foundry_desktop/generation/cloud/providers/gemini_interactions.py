"""Following a Gemini Omni Flash interaction: its status in the life cycle's terms, and its video saved.

An interaction is "queued" or "in_progress" until it settles as "completed" (the video in its last
"model_output" step), "failed" (its `errors`, or a step's `error`), "cancelled" (POST …/cancel),
"incomplete" or "budget_exceeded"; "requires_action" asks for a tool's answer, which a video never
needs (googleapis/python-genai 2.19.0, _gaos/types/interactions/interaction.py). The video comes
back as a link to Google's files API (delivery "uri") or inline as base64; an inline one is carried
as a data: URL to the fetch, which writes it through the same checks as any download.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from pathlib import Path

from foundry_desktop.generation.cloud.errors import CloudOutputError
from foundry_desktop.generation.cloud.media_download import SavedMedia, save_media
from foundry_desktop.generation.cloud.replies.gemini_interactions import ContentBlock, Interaction
from foundry_desktop.generation.cloud.task import TaskStatus

INTERACTIONS = "interactions/"  # the remote id's prefix: GET /v1beta/{remote id} reads it back
INLINE_PREFIX = "data:"
_SAFETY_WORDS = ("safety", "responsible ai", "blocked", "prohibited", "sensitive")
_RUNNING = {"queued": "queued", "in_progress": "running"}
_ENDED = {"incomplete": "it stopped before the video was finished",
          "budget_exceeded": "it ran past the budget set for it",
          "requires_action": "it asked for a tool's answer, which a video never needs"}


def failure_words(provider: str, code: int | str | None, message: str) -> tuple[str, bool]:
    """A failure as a creator reads it; True when a safety filter refused the shot."""
    message = message.strip().rstrip(".")
    if any(word in message.lower() for word in _SAFETY_WORDS):
        return (f"{provider}'s safety filters refused this shot ({message}). Change the prompt or the picture "
                f"and generate again.", True)
    code_words = f" (code {str(code)[:40]})" if code not in (None, "") else ""
    return f"{provider} could not make this shot: {message or 'no reason given'}{code_words}.", False


def _video(interaction: Interaction) -> ContentBlock | None:
    """The last video of the model's answer, as the SDK's output_video finds it."""
    for step in reversed(interaction.steps or []):
        if step is None or step.type == "user_input":
            return None
        if step.type != "model_output":
            continue
        for block in reversed(step.content or []):
            if block is not None and block.type == "video" and (block.uri or block.data):
                return block
    return None


def _failure(provider: str, interaction: Interaction) -> TaskStatus:
    errors = [(error.code, error.message or "") for error in interaction.errors or [] if error is not None]
    errors += [(step.error.code, step.error.message or "") for step in interaction.steps or []
               if step is not None and step.error is not None]
    code, message = next(((code, message) for code, message in errors if message), errors[0] if errors else (None, ""))
    words, moderated = failure_words(provider, code, message)
    return TaskStatus("failed", words=interaction.status, failure=words, moderated=moderated)


def interaction_status(provider: str, interaction: Interaction) -> TaskStatus | None:
    """The interaction as the life cycle reads it; None for a status the SDK does not list."""
    status = interaction.status
    if status in _RUNNING:
        return TaskStatus(_RUNNING[status], None, status.replace("_", " "))
    if status == "cancelled":
        return TaskStatus("cancelled", words=status)
    if status == "failed":
        return _failure(provider, interaction)
    if status in _ENDED:
        return TaskStatus("failed", words=status, failure=f"{provider} could not make this shot: {_ENDED[status]}.")
    if status != "completed":
        return None
    video = _video(interaction)
    if video is not None and video.uri:
        return TaskStatus("succeeded", 1.0, status, outputs=(video.uri,))
    if video is not None and video.data:
        mime = video.mime_type or "video/mp4"
        return TaskStatus("succeeded", 1.0, status, outputs=(f"{INLINE_PREFIX}{mime};base64,{video.data}",))
    if interaction.errors or any(step is not None and step.error for step in interaction.steps or []):
        return _failure(provider, interaction)
    return TaskStatus("failed", words=status, failure=f"{provider} finished the video but sent none back.")


async def save_inline(output: str, stem: Path, *, provider: str, remote_id: str, max_bytes: int) -> SavedMedia:
    """An inline video (a data: URL made by interaction_status) written as a download would be."""
    header, _, data = output.partition(",")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise CloudOutputError(f"{provider} sent the video of {remote_id} in a form Foundry cannot read (not base64).",
                               provider=provider, remote_id=remote_id) from None

    async def chunks() -> AsyncIterator[bytes]:
        yield raw

    content_type = header.removeprefix(INLINE_PREFIX).partition(";")[0]
    return await save_media(chunks(), stem, provider=provider, want="video", content_type=content_type,
                            expected_bytes=len(raw), max_bytes=max_bytes)
