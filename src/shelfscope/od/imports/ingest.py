"""Phase 2 of an import: the images. Every file is read once and hashed; bytes the library has are
reused, new ones are decoded (proving they are whole images) and stored, each storage key listed in
the write-ahead manifest first (od.images.staging). Thumbnails are left to a job queued with the
commit (od.images.thumbnails). Entries with the same bytes become one image (a `Unit`), their
annotations merged.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import ShelfscopeError
from shelfscope.jobs.reporting import Reporter
from shelfscope.od.images.decode import CONTENT_TYPES, FORMATS, decode_image, display_name
from shelfscope.od.images.models import Image
from shelfscope.od.images.staging import Staging
from shelfscope.od.imports.issues import IssueLog, entry_issue
from shelfscope.od.imports.readers import Entry
from shelfscope.od.io.common import FormatError, Issue
from shelfscope.od.io.source import Source
from shelfscope.od.vocabulary import Split
from shelfscope.storage import Storage, new_key

_QUERY_CHUNK = 500
_BATCH_FILES = 256
_BATCH_BYTES = 64 * 1024 * 1024
_T = TypeVar("_T")
_R = TypeVar("_R")


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
    format: str = ""
    size_bytes: int = 0
    entries: int = 0
    # The image needs its shapes compared with others (listed twice, or already in the dataset).
    dedupe: bool = False
    # Several files of the import are this image (same bytes): their labellings are merged, near-
    # duplicate boxes (same class, IoU >= NEAR_DUPLICATE_IOU) once.
    merged: bool = False


@dataclass
class _Read:
    path: str
    data: bytes | None = None
    content_hash: str = ""
    error: Issue | None = None


# ---- one file -----------------------------------------------------------------------------------------


def _read(source: Source, path: str, limit: int) -> _Read:
    """The file's bytes and hash, or why it could not be read."""
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


def _check(settings: Settings, item: _Read, unit: Unit) -> Issue | None:
    """Decode the new image (proves it is a whole image) and take its size and format."""
    assert item.data is not None
    try:
        facts, _ = decode_image(
            io.BytesIO(item.data),
            display_name(item.path),
            len(item.data),
            item.content_hash,
            settings.max_image_pixels,
            None,
            memory_limit_bytes=settings.decode_memory_bytes,
        )
    except ShelfscopeError as exc:
        return Issue("not_an_image", exc.detail, item.path)
    except Exception as exc:  # Pillow raises many types for broken files
        return Issue("not_an_image", f"{item.path} could not be decoded ({exc}).", item.path)
    unit.width, unit.height, unit.format = facts.width, facts.height, facts.format
    return None


class _Writer:
    """Stores new images' bytes on threads of their own while the next batch is read, hashed and
    decoded (writing a file is system calls that release the GIL). One batch is written while the
    next is prepared, no more, so memory stays at two batches. A failed write is raised by the next
    `write` or by `finish`; `close` returns only once nothing is being written any more, so the files
    an import removes after a failure are never written after their removal."""

    def __init__(self, storage: Storage, threads: int) -> None:
        self.storage = storage
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="import-writes")
        self._pending: list[Future[None]] = []

    def write(self, files: list[tuple[str, bytes, str]]) -> None:
        """Store (key, bytes, content type) of one batch, once the batch before it is stored."""
        self.finish()
        put = self.storage.put_fresh
        self._pending = [self._threads.submit(put, key, data, kind) for key, data, kind in files]

    def finish(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._threads.shutdown(wait=True)


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


# ---- many files ---------------------------------------------------------------------------------------


def _library_images(db: Database, hashes: list[str]) -> dict[str, tuple[int, int, int]]:
    """content hash -> (image id, width, height) of the images the library has already."""
    found: dict[str, tuple[int, int, int]] = {}
    with db.read() as session:
        for start in range(0, len(hashes), _QUERY_CHUNK):
            rows = session.execute(
                select(Image.content_hash, Image.id, Image.width, Image.height).where(
                    Image.content_hash.in_(hashes[start : start + _QUERY_CHUNK])
                )
            )
            for content_hash, image_id, width, height in rows:
                found[content_hash] = (image_id, width, height)
    return found


def _entries_by_path(entries: list[Entry], issues: IssueLog) -> dict[str, list[int]]:
    """Entry indices per source path; an entry whose image was not found is reported missing."""
    by_path: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry.path is None:
            looked = f" (looked for {', '.join(entry.looked_in)})" if entry.looked_in else ""
            where = f"{entry.file}: " if entry.file else ""
            message = f"{where}image '{entry.name}' was not found{looked}."
            issues.add(entry_issue(entry, "missing_image", message))
            continue
        by_path.setdefault(entry.path, []).append(index)
    return by_path


def _batches(source: Source, paths: list[str]) -> Iterator[list[str]]:
    """Paths in batches of at most _BATCH_FILES files or about _BATCH_BYTES bytes."""
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


def _workers(storage: Storage) -> int:
    # Local files: one thread. Reading, decoding and writing small files is mostly short syscalls and
    # GIL-holding Pillow work, and threads contending for the GIL made it ~2x slower than serial. Remote
    # storage (S3) waits on the network, where threads pay off.
    local = getattr(storage, "backend", "") == "local"
    return 1 if local else max(1, min(4, os.cpu_count() or 1))


# ---- the units ----------------------------------------------------------------------------------------


class Units:
    """The distinct images (by content) of the import, and which entries each one stands for."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.by_hash: dict[str, int] = {}
        self.reused = 0
        self.merged = 0

    def unit_for(
        self, item: _Read, first: Entry, existing: dict[str, tuple[int, int, int]]
    ) -> tuple[int, bool]:
        """(unit index, whether its bytes must be stored): a unit seen earlier in the import, one the
        library has, or a new one."""
        unit_index = self.by_hash.get(item.content_hash)
        if unit_index is not None:
            self.units[unit_index].dedupe = True
            return unit_index, False
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
            return unit_index, False
        # The key's extension is guessed from the bytes (Pillow confirms the format when storing).
        unit.key = new_key("images", _extension_guess(item.data or b""))
        return unit_index, True

    def attach(
        self,
        unit_index: int,
        indices: list[int],
        entries: list[Entry],
        entry_unit: npt.NDArray[np.int32],
        issues: IssueLog,
    ) -> None:
        """These entries are the unit: merged with the entries before them (a warning names both)."""
        unit = self.units[unit_index]
        for index in indices:
            entry = entries[index]
            if unit.entries:
                self.merged += 1
                unit.dedupe = True
                if entry.path != unit.path:
                    unit.merged = True
                    message = (
                        f"{entry.path} has the same bytes as {unit.path}: they are one image, and their "
                        "annotations were merged (identical and overlapping boxes of a class once)."
                    )
                    issues.add(entry_issue(entry, "duplicate_image", message, "warning"))
                if entry.split is not None and entry.split != unit.split:
                    kept = unit.split or "no split"
                    message = f"{entry.path} is listed in {entry.split} and in {kept}; it stays in {kept}."
                    issues.add(entry_issue(entry, "split_conflict", message, "warning"))
            unit.entries += 1
            entry_unit[index] = unit_index

    def forget(self, unit: Unit, entry_unit: npt.NDArray[np.int32]) -> None:
        """The unit's bytes could not be stored: its entries have no image."""
        unit.key = None
        unit.entries = 0
        unit_index = self.by_hash.pop(unit.content_hash)
        entry_unit[entry_unit == unit_index] = -1


# ---- the phase ----------------------------------------------------------------------------------------


class ImageIngest:
    def __init__(
        self, db: Database, storage: Storage, settings: Settings, staging: Staging, reporter: Reporter
    ) -> None:
        self.db = db
        self.storage = storage
        self.settings = settings
        self.staging = staging
        self.reporter = reporter
        self.found = Units()
        self.stored = 0

    @property
    def units(self) -> list[Unit]:
        return self.found.units

    def run(self, source: Source, entries: list[Entry], issues: IssueLog) -> npt.NDArray[np.int32]:
        """Entry index → unit index (-1: the entry's image is missing or not an image)."""
        entry_unit = np.full(len(entries), -1, dtype=np.int32)
        by_path = _entries_by_path(entries, issues)
        paths = list(by_path)
        done = 0
        writer = _Writer(self.storage, _workers(self.storage))
        try:
            with _Pool(_workers(self.storage)) as pool:
                for batch in _batches(source, paths):
                    self.reporter.check_cancelled()
                    reads = list(pool.map(lambda p: _read(source, p, self.settings.max_upload_bytes), batch))
                    existing = _library_images(self.db, [r.content_hash for r in reads if r.error is None])
                    to_store: list[tuple[_Read, Unit]] = []
                    for item in reads:
                        first = entries[by_path[item.path][0]]
                        if item.error is not None:
                            issues.add(entry_issue(first, item.error.kind, item.error.message))
                            continue
                        unit_index, new = self.found.unit_for(item, first, existing)
                        if new:
                            to_store.append((item, self.units[unit_index]))
                        self.found.attach(unit_index, by_path[item.path], entries, entry_unit, issues)
                    self._store_batch(pool, writer, to_store, by_path, entries, entry_unit, issues)
                    done += len(batch)
                    fraction = 0.3 + 0.5 * done / max(len(paths), 1)
                    self.reporter.progress(fraction, f"stored {done} of {len(paths)} images")
            writer.finish()
        finally:
            writer.close()
        return entry_unit

    def _store_batch(
        self,
        pool: _Pool,
        writer: _Writer,
        to_store: list[tuple[_Read, Unit]],
        by_path: dict[str, list[int]],
        entries: list[Entry],
        entry_unit: npt.NDArray[np.int32],
        issues: IssueLog,
    ) -> None:
        """Decode the batch's new images here and hand the whole ones to the writer, their keys listed
        in the manifest first."""
        if not to_store:
            return
        results = list(pool.map(lambda pair: _check(self.settings, *pair), to_store))
        files: list[tuple[str, bytes, str]] = []
        for (item, unit), problem in zip(to_store, results, strict=True):
            if problem is None:
                assert unit.key is not None and item.data is not None
                files.append((unit.key, item.data, CONTENT_TYPES[unit.format]))
                self.stored += 1
                continue
            issues.add(entry_issue(entries[by_path[item.path][0]], problem.kind, problem.message))
            self.found.forget(unit, entry_unit)
        if files:
            self.staging.reserve([key for key, _, _ in files])
            writer.write(files)
