"""Shelfscope's overhead on training: seconds per epoch through the real run (API, `od.training.run`
job, event sink writing job metrics, epoch rows and stored checkpoints) against the family's trainer
called directly on the same prepared data and config with a sink that does nothing. Both in this
process, one after the other; the first epoch of each is left out (warm-up). Target: ratio <= 1.10.

    python -m bench.train_overhead                          # RT-DETRv2 r18, 320 px, 4 epochs each
    python -m bench.train_overhead --arch rfdetr-nano --image-size 384
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.train_common import load, run_through_shelfscope, shelfscope, synthetic_version
from bench.train_learns import DEFAULTS
from shelfscope.ml.trainers.base import EpochRecord, TrainConfig
from shelfscope.ml.trainers.catalogue import get_architecture
from shelfscope.ml.trainers.families import make_trainer
from shelfscope.od.training.data import prepare
from shelfscope.od.training.schemas import RunConfig


class NullEvents:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        pass

    def epoch_end(self, record: EpochRecord) -> None:
        self.seconds.append(record.seconds)
        print(f"  bare epoch {record.epoch}: {record.seconds:.1f} s", flush=True)

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        pass

    def log(self, message: str, level: str = "info") -> None:
        pass

    def cancelled(self) -> bool:
        return False


class _Quiet:
    def progress(self, fraction: float, stage: str | None = None) -> None:
        pass

    def log(self, message: str, level: str = "info") -> None:
        pass

    def check_cancelled(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arch", default="rtdetrv2-r18")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--image-size", type=int, default=320)
    parser.add_argument("--train", type=int, default=64)
    parser.add_argument("--val", type=int, default=16)
    args = parser.parse_args()
    arch = get_architecture(args.arch)
    tuned = DEFAULTS.get(arch.family, {})
    config: dict[str, Any] = {
        "epochs": args.epochs, "image_size": args.image_size, "batch_size": tuned.get("batch_size", 8),
        "learning_rate": tuned.get("learning_rate", 1e-4), "warmup_epochs": 1, "scheduler": "cosine",
        "patience": None, "augmentation": "light", "pretrained": False, "device": "auto", "seed": 42,
        "weight_decay": 1e-4, "mixed_precision": True, "model_overrides": tuned.get("model_overrides", {}),
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="shelfscope-overhead-") as tmp:
        folder = Path(tmp)
        ctx, client = shelfscope(folder)
        try:
            counts = {"train": args.train, "val": args.val, "test": 8}
            version = synthetic_version(
                ctx, client, folder / "synthetic", counts, (args.image_size * 4 // 3, args.image_size)
            )
            print(f"{machine()}\n{load()}\n{args.arch}: {counts}, {config}")
            # Bare: the same trainer on the same exported folder, a sink that does nothing.
            data = prepare(ctx.settings, ctx.db, ctx.storage, version, arch.format, _Quiet())
            resolved = RunConfig.model_validate(config | {"preset": None})
            train_config = TrainConfig(
                **{k: v for k, v in resolved.model_dump().items() if k not in ("preset", "init_model_id")}
            )
            bare = NullEvents()
            started = time.monotonic()
            make_trainer(arch, ctx.settings).train(data, train_config, bare, folder / "bare", None)
            bare_wall = time.monotonic() - started
            through: list[float] = []

            def show(row: dict[str, Any]) -> None:
                through.append(float(row["seconds"]))
                print(f"  shelfscope epoch {row['epoch']}: {row['seconds']:.1f} s", flush=True)

            started = time.monotonic()
            body = {"dataset_version_id": version, "architecture": args.arch, "config": config}
            run = run_through_shelfscope(ctx, client, body, show)
            run_wall = time.monotonic() - started
            if run["status"] != "succeeded":
                raise SystemExit(f"the run ended {run['status']}: {run.get('error')}")
            b = statistics.mean(bare.seconds[1:] or bare.seconds)
            s = statistics.mean(through[1:] or through)
            print(f"seconds per epoch (epochs 2..{args.epochs}): bare {b:.2f}, through Shelfscope {s:.2f}")
            print(
                f"ratio {s / b:.3f} (target <= 1.10); whole run {run_wall:.0f} s (incl. export, test eval, "
                f"registration) vs bare {bare_wall:.0f} s; {load()}"
            )
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
