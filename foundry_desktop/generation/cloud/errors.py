"""What can go wrong with a cloud service, as errors a creator understands (see refusals.py)."""

from __future__ import annotations

from foundry_desktop.errors import GenerationError


class CloudError(GenerationError):
    """A cloud service could not make the take. The message names the service and says what to do.

    `retry_later` tells a job queue whether the same request may succeed later
    as it is; `remote_id` is set when the service holds a task of ours, so it
    can be followed again (resume) instead of submitted again.
    """

    def __init__(
        self, message: str, *, provider: str, status: int | None = None, remote_id: str | None = None,
        retry_later: bool = False,
    ) -> None:
        super().__init__(message)
        self.provider, self.status, self.remote_id, self.retry_later = provider, status, remote_id, retry_later


class CloudAuthError(CloudError):
    """No key, a wrong key, or a key without access."""


class CloudRefusedError(CloudError):
    """The service refused the request as it stands (bad input, unknown model, billing)."""


class ContentModeratedError(CloudRefusedError):
    """The service's content moderation refused the prompt, the input image or its own output."""


class CloudUnavailableError(CloudError):
    """Still rate-limited, failing or unreachable after every retry: worth trying later."""


class SubmissionUncertainError(CloudError):
    """The create call was cut off after it was sent: the service may have started the job."""


class CloudTaskFailedError(CloudError):
    """The service accepted the job and then reported that it failed."""


class CloudTaskCancelledError(CloudError):
    """The job was cancelled (by the creator, or at the service)."""


class CloudTimeoutError(CloudError):
    """The job did not finish within the overall time allowed."""


class CloudOutputError(CloudError):
    """What the service sent back is not a whole video or picture Foundry can read."""




class CloudReplyError(CloudError):
    """The service answered something that is not the answer its API describes (replies/)."""
