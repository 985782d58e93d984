"""What each cloud service answers, as far as Foundry relies on it: small pydantic models, one
module per provider, that every answer passes through at the edge (`read_reply`).

Unknown fields are allowed (services add them all the time); a field Foundry acts on must
have its type, or the answer is refused in one line (CloudReplyError) and the job fails with
that reason. A field that only decorates a progress line (a percentage, logs, metrics) is
`Lenient`: a wrong value there is dropped, not fatal. A new provider adds a module here.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from foundry_desktop.generation.cloud.errors import CloudReplyError

R = TypeVar("R", bound=BaseModel)


class Reply(BaseModel):
    """An answer's parts we use; the rest is kept as it came (extra fields allowed)."""

    model_config = ConfigDict(extra="allow", frozen=True)


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


T = TypeVar("T")
Lenient = Annotated[T | None, WrapValidator(_or_none)]
"""A field whose wrong value is read as absent (None): it only decorates what is shown."""


def reply_problem(exc: ValidationError) -> str:
    """pydantic's first complaint, in a few words: where and what."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "the answer"
    return f"{where}: {error['msg'][:120]}"


def read_reply(shape: type[R], body: Any, *, provider: str, what: str, remote_id: str | None = None) -> R:
    """`body` (parsed JSON) as `shape`, or the CloudReplyError that says what is wrong with it."""
    try:
        return shape.model_validate(body)
    except ValidationError as exc:
        raise CloudReplyError(
            f"{provider} sent an answer Foundry cannot read while {what} ({reply_problem(exc)}).",
            provider=provider, remote_id=remote_id,
        ) from None
