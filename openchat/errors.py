"""The failures the API reports; each class carries its HTTP status.

OpenChatError (500)
├── BadRequest (400)
├── NotFound (404)
├── Conflict (409)
├── Unavailable (503: a service the servers share, such as Redis, cannot be reached)
└── UpstreamError (502, keeps the upstream status for the stream's error event)
"""

from __future__ import annotations


class OpenChatError(Exception):
    """Base for failures the API reports as {"detail": str(error)}."""

    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(OpenChatError):
    status_code = 400


class NotFound(OpenChatError):
    status_code = 404


class Conflict(OpenChatError):
    status_code = 409


class Unavailable(OpenChatError):
    status_code = 503


class UpstreamError(OpenChatError):
    """OpenRouter (or the network to it) failed; `upstream_status` is what it answered."""

    status_code = 502

    def __init__(
        self, detail: str, upstream_status: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(detail)
        self.upstream_status = upstream_status
        self.retry_after = retry_after
