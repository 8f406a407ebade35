"""od.images.verify: every stored image is re-hashed; missing and altered objects are reported by id and
key; missing thumbnails are rebuilt; the endpoint starts it as a job."""

from __future__ import annotations

import io
from dataclasses import dataclass

from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy import func, select, update

from shelfscope.context import AppContext
from shelfscope.jobs import service
from shelfscope.jobs.executor import WorkerEnv, run_claimed_job, run_job_inline
from shelfscope.jobs.models import Job
from shelfscope.od.images.ingest import ingest_stream
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import VERIFY_KIND


@dataclass(frozen=True)
class Stored:
    id: int
    key: str
    thumbnail_key: str


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (64, 48), (seed * 40 % 256, 90, 200 - seed)).save(out, "JPEG")
    return out.getvalue()


def store_images(ctx: AppContext, count: int) -> list[Stored]:
    stored = []
    with ctx.db.write() as session:
        for i in range(count):
            result = ingest_stream(session, ctx.storage, ctx.settings, io.BytesIO(jpeg(i)), f"shelf-{i}.jpg")
            assert result.image.thumbnail_key is not None
            stored.append(Stored(result.image.id, result.image.storage_key, result.image.thumbnail_key))
    return stored


def submit_verify(ctx: AppContext, payload: dict[str, object] | None = None) -> int:
    with ctx.db.writer() as session:
        return service.submit_job(session, ctx.runner, VERIFY_KIND, payload or {}, None).id


def job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def logs(ctx: AppContext, job_id: int) -> list[str]:
    with ctx.db.read() as session:
        return [e.message or "" for e in service.list_events(session, job_id, "log", limit=1000).items]


def test_verify_reports_missing_and_altered_images_and_rebuilds_thumbnails(ctx: AppContext) -> None:
    ok, missing, altered, lost_thumb, no_thumb = store_images(ctx, 5)
    ctx.storage.delete(missing.key)
    ctx.storage.put_bytes(altered.key, b"not the bytes that were uploaded")
    ctx.storage.delete(lost_thumb.thumbnail_key)
    with ctx.db.write() as session:
        session.execute(update(Image).where(Image.id == no_thumb.id).values(thumbnail_key=None))
    ctx.storage.delete(no_thumb.thumbnail_key)

    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, submit_verify(ctx))

    assert job.status == "succeeded", job.error
    assert job.result == {"checked": 5, "ok": 3, "missing": 1, "hash_mismatch": 1, "thumbnails_rebuilt": 2}
    assert job.progress == 1.0
    lines = logs(ctx, job.id)
    assert f"image {missing.id}: stored object {missing.key} is missing" in lines
    altered_line = f"image {altered.id}: stored object {altered.key} has sha256"
    assert any(line.startswith(altered_line) for line in lines)
    # The lost thumbnail is back under its old key; the unlinked one got a new key.
    assert ctx.storage.read_bytes(lost_thumb.thumbnail_key)[:2] == b"\xff\xd8"
    with ctx.db.read() as session:
        relinked = session.get(Image, no_thumb.id)
        assert relinked is not None and relinked.thumbnail_key is not None
        assert relinked.thumbnail_key != no_thumb.thumbnail_key
    assert ctx.storage.read_bytes(relinked.thumbnail_key)[:2] == b"\xff\xd8"
    assert ctx.storage.exists(ok.thumbnail_key)


def test_verify_checks_only_the_given_ids_and_leaves_thumbnails_when_asked(ctx: AppContext) -> None:
    first, second, third = store_images(ctx, 3)
    ctx.storage.delete(second.thumbnail_key)
    ctx.storage.delete(third.key)

    job_id = submit_verify(ctx, {"image_ids": [second.id, first.id, 999_999], "rebuild_thumbnails": False})
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)

    assert job.result == {"checked": 2, "ok": 2, "missing": 0, "hash_mismatch": 0, "thumbnails_rebuilt": 0}
    assert not ctx.storage.exists(second.thumbnail_key)
    assert "1 of the requested image ids do not exist" in logs(ctx, job_id)


def test_verify_can_re_render_every_thumbnail_at_a_new_size(ctx: AppContext) -> None:
    images = store_images(ctx, 3)
    before = {i.id: ctx.storage.read_bytes(i.thumbnail_key) for i in images}
    ctx.settings.thumbnail_size = 32

    job = run_job_inline(
        ctx.settings, ctx.db, ctx.storage, submit_verify(ctx, {"regenerate_thumbnails": True})
    )

    assert job.result == {"checked": 3, "ok": 3, "missing": 0, "hash_mismatch": 0, "thumbnails_rebuilt": 3}
    for image in images:
        after = ctx.storage.read_bytes(image.thumbnail_key)
        assert after != before[image.id]
        with PILImage.open(io.BytesIO(after)) as thumb:
            assert max(thumb.size) == 32


def test_verify_stops_between_images_when_cancelled(ctx: AppContext) -> None:
    store_images(ctx, 3)
    job_id = submit_verify(ctx)
    env = WorkerEnv(settings=ctx.settings, db=ctx.db, storage=ctx.storage, worker_id="test:1")
    assert service.claim_job(ctx.db, job_id, env.worker_id)
    with ctx.db.writer() as session:
        service.cancel_job(session, ctx.runner, job_id)

    run_claimed_job(env, job_id, hard_stop=None)

    with ctx.db.read() as session:
        job = service.get_job(session, job_id)
    assert (job.status, job.result) == ("cancelled", None)
    assert not any(line.startswith("checked ") for line in logs(ctx, job_id))


def test_verify_endpoint_starts_a_job(client: TestClient, ctx: AppContext) -> None:
    response = client.post("/api/v1/od/images/verify", json={"image_ids": [3, 1]})

    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert (job["kind"], job["status"]) == ("od.images.verify", "queued")
    assert job["payload"] == {"rebuild_thumbnails": True, "regenerate_thumbnails": False, "image_ids": [3, 1]}
    assert job["created_by"] is not None


def test_verify_endpoint_without_a_body_checks_everything(client: TestClient) -> None:
    response = client.post("/api/v1/od/images/verify")

    assert response.status_code == 202, response.text
    assert response.json()["job"]["payload"] == {
        "rebuild_thumbnails": True,
        "regenerate_thumbnails": False,
        "image_ids": None,
    }


def test_verify_endpoint_refuses_a_bad_payload_and_starts_nothing(
    client: TestClient, ctx: AppContext
) -> None:
    response = client.post("/api/v1/od/images/verify", json={"image_ids": "all"})

    assert response.status_code == 422
    assert response.json()["error"] == "ValidationFailed"
    assert "image_ids" in response.json()["detail"]
    assert job_count(ctx) == 0


def test_viewers_cannot_start_a_verify(viewer_client: TestClient, ctx: AppContext) -> None:
    response = viewer_client.post("/api/v1/od/images/verify", json={})

    assert response.status_code == 403
    assert job_count(ctx) == 0
