"""Request and response shapes of dataset versions (immutable snapshots with a train/val/test split)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shelfscope.ids import Seed
from shelfscope.jobs.schemas import JobOut
from shelfscope.od.vocabulary import ImageStatus, Split
from shelfscope.text import clean_text

VersionStatus = Literal["building", "ready", "failed"]
BUILD_KIND = "od.versions.build"


class SplitRatios(BaseModel):
    model_config = ConfigDict(extra="forbid")

    train: float = Field(default=0.7, ge=0, le=1)
    val: float = Field(default=0.2, ge=0, le=1)
    test: float = Field(default=0.1, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitRatios:
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + val + test must be 1 (it is {total:g})")
        return self

    def as_dict(self) -> dict[Split, float]:
        return {"train": self.train, "val": self.val, "test": self.test}


class SplitConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratios: SplitRatios = SplitRatios()
    seed: Seed = 0
    # Balance each split by class: images are grouped by their rarest class before splitting.
    stratified: bool = False
    # Images whose split is already recorded (by an import, an earlier version or a person) keep it;
    # false re-splits every image.
    keep_assigned: bool = True


class VersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A label shown beside the number: the text rules of every name (shelfscope.text), may be empty.
    name: Annotated[str, AfterValidator(clean_text)] = ""
    description: str = Field(default="", max_length=10_000)
    split: SplitConfig = SplitConfig()
    # Images with these statuses are included ("skipped" images are left out by default).
    include_statuses: list[ImageStatus] = Field(default=["new", "in_progress", "completed"], min_length=1)
    # False: images without any (accepted or unreviewed) annotation are left out.
    include_unannotated: bool = True


class ClassMappingItem(BaseModel):
    index: int
    class_id: int
    name: str


class VersionCounts(BaseModel):
    images: dict[str, int] = {}
    annotations: dict[str, int] = {}
    # Annotations per class name.
    classes: dict[str, int] = {}
    total_images: int = 0
    total_annotations: int = 0
    # Why the build failed (status "failed").
    error: str | None = None


class VersionOut(BaseModel):
    id: int
    dataset_id: int
    number: int
    name: str
    description: str
    status: VersionStatus
    class_mapping: list[ClassMappingItem]
    split_config: dict[str, object]
    counts: VersionCounts
    job_id: int | None
    created_by: int | None
    created_at: datetime


class VersionCreated(BaseModel):
    """202 answer of a version creation: the build job and the version (status "building")."""

    job: JobOut
    version: VersionOut


class VersionPage(BaseModel):
    items: list[VersionOut]
    next_cursor: str | None
    total: int | None


class BuildPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: int = Field(ge=1)
