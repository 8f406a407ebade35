"""Verifying the library's stored bytes: every image re-hashed, missing and altered objects reported by
id, missing thumbnails rendered again (all of them, after the thumbnail size changed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, func, select, update

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.reporting import Reporter
from shelfscope.od.images.decode import render_thumbnail
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import VerifyPayload
from shelfscope.storage import Storage, new_key
from shelfscope.storage.base import ObjectMissing

_BATCH = 200


@dataclass(frozen=True)
class _Env:
    db: Database
    storage: Storage
    thumbnail_size: int
    decode_memory_bytes: int
    reporter: Reporter


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


def _read(env: _Env, where: ColumnElement[bool]) -> list[_Row]:
    # A short read session per batch: no transaction stays open while objects are hashed.
    with env.db.read() as session:
        rows = session.execute(
            select(Image.id, Image.storage_key, Image.thumbnail_key, Image.content_hash)
            .where(where)
            .order_by(Image.id)
            .limit(_BATCH)
        ).all()
    return [_Row(r.id, r.storage_key, r.thumbnail_key, r.content_hash) for r in rows]


def _batches(env: _Env, image_ids: Sequence[int] | None) -> Iterator[list[_Row]]:
    """Images in id order, in batches (keyset over the whole library, or chunks of the sorted ids)."""
    if image_ids is None:
        last_id = 0
        while batch := _read(env, Image.id > last_id):
            yield batch
            last_id = batch[-1].id
        return
    for start in range(0, len(image_ids), _BATCH):
        if batch := _read(env, Image.id.in_(image_ids[start : start + _BATCH])):
            yield batch


def _count(env: _Env, image_ids: Sequence[int] | None) -> int:
    if image_ids is not None:
        return len(image_ids)
    with env.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Image)) or 0)


def _stored_hash(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in storage.iter_range(key):
        digest.update(chunk)
    return digest.hexdigest()


def _rebuild_thumbnail(env: _Env, row: _Row, regenerate: bool) -> bool:
    if not regenerate and row.thumbnail_key is not None and env.storage.exists(row.thumbnail_key):
        return False
    with env.storage.open(row.storage_key) as source:
        try:
            thumbnail = render_thumbnail(
                source, env.thumbnail_size, memory_limit_bytes=env.decode_memory_bytes
            )
        except Exception as exc:
            env.reporter.log(
                f"image {row.id} ({row.storage_key}): no thumbnail could be rendered: {exc}", "error"
            )
            return False
    key = row.thumbnail_key or new_key("thumbnails", ".jpg")
    env.storage.put_bytes(key, thumbnail, "image/jpeg")
    if row.thumbnail_key is None:
        unlinked = (Image.id == row.id) & Image.thumbnail_key.is_(None)
        link = update(Image).where(unlinked).values(thumbnail_key=key)
        with env.db.write() as session:
            linked = cast(CursorResult[Any], session.execute(link)).rowcount
        if not linked:
            env.storage.delete(key)  # someone else gave it a thumbnail meanwhile
            return False
    if not regenerate:
        env.reporter.log(f"image {row.id}: rebuilt its missing thumbnail {key}")
    return True


def _verify_one(env: _Env, row: _Row, rebuild: bool, regenerate: bool, counts: VerifyCounts) -> None:
    counts.checked += 1
    try:
        actual = _stored_hash(env.storage, row.storage_key)
    except ObjectMissing:
        counts.missing += 1
        env.reporter.log(f"image {row.id}: stored object {row.storage_key} is missing", "error")
        return
    if actual != row.content_hash:
        counts.hash_mismatch += 1
        env.reporter.log(
            f"image {row.id}: stored object {row.storage_key} has sha256 {actual}, "
            f"expected {row.content_hash}",
            "error",
        )
        return
    counts.ok += 1
    if (rebuild or regenerate) and _rebuild_thumbnail(env, row, regenerate):
        counts.thumbnails_rebuilt += 1


def verify_library(
    db: Database, storage: Storage, settings: Settings, payload: VerifyPayload, reporter: Reporter
) -> VerifyCounts:
    """Re-hash every image's stored bytes (or those of `payload.image_ids`), report missing and altered
    objects, restore thumbnails; checks for a cancel between images."""
    env = _Env(db, storage, settings.thumbnail_size, settings.decode_memory_bytes, reporter)
    image_ids = sorted(set(payload.image_ids)) if payload.image_ids is not None else None
    total = _count(env, image_ids)
    counts = VerifyCounts()
    reporter.progress(0.0, f"checking {total} images")
    for batch in _batches(env, image_ids):
        for row in batch:
            reporter.check_cancelled()
            _verify_one(env, row, payload.rebuild_thumbnails, payload.regenerate_thumbnails, counts)
            reporter.progress(counts.checked / max(total, 1), f"checked {counts.checked} of {total} images")
    reporter.progress(1.0, f"checked {counts.checked} images")
    if image_ids is not None and counts.checked < len(image_ids):
        reporter.log(f"{len(image_ids) - counts.checked} of the requested image ids do not exist", "warning")
    reporter.log(
        f"checked {counts.checked}: {counts.ok} ok, {counts.missing} missing, "
        f"{counts.hash_mismatch} altered, {counts.thumbnails_rebuilt} thumbnails rebuilt"
    )
    return counts
