"""Request, job payload and report shapes of dataset imports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shelfscope.ids import Id
from shelfscope.text import check_characters, clean_name

ImportFormat = Literal["coco", "yolo", "voc"]
OnInvalid = Literal["fail", "skip"]
IMPORT_KIND = "od.imports.run"


class ImportTarget(BaseModel):
    """Where imported images go: an existing dataset, or a new one with this name (neither given: a
    new dataset named after the archive or folder)."""

    dataset_id: Id | None = None
    dataset_name: str | None = None
    # None: the server's default (Settings.import_on_invalid).
    on_invalid: OnInvalid | None = None

    @field_validator("dataset_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value)

    @model_validator(mode="after")
    def _one_target(self) -> ImportTarget:
        if self.dataset_id is not None and self.dataset_name is not None:
            raise ValueError("give dataset_id (an existing dataset) or dataset_name (a new one), not both")
        return self


class FolderImportIn(ImportTarget):
    """JSON body of an import from a server folder (under one of the configured import roots)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=4096)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        check_characters(value)  # a NUL byte ends no folder name; control characters name none
        return value


class ImportPayload(BaseModel):
    """What the import job receives (the router fills it; `POST /jobs` callers may too)."""

    model_config = ConfigDict(extra="forbid")

    format: ImportFormat
    # Exactly one of: a server folder, or an uploaded archive already in storage.
    path: str | None = None
    upload_key: str | None = None
    # The archive's name as uploaded (messages and the default dataset name).
    upload_name: str | None = None
    dataset_id: Id | None = None
    dataset_name: str | None = None
    on_invalid: OnInvalid = "fail"

    @model_validator(mode="after")
    def _one_source(self) -> ImportPayload:
        if (self.path is None) == (self.upload_key is None):
            raise ValueError("give exactly one of path (a server folder) or upload_key (an uploaded archive)")
        if self.dataset_id is not None and self.dataset_name is not None:
            raise ValueError("give dataset_id or dataset_name, not both")
        return self


class IssueOut(BaseModel):
    severity: Literal["invalid", "warning"]
    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None


class ImageCounts(BaseModel):
    # Entries the annotation files list (after merging the same file named twice).
    listed: int = 0
    # New to the library (stored), already in the library (reused by content hash).
    stored: int = 0
    reused: int = 0
    # Entries whose bytes equal another entry's: merged into one image.
    merged: int = 0
    added_to_dataset: int = 0
    already_in_dataset: int = 0
    # Missing, unreadable or not an image.
    skipped: int = 0


class AnnotationCounts(BaseModel):
    read: int = 0
    imported: int = 0
    # Invalid (skipped under on_invalid=skip), or belonging to a skipped image.
    skipped: int = 0
    # Same class and box as one the image already has (re-import, or the same image listed twice).
    duplicates: int = 0
    # Out-of-image boxes within a pixel of the edge, clipped to it.
    clipped: int = 0
    # Boxes given for a declared image size that differs from the file; scaled to the file.
    rescaled: int = 0


class AliasMatch(BaseModel):
    label: str
    class_name: str


class ClassReport(BaseModel):
    # Label names that matched a class by name, by one of its aliases, or created a new class.
    matched: list[str] = []
    matched_by_alias: list[AliasMatch] = []
    created: list[str] = []
    # Labels that no imported annotation uses (no class was created for them).
    unused: list[str] = []


class ImportReport(BaseModel):
    """The import job's result (also written on a failed import, so the job shows every issue)."""

    outcome: Literal["imported", "rejected"]
    format: ImportFormat
    source: str
    on_invalid: OnInvalid
    dataset_id: int | None = None
    dataset_name: str | None = None
    dataset_created: bool = False
    images: ImageCounts = ImageCounts()
    annotations: AnnotationCounts = AnnotationCounts()
    classes: ClassReport = ClassReport()
    # Images per split in the dataset after the import ("none": no split recorded).
    splits: dict[str, int] = {}
    # What the formats hold that Shelfscope does not keep, counted (keypoints, RLE masks, VOC parts).
    dropped: dict[str, int] = {}
    issue_counts: dict[str, int] = {}
    # Every invalid entry and every warning, up to MAX_LISTED_ISSUES; then issues_truncated.
    issues: list[IssueOut] = []
    issues_truncated: bool = False
    seconds: float = 0.0
