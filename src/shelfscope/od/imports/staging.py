"""The sweep that removes what abandoned imports left: the rows of an import that failed between its
batches (undo.py) and the stored files its manifests list (od.images.staging).

Before any image of an import is written, its key is listed in a manifest object (write-ahead). The
import's transactions make those keys referenced by `od_images` rows; afterwards the manifests are
deleted. When an import fails, it deletes its files and manifests itself. When its worker dies
(killed, power loss), the manifests stay: `sweep_abandoned_imports` — run at the start of every import
job, and from the job runner's stale sweep — deletes every listed key that no image row references,
then the manifests, and the uploaded archive of the job. The thumbnail job's manifests are swept the
same way.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from shelfscope.db import Database, utcnow
from shelfscope.jobs.models import Job
from shelfscope.od.images.staging import SWEEP_WINDOW, clean_token, manifest_key
from shelfscope.od.imports.undo import undo_import
from shelfscope.storage import Storage
from shelfscope.storage.base import StorageError

log = logging.getLogger(__name__)


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
