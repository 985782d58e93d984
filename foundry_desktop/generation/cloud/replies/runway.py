"""Runway's answers (runwayml/sdk-python 5.13 types): a created task, a task, the organization,
and an ephemeral upload's placeholder."""

from __future__ import annotations

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


class RunwayTierModel(Reply):
    """One model's limits for the organization's tier (organization_retrieve_response.TierModels)."""

    maxConcurrentGenerations: Lenient[int] = None  # noqa: N815
    maxDailyGenerations: Lenient[int] = None  # noqa: N815


class RunwayTier(Reply):
    # Each key is a model the organization may use (the SDK: "Each key represents a model").
    models: Lenient[dict[StrictStr, RunwayTierModel]] = None


class RunwayOrganization(Reply):
    tier: Lenient[RunwayTier] = None
    creditBalance: Lenient[float] = Field(default=None, allow_inf_nan=False)  # noqa: N815


class RunwayUploadStarted(Reply):
    """POST /v1/uploads (uploads.py's _RunwayUploadStartedResponse): where to send the file, the
    form fields to send with it, and the runway:// URI a request then names it by."""

    uploadUrl: StrictStr = Field(min_length=1, max_length=4096, pattern=r"^https?://")  # noqa: N815
    fields: dict[StrictStr, StrictStr] = Field(max_length=64)
    runwayUri: StrictStr = Field(min_length=len("runway://") + 1, max_length=2048,  # noqa: N815
                                 pattern=r"^runway://")
