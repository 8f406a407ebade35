"""Ingesting image files into the library: hashed while read, decoded, stored with a thumbnail, and
a row added; uploads, URL imports (url_import.py), sync and server folders all come through here."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, PayloadTooLarge, ShelfscopeError

# find_by_hash is looked up through the module: a test stands in for it to stage an upload race.
from shelfscope.od.images import service
from shelfscope.od.images.decode import CONTENT_TYPES, FORMATS, ImageFacts, decode_image, display_name
from shelfscope.od.images.models import Image, ImageTag
from shelfscope.od.images.schemas import BatchResult, ItemResult
from shelfscope.od.images.service import image_out
from shelfscope.storage import Storage, new_key

log = logging.getLogger("shelfscope.images")

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class IngestResult:
    image: Image
    status: Literal["stored", "duplicate"]


def _seekable_at_start(stream: BinaryIO) -> bool:
    try:
        return stream.seekable() and stream.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


@contextmanager
def spooled(stream: BinaryIO, max_bytes: int, name: str) -> Iterator[tuple[BinaryIO, str, int]]:
    """(file at offset 0, sha256, size) with the size limit enforced while reading.

    A seekable stream (an upload Starlette already spooled to disk, a fetched body) is hashed in place;
    anything else is copied to a temporary file first. Memory stays flat either way.
    """
    digest = hashlib.sha256()
    size = 0
    in_place = _seekable_at_start(stream)
    target: BinaryIO = stream if in_place else tempfile.TemporaryFile()  # noqa: SIM115
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(
                    f"{name} is larger than the {max_bytes / (1024 * 1024):g} MiB upload limit.",
                    file=name,
                    limit_bytes=max_bytes,
                )
            digest.update(chunk)
            if not in_place:
                target.write(chunk)
        target.seek(0)
        yield target, digest.hexdigest(), size
    finally:
        if not in_place:
            target.close()


@dataclass(frozen=True)
class StoredFile:
    """An image's bytes and thumbnail written to storage, no row yet."""

    facts: ImageFacts
    key: str
    thumbnail_key: str

    def discard(self, storage: Storage) -> None:
        for key in (self.key, self.thumbnail_key):
            try:
                storage.delete(key)
            except Exception:  # cleanup after a failure must not hide that failure
                log.exception("could not remove stored object %s after a failed ingest", key)


def store_file(
    storage: Storage,
    settings: Settings,
    file: BinaryIO,
    name: str,
    digest: str,
    size: int,
    *,
    area: str = "images",
    thumbnail_area: str = "thumbnails",
) -> StoredFile:
    """Decode the spooled file (format, pixel and memory limits, whole bytes), then write its original
    bytes and its JPEG thumbnail under fresh keys in `area` and `thumbnail_area`. Product recognition's
    gallery stores its images through here too. Nothing is left in storage when it raises."""
    facts, thumbnail = decode_image(
        file,
        name,
        size,
        digest,
        settings.max_image_pixels,
        settings.thumbnail_size,
        memory_limit_bytes=settings.decode_memory_bytes,
    )
    assert thumbnail is not None
    stored = StoredFile(facts, new_key(area, FORMATS[facts.format]), new_key(thumbnail_area, ".jpg"))
    try:
        file.seek(0)
        # The original bytes, untouched: EXIF orientation is applied to the facts and thumbnail only.
        storage.put_stream(stored.key, file, CONTENT_TYPES[facts.format])
        storage.put_bytes(stored.thumbnail_key, thumbnail, "image/jpeg")
    except BaseException:
        stored.discard(storage)
        raise
    return stored


@dataclass(frozen=True)
class _Origin:
    """Where a new image comes from and where it goes in the library."""

    source: str
    source_id: str | None
    folder: str | None
    tags: Sequence[str]
    user_id: int | None


def _add_row(session: Session, stored: StoredFile, name: str, origin: _Origin) -> Image:
    image = Image(
        storage_key=stored.key,
        thumbnail_key=stored.thumbnail_key,
        filename=name,
        content_hash=stored.facts.content_hash,
        width=stored.facts.width,
        height=stored.facts.height,
        format=stored.facts.format,
        size_bytes=stored.facts.size_bytes,
        source=origin.source,
        source_id=origin.source_id,
        folder=origin.folder,
        created_by=origin.user_id,
    )
    session.add(image)
    session.flush()
    if origin.tags:
        rows = [{"image_id": image.id, "tag": t} for t in dict.fromkeys(origin.tags)]
        session.execute(insert(ImageTag), rows)
    return image


def ingest_stream(
    session: Session,
    storage: Storage,
    settings: Settings,
    stream: BinaryIO,
    filename: str,
    *,
    source: str = "upload",
    source_id: str | None = None,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> IngestResult:
    """Store one image inside the caller's transaction (for imports that are all-or-nothing): duplicate
    bytes return the existing row. The caller commits; stored objects are removed again if the flush
    fails, and the caller removes them (`image.storage_key`, `image.thumbnail_key`) if it rolls back."""
    name = display_name(filename)
    with spooled(stream, settings.max_upload_bytes, name) as (file, digest, size):
        existing = service.find_by_hash(session, digest)
        if existing is not None:
            return IngestResult(existing, "duplicate")
        stored = store_file(storage, settings, file, name, digest, size)
    try:
        image = _add_row(session, stored, name, _Origin(source, source_id, folder, tags, user_id))
    except BaseException:
        stored.discard(storage)
        raise
    return IngestResult(image, "stored")


def ingest_file(
    session: Session,
    storage: Storage,
    settings: Settings,
    stream: BinaryIO,
    filename: str,
    *,
    source: str = "upload",
    source_id: str | None = None,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> IngestResult:
    """Store one image in its own transaction, committed before returning; nothing is left behind
    when it fails. Call it with nothing pending in the session (it commits).

    No transaction is open while the file is hashed, decoded and stored, so on SQLite the write lock is
    held only for the insert, and other uploads and edits proceed meanwhile. Two uploads of the same
    bytes racing each other end with one stored and one duplicate.
    """
    name = display_name(filename)
    with spooled(stream, settings.max_upload_bytes, name) as (file, digest, size):
        existing = service.find_by_hash(session, digest)
        session.commit()
        if existing is not None:
            return IngestResult(existing, "duplicate")
        stored = store_file(storage, settings, file, name, digest, size)
    try:
        image = _add_row(session, stored, name, _Origin(source, source_id, folder, tags, user_id))
        session.commit()
    except IntegrityError:
        session.rollback()
        stored.discard(storage)
        existing = service.find_by_hash(session, digest)
        session.commit()
        if existing is not None:
            return IngestResult(existing, "duplicate")
        raise Conflict(
            f"{name}: an image with {source} id {source_id} is already in the library.",
            file=name,
            source=source,
            source_id=source_id,
        ) from None
    except BaseException:
        session.rollback()
        stored.discard(storage)
        raise
    return IngestResult(image, "stored")


def rejection(name: str, exc: Exception) -> dict[str, Any]:
    """The error shape of one rejected file of a batch (a server error is logged, not shown)."""
    if isinstance(exc, ShelfscopeError):
        body = exc.to_body()
    else:
        log.exception("storing %s failed", name)
        body = {
            "error": "Internal",
            "detail": f"{name} could not be stored because of a server error; it is logged.",
        }
    body.setdefault("file", name)
    return body


def batch_result(results: list[ItemResult]) -> BatchResult:
    """Per-file results with their counts."""
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for r in results:
        counts[r.status] += 1
    return BatchResult(results=results, **counts)


def ingest_batch(
    session: Session,
    storage: Storage,
    settings: Settings,
    files: Iterable[tuple[str, BinaryIO]],
    *,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> BatchResult:
    """Upload many files; each commits on its own, so one bad file never rejects the others."""
    session.commit()  # end whatever read the request began (SQLite: release the write lock)
    results: list[ItemResult] = []
    for filename, stream in files:
        name = display_name(filename)
        try:
            result = ingest_file(
                session, storage, settings, stream, name, folder=folder, tags=tags, user_id=user_id
            )
        except Exception as exc:
            session.rollback()
            results.append(
                ItemResult(filename=name, status="rejected", image=None, error=rejection(name, exc))
            )
            continue
        results.append(
            ItemResult(
                filename=name, status=result.status, image=image_out(session, result.image), error=None
            )
        )
        session.commit()
    return batch_result(results)


def ingest_folder(
    session: Session, storage: Storage, settings: Settings, folder: Path, user_id: int | None = None
) -> dict[str, int]:
    """Ingest every image file under a server folder (a command-line convenience), committing per file."""
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}:
            continue
        try:
            with path.open("rb") as f:
                result = ingest_file(
                    session, storage, settings, f, path.name, source="import", user_id=user_id
                )
            counts[result.status] += 1
        except ShelfscopeError as exc:
            session.rollback()
            log.warning("skipped %s: %s", path, exc.detail)
            counts["rejected"] += 1
    return counts
