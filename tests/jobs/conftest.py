"""Jobs fixtures: test handler kinds in every worker, and runners with real workers behind them.

`running` is parametrized over both runners: `local` (spawned worker processes under the runner's
supervisor) and `celery` (a throwaway redis-server and a real `shelfscope worker` process).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shelfscope.config import Settings
from shelfscope.context import AppContext
from tests.support.jobs import JOB_MODULES, CeleryWorker, Harness


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings plus the test-only handler kinds (loaded by workers too)."""
    return settings.model_copy(update={"job_modules": JOB_MODULES})


@pytest.fixture(params=["local", pytest.param("celery", marks=pytest.mark.celery)])
def runner_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def running(
    runner_kind: str, settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Harness]:
    """An app context whose runner is started, with one worker (one job at a time) ready."""
    if runner_kind == "celery":
        redis_url: str = request.getfixturevalue("redis_url")
        settings = settings.model_copy(
            update={
                "runner": "celery",
                "broker_url": redis_url,
                "celery_queue": f"test-{uuid.uuid4().hex[:10]}",
            }
        )
    ctx = AppContext.from_settings(settings)
    harness = Harness(kind=runner_kind, ctx=ctx)
    try:
        ctx.runner.start()
        if runner_kind == "celery":
            harness.celery = CeleryWorker(settings, tmp_path)
            harness.celery.start()
        harness.wait_workers()
        yield harness
    finally:
        if harness.celery is not None:
            harness.celery.kill()
        ctx.close()


@pytest.fixture
def local_running(settings: Settings) -> Iterator[Harness]:
    """The local runner with every pool's workers (1 default, 1 ml, 1 interactive) started and each
    past its first job (starting three processes takes a while on a busy machine)."""
    settings = settings.model_copy(update={"local_ml_workers": 1, "local_interactive_workers": 1})
    ctx = AppContext.from_settings(settings)
    harness = Harness(kind="local", ctx=ctx)
    try:
        ctx.runner.start()
        warm = [harness.submit(kind) for kind in ("test.steps", "test.ml.echo", "test.interactive.echo")]
        for job_id in warm:
            harness.wait_status(job_id, "succeeded", timeout=60)
        yield harness
    finally:
        ctx.close()
