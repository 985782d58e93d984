"""Google's Gemini API answers for Gemini Omni Flash's interactions (googleapis/python-genai 2.19.0,
google/genai/_gaos/types/interactions: interaction.py, step.py, modeloutputstep.py, content.py,
videocontent.py, status.py, error.py): an interaction as created, and as read back.

Field names are snake_case, as the SDK reads them. The video is a content block {type "video",
data (base64) | uri, mime_type} in a "model_output" step; a step may carry an `error` (google.rpc.Status:
an integer code), the interaction `errors` ({code: a string, message})."""

from __future__ import annotations

from pydantic import Field, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply

# The id comes back in a path (GET /v1beta/interactions/{id}): only the characters Google uses ("v1_…").
INTERACTION_ID = r"^[A-Za-z0-9._-]+$"
STATUS_LENGTH = 40


class InteractionStarted(Reply):
    id: StrictStr = Field(min_length=1, max_length=200, pattern=INTERACTION_ID)
    status: Lenient[StrictStr] = None


class ContentBlock(Reply):
    """One content block of a step; only a video's fields are read."""

    type: Lenient[StrictStr] = None
    data: Lenient[StrictStr] = None
    uri: Lenient[StrictStr] = None
    mime_type: Lenient[StrictStr] = None


class StepStatus(Reply):
    """google.rpc.Status on a model_output step."""

    code: Lenient[int] = None
    message: Lenient[StrictStr] = None


class Step(Reply):
    type: Lenient[StrictStr] = None
    content: Lenient[list[Lenient[ContentBlock]]] = None
    error: Lenient[StepStatus] = None


class InteractionError(Reply):
    code: Lenient[StrictStr | int] = None  # the SDK: "a URI that identifies the error type"
    message: Lenient[StrictStr] = None


class Interaction(Reply):
    id: Lenient[StrictStr] = None
    status: StrictStr = Field(max_length=STATUS_LENGTH)
    steps: list[Lenient[Step]] | None = None
    errors: Lenient[list[Lenient[InteractionError]]] = None
