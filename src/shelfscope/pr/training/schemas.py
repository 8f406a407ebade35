"""Request, job payload and response shapes of embedding training runs (issue 14, contract section C).

The method config is given partly and stored whole: every EmbedTrainConfig field the trainer uses, so
a run can be repeated from its row and its frozen image list alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shelfscope.ids import Id, Seed

RUN_KIND = "pr.training.run"
RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RUN_STATUSES: tuple[RunStatus, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
LIVE_STATUSES: tuple[RunStatus, ...] = ("queued", "running")
Source = Literal["all_products", "matched_products", "dataset"]
Domain = Literal["synthetic", "real", "augmented", "cutout"]
DOMAINS: tuple[Domain, ...] = ("synthetic", "real", "augmented", "cutout")
FrameMode = Literal["all", "first", "key_frames", "interval"]
Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")
# Split ratios may be off by rounding in a client (0.7 + 0.15 + 0.15 in floating point).
_SUM_TOLERANCE = 1e-6


class FramesIn(BaseModel):
    """Which frames of product videos count; images that are not video frames always count."""

    model_config = ConfigDict(extra="forbid")

    mode: FrameMode = "all"
    # interval: every `every`-th frame of each video, by frame index (the first frame included).
    every: int = Field(default=5, ge=1, le=100_000)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    train: float = Field(default=0.7, gt=0, lt=1)
    val: float = Field(default=0.15, gt=0, lt=1)
    test: float = Field(default=0.15, gt=0, lt=1)

    @model_validator(mode="after")
    def _sums_to_one(self) -> SplitIn:
        total = self.train + self.val + self.test
        if abs(total - 1.0) > _SUM_TOLERANCE:
            raise ValueError(f"train + val + test must be 1 (they sum to {total:g})")
        return self


class DataIn(BaseModel):
    """What a run trains on: candidate products by source, their images by domain and frame rule, the
    minimum images a product needs, and the product-level split."""

    model_config = ConfigDict(extra="forbid")

    source: Source = "all_products"
    # source "dataset": the PR dataset whose products (its source and selection) are the candidates.
    dataset_id: Id | None = None
    domains: list[Domain] = Field(default_factory=lambda: list(DOMAINS))
    frames: FramesIn = FramesIn()
    # At least 2: a product needs a second image to be anyone's positive.
    min_images_per_product: int = Field(default=2, ge=2, le=100_000)
    split: SplitIn = SplitIn()
    seed: Seed = 0

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one domain")
        if len(set(value)) != len(value):
            raise ValueError("lists a domain twice")
        return value

    @model_validator(mode="after")
    def _dataset(self) -> DataIn:
        if self.source == "dataset" and self.dataset_id is None:
            raise ValueError("source 'dataset' needs data.dataset_id")
        if self.source != "dataset" and self.dataset_id is not None:
            raise ValueError(f"dataset_id is only for source 'dataset' (source is {self.source!r})")
        return self


class ConfigIn(BaseModel):
    """The method: EmbedTrainConfig's fields except backbone and pretrained (the run's own fields).
    Absent fields take EmbedTrainConfig's defaults."""

    model_config = ConfigDict(extra="forbid")

    embedding_dim: int | None = Field(default=None, ge=8, le=4096)
    image_size: int | None = Field(default=None, ge=28, le=1024)
    epochs: int | None = Field(default=None, ge=1, le=1000)
    products_per_batch: int | None = Field(default=None, ge=2, le=1024)
    images_per_product: int | None = Field(default=None, ge=2, le=128)
    loss: Literal["arcface", "arcface_triplet"] | None = None
    arcface_weight: float | None = Field(default=None, ge=0, le=100)
    triplet_weight: float | None = Field(default=None, ge=0, le=100)
    domain_weight: float | None = Field(default=None, ge=0, le=100)
    arcface_margin: float | None = Field(default=None, ge=0, le=90)
    arcface_scale: float | None = Field(default=None, gt=0, le=1000)
    triplet_margin: float | None = Field(default=None, ge=0, le=10)
    miner: Literal["semihard", "hard", "all"] | None = None
    learning_rate: float | None = Field(default=None, gt=0, le=1)
    backbone_lr_scale: float | None = Field(default=None, ge=0, le=10)
    llrd: float | None = Field(default=None, gt=0, le=1)
    weight_decay: float | None = Field(default=None, ge=0, le=1)
    warmup_epochs: int | None = Field(default=None, ge=0, le=1000)
    patience: int | None = Field(default=None, ge=0, le=1000)
    mixed_precision: bool | None = None
    augmentation: bool | None = None
    seed: Seed | None = None
    device: Literal["auto", "cpu", "cuda", "mps"] | None = None
    batches_per_epoch: int | None = Field(default=None, ge=0, le=1_000_000)


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    # A catalogue key of task "embedder" (GET /pr/training/backbones).
    backbone: str = Field(default="dinov2-base", min_length=1, max_length=64)
    # False: the architecture with random weights (no download; benchmarks and tests).
    pretrained: bool = True
    data: DataIn = DataIn()
    config: ConfigIn = ConfigIn()


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None: the run's latest checkpoint.
    checkpoint_id: Id | None = None
    # A new total epoch count; None keeps the run's.
    epochs: int | None = Field(default=None, ge=1, le=1000)


class RunPayload(BaseModel):
    run_id: Id


class RunOut(BaseModel):
    id: int
    name: str
    backbone: str
    pretrained: bool
    status: RunStatus
    config: dict[str, Any]
    data_config: dict[str, Any]
    data_summary: dict[str, Any]
    dataset_id: int | None
    current_epoch: int
    total_epochs: int
    current_batch: int
    total_batches: int
    progress: float
    best_epoch: int | None
    best_metrics: dict[str, Any] | None
    metrics_history: list[dict[str, Any]]
    error: str | None
    job_id: int | None
    created_by: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    model_count: int


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None
    total: int | None


class RunEnvelope(BaseModel):
    run: RunOut
    job: Any = None


class ResumeOut(RunEnvelope):
    remaining_epochs: int
    checkpoint_id: int
    start_epoch: int


class TrainingImageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_image_id: int
    product_id: int
    domain: str
    split: str


class TrainingImagePage(BaseModel):
    items: list[TrainingImageOut]
    next_cursor: str | None
    total: int | None


class CheckpointOut(BaseModel):
    id: int
    run_id: int
    epoch: int
    size_bytes: int
    metrics: dict[str, Any]
    is_best: bool
    created_at: datetime
    model_ids: list[int]


class BackboneOut(BaseModel):
    key: str
    title: str
    family: str
    size_mb: int
    licence: str
    gated: bool
    installed: bool
    token_set: bool
    note: str
