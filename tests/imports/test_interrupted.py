"""A worker killed in the middle of an import leaves no rows; its stored files are swept up."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.jobs.runners.local import LocalRunner
from shelfscope.od.images.thumbnails import THUMBNAILS_KIND
from shelfscope.od.imports.schemas import IMPORT_KIND
from shelfscope.od.imports.staging import sweep_abandoned_imports
from tests.support.dataset_files import counts, sample_items, write_voc
from tests.support.locks import job_lock_held

IMPORT_MODULES = ["shelfscope.od.imports.jobs"]


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def running(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext.from_settings(settings.model_copy(update={"job_modules": IMPORT_MODULES}))
    try:
        ctx.runner.start()
        _wait(lambda: ctx.runner.health()["workers"] >= 1, 30, "a worker")
        yield ctx
    finally:
        ctx.close()


def _slow_coco(root: Path, n: int = 150) -> Path:
    """Noisy photos-sized images: decoding and thumbnailing them takes long enough to interrupt."""
    rng = np.random.default_rng(1)
    (root / "images").mkdir(parents=True)
    images, annotations = [], []
    for i in range(n):
        pixels = rng.integers(0, 255, size=(480, 640, 3), dtype=np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=90)
        (root / "images" / f"{i}.jpg").write_bytes(out.getvalue())
        images.append({"id": i + 1, "file_name": f"{i}.jpg", "width": 640, "height": 480})
        annotations.append({"id": i + 1, "image_id": i + 1, "category_id": 1, "bbox": [10, 10, 50, 50]})
    doc = {"images": images, "annotations": annotations, "categories": [{"id": 1, "name": "cola"}]}
    (root / "annotations.json").write_text(json.dumps(doc))
    return root


def _submit(ctx: AppContext, fmt: str, path: Path) -> int:
    with ctx.db.writer() as session:
        return jobs.submit_job(session, ctx.runner, IMPORT_KIND, {"format": fmt, "path": str(path)}, None).id


def _image_keys(ctx: AppContext) -> list[str]:
    return [k for k in ctx.storage.iter_keys() if k.startswith(("images/", "thumbnails/"))]


def _thumbnail_jobs_done(ctx: AppContext) -> list[str]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Job.status).where(Job.kind == THUMBNAILS_KIND)))


def test_a_killed_import_leaves_no_rows_and_its_files_are_swept(
    running: AppContext, import_root: Path
) -> None:
    ctx = running
    job_id = _submit(ctx, "coco", _slow_coco(import_root / "slow"))
    _wait(lambda: len(_image_keys(ctx)) >= 4, 30, "the import to store files")
    assert isinstance(ctx.runner, LocalRunner)
    for pid in ctx.runner.worker_pids():
        os.kill(pid, signal.SIGKILL)

    _wait(lambda: jobs.job_state(ctx.db, job_id)[0] == "failed", 30, "the job to be failed")  # type: ignore[index]
    with ctx.db.read() as session:
        job = jobs.get_job(session, job_id)
    assert job.error == jobs.INTERRUPTED_ERROR
    assert counts(ctx) == {"images": 0, "datasets": 0, "members": 0, "annotations": 0, "classes": 0}

    # The runner's recovery removes what the dead import had stored: no image files, no manifests.
    _wait(
        lambda: (
            not any(k.startswith(("images/", "thumbnails/", "imports/")) for k in ctx.storage.iter_keys())
        ),
        30,
        "the interrupted import's files to be swept",
    )
    assert sweep_abandoned_imports(ctx.db, ctx.storage, [IMPORT_KIND]) == []

    # A later import works normally and stores only its own files.
    _wait(lambda: ctx.runner.health()["workers"] >= 1, 30, "a replacement worker")
    next_id = _submit(ctx, "voc", write_voc(import_root / "small", sample_items(2)))
    _wait(lambda: jobs.job_state(ctx.db, next_id)[0] in ("succeeded", "failed"), 60, "the next import")  # type: ignore[index]
    assert jobs.job_state(ctx.db, next_id)[0] == "succeeded"  # type: ignore[index]
    # Its two images, and their thumbnails once the follow-up job the import queued has run.
    _wait(lambda: _thumbnail_jobs_done(ctx) == ["succeeded"], 60, "the thumbnail job")
    remaining = set(ctx.storage.iter_keys())
    assert not any(k.startswith("imports/") for k in remaining)
    assert len(remaining) == 4 and counts(ctx)["images"] == 2


def test_an_import_outlives_another_writer_holding_the_database_past_its_stale_limit(
    settings: Settings, import_root: Path
) -> None:
    """The reported case: another transaction held SQLite's write lock longer than the busy timeout and
    the stale limit while an import ran. Its heartbeat and reports wait; the job is not called
    interrupted; it ends succeeded with every row its report counts."""
    quick = settings.model_copy(
        update={
            "job_modules": IMPORT_MODULES,
            "job_heartbeat_s": 0.1,
            "job_stale_after_s": 0.5,
            "database_busy_timeout_s": 0.2,
        }
    )
    ctx = AppContext.from_settings(quick)
    try:
        ctx.runner.start()
        _wait(lambda: ctx.runner.health()["workers"] >= 1, 30, "a worker")
        job_id = _submit(ctx, "coco", _slow_coco(import_root / "slow", 60))
        _wait(lambda: len(_image_keys(ctx)) >= 4, 30, "the import to store files")

        with job_lock_held(ctx, job_id):
            time.sleep(4 * quick.job_stale_after_s)
        _wait(lambda: jobs.job_state(ctx.db, job_id)[0] != "running", 60, "the import to end")  # type: ignore[index]

        with ctx.db.read() as session:
            job = jobs.get_job(session, job_id)
        assert (job.status, job.error) == ("succeeded", None)
        assert (
            job.result is not None
            and job.result["annotations"]["imported"] == counts(ctx)["annotations"] == 60
        )
    finally:
        ctx.close()
