"""Job queues: stored and shown per job, claimed only by their own workers, kept apart by the local
runner's pools, and routed to their own Celery queues."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs import interactive, service
from shelfscope.jobs.registry import job_handler
from shelfscope.jobs.runners.celery import celery_queue_name, parse_queues
from shelfscope.jobs.runners.local import plan_pools
from tests.support.job_handlers import EchoPayload
from tests.support.jobs import CeleryWorker, Harness, wait_for


def submit(ctx: AppContext, kind: str, payload: dict[str, object] | None = None) -> int:
    with ctx.db.writer() as session:
        return service.submit_job(session, ctx.runner, kind, payload or {}, None).id


def test_a_jobs_queue_comes_from_its_handler_and_is_shown_and_filtered(
    client: TestClient, ctx: AppContext
) -> None:
    default = submit(ctx, "test.steps")
    ml = submit(ctx, "test.ml.echo")
    click = submit(ctx, "test.interactive.echo")

    shown = {i: client.get(f"/api/v1/jobs/{i}").json()["queue"] for i in (default, ml, click)}
    assert shown == {default: "default", ml: "ml", click: "interactive"}
    only_ml = client.get("/api/v1/jobs", params={"queue": "ml"}).json()
    assert ([item["id"] for item in only_ml["items"]], only_ml["total"]) == ([ml], 1)
    assert [i["id"] for i in client.get("/api/v1/jobs", params={"queue": "default"}).json()["items"]] == [
        default
    ]

    bad = client.get("/api/v1/jobs", params={"queue": "gpu"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "queue"


def test_a_worker_claims_only_jobs_of_its_own_queues(ctx: AppContext) -> None:
    default = submit(ctx, "test.steps")  # the oldest
    ml = submit(ctx, "test.ml.echo")

    assert service.claim_next(ctx.db, "ml-worker", "local", ["ml"]) == ml
    assert service.claim_next(ctx.db, "ml-worker", "local", ["ml"]) is None
    assert service.claim_next(ctx.db, "click-worker", "local", ["interactive"]) is None
    with ctx.db.read() as session:
        assert service.get_job(session, default).status == "queued"
    assert service.claim_next(ctx.db, "worker", "local", ["default", "interactive"]) == default


def test_a_handler_names_a_known_queue() -> None:
    with pytest.raises(ValueError, match="queue 'gpu'"):
        job_handler("test.bad_queue", payload=EchoPayload, queue="gpu")  # type: ignore[arg-type]


def test_local_pools_follow_the_settings_and_a_queue_sized_zero_runs_in_the_default_pool(
    settings: Settings,
) -> None:
    defaults = {name: Settings.model_fields[name].default for name in ("local_workers", "local_ml_workers")}
    assert defaults == {"local_workers": 2, "local_ml_workers": 1}  # fits a 2-core laptop
    laptop = settings.model_copy(
        update={"local_workers": 2, "local_ml_workers": 1, "local_interactive_workers": 1}
    )
    assert plan_pools(laptop) == {
        "default": (2, ("default",)),
        "ml": (1, ("ml",)),
        "interactive": (1, ("interactive",)),
    }
    small = settings.model_copy(
        update={"local_workers": 2, "local_ml_workers": 0, "local_interactive_workers": 2}
    )
    assert plan_pools(small) == {"default": (2, ("default", "ml")), "interactive": (2, ("interactive",))}


def test_celery_queue_names_derive_from_the_setting(settings: Settings) -> None:
    assert [celery_queue_name(settings, q) for q in ("default", "ml", "interactive")] == [
        "shelfscope",
        "shelfscope.ml",
        "shelfscope.interactive",
    ]
    assert parse_queues(settings, None) == ["shelfscope", "shelfscope.ml", "shelfscope.interactive"]
    assert parse_queues(settings, ["ml,interactive"]) == ["shelfscope.ml", "shelfscope.interactive"]
    with pytest.raises(ValueError, match="unknown queue gpu"):
        parse_queues(settings, ["gpu"])


def test_with_the_ml_pool_busy_interactive_and_default_jobs_still_complete(
    local_running: Harness, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    blocker = local_running.submit("test.ml.block", {"release": str(release)})
    local_running.wait_status(blocker, "running")
    waiting_ml = local_running.submit("test.ml.echo", {"value": 1})

    default = local_running.submit("test.steps", {"steps": 1})
    click = interactive.call(
        local_running.ctx.settings,
        local_running.ctx.db,
        local_running.ctx.runner,
        kind="test.interactive.echo",
        payload={"value": "click"},
        user_id=None,
        timeout_s=20,
    )
    assert click["echo"] == "click"
    local_running.wait_status(default, "succeeded")
    # The one ml worker is still held: the second ml job waits its turn, nothing else did.
    assert (local_running.job(blocker).status, local_running.job(waiting_ml).status) == ("running", "queued")

    release.touch()
    done = local_running.wait_status(waiting_ml, "succeeded")
    blocked = local_running.wait_status(blocker, "succeeded")
    assert blocked.result is not None and done.result is not None
    assert done.result["pid"] == blocked.result["pid"] != click["pid"]


def test_interactive_workers_outlive_their_jobs_so_their_model_cache_does_too(local_running: Harness) -> None:
    def click(value: int) -> dict[str, object]:
        ctx = local_running.ctx
        return interactive.call(
            ctx.settings,
            ctx.db,
            ctx.runner,
            kind="test.interactive.echo",
            payload={"value": value},
            user_id=None,
        )

    first, second = click(1), click(2)

    # The fixture's warm-up job loaded the model in this worker; no call loads it again.
    assert second["pid"] == first["pid"]
    assert (first["loads"], second["loads"]) == (1, 1)


@pytest.mark.celery
def test_a_celery_worker_for_the_interactive_queue_takes_only_interactive_jobs(
    settings: Settings, tmp_path: Path, redis_url: str
) -> None:
    settings = settings.model_copy(
        update={"runner": "celery", "broker_url": redis_url, "celery_queue": f"test-{uuid.uuid4().hex[:10]}"}
    )
    ctx = AppContext.from_settings(settings)
    harness = Harness(kind="celery", ctx=ctx, celery=CeleryWorker(settings, tmp_path, queues="interactive"))
    others = CeleryWorker(settings, tmp_path, queues="default,ml")
    try:
        ctx.runner.start()
        harness.start_workers()
        default = harness.submit("test.steps", {"steps": 1})
        ml = harness.submit("test.ml.echo", {"value": 1})

        click = interactive.call(
            settings, ctx.db, ctx.runner, kind="test.interactive.echo", payload={"value": 3}, user_id=None
        )

        assert click["echo"] == 3
        assert (harness.job(default).status, harness.job(ml).status) == ("queued", "queued")
        # Each went to its own Celery queue: a worker for those queues runs them.
        others.start()
        wait_for(others.is_ready, 30, "the default/ml celery worker", others.log_tail)
        harness.wait_status(default, "succeeded")
        harness.wait_status(ml, "succeeded")
    finally:
        others.kill()
        if harness.celery is not None:
            harness.celery.kill()
        ctx.close()
