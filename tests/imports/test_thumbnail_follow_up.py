"""An import stores its images without thumbnails and queues od.images.build_thumbnails with its last
transaction; the job renders and links them, keeps what other writers did meanwhile, and leaves no
file behind when it fails or is run again after a lost worker."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy import delete, select, update

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.images.models import Image
from shelfscope.od.images.staging import manifest_key
from shelfscope.od.images.thumbnails import THUMBNAILS_KIND, id_ranges, sweep_abandoned_thumbnails
from shelfscope.storage import new_key
from shelfscope.storage.local import LocalStorage
from tests.support.dataset_files import (
    Box,
    run_job,
    sample_items,
    start_import,
    stored_keys,
    write_coco,
    zip_folder,
)


def _thumbnail_jobs(ctx: AppContext) -> list[Job]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == THUMBNAILS_KIND).order_by(Job.id)))


def _images(ctx: AppContext) -> list[tuple[int, str | None]]:
    with ctx.db.read() as session:
        return [(r.id, r.thumbnail_key) for r in session.execute(select(Image.id, Image.thumbnail_key))]


def _import(client: TestClient, ctx: AppContext, tmp_path: Path, n: int = 5, **fields: Any) -> Job:
    job = run_job(
        ctx,
        start_import(client, "coco", zip_folder(write_coco(tmp_path / "coco", sample_items(n))), **fields),
    )
    assert job.status == "succeeded", job.error
    return job


def test_an_import_queues_one_thumbnail_job_that_renders_every_new_image(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    _import(client, ctx, tmp_path)

    images = _images(ctx)
    assert len(images) == 5 and all(key is None for _, key in images)
    [follow_up] = _thumbnail_jobs(ctx)
    assert follow_up.status == "queued" and follow_up.runner == ctx.settings.runner
    ids = sorted(i for i, _ in images)
    assert follow_up.payload == {"ranges": [[ids[0], ids[-1]]]} and ids == list(range(ids[0], ids[-1] + 1))
    # Meanwhile the thumbnail route renders one from the original.
    response = client.get(f"/api/v1/od/images/{images[0][0]}/thumbnail")
    assert response.status_code == 200 and response.content[:2] == b"\xff\xd8"

    done = run_job(ctx, follow_up.id)

    assert done.status == "succeeded", done.error
    assert done.result == {"rendered": 5, "skipped": 0, "failed": 0}
    keys = dict(_images(ctx))
    assert all(key is not None and key.startswith("thumbnails/") for key in keys.values())
    for key in keys.values():
        assert key is not None
        with PILImage.open(io.BytesIO(ctx.storage.read_bytes(key))) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) <= ctx.settings.thumbnail_size
    # The images and their thumbnails, nothing else (no manifest).
    assert sorted(stored_keys(ctx)) == sorted(
        [k for k in stored_keys(ctx) if k.startswith("images/")] + [k for k in keys.values() if k]
    )
    assert len(stored_keys(ctx)) == 10


def test_a_rejected_import_queues_no_thumbnail_job(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(3)
    items[1].boxes.append(Box("cola", 10, 10, 500, 500))  # outside its 64 x 48 image
    archive = zip_folder(write_coco(tmp_path / "coco", items))

    job = run_job(ctx, start_import(client, "coco", archive, on_invalid="fail"))

    assert job.status == "failed"
    assert _thumbnail_jobs(ctx) == [] and _images(ctx) == []


def test_reimporting_the_same_images_queues_no_second_job(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    _import(client, ctx, tmp_path)
    archive = zip_folder(write_coco(tmp_path / "again", sample_items(5)))
    again = run_job(ctx, start_import(client, "coco", archive))

    assert again.status == "succeeded" and again.result is not None
    assert again.result["images"]["reused"] == 5
    assert len(_thumbnail_jobs(ctx)) == 1


def test_the_job_keeps_a_thumbnail_given_meanwhile_and_skips_deleted_images(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    _import(client, ctx, tmp_path)
    [follow_up] = _thumbnail_jobs(ctx)
    (first, _), (second, _), *_ = sorted(_images(ctx))
    given = new_key("thumbnails", ".jpg")
    ctx.storage.put_bytes(given, b"\xff\xd8 a thumbnail the verify job made", "image/jpeg")
    with ctx.db.write() as session:
        session.execute(update(Image).where(Image.id == first).values(thumbnail_key=given))
        session.execute(delete(Image).where(Image.id == second))

    done = run_job(ctx, follow_up.id)

    assert done.result == {"rendered": 3, "skipped": 0, "failed": 0}
    keys = dict(_images(ctx))
    assert keys[first] == given
    # 4 images (one deleted row; its file is the test's leftover), 3 new thumbnails and the given one.
    assert len([k for k in stored_keys(ctx) if k.startswith("thumbnails/")]) == 4
    assert not any(k.startswith("imports/") for k in stored_keys(ctx))


def test_a_failing_write_leaves_no_thumbnail_file_and_a_rerun_finishes(
    client: TestClient, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(client, ctx, tmp_path)
    [follow_up] = _thumbnail_jobs(ctx)
    assert isinstance(ctx.storage, LocalStorage)
    real = LocalStorage.put_fresh
    written: list[str] = []

    def disk_full_after_two(
        self: LocalStorage, key: str, data: bytes, content_type: str | None = None
    ) -> None:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        real(self, key, data, content_type)
        written.append(key)

    monkeypatch.setattr(LocalStorage, "put_fresh", disk_full_after_two)
    failed = run_job(ctx, follow_up.id)

    assert failed.status == "failed" and "No space left" in (failed.error or "")
    assert written and not any(ctx.storage.exists(k) for k in written)
    assert not any(k.startswith(("thumbnails/", "imports/")) for k in stored_keys(ctx))
    assert all(key is None for _, key in _images(ctx))

    monkeypatch.setattr(LocalStorage, "put_fresh", real)
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == follow_up.id).values(status="queued", error=None))
    assert run_job(ctx, follow_up.id).status == "succeeded"
    assert all(key is not None for _, key in _images(ctx))


def test_a_run_after_a_lost_worker_removes_what_the_last_run_left_unlinked(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    _import(client, ctx, tmp_path)
    [follow_up] = _thumbnail_jobs(ctx)
    # What a run killed between writing a thumbnail and linking it leaves: the file and its manifest.
    orphan = new_key("thumbnails", ".jpg")
    ctx.storage.put_bytes(manifest_key(str(follow_up.id), 0), orphan.encode(), "text/plain")
    ctx.storage.put_fresh(orphan, b"\xff\xd8 half done", "image/jpeg")

    assert run_job(ctx, follow_up.id).status == "succeeded"

    assert not ctx.storage.exists(orphan)
    assert not any(k.startswith("imports/") for k in stored_keys(ctx))
    assert len([k for k in stored_keys(ctx) if k.startswith("thumbnails/")]) == 5


def test_the_sweep_removes_files_of_a_thumbnail_job_that_failed_for_good(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    _import(client, ctx, tmp_path)
    [follow_up] = _thumbnail_jobs(ctx)
    orphan = new_key("thumbnails", ".jpg")
    ctx.storage.put_bytes(manifest_key(str(follow_up.id), 0), orphan.encode(), "text/plain")
    ctx.storage.put_fresh(orphan, b"\xff\xd8 half done", "image/jpeg")
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == follow_up.id).values(status="failed"))

    assert sweep_abandoned_thumbnails(ctx.db, ctx.storage) == [follow_up.id]

    assert not ctx.storage.exists(orphan)
    assert not any(k.startswith("imports/") for k in stored_keys(ctx))
    assert sweep_abandoned_thumbnails(ctx.db, ctx.storage) == []


def test_id_ranges_are_runs_of_consecutive_ids() -> None:
    assert id_ranges([7, 1, 3, 2, 2, 9, 8]) == [(1, 3), (7, 9)]
    assert id_ranges([]) == []
