"""Stored files of an import that is not committed yet, and the sweep that removes abandoned ones
(with the rows of an import that failed between its batches, see undo.py).

Before any image or thumbnail of an import is written, its key is listed in a manifest object
(`imports/<job id>/manifest-NNNNN`, write-ahead). The import's single database transaction makes
those keys referenced by `od_images` rows; afterwards the manifests are deleted. When an import
fails, it deletes its files and manifests itself. When its worker dies (killed, power loss), the
manifests stay: `sweep_abandoned_imports` — run at the start of every import job, and callable from
the job runner's stale sweep — deletes every listed key that no image row references, then the
manifests, and the uploaded archive of the job.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select

from shelfscope.db import Database, utcnow
from shelfscope.jobs.models import Job
from shelfscope.od.images.models import Image
from shelfscope.od.imports.undo import undo_import
from shelfscope.storage import Storage
from shelfscope.storage.base import StorageError

log = logging.getLogger(__name__)

# Abandoned imports older than this are no longer looked for (their manifests were swept long ago
# unless storage was unreachable for that long).
SWEEP_WINDOW = timedelta(days=30)
_QUERY_CHUNK = 500


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


def sweep_abandoned_imports(
    db: Database, storage: Storage, kinds: Iterable[str], scratch_root: Path | None = None
) -> list[int]:
    """Clean up after import jobs that ended without cleaning up (failed or cancelled, typically
    because their worker died). Returns the ids of the jobs cleaned."""
    since = utcnow() - SWEEP_WINDOW
    with db.read() as session:
        rows = session.execute(
            select(Job.id, Job.payload).where(
                Job.kind.in_(list(kinds)),
                Job.status.in_(("failed", "cancelled")),
                Job.created_at >= since,
            )
        ).all()
    cleaned: list[int] = []
    for job_id, payload in rows:
        token = str(job_id)
        upload_key = (payload or {}).get("upload_key")
        try:
            # Rows first: their files are only unreferenced once the rows are gone.
            undone = undo_import(db, token)
        except Exception:
            log.exception("could not yet remove the rows import job %s committed before it failed", job_id)
            continue
        try:
            pending = storage.exists(manifest_key(token, 0))
            has_upload = bool(upload_key) and storage.exists(str(upload_key))
            if not pending and not has_upload and not undone:
                continue
            removed = clean_token(db, storage, token) if pending else 0
            if has_upload:
                storage.delete(str(upload_key))
        except (StorageError, ValueError) as exc:
            log.warning("could not clean up after import job %s: %s", job_id, exc)
            continue
        if scratch_root is not None:
            shutil.rmtree(scratch_root / token, ignore_errors=True)
        log.warning("import job %s ended without cleaning up; removed %d stored files", job_id, removed)
        cleaned.append(job_id)
    return cleaned
