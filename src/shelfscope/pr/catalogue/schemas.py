"""API shapes of the catalogue import: the job's payload, its report, and the issues it names."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shelfscope.pr.products.models import DOMAINS

CATALOGUE_IMPORT_KIND = "pr.catalogue.import"
OnExisting = Literal["skip", "update", "fail"]
CatalogueFormat = Literal["csv", "json"]
Domain = Literal["synthetic", "real", "augmented", "cutout"]
assert set(DOMAINS) == {"synthetic", "real", "augmented", "cutout"}
# The product fields a catalogue column can fill; `columns` maps them to a file's own column names.
FIELDS = ("sku", "name", "barcode", "brand", "category", "status", "attributes", "image_urls", "image_domain")
REQUIRED_FIELDS = ("sku", "name")


class CatalogueIssue(BaseModel):
    """One thing wrong: a row of the catalogue (`row`, the CSV line or the JSON item from 1, and
    `field`) or a file of the images archive or a URL (`file`)."""

    detail: str
    row: int | None = None
    field: str | None = None
    file: str | None = None


class CatalogueImportPayload(BaseModel):
    catalogue_key: str
    upload_name: str
    catalogue_format: CatalogueFormat
    images_key: str | None = None
    images_name: str | None = None
    on_existing: OnExisting = "fail"
    domain_map: dict[str, Domain] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict)


class CatalogueReport(BaseModel):
    """The job's result: what was written, or (outcome rejected) every bad row and file; then nothing
    was written."""

    outcome: Literal["imported", "rejected"] = "rejected"
    catalogue: str = ""
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    products_skipped: int = 0
    images_stored: int = 0
    images_duplicate: int = 0
    files_ignored: list[str] = Field(default_factory=list)
    issues: list[CatalogueIssue] = Field(default_factory=list)
    issues_truncated: bool = False
