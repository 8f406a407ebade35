"""Dataset import: read a COCO, YOLO or VOC source, store its images, check every shape against its
image, and write everything in one database transaction, or nothing.

Phases (only the last one writes rows, and it holds no lock while files are read or decoded):
1. read the annotation files once (shapes go to a spill file, memory stays flat);
2. hash every image, reuse the ones the library has, decode, thumbnail and store the new ones
   (each key listed in a write-ahead manifest first, see staging.py);
3. check every shape against its real image (numpy, chunk by chunk): unknown image or category,
   NaN/inf, negative or empty size, outside the image; apply `on_invalid`;
4. one transaction: classes (found by name or alias, created when missing), the dataset, image
   rows, memberships with their splits, and the annotations in bulk (SQLite executemany,
   PostgreSQL COPY). A failure anywhere removes the stored files again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import shutil
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.errors import NotFound, ShelfscopeError, UnsupportedMedia, ValidationFailed
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import submit_job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import ClassAlias, ClassChange, OdClass
from shelfscope.od.classes.schemas import clean_name
from shelfscope.od.classes.service import palette_color
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.decode import CONTENT_TYPES, FORMATS, decode_image, display_name
from shelfscope.od.images.models import Image
from shelfscope.od.imports.readers import Document, Entry, Layout, read_document
from shelfscope.od.imports.schemas import (
    IMPORT_KIND,
    AliasMatch,
    ImportPayload,
    ImportReport,
    IssueOut,
    OnInvalid,
)
from shelfscope.od.imports.spill import ROW_DTYPE, Spill
from shelfscope.od.imports.staging import Staging, sweep_abandoned_imports
from shelfscope.od.io.common import FormatError, Issue, Severity
from shelfscope.od.io.source import FolderSource, Source, ZipSource
from shelfscope.od.io.zipsafe import ZipLimits, check_archive
from shelfscope.od.vocabulary import Split
from shelfscope.storage import Storage, new_key

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

MAX_LISTED_ISSUES = 1000
# Boxes may overshoot the image by this much (annotation tools round outward); they are clipped.
EDGE_TOLERANCE_PX = 1.0
_QUERY_CHUNK = 500
_BATCH_FILES = 256
_BATCH_BYTES = 64 * 1024 * 1024
_INSERT_CHUNK = 50_000
_T = TypeVar("_T")
_R = TypeVar("_R")


class Reporter(Protocol):
    """What the import tells the outside (a JobContext is one)."""

    def progress(self, fraction: float, stage: str | None = None) -> None: ...

    def log(self, message: str, level: str = "info") -> None: ...

    def check_cancelled(self) -> None: ...


class ImportRejected(ShelfscopeError):
    """Invalid entries under on_invalid=fail, or nothing importable: nothing was written."""

    status_code = 422
    kind = "ValidationFailed"

    def __init__(self, detail: str, report: ImportReport, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.report = report


@dataclass(frozen=True)
class JobGuard:
    """The job this import runs as: the final transaction checks it is still running here."""

    job_id: int
    worker: str


# ---- sources ----------------------------------------------------------------------------------------


def zip_limits(settings: Settings) -> ZipLimits:
    return ZipLimits(settings.max_zip_members, settings.max_zip_total_bytes, settings.max_zip_ratio)


def resolve_import_folder(settings: Settings, path: str) -> Path:
    """The folder, if it lies under one of the configured import roots (after resolving links)."""
    if not settings.import_roots:
        raise ValidationFailed(
            "Imports from server folders are turned off: set SHELFSCOPE_IMPORT_ROOTS to the folders "
            "they may read, or upload a zip archive instead.",
            field="path",
        )
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        raise ValidationFailed(f"path: {path!r} must be an absolute path on the server.", field="path")
    resolved = folder.resolve()
    roots = [root.expanduser().resolve() for root in settings.import_roots]
    if not any(resolved == root or root in resolved.parents for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise ValidationFailed(
            f"path: {path} is not under an import root ({allowed}).", field="path", import_roots=allowed
        )
    if not resolved.is_dir():
        raise ValidationFailed(f"path: {path} is not a folder on the server.", field="path")
    return resolved


def _open_source(
    settings: Settings, storage: Storage, payload: ImportPayload, scratch: Path
) -> tuple[Source, str]:
    if payload.path is not None:
        folder = resolve_import_folder(settings, payload.path)
        return FolderSource(folder), folder.name
    assert payload.upload_key is not None
    name = payload.upload_name or "upload.zip"
    archive = scratch / "upload.zip"
    storage.download_to(payload.upload_key, archive)
    return ZipSource(archive, zip_limits(settings), name), name


def _default_dataset_name(source_name: str, fmt: str) -> str:
    base = source_name[:-4] if source_name.lower().endswith(".zip") else source_name
    return (base.strip() or f"{fmt.upper()} import")[:255]


# ---- issues -----------------------------------------------------------------------------------------


class IssueLog:
    """Every issue counted by kind; the first MAX_LISTED_ISSUES kept for the report."""

    def __init__(self) -> None:
        self.listed: list[Issue] = []
        self.counts: Counter[str] = Counter()
        self.invalid = 0

    def add(self, issue: Issue) -> None:
        self.counts[issue.kind] += 1
        if issue.severity == "invalid":
            self.invalid += 1
        if len(self.listed) < MAX_LISTED_ISSUES:
            self.listed.append(issue)

    def extend(self, issues: Sequence[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    @property
    def truncated(self) -> bool:
        return sum(self.counts.values()) > len(self.listed)


# ---- phase 2: images --------------------------------------------------------------------------------


@dataclass
class Unit:
    """One distinct image (by content) of the import."""

    content_hash: str
    width: int
    height: int
    filename: str
    split: Split | None
    # The source path the unit was first read from.
    path: str = ""
    existing_id: int | None = None
    # For a new image: what to store and the row to insert.
    key: str | None = None
    thumbnail_key: str | None = None
    format: str = ""
    size_bytes: int = 0
    entries: int = 0
    # The image needs its shapes compared with others (listed twice, or already in the dataset).
    dedupe: bool = False


@dataclass
class _Read:
    path: str
    data: bytes | None = None
    content_hash: str = ""
    error: Issue | None = None


def _entry_issue(entry: Entry, kind: str, message: str, severity: Severity = "invalid") -> Issue:
    return Issue(kind, message, entry.file or entry.path, entry.line, entry.field, severity)


class ImageIngest:
    def __init__(
        self, db: Database, storage: Storage, settings: Settings, staging: Staging, reporter: Reporter
    ) -> None:
        self.db = db
        self.storage = storage
        self.settings = settings
        self.staging = staging
        self.reporter = reporter
        self.units: list[Unit] = []
        self.by_hash: dict[str, int] = {}
        self.stored = 0
        self.reused = 0
        self.merged = 0

    def _read(self, source: Source, path: str) -> _Read:
        limit = self.settings.max_upload_bytes
        try:
            size = source.size(path)
            if size > limit:
                return _Read(
                    path, error=Issue("too_large", f"{path} is larger than the {limit:,} byte limit.", path)
                )
            with source.open(path) as f:
                data = f.read(limit + 1)
        except (OSError, FormatError) as exc:
            return _Read(path, error=Issue("unreadable", f"{path} could not be read ({exc}).", path))
        return _Read(path, data, hashlib.sha256(data).hexdigest())

    def _existing(self, hashes: list[str]) -> dict[str, tuple[int, int, int]]:
        found: dict[str, tuple[int, int, int]] = {}
        with self.db.read() as session:
            for start in range(0, len(hashes), _QUERY_CHUNK):
                rows = session.execute(
                    select(Image.content_hash, Image.id, Image.width, Image.height).where(
                        Image.content_hash.in_(hashes[start : start + _QUERY_CHUNK])
                    )
                )
                for content_hash, image_id, width, height in rows:
                    found[content_hash] = (image_id, width, height)
        return found

    def _store(self, item: _Read, unit: Unit) -> Issue | None:
        """Decode (proves it is a whole image), thumbnail and store one new image."""
        assert item.data is not None and unit.key is not None and unit.thumbnail_key is not None
        try:
            # One decode gives the facts and the thumbnail (inspect_image + render_thumbnail decoded twice).
            facts, thumbnail = decode_image(
                io.BytesIO(item.data),
                display_name(item.path),
                len(item.data),
                item.content_hash,
                self.settings.max_image_pixels,
                self.settings.thumbnail_size,
                memory_limit_bytes=self.settings.decode_memory_bytes,
            )
            assert thumbnail is not None
        except ShelfscopeError as exc:
            return Issue("not_an_image", exc.detail, item.path)
        except Exception as exc:  # Pillow raises many types for broken files
            return Issue("not_an_image", f"{item.path} could not be decoded ({exc}).", item.path)
        unit.width, unit.height, unit.format = facts.width, facts.height, facts.format
        self.storage.put_bytes(unit.key, item.data, CONTENT_TYPES[facts.format])
        self.storage.put_bytes(unit.thumbnail_key, thumbnail, "image/jpeg")
        return None

    def run(self, source: Source, entries: list[Entry], issues: IssueLog) -> npt.NDArray[np.int32]:
        """Entry index → unit index (-1: the entry's image is missing or not an image)."""
        entry_unit = np.full(len(entries), -1, dtype=np.int32)
        by_path: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            if entry.path is None:
                looked = f" (looked for {', '.join(entry.looked_in)})" if entry.looked_in else ""
                where = f"{entry.file}: " if entry.file else ""
                issues.add(
                    _entry_issue(
                        entry, "missing_image", f"{where}image '{entry.name}' was not found{looked}."
                    )
                )
                continue
            by_path.setdefault(entry.path, []).append(index)
        paths = list(by_path)
        total = max(len(paths), 1)
        done = 0
        # Local files: one thread. Reading, decoding and writing small files is mostly short syscalls and
        # GIL-holding Pillow work, and threads contending for the GIL made it ~2x slower than serial. Remote
        # storage (S3) waits on the network, where threads pay off.
        local = getattr(self.storage, "backend", "") == "local"
        workers = 1 if local else max(1, min(4, os.cpu_count() or 1))
        with _Pool(workers) as pool:
            for batch in self._batches(source, paths):
                self.reporter.check_cancelled()
                reads = list(pool.map(lambda p: self._read(source, p), batch))
                existing = self._existing([r.content_hash for r in reads if r.error is None])
                to_store: list[tuple[_Read, Unit]] = []
                for item in reads:
                    first = entries[by_path[item.path][0]]
                    if item.error is not None:
                        issues.add(_entry_issue(first, item.error.kind, item.error.message))
                        continue
                    unit_index = self._unit_for(item, first, existing, to_store)
                    self._attach(unit_index, by_path[item.path], entries, entry_unit, issues)
                self._store_batch(pool, to_store, by_path, entries, entry_unit, issues)
                done += len(batch)
                self.reporter.progress(0.3 + 0.5 * done / total, f"stored {done} of {len(paths)} images")
        return entry_unit

    def _unit_for(
        self,
        item: _Read,
        first: Entry,
        existing: dict[str, tuple[int, int, int]],
        to_store: list[tuple[_Read, Unit]],
    ) -> int:
        """The unit of these bytes: one seen earlier in the import, one the library has, or a new one."""
        unit_index = self.by_hash.get(item.content_hash)
        if unit_index is not None:
            self.units[unit_index].dedupe = True
            return unit_index
        unit_index = len(self.units)
        self.by_hash[item.content_hash] = unit_index
        unit = Unit(
            item.content_hash,
            0,
            0,
            display_name(first.name),
            first.split,
            item.path,
            size_bytes=len(item.data or b""),
        )
        self.units.append(unit)
        if item.content_hash in existing:
            unit.existing_id, unit.width, unit.height = existing[item.content_hash]
            self.reused += 1
        else:
            unit.key = new_key("images", ".img")  # the extension is set once the bytes are known
            unit.thumbnail_key = new_key("thumbnails", ".jpg")
            to_store.append((item, unit))
        return unit_index

    def _attach(
        self, unit_index: int, indices: list[int], entries: list[Entry], entry_unit: npt.NDArray[np.int32],
        issues: IssueLog,
    ) -> None:  # fmt: skip
        unit = self.units[unit_index]
        for index in indices:
            entry = entries[index]
            if unit.entries:
                self.merged += 1
                unit.dedupe = True
                if entry.path != unit.path:
                    message = (
                        f"{entry.path} has the same bytes as {unit.path}: they are one image, and their "
                        "annotations were merged (identical boxes once)."
                    )
                    issues.add(_entry_issue(entry, "duplicate_image", message, "warning"))
                if entry.split is not None and entry.split != unit.split:
                    kept = unit.split or "no split"
                    message = f"{entry.path} is listed in {entry.split} and in {kept}; it stays in {kept}."
                    issues.add(
                        Issue(
                            "split_conflict",
                            message,
                            entry.file or entry.path,
                            entry.line,
                            entry.field,
                            "warning",
                        )
                    )
            unit.entries += 1
            entry_unit[index] = unit_index

    def _store_batch(
        self,
        pool: _Pool,
        to_store: list[tuple[_Read, Unit]],
        by_path: dict[str, list[int]],
        entries: list[Entry],
        entry_unit: npt.NDArray[np.int32],
        issues: IssueLog,
    ) -> None:
        if not to_store:
            return
        # The extension depends on the decoded format; the key itself is reserved before writing.
        for item, unit in to_store:
            assert unit.key is not None
            unit.key = unit.key[: -len(".img")] + _extension_guess(item.data or b"")
        self.staging.reserve([k for _, unit in to_store for k in (unit.key or "", unit.thumbnail_key or "")])
        results = list(pool.map(lambda pair: self._store(*pair), to_store))
        for (item, unit), problem in zip(to_store, results, strict=True):
            if problem is None:
                self.stored += 1
                continue
            first = entries[by_path[item.path][0]]
            issues.add(Issue(problem.kind, problem.message, first.file or item.path, first.line, first.field))
            unit.key = None
            unit.entries = 0
            unit_index = self.by_hash.pop(item.content_hash)
            entry_unit[entry_unit == unit_index] = -1

    def _batches(self, source: Source, paths: list[str]) -> Iterator[list[str]]:
        batch: list[str] = []
        size = 0
        for path in paths:
            with contextlib.suppress(OSError, FormatError):
                size += source.size(path)
            batch.append(path)
            if len(batch) >= _BATCH_FILES or size >= _BATCH_BYTES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch


class _Pool:
    """map() on a thread pool, or in the calling thread when one worker is asked for."""

    def __init__(self, workers: int) -> None:
        self._threads = (
            ThreadPoolExecutor(workers, thread_name_prefix="import-images") if workers > 1 else None
        )

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)

    def map(self, fn: Callable[[_T], _R], items: Iterable[_T]) -> Iterator[_R]:
        if self._threads is None:
            return map(fn, items)
        return self._threads.map(fn, items)


def _extension_guess(data: bytes) -> str:
    """The storage key's extension from the file's magic bytes (Pillow confirms the format later)."""
    if data.startswith(b"\xff\xd8"):
        return FORMATS["JPEG"]
    if data.startswith(b"\x89PNG"):
        return FORMATS["PNG"]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FORMATS["WEBP"]
    if data.startswith(b"BM"):
        return FORMATS["BMP"]
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return FORMATS["TIFF"]
    return ".bin"


# ---- phase 3: checking shapes -----------------------------------------------------------------------


def _resolve_keys(
    scopes: npt.NDArray[Any], keys: npt.NDArray[Any], maps: dict[int, dict[int, int]]
) -> npt.NDArray[np.int64]:
    """Map (scope, raw key) pairs to indices through per-scope dicts, vectorised; -1 when unknown."""
    out = np.full(len(keys), -1, dtype=np.int64)
    for scope in np.unique(scopes):
        mapping = maps.get(int(scope))
        if not mapping:
            continue
        mask = scopes == scope
        known = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
        values = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
        order = np.argsort(known)
        known, values = known[order], values[order]
        wanted = keys[mask]
        pos = np.clip(np.searchsorted(known, wanted), 0, len(known) - 1)
        out[mask] = np.where(known[pos] == wanted, values[pos], -1)
    return out


@dataclass
class CheckResult:
    rows: Spill
    unit_counts: npt.NDArray[np.int64]
    label_counts: npt.NDArray[np.int64]
    read: int = 0
    skipped: int = 0
    duplicates: int = 0
    clipped: int = 0
    rescaled: int = 0
    any_polygon: bool = False


@dataclass
class _Checker:
    doc: Document
    units: list[Unit]
    entry_unit: npt.NDArray[np.int32]
    label_ok: npt.NDArray[np.bool_]
    # Class key per label for de-duplication: an existing class id, else -(label + 1).
    label_class: npt.NDArray[np.int64]
    existing_shapes: dict[int, set[tuple[int, float, float, float, float]]]
    issues: IssueLog
    seen: dict[int, set[tuple[int, float, float, float, float]]] = field(default_factory=dict)

    def _where(self, row: Any) -> tuple[str, int | None, str | None]:
        file = self.doc.files[int(row["file"])]
        line = int(row["line"]) or None
        item = int(row["item"])
        layout = int(row["layout"])
        if layout == Layout.XYWH:
            return file, line, f"annotations[{item}].bbox"
        if layout == Layout.XYXY:
            return file, line, f"object[{item}].bndbox"
        return file, line, None

    def _describe(self, row: Any) -> str:
        a, b, c, d = (float(row[k]) for k in ("a", "b", "c", "d"))
        layout = int(row["layout"])
        values = ", ".join(f"{v:g}" for v in (a, b, c, d))
        if layout == Layout.XYWH:
            return f"box [{values}] (x, y, width, height)"
        if layout == Layout.XYXY:
            return f"box [{values}] (xmin, ymin, xmax, ymax)"
        return f"box [{values}] (centre x, centre y, width, height, normalised)"

    def _place(self, row: Any) -> str:
        file, line, fieldname = self._where(row)
        return f"{file}" + (f" line {line}" if line else "") + (f" {fieldname}" if fieldname else "")

    def _invalid(self, row: Any, kind: str, message: str) -> None:
        file, line, fieldname = self._where(row)
        self.issues.add(Issue(kind, message, file, line, fieldname))

    def check(self, scratch: Path | None) -> CheckResult:
        doc = self.doc
        n_units = len(self.units)
        result = CheckResult(
            Spill(ROW_DTYPE, scratch),
            np.zeros(n_units, np.int64),
            np.zeros(max(len(doc.labels), 1), np.int64),
        )
        unit_w = np.array([u.width for u in self.units] + [1], dtype=np.float64)
        unit_h = np.array([u.height for u in self.units] + [1], dtype=np.float64)
        declared_w = np.array([(e.declared or (0, 0))[0] for e in doc.entries] + [0], dtype=np.float64)
        declared_h = np.array([(e.declared or (0, 0))[1] for e in doc.entries] + [0], dtype=np.float64)
        ignored = np.array(sorted(doc.ignored_scopes), dtype=np.int64)
        tol = EDGE_TOLERANCE_PX
        entry_unit = np.append(self.entry_unit, np.int32(-1))
        for raw, extras in doc.shapes.chunks():
            if len(ignored):
                raw = raw[~np.isin(raw["scope"], ignored)]
            result.read += len(raw)
            entry = _resolve_keys(raw["scope"], raw["image_key"], doc.image_keys)
            label = _resolve_keys(raw["scope"], raw["label_key"], doc.label_keys)
            unit = entry_unit[np.where(entry >= 0, entry, len(doc.entries))]
            # Image size per row (index n_units: a placeholder for rows without an image).
            u = np.where(unit >= 0, unit, n_units)
            w, h = unit_w[u], unit_h[u]
            e = np.where(entry >= 0, entry, len(doc.entries))
            dw, dh = declared_w[e], declared_h[e]
            sx = np.where(dw > 0, w / np.where(dw > 0, dw, 1), 1.0)
            sy = np.where(dh > 0, h / np.where(dh > 0, dh, 1), 1.0)
            a, b, c, d, layout = raw["a"], raw["b"], raw["c"], raw["d"], raw["layout"]
            is_xywh, is_xyxy = layout == Layout.XYWH, layout == Layout.XYXY
            with np.errstate(invalid="ignore", over="ignore"):
                x1 = np.select([is_xywh, is_xyxy], [a * sx, a * sx], (a - c / 2) * w)
                y1 = np.select([is_xywh, is_xyxy], [b * sy, b * sy], (b - d / 2) * h)
                x2 = np.select([is_xywh, is_xyxy], [(a + c) * sx, c * sx], (a + c / 2) * w)
                y2 = np.select([is_xywh, is_xyxy], [(b + d) * sy, d * sy], (b + d / 2) * h)
                finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
                negative = np.where(is_xyxy, (c < a) | (d < b), (c < 0) | (d < 0))
                empty = ~negative & ((x2 - x1 <= 0) | (y2 - y1 <= 0))
                outside = (x1 < -tol) | (y1 < -tol) | (x2 > w + tol) | (y2 > h + tol)
            known_label = label >= 0
            label_valid = known_label & self.label_ok[np.where(known_label, label, len(self.label_ok) - 1)]
            image_gone = (entry >= 0) & (unit < 0)
            bad = (entry < 0) | ~label_valid | ~finite | negative | empty | outside
            result.skipped += int(np.count_nonzero(image_gone))
            scaled = ((sx != 1) | (sy != 1)) & ~bad & ~image_gone & ~(layout == Layout.CXCYWH)
            result.rescaled += int(np.count_nonzero(scaled))
            for i in np.flatnonzero(bad & ~image_gone):
                self._report(raw[i], int(entry[i]), int(label[i]), bool(label_valid[i]), w[i], h[i])
            result.skipped += int(np.count_nonzero(bad & ~image_gone))
            x1c, y1c = np.clip(x1, 0, w), np.clip(y1, 0, h)
            x2c, y2c = np.clip(x2, 0, w), np.clip(y2, 0, h)
            # Within the tolerance but wholly past the edge: nothing is left after clipping.
            vanished = ~bad & ~image_gone & ((x2c - x1c <= 0) | (y2c - y1c <= 0))
            for i in np.flatnonzero(vanished):
                self._invalid(
                    raw[i],
                    "box_outside_image",
                    f"{self._place(raw[i])}: {self._describe(raw[i])} lies outside the image.",
                )
            result.skipped += int(np.count_nonzero(vanished))
            good = ~bad & ~image_gone & ~vanished
            clipped = good & ((x1 < 0) | (y1 < 0) | (x2 > w) | (y2 > h))
            result.clipped += int(np.count_nonzero(clipped))
            self._emit(result, raw, extras, good, unit, label, x1c, y1c, x2c, y2c, w, h, sx, sy)
        return result

    def _report(
        self, row: Any, entry: int, label: int, label_valid: bool, width: float, height: float
    ) -> None:
        place = self._place(row)
        layout = int(row["layout"])
        if entry < 0:
            self._invalid(
                row, "unknown_image",
                f"{place} refers to image id {int(row['image_key'])}, which the file's 'images' list lacks.",
            )  # fmt: skip
            return
        if label < 0:
            key = int(row["label_key"])
            if layout == Layout.CXCYWH:
                count = len(self.doc.label_keys.get(0, {}))
                message = f"{place}: class {key} has no name in the dataset's class list ({count} names)."
            else:
                message = f"{place} refers to category id {key}, which the file's 'categories' list lacks."
            self._invalid(row, "unknown_category", message)
            return
        if not label_valid:
            name = self.doc.labels[label]
            self._invalid(row, "bad_class_name", f"{place}: the class name {name!r} cannot be a class name.")
            return
        box = self._describe(row)
        values = (float(row["a"]), float(row["b"]), float(row["c"]), float(row["d"]))
        if not all(math.isfinite(v) for v in values):
            self._invalid(row, "not_finite", f"{place}: {box} has a coordinate that is not a finite number.")
        elif (layout == Layout.XYXY and (values[2] < values[0] or values[3] < values[1])) or (
            layout != Layout.XYXY and (values[2] < 0 or values[3] < 0)
        ):
            self._invalid(row, "negative_size", f"{place}: {box} has a negative width or height.")
        else:
            entry_name = self.doc.entries[entry].name
            message = f"{place}: {box} reaches outside the {width:g}x{height:g} image '{entry_name}'."
            kind = "box_outside_image"
            if (layout == Layout.XYXY and (values[2] == values[0] or values[3] == values[1])) or (
                layout != Layout.XYXY and (values[2] == 0 or values[3] == 0)
            ):
                kind, message = "empty_box", f"{place}: {box} has no area (zero width or height)."
            self._invalid(row, kind, message)

    def _emit(
        self,
        result: CheckResult,
        raw: npt.NDArray[Any],
        extras: list[Any],
        good: npt.NDArray[np.bool_],
        unit: npt.NDArray[Any],
        label: npt.NDArray[Any],
        x1: npt.NDArray[np.float64],
        y1: npt.NDArray[np.float64],
        x2: npt.NDArray[np.float64],
        y2: npt.NDArray[np.float64],
        w: npt.NDArray[np.float64],
        h: npt.NDArray[np.float64],
        sx: npt.NDArray[np.float64],
        sy: npt.NDArray[np.float64],
    ) -> None:
        keep = good.copy()
        out_extras: list[Any] = []
        out_extra = np.full(len(raw), -1, dtype=np.int32)
        kind = np.zeros(len(raw), dtype=np.int8)
        dedupe_units = {i for i, u in enumerate(self.units) if u.dedupe}
        for i in np.flatnonzero(good & (raw["extra"] >= 0)):
            points, attributes = extras[int(raw["extra"][i])]
            if points is not None:
                normalised = int(raw["layout"][i]) == Layout.CXCYWH
                fx, fy = (float(w[i]), float(h[i])) if normalised else (float(sx[i]), float(sy[i]))
                fixed = _fit_polygon(points, fx, fy, float(w[i]), float(h[i]))
                if isinstance(fixed, str):
                    self._invalid(raw[i], "bad_polygon", f"{self._place(raw[i])}: polygon {fixed}.")
                    result.skipped += 1
                    keep[i] = False
                    continue
                points = fixed
                kind[i] = 1
                result.any_polygon = True
            out_extra[i] = len(out_extras)
            out_extras.append((points, attributes))
        if dedupe_units:
            for i in np.flatnonzero(keep & np.isin(unit, list(dedupe_units))):
                u = int(unit[i])
                shape = (
                    int(self.label_class[label[i]]),
                    round(float(x1[i]), 6),
                    round(float(y1[i]), 6),
                    round(float(x2[i]), 6),
                    round(float(y2[i]), 6),
                )
                seen = self.seen.setdefault(u, set(self.existing_shapes.get(u, ())))
                if shape in seen:
                    keep[i] = False
                    result.duplicates += 1
                else:
                    seen.add(shape)
        rows = np.zeros(int(np.count_nonzero(keep)), dtype=ROW_DTYPE)
        rows["unit"] = unit[keep]
        rows["label"] = label[keep]
        rows["x1"], rows["y1"], rows["x2"], rows["y2"] = x1[keep], y1[keep], x2[keep], y2[keep]
        rows["kind"] = kind[keep]
        rows["extra"] = out_extra[keep]
        result.rows.add_array(rows, out_extras)
        np.add.at(result.unit_counts, rows["unit"], 1)
        np.add.at(result.label_counts, rows["label"], 1)


def _fit_polygon(
    points: list[list[float]], fx: float, fy: float, w: float, h: float
) -> list[list[float]] | str:
    """Points scaled to image pixels and clipped within the edge tolerance, or what is wrong."""
    out: list[list[float]] = []
    tol = EDGE_TOLERANCE_PX
    for x, y in points:
        px, py = x * fx, y * fy
        if not (math.isfinite(px) and math.isfinite(py)):
            return "has a coordinate that is not a finite number"
        if px < -tol or py < -tol or px > w + tol or py > h + tol:
            return f"point ({x:g}, {y:g}) lies outside the {w:g}x{h:g} image"
        out.append([min(max(px, 0.0), w), min(max(py, 0.0), h)])
    return out


# ---- classes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelMatch:
    class_id: int
    class_name: str
    by_alias: bool


def label_key(name: str) -> str:
    """The casefolded class key a label name maps to (see od.classes.schemas.name_key)."""
    return clean_name(name).casefold()


def match_labels(session: Session, names: Sequence[str]) -> dict[str, LabelMatch]:
    """Existing classes for label names, by casefolded name, then by alias (batched); keyed by the
    label's key (`label_key`)."""
    wanted = sorted({label_key(n) for n in names})
    found: dict[str, LabelMatch] = {}
    for start in range(0, len(wanted), _QUERY_CHUNK):
        chunk = wanted[start : start + _QUERY_CHUNK]
        for class_id, name, key in session.execute(
            select(OdClass.id, OdClass.name, OdClass.name_key).where(OdClass.name_key.in_(chunk))
        ):
            found[key] = LabelMatch(class_id, name, False)
        for class_id, name, key in session.execute(
            select(OdClass.id, OdClass.name, ClassAlias.alias_key)
            .join(ClassAlias, ClassAlias.class_id == OdClass.id)
            .where(ClassAlias.alias_key.in_(chunk))
        ):
            found.setdefault(key, LabelMatch(class_id, name, True))
    return found


def _valid_label(name: str) -> bool:
    try:
        clean_name(name)
    except ValueError:
        return False
    return True


# ---- phase 4: the transaction -----------------------------------------------------------------------


@dataclass
class CommitPlan:
    dataset_id: int | None
    dataset_name: str
    description: str
    units: list[Unit]
    unit_counts: npt.NDArray[np.int64]
    labels: list[str]
    label_counts: npt.NDArray[np.int64]
    rows: Spill
    any_polygon: bool
    user_id: int | None
    guard: JobGuard | None


@dataclass
class CommitOutcome:
    dataset_id: int
    dataset_name: str
    created: bool
    matched: list[str]
    matched_by_alias: list[AliasMatch]
    created_classes: list[str]
    added: int
    already: int
    imported: int
    # Staged keys that turned out not to be needed (another upload stored the same bytes first).
    unused_keys: list[str]
    splits: dict[str, int]


def _check_guard(session: Session, guard: JobGuard | None) -> None:
    if guard is None:
        return
    query = select(Job.status, Job.worker, Job.cancel_requested).where(Job.id == guard.job_id)
    if session.get_bind().dialect.name == "postgresql":
        # Held until commit: the stale-job sweep cannot fail this job while its import commits.
        query = query.with_for_update()
    row = session.execute(query).one_or_none()
    if row is None or row.status != "running" or row.worker != guard.worker or row.cancel_requested:
        raise ImportCancelled("the import job was cancelled or taken away before it could commit")


class ImportCancelled(Exception):
    pass


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _ensure_classes(
    session: Session, labels: list[str], used: list[int], user_id: int | None
) -> tuple[npt.NDArray[np.int64], list[str], list[AliasMatch], list[str]]:
    names = [labels[i] for i in used]
    matches = match_labels(session, names)
    class_of = np.full(max(len(labels), 1), -1, dtype=np.int64)
    matched: list[str] = []
    by_alias: list[AliasMatch] = []
    created: list[str] = []
    new_by_key: dict[str, int] = {}
    for index in used:
        name = labels[index]
        match = matches.get(label_key(name))
        if match is not None:
            class_of[index] = match.class_id
            if match.by_alias:
                by_alias.append(AliasMatch(label=name, class_name=match.class_name))
            else:
                matched.append(name)
            continue
        cleaned = clean_name(name)
        key = cleaned.casefold()
        if key not in new_by_key:
            cls = OdClass(
                name=cleaned, name_key=key, display_name="", color=palette_color(cleaned), aliases=[]
            )
            session.add(cls)
            session.flush()
            session.add(
                ClassChange(
                    class_id=cls.id,
                    class_name=cleaned,
                    action="create",
                    before=None,
                    after={"name": cleaned, "color": cls.color, "source": "import"},
                    user_id=user_id,
                )
            )
            new_by_key[key] = cls.id
            created.append(cleaned)
        class_of[index] = new_by_key[key]
    return class_of, matched, by_alias, created


def _insert_images(session: Session, units: list[Unit], user_id: int | None) -> tuple[list[int], list[str]]:
    """Image id per unit; new images inserted (a row someone else stored meanwhile is reused)."""
    now = utcnow()
    image_ids = [u.existing_id or 0 for u in units]
    fresh = [i for i, u in enumerate(units) if u.existing_id is None and u.key is not None and u.entries]
    rows = [
        {
            "storage_key": units[i].key,
            "thumbnail_key": units[i].thumbnail_key,
            "filename": units[i].filename,
            "content_hash": units[i].content_hash,
            "width": units[i].width,
            "height": units[i].height,
            "format": units[i].format,
            "size_bytes": units[i].size_bytes,
            "source": "import",
            "source_id": None,
            "folder": None,
            "created_by": user_id,
            "created_at": now,
            "updated_at": now,
        }
        for i in fresh
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        stmt = _dialect_insert(session, Image).on_conflict_do_nothing(index_elements=["content_hash"])
        session.connection().execute(stmt, rows[start : start + _INSERT_CHUNK])
    unused: list[str] = []
    for start in range(0, len(fresh), _QUERY_CHUNK):
        chunk = fresh[start : start + _QUERY_CHUNK]
        by_hash = {units[i].content_hash: i for i in chunk}
        for image_id, content_hash, storage_key in session.execute(
            select(Image.id, Image.content_hash, Image.storage_key).where(
                Image.content_hash.in_(list(by_hash))
            )
        ):
            unit = units[by_hash[content_hash]]
            image_ids[by_hash[content_hash]] = image_id
            if storage_key != unit.key:
                unused += [k for k in (unit.key, unit.thumbnail_key) if k]
    return image_ids, unused


def _insert_members(
    session: Session, dataset_id: int, units: list[Unit], image_ids: list[int], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], int, int]:
    """Membership id per unit (-1: not in the import); counts of added and already present."""
    member = np.full(len(units) + 1, -1, dtype=np.int64)
    present: dict[int, tuple[int, str | None, str]] = {}
    live = [i for i, u in enumerate(units) if u.entries]
    for start in range(0, len(live), _QUERY_CHUNK):
        ids = [image_ids[i] for i in live[start : start + _QUERY_CHUNK]]
        for member_id, image_id, split, status in session.execute(
            select(DatasetImage.id, DatasetImage.image_id, DatasetImage.split, DatasetImage.status).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(ids)
            )
        ):
            present[image_id] = (member_id, split, status)
    now = utcnow()
    new_rows = []
    updates = []
    for i in live:
        found = present.get(image_ids[i])
        n = int(counts[i])
        if found is None:
            new_rows.append(
                {
                    "dataset_id": dataset_id,
                    "image_id": image_ids[i],
                    "status": "completed" if n else "new",
                    "split": units[i].split,
                    "annotation_count": n,
                    "revision": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            member_id, split, status = found
            member[i] = member_id
            if n or (split is None and units[i].split is not None):
                updates.append(
                    {
                        "b_id": member_id,
                        "b_n": n,
                        "b_split": split or units[i].split,
                        "b_status": "completed" if (n and status == "new") else status,
                    }
                )
    for start in range(0, len(new_rows), _INSERT_CHUNK):
        session.connection().execute(
            _dialect_insert(session, DatasetImage).on_conflict_do_nothing(),
            new_rows[start : start + _INSERT_CHUNK],
        )
    if updates:
        # Core execution (not the ORM's bulk UPDATE by primary key): one executemany.
        session.connection().execute(
            update(DatasetImage)
            .where(DatasetImage.id == bindparam("b_id"))
            .values(
                annotation_count=DatasetImage.annotation_count + bindparam("b_n"),
                split=bindparam("b_split"),
                status=bindparam("b_status"),
                revision=DatasetImage.revision + 1,
            ),
            updates,
        )
    unit_of_image = {image_ids[i]: i for i in live}
    fresh_images = [image_ids[i] for i in live if image_ids[i] not in present]
    for start in range(0, len(fresh_images), _QUERY_CHUNK):
        for member_id, image_id in session.execute(
            select(DatasetImage.id, DatasetImage.image_id).where(
                DatasetImage.dataset_id == dataset_id,
                DatasetImage.image_id.in_(fresh_images[start : start + _QUERY_CHUNK]),
            )
        ):
            member[unit_of_image[image_id]] = member_id
    return member, len(fresh_images), len(present)


# What varies per annotation; the rest (dataset, source, review state, author, time) is one value
# for the whole import.
_VARYING_COLUMNS = ("dataset_image_id", "class_id", "kind", "x1", "y1", "x2", "y2", "points", "attributes")
_ALL_COLUMNS = ", ".join(
    ("dataset_id", *_VARYING_COLUMNS, "source", "review_state", "created_by", "created_at", "updated_at")
)


@dataclass(frozen=True)
class SharedValues:
    """The columns every annotation of one import has in common, and the classes it uses."""

    dataset_id: int
    user_id: int | None
    at: datetime
    class_ids: tuple[int, ...] = ()


def _skip_row_checks_on_postgresql(session: Session, shared: SharedValues) -> bool:
    """Foreign keys are checked by a trigger per row on PostgreSQL, which takes half of a
    million-row COPY. When the role may set `session_replication_role` (a superuser, or PostgreSQL 15+
    with GRANT SET ON PARAMETER), the import takes the same guarantees once per referenced row instead
    (the dataset row is already locked; its new memberships are this transaction's own; the classes
    and the user are share-locked here, so nothing they reference can be deleted before the commit)
    and turns the per-row triggers off for its COPY. Otherwise the triggers run as usual."""
    conn = session.connection()
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except DBAPIError:
        return False
    if shared.class_ids:
        session.execute(
            select(OdClass.id).where(OdClass.id.in_(shared.class_ids)).with_for_update(key_share=True)
        )
    if shared.user_id is not None:
        session.execute(select(User.id).where(User.id == shared.user_id).with_for_update(key_share=True))
    return True


def _annotation_rows(
    rows: Spill, member: npt.NDArray[np.int64], class_of: npt.NDArray[np.int64]
) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of (dataset_image_id, class_id, kind, x1, y1, x2, y2, points JSON, attributes JSON)."""
    kinds = np.array(["bbox", "polygon"], dtype=object)
    for chunk, extras in rows.chunks():
        n = len(chunk)
        points: list[str | None] = [None] * n
        attributes: list[str | None] = [None] * n
        for i in np.flatnonzero(chunk["extra"] >= 0):
            pts, attrs = extras[int(chunk["extra"][i])]
            points[i] = json.dumps(pts) if pts is not None else None
            attributes[i] = json.dumps(attrs) if attrs else None
        yield list(
            zip(
                member[chunk["unit"]].tolist(),
                class_of[chunk["label"]].tolist(),
                kinds[chunk["kind"]].tolist(),
                chunk["x1"].tolist(),
                chunk["y1"].tolist(),
                chunk["x2"].tolist(),
                chunk["y2"].tolist(),
                points,
                attributes,
                strict=True,
            )
        )


def bulk_insert_annotations(
    session: Session, batches: Iterator[list[tuple[Any, ...]]], shared: SharedValues
) -> int:
    """Rows of _VARYING_COLUMNS, without ORM objects: PostgreSQL COPY; SQLite one executemany per
    chunk with the shared values written into the statement (half the parameters to bind)."""
    conn = session.connection()
    total = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        head = (shared.dataset_id,)
        tail = ("import", "none", shared.user_id, shared.at, shared.at)
        fast = _skip_row_checks_on_postgresql(session, shared)
        with raw.cursor() as cursor, cursor.copy(f"COPY od_annotations ({_ALL_COLUMNS}) FROM STDIN") as copy:
            write = copy.write_row
            for batch in batches:
                for row in batch:
                    write(head + row + tail)
                total += len(batch)
        if fast:
            conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return total
    # The literals are integers and a timestamp formatted here (as SQLAlchemy stores it): nothing given
    # by a user reaches the statement.
    at = shared.at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    user = "NULL" if shared.user_id is None else str(int(shared.user_id))
    values = f"{int(shared.dataset_id)}, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', 'none', {user}, '{at}', '{at}'"
    sql = f"INSERT INTO od_annotations ({_ALL_COLUMNS}) VALUES ({values})"  # noqa: S608 (see above)
    # Every row was checked before (boxes ordered and inside the image, kind/source/review state
    # constants), and SQLite's evaluation of the table's CHECK constraints costs about 40% of a
    # million-row insert; so they are skipped for these statements only (foreign keys still apply).
    conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        for batch in batches:
            conn.exec_driver_sql(sql, batch)
            total += len(batch)
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    return total


def commit_import(db: Database, plan: CommitPlan) -> CommitOutcome:
    """Everything the import writes, in one transaction."""
    used = [i for i in range(len(plan.labels)) if i < len(plan.label_counts) and plan.label_counts[i] > 0]
    with db.writer() as session:
        try:
            _check_guard(session, plan.guard)
            created = plan.dataset_id is None
            if plan.dataset_id is None:
                dataset = Dataset(
                    name=plan.dataset_name,
                    description=plan.description,
                    annotation_type="polygon" if plan.any_polygon else "bbox",
                    created_by=plan.user_id,
                )
                session.add(dataset)
                session.flush()
            else:
                query = select(Dataset).where(Dataset.id == plan.dataset_id)
                if session.get_bind().dialect.name == "postgresql":
                    query = query.with_for_update()
                found = session.scalars(query).one_or_none()
                if found is None:
                    raise NotFound(
                        f"There is no dataset with id {plan.dataset_id}.", dataset_id=plan.dataset_id
                    )
                dataset = found
            class_of, matched, by_alias, created_classes = _ensure_classes(
                session, plan.labels, used, plan.user_id
            )
            image_ids, unused = _insert_images(session, plan.units, plan.user_id)
            member, added, already = _insert_members(
                session, dataset.id, plan.units, image_ids, plan.unit_counts
            )
            used_classes = tuple(sorted({int(c) for c in class_of if c >= 0}))
            shared = SharedValues(dataset.id, plan.user_id, utcnow(), used_classes)
            imported = bulk_insert_annotations(session, _annotation_rows(plan.rows, member, class_of), shared)
            splits: dict[str, int] = {}
            for split, n in session.execute(
                select(DatasetImage.split, func.count())
                .where(DatasetImage.dataset_id == dataset.id)
                .group_by(DatasetImage.split)
            ):
                splits[split or "none"] = int(n)
            outcome = CommitOutcome(
                dataset.id, dataset.name, created, matched, by_alias, created_classes,
                added, already, imported, unused, splits,
            )  # fmt: skip
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return outcome


# ---- the whole import -------------------------------------------------------------------------------


@dataclass
class ImportContext:
    settings: Settings
    db: Database
    storage: Storage
    reporter: Reporter
    user_id: int | None = None
    guard: JobGuard | None = None
    # Names the staged files' manifests (the job id); a random token when not run as a job.
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _issues_out(log: IssueLog) -> list[IssueOut]:
    return [IssueOut(**issue.as_dict()) for issue in log.listed]


def scratch_root(settings: Settings) -> Path:
    return settings.data_dir / "tmp" / "imports"


def run_import(ic: ImportContext, payload: ImportPayload) -> ImportReport:
    """The whole import. Raises ImportRejected (with the report) when nothing may be written;
    whatever fails, no rows and no stored files of this import remain."""
    started = time.monotonic()
    sweep_abandoned_imports(ic.db, ic.storage, [IMPORT_KIND], scratch_root(ic.settings))
    scratch = scratch_root(ic.settings) / ic.token
    scratch.mkdir(parents=True, exist_ok=True)
    staging = Staging(ic.storage, ic.token)
    staging.reserve([])
    log = IssueLog()
    report = ImportReport(outcome="rejected", format=payload.format, source="", on_invalid=payload.on_invalid)
    source: Source | None = None
    doc: Document | None = None
    checked: CheckResult | None = None
    try:
        if payload.dataset_id is not None:
            with ic.db.read() as session:
                if session.get(Dataset, payload.dataset_id) is None:
                    raise NotFound(
                        f"There is no dataset with id {payload.dataset_id}.", dataset_id=payload.dataset_id
                    )
        ic.reporter.progress(0.0, "opening the source")
        source, source_name = _open_source(ic.settings, ic.storage, payload, scratch)
        report.source = source_name
        doc = read_document(payload.format, source, scratch, ic.reporter.progress)
        log.extend(doc.issues)
        report.dropped = dict(doc.dropped)
        ic.reporter.check_cancelled()
        _reject_if_invalid(log, payload.on_invalid, report, "reading the annotation files")
        ingest = ImageIngest(ic.db, ic.storage, ic.settings, staging, ic.reporter)
        entry_unit = ingest.run(source, doc.entries, log)
        report.images.listed = len(doc.entries)
        report.images.stored, report.images.reused, report.images.merged = (
            ingest.stored,
            ingest.reused,
            ingest.merged,
        )
        report.images.skipped = int(np.count_nonzero(entry_unit < 0))
        ic.reporter.progress(0.8, "checking boxes against their images")
        checked = _check_shapes(ic, payload, doc, ingest.units, entry_unit, log, scratch)
        report.annotations.read = checked.read
        report.annotations.skipped = checked.skipped
        report.annotations.duplicates = checked.duplicates
        report.annotations.clipped = checked.clipped
        report.annotations.rescaled = checked.rescaled
        _add_summary_warnings(log, checked, doc)
        report.classes.unused = [
            doc.labels[i]
            for i in range(len(doc.labels))
            if i >= len(checked.label_counts) or not checked.label_counts[i]
        ]
        _reject_if_invalid(log, payload.on_invalid, report, "checking the annotations")
        if not any(u.entries for u in ingest.units):
            raise _rejection("Nothing to import: no image of the source could be stored.", log, report)
        ic.reporter.check_cancelled()
        ic.reporter.progress(0.9, "writing to the database")
        name = payload.dataset_name or _default_dataset_name(report.source, payload.format)
        outcome = commit_import(
            ic.db,
            CommitPlan(
                payload.dataset_id, name, f"Imported from {report.source} ({payload.format.upper()}).",
                ingest.units, checked.unit_counts, doc.labels, checked.label_counts, checked.rows,
                checked.any_polygon, ic.user_id, ic.guard,
            ),
        )  # fmt: skip
    except BaseException:
        staging.discard()
        _close(source, doc, checked, scratch)
        if payload.upload_key:
            ic.storage.delete(payload.upload_key)
        raise
    staging.release(outcome.unused_keys)
    _close(source, doc, checked, scratch)
    if payload.upload_key:
        ic.storage.delete(payload.upload_key)
    report.outcome = "imported"
    report.dataset_id, report.dataset_name, report.dataset_created = (
        outcome.dataset_id, outcome.dataset_name, outcome.created,
    )  # fmt: skip
    report.images.added_to_dataset, report.images.already_in_dataset = outcome.added, outcome.already
    report.annotations.imported = outcome.imported
    report.classes.matched, report.classes.matched_by_alias = outcome.matched, outcome.matched_by_alias
    report.classes.created = outcome.created_classes
    report.splits = outcome.splits
    report.issue_counts = dict(log.counts)
    report.issues = _issues_out(log)
    report.issues_truncated = log.truncated
    report.seconds = round(time.monotonic() - started, 3)
    ic.reporter.progress(1.0, "imported")
    return report


def _close(source: Source | None, doc: Document | None, checked: CheckResult | None, scratch: Path) -> None:
    if source is not None:
        source.close()
    if doc is not None:
        doc.shapes.close()
    if checked is not None:
        checked.rows.close()
    shutil.rmtree(scratch, ignore_errors=True)


def _rejection(detail: str, log: IssueLog, report: ImportReport) -> ImportRejected:
    report.issue_counts = dict(log.counts)
    report.issues = _issues_out(log)
    report.issues_truncated = log.truncated
    first = next((i for i in log.listed if i.severity == "invalid"), None)
    extra = {k: v for k, v in (first.as_dict() if first else {}).items() if k in ("file", "line", "field")}
    return ImportRejected(detail, report, invalid=log.invalid, **extra)


def _reject_if_invalid(log: IssueLog, on_invalid: OnInvalid, report: ImportReport, stage: str) -> None:
    if on_invalid != "fail" or not log.invalid:
        return
    first = next(i for i in log.listed if i.severity == "invalid")
    more = f" and {log.invalid - 1} more" if log.invalid > 1 else ""
    raise _rejection(
        f"The import was rejected while {stage}: {first.message}{more} (on_invalid is 'fail'; nothing was "
        "imported; send on_invalid 'skip' to import the valid entries).",
        log,
        report,
    )


def _check_shapes(
    ic: ImportContext, payload: ImportPayload, doc: Document, units: list[Unit],
    entry_unit: npt.NDArray[np.int32], log: IssueLog, scratch: Path,
) -> CheckResult:  # fmt: skip
    label_ok = np.array([_valid_label(n) for n in doc.labels] + [False], dtype=np.bool_)
    label_class = np.array([-(i + 1) for i in range(len(doc.labels))] + [0], dtype=np.int64)
    existing_shapes: dict[int, set[tuple[int, float, float, float, float]]] = {}
    with ic.db.read() as session:
        valid_names = [n for n, ok in zip(doc.labels, label_ok, strict=False) if ok]
        matches = match_labels(session, valid_names)
        for i, name in enumerate(doc.labels):
            match = matches.get(label_key(name)) if label_ok[i] else None
            if match is not None:
                label_class[i] = match.class_id
        if payload.dataset_id is not None:
            existing_shapes = _existing_shapes(session, payload.dataset_id, units)
    for u in existing_shapes:
        units[u].dedupe = True
    checker = _Checker(doc, units, entry_unit, label_ok, label_class, existing_shapes, log)
    return checker.check(scratch)


def _existing_shapes(
    session: Session, dataset_id: int, units: list[Unit]
) -> dict[int, set[tuple[int, float, float, float, float]]]:
    """Boxes the dataset's images already have, for images this import adds to it again."""
    by_image = {u.existing_id: i for i, u in enumerate(units) if u.existing_id is not None}
    out: dict[int, set[tuple[int, float, float, float, float]]] = {}
    ids = list(by_image)
    for start in range(0, len(ids), _QUERY_CHUNK):
        rows = session.execute(
            select(
                DatasetImage.image_id,
                Annotation.class_id,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
            )
            .join(Annotation, Annotation.dataset_image_id == DatasetImage.id)
            .where(
                DatasetImage.dataset_id == dataset_id,
                DatasetImage.image_id.in_(ids[start : start + _QUERY_CHUNK]),
            )
        )
        for image_id, class_id, x1, y1, x2, y2 in rows:
            out.setdefault(by_image[image_id], set()).add(
                (class_id, round(x1, 6), round(y1, 6), round(x2, 6), round(y2, 6))
            )
        members = session.execute(
            select(DatasetImage.image_id).where(
                DatasetImage.dataset_id == dataset_id,
                DatasetImage.image_id.in_(ids[start : start + _QUERY_CHUNK]),
            )
        )
        for (image_id,) in members:
            out.setdefault(by_image[image_id], set())
    return out


def _add_summary_warnings(log: IssueLog, checked: CheckResult, doc: Document) -> None:
    if checked.clipped:
        log.add(
            Issue(
                "clipped",
                f"{checked.clipped} boxes reached up to {EDGE_TOLERANCE_PX:g} px past the image edge "
                "and were clipped to it.",
                severity="warning",
            )
        )
    if checked.rescaled:
        log.add(
            Issue(
                "rescaled",
                f"{checked.rescaled} boxes were given for an image size that differs from the image file; "
                "they were scaled to the file's size.",
                severity="warning",
            )
        )
    if checked.duplicates:
        log.add(
            Issue(
                "duplicate_annotation",
                f"{checked.duplicates} annotations repeat a box of the same class that the image already has "
                "(listed twice, or imported before); they were not added again.",
                severity="warning",
            )
        )
    for what, count in sorted(doc.dropped.items()):
        log.add(Issue("dropped", f"{count} annotations had {what}, which were not kept.", severity="warning"))


# ---- starting an import (what the router calls) ----------------------------------------------------


def http_error(exc: FormatError) -> ValidationFailed:
    """A FormatError in a request (an unsafe or broken archive) as the API's error shape."""
    return ValidationFailed(exc.message, kind=exc.kind, **exc.facts())


def accept_upload(settings: Settings, storage: Storage, stream: BinaryIO, filename: str) -> str:
    """Check an uploaded dataset archive (names, links, bomb limits: the central directory only) and
    store it for the import job; returns its storage key. Nothing is stored when the check fails."""
    try:
        with zipfile.ZipFile(stream) as archive:
            check_archive(archive, zip_limits(settings), filename)
    except zipfile.BadZipFile as exc:
        raise UnsupportedMedia(f"{filename} is not a zip archive ({exc}).", file=filename) from None
    except FormatError as exc:
        raise http_error(exc) from None
    stream.seek(0)
    key = new_key("uploads", ".zip")
    storage.put_stream(key, stream, "application/zip")
    return key


def start_import(
    session: Session, runner: JobRunner, settings: Settings, payload: ImportPayload, user_id: int | None
) -> Job:
    """Check what can be checked now (folder under an import root, dataset exists) and queue the job."""
    if payload.path is not None:
        payload = payload.model_copy(update={"path": str(resolve_import_folder(settings, payload.path))})
    if payload.dataset_id is not None and session.get(Dataset, payload.dataset_id) is None:
        raise NotFound(f"There is no dataset with id {payload.dataset_id}.", dataset_id=payload.dataset_id)
    return submit_job(session, runner, IMPORT_KIND, payload.model_dump(mode="json"), user_id)
