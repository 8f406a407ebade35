"""A frozen version exported for training: the existing exporter writes the archive (the same bytes a
user downloads), which is unpacked into the layout the trainer reads, cached per (version, format)
under DATA_DIR/cache/training-data/ and removed once no live run needs it.

COCO becomes RF-DETR's layout, root/{train,valid,test}/ with `_annotations.coco.json` beside the images
(a split without images gets an empty file, so every trainer finds all three); YOLO stays the
exporter's layout (root/data.yaml, root/images/<split>/, root/labels/<split>/).
"""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.reporting import Reporter
from shelfscope.ml.trainers.base import TrainData
from shelfscope.ml.trainers.catalogue import TrainFormat
from shelfscope.od.exports.schemas import ExportPayload
from shelfscope.od.exports.service import run_export
from shelfscope.od.training.models import TrainingRun
from shelfscope.od.training.schemas import LIVE_STATUSES
from shelfscope.od.versions.models import DatasetVersion
from shelfscope.storage import Storage

READY_FILE = ".shelfscope-train-data.json"
COCO_FILE = "_annotations.coco.json"
# Shelfscope's split names -> RF-DETR's folder names.
COCO_FOLDERS = {"train": "train", "val": "valid", "test": "test"}


def cache_root(settings: Settings) -> Path:
    return settings.data_dir / "cache" / "training-data"


def data_folder(settings: Settings, version_id: int, fmt: TrainFormat) -> Path:
    return cache_root(settings) / f"v{version_id}-{fmt}"


class _Quiet:
    """The export's progress goes to the run's stage, not its fraction (training owns 0..1)."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def progress(self, fraction: float, stage: str | None = None) -> None:
        self.reporter.progress(0.0, f"preparing the dataset: {stage}" if stage else None)

    def log(self, message: str, level: str = "info") -> None:
        self.reporter.log(message, level)

    def check_cancelled(self) -> None:
        self.reporter.check_cancelled()


def prepare(
    settings: Settings, db: Database, storage: Storage, version_id: int, fmt: TrainFormat, reporter: Reporter
) -> TrainData:
    """The version's training folder, exported on first use; later runs of the version reuse it."""
    folder = data_folder(settings, version_id, fmt)
    cached = _read_ready(folder)
    if cached is not None:
        reporter.log(f"using the prepared {fmt.upper()} dataset of version {version_id}")
        return cached
    with db.read() as session:
        version = session.get(DatasetVersion, version_id)
        if version is None:
            raise ValueError(f"dataset version {version_id} no longer exists")
        dataset_id, number = version.dataset_id, version.number
    token = uuid.uuid4().hex[:12]
    scratch = cache_root(settings) / f".tmp-{token}"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        payload = ExportPayload(dataset_id=dataset_id, format=fmt, version=number)
        result = run_export(settings, db, storage, payload, _Quiet(reporter), f"train-{token}")
        try:
            archive = scratch / "export.zip"
            storage.download_to(result.key, archive)
        finally:
            storage.delete(result.key)
        root = scratch / "root"
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(root)
        archive.unlink()
        if fmt == "coco":
            _coco_layout(root, result.classes)
        data = TrainData(
            root=folder,
            format=fmt,
            classes=tuple(result.classes),
            train_images=result.splits.get("train", 0),
            val_images=result.splits.get("val", 0),
            test_images=result.splits.get("test", 0),
        )
        _write_ready(root, data)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            root.rename(folder)
        except OSError:
            # Another run of the same version finished preparing first: use its folder.
            found = _read_ready(folder)
            if found is None:
                raise
            return found
        reporter.log(
            f"prepared version {number} as {fmt.upper()}: {data.train_images} train, {data.val_images} val, "
            f"{data.test_images} test images, {result.annotations} boxes"
        )
        return data
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _coco_layout(root: Path, classes: list[str]) -> None:
    """images/<split>/ + annotations/instances_<split>.json -> <folder>/ with _annotations.coco.json."""
    empty_categories = [{"id": i + 1, "name": name, "supercategory": ""} for i, name in enumerate(classes)]
    for split, name in COCO_FOLDERS.items():
        target = root / name
        source = root / "images" / split
        if source.is_dir():
            source.rename(target)
        else:
            target.mkdir(parents=True)
        annotations = root / "annotations" / f"instances_{split}.json"
        if annotations.is_file():
            annotations.rename(target / COCO_FILE)
        else:
            doc: dict[str, Any] = {"images": [], "annotations": [], "categories": empty_categories}
            (target / COCO_FILE).write_text(json.dumps(doc), encoding="utf-8")
    shutil.rmtree(root / "images", ignore_errors=True)
    shutil.rmtree(root / "annotations", ignore_errors=True)


def _write_ready(root: Path, data: TrainData) -> None:
    doc = {
        "format": data.format,
        "classes": list(data.classes),
        "train_images": data.train_images,
        "val_images": data.val_images,
        "test_images": data.test_images,
    }
    (root / READY_FILE).write_text(json.dumps(doc), encoding="utf-8")


def _read_ready(folder: Path) -> TrainData | None:
    try:
        doc = json.loads((folder / READY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return TrainData(
        root=folder,
        format=doc["format"],
        classes=tuple(doc["classes"]),
        train_images=int(doc["train_images"]),
        val_images=int(doc["val_images"]),
        test_images=int(doc["test_images"]),
    )


def release_unused(settings: Settings, db: Database) -> list[Path]:
    """Remove the prepared folders of versions no queued or running run needs; returns what went."""
    root = cache_root(settings)
    if not root.is_dir():
        return []
    with db.read() as session:
        live = set(
            session.scalars(
                select(TrainingRun.dataset_version_id).where(TrainingRun.status.in_(LIVE_STATUSES))
            )
        )
    removed = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith(".tmp-"):
            continue
        version = folder.name.split("-", 1)[0].removeprefix("v")
        if version.isdigit() and int(version) not in live:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
