"""Figure 2 for RF-DETR: seconds per epoch through Shelfscope's trainer (the library's `.train()` plus our
events callback, checkpoint reporting and best-checkpoint writes) vs the library's own `.train()` call with
the same keyword arguments, on the same data, in one process. Target: ratio <= 1.10.

    python -m bench.train_overhead_rfdetr [--arch rfdetr-nano] [--per-class 4] [--size 128] [--epochs 2]
        [--rounds 1]

Rounds alternate the order (library first, then Shelfscope; then the reverse) so a machine whose load
drifts does not favour one side. Data: real grocery photos from ../shared/data (Freiburg subset).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from tests.support.app import SHARED_DATA
from tests.trainers.support import coco_dataset, tiny_config

from bench.common import machine
from shelfscope.config import Settings
from shelfscope.ml.runtime import load_torchvision
from shelfscope.ml.trainers.base import EpochRecord
from shelfscope.ml.trainers.catalogue import get_architecture
from shelfscope.ml.trainers.rfdetr import RfdetrTrainer, train_kwargs, variant_class


class _Sink:
    """A TrainEvents that copies checkpoints like the real sink (to a folder) and keeps nothing else."""

    def __init__(self, keep: Path) -> None:
        self.keep = keep
        self.epochs: list[EpochRecord] = []

    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        pass

    def epoch_end(self, record: EpochRecord) -> None:
        self.epochs.append(record)

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        target = self.keep / ("best" if best else "last")
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)

    def log(self, message: str, level: str = "info") -> None:
        pass

    def cancelled(self) -> bool:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="rfdetr-nano")
    parser.add_argument("--per-class", type=int, default=4)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    load_torchvision()
    import torch

    architecture = get_architecture(args.arch)
    print(machine(), f"; torch threads {torch.get_num_threads()}; load {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="train-overhead-") as scratch:
        root = Path(scratch)
        data = coco_dataset(SHARED_DATA, root / "data", per_class=args.per_class)
        config = tiny_config(
            epochs=args.epochs, image_size=args.size, batch_size=args.batch_size, augmentation="light"
        )
        times: dict[str, list[float]] = {"library": [], "shelfscope": []}
        for round_ in range(args.rounds):
            order = ["library", "shelfscope"] if round_ % 2 == 0 else ["shelfscope", "library"]
            for side in order:
                work = root / f"{side}-{round_}"
                torch.manual_seed(config.seed)
                started = time.perf_counter()
                if side == "library":
                    model = variant_class(architecture.size)(
                        pretrain_weights=None, num_classes=len(data.classes)
                    )
                    model.train(**train_kwargs(data, config, work / "rfdetr", None))
                else:
                    trainer = RfdetrTrainer(architecture, Settings(data_dir=root / "dd", ml_offline=True))
                    trainer.train(data, config, _Sink(work / "kept"), work, None)
                seconds = (time.perf_counter() - started) / args.epochs
                times[side].append(seconds)
                print(
                    f"round {round_ + 1} {side:<10} {seconds:7.1f} s/epoch  (load {os.getloadavg()[0]:.1f})"
                )
        library, ours = min(times["library"]), min(times["shelfscope"])
        print(
            f"{args.arch} from scratch, {data.train_images} images, {args.size} px, batch {args.batch_size}, "
            f"{args.epochs} epochs: library {library:.1f} s/epoch, Shelfscope {ours:.1f} s/epoch, "
            f"ratio {ours / library:.3f} (best of {args.rounds} round(s) each)"
        )


if __name__ == "__main__":
    main()
