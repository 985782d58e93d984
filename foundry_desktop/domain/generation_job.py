"""A generation job: one request for one take of one owner, from queued to done.

Its owner (`shot_id`) is a shot for video and keyframe still takes, a music clip
for sound takes; the spec's "output" says which.

Jobs live in the project file, so a restart finds every job it had: those
that never left the machine are queued again, and those a server or cloud
service already has are followed to the end by their remote id instead of
being submitted a second time (that would pay for the same take twice).

States, in order: queued (not sent) → submitting (being sent; the remote id
is recorded first where the service lets the client choose it, as ComfyUI
does) → submitted (the service has it) → done, or failed, or cancelled.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from foundry_desktop.domain.project import TakeKind, new_id

JobState = Literal["queued", "submitting", "submitted", "done", "failed", "cancelled"]
UNFINISHED: tuple[JobState, ...] = ("queued", "submitting", "submitted")


class GenerationJob(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=new_id)
    shot_id: str
    fingerprint: str = Field(description="of the spec it generates; a variant's includes its seed")
    backend: str
    spec: dict[str, Any] = Field(description="the canonical generation spec")
    priority: int = Field(default=0, description="higher runs first")
    state: JobState = "queued"
    server: str | None = Field(default=None, description="which server or service has it")
    remote_id: str | None = Field(default=None, description="its id there (prompt id, task id)")
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    attempts: int = Field(default=0, ge=0)
    error: str = Field(default="", description="why it failed or was cancelled; done: what to know about its take")
    cost_estimate: float | None = None
    cost_actual: float | None = None
    cost_unit: str | None = Field(default=None, description="credits, seconds, runs, GPU seconds...")
    take_id: str | None = Field(default=None, description="the take it made")
    created_at: str
    updated_at: str

    @property
    def finished(self) -> bool:
        return self.state not in UNFINISHED

    @property
    def output(self) -> TakeKind:
        """What the job makes: a video take (jobs from before keyframes carry no "output"),
        a keyframe still or a sound."""
        return self.spec.get("output", "video")
