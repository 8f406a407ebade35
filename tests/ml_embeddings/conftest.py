"""Fixtures for the embedding-training tests: settings with a models folder (no database), a sink that
records what training tells it, and one thread for torch (the suite shares two cores)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from shelfscope.config import Settings


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def ml_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", ml_offline=True, ml_torch_threads=1)


@dataclass
class RecordingSink:
    cancel_after_batches: int | None = None
    batches: list[tuple[int, int, int, float]] = field(default_factory=list)
    epochs: list[tuple[int, dict[str, float], Path]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def batch(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        self.batches.append((epoch, batch, batches, loss))

    def epoch(self, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None:
        assert checkpoint.is_file()
        self.epochs.append((epoch, dict(metrics), checkpoint))

    def cancelled(self) -> bool:
        return self.cancel_after_batches is not None and len(self.batches) >= self.cancel_after_batches

    def log(self, message: str) -> None:
        self.logs.append(message)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()
