"""Request and response shapes of PR datasets, their stats and their frozen versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shelfscope.ids import MAX_NUMBER, Id
from shelfscope.pr.products.models import DOMAINS
from shelfscope.text import clean_name, clean_text

DatasetSource = Literal["all_products", "matched_products", "selection"]
Domain = Literal["synthetic", "real", "augmented", "cutout"]
ProductStatus = Literal["active", "draft", "archived"]
ALL_DOMAINS: tuple[Domain, ...] = ("synthetic", "real", "augmented", "cutout")

DESCRIPTION_MAX = 10_000
# A hand-picked list this long is one IN list (under SQLite's 32,766 parameters); larger sets go by
# brand, category or status.
MAX_PRODUCT_IDS = 20_000
MAX_EXCLUDED_LISTED = 500


class Selection(BaseModel):
    """Which products a `selection` dataset holds: the listed ones and/or those matching every filter
    given (all of them when both are given: listed AND matching)."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[Id] | None = Field(default=None, max_length=MAX_PRODUCT_IDS)
    brand: str | None = Field(default=None, max_length=255)
    category: str | None = Field(default=None, max_length=255)
    status: ProductStatus | None = None

    @field_validator("brand", "category")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else clean_text(value) or None

    def is_empty(self) -> bool:
        return self.product_ids is None and not self.brand and not self.category and self.status is None

    def stored(self) -> dict[str, Any]:
        values = self.model_dump(exclude_none=True)
        if "product_ids" in values:
            values["product_ids"] = sorted(set(values["product_ids"]))
        return values


def _domains(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if not value:
        raise ValueError("choose at least one domain")
    return [d for d in DOMAINS if d in set(value)]


class PrDatasetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    source: DatasetSource = "all_products"
    selection: Selection = Field(default_factory=Selection)
    domains: list[Domain] = Field(default_factory=lambda: list(ALL_DOMAINS), max_length=8)
    min_images_per_product: int = Field(default=1, ge=0, le=MAX_NUMBER)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return _domains(value) or []


class PrDatasetUpdate(BaseModel):
    """Only the fields given change; none of them may be null."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    source: DatasetSource | None = None
    selection: Selection | None = None
    domains: list[Domain] | None = Field(default=None, max_length=8)
    min_images_per_product: int | None = Field(default=None, ge=0, le=MAX_NUMBER)

    @field_validator(
        "name", "description", "source", "selection", "domains", "min_images_per_product", mode="before"
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value)

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str] | None) -> list[str] | None:
        return _domains(value)


class PrDatasetOut(BaseModel):
    id: int
    name: str
    description: str
    source: DatasetSource
    selection: dict[str, Any]
    domains: list[Domain]
    min_images_per_product: int
    product_count: int
    image_count: int
    excluded_count: int
    version_count: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class DistributionPoint(BaseModel):
    """How many products have exactly `images` counted images (one bar of the chart)."""

    images: int
    products: int


class ExcludedProduct(BaseModel):
    product_id: int
    sku: str
    name: str
    images: int


class PrDatasetStats(BaseModel):
    dataset_id: int
    # Included products and their counted images.
    products: int
    images: int
    domains: dict[str, int]
    # Every candidate product (included or not) by its counted images, fewest first.
    distribution: list[DistributionPoint]
    min_images_per_product: int
    excluded: list[ExcludedProduct]
    excluded_count: int


class PrVersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=255)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_text(value)


class PrVersionOut(BaseModel):
    id: int
    dataset_id: int
    number: int
    name: str
    # The dataset's source, selection, domains and minimum when it was frozen.
    config: dict[str, Any]
    # {"products", "images", "domains": {...}, "excluded"}
    counts: dict[str, Any]
    created_by: int | None
    created_at: datetime


class PrVersionList(BaseModel):
    items: list[PrVersionOut]


class PrVersionImageOut(BaseModel):
    product_image_id: int
    product_id: int
    domain: Domain
