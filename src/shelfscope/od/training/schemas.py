"""Request, job payload and response shapes of detector training runs (see TRAIN_CONTRACT in the issue).

A run's config is given partly (or as a preset) and stored resolved: every value the trainer used,
so the run can be repeated from its frozen version and its row alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id, Seed
from shelfscope.ml.trainers.base import Augmentation, Scheduler

RUN_KIND = "od.training.run"
RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RUN_STATUSES: tuple[RunStatus, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
LIVE_STATUSES: tuple[RunStatus, ...] = ("queued", "running")
Preset = Literal["quick", "balanced", "thorough"]
DEVICE_PATTERN = r"^(auto|cpu|mps|cuda(:\d{1,2})?)$"

# What a preset fills in where the request leaves a value out.
PRESETS: dict[str, dict[str, Any]] = {
    "quick": {"epochs": 10, "patience": 5, "augmentation": "light", "warmup_epochs": 1},
    "balanced": {"epochs": 50, "patience": 10, "augmentation": "standard", "warmup_epochs": 1},
    "thorough": {"epochs": 150, "patience": 20, "augmentation": "heavy", "warmup_epochs": 3},
}
DEFAULTS: dict[str, Any] = {
    "epochs": 50,
    "batch_size": 8,
    "learning_rate": 1e-4,
    "weight_decay": 1e-4,
    "warmup_epochs": 1.0,
    "scheduler": "cosine",
    "patience": 10,
    "augmentation": "standard",
    "seed": 42,
    "mixed_precision": True,
    "device": "auto",
    "init_model_id": None,
    "model_overrides": {},
}


class RunConfigIn(BaseModel):
    """What a request may set; None (or absent) takes the preset's value, then the default."""

    model_config = ConfigDict(extra="forbid")

    preset: Preset | None = None
    epochs: int | None = Field(default=None, ge=1, le=1000)
    batch_size: int | None = Field(default=None, ge=1, le=256)
    image_size: int | None = Field(default=None, ge=32, le=2048)
    learning_rate: float | None = Field(default=None, gt=0, le=1)
    weight_decay: float | None = Field(default=None, ge=0, le=1)
    warmup_epochs: float | None = Field(default=None, ge=0, le=100)
    scheduler: Scheduler | None = None
    # Epochs without a better val mAP50-95 before stopping; an explicit null trains every epoch (told
    # apart from an absent value by `model_fields_set`).
    patience: int | None = Field(default=None, ge=1, le=1000)
    augmentation: Augmentation | None = None
    seed: Seed | None = None
    mixed_precision: bool | None = None
    device: str | None = Field(default=None, pattern=DEVICE_PATTERN)
    pretrained: bool | None = None
    init_model_id: Id | None = None
    model_overrides: dict[str, Any] | None = None


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    dataset_version_id: Id
    architecture: str = Field(min_length=1, max_length=64)
    config: RunConfigIn = RunConfigIn()


class RunConfig(BaseModel):
    """The resolved config, as stored on the run and handed to the trainer."""

    model_config = ConfigDict(extra="forbid")

    preset: Preset | None = None
    epochs: int = Field(ge=1, le=1000)
    batch_size: int = Field(ge=1, le=256)
    image_size: int = Field(ge=32, le=2048)
    learning_rate: float = Field(gt=0)
    weight_decay: float = Field(ge=0)
    warmup_epochs: float = Field(ge=0)
    scheduler: Scheduler
    patience: int | None = Field(ge=1)
    augmentation: Augmentation
    seed: int
    mixed_precision: bool
    device: str
    pretrained: bool
    init_model_id: int | None = None
    model_overrides: dict[str, Any] = Field(default_factory=dict)


class RunPayload(BaseModel):
    run_id: Id


class UserRef(BaseModel):
    id: int
    username: str


class EpochRow(BaseModel):
    epoch: int
    train_loss: float | None
    val_loss: float | None
    map50: float | None
    map50_95: float | None
    learning_rate: float | None
    seconds: float


class StepPoint(BaseModel):
    epoch: int
    step: int
    loss: float | None
    lr: float | None
    at: datetime


class RunMetrics(BaseModel):
    epochs: list[EpochRow]
    steps: list[StepPoint]


class RunOut(BaseModel):
    id: int
    name: str
    status: RunStatus
    architecture: str
    family: str
    dataset_id: int | None
    dataset_name: str | None
    dataset_version_id: int
    version_number: int | None
    config: dict[str, Any]
    current_epoch: int
    total_epochs: int
    progress: float
    eta_s: float | None
    best_epoch: int | None
    best_metrics: dict[str, Any] | None
    latest: EpochRow | None
    job_id: int | None
    model_id: int | None
    error: str | None
    created_by: UserRef | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    test_metrics: dict[str, Any] | None = None


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None
    total: int | None


class RunEnvelope(BaseModel):
    run: RunOut
    job: Any = None


class ArchitectureOut(BaseModel):
    key: str
    title: str
    family: str
    size: str
    default_image_size: int
    size_multiple: int
    params_m: float
    weights_licence: str
    note: str
    available: bool
    unavailable_reason: str | None


class EstimateOut(BaseModel):
    seconds: float
    images_per_epoch: int
    device: str
