"""Training an embedding model (first version: the interface only; the loop follows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from shelfscope.config import Settings
from shelfscope.ml.embeddings.config import EmbedTrainConfig


@dataclass(frozen=True)
class Sample:
    image_id: int
    product_id: int
    domain: str
    path: Path
    category: str | None = None


class TrainSink(Protocol):
    def batch(self, epoch: int, batch: int, batches: int, loss: float) -> None: ...
    def epoch(self, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None: ...
    def cancelled(self) -> bool: ...
    def log(self, message: str) -> None: ...


@dataclass
class TrainResult:
    epochs_run: int
    best_epoch: int
    best_metrics: dict[str, float]
    stopped_early: bool
    skipped: list[tuple[int, str]] = field(default_factory=list)


def train(
    config: EmbedTrainConfig,
    settings: Settings,
    train: list[Sample],
    val: list[Sample],
    work_dir: Path,
    sink: TrainSink,
    *,
    resume_from: Path | None = None,
    start_epoch: int = 1,
) -> TrainResult:
    raise NotImplementedError
