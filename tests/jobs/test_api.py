"""The jobs API: list (keyset pages, filters), read, logs, metrics, cancel rules and roles, live stream."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from shelfscope.context import AppContext
from shelfscope.jobs import service
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.jobs.stream import job_event_stream

JOB_KEYS = {
    "id",
    "kind",
    "status",
    "progress",
    "stage",
    "payload",
    "result",
    "error",
    "attempt",
    "cancel_requested",
    "runner",
    "queue",
    "created_at",
    "started_at",
    "finished_at",
    "heartbeat_at",
    "created_by",
    "label",
}


def submit(ctx: AppContext, kind: str = "test.steps", payload: dict[str, Any] | None = None) -> int:
    with ctx.db.writer() as session:
        return service.submit_job(session, ctx.runner, kind, payload or {"steps": 2}, None).id


def run(ctx: AppContext, job_id: int) -> None:
    run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def collect_pages(client: TestClient, url: str, **params: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    items: list[dict[str, Any]] = []
    totals: list[Any] = []
    cursor = None
    while True:
        response = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        totals.append(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, totals


def test_list_pages_through_every_job_newest_first(client: TestClient, ctx: AppContext) -> None:
    ids = [submit(ctx) for _ in range(5)]

    items, totals = collect_pages(client, "/api/v1/jobs", limit=2)

    assert [item["id"] for item in items] == ids[::-1]
    assert totals == [5, 5, 5]
    assert set(items[0]) == JOB_KEYS


def test_list_filters_by_status_and_kind(client: TestClient, ctx: AppContext) -> None:
    done = submit(ctx)
    run(ctx, done)
    failed = submit(ctx, "test.fail", {})
    run(ctx, failed)
    queued = submit(ctx)

    def ids(**params: Any) -> list[int]:
        return [item["id"] for item in collect_pages(client, "/api/v1/jobs", **params)[0]]

    assert ids(status="succeeded") == [done]
    assert ids(status="queued,failed") == [queued, failed]
    assert ids(status=["queued", "succeeded"]) == [queued, done]
    assert ids(kind="test.fail") == [failed]
    assert ids(kind="test.fail", status="succeeded") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "finished"}, "status"), ({"cursor": "not-a-cursor"}, "cursor"), ({"limit": 0}, "limit")],
)
def test_list_refuses_bad_parameters_naming_them(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/jobs", params=params)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationFailed"
    assert body["fields"][0]["field"] == field


def test_get_returns_the_job_json(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx, payload={"steps": 2})
    run(ctx, job_id)

    body = client.get(f"/api/v1/jobs/{job_id}").json()

    assert set(body) == JOB_KEYS
    assert body["id"] == job_id
    assert (body["kind"], body["status"], body["runner"]) == ("test.steps", "succeeded", "local")
    assert body["payload"] == {"steps": 2, "sleep_s": 0.0}
    assert body["result"] == {"steps": 2}
    assert (body["progress"], body["attempt"], body["cancel_requested"]) == (1.0, 1, False)
    assert body["label"] is None


def _set_job(ctx: AppContext, job_id: int, **values: Any) -> None:
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


@pytest.mark.parametrize(
    ("payload", "result", "label"),
    [
        (
            {"format": "coco", "upload_name": "shelves.zip"},
            {"dataset_name": "Shelves"},
            "shelves.zip → Shelves",
        ),
        ({"format": "yolo", "path": "/srv/data/drinks"}, None, "drinks"),
        (
            {"format": "yolo", "path": "C:\\exports\\drinks", "dataset_name": "Drinks"},
            None,
            "drinks → Drinks",
        ),
        ({"dataset_id": 3, "format": "coco"}, {"filename": "shelves-coco.zip"}, "shelves-coco.zip"),
        ({"rebuild_thumbnails": True}, {"checked": 3}, None),
        (
            {
                "urls": [f"https://example.com/{i}.jpg" for i in range(12)],
                "folder": "shelf-photos",
                "tags": [],
            },
            {"imported": 12},
            "12 URLs → shelf-photos",
        ),
        (
            {"urls": ["https://example.com/a.jpg"], "folder": None, "tags": []},
            None,
            "https://example.com/a.jpg",
        ),
    ],
)
def test_jobs_carry_the_file_or_dataset_they_work_on(
    client: TestClient,
    ctx: AppContext,
    payload: dict[str, Any],
    result: dict[str, Any] | None,
    label: str | None,
) -> None:
    job_id = submit(ctx)
    _set_job(ctx, job_id, payload=payload, result=result)

    assert client.get(f"/api/v1/jobs/{job_id}").json()["label"] == label
    assert client.get("/api/v1/jobs").json()["items"][0]["label"] == label


def test_a_failed_job_shows_no_traceback_in_its_error_or_log(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx, "test.fail", {"message": "the scale is off"})
    run(ctx, job_id)

    body = client.get(f"/api/v1/jobs/{job_id}").json()
    logs = client.get(f"/api/v1/jobs/{job_id}/logs").json()["items"]
    assert body["error"] == "RuntimeError: the scale is off"
    assert logs[-1]["message"] == "the job failed: RuntimeError: the scale is off"
    assert "Traceback" not in str(logs)


def test_tracebacks_stored_by_older_versions_are_not_sent(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx)
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 3'
    _set_job(ctx, job_id, status="failed", error="import failed\n" + trace)
    with ctx.db.write() as session:
        session.add(JobEvent(job_id=job_id, type="log", level="error", message="the job failed:\n" + trace))

    body = client.get(f"/api/v1/jobs/{job_id}").json()
    logs = client.get(f"/api/v1/jobs/{job_id}/logs").json()["items"]
    assert body["error"] == "import failed"
    assert logs[-1]["message"] == "the job failed:"
    assert "Traceback" not in str(logs) + str(client.get("/api/v1/jobs").json())


@pytest.mark.parametrize("suffix", ["", "/logs", "/metrics", "/stream"])
def test_unknown_job_is_not_found(client: TestClient, suffix: str) -> None:
    response = client.get(f"/api/v1/jobs/9999{suffix}")

    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"


def test_logs_and_metrics_page_oldest_first(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx, payload={"steps": 5})
    run(ctx, job_id)

    logs, log_totals = collect_pages(client, f"/api/v1/jobs/{job_id}/logs", limit=2)
    metrics, metric_totals = collect_pages(client, f"/api/v1/jobs/{job_id}/metrics", limit=3)

    assert [line["message"] for line in logs] == [f"step {i} of 5" for i in range(1, 6)]
    assert set(logs[0]) == {"id", "at", "level", "message"}
    assert logs[0]["level"] == "info"
    assert log_totals == [5, 5, 5]
    assert [(m["name"], m["step"]) for m in metrics] == [("loss", i) for i in range(5)]
    assert set(metrics[0]) == {"id", "at", "name", "value", "step"}
    assert metric_totals == [5, 5]


def test_cancel_a_queued_job(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx)

    response = client.post(f"/api/v1/jobs/{job_id}/cancel")

    assert response.status_code == 202
    job = response.json()["job"]
    assert (job["id"], job["status"], job["cancel_requested"]) == (job_id, "cancelled", True)
    assert job["finished_at"] is not None


def test_cancel_of_a_finished_job_is_a_conflict_and_changes_nothing(
    client: TestClient, ctx: AppContext
) -> None:
    job_id = submit(ctx)
    run(ctx, job_id)
    before = client.get(f"/api/v1/jobs/{job_id}").json()
    logs_before = client.get(f"/api/v1/jobs/{job_id}/logs").json()

    response = client.post(f"/api/v1/jobs/{job_id}/cancel")

    assert response.status_code == 409
    body = response.json()
    assert (body["error"], body["status"]) == ("Conflict", "succeeded")
    assert "already succeeded" in body["detail"]
    assert client.get(f"/api/v1/jobs/{job_id}").json() == before
    assert client.get(f"/api/v1/jobs/{job_id}/logs").json() == logs_before


def test_cancel_of_an_unknown_job_is_not_found(client: TestClient) -> None:
    response = client.post("/api/v1/jobs/9999/cancel")

    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"


def test_viewers_read_jobs_but_cannot_cancel_them(viewer_client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx)

    assert viewer_client.get(f"/api/v1/jobs/{job_id}").status_code == 200
    response = viewer_client.post(f"/api/v1/jobs/{job_id}/cancel")

    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"
    assert viewer_client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"


@pytest.mark.parametrize("path", ["", "/1", "/1/logs", "/1/metrics", "/1/stream"])
def test_jobs_need_a_signed_in_user(anon_client: TestClient, path: str) -> None:
    response = anon_client.get(f"/api/v1/jobs{path}")

    assert response.status_code == 401


def parse_sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs; comment frames come back as ('comment', text)."""
    events = []
    for frame in text.split("\n\n"):
        if not frame.strip():
            continue
        if frame.startswith(":"):
            events.append(("comment", frame[1:].strip()))
            continue
        fields = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((fields["event"], fields["data"]))
    return events


def test_stream_sends_job_changes_and_logs_then_ends(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx, payload={"steps": 4, "sleep_s": 0.15})
    worker = threading.Thread(target=run, args=(ctx, job_id))

    with client.stream("GET", f"/api/v1/jobs/{job_id}/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        worker.start()
        body = "".join(response.iter_text())
    worker.join()

    events = parse_sse(body)
    assert events[-1] == ("end", json.dumps({"status": "succeeded"}))
    jobs = [json.loads(data) for name, data in events if name == "job"]
    statuses = [job["status"] for job in jobs]
    assert "running" in statuses
    assert statuses == sorted(statuses, key=["queued", "running", "succeeded"].index)
    progress = [job["progress"] for job in jobs]
    assert progress == sorted(progress) and len(set(progress)) > 1  # each change is sent as it happens
    assert jobs[-1]["status"] == "succeeded" and jobs[-1]["result"] == {"steps": 4}
    assert set(jobs[-1]) == JOB_KEYS
    logs = [json.loads(data)["message"] for name, data in events if name == "log"]
    assert logs == [f"step {i} of 4" for i in range(1, 5)]


def test_stream_of_a_finished_job_replays_it_and_ends_at_once(client: TestClient, ctx: AppContext) -> None:
    job_id = submit(ctx, payload={"steps": 2})
    run(ctx, job_id)

    response = client.get(f"/api/v1/jobs/{job_id}/stream", headers={"Last-Event-ID": "0"})

    names = [name for name, _ in parse_sse(response.text)]
    assert names == ["log", "log", "job", "end"]


def test_stream_sends_keepalives_and_stops_when_the_client_leaves(ctx: AppContext) -> None:
    job_id = submit(ctx)  # stays queued: nothing new to say
    polls = 0

    async def disconnected() -> bool:
        nonlocal polls
        polls += 1
        return polls > 6

    async def read_all() -> list[str]:
        return [
            frame
            async for frame in job_event_stream(
                ctx.db, job_id, is_disconnected=disconnected, poll_s=0.01, keepalive_s=0.02
            )
        ]

    frames = asyncio.run(read_all())

    assert frames[0].startswith("event: job\n")
    assert ": keepalive\n\n" in frames
    assert not any(frame.startswith("event: end") for frame in frames)
