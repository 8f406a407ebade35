"""Request and response shapes of cutouts, the make-cutouts job's payload and its result.

The schemas check types and ranges; what depends on the data (the dataset, classes, model, the
image's size) is the service's, and those errors name the field too."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shelfscope.ids import Id

MAKE_KIND = "pr.cutouts.make"

CutoutState = Literal["unmatched", "matched", "rejected"]
CutoutSource = Literal["annotation", "prediction", "manual"]
JobSource = Literal["annotations", "predictions"]
BulkAction = Literal["reject", "unmatch", "match"]

MAX_CLASS_IDS = 1_000
MAX_IMAGE_IDS = 10_000
MAX_PROMPTS = 64
PROMPT_MAX = 256
MODEL_KEY_MAX = 128
MAX_BULK_IDS = 10_000
DEFAULT_MARGIN = 0.05
DEFAULT_THRESHOLD = 0.3


class BoxIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x1: float = Field(allow_inf_nan=False)
    y1: float = Field(allow_inf_nan=False)
    x2: float = Field(allow_inf_nan=False)
    y2: float = Field(allow_inf_nan=False)


class BoxOut(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


class CutoutImage(BaseModel):
    """The shelf photo a cutout was cut from (library routes)."""

    id: int
    width: int
    height: int
    filename: str
    thumbnail_url: str
    file_url: str


class ProductRef(BaseModel):
    id: int
    sku: str
    name: str


class CutoutOut(BaseModel):
    id: int
    image_id: int
    dataset_id: int | None
    annotation_id: int | None
    class_id: int | None
    class_name: str | None
    source: CutoutSource
    model: str | None
    confidence: float | None
    box: BoxOut
    margin: float
    width: int
    height: int
    state: CutoutState
    product_id: int | None
    product: ProductRef | None
    image: CutoutImage
    crop_url: str
    job_id: int | None
    created_at: datetime
    updated_at: datetime


class CutoutCreate(BaseModel):
    """A cutout drawn by hand on a library image."""

    model_config = ConfigDict(extra="forbid")

    image_id: Id
    box: BoxIn
    dataset_id: Id | None = None
    class_id: Id | None = None
    margin: float = Field(default=DEFAULT_MARGIN, ge=0.0, le=1.0)


class CutoutPatch(BaseModel):
    """`state: matched` needs a product (given, or the one it is matched to); `product_id` alone
    matches too. Unmatching or rejecting takes the crop out of the product's gallery."""

    model_config = ConfigDict(extra="forbid")

    state: CutoutState | None = None
    product_id: Id | None = None

    @model_validator(mode="after")
    def _something(self) -> CutoutPatch:
        if not self.model_fields_set & {"state", "product_id"}:
            raise ValueError("give a state and/or a product_id")
        if "state" in self.model_fields_set and self.state is None:
            raise ValueError("state must not be null")
        return self


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Id] = Field(min_length=1, max_length=MAX_BULK_IDS)
    action: BulkAction
    product_id: Id | None = None


class BulkOut(BaseModel):
    updated: int


class MakeCutoutsIn(BaseModel):
    """Cut the boxes of a dataset's images out: its annotations (of `class_ids`, or all), or what a
    detector finds above `threshold` (prompts, or the names of `class_ids`)."""

    model_config = ConfigDict(extra="forbid")

    dataset_id: Id
    source: JobSource = "annotations"
    class_ids: list[Id] = Field(default_factory=list, max_length=MAX_CLASS_IDS)
    model: str | None = Field(default=None, min_length=1, max_length=MODEL_KEY_MAX)
    prompts: list[str] = Field(default_factory=list, max_length=MAX_PROMPTS)
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    margin: float = Field(default=DEFAULT_MARGIN, ge=0.0, le=1.0)
    image_ids: list[Id] = Field(default_factory=list, max_length=MAX_IMAGE_IDS)


# --- the job ----------------------------------------------------------------------------------------


class PromptClass(BaseModel):
    """A prompt sent to the detector and the class its boxes get (None: no class)."""

    text: str
    class_id: int | None = None


class MakePayload(BaseModel):
    dataset_id: int
    dataset_name: str = ""
    source: JobSource
    class_ids: list[int] = Field(default_factory=list, max_length=MAX_CLASS_IDS)
    model: str | None = None
    prompts: list[PromptClass] = Field(default_factory=list)
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    margin: float = Field(default=DEFAULT_MARGIN, ge=0.0, le=1.0)
    image_ids: list[int] = Field(default_factory=list, max_length=MAX_IMAGE_IDS)
    # Images per transaction (and per model call with predictions).
    batch_size: int = Field(default=16, ge=1, le=256)


class Skipped(BaseModel):
    image_id: int
    reason: str


class MakeResult(BaseModel):
    """The job's result, also written after every batch (where a requeued run resumes)."""

    dataset_id: int
    dataset_name: str = ""
    source: JobSource
    model: str | None = None
    created: int = 0
    existing: int = 0
    images: int = 0
    images_total: int = 0
    # Boxes with no area left inside their image (clipped away).
    empty_boxes: int = 0
    last_member_id: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    wall_s: float = 0.0
