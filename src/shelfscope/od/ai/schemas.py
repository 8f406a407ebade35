"""Request and response shapes of auto-annotation, one-image detect and review, and the job payloads.

Prompts are class names or phrases, each mapped to a class (`class_id`, or the class whose name or
alias matches the text). The schemas check types and ranges; what depends on the data (the model's
capabilities, classes, images in the dataset) is the service's, so those errors name the field too."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobOut
from shelfscope.od.annotations.schemas import AnnotationOut

ANNOTATE_KIND = "od.ai.annotate.run"
DETECT_KIND = "od.ai.detect.run"

MAX_PROMPTS = 64
PROMPT_MAX = 256
MODEL_KEY_MAX = 128
MAX_SELECTED_IMAGES = 10_000
MAX_BOXES_LIMIT = 1_000

ImageScope = Literal["all", "unannotated", "selected"]


class ImagesIn(BaseModel):
    """Which images: all of the dataset's, those nobody has annotated yet (no box other than AI
    proposals awaiting review or rejected), or the library image ids listed."""

    model_config = ConfigDict(extra="forbid")

    scope: ImageScope = "all"
    image_ids: list[Id] = Field(default_factory=list, max_length=MAX_SELECTED_IMAGES)


class PromptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=PROMPT_MAX)
    # None: the class whose name or alias is the text.
    class_id: Id | None = None


class DetectOptions(BaseModel):
    """What both the batch and the one-image detect take."""

    model_config = ConfigDict(extra="forbid")

    dataset_id: Id
    model: str = Field(min_length=1, max_length=MODEL_KEY_MAX)
    prompts: list[PromptIn] = Field(default_factory=list, max_length=MAX_PROMPTS)
    # Labels an open-vocabulary model names that match no prompt and no class: dropped, or stored as
    # this class.
    unknown_labels: Literal["drop"] | Id = "drop"
    threshold: float = Field(default=0.3, ge=0.0, le=1.0)
    max_boxes_per_image: int = Field(default=100, ge=1, le=MAX_BOXES_LIMIT)
    nms_iou: float = Field(default=0.5, ge=0.0, le=1.0)


class AnnotateIn(DetectOptions):
    images: ImagesIn = Field(default_factory=ImagesIn)


class DetectIn(DetectOptions):
    image_id: Id
    # Low by default: the editor's slider filters the shown proposals without running again.
    threshold: float = Field(default=0.05, ge=0.0, le=1.0)


# --- job payloads (as the service resolved them) ------------------------------------------------------


class ResolvedPrompt(BaseModel):
    text: str
    class_id: int


class DetectSettings(BaseModel):
    dataset_id: int
    dataset_name: str = ""
    model: str
    prompts: list[ResolvedPrompt] = Field(default_factory=list)
    unknown_class_id: int | None = None
    threshold: float = Field(ge=0.0, le=1.0)
    max_boxes_per_image: int = Field(ge=1, le=MAX_BOXES_LIMIT)
    nms_iou: float = Field(ge=0.0, le=1.0)


class AnnotatePayload(DetectSettings):
    scope: ImageScope = "all"
    # Library image ids (scope "selected").
    image_ids: list[int] = Field(default_factory=list, max_length=MAX_SELECTED_IMAGES)
    # Images per model call; None: the detector's own choice.
    batch_size: int | None = Field(default=None, ge=1, le=256)


class DetectPayload(DetectSettings):
    image_id: int


# --- results --------------------------------------------------------------------------------------


class ClassCount(BaseModel):
    class_id: int
    name: str
    count: int


class SkippedImage(BaseModel):
    image_id: int
    reason: str


class Timings(BaseModel):
    """Where the job's time went, in seconds: the detector's calls (with its pre- and post-processing),
    the model's forward passes alone (when the detector measures them), and the whole run's wall
    time (after the model was loaded)."""

    model_s: float = 0.0
    forward_s: float = 0.0
    # Writing the images' rows and checkpoints (each image's transaction).
    write_s: float = 0.0
    wall_s: float = 0.0


class AnnotateResult(BaseModel):
    """The job's result, also written as it goes (a checkpoint per image) so a requeued job resumes."""

    dataset_id: int
    dataset_name: str
    model: str
    images_done: int = 0
    images_total: int = 0
    # The last membership processed, in membership order: where a resumed run continues.
    last_dataset_image_id: int = 0
    predictions: int = 0
    duplicates_dropped: int = 0
    unknown_dropped: int = 0
    counts: list[ClassCount] = Field(default_factory=list)
    skipped: list[SkippedImage] = Field(default_factory=list)
    timings: Timings = Field(default_factory=Timings)


class AnnotateStatus(BaseModel):
    job: JobOut
    images_done: int
    images_total: int
    counts: list[ClassCount]


class DetectOut(BaseModel):
    """The stored proposals (editor annotation shape), the ids of this model's pending proposals they
    replaced, and the image's revision before and after (equal when nothing changed): an editor at
    `previous_revision` applies the change and continues at `revision`; any other revision reloads."""

    annotations: list[AnnotationOut]
    replaced_ids: list[int]
    previous_revision: int
    revision: int


# --- review ---------------------------------------------------------------------------------------


class ReviewItem(BaseModel):
    image_id: int
    filename: str
    pending: int
    models: list[str]


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    next_cursor: str | None
    total: int


class ModelReviewStats(BaseModel):
    model: str
    accepted_as_is: int
    accepted_after_edit: int
    rejected: int
    pending: int


class ReviewStats(BaseModel):
    items: list[ModelReviewStats]
