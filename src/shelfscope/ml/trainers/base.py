"""The trainer interface every architecture family implements, and the folder a trained model is.

Torch-free on purpose (the server reads manifests and validates configs); a family's module imports
torch inside its functions.

A run (od/training/jobs.py) hands a `Trainer` the scratch dataset (`TrainData`, written by the
exporters), a validated `TrainConfig`, a `TrainEvents` sink and a work folder. The trainer reports
through the sink only: steps, epoch records with val mAP, checkpoints (the run stores them through the
storage interface), log lines; it polls `events.cancelled()` between steps. It resumes from
`resume.checkpoint` at `resume.next_epoch`. At the end it writes an inference folder (`ModelManifest`
plus the family's weight files) that the registry stores and loads with `load_predictor`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from shelfscope.ml.trainers.catalogue import Architecture, TrainFormat

Scheduler = Literal["cosine", "linear", "step", "constant"]
Augmentation = Literal["none", "light", "standard", "heavy"]
MANIFEST_NAME = "shelfscope-model.json"


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: int
    batch_size: int
    image_size: int
    learning_rate: float
    weight_decay: float
    warmup_epochs: float
    scheduler: Scheduler
    # Stop after this many epochs without a better val mAP50-95; None trains every epoch.
    patience: int | None
    augmentation: Augmentation
    seed: int
    mixed_precision: bool
    device: str  # "auto" | "cpu" | "cuda" | "cuda:N" | "mps"
    # Start from the architecture's pretrained weights (resolved like the AI models), from an earlier
    # Shelfscope model's folder (`init_folder`), or from scratch.
    pretrained: bool
    init_folder: Path | None = None
    # Extra keyword arguments for the family's model config (advanced: tests use tiny widths).
    model_overrides: dict[str, Any] = field(default_factory=dict)
    num_workers: int = 0


@dataclass(frozen=True, slots=True)
class TrainData:
    """A frozen dataset version exported for training. COCO layout (RF-DETR's): root/{train,valid,test}/
    with `_annotations.coco.json` beside the images; YOLO layout: root/data.yaml, root/images/<split>/,
    root/labels/<split>/. `classes[i]` is the model's class index i (the version's label-set order)."""

    root: Path
    format: TrainFormat
    classes: tuple[str, ...]
    train_images: int
    val_images: int
    test_images: int


@dataclass(frozen=True, slots=True)
class EpochRecord:
    epoch: int  # 1-based
    train_loss: float
    val_loss: float | None
    map50: float
    map50_95: float
    learning_rate: float
    seconds: float
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resume:
    checkpoint: Path  # the family's own "last" checkpoint file, as the trainer wrote it
    next_epoch: int  # 1-based epoch to run next


class TrainEvents(Protocol):
    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        """After each optimiser step (the sink throttles what it stores)."""

    def epoch_end(self, record: EpochRecord) -> None:
        """After each epoch's validation."""

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        """A checkpoint file the trainer wrote: `last` after every epoch, `best` when val mAP50-95 rose.
        The sink copies it to storage before returning, so the trainer may overwrite it next epoch."""

    def log(self, message: str, level: str = "info") -> None: ...

    def cancelled(self) -> bool:
        """True once the run was cancelled: finish the current step, then raise TrainingCancelled."""


class TrainingCancelled(Exception):
    """Raised by a trainer that saw `events.cancelled()`; the run keeps its best checkpoint."""


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    model_folder: Path  # an inference folder with MANIFEST_NAME (from the best epoch)
    best_epoch: int
    epochs_run: int
    stopped_early: bool


class Trainer(Protocol):
    architecture: Architecture

    def train(
        self,
        data: TrainData,
        config: TrainConfig,
        events: TrainEvents,
        work_dir: Path,
        resume: Resume | None,
    ) -> TrainOutcome: ...


@dataclass(frozen=True, slots=True)
class ModelManifest:
    """`shelfscope-model.json` in a trained model's folder: enough to load and run it anywhere."""

    architecture: str  # catalogue key
    family: str
    classes: list[str]  # model class index -> name
    input_size: int
    weights: str  # file name inside the folder
    format_version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_NAME).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> ModelManifest:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(**data)
