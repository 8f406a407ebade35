"""Import from URLs, as a job (`od.images.import_url`): each URL fetched through the safe fetcher (size,
redirect and total-time limits; nothing on the server's own network) and ingested like an upload.

A job, not the request: a slow source holds a worker for at most its deadline per URL, never one of the
threads that serve the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.jobs.reporting import Reporter
from shelfscope.jobs.service import submit_job
from shelfscope.od.images.decode import display_name
from shelfscope.od.images.fetch import FetchPolicy, SafeFetcher
from shelfscope.od.images.ingest import batch_result, ingest_file, rejection
from shelfscope.od.images.schemas import URL_IMPORT_KIND, BatchResult, ItemResult, UrlImportIn
from shelfscope.od.images.service import find_by_source_id, image_out
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.jobs.models import Job
    from shelfscope.jobs.runners import JobRunner


def start_url_import(session: Session, runner: JobRunner, body: UrlImportIn, user_id: int) -> Job:
    """Queue the import; the job's result lists each URL's outcome (stored, duplicate or rejected)."""
    return submit_job(session, runner, URL_IMPORT_KIND, body.model_dump(mode="json"), user_id)


def _url_source_id(session: Session, url: str) -> str | None:
    # The URL is where the image came from; when the same URL was imported before (its content has
    # changed, or the hashes would have matched) the new image keeps no source id rather than fail.
    if len(url) > 255 or find_by_source_id(session, "url", url) is not None:
        return None
    return url


def _import_one(
    session: Session,
    storage: Storage,
    settings: Settings,
    fetcher: SafeFetcher,
    url: str,
    body: UrlImportIn,
    user_id: int | None,
) -> ItemResult:
    name = display_name(url.split("?", 1)[0])
    try:
        with fetcher.fetch(url) as fetched:
            name = display_name(fetched.filename)
            source_id = _url_source_id(session, url)
            result = ingest_file(
                session,
                storage,
                settings,
                fetched.file,
                name,
                source="url",
                source_id=source_id,
                folder=body.folder,
                tags=body.tags,
                user_id=user_id,
            )
    except Exception as exc:
        session.rollback()
        error = rejection(name, exc)
        error.setdefault("url", url)
        return ItemResult(filename=name, url=url, status="rejected", image=None, error=error)
    image = image_out(session, result.image)
    session.commit()
    return ItemResult(filename=name, url=url, status=result.status, image=image, error=None)


def import_urls(
    session: Session,
    storage: Storage,
    settings: Settings,
    body: UrlImportIn,
    reporter: Reporter,
    user_id: int | None = None,
) -> BatchResult:
    """Fetch and ingest each URL in turn (each commits on its own); a cancel is seen between URLs."""
    session.commit()
    results: list[ItemResult] = []
    total = len(body.urls)
    with SafeFetcher(FetchPolicy.from_settings(settings)) as fetcher:
        for url in body.urls:
            reporter.check_cancelled()
            reporter.progress(len(results) / total, f"fetching {len(results) + 1} of {total}: {url[:200]}")
            item = _import_one(session, storage, settings, fetcher, url, body, user_id)
            if item.error is not None:
                reporter.log(f"{url[:500]}: {item.error['detail']}", "warning")
            results.append(item)
    batch = batch_result(results)
    summary = f"{batch.stored} stored, {batch.duplicate} duplicate, {batch.rejected} rejected"
    reporter.progress(1.0, summary)
    reporter.log(f"imported {total} URLs: {summary}")
    return batch
