"""The import job: `od.imports.run` runs one COCO, YOLO or VOC import (see service.run_import)."""

from __future__ import annotations

from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.jobs.service import record_result
from shelfscope.od.imports.commit import ImportCancelled, JobGuard
from shelfscope.od.imports.issues import ImportRejected
from shelfscope.od.imports.schemas import IMPORT_KIND, ImportPayload, ImportReport, IssueOut
from shelfscope.od.imports.service import ImportContext, run_import, scratch_root
from shelfscope.od.imports.staging import sweep_abandoned_imports
from shelfscope.od.io.common import FormatError
from shelfscope.storage import open_storage

# Issues also written to the job's log (the result lists up to issues.MAX_LISTED_ISSUES).
_LOGGED_ISSUES = 200


def _record_failure_report(ctx: JobContext, report: ImportReport) -> None:
    """A failed job keeps no result of its own; the import's report is what tells the user which
    entries to fix, so it is stored on the job row before the job is failed."""
    record_result(ctx.db, ctx.job_id, ctx.worker, report.model_dump(mode="json"))
    for issue in report.issues[:_LOGGED_ISSUES]:
        place = ":".join(str(p) for p in (issue.file, issue.line) if p is not None)
        where = f"{place} {issue.field or ''}".strip()
        ctx.log(
            f"{issue.kind}: {issue.message}" + (f" [{where}]" if where else ""),
            "error" if issue.severity == "invalid" else "warning",
        )


@on_jobs_interrupted
def remove_files_of_interrupted_imports(settings: Settings, db: Database) -> None:
    """An import whose worker died left stored images and scratch files but no rows: remove them now
    rather than at the start of the next import."""
    sweep_abandoned_imports(db, open_storage(settings), [IMPORT_KIND], scratch_root(settings))


@job_handler(IMPORT_KIND, payload=ImportPayload, resumable=False)
def import_dataset(ctx: JobContext, payload: ImportPayload) -> dict[str, Any]:
    """Import a dataset archive or server folder into a new or existing dataset, all or nothing."""
    ic = ImportContext(
        settings=ctx.settings,
        db=ctx.db,
        storage=ctx.storage,
        reporter=ctx,
        user_id=ctx.user_id,
        guard=JobGuard(ctx.job_id, ctx.worker),
        token=str(ctx.job_id),
    )
    try:
        report = run_import(ic, payload)
    except ImportRejected as exc:
        _record_failure_report(ctx, exc.report)
        raise
    except FormatError as exc:
        issue = exc.as_issue()
        report = ImportReport(
            outcome="rejected",
            format=payload.format,
            source=payload.upload_name or payload.path or "",
            on_invalid=payload.on_invalid,
            issue_counts={issue.kind: 1},
            issues=[IssueOut(**issue.as_dict())],
        )
        _record_failure_report(ctx, report)
        raise
    except ImportCancelled as exc:
        raise JobCancelled(str(exc)) from exc
    counts = report.annotations
    ctx.log(
        f"imported {counts.imported} annotations on {report.images.added_to_dataset} new and "
        f"{report.images.already_in_dataset} existing images of dataset {report.dataset_id}; "
        f"{counts.skipped} skipped, {counts.duplicates} duplicates"
    )
    return report.model_dump(mode="json")
