"""The Shelfscope Python client: `Client(url, token)` over the HTTP API, with typed results, the API's
errors as exceptions, retries, progress bars and streaming transfers. No torch, no server code."""

from shelfscope.client.annotations import Box, ImageAnnotations, from_supervision, to_supervision
from shelfscope.client.client import Client
from shelfscope.client.datasets import Dataset, DatasetHandle, UnsafeArchive, Version, VersionHandle
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
from shelfscope.client.images import Image, UploadResult, UploadSummary
from shelfscope.client.ml import AnnotateRun, Prediction, RegisteredModel, Run
from shelfscope.client.products import Product, SearchHit
from shelfscope.client.types import Job, JobEvent

__all__ = [
    "AnnotateRun",
    "ApiError",
    "BadRequest",
    "Box",
    "Client",
    "Conflict",
    "Dataset",
    "DatasetHandle",
    "Forbidden",
    "Image",
    "ImageAnnotations",
    "Job",
    "JobEvent",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "Prediction",
    "Product",
    "RateLimited",
    "RegisteredModel",
    "Run",
    "SearchHit",
    "ServerError",
    "ShelfscopeClientError",
    "TransportError",
    "Unauthorized",
    "UnsafeArchive",
    "UnsupportedMedia",
    "UploadResult",
    "UploadSummary",
    "ValidationFailed",
    "Version",
    "VersionHandle",
    "WaitTimedOut",
    "from_supervision",
    "to_supervision",
]
