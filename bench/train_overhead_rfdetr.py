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
        # Time spent copying checkpoints (what the run's storage sink does), reported on its own.
        self.copy_seconds = 0.0

    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        pass

    def epoch_end(self, record: EpochRecord) -> None:
        self.epochs.append(record)

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        started = time.perf_counter()
        target = self.keep / ("best" if best else "last")
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
        self.copy_seconds += time.perf_counter() - started

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
        times: dict[str, list[float]] = {"library": [], "shelfscope": [], "copies": []}
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
                    sink = _Sink(work / "kept")
                    trainer.train(data, config, sink, work, None)
                    times["copies"].append(sink.copy_seconds / args.epochs)
                seconds = (time.perf_counter() - started) / args.epochs
                times[side].append(seconds)
                copies = f", checkpoint copies {times['copies'][-1]:.1f} s" if side == "shelfscope" else ""
                load = os.getloadavg()[0]
                print(f"round {round_ + 1} {side:<10} {seconds:7.1f} s/epoch{copies}  (load {load:.1f})")
                shutil.rmtree(work, ignore_errors=True)
        library, ours = min(times["library"]), min(times["shelfscope"])
        without_copies = ours - times["copies"][times["shelfscope"].index(ours)]
        print(
            f"{args.arch} from scratch, {data.train_images} images, {args.size} px, batch {args.batch_size}, "
            f"{args.epochs} epochs: library {library:.1f} s/epoch, Shelfscope {ours:.1f} s/epoch, "
            f"ratio {ours / library:.3f} (best of {args.rounds} round(s) each); without the sink's"
            f" checkpoint copies {without_copies:.1f} s/epoch, ratio {without_copies / library:.3f}"
        )


if __name__ == "__main__":
    main()
