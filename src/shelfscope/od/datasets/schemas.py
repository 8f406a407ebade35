"""Request and response shapes of the dataset API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shelfscope.ids import Id
from shelfscope.od.images.schemas import ImageFilters
from shelfscope.od.vocabulary import AnnotationKind, ImageStatus, Split
from shelfscope.text import clean_name

# A dataset holds boxes or polygons: the annotation kinds.
AnnotationType = AnnotationKind
DESCRIPTION_MAX = 10_000
# One request may name this many images; larger selections go through `filter`.
MAX_IMAGE_IDS = 100_000


class DatasetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    annotation_type: AnnotationType = "bbox"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)


class DatasetUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    annotation_type: AnnotationType | None = None

    @field_validator("name", "annotation_type")
    @classmethod
    def _not_null(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("must not be null")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str:
        return value or ""


class StatusCounts(BaseModel):
    new: int = 0
    in_progress: int = 0
    completed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.new + self.in_progress + self.completed + self.skipped

    @property
    def progress(self) -> float:
        """Share of images that are done: completed or deliberately skipped."""
        return round((self.completed + self.skipped) / self.total, 4) if self.total else 0.0


class DatasetOut(BaseModel):
    id: int
    name: str
    description: str
    annotation_type: AnnotationType
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    image_count: int
    annotation_count: int
    status_counts: StatusCounts
    # (completed + skipped) / image_count, 0..1; 0 for an empty dataset.
    progress: float


class AddImagesIn(BaseModel):
    """Exactly one of: the library images by id, or every library image matching a filter."""

    model_config = ConfigDict(extra="forbid")

    image_ids: list[Id] | None = Field(default=None, max_length=MAX_IMAGE_IDS)
    filter: ImageFilters | None = None


class AddImagesOut(BaseModel):
    added: int
    already_present: int


class RemoveImagesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_ids: list[Id] = Field(min_length=1, max_length=MAX_IMAGE_IDS)


class RemoveImagesOut(BaseModel):
    removed: int
    # Named but not in the dataset (or not an image at all): nothing to remove.
    not_present: int
    # Annotations on the removed images, deleted with them.
    annotations_removed: int


class ImageInfo(BaseModel):
    id: int
    filename: str
    width: int
    height: int
    format: str
    size_bytes: int
    folder: str | None
    file_url: str
    thumbnail_url: str


THUMB_BOXES = 50


class ThumbBox(BaseModel):
    """A box in 0..1 image coordinates with its class colour, for drawing on a thumbnail."""

    x: float
    y: float
    w: float
    h: float
    color: str


class DatasetImageOut(BaseModel):
    # The membership row; routes address it by the library image id.
    id: int
    dataset_id: int
    image_id: int
    image: ImageInfo
    status: ImageStatus
    split: Split | None
    annotation_count: int
    # Bumped by every editor save and by class merges/deletes touching the image.
    revision: int
    assigned_to: int | None
    added_at: datetime
    updated_at: datetime
    # Only with ?with_boxes=1: up to THUMB_BOXES boxes for drawing on the thumbnail.
    boxes: list[ThumbBox] | None = None


class BulkImagesOut(BaseModel):
    updated: int
    # Named but not in the dataset: nothing changed for them.
    not_present: int


class DatasetImagePatch(BaseModel):
    """Only the fields given change; `split: null` takes the image out of any split."""

    model_config = ConfigDict(extra="forbid")

    status: ImageStatus | None = None
    split: Split | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("must not be null")
        return value


class BulkImagesPatch(DatasetImagePatch):
    """Set the status and/or split of several dataset images; `split: null` clears it."""

    image_ids: list[Id] = Field(min_length=1, max_length=MAX_IMAGE_IDS)

    @model_validator(mode="after")
    def _something(self) -> BulkImagesPatch:
        if not ({"status", "split"} & self.model_fields_set):
            raise ValueError("give a status or a split to set")
        return self


class ClassCount(BaseModel):
    class_id: int
    name: str
    display_name: str
    color: str
    annotations: int
    # Images of this dataset with at least one annotation of the class.
    images: int


class ChartPoint(BaseModel):
    """One bar/slice of the class distribution chart."""

    class_id: int
    label: str
    color: str
    value: int
    percent: float


class SplitCounts(BaseModel):
    train: int = 0
    val: int = 0
    test: int = 0
    unassigned: int = 0


class DatasetStats(BaseModel):
    dataset_id: int
    image_count: int
    images_by_status: StatusCounts
    progress: float
    annotation_count: int
    annotations_by_class: list[ClassCount]
    class_distribution: list[ChartPoint]
    splits: SplitCounts


# --- label set -------------------------------------------------------------------------------------

# More than any label set a person orders by hand; the catalogue itself has no such bound.
MAX_LABEL_SET = 1_000


class LabelSetIn(BaseModel):
    """The whole ordered list; it replaces the stored one."""

    model_config = ConfigDict(extra="forbid")

    class_ids: list[Id] = Field(max_length=MAX_LABEL_SET)


class LabelSetClass(BaseModel):
    id: int
    name: str
    display_name: str
    color: str
    category: str | None
    # 1-9 for the first nine classes of the set: the editor's number keys.
    key: int | None
    # True: placed in the dataset's stored order; False: used by annotations of the dataset but not
    # placed yet (listed after the placed ones, by name).
    listed: bool
    annotation_count: int


class LabelSetOut(BaseModel):
    dataset_id: int
    items: list[LabelSetClass]
