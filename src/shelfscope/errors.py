"""The error hierarchy: every failure a client sees is one of these, rendered as one JSON shape."""

from __future__ import annotations

from typing import Any


class ShelfscopeError(Exception):
    """Base: HTTP status, a kind name, a sentence a person can act on, and facts naming what failed."""

    status_code = 500
    kind = "Internal"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def to_body(self) -> dict[str, Any]:
        return {"error": self.kind, "detail": self.detail, **self.extra}


class ValidationFailed(ShelfscopeError):
    status_code = 422
    kind = "ValidationFailed"

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", fields=[{"field": field, "message": message}])


class NotFound(ShelfscopeError):
    status_code = 404
    kind = "NotFound"


class Conflict(ShelfscopeError):
    status_code = 409
    kind = "Conflict"


class Unauthorized(ShelfscopeError):
    status_code = 401
    kind = "Unauthorized"


class Forbidden(ShelfscopeError):
    status_code = 403
    kind = "Forbidden"


class PayloadTooLarge(ShelfscopeError):
    status_code = 413
    kind = "PayloadTooLarge"


class UnsupportedMedia(ShelfscopeError):
    status_code = 415
    kind = "UnsupportedMedia"


class RateLimited(ShelfscopeError):
    status_code = 429
    kind = "RateLimited"


class Unavailable(ShelfscopeError):
    """503: no worker could take the work in time (none running, or all busy)."""

    status_code = 503
    kind = "Unavailable"


class TimedOut(ShelfscopeError):
    """504: the work started but did not finish within the time the request waits."""

    status_code = 504
    kind = "TimedOut"


class Busy(ShelfscopeError):
    """Another write holds the database (SQLite's one write lock, a PostgreSQL row lock) for longer than
    a request waits: nothing was written; the same request can simply be sent again."""

    status_code = 503
    kind = "Busy"
    RETRY_AFTER_S = 5

    def __init__(
        self,
        detail: str = "The database is busy with another write; retry in a few seconds.",
        **extra: Any,
    ) -> None:
        super().__init__(detail, **{"retry_after_s": self.RETRY_AFTER_S, **extra})


class Internal(ShelfscopeError):
    status_code = 500
    kind = "Internal"
