"""Shapes of the model registry API (a Model, edits, inference, export, compare) and its job payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id

INFERENCE_KIND = "od.models.inference.run"
EXPORT_KIND = "od.models.export.run"
# `trained:<id>`: the detector key of a registered model (AI auto-annotation, the loader's source).
TRAINED_PREFIX = "trained:"
COMPARE_MIN, COMPARE_MAX = 2, 5
NAME_MAX = 255
DESCRIPTION_MAX = 10_000

OnnxStatus = Literal["none", "running", "ready", "failed"]
ExportFormat = Literal["onnx", "tensorrt"]
DownloadFormat = Literal["pytorch", "onnx"]


def trained_key(model_id: int) -> str:
    return f"{TRAINED_PREFIX}{model_id}"


class ClassEntry(BaseModel):
    """Model class `index` is the dataset class `class_id` (named `name` when the model was trained)."""

    index: int
    # None: the version had no live class for it (the name still says what it was).
    class_id: int | None
    name: str


class OnnxInfo(BaseModel):
    """The ONNX export: its state, size, and how closely onnxruntime matched PyTorch on a real image:
    over the boxes both give (each matched to its twin of the same class), the largest score difference
    and the smallest IoU."""

    status: OnnxStatus = "none"
    size: int | None = None
    max_abs_diff: float | None = None
    box_iou_min: float | None = None
    boxes_compared: int | None = None
    # The library image the parity check ran on (None: no image was in the library).
    image_id: int | None = None
    checked_at: datetime | None = None
    error: str | None = None
    job_id: int | None = None


class UserRef(BaseModel):
    id: int
    username: str


class ModelOut(BaseModel):
    id: int
    name: str
    description: str
    architecture: str
    family: str
    # The detector key for AI auto-annotation.
    key: str
    training_run_id: int | None
    dataset_id: int | None
    dataset_name: str | None
    dataset_version_id: int | None
    version_number: int | None
    input_size: int
    classes: list[ClassEntry]
    metrics: dict[str, Any]
    artifact_size: int
    is_active: bool
    is_default: bool
    onnx: OnnxInfo | None
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    is_active: bool | None = None


class InferenceIn(BaseModel):
    """A library image by id (the multipart form takes `file` and `threshold` instead)."""

    model_config = ConfigDict(extra="forbid")

    image_id: Id
    # Low by default: the UI's confidence slider filters the boxes without running again.
    threshold: float = Field(default=0.05, ge=0.0, le=1.0)


class InferenceBox(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float
    class_index: int
    class_id: int | None
    label: str
    score: float


class InferenceOut(BaseModel):
    width: int
    height: int
    boxes: list[InferenceBox]
    # The model call on the worker (decode, forward, post-processing), without queueing.
    seconds: float


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: ExportFormat


class CompareClass(BaseModel):
    """One class across the compared models: its AP per model id (None: not a class of that model)."""

    class_id: int
    name: str
    ap50: dict[int, float | None]
    ap50_95: dict[int, float | None]


class CompareOut(BaseModel):
    models: list[ModelOut]
    classes: list[CompareClass]


# --- job payloads ---------------------------------------------------------------------------------


class InferencePayload(BaseModel):
    model_id: int
    threshold: float = Field(ge=0.0, le=1.0)
    # Exactly one: a library image, or an uploaded file kept under a temporary storage key.
    image_id: int | None = None
    upload_key: str | None = None
    upload_name: str = ""


class ExportPayload(BaseModel):
    model_id: int
    format: Literal["onnx"] = "onnx"
