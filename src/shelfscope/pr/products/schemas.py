"""Request and response shapes of the product catalogue API (products and their gallery images)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from shelfscope.ids import Id
from shelfscope.text import clean_name, clean_text

# Where the products router is mounted; image shapes carry ready-to-use links.
API_PREFIX = "/api/v1/pr"
SKU_MAX = 128
BARCODE_MAX = 64
NAME_MAX = 512
LABEL_MAX = 255
ATTRIBUTES_MAX_KEYS = 200
ATTRIBUTES_MAX_BYTES = 16 * 1024
# Printable ASCII without spaces: EAN/UPC digits, and Code 128 / GS1 strings with letters and punctuation.
_BARCODE = re.compile(r"^[\x21-\x7e]+$")

Domain = Literal["synthetic", "real", "augmented", "cutout"]
ProductStatus = Literal["active", "draft", "archived"]
ImageSource = Literal["upload", "url", "video", "import", "cutout"]
SortField = Literal["created_at", "name", "sku", "brand", "image_count"]
SortOrder = Literal["asc", "desc"]


def image_file_url(image_id: int) -> str:
    return f"{API_PREFIX}/images/{image_id}/file"


def image_thumbnail_url(image_id: int) -> str:
    return f"{API_PREFIX}/images/{image_id}/thumbnail"


def clean_sku(value: str) -> str:
    return clean_name(value, max_length=SKU_MAX)


def clean_barcode(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = clean_text(value, max_length=BARCODE_MAX)
    if not cleaned:
        return None
    if not _BARCODE.match(cleaned):
        raise ValueError("must be letters, digits and punctuation without spaces (e.g. 7310865004703)")
    return cleaned


def clean_label(value: str | None) -> str | None:
    """A brand or category: trimmed; empty means none."""
    return None if value is None else clean_text(value, max_length=LABEL_MAX) or None


def clean_attributes(value: dict[str, Any]) -> dict[str, Any]:
    """Free attributes: any JSON values under clean, unique keys, within a size limit."""
    if len(value) > ATTRIBUTES_MAX_KEYS:
        raise ValueError(f"at most {ATTRIBUTES_MAX_KEYS} attributes")
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        name = clean_name(key, max_length=128)
        if name in cleaned:
            raise ValueError(f"attribute {name!r} is given twice")
        cleaned[name] = item
    if len(json.dumps(cleaned, ensure_ascii=False).encode()) > ATTRIBUTES_MAX_BYTES:
        raise ValueError(f"must be at most {ATTRIBUTES_MAX_BYTES // 1024} KiB as JSON")
    return cleaned


class _ProductRules(BaseModel):
    """The text and attribute rules a product's fields follow, on create and on patch alike."""

    @field_validator("sku", check_fields=False)
    @classmethod
    def _sku(cls, v: str) -> str:
        return clean_sku(v)

    @field_validator("name", check_fields=False)
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_name(v, max_length=NAME_MAX)

    @field_validator("barcode", check_fields=False)
    @classmethod
    def _barcode(cls, v: str | None) -> str | None:
        return clean_barcode(v)

    @field_validator("brand", "category", check_fields=False)
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        return clean_label(v)

    @field_validator("attributes", check_fields=False)
    @classmethod
    def _attributes(cls, v: dict[str, Any]) -> dict[str, Any]:
        return clean_attributes(v)


class ProductCreate(_ProductRules):
    model_config = ConfigDict(extra="forbid")

    sku: str
    name: str
    barcode: str | None = None
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    status: ProductStatus = "active"


class ProductPatch(_ProductRules):
    """Only the fields given change; `barcode`, `brand` and `category` may be null (cleared)."""

    model_config = ConfigDict(extra="forbid")

    sku: str | None = None
    name: str | None = None
    barcode: str | None = None
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, Any] | None = None
    status: ProductStatus | None = None

    @field_validator("sku", "name", "attributes", "status", mode="before")
    @classmethod
    def _required(cls, v: Any) -> Any:
        if v is None:
            raise ValueError("must not be null")
        return v


class ProductImageOut(BaseModel):
    id: int
    product_id: int
    domain: str
    source: str
    filename: str
    width: int
    height: int
    format: str
    size_bytes: int
    video_id: int | None
    frame_index: int | None
    frame_time_s: float | None
    cutout_id: int | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str:
        return image_file_url(self.id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def thumbnail_url(self) -> str:
        return image_thumbnail_url(self.id)


class DomainCounts(BaseModel):
    synthetic: int
    real: int
    augmented: int
    cutout: int


class ProductOut(BaseModel):
    id: int
    sku: str
    barcode: str | None
    name: str
    brand: str | None
    category: str | None
    attributes: dict[str, Any]
    status: str
    image_count: int
    domain_counts: DomainCounts
    cover_image: ProductImageOut | None
    created_at: datetime
    updated_at: datetime


class ProductFilters(BaseModel):
    """The list's filters (query parameters)."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=255)
    brand: str | None = Field(default=None, max_length=LABEL_MAX)
    category: str | None = Field(default=None, max_length=LABEL_MAX)
    status: ProductStatus | None = None
    has_domain: Domain | None = None
    missing_domain: Domain | None = None
    # Products with fewer images than this (all domains together).
    min_images_below: int | None = Field(default=None, ge=1, le=1_000_000)


class FacetCount(BaseModel):
    value: str
    count: int


class ProductFacets(BaseModel):
    brands: list[FacetCount]
    categories: list[FacetCount]


class UploadItem(BaseModel):
    """One file of an upload: stored (new), duplicate (the image that has those bytes, on the product
    named by `product_id`), or error (the error shape naming the file)."""

    filename: str
    status: Literal["stored", "duplicate", "error"]
    image: ProductImageOut | None
    product_id: int | None = None
    error: dict[str, Any] | None


class UploadResult(BaseModel):
    items: list[UploadItem]
    stored: int
    duplicates: int
    errors: int


class ImagePatch(BaseModel):
    """Move an image to another product and/or change its domain."""

    model_config = ConfigDict(extra="forbid")

    product_id: Id | None = None
    domain: Domain | None = None

    @field_validator("product_id", "domain", mode="before")
    @classmethod
    def _not_null(cls, v: Any) -> Any:
        if v is None:
            raise ValueError("must not be null")
        return v
