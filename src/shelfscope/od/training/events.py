"""The run's `TrainEvents` sink: what a trainer reports becomes job metrics and log lines (the live
stream), epoch rows and checkpoint keys on the run (its state for the API and for a resume).

Per-step loss and learning rate are throttled to about one point a second (the last step of an epoch
always counts); epoch rows and checkpoints are written at once, since a resume relies on them."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.ml.trainers.base import EpochRecord
from shelfscope.od.training.models import TrainingRun

STEP_INTERVAL_S = 1.0
# The job's progress covers training; the test evaluation and registration take the last part.
TRAINING_SHARE = 0.95


def checkpoint_key(run_id: int, which: str, filename: str) -> str:
    return f"training/{run_id}/{which}/{filename}"


class RunEvents:
    def __init__(self, ctx: JobContext, run_id: int, total_epochs: int) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.total_epochs = total_epochs
        self._last_step_at = 0.0
        self._steps_per_epoch = 0

    def _update(self, **values: Any) -> TrainingRun | None:
        with self.ctx.db.write() as session:
            run = session.get(TrainingRun, self.run_id)
            if run is None:
                return None
            for name, value in values.items():
                setattr(run, name, value)
            return run

    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        if steps != self._steps_per_epoch:
            self._steps_per_epoch = steps
            self._update(steps_per_epoch=steps)
        now = time.monotonic()
        fraction = ((epoch - 1) + step / max(steps, 1)) / max(self.total_epochs, 1)
        self.ctx.progress(
            TRAINING_SHARE * fraction, f"epoch {epoch}/{self.total_epochs}, step {step}/{steps}"
        )
        if now - self._last_step_at >= STEP_INTERVAL_S or step == steps:
            self._last_step_at = now
            global_step = (epoch - 1) * steps + step
            self.ctx.metric("train/loss", loss, global_step)
            self.ctx.metric("lr", learning_rate, global_step)

    def epoch_end(self, record: EpochRecord) -> None:
        row = {k: v for k, v in asdict(record).items() if k != "extra"} | dict(record.extra)
        for name, value in (
            ("train/epoch_loss", record.train_loss),
            ("val/loss", record.val_loss),
            ("val/map50", record.map50),
            ("val/map50_95", record.map50_95),
        ):
            if value is not None:
                self.ctx.metric(name, value, record.epoch)
        with self.ctx.db.write() as session:
            run = session.get(TrainingRun, self.run_id)
            if run is None:
                return
            history = [r for r in run.metrics_history or [] if int(r.get("epoch", 0)) < record.epoch]
            run.metrics_history = [*history, row]
            run.current_epoch = record.epoch
            if run.best_epoch == record.epoch:
                run.best_metrics = {"map50": record.map50, "map50_95": record.map50_95}
        val_loss = f", val loss {record.val_loss:.4f}" if record.val_loss is not None else ""
        self.ctx.log(
            f"epoch {record.epoch}/{self.total_epochs}: train loss {record.train_loss:.4f}{val_loss}, "
            f"val mAP50 {record.map50:.4f}, mAP50-95 {record.map50_95:.4f}, lr {record.learning_rate:.2e} "
            f"({record.seconds:.1f} s)"
        )
        self.ctx.flush()

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        which = "best" if best else "last"
        key = checkpoint_key(self.run_id, which, path.name)
        self.ctx.storage.put_file(key, path)
        with self.ctx.db.write() as session:
            run = session.get(TrainingRun, self.run_id)
            if run is None:
                return
            if best:
                run.best_checkpoint_key = key
                run.best_epoch = epoch
                # A trainer that reports the epoch before its best checkpoint: take the row's metrics.
                for r in run.metrics_history or []:
                    if int(r.get("epoch", 0)) == epoch:
                        run.best_metrics = {"map50": r.get("map50"), "map50_95": r.get("map50_95")}
            else:
                run.last_checkpoint_key = key
        if best:
            self.ctx.log(f"epoch {epoch} is the best so far; its checkpoint is stored")

    def log(self, message: str, level: str = "info") -> None:
        self.ctx.log(message, level)

    def cancelled(self) -> bool:
        return self.ctx.cancelled()
