"""Dataset import: read a COCO, YOLO or VOC source, store its images, check every shape against its
image, and write everything in one database transaction, or nothing.

The pipeline (only the last phase writes rows, and it holds no lock while files are read or decoded):
1. read the annotation files once (readers.py; shapes go to a spill file, memory stays flat);
2. hash every image, reuse the ones the library has, decode and store the new ones (ingest.py; each
   key listed in a write-ahead manifest first, see od.images.staging);
3. check every shape against its real image (checks.py): unknown image or category, NaN/inf,
   negative or empty size, outside the image; apply `on_invalid`;
4. the writes (commit.py) through the features' writers: classes (found by name or alias, created
   when missing), the dataset, image rows, memberships with their splits, and the annotations in
   bulk, in one transaction, or for a large import in batches of whole images that are removed again
   when a later one fails; the last transaction also marks the job succeeded with this report and
   queues the job that renders the new images' thumbnails (od.images.thumbnails). A failure anywhere
   removes the stored files no image row uses.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.models import Job
from shelfscope.jobs.reporting import Reporter
from shelfscope.jobs.runners import hand_over
from shelfscope.jobs.service import submit_job
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.images.staging import Staging
from shelfscope.od.imports.checks import CheckResult, add_summary_warnings, check_shapes
from shelfscope.od.imports.commit import CommitOutcome, CommitPlan, JobGuard, commit_import
from shelfscope.od.imports.ingest import ImageIngest
from shelfscope.od.imports.issues import IssueLog, reject_if_invalid, rejection
from shelfscope.od.imports.readers import Document, read_document
from shelfscope.od.imports.schemas import IMPORT_KIND, ImportPayload, ImportReport
from shelfscope.od.imports.sources import default_dataset_name, open_source, resolve_import_folder
from shelfscope.od.imports.staging import sweep_abandoned_imports
from shelfscope.od.io.source import Source
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner


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


@dataclass
class _Held:
    """What an import holds open until it ends, whatever the outcome: its scratch folder, staged
    files, source, spilled shapes and checked rows."""

    scratch: Path
    staging: Staging
    source: Source | None = None
    doc: Document | None = None
    checked: CheckResult | None = None

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        if self.doc is not None:
            self.doc.shapes.close()
        if self.checked is not None:
            self.checked.rows.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def scratch_root(settings: Settings) -> Path:
    return settings.data_dir / "tmp" / "imports"


def _read(
    ic: ImportContext, payload: ImportPayload, held: _Held, log: IssueLog, report: ImportReport
) -> Document:
    """Phase 1: the source opened and its annotation files read."""
    if payload.dataset_id is not None:
        with ic.db.read() as session:
            require_dataset(session, payload.dataset_id)
    ic.reporter.progress(0.0, "opening the source")
    held.source, report.source = open_source(ic.settings, ic.storage, payload, held.scratch)
    held.doc = doc = read_document(payload.format, held.source, held.scratch, ic.reporter.progress)
    log.extend(doc.issues)
    report.dropped = dict(doc.dropped)
    ic.reporter.check_cancelled()
    # Under on_invalid=fail the import goes on to check every entry and image, and is rejected once,
    # after the checks, with every invalid entry listed.
    return doc


def _plan(
    ic: ImportContext, payload: ImportPayload, held: _Held, log: IssueLog, report: ImportReport
) -> CommitPlan:
    """Phases 1 to 3, and what the transaction will write."""
    doc = _read(ic, payload, held, log, report)
    assert held.source is not None
    ingest = ImageIngest(ic.db, ic.storage, ic.settings, held.staging, ic.reporter)
    entry_unit = ingest.run(held.source, doc.entries, log)
    images = report.images
    images.listed, images.stored = len(doc.entries), ingest.stored
    images.reused, images.merged = ingest.found.reused, ingest.found.merged
    images.skipped = int(np.count_nonzero(entry_unit < 0))
    ic.reporter.progress(0.8, "checking boxes against their images")
    held.checked = checked = check_shapes(
        ic.db, payload.dataset_id, doc, ingest.units, entry_unit, log, held.scratch
    )
    counts = report.annotations
    counts.read, counts.skipped, counts.duplicates = checked.read, checked.skipped, checked.duplicates
    counts.clipped, counts.rescaled = checked.clipped, checked.rescaled
    add_summary_warnings(log, checked, doc)
    used = checked.label_counts
    report.classes.unused = [name for i, name in enumerate(doc.labels) if i >= len(used) or not used[i]]
    reject_if_invalid(log, payload.on_invalid, report, "checking the source")
    if not any(u.entries for u in ingest.units):
        raise rejection("Nothing to import: no image of the source could be stored.", log, report)
    ic.reporter.check_cancelled()
    name = payload.dataset_name or default_dataset_name(report.source, payload.format)
    return CommitPlan(
        payload.dataset_id,
        name,
        f"Imported from {report.source} ({payload.format.upper()}).",
        ingest.units,
        checked.unit_counts,
        doc.labels,
        checked.label_counts,
        checked.rows,
        checked.any_polygon,
        ic.user_id,
        ic.guard,
        token=ic.token,
        batch_rows=ic.settings.import_batch_rows,
        scratch=held.scratch,
        progress=lambda done: ic.reporter.progress(0.9 + 0.1 * done, "writing to the database"),
        runner_name=ic.settings.runner,
    )


def _fill_report(report: ImportReport, outcome: CommitOutcome, log: IssueLog) -> None:
    report.outcome = "imported"
    report.dataset_id, report.dataset_name = outcome.dataset_id, outcome.dataset_name
    report.dataset_created = outcome.created
    report.images.added_to_dataset, report.images.already_in_dataset = outcome.added, outcome.already
    report.annotations.imported = outcome.imported
    report.classes.matched = outcome.classes.matched
    report.classes.matched_by_alias = outcome.classes.matched_by_alias
    report.classes.created = outcome.classes.created
    report.splits = outcome.splits
    log.fill(report)


def run_import(ic: ImportContext, payload: ImportPayload) -> ImportReport:
    """The whole import. Raises ImportRejected (with the report) when nothing may be written;
    whatever fails, no rows and no stored files of this import remain."""
    started = time.monotonic()
    sweep_abandoned_imports(ic.db, ic.storage, [IMPORT_KIND], scratch_root(ic.settings))
    held = _Held(scratch_root(ic.settings) / ic.token, Staging(ic.storage, ic.token))
    held.scratch.mkdir(parents=True, exist_ok=True)
    held.staging.reserve([])
    log = IssueLog()
    report = ImportReport(outcome="rejected", format=payload.format, source="", on_invalid=payload.on_invalid)

    def finished(outcome: CommitOutcome) -> dict[str, Any]:
        # Called in the last transaction: the report is the job's result, committed with the data.
        _fill_report(report, outcome, log)
        report.seconds = round(time.monotonic() - started, 3)
        return report.model_dump(mode="json")

    try:
        plan = _plan(ic, payload, held, log, report)
        plan.result_of = finished
        ic.reporter.progress(0.9, "writing to the database")
        outcome = commit_import(ic.db, plan)
    except BaseException:
        # Files an image row still uses stay (rows the sweep has yet to undo, or an image another
        # import or dataset took up while this one committed in batches).
        held.staging.discard(ic.db)
        held.close()
        if payload.upload_key:
            ic.storage.delete(payload.upload_key)
        raise
    held.staging.release(outcome.unused_keys)
    held.close()
    hand_over(ic.settings, ic.db, outcome.follow_ups)
    if payload.upload_key:
        ic.storage.delete(payload.upload_key)
    if report.outcome != "imported":
        finished(outcome)
    ic.reporter.progress(1.0, "imported")
    return report


def start_import(
    session: Session, runner: JobRunner, settings: Settings, payload: ImportPayload, user_id: int | None
) -> Job:
    """Check what can be checked now (folder under an import root, dataset exists) and queue the job."""
    if payload.path is not None:
        payload = payload.model_copy(update={"path": str(resolve_import_folder(settings, payload.path))})
    if payload.dataset_id is not None:
        require_dataset(session, payload.dataset_id)
    return submit_job(session, runner, IMPORT_KIND, payload.model_dump(mode="json"), user_id)
