"""The run's TrainSink: what ml/embeddings/train reports becomes job progress, metrics and log lines
(the live stream), and epoch rows, checkpoints and the best epoch on the run (its state for the API and
for a resume).

Batch losses are throttled to about one point a second (the last batch of an epoch always counts); an
epoch's checkpoint is stored (retried) before its row and the run's epoch are written in one
transaction, so a resumed attempt finds a checkpoint for every epoch the run records."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shelfscope.jobs.context import JobContext
from shelfscope.pr.training.fetch import upload
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingRun
from shelfscope.pr.training.service import checkpoint_key

STEP_INTERVAL_S = 1.0
# The job's progress covers training; the test evaluation takes the last part.
TRAINING_SHARE = 0.9
# Epoch metrics that go to the job's metric stream (the run row keeps them all).
_STREAMED = (
    "loss",
    "loss_arcface",
    "loss_triplet",
    "loss_domain",
    "lr",
    "backbone_lr",
    "val_recall_at_1",
    "val_recall_at_5",
    "val_map_at_r",
)


def score(metrics: dict[str, Any]) -> tuple[float, float]:
    """How good an epoch is: val recall@1, then val mAP@R (missing or NaN counts as worst)."""

    def number(name: str) -> float:
        value = metrics.get(name)
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        return -1.0

    return number("val_recall_at_1"), number("val_map_at_r")


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class RunSink:
    def __init__(self, ctx: JobContext, run_id: int, total_epochs: int, model_info: dict[str, Any]) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.total_epochs = total_epochs
        self.model_info = model_info
        self._last_batch_at = 0.0

    def _fraction(self, epoch: int, batch: int, batches: int) -> float:
        return TRAINING_SHARE * ((epoch - 1) + batch / max(batches, 1)) / max(self.total_epochs, 1)

    def batch(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        self.ctx.progress(
            self._fraction(epoch, batch, batches),
            f"epoch {epoch}/{self.total_epochs}, batch {batch}/{batches}",
        )
        now = time.monotonic()
        if now - self._last_batch_at < STEP_INTERVAL_S and batch != batches:
            return
        self._last_batch_at = now
        self.ctx.metric("train/loss", loss, (epoch - 1) * batches + batch)
        with self.ctx.db.write() as session:
            run = session.get(PrTrainingRun, self.run_id)
            if run is not None:
                run.current_batch = batch
                run.total_batches = batches

    def epoch(self, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None:
        key = checkpoint_key(self.run_id, epoch)
        upload(self.ctx.storage, key, checkpoint, self.ctx.log)
        size = checkpoint.stat().st_size
        # Stored: the local copy is not needed again (a resume downloads it), and a long run would
        # otherwise keep every epoch's file on the worker's disk.
        checkpoint.unlink(missing_ok=True)
        row_metrics = {name: _json_number(value) for name, value in metrics.items()}
        with self.ctx.db.write() as session:
            run = session.get(PrTrainingRun, self.run_id)
            if run is None:
                return
            best_epoch = epoch
            rows = {
                c.epoch: c
                for c in session.scalars(select(PrCheckpoint).where(PrCheckpoint.run_id == self.run_id))
            }
            row = rows.get(epoch)
            if row is None:
                row = PrCheckpoint(run_id=self.run_id, epoch=epoch, storage_key=key, size_bytes=size)
                session.add(row)
                rows[epoch] = row
            row.storage_key = key
            row.size_bytes = size
            row.metrics = row_metrics
            row.model_info = dict(self.model_info)
            best = max(rows.values(), key=lambda c: (*score(c.metrics or {}), -c.epoch))
            for c in rows.values():
                c.is_best = c is best
            history = [r for r in run.metrics_history or [] if int(r.get("epoch", 0)) < epoch]
            run.metrics_history = [*history, {"epoch": epoch, **row_metrics}]
            run.current_epoch = epoch
            run.current_batch = 0
            run.best_epoch = best_epoch = best.epoch
            run.best_metrics = dict(best.metrics or {})
        for name in _STREAMED:
            value = metrics.get(name)
            if value is not None:
                self.ctx.metric(name, float(value), epoch)
        if best_epoch == epoch:
            self.ctx.log(f"epoch {epoch} is the best so far (val recall@1); its checkpoint is stored")
        self.ctx.progress(self._fraction(epoch + 1, 0, 1), f"epoch {epoch}/{self.total_epochs} done")
        self.ctx.flush()

    def cancelled(self) -> bool:
        return self.ctx.cancelled()

    def log(self, message: str) -> None:
        self.ctx.log(message)
