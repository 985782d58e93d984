"""Replicate's answers: a prediction, a model with its latest version and input schema, an uploaded
file, the account.

A model's input schema is the largest thing read here; its properties are only ever
consulted (which inputs exist, their type, enum, minimum, maximum, format, order), so a
property is cleaned field by field (`clean_property`) rather than refused whole.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply


class Prediction(Reply):
    id: StrictStr = Field(min_length=1, max_length=200)
    status: StrictStr = Field(max_length=40)
    version: Lenient[StrictStr] = None
    output: Any = None  # a URL, a list of URLs, or what a text model writes: sorted out by the backend
    error: Lenient[StrictStr | dict[str, Any]] = None
    logs: Lenient[StrictStr] = None
    metrics: Lenient[dict[str, Any]] = None


class PredictionState(Prediction):
    """A prediction as read back by id (the id is ours already)."""

    id: Lenient[StrictStr] = None


class InputProperty(Reply):
    """One input of a model's schema, as far as Foundry fits values to it."""

    type: Lenient[StrictStr] = None
    format: Lenient[StrictStr] = None
    enum: Lenient[list[Any]] = None
    minimum: Lenient[int | float] = Field(default=None, allow_inf_nan=False)
    maximum: Lenient[int | float] = Field(default=None, allow_inf_nan=False)
    x_order: Lenient[float] = Field(default=None, alias="x-order", allow_inf_nan=False)


def clean_property(spec: dict[str, Any]) -> dict[str, Any]:
    """A property as the backend reads it: the keys it consults typed, or left out when wrong."""
    cleaned = InputProperty.model_validate(spec).model_dump(by_alias=True)
    return {key: value for key, value in cleaned.items() if value is not None or key not in InputProperty.model_fields
            and key != "x-order"}


class InputSchema(Reply):
    properties: Lenient[dict[str, dict[str, Any]]] = None
    required: Lenient[list[StrictStr]] = None


class ModelVersion(Reply):
    id: Lenient[StrictStr] = None
    openapi_schema: Lenient[dict[str, Any]] = None

    def components(self) -> dict[str, Any]:
        components = (self.openapi_schema or {}).get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        return schemas if isinstance(schemas, dict) else {}

    def inputs(self) -> InputSchema | None:
        schema = self.components().get("Input")
        return InputSchema.model_validate(schema) if isinstance(schema, dict) else None


class ReplicateModel(Reply):
    latest_version: Lenient[ModelVersion] = None


class Account(Reply):
    username: Lenient[StrictStr] = None


class FileUrls(Reply):
    get: StrictStr = Field(pattern=r"^https?://", max_length=2000)


class UploadedFile(Reply):
    """`POST /v1/files`'s answer (replicate-python's File): `urls.get` is what a prediction's input takes."""

    id: StrictStr = Field(min_length=1, max_length=200)
    urls: FileUrls
