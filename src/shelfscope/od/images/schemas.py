"""Request and response shapes of the image library API, and the library filter other features reuse."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, field_validator

from shelfscope.ids import Id
from shelfscope.od.vocabulary import ImageSource
from shelfscope.text import check_characters, clean_text, collapse_whitespace

SortField = Literal["created_at", "filename", "size"]
SortOrder = Literal["asc", "desc"]
TAG_MAX = 128
FOLDER_MAX = 512
MAX_TAGS_PER_REQUEST = 50
# Job kinds of the image library (handlers in jobs.py).
VERIFY_KIND = "od.images.verify"
SYNC_KIND = "od.images.sync"
URL_IMPORT_KIND = "od.images.import_url"
# Where the router is mounted; image shapes carry ready-to-use links to the bytes and the thumbnail.
API_PREFIX = "/api/v1/od/images"


def file_url(image_id: int) -> str:
    """Where the API serves the image's original bytes."""
    return f"{API_PREFIX}/{image_id}/file"


def thumbnail_url(image_id: int) -> str:
    return f"{API_PREFIX}/{image_id}/thumbnail"


def normalize_tag(raw: str) -> str:
    """Tags are trimmed and lower-cased so 'Promo' and 'promo ' are one tag (text rules: shelfscope.text)."""
    try:
        tag = clean_text(raw, max_length=TAG_MAX).lower()
    except ValueError as exc:
        raise ValueError(f"tag {raw[:20]!r} {exc}") from None
    if not tag:
        raise ValueError("a tag cannot be empty")
    return tag


def normalize_tags(raw: list[str] | str | None) -> list[str]:
    """A list, or one comma-separated string (multipart forms), into unique normalized tags in order."""
    if raw is None:
        return []
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in item.split(",")]
    seen: dict[str, None] = {}
    for part in parts:
        if part.strip():
            seen[normalize_tag(part)] = None
    if len(seen) > MAX_TAGS_PER_REQUEST:
        raise ValueError(f"at most {MAX_TAGS_PER_REQUEST} tags at once")
    return list(seen)


def normalize_folder(raw: str | None) -> str | None:
    """A folder is a label like 'stores/berlin'; slashes at the ends and empty parts are dropped.

    It is never used to build a storage path, so '..' is harmless, but it is refused anyway because a
    person who typed it expected a file-system meaning the library does not have.
    """
    if raw is None:
        return None
    try:
        check_characters(raw)
    except ValueError as exc:
        raise ValueError(f"folder {exc}") from None
    parts = [p.strip() for p in raw.replace("\\", "/").split("/")]
    parts = [p for p in parts if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError("folder parts cannot be '.' or '..'")
    folder = "/".join(collapse_whitespace(p) for p in parts)
    if not folder:
        return None
    try:
        return clean_text(folder, max_length=FOLDER_MAX)
    except ValueError as exc:
        raise ValueError(f"folder {exc}") from None


Tags = Annotated[list[str], AfterValidator(normalize_tags)]
Folder = Annotated[str | None, AfterValidator(normalize_folder)]


class ImageFilters(BaseModel):
    """Which library images to take. Every given filter must hold (AND); tags must all be present.

    Used by the list endpoint, bulk actions, and by datasets ("add images by library filter") through
    `service.image_filter_query(filters)`.
    """

    model_config = ConfigDict(extra="forbid")

    source: ImageSource | None = None
    # Exact folder; with folder_prefix=True also everything below it ('stores' takes 'stores/berlin').
    folder: Folder = None
    folder_prefix: bool = False
    tags: Tags = Field(default_factory=list)
    # Member of this dataset / not a member of this dataset.
    dataset_id: Id | None = None
    not_in_dataset_id: Id | None = None
    # True: at least one annotation in any dataset; False: none anywhere.
    has_annotations: bool | None = None
    # Case-insensitive substring of the file name.
    q: str | None = Field(default=None, max_length=255)

    @field_validator("q")
    @classmethod
    def _q(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def is_empty(self) -> bool:
        return self == ImageFilters()


class ImageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    width: int
    height: int
    format: str
    size_bytes: int
    content_hash: str
    source: ImageSource
    source_id: str | None
    folder: str | None
    tags: list[str]
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str:
        return file_url(self.id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def thumbnail_url(self) -> str:
        return thumbnail_url(self.id)


class FacetCount(BaseModel):
    value: str
    images: int


class ImageFacets(BaseModel):
    """The library's folders and tags with image counts, most used first (for filter pick lists)."""

    folders: list[FacetCount]
    tags: list[FacetCount]


class ErrorOut(BaseModel):
    """The API's error shape (`{"error", "detail", ...}`) for one file or URL of a batch."""

    model_config = ConfigDict(extra="allow")

    error: str
    detail: str


class ItemResult(BaseModel):
    """One file or URL of a batch: stored (new), duplicate (the existing image), or rejected (why)."""

    filename: str
    url: str | None = None
    status: Literal["stored", "duplicate", "rejected"]
    image: ImageOut | None
    error: dict[str, Any] | None


class BatchResult(BaseModel):
    results: list[ItemResult]
    stored: int
    duplicate: int
    rejected: int


SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MAX_LOOKUP_HASHES = 1000


def normalize_sha256(raw: str) -> str:
    """A sha256 as the library stores it: 64 lower-case hex digits (upper case is accepted)."""
    value = raw.strip().lower()
    if not SHA256_HEX.fullmatch(value):
        raise ValueError("must be a sha256 of the file's bytes: 64 hex digits")
    return value


class LookupIn(BaseModel):
    """Content hashes a client computed locally, to learn which files the library has already."""

    model_config = ConfigDict(extra="forbid")

    hashes: list[Annotated[str, AfterValidator(normalize_sha256)]] = Field(max_length=MAX_LOOKUP_HASHES)


class LookupOut(BaseModel):
    """The hashes the library has, each with its image id (lower-case keys); absent ones are left out."""

    found: dict[str, int]


class ImagePatch(BaseModel):
    """Only the fields given change; `folder: null` clears the folder."""

    model_config = ConfigDict(extra="forbid")

    folder: Folder = None
    tags: Tags | None = None


class UrlImportIn(BaseModel):
    """URLs to import (the request body and the job's payload); the job's result is a BatchResult."""

    model_config = ConfigDict(extra="forbid")

    urls: list[Annotated[str, Field(min_length=1, max_length=2048)]] = Field(min_length=1, max_length=100)
    folder: Folder = None
    tags: Tags = Field(default_factory=list)


BulkAction = Literal["tag", "untag", "set_folder", "delete"]


class BulkIn(BaseModel):
    """Act on the images named by `ids` or, when ids is absent, on every image matching `filter`."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Id] | None = Field(default=None, max_length=10_000)
    filter: ImageFilters | None = None
    action: BulkAction
    tags: Tags = Field(default_factory=list)
    folder: Folder = None
    # delete: also delete images that have annotations (never images frozen in a dataset version).
    force: bool = False


class BulkOut(BaseModel):
    action: BulkAction
    matched: int
    changed: int
    # delete: images left in place, with why (annotated without force, or frozen in a version).
    skipped: int = 0
    skipped_reasons: dict[str, int] = Field(default_factory=dict)


class SyncIn(BaseModel):
    """What to pull from the configured image source (see docs/sync-connector.md)."""

    model_config = ConfigDict(extra="forbid")

    date_from: datetime | None = None
    date_to: datetime | None = None
    store_id: str | None = Field(default=None, max_length=255)
    merchant_id: str | None = Field(default=None, max_length=255)
    folder: Folder = None
    tags: Tags = Field(default_factory=list)


class SyncResult(BaseModel):
    listed: int = 0
    stored: int = 0
    duplicate: int = 0
    skipped_existing: int = 0
    failed: int = 0


class VerifyPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild_thumbnails: bool = True
    # Re-render every thumbnail, not only missing ones (after changing SHELFSCOPE_THUMBNAIL_SIZE).
    regenerate_thumbnails: bool = False
    # None: every image in the library.
    image_ids: list[Id] | None = Field(default=None, max_length=100_000)
