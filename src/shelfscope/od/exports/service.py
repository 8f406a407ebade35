"""Dataset export: the current dataset or a version, as a YOLO, COCO or Pascal VOC zip archive.

The archive is written to a scratch file member by member (images copied from storage untouched and
stored without compression unless preprocessing or augmentation asks for new pixels), then put in
storage in one piece, so memory stays flat and a half-written archive is never visible. Images and
their annotations are read in batches of image ids inside one read transaction (a consistent view
even while people keep annotating). Member dates are fixed (writers.py, with the per-format writers),
so the same export with the same seed gives a byte-identical archive.
"""

from __future__ import annotations

import io
import random
import shutil
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import Conflict, NotFound
from shelfscope.jobs.models import Job
from shelfscope.jobs.reporting import Reporter
from shelfscope.jobs.service import get_job, submit_job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.label_set import order_key
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.exports.schemas import (
    EXPORT_KIND,
    MAX_SKIPPED_LISTED,
    ExportFormat,
    ExportIn,
    ExportPayload,
    ExportResult,
    SkippedImage,
)
from shelfscope.od.exports.writers import (
    UNSAFE_NAME,
    ExportShape,
    FormatWriter,
    NameRegistry,
    format_writer,
    member,
)
from shelfscope.od.images.budget import decode_budget
from shelfscope.od.images.decode import FORMATS, decoded_bytes
from shelfscope.od.images.models import Image
from shelfscope.od.io import augment
from shelfscope.od.versions.models import VersionAnnotation, VersionImage
from shelfscope.od.versions.service import require_ready
from shelfscope.od.vocabulary import SNAPSHOT_REVIEW_STATES, SPLITS, Split
from shelfscope.storage import Storage, new_key
from shelfscope.storage.base import ObjectMissing

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

_BATCH_IMAGES = 1000
_JPEG_QUALITY = 95


@dataclass(frozen=True)
class ExportImage:
    owner: int
    image_id: int
    storage_key: str
    filename: str
    format: str
    width: int
    height: int
    split: Split | None


# ---- what is exported -------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Where the rows come from: the live dataset, or a version's frozen copy."""

    dataset_id: int
    dataset_name: str
    version_id: int | None
    version_number: int | None
    # Class names by export index (YOLO class index; COCO category id - 1).
    names: list[str]
    # Live datasets: class id → export index.
    index_of: dict[int, int] = field(default_factory=dict)
    # A polygon dataset: YOLO labels are written as segmentation lines.
    segments: bool = False


def _snapshot(session: Session, dataset_id: int, version_number: int | None) -> Snapshot:
    dataset = require_dataset(session, dataset_id)
    segments = dataset.annotation_type == "polygon"
    if version_number is not None:
        version = require_ready(session, dataset_id, version_number)
        names = [str(item["name"]) for item in sorted(version.class_mapping, key=lambda m: int(m["index"]))]
        return Snapshot(dataset_id, dataset.name, version.id, version.number, names, segments=segments)
    used = (
        select(Annotation.class_id)
        .where(Annotation.dataset_id == dataset_id, Annotation.review_state.in_(SNAPSHOT_REVIEW_STATES))
        .distinct()
        .subquery()
    )
    in_label_set = order_key(session, dataset_id)
    rows = session.execute(
        select(OdClass.id, OdClass.name)
        .where(OdClass.id.in_(select(used.c.class_id)))
        .order_by(OdClass.name_key)
    ).all()
    rows = sorted(rows, key=lambda r: in_label_set(r.id))
    index_of = {r.id: i for i, r in enumerate(rows)}
    return Snapshot(dataset_id, dataset.name, None, None, [r.name for r in rows], index_of, segments)


_SPLIT_NAMES: dict[str, Split] = {s: s for s in SPLITS}


def _split(value: str | None) -> Split | None:
    return _SPLIT_NAMES.get(value or "")


def _points(value: Any) -> tuple[tuple[float, float], ...] | None:
    if not value:
        return None
    return tuple((float(p[0]), float(p[1])) for p in value)


def _images_query(snap: Snapshot, after: int) -> Select[int, int, str, str, str, int, int, str | None]:
    """The next batch of images after membership (or version image) id `after`: the owner id first."""
    if snap.version_id is None:
        return (
            select(
                DatasetImage.id,
                DatasetImage.image_id,
                Image.storage_key,
                Image.filename,
                Image.format,
                Image.width,
                Image.height,
                DatasetImage.split,
            )
            .join(Image, Image.id == DatasetImage.image_id)
            .where(
                DatasetImage.dataset_id == snap.dataset_id,
                DatasetImage.status != "skipped",
                DatasetImage.id > after,
            )
            .order_by(DatasetImage.id)
            .limit(_BATCH_IMAGES)
        )
    return (
        select(
            VersionImage.id,
            VersionImage.image_id,
            Image.storage_key,
            Image.filename,
            Image.format,
            VersionImage.width,
            VersionImage.height,
            VersionImage.split,
        )
        .join(Image, Image.id == VersionImage.image_id)
        .where(VersionImage.version_id == snap.version_id, VersionImage.id > after)
        .order_by(VersionImage.id)
        .limit(_BATCH_IMAGES)
    )


def _shapes(conn: Connection, snap: Snapshot, owners: list[int]) -> dict[int, list[ExportShape]]:
    """The shapes of these owners (memberships or version images), in annotation id order."""
    make = ExportShape._make
    shapes: dict[int, list[ExportShape]] = {owner: [] for owner in owners}
    if snap.version_id is None:
        index_of = snap.index_of
        rows = conn.execute(
            select(
                Annotation.dataset_image_id,
                Annotation.class_id,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
                Annotation.points,
                Annotation.attributes,
            )
            .where(
                Annotation.dataset_image_id.in_(owners),
                Annotation.review_state.in_(SNAPSHOT_REVIEW_STATES),
            )
            .order_by(Annotation.dataset_image_id, Annotation.id)
        )
        for owner, class_id, x1, y1, x2, y2, points, attributes in rows:
            shape = (index_of[class_id], x1, y1, x2, y2, _points(points) if points else None, attributes)
            shapes[owner].append(make(shape))
        return shapes
    rows = conn.execute(
        select(
            VersionAnnotation.version_image_id,
            VersionAnnotation.class_index,
            VersionAnnotation.x1,
            VersionAnnotation.y1,
            VersionAnnotation.x2,
            VersionAnnotation.y2,
            VersionAnnotation.points,
            VersionAnnotation.attributes,
        )
        .where(VersionAnnotation.version_image_id.in_(owners))
        .order_by(VersionAnnotation.version_image_id, VersionAnnotation.id)
    )
    for owner, class_index, x1, y1, x2, y2, points, attributes in rows:
        shape = (class_index, x1, y1, x2, y2, _points(points) if points else None, attributes)
        shapes[owner].append(make(shape))
    return shapes


def _batches(session: Session, snap: Snapshot) -> Iterator[list[tuple[ExportImage, list[ExportShape]]]]:
    """Images in id order with their shapes, a batch at a time: one keyset query for the images and
    one IN query on the (dataset image / version image) index for their shapes, Core rows only."""
    conn = session.connection()
    last = 0
    while image_rows := conn.execute(_images_query(snap, last)).all():
        images = [ExportImage(*row[:7], split=_split(row[7])) for row in image_rows]
        owners = [image.owner for image in images]
        last = owners[-1]
        shapes = _shapes(conn, snap, owners)
        yield [(image, shapes[image.owner]) for image in images]


def _live_split(image_id: int, options: ExportIn) -> Split:
    if options.split is None:
        return "train"
    ratios = options.split.ratios.as_dict()
    draw = random.Random(f"{options.split.seed}:{image_id}").random()
    total = 0.0
    for split in SPLITS:
        total += ratios[split]
        if draw < total:
            return split
    return "train"


def _encode(image: PILImage.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_JPEG_QUALITY)
    return out.getvalue()


def _as_shapes(shapes: Sequence[ExportShape]) -> list[augment.Shape]:
    return [augment.Shape(s.x1, s.y1, s.x2, s.y2, s.points) for s in shapes]


def _back(shapes: Sequence[ExportShape], moved: Sequence[augment.Shape]) -> list[ExportShape]:
    return [
        s._replace(x1=m.x1, y1=m.y1, x2=m.x2, y2=m.y2, points=m.points)
        for s, m in zip(shapes, moved, strict=True)
    ]


@dataclass
class _Counts:
    images: int = 0
    augmented: int = 0
    annotations: int = 0
    splits: dict[str, int] = field(default_factory=dict)


class _Exporter:
    def __init__(
        self,
        storage: Storage,
        options: ExportIn,
        archive: zipfile.ZipFile,
        writer: FormatWriter,
        decode_memory_bytes: int,
    ) -> None:
        self.storage = storage
        self.decode_memory_bytes = decode_memory_bytes
        self.options = options
        self.archive = archive
        self.writer = writer
        self.names = NameRegistry()
        pre = options.preprocessing
        self.pre = augment.Preprocess(
            augment.Resize(pre.resize.width, pre.resize.height, pre.resize.mode) if pre.resize else None,
            pre.auto_orient,
            pre.grayscale,
        )
        aug = options.augmentation
        self.aug = augment.Augment(
            aug.copies, aug.flip_horizontal, aug.flip_vertical, aug.rotate90, aug.brightness, aug.contrast,
            aug.blur, aug.noise,
        )  # fmt: skip
        self.counts = _Counts()
        # Images in the snapshot whose bytes were gone when their turn came.
        self.skipped: list[ExportImage] = []

    def _needs_pixels(self, image: ExportImage, split: Split) -> bool:
        if self.pre.changes_pixels or (self.aug.copies and split == "train"):
            return True
        if self.pre.auto_orient and image.format in ("JPEG", "TIFF", "WEBP", "PNG"):
            with self.storage.open(image.storage_key) as f, PILImage.open(f) as im:
                return int(im.getexif().get(0x0112, 1)) != 1
        return False

    def add(self, image: ExportImage, shapes: list[ExportShape]) -> None:
        """Write one image and its shapes. An image whose bytes are gone (deleted while the export ran:
        the rows come from the export's snapshot, the bytes from storage now) is left out with its
        shapes and remembered in `skipped`; nothing of it is written before its bytes are open."""
        split: Split = image.split or _live_split(image.image_id, self.options)
        try:
            if self._needs_pixels(image, split):
                self._add_pixels(image, split, shapes)
            else:
                self._add_copy(image, split, shapes)
        except ObjectMissing:
            self.skipped.append(image)
            return
        self.counts.splits[split] = self.counts.splits.get(split, 0) + 1
        self.counts.images += 1
        self.counts.annotations += len(shapes)

    def _add_copy(self, image: ExportImage, split: Split, shapes: list[ExportShape]) -> None:
        """The original bytes, untouched (or none with include_images=False)."""
        ext = FORMATS.get(image.format, ".jpg")
        if not self.options.include_images:
            name = self.names.name(image.filename, image.image_id, ext)
        else:
            with self.storage.open(image.storage_key) as src:
                name = self.names.name(image.filename, image.image_id, ext)
                info = member(self.writer.image_path(split, name), False)
                with self.archive.open(info, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        self.writer.add(split, name, image.width, image.height, 3, shapes)

    def _add_pixels(self, image: ExportImage, split: Split, shapes: list[ExportShape]) -> None:
        """New pixels: preprocessed, and augmented copies of a training image."""
        budget = decode_budget(self.decode_memory_bytes)
        # Full-size pixels: their memory comes out of the worker's decode budget like any decode.
        with (
            self.storage.open(image.storage_key) as f,
            PILImage.open(f) as source,
            budget.reserve(decoded_bytes(source), image.filename),
        ):
            pixels, moved = augment.preprocess(source, _as_shapes(shapes), self.pre)
        base = _back(shapes, moved)
        self._write_pixels(image, split, pixels, base, "")
        if split != "train":
            return
        for copy in range(1, self.aug.copies + 1):
            rng = np.random.default_rng([self.options.seed, image.image_id, copy])
            out, moved_copy = augment.augment(pixels, moved, self.aug, rng)
            self._write_pixels(image, split, out, _back(shapes, moved_copy), f"_aug{copy}")
            self.counts.augmented += 1
            self.counts.annotations += len(shapes)

    def _write_pixels(
        self, image: ExportImage, split: Split, pixels: PILImage.Image, shapes: list[ExportShape], suffix: str
    ) -> None:
        name = self.names.name(image.filename, image.image_id, ".jpg", suffix)
        if self.options.include_images:
            self.archive.writestr(member(self.writer.image_path(split, name), False), _encode(pixels))
        depth = 1 if pixels.mode == "L" else 3
        self.writer.add(split, name, pixels.width, pixels.height, depth, shapes)


def archive_name(dataset_name: str, version: int | None, fmt: str) -> str:
    slug = UNSAFE_NAME.sub("-", dataset_name).strip("-.").lower()[:80] or "dataset"
    return f"{slug}{f'-v{version}' if version else ''}-{fmt}.zip"


def run_export(
    settings: Settings, db: Database, storage: Storage, payload: ExportPayload, reporter: Reporter, token: str
) -> ExportResult:
    """Write the archive and store it; returns where it is. Nothing is stored on failure."""
    started = time.monotonic()
    workdir = settings.data_dir / "tmp" / "exports" / token
    workdir.mkdir(parents=True, exist_ok=True)
    archive_path = workdir / "export.zip"
    try:
        with db.read() as session:
            if not db.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            snap = _snapshot(session, payload.dataset_id, payload.version)
            total = _count_images(session, snap)
            reporter.progress(0.0, f"exporting {total} images")
            with zipfile.ZipFile(
                archive_path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1
            ) as zf:
                writer = format_writer(
                    payload.format, zf, snap.names, workdir, _coco_info(snap), segments=snap.segments
                )
                exporter = _Exporter(storage, payload, zf, writer, settings.decode_memory_bytes)
                for batch in _batches(session, snap):
                    reporter.check_cancelled()
                    for image, shapes in batch:
                        exporter.add(image, shapes)
                    done = exporter.counts.images + len(exporter.skipped)
                    reporter.progress(0.95 * done / max(total, 1), f"exported {done} of {total} images")
                writer.finish()
        reporter.check_cancelled()
        key = new_key("exports", ".zip")
        size = archive_path.stat().st_size
        storage.put_file(key, archive_path, "application/zip")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    counts = exporter.counts
    warnings = _skipped_warning(exporter.skipped)
    for warning in warnings:
        reporter.log(warning, "warning")
    return ExportResult(
        format=payload.format,
        dataset_id=payload.dataset_id,
        version=snap.version_number,
        key=key,
        filename=archive_name(snap.dataset_name, snap.version_number, payload.format),
        size_bytes=size,
        images=counts.images,
        augmented_images=counts.augmented,
        annotations=counts.annotations,
        classes=snap.names,
        splits=counts.splits,
        seconds=round(time.monotonic() - started, 3),
        skipped_images=len(exporter.skipped),
        skipped=[
            SkippedImage(image_id=i.image_id, filename=i.filename)
            for i in exporter.skipped[:MAX_SKIPPED_LISTED]
        ],
        warnings=warnings,
    )


def _skipped_warning(skipped: Sequence[ExportImage]) -> list[str]:
    if not skipped:
        return []
    names = ", ".join(f"{i.filename} (image {i.image_id})" for i in skipped[:10])
    more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
    one = len(skipped) == 1
    return [
        f"Left out {len(skipped)} image{'' if one else 's'} deleted while the export ran, with "
        f"{'its' if one else 'their'} annotations: {names}{more}."
    ]


def _count_images(session: Session, snap: Snapshot) -> int:
    if snap.version_id is not None:
        query = (
            select(func.count()).select_from(VersionImage).where(VersionImage.version_id == snap.version_id)
        )
    else:
        query = (
            select(func.count())
            .select_from(DatasetImage)
            .where(DatasetImage.dataset_id == snap.dataset_id, DatasetImage.status != "skipped")
        )
    return int(session.scalar(query) or 0)


def _coco_info(snap: Snapshot) -> dict[str, Any]:
    version = f" (version {snap.version_number})" if snap.version_number else ""
    return {
        "description": snap.dataset_name + version,
        "version": str(snap.version_number or ""),
        "contributor": "Shelfscope",
    }


# ---- starting and downloading -----------------------------------------------------------------------


def start_export(
    session: Session,
    runner: JobRunner,
    dataset_id: int,
    fmt: ExportFormat,
    body: ExportIn,
    user_id: int | None,
) -> Job:
    require_dataset(session, dataset_id)
    if body.version is not None:
        require_ready(session, dataset_id, body.version)
    payload = ExportPayload(dataset_id=dataset_id, format=fmt, **body.model_dump())
    return submit_job(session, runner, EXPORT_KIND, payload.model_dump(mode="json"), user_id)


@dataclass(frozen=True)
class Download:
    key: str
    filename: str
    size: int


def export_download(session: Session, storage: Storage, job_id: int) -> Download:
    """The archive of a finished export job."""
    job = get_job(session, job_id)
    if job.kind != EXPORT_KIND:
        raise NotFound(f"Job {job_id} is not an export.", job_id=job_id)
    if job.status != "succeeded" or not job.result:
        raise Conflict(
            f"Export job {job_id} is {job.status}; its archive can be downloaded once it has succeeded.",
            job_id=job_id,
            status=job.status,
        )
    result = ExportResult.model_validate(job.result)
    if not storage.exists(result.key):
        raise NotFound(f"The archive of export job {job_id} is no longer stored.", job_id=job_id)
    return Download(result.key, result.filename, storage.size(result.key))
