"""Request and response shapes of the annotation API: the editor's load and save, CRUD, bulk, navigation.

Coordinates are image pixels (xyxy floats). The schemas check types and shapes only; every check
against the data (class exists, box inside the image, ids on this image) is the service's, so those
errors name the item as `created[3].class_id` and change nothing.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shelfscope.ids import MAX_NUMBER, Id
from shelfscope.od.vocabulary import AnnotationKind, AnnotationSource, ImageStatus, ReviewState, Split

# One save or bulk request may carry this many entries per list; a dense shelf has a few hundred boxes.
MAX_ITEMS = 10_000
MAX_POLYGON_POINTS = 2_000
MODEL_MAX = 128
CLIENT_ID_MAX = 64
# Free-form attributes (occluded, truncated, a SKU...) are bounded: they travel with every editor load.
MAX_ATTRIBUTE_DEPTH = 8
MAX_ATTRIBUTES_BYTES = 16 * 1024

Point = tuple[float, float]


def check_attributes(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON within bounds: at most MAX_ATTRIBUTE_DEPTH objects or lists deep, at most
    MAX_ATTRIBUTES_BYTES as JSON, and only finite numbers (NaN and Infinity are not JSON; stored, they
    broke every later load of the image)."""
    if value is None:
        return None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_ATTRIBUTE_DEPTH:
                raise ValueError(f"must not nest objects or lists over {MAX_ATTRIBUTE_DEPTH} levels deep")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(node, float) and not math.isfinite(node):
            raise ValueError("must not contain NaN or Infinity (JSON has no such numbers)")
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_ATTRIBUTES_BYTES:
        raise ValueError(f"must be at most {MAX_ATTRIBUTES_BYTES:,} bytes as JSON, not {size:,}")
    return value


Attributes = Annotated[dict[str, Any] | None, AfterValidator(check_attributes)]


class AnnotationFields(BaseModel):
    """What a client may set on an annotation. For a polygon, x1..y2 are computed from `points`."""

    model_config = ConfigDict(extra="forbid")

    class_id: Id
    kind: AnnotationKind = "bbox"
    x1: float | None = None
    y1: float | None = None
    x2: float | None = None
    y2: float | None = None
    points: list[Point] | None = Field(default=None, max_length=MAX_POLYGON_POINTS)
    source: AnnotationSource = "manual"
    confidence: float | None = None
    review_state: ReviewState = "none"
    model: str | None = Field(default=None, max_length=MODEL_MAX)
    attributes: Attributes = None


class AnnotationCreate(AnnotationFields):
    """One new annotation on the image named by the route."""


class AnnotationPatch(BaseModel):
    """Only the fields given change; the result is checked as a whole (box inside the image, class exists)."""

    model_config = ConfigDict(extra="forbid")

    class_id: Id | None = None
    kind: AnnotationKind | None = None
    x1: float | None = None
    y1: float | None = None
    x2: float | None = None
    y2: float | None = None
    points: list[Point] | None = Field(default=None, max_length=MAX_POLYGON_POINTS)
    source: AnnotationSource | None = None
    confidence: float | None = None
    review_state: ReviewState | None = None
    model: str | None = Field(default=None, max_length=MODEL_MAX)
    attributes: Attributes = None


class AnnotationOut(BaseModel):
    id: int
    dataset_id: int
    dataset_image_id: int
    # The library image id, as in the routes.
    image_id: int
    class_id: int
    kind: AnnotationKind
    x1: float
    y1: float
    x2: float
    y2: float
    points: list[list[float]] | None
    source: AnnotationSource
    confidence: float | None
    review_state: ReviewState
    # An AI proposal changed (box or class) while it was pending.
    review_edited: bool
    model: str | None
    trained_model_id: int | None
    attributes: dict[str, Any] | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class DatasetImageState(BaseModel):
    """The membership fields the editor tracks. `revision` goes back as `base_revision` on the next save."""

    dataset_image_id: int
    status: ImageStatus
    revision: int
    annotation_count: int
    split: Split | None


class EditorImage(BaseModel):
    id: int
    filename: str
    width: int
    height: int
    file_url: str
    thumbnail_url: str


class ImageAnnotations(BaseModel):
    """Everything the editor needs to open one image of a dataset."""

    dataset_id: int
    image: EditorImage
    dataset_image: DatasetImageState
    items: list[AnnotationOut]


class CurrentState(BaseModel):
    """The image's annotations as they are now; sent with a 409 so the editor can merge or reload."""

    revision: int
    status: ImageStatus
    annotation_count: int
    items: list[AnnotationOut]


# --- the editor save ---------------------------------------------------------------------------------


class SaveCreated(AnnotationFields):
    # The editor's temporary id for a box it drew; the response maps it to the stored id.
    client_id: str = Field(min_length=1, max_length=CLIENT_ID_MAX)


class SaveUpdated(AnnotationPatch):
    id: Id


class SaveIn(BaseModel):
    """The editor's pending changes to one image, applied all together or not at all."""

    model_config = ConfigDict(extra="forbid")

    # The revision the editor loaded (or got back from its last save).
    base_revision: int = Field(ge=0, le=MAX_NUMBER)
    created: list[SaveCreated] = Field(default_factory=list, max_length=MAX_ITEMS)
    updated: list[SaveUpdated] = Field(default_factory=list, max_length=MAX_ITEMS)
    deleted: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS)
    # False: answer with revision and id_map only (less to send back for a large image).
    return_items: bool = True


class SaveOut(BaseModel):
    revision: int
    status: ImageStatus
    annotation_count: int
    # client_id of every created box -> its stored id.
    id_map: dict[str, int]
    # The image's annotations after the save (as stored: clamped coordinates), unless return_items=false.
    items: list[AnnotationOut] | None


class AnnotationWritten(BaseModel):
    """A single-annotation write: the annotation and its image's membership state afterwards."""

    annotation: AnnotationOut
    dataset_image: DatasetImageState


class AnnotationDeleted(BaseModel):
    deleted_id: int
    dataset_image: DatasetImageState


# --- bulk -------------------------------------------------------------------------------------------


class BulkItem(AnnotationPatch):
    """With `id`: update that annotation (only the fields given). Without: create one on `image_id`."""

    id: Id | None = None
    image_id: Id | None = None


class BulkIn(BaseModel):
    """Creates and updates within one dataset, all in one transaction.

    Idempotent: an update by id sets the same values again, and a create that matches an existing
    annotation of the image exactly (class, kind, geometry) returns that one instead of a duplicate,
    so a retried request changes nothing twice.
    """

    model_config = ConfigDict(extra="forbid")

    dataset_id: Id
    items: list[BulkItem] = Field(min_length=1, max_length=MAX_ITEMS)


class BulkItemResult(BaseModel):
    index: int
    id: int
    status: Literal["created", "updated", "unchanged", "exists"]


class ImageRevision(BaseModel):
    image_id: int
    revision: int
    annotation_count: int


class BulkOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    results: list[BulkItemResult]
    images: list[ImageRevision]


class BulkDeleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Id] = Field(min_length=1, max_length=MAX_ITEMS)


class BulkDeleteOut(BaseModel):
    deleted: int
    # Named but already gone (or never there): nothing to do, so a retry succeeds.
    not_found: list[int]
    images: list[ImageRevision]


# --- status and navigation ----------------------------------------------------------------------------


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ImageStatus


class Neighbors(BaseModel):
    """Position of an image in its dataset (ordered by when it joined: membership id)."""

    image_id: int
    # 1-based position and the dataset's image count.
    index: int
    total: int
    prev_image_id: int | None
    next_image_id: int | None
    # The next image after this one (wrapping to the start) still new or in progress; null when none.
    next_unannotated_image_id: int | None


class NextImage(BaseModel):
    """The first image (by position) still new or in progress; null when every image is done."""

    image_id: int | None
    status: ImageStatus | None
    # Images still new or in progress.
    remaining: int
    total: int
