"""Registry test helpers: a request that waits on an interactive job, with the test thread as its worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job


def while_working(ctx: AppContext, kind: str, send: Callable[[], Any]) -> Any:
    """Send a request that submits a `kind` job and waits for it (interactive), running that job inline
    here (the test app starts no workers); the response."""
    answer: list[Any] = []
    request = threading.Thread(target=lambda: answer.append(send()))
    request.start()
    deadline = time.monotonic() + 30
    job_id = None
    while job_id is None and request.is_alive() and time.monotonic() < deadline:
        with ctx.db.read() as session:
            job_id = session.scalar(select(Job.id).where(Job.kind == kind, Job.status == "queued"))
        time.sleep(0.02)
    if job_id is not None:
        run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    request.join(60)
    assert answer, "the request did not answer"
    return answer[0]


def inference(client: TestClient, ctx: AppContext, model_id: int, **kwargs: Any) -> Any:
    url = f"/api/v1/od/models/{model_id}/inference"
    return while_working(ctx, "od.models.inference.run", lambda: client.post(url, **kwargs))
