"""Stored files that no row refers to yet: each key is listed in a manifest object
(`imports/<token>/manifest-NNNNN`, write-ahead) before the file is written, so whatever happens
afterwards the files can be found and removed unless a row took them up. Imports use it for their
images (od.imports.staging sweeps after a dead worker), the thumbnail job for its thumbnails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import or_, select

from shelfscope.db import Database
from shelfscope.od.images.models import Image
from shelfscope.storage import Storage

_QUERY_CHUNK = 500
# Abandoned manifests older than this are no longer looked for (swept long ago unless storage was
# unreachable for that long).
SWEEP_WINDOW = timedelta(days=30)


def manifest_key(token: str, number: int) -> str:
    return f"imports/{token}/manifest-{number:05d}"


class Staging:
    """The keys one import writes, announced in manifests before they are written."""

    def __init__(self, storage: Storage, token: str) -> None:
        self.storage = storage
        self.token = token
        self.keys: list[str] = []
        self._manifests = 0

    def reserve(self, keys: list[str]) -> None:
        """List `keys` in a new manifest; call before writing any of them."""
        self.storage.put_bytes(
            manifest_key(self.token, self._manifests), "\n".join(keys).encode(), "text/plain"
        )
        self._manifests += 1
        self.keys.extend(keys)

    def discard(self, db: Database | None = None) -> None:
        """The import failed: remove what it stored, then the manifests (first one last). Given the
        database, keys an image row still uses stay, and so do the manifests that list them (the
        sweep looks again once the rows are undone): an import that committed batches before it
        failed may still have rows, or another import may have taken up one of its images."""
        keep = _referenced(db, self.keys) if db is not None and self.keys else set()
        for key in self.keys:
            if key not in keep:
                self.storage.delete(key)
        self.keys = [key for key in self.keys if key in keep]
        if not self.keys:
            self.release()

    def release(self, unused: Iterable[str] = ()) -> None:
        """The import committed: its keys are referenced now; drop the manifests (and `unused` keys)."""
        for key in unused:
            self.storage.delete(key)
        for number in range(self._manifests - 1, -1, -1):
            self.storage.delete(manifest_key(self.token, number))
        self._manifests = 0


def _referenced(db: Database, keys: list[str]) -> set[str]:
    found: set[str] = set()
    with db.read() as session:
        for start in range(0, len(keys), _QUERY_CHUNK):
            chunk = keys[start : start + _QUERY_CHUNK]
            rows = session.execute(
                select(Image.storage_key, Image.thumbnail_key).where(
                    or_(Image.storage_key.in_(chunk), Image.thumbnail_key.in_(chunk))
                )
            )
            for storage_key, thumbnail_key in rows:
                found.add(storage_key)
                if thumbnail_key:
                    found.add(thumbnail_key)
    return found


def clean_token(db: Database, storage: Storage, token: str) -> int:
    """Remove the unreferenced files an import with this token listed; returns how many."""
    keys: list[str] = []
    number = 0
    while storage.exists(manifest_key(token, number)):
        keys.extend(k for k in storage.read_bytes(manifest_key(token, number)).decode().splitlines() if k)
        number += 1
    keep = _referenced(db, keys)
    removed = 0
    for key in keys:
        if key not in keep:
            storage.delete(key)
            removed += 1
    for n in range(number - 1, -1, -1):
        storage.delete(manifest_key(token, n))
    return removed
