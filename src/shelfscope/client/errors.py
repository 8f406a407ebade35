"""What the client raises: the server's error shape as exceptions, one class per kind, plus transport
and job failures. Every API error keeps the whole body (`error`, `detail` and facts such as `fields`)."""

from __future__ import annotations

from typing import Any


class ShelfscopeClientError(Exception):
    """Base of everything the client raises on purpose."""


class TransportError(ShelfscopeClientError):
    """The server could not be reached, or kept failing after the retries (connection refused, reset,
    timed out). Nothing is known about whether a non-idempotent call took effect."""


class ApiError(ShelfscopeClientError):
    """The server answered with its error shape: `{"error": kind, "detail": sentence, ...facts}`."""

    def __init__(self, status: int, body: dict[str, Any], method: str = "", path: str = "") -> None:
        self.status = status
        self.body = body
        self.kind = str(body.get("error") or "Error")
        self.detail = str(body.get("detail") or "")
        self.method = method
        self.path = path
        super().__init__(
            f"{self.kind} ({status}): {self.detail}" if self.detail else f"{self.kind} ({status})"
        )

    @property
    def fields(self) -> list[dict[str, Any]]:
        """The per-field problems of a 422 (`[{"field": "threshold", "message": ...}]`), else []."""
        found = self.body.get("fields")
        return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []

    @property
    def retry_after_s(self) -> float | None:
        value = self.body.get("retry_after_s")
        return float(value) if isinstance(value, (int, float)) else None


class ValidationFailed(ApiError):
    """422: a field, file or line of the input was wrong; nothing was changed."""


class BadRequest(ApiError):
    """400: the request itself was malformed."""


class Unauthorized(ApiError):
    """401: no token, or the token is revoked or expired."""


class Forbidden(ApiError):
    """403: the token's user lacks the role for this."""


class NotFound(ApiError):
    """404."""


class Conflict(ApiError):
    """409: the thing changed or exists already (an image's revision, a dataset name)."""


class PayloadTooLarge(ApiError):
    """413."""


class UnsupportedMedia(ApiError):
    """415: a file is not an image, archive or format the server reads."""


class RateLimited(ApiError):
    """429."""


class ServerError(ApiError):
    """500, or a 5xx that stayed after the retries (Busy, Unavailable, TimedOut)."""


_BY_KIND: dict[str, type[ApiError]] = {
    "ValidationFailed": ValidationFailed,
    "BadRequest": BadRequest,
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "Conflict": Conflict,
    "PayloadTooLarge": PayloadTooLarge,
    "UnsupportedMedia": UnsupportedMedia,
    "RateLimited": RateLimited,
}
_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMedia,
    422: ValidationFailed,
    429: RateLimited,
}


def kind_of(status: int) -> str:
    """The kind an error answer without the server's shape (a proxy's page) is given, by its status."""
    found = _BY_STATUS.get(status)
    if found is not None:
        return found.__name__
    return "Internal" if status >= 500 else "Error"


def api_error(status: int, body: dict[str, Any], method: str = "", path: str = "") -> ApiError:
    """The exception for an error answer: by its kind, else by its status."""
    cls = _BY_KIND.get(str(body.get("error"))) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    return cls(status, body, method, path)


class JobFailed(ShelfscopeClientError):
    """A job the client waited for ended `failed` or `cancelled`; `job` is its last state."""

    def __init__(self, job: Any) -> None:
        self.job = job
        super().__init__(f"job {job.id} ({job.kind}) {job.status}" + (f": {job.error}" if job.error else ""))


class WaitTimedOut(ShelfscopeClientError):
    """A job was still running when the wait's time limit passed (the job itself goes on)."""

    def __init__(self, job: Any, timeout_s: float) -> None:
        self.job = job
        super().__init__(f"job {job.id} ({job.kind}) still {job.status} after {timeout_s:g} s")
