"""Sync from an HTTP image source: a job that follows the listing's pages, skips what it synced before,
downloads through the safe fetcher, logs each failed item and stops between images when cancelled."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import JobEvent
from shelfscope.od.images.fetch import FetchPolicy, SafeFetcher
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import SyncIn
from shelfscope.od.images.sync import SyncSource, run_sync
from tests.support.images import SYNC_TOKEN, ImageServer, make_image

SYNC = "/api/v1/od/images/sync/buybuddy"


def _feed(server: ImageServer, count: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for i in range(count):
        url = server.serve(f"/files/{i}.jpg", make_image((30, 20), (i * 40 % 256, 20, 200)))
        items.append({"id": 1000 + i, "url": url, "filename": f"store-7_{i}.jpg", "store_id": "7"})
    return items


def _logs(ctx: AppContext, job_id: int) -> list[str]:
    with ctx.db.read() as s:
        return list(
            s.scalars(select(JobEvent.message).where(JobEvent.job_id == job_id, JobEvent.type == "log"))
        )


def test_sync_follows_pages_stores_new_images_and_skips_them_next_time(
    client: TestClient, ctx: AppContext, image_server: ImageServer
) -> None:
    items = _feed(image_server, 3)
    uploaded = make_image((30, 20), (1, 2, 250))
    client.post("/api/v1/od/images", files=[("files", ("mine.jpg", uploaded))])
    items.append({"id": "dup-1", "url": image_server.serve("/files/dup.jpg", uploaded)})
    items.append({"id": "gone", "url": image_server.url + "/files/missing.jpg"})
    items.append({"id": "meta", "url": "http://169.254.169.254/latest/meta-data/"})
    items.append({"filename": "no id or url"})
    image_server.feed.items = items
    image_server.feed.page_size = 2

    response = client.post(
        SYNC,
        json={
            "date_from": "2024-05-01T00:00:00Z",
            "store_id": "7",
            "folder": "sync/store-7",
            "tags": ["Synced"],
        },
    )
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert job["kind"] == "od.images.sync" and job["status"] == "queued"
    done = run_job_inline(ctx.settings, ctx.db, ctx.storage, job["id"])
    assert done.status == "succeeded", done.error
    assert done.result == {"listed": 7, "stored": 3, "duplicate": 1, "skipped_existing": 0, "failed": 3}
    assert done.progress == 1.0
    assert len(image_server.feed.requests) == 4  # 7 items in pages of 2
    assert image_server.feed.requests[0] == {"date_from": "2024-05-01T00:00:00+00:00", "store_id": "7"}
    assert image_server.feed.requests[1]["cursor"] == "2"
    logs = _logs(ctx, job["id"])
    assert any("item gone" in m and "HTTP 404" in m for m in logs), logs
    assert any("item meta" in m and "refused" in m for m in logs), logs
    assert any("not a valid listing entry" in m for m in logs), logs

    synced = client.get("/api/v1/od/images", params={"source": "sync"}).json()["items"]
    assert sorted(i["source_id"] for i in synced) == ["1000", "1001", "1002"]
    assert {i["folder"] for i in synced} == {"sync/store-7"} and synced[0]["tags"] == ["synced"]
    assert sorted(i["filename"] for i in synced) == ["store-7_0.jpg", "store-7_1.jpg", "store-7_2.jpg"]

    again = client.post(SYNC, json={}).json()["job"]
    rerun = run_job_inline(ctx.settings, ctx.db, ctx.storage, again["id"])
    assert rerun.result == {"listed": 7, "stored": 0, "duplicate": 1, "skipped_existing": 3, "failed": 3}


def test_sync_can_be_cancelled_between_images(ctx: AppContext, image_server: ImageServer) -> None:
    image_server.feed.items = _feed(image_server, 4)
    with ctx.db.writer() as s:
        job = jobs.submit_job(s, ctx.runner, "od.images.sync", {}, None)
    assert jobs.claim_job(ctx.db, job.id, "test-worker")
    job_ctx = JobContext(
        job_id=job.id,
        kind="od.images.sync",
        user_id=None,
        attempt=1,
        worker="test-worker",
        settings=ctx.settings,
        db=ctx.db,
        storage=ctx.storage,
    )
    # The source serving the second image is where a person presses cancel.
    original = image_server.routes["/files/1.jpg"]

    class CancelOnRead:
        status, headers = original.status, original.headers

        @property
        def body(self) -> bytes:
            job_ctx.mark_cancelled()
            return original.body

    image_server.routes["/files/1.jpg"] = CancelOnRead()  # type: ignore[assignment]
    with pytest.raises(JobCancelled):
        run_sync(job_ctx, SyncIn())
    with ctx.db.read() as s:
        # The image being fetched when the cancel came is finished; none after it is started.
        assert sorted(str(i) for i in s.scalars(select(Image.source_id))) == ["1000", "1001"]


def test_the_token_goes_only_to_the_sources_own_origin(ctx: AppContext) -> None:
    with SafeFetcher(FetchPolicy.from_settings(ctx.settings)) as fetcher:
        source = SyncSource("https://images.example.com/api/", SYNC_TOKEN, fetcher)
        assert source.auth_for("https://images.example.com/files/1.jpg") == {
            "Authorization": f"Bearer {SYNC_TOKEN}"
        }
        assert source.auth_for("https://cdn.example.net/files/1.jpg") == {}
        assert source.auth_for("http://images.example.com/files/1.jpg") == {}


def test_sync_needs_configuration_an_admin_and_a_sane_range(
    client: TestClient, annotator_client: TestClient, ctx: AppContext
) -> None:
    assert annotator_client.post(SYNC, json={}).status_code == 403
    backwards = client.post(
        SYNC, json={"date_from": "2024-05-02T00:00:00Z", "date_to": "2024-05-01T00:00:00Z"}
    )
    assert backwards.status_code == 422 and backwards.json()["fields"][0]["field"] == "date_from"
    assert client.post(SYNC, json={"colour": "red"}).status_code == 422
    ctx.settings.sync_base_url = ""
    unconfigured = client.post(SYNC, json={})
    assert unconfigured.status_code == 422 and "SHELFSCOPE_SYNC_BASE_URL" in unconfigured.json()["detail"]
