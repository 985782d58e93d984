"""Runway's answers (docs/protocols/cloud-apis.md): a created task, a task, the organization."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply


class RunwayTaskCreated(Reply):
    id: StrictStr = Field(min_length=1, max_length=200)


class RunwayTask(Reply):
    status: StrictStr = Field(max_length=40)
    output: list[StrictStr] | None = None
    progress: Lenient[float] = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    failure: Lenient[StrictStr] = None
    failureCode: Lenient[StrictStr] = None  # noqa: N815 (Runway's name)


class RunwayTier(Reply):
    models: Lenient[dict[str, Any]] = None


class RunwayOrganization(Reply):
    tier: Lenient[RunwayTier] = None
    creditBalance: Lenient[float] = Field(default=None, allow_inf_nan=False)  # noqa: N815
