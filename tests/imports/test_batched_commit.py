"""A large import commits in batches of whole images, each one short transaction; a failure between
batches removes what was committed (at once, or by the sweep when the worker died); the job is marked
succeeded in the same transaction as its last rows."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.od.imports import commit
from shelfscope.od.imports.models import ImportCommit
from shelfscope.od.imports.schemas import IMPORT_KIND
from shelfscope.od.imports.staging import sweep_abandoned_imports
from tests.support.dataset_files import (
    Box,
    Item,
    assert_nothing_written,
    counts,
    dataset_boxes,
    run_job,
    start_import,
    stored_keys,
    write_coco,
    zip_folder,
)

BATCH_ROWS = 20
BOXES = 6  # per image: with the image's own weight (10), one image per transaction


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"import_batch_rows": BATCH_ROWS, "database_busy_timeout_s": 0.5})


def _items(n: int, first_seed: int = 1) -> list[Item]:
    labels = ("cola", "chips", "water")
    return [
        Item(
            f"img_{seed:03d}.jpg",
            seed,
            "train",
            boxes=[Box(labels[(seed + k) % 3], 1 + k * 5, 2 + k, 9 + k * 5, 20 + k) for k in range(BOXES)],
        )
        for seed in range(first_seed, first_seed + n)
    ]


def _archive(tmp_path: Path, items: list[Item], name: str = "coco") -> bytes:
    return zip_folder(write_coco(tmp_path / name, items))


def _state(ctx: AppContext) -> dict[str, int]:
    """What is committed now, read on a connection of its own, and how many memberships have an
    annotation count that differs from their rows (a half-written image)."""
    uneven = (
        "SELECT count(*) FROM od_dataset_images m WHERE m.annotation_count <> "
        "(SELECT count(*) FROM od_annotations a WHERE a.dataset_image_id = m.id)"
    )
    with ctx.db.engine.connect() as conn:
        return {
            "images": int(conn.scalar(text("SELECT count(*) FROM od_images")) or 0),
            "annotations": int(conn.scalar(text("SELECT count(*) FROM od_annotations")) or 0),
            "uneven": int(conn.scalar(text(uneven)) or 0),
        }


@contextmanager
def after_each_commit(
    ctx: AppContext, react: Callable[[dict[str, int]], None]
) -> Iterator[list[dict[str, int]]]:
    """Records the committed state after every commit of any session, and calls `react` with it after
    the commits of this thread (the import's, not its heartbeat's); not re-entered."""
    seen: list[dict[str, int]] = []
    busy = threading.local()
    mine = threading.get_ident()

    def observe(_: Session) -> None:
        if getattr(busy, "on", False):
            return
        busy.on = True
        try:
            state = _state(ctx)
            seen.append(state)
            if threading.get_ident() == mine:
                react(state)
        finally:
            busy.on = False

    event.listen(Session, "after_commit", observe)
    try:
        yield seen
    finally:
        event.remove(Session, "after_commit", observe)


def _journals(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ImportCommit)) or 0)


def test_a_large_import_commits_whole_images_in_transactions_of_bounded_size(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = _items(8)
    job_id = start_import(client, "coco", _archive(tmp_path, items), dataset_name="Big")

    with after_each_commit(ctx, lambda _: None) as seen:
        job = run_job(ctx, job_id)

    assert job.status == "succeeded", job.error
    assert job.result is not None and job.result["annotations"]["imported"] == 8 * BOXES
    added = [b["annotations"] - a["annotations"] for a, b in pairwise(seen)]
    # Never more than one batch of rows in one transaction: here one image and its boxes each time.
    assert max(added) <= BATCH_ROWS
    assert sorted(n for n in added if n) == [BOXES] * 8
    # Every committed image was whole: its membership's count always matched its rows.
    assert all(state["uneven"] == 0 for state in seen)
    assert (
        sorted(len(boxes) for boxes in dataset_boxes(ctx, job.result["dataset_id"]).values()) == [BOXES] * 8
    )
    assert _journals(ctx) == 0


def test_an_import_cancelled_between_batches_removes_what_it_had_committed(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    job_id = start_import(client, "coco", _archive(tmp_path, _items(8)), dataset_name="Big")

    def cancel_after_three_images(state: dict[str, int]) -> None:
        if state["annotations"] == 3 * BOXES and jobs.job_state(ctx.db, job_id)[0] == "running":  # type: ignore[index]
            with ctx.db.writer() as session:
                jobs.cancel_job(session, ctx.runner, job_id)

    with after_each_commit(ctx, cancel_after_three_images) as seen:
        job = run_job(ctx, job_id)

    assert job.status == "cancelled"
    assert max(state["annotations"] for state in seen) == 3 * BOXES  # it had committed three images
    assert_nothing_written(ctx)
    assert _journals(ctx) == 0


def test_a_failed_import_into_an_existing_dataset_leaves_it_as_it_was(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    first = run_job(ctx, start_import(client, "coco", _archive(tmp_path, _items(2), "first")))
    assert first.status == "succeeded" and first.result is not None, first.error
    dataset_id = first.result["dataset_id"]
    before_counts, before_boxes, before_keys = counts(ctx), dataset_boxes(ctx, dataset_id), stored_keys(ctx)
    # The same two images again (already in the dataset: their boxes are duplicates) and six new ones.
    archive = _archive(tmp_path, _items(8), "second")
    job_id = start_import(client, "coco", archive, dataset_id=dataset_id)

    failed: list[bool] = []

    def fail_after_two_new_images(state: dict[str, int]) -> None:
        if state["annotations"] == before_counts["annotations"] + 2 * BOXES and not failed:
            failed.append(True)
            raise RuntimeError("the database went away")

    with after_each_commit(ctx, fail_after_two_new_images):
        job = run_job(ctx, job_id)

    assert job.status == "failed" and "the database went away" in (job.error or "")
    assert counts(ctx) == before_counts
    assert dataset_boxes(ctx, dataset_id) == before_boxes
    assert _state(ctx)["uneven"] == 0
    assert sorted(stored_keys(ctx)) == sorted(before_keys)


def test_rows_of_an_import_whose_worker_died_between_batches_are_removed_by_the_sweep(
    client: TestClient, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = start_import(client, "coco", _archive(tmp_path, _items(6)), dataset_name="Big")
    # A worker that dies cannot clean up after itself: nothing is undone in the process.
    monkeypatch.setattr(commit, "undo_import", lambda db, token: False)

    died: list[bool] = []

    def die_after_two_images(state: dict[str, int]) -> None:
        if state["annotations"] == 2 * BOXES and not died:
            died.append(True)
            raise RuntimeError("killed")

    with after_each_commit(ctx, die_after_two_images):
        job = run_job(ctx, job_id)
    assert job.status == "failed"
    assert counts(ctx)["annotations"] == 2 * BOXES and _journals(ctx) == 1

    assert sweep_abandoned_imports(ctx.db, ctx.storage, [IMPORT_KIND]) == [job_id]

    assert_nothing_written(ctx)
    assert _journals(ctx) == 0


def test_the_job_is_succeeded_with_its_rows_even_if_the_worker_dies_right_after(
    client: TestClient, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = start_import(client, "coco", _archive(tmp_path, _items(3)), dataset_name="Small")

    def died(*_: Any, **__: Any) -> bool:
        raise SystemExit("the worker died before it could report the end of the job")

    monkeypatch.setattr(jobs, "finish_job", died)
    with pytest.raises(SystemExit):
        run_job(ctx, job_id)
    # The runner's recovery of the dead worker's jobs finds nothing to fail.
    with ctx.db.read() as session:
        worker = jobs.get_job(session, job_id).worker
    assert worker is not None
    assert jobs.recover_interrupted(ctx.db, "local", workers=[worker]).failed == []

    with ctx.db.read() as session:
        job = jobs.get_job(session, job_id)
    assert (job.status, job.error, job.stage) == ("succeeded", None, "imported")
    assert (
        job.result is not None and job.result["annotations"]["imported"] == counts(ctx)["annotations"] == 18
    )


def test_edits_beside_a_running_import_succeed_or_are_told_to_retry(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    job_id = start_import(client, "coco", _archive(tmp_path, _items(12)), dataset_name="Big")
    class_id = client.post("/api/v1/od/classes", json={"name": "edited"}).json()["id"]
    importing = threading.Thread(target=run_job, args=(ctx, job_id))
    answers: list[int] = []

    importing.start()
    while importing.is_alive() or not answers:
        answers.append(
            client.patch(
                f"/api/v1/od/classes/{class_id}", json={"description": f"edit {len(answers)}"}
            ).status_code
        )
    importing.join()

    assert set(answers) <= {200, 503} and 200 in answers
    assert jobs.job_state(ctx.db, job_id)[0] == "succeeded"  # type: ignore[index]


def test_a_class_deleted_between_batches_fails_the_import_and_leaves_no_row_pointing_at_it(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    """Foreign keys are checked once per transaction rather than per row on SQLite (db.bulk_writer):
    a class gone before a later batch still stops the import."""
    items = _items(6)
    for item in items[3:]:
        item.boxes = [Box("rare", b.x1, b.y1, b.x2, b.y2) for b in item.boxes]
    job_id = start_import(client, "coco", _archive(tmp_path, items), dataset_name="Big")

    def delete_rare_after_two_images(state: dict[str, int]) -> None:
        if state["annotations"] == 2 * BOXES:
            rare = "(SELECT id FROM od_classes WHERE name = 'rare')"
            with ctx.db.write() as session:
                for table in ("od_dataset_classes", "od_class_changes"):
                    session.execute(text(f"DELETE FROM {table} WHERE class_id IN {rare}"))  # noqa: S608
                session.execute(text("DELETE FROM od_classes WHERE name = 'rare'"))

    with after_each_commit(ctx, delete_rare_after_two_images):
        job = run_job(ctx, job_id)

    assert job.status == "failed" and job.error, job.error
    assert _state(ctx) == {"images": 0, "annotations": 0, "uneven": 0}
    with ctx.db.engine.connect() as conn:
        dangling = (
            "SELECT count(*) FROM od_annotations a LEFT JOIN od_classes c ON c.id = a.class_id "
            "WHERE c.id IS NULL"
        )
        assert conn.scalar(text(dangling)) == 0
    assert _journals(ctx) == 0
