"""Shared by the training benches: a fresh Shelfscope (SQLite, local storage) in a temporary folder, a
signed-in API client, the synthetic set imported and frozen as a version through the real jobs, and a
run started through the API and executed inline by the real `od.training.run` handler."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.train_synthetic import write_set
from shelfscope.app import create_app
from shelfscope.auth.deps import CSRF_COOKIE, CSRF_HEADER
from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from shelfscope.jobs.executor import run_job_inline
from shelfscope.od.training.models import TrainingRun

PASSWORD = "bench password that is long enough"


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def shelfscope(folder: Path) -> tuple[AppContext, TestClient]:
    settings = Settings(data_dir=folder / "data", local_workers=1, web_dir=folder / "no-web")
    upgrade(settings.resolved_database_url)
    ctx = AppContext.from_settings(settings)
    with ctx.db.write() as session:
        session.add(
            User(username="bench", display_name="Bench", role="admin", password_hash=hash_password(PASSWORD))
        )
    client = TestClient(create_app(ctx, start_runner=False))
    response = client.post("/api/v1/auth/login", json={"username": "bench", "password": PASSWORD})
    response.raise_for_status()
    client.headers[CSRF_HEADER] = client.cookies[CSRF_COOKIE]
    return ctx, client


def _zip(root: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    return out.getvalue()


def synthetic_version(
    ctx: AppContext, client: TestClient, folder: Path, counts: dict[str, int], size: tuple[int, int]
) -> int:
    """The synthetic set imported (splits kept) and frozen as version 1; the version's id."""
    write_set(folder, counts, seed=7, size=size)
    response = client.post(
        "/api/v1/od/images/import/coco", files={"file": ("set.zip", _zip(folder), "application/zip")}
    )
    response.raise_for_status()
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None, job.error
    created = client.post(f"/api/v1/od/datasets/{job.result['dataset_id']}/versions", json={})
    created.raise_for_status()
    built = run_job_inline(ctx.settings, ctx.db, ctx.storage, created.json()["job"]["id"])
    assert built.status == "succeeded", built.error
    return int(created.json()["version"]["id"])


def run_through_shelfscope(
    ctx: AppContext,
    client: TestClient,
    body: dict[str, Any],
    on_epoch: Callable[[dict[str, Any]], None],
    limit_s: float | None = None,
) -> dict[str, Any]:
    """POST the run and execute its job inline in this (the main) thread, as a worker process does,
    while a watcher thread reports each new epoch row and cancels past the time limit; the run as the
    API shows it at the end. The same trainer runs about 30 % slower in a second thread of a process
    than in its main one (measured: 14.1 against 10.7 s an epoch), so the job must not be the thread."""
    response = client.post("/api/v1/od/training", json=body)
    if response.status_code != 202:
        raise SystemExit(f"the run was refused: {response.text}")
    run_id, job_id = response.json()["run"]["id"], response.json()["job"]["id"]
    finished = threading.Event()
    started = time.monotonic()

    def watch() -> None:
        seen = 0
        cancelled = False
        while True:
            done = finished.wait(2.0)
            with ctx.db.read() as session:
                run = session.get(TrainingRun, run_id)
                rows = list(run.metrics_history or []) if run else []
            for row in rows[seen:]:
                on_epoch(row)
            seen = max(seen, len(rows))
            if done:
                return
            if limit_s and not cancelled and time.monotonic() - started > limit_s:
                client.delete(f"/api/v1/od/training/{run_id}")
                cancelled = True

    watcher = threading.Thread(target=watch, name="epoch-watch", daemon=True)
    watcher.start()
    try:
        run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    finally:
        finished.set()
        watcher.join()
    result: dict[str, Any] = client.get(f"/api/v1/od/training/{run_id}").json()
    return result
