"""The Shelfscope Python client: `Client(url, token)` over the HTTP API, with typed results, the API's
errors as exceptions, retries, progress bars and streaming transfers. No torch, no server code."""

from shelfscope.client.client import Client
from shelfscope.client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    ShelfscopeClientError,
    TransportError,
    Unauthorized,
    UnsupportedMedia,
    ValidationFailed,
    WaitTimedOut,
)
from shelfscope.client.types import Job, JobEvent

__all__ = [
    "ApiError",
    "BadRequest",
    "Client",
    "Conflict",
    "Forbidden",
    "Job",
    "JobEvent",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "ShelfscopeClientError",
    "TransportError",
    "Unauthorized",
    "UnsupportedMedia",
    "ValidationFailed",
    "WaitTimedOut",
]
