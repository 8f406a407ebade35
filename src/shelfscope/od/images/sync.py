"""The sync connector: pulls new images from an HTTP image source (contract: docs/sync-connector.md).

The source lists images page by page; each image is downloaded through the same safe fetcher as URL
import and ingested with source="sync" and its source id, so a second run skips what the first stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import ShelfscopeError, ValidationFailed
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.models import Job
from shelfscope.jobs.runners import JobRunner
from shelfscope.jobs.service import submit_job
from shelfscope.od.images.decode import display_name
from shelfscope.od.images.fetch import FetchPolicy, SafeFetcher
from shelfscope.od.images.ingest import ingest_file
from shelfscope.od.images.schemas import SYNC_KIND, SyncIn, SyncResult
from shelfscope.od.images.service import find_by_source_id

# A listing page is JSON metadata, never image bytes: a much smaller cap than an image.
LISTING_MAX_BYTES = 16 * 1024 * 1024


class SyncItem(BaseModel):
    """One entry of a listing page. Unknown fields are ignored so the source can add more."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=255)
    url: str = Field(min_length=1, max_length=2048)
    filename: str | None = None
    captured_at: datetime | None = None
    store_id: str | None = None
    merchant_id: str | None = None

    @field_validator("id", "store_id", "merchant_id", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        # Sources often use numeric ids; the library keeps them as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@dataclass
class ListingPage:
    # Raw entries: each is validated on its own so one bad entry fails one item, not the page.
    items: list[Any]
    next_cursor: str | None
    total: int | None


@dataclass
class _Progress:
    """Monotonic progress: exact when the source reports a total, an estimate by pages otherwise."""

    total: int | None = None
    done: int = 0
    listed: int = 0
    more_pages: bool = True
    shown: float = field(default=0.0)

    def fraction(self) -> float:
        if self.total:
            estimate = self.done / max(self.total, self.listed)
        elif self.more_pages:
            # Unknown length: never claim more than 90% until the last page is in.
            estimate = 0.9 * self.done / (self.listed + 1)
        else:
            estimate = self.done / max(self.listed, 1)
        self.shown = max(self.shown, min(estimate, 1.0))
        return self.shown


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


class SyncSource:
    """Client of the documented listing contract: GET {base}/images?...&cursor= with a bearer token."""

    def __init__(self, base_url: str, token: str, fetcher: SafeFetcher) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._fetcher = fetcher

    def auth_for(self, url: str) -> dict[str, str]:
        """The token goes only to the source's own origin, never to a CDN or other host an item names."""
        try:
            same = _origin(url) == _origin(self.base_url)
        except httpx.InvalidURL:
            same = False
        return self._auth if same else {}

    def pages(self, query: SyncIn) -> Iterator[ListingPage]:
        params: dict[str, str] = {}
        if query.date_from is not None:
            params["date_from"] = query.date_from.isoformat()
        if query.date_to is not None:
            params["date_to"] = query.date_to.isoformat()
        if query.store_id:
            params["store_id"] = query.store_id
        if query.merchant_id:
            params["merchant_id"] = query.merchant_id
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            url = f"{self.base_url}/images?{urlencode({**params, **({'cursor': cursor} if cursor else {})})}"
            page = self._read_page(url)
            yield page
            if not page.next_cursor:
                return
            if page.next_cursor in seen:
                raise ValidationFailed(
                    f"The sync source returned cursor {page.next_cursor!r} twice; stopping instead of "
                    "looping forever.",
                    url=url,
                )
            seen.add(page.next_cursor)
            cursor = page.next_cursor

    def _read_page(self, url: str) -> ListingPage:
        with self._fetcher.fetch(url, headers=self._auth, max_bytes=LISTING_MAX_BYTES) as fetched:
            try:
                body = json.load(fetched.file)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ValidationFailed(
                    f"The sync source's listing {url} is not JSON ({exc}).", url=url
                ) from None
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ValidationFailed(
                f"The sync source's listing {url} has no 'items' list; see docs/sync-connector.md.", url=url
            )
        next_cursor = body.get("next_cursor")
        total = body.get("total")
        return ListingPage(
            items=body["items"],
            next_cursor=str(next_cursor) if next_cursor not in (None, "") else None,
            total=total if isinstance(total, int) and total >= 0 else None,
        )


def _sync_one(
    ctx: JobContext, source: SyncSource, fetcher: SafeFetcher, raw: Any, payload: SyncIn, result: SyncResult
) -> None:
    try:
        item = SyncItem.model_validate(raw)
    except ValidationError as exc:
        result.failed += 1
        shown = raw.get("id") if isinstance(raw, dict) else raw
        ctx.log(f"item {shown!r}: not a valid listing entry ({exc.errors()[0]['msg']})", "warning")
        return
    with ctx.db.writer() as session:
        if find_by_source_id(session, "sync", item.id) is not None:
            result.skipped_existing += 1
            return
        session.commit()
        try:
            with fetcher.fetch(item.url, headers=source.auth_for(item.url)) as fetched:
                name = display_name(item.filename or fetched.filename)
                ingested = ingest_file(
                    session,
                    ctx.storage,
                    ctx.settings,
                    fetched.file,
                    name,
                    source="sync",
                    source_id=item.id,
                    folder=payload.folder,
                    tags=payload.tags,
                    user_id=ctx.user_id,
                )
        except ShelfscopeError as exc:
            session.rollback()
            result.failed += 1
            ctx.log(f"item {item.id} ({item.url}): {exc.detail}", "warning")
            return
    if ingested.status == "stored":
        result.stored += 1
    else:
        result.duplicate += 1


def run_sync(ctx: JobContext, payload: SyncIn) -> SyncResult:
    """The job body: list every page, ingest each new item, checking for a cancel between images."""
    settings = ctx.settings
    if not settings.sync_base_url:
        raise ValidationFailed(
            "Sync is not configured: set SHELFSCOPE_SYNC_BASE_URL (and SHELFSCOPE_SYNC_TOKEN)."
        )
    result = SyncResult()
    progress = _Progress()
    with SafeFetcher(FetchPolicy.from_settings(settings)) as fetcher:
        source = SyncSource(settings.sync_base_url, settings.sync_token, fetcher)
        ctx.progress(0.0, "listing images at the source")
        for page in source.pages(payload):
            result.listed += len(page.items)
            progress.listed = result.listed
            progress.total = page.total if page.total is not None else progress.total
            progress.more_pages = page.next_cursor is not None
            for raw in page.items:
                ctx.check_cancelled()
                _sync_one(ctx, source, fetcher, raw, payload, result)
                progress.done += 1
                ctx.progress(progress.fraction(), f"{progress.done} of {result.listed} listed images")
    ctx.log(
        f"listed {result.listed}: {result.stored} stored, {result.duplicate} duplicates, "
        f"{result.skipped_existing} already synced, {result.failed} failed"
    )
    ctx.progress(1.0, "done")
    return result


def start_sync(session: Session, runner: JobRunner, settings: Settings, payload: SyncIn, user_id: int) -> Job:
    """Queue a sync job; refused up front when no source is configured (the job would only fail)."""
    if not settings.sync_base_url:
        raise ValidationFailed(
            "Sync is not configured on this server: set SHELFSCOPE_SYNC_BASE_URL and SHELFSCOPE_SYNC_TOKEN.",
            setting="sync_base_url",
        )
    if payload.date_from and payload.date_to and payload.date_from > payload.date_to:
        raise ValidationFailed.field("date_from", "must not be after date_to")
    return submit_job(session, runner, SYNC_KIND, payload.model_dump(mode="json"), user_id)
