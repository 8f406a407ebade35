"""Tiny training sets from real photos (the Freiburg groceries subset in ../shared/data), written in the
layouts the trainers read, and a TrainEvents sink that records everything it is told."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from shelfscope.ml.trainers.base import EpochRecord, TrainConfig, TrainData

CLASSES = ("beans", "cake")
_PREFIXES = ("BEANS", "CAKE")


def _pick(freiburg: Path, per_class: int) -> list[tuple[Path, list[tuple[int, float, float, float, float]]]]:
    """(image, [(class index, cx, cy, w, h) normalised]) for the first images of each class."""
    chosen = []
    for prefix in _PREFIXES:
        for image in sorted((freiburg / "images" / "training").glob(f"{prefix}*"))[:per_class]:
            rows = []
            label = freiburg / "labels" / "training" / f"{image.stem}.txt"
            for line in label.read_text().splitlines():
                if not line.strip():
                    continue
                cls, cx, cy, w, h = line.split()
                if int(cls) < len(CLASSES):
                    rows.append((int(cls), float(cx), float(cy), float(w), float(h)))
            chosen.append((image, rows))
    return chosen


def _splits(
    freiburg: Path, per_class: int
) -> dict[str, list[tuple[Path, list[tuple[int, float, float, float, float]]]]]:
    items = _pick(freiburg, per_class)
    # Val and test reuse train images: the tests check plumbing, not generalisation.
    return {"train": items, "val": items[::2] or items, "test": items[:1]}


def coco_dataset(shared_data: Path, root: Path, per_class: int = 1) -> TrainData:
    """RF-DETR's layout: root/{train,valid,test}/ with `_annotations.coco.json` (category id = index + 1)."""
    splits = _splits(shared_data / "detection" / "freiburg" / "yolo", per_class)
    folders = {"train": "train", "val": "valid", "test": "test"}
    for split, items in splits.items():
        folder = root / folders[split]
        folder.mkdir(parents=True, exist_ok=True)
        images: list[dict[str, object]] = []
        annotations: list[dict[str, object]] = []
        for number, (path, rows) in enumerate(items, start=1):
            shutil.copyfile(path, folder / path.name)
            with Image.open(path) as opened:
                width, height = opened.size
            images.append({"id": number, "file_name": path.name, "width": width, "height": height})
            for cls, cx, cy, w, h in rows:
                box = [(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height]
                annotations.append(
                    {
                        "id": len(annotations) + 1,
                        "image_id": number,
                        "category_id": cls + 1,
                        "bbox": box,
                        "area": box[2] * box[3],
                        "iscrowd": 0,
                    }
                )
        categories = [{"id": i + 1, "name": name, "supercategory": "none"} for i, name in enumerate(CLASSES)]
        document = {"images": images, "annotations": annotations, "categories": categories}
        (folder / "_annotations.coco.json").write_text(json.dumps(document), encoding="utf-8")
    return TrainData(root, "coco", CLASSES, len(splits["train"]), len(splits["val"]), len(splits["test"]))


def yolo_dataset(shared_data: Path, root: Path, per_class: int = 1) -> TrainData:
    """The YOLO layout: root/data.yaml, root/images/<split>/, root/labels/<split>/."""
    splits = _splits(shared_data / "detection" / "freiburg" / "yolo", per_class)
    for split, items in splits.items():
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for path, rows in items:
            shutil.copyfile(path, root / "images" / split / path.name)
            text = "".join(f"{c} {cx} {cy} {w} {h}\n" for c, cx, cy, w, h in rows)
            (root / "labels" / split / f"{path.stem}.txt").write_text(text, encoding="utf-8")
    names = "".join(f"  {i}: {name}\n" for i, name in enumerate(CLASSES))
    (root / "data.yaml").write_text(
        f"path: .\ntrain: images/train\nval: images/val\ntest: images/test\nnames:\n{names}", encoding="utf-8"
    )
    return TrainData(root, "yolo", CLASSES, len(splits["train"]), len(splits["val"]), len(splits["test"]))


def tiny_config(**changes: object) -> TrainConfig:
    values: dict[str, object] = {
        "epochs": 1,
        "batch_size": 2,
        "image_size": 128,
        "learning_rate": 1e-4,
        "weight_decay": 1e-4,
        "warmup_epochs": 0,
        "scheduler": "cosine",
        "patience": None,
        "augmentation": "none",
        "seed": 42,
        "mixed_precision": False,
        "device": "cpu",
        "pretrained": False,
    }
    values.update(changes)
    return TrainConfig(**values)  # type: ignore[arg-type]


@dataclass
class RecordingEvents:
    """Records every event; `cancel_after_steps` makes `cancelled()` turn true after that many steps.
    Checkpoints are copied (like the real sink copies them to storage) so later epochs can't change them."""

    keep: Path
    cancel_after_steps: int | None = None
    steps: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    checkpoints: list[tuple[Path, int, bool]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def step(self, epoch: int, step: int, steps: int, loss: float, learning_rate: float) -> None:
        self.steps.append((epoch, step, steps, loss, learning_rate))

    def epoch_end(self, record: EpochRecord) -> None:
        self.epochs.append(record)

    def checkpoint(self, path: Path, epoch: int, *, best: bool) -> None:
        target = self.keep / ("best" if best else "last") / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        self.checkpoints.append((target, epoch, best))

    def log(self, message: str, level: str = "info") -> None:
        self.logs.append(message)

    def cancelled(self) -> bool:
        return self.cancel_after_steps is not None and len(self.steps) >= self.cancel_after_steps
