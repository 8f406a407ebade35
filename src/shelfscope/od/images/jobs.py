"""Image library jobs: `storage.verify` proves every stored image is present and intact; `images.sync`
pulls new images from the configured image source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, CursorResult, func, select, update

from shelfscope.ids import Id
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import SyncIn
from shelfscope.od.images.service import render_thumbnail
from shelfscope.od.images.sync import SYNC_KIND, run_sync
from shelfscope.storage import Storage, new_key
from shelfscope.storage.base import ObjectMissing

VERIFY_KIND = "storage.verify"
_BATCH = 200


class VerifyPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild_thumbnails: bool = True
    # Re-render every thumbnail, not only missing ones (after changing SHELFSCOPE_THUMBNAIL_SIZE).
    regenerate_thumbnails: bool = False
    # None: every image in the library.
    image_ids: list[Id] | None = Field(default=None, max_length=100_000)


@dataclass
class VerifyCounts:
    checked: int = 0
    ok: int = 0
    missing: int = 0
    hash_mismatch: int = 0
    thumbnails_rebuilt: int = 0


@dataclass(frozen=True)
class _Row:
    id: int
    storage_key: str
    thumbnail_key: str | None
    content_hash: str


def _read(ctx: JobContext, where: ColumnElement[bool]) -> list[_Row]:
    # A short read session per batch: no transaction stays open while objects are hashed.
    with ctx.db.read() as session:
        rows = session.execute(
            select(Image.id, Image.storage_key, Image.thumbnail_key, Image.content_hash)
            .where(where)
            .order_by(Image.id)
            .limit(_BATCH)
        ).all()
    return [_Row(r.id, r.storage_key, r.thumbnail_key, r.content_hash) for r in rows]


def _batches(ctx: JobContext, image_ids: Sequence[int] | None) -> Iterator[list[_Row]]:
    """Images in id order, in batches (keyset over the whole library, or chunks of the sorted ids)."""
    if image_ids is None:
        last_id = 0
        while batch := _read(ctx, Image.id > last_id):
            yield batch
            last_id = batch[-1].id
        return
    for start in range(0, len(image_ids), _BATCH):
        if batch := _read(ctx, Image.id.in_(image_ids[start : start + _BATCH])):
            yield batch


def _count(ctx: JobContext, image_ids: Sequence[int] | None) -> int:
    if image_ids is not None:
        return len(image_ids)
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Image)) or 0)


def _stored_hash(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in storage.iter_range(key):
        digest.update(chunk)
    return digest.hexdigest()


def _rebuild_thumbnail(ctx: JobContext, row: _Row, regenerate: bool) -> bool:
    if not regenerate and row.thumbnail_key is not None and ctx.storage.exists(row.thumbnail_key):
        return False
    with ctx.storage.open(row.storage_key) as source:
        try:
            thumbnail = render_thumbnail(source, ctx.settings.thumbnail_size)
        except Exception as exc:
            ctx.log(f"image {row.id} ({row.storage_key}): no thumbnail could be rendered: {exc}", "error")
            return False
    key = row.thumbnail_key or new_key("thumbnails", ".jpg")
    ctx.storage.put_bytes(key, thumbnail, "image/jpeg")
    if row.thumbnail_key is None:
        unlinked = (Image.id == row.id) & Image.thumbnail_key.is_(None)
        link = update(Image).where(unlinked).values(thumbnail_key=key)
        with ctx.db.write() as session:
            linked = cast(CursorResult[Any], session.execute(link)).rowcount
        if not linked:
            ctx.storage.delete(key)  # someone else gave it a thumbnail meanwhile
            return False
    if not regenerate:
        ctx.log(f"image {row.id}: rebuilt its missing thumbnail {key}")
    return True


def _verify_one(ctx: JobContext, row: _Row, rebuild: bool, regenerate: bool, counts: VerifyCounts) -> None:
    counts.checked += 1
    try:
        actual = _stored_hash(ctx.storage, row.storage_key)
    except ObjectMissing:
        counts.missing += 1
        ctx.log(f"image {row.id}: stored object {row.storage_key} is missing", "error")
        return
    if actual != row.content_hash:
        counts.hash_mismatch += 1
        ctx.log(
            f"image {row.id}: stored object {row.storage_key} has sha256 {actual}, "
            f"expected {row.content_hash}",
            "error",
        )
        return
    counts.ok += 1
    if (rebuild or regenerate) and _rebuild_thumbnail(ctx, row, regenerate):
        counts.thumbnails_rebuilt += 1


@job_handler(VERIFY_KIND, payload=VerifyPayload, resumable=False)
def verify_storage(ctx: JobContext, payload: VerifyPayload) -> dict[str, Any]:
    """Re-hash every image's stored bytes, report missing and altered objects, restore thumbnails."""
    image_ids = sorted(set(payload.image_ids)) if payload.image_ids is not None else None
    total = _count(ctx, image_ids)
    counts = VerifyCounts()
    ctx.progress(0.0, f"checking {total} images")
    for batch in _batches(ctx, image_ids):
        for row in batch:
            ctx.check_cancelled()
            _verify_one(ctx, row, payload.rebuild_thumbnails, payload.regenerate_thumbnails, counts)
            ctx.progress(counts.checked / max(total, 1), f"checked {counts.checked} of {total} images")
    ctx.progress(1.0, f"checked {counts.checked} images")
    if image_ids is not None and counts.checked < len(image_ids):
        ctx.log(f"{len(image_ids) - counts.checked} of the requested image ids do not exist", "warning")
    ctx.log(
        f"checked {counts.checked}: {counts.ok} ok, {counts.missing} missing, "
        f"{counts.hash_mismatch} altered, {counts.thumbnails_rebuilt} thumbnails rebuilt"
    )
    return asdict(counts)


# Resumable: a rerun after a lost worker skips every image the first run stored (by source id).
@job_handler(SYNC_KIND, payload=SyncIn, resumable=True)
def sync_images(ctx: JobContext, payload: SyncIn) -> dict[str, Any]:
    """Pull new images from the sync source (docs/sync-connector.md) into the library."""
    return run_sync(ctx, payload).model_dump()
