"""A run stopped half way: cancelled, it stops within one batch and every image is either whole or
untouched; its worker killed, the job is requeued and resumes after the last image it committed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.ai.schemas import AnnotateIn
from shelfscope.od.ai.service import start_annotate
from tests.support.ai import (
    GD,
    annotate,
    annotate_body,
    cancel,
    revisions,
    rows,
    run_job,
    slow_grounding_dino,
)
from tests.support.annotations import Scene, make_scene
from tests.support.jobs import Harness, wait_for
from tests.support.tiny_models import install_tiny_model

IMAGES = 8


def _boxes_by_image(ctx: AppContext, dataset_id: int) -> dict[int, list[tuple[Any, ...]]]:
    """Each image's proposals as (class, rounded box, confidence), sorted: comparable across datasets."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    for r in rows(ctx, dataset_id):
        found.setdefault(r["image_id"], []).append(
            (r["class_id"], tuple(round(v, 2) for v in r["box"]), round(r["confidence"], 4))
        )
    return {k: sorted(v) for k, v in found.items()}


def _reference(client: TestClient, ctx: AppContext, scene: Scene) -> dict[int, list[tuple[Any, ...]]]:
    """What a complete run stores per image: the same images in a second dataset, run to the end."""
    response = client.post("/api/v1/od/datasets", json={"name": "Reference"})
    assert response.status_code == 201, response.text
    dataset_id = response.json()["id"]
    added = client.post(f"/api/v1/od/datasets/{dataset_id}/images", json={"image_ids": scene.image_ids})
    assert added.status_code in (200, 201), added.text
    annotate(client, ctx, {**annotate_body(scene), "dataset_id": dataset_id})
    return _boxes_by_image(ctx, dataset_id)


@pytest.fixture
def big_scene(ctx: AppContext) -> Scene:
    install_tiny_model(ctx.settings, GD)
    return make_scene(ctx, images=IMAGES)


def test_a_cancel_stops_within_one_batch_and_leaves_every_image_whole_or_untouched(
    client: TestClient, ctx: AppContext, big_scene: Scene
) -> None:
    scene = big_scene
    # One image per model call in both runs: a batch's composition (which depends on how fast images
    # are decoded) changes a random tiny model's near-tied boxes, and this test compares exact boxes.
    with slow_grounding_dino(delay_s=0.0, batch_size=1):
        expected = _reference(client, ctx, scene)
    before = revisions(ctx, scene.dataset_id)
    with slow_grounding_dino(delay_s=0.4, batch_size=1):
        job_id = client.post("/api/v1/od/ai/annotate", json=annotate_body(scene)).json()["job"]["id"]
        worker = threading.Thread(target=run_job, args=(ctx, job_id))
        worker.start()
        status = wait_for(
            lambda: (s := client.get(f"/api/v1/od/ai/annotate/{job_id}").json())["images_done"] >= 2 and s,
            what="two images done",
        )
        cancel(ctx, job_id)
        done_at_cancel = client.get(f"/api/v1/od/ai/annotate/{job_id}").json()["images_done"]
        worker.join(60)

    final = client.get(f"/api/v1/od/ai/annotate/{job_id}").json()
    assert final["job"]["status"] == "cancelled"
    assert status["images_done"] <= final["images_done"] <= done_at_cancel + 2
    assert final["images_done"] < IMAGES
    stored = _boxes_by_image(ctx, scene.dataset_id)
    after = revisions(ctx, scene.dataset_id)
    done = scene.image_ids[: final["images_done"]]
    for image_id in scene.image_ids:
        if image_id in done:
            assert stored.get(image_id, []) == expected.get(image_id, [])
        else:
            assert image_id not in stored and after[image_id] == before[image_id]


@pytest.fixture
def harness(settings: Settings) -> Iterator[Harness]:
    """Real worker processes that load the slowed tiny detector (tests.support.slow_ai_jobs)."""
    ctx = AppContext.from_settings(
        settings.model_copy(update={"job_modules": ["tests.support.slow_ai_jobs"]})
    )
    try:
        ctx.runner.start()
        h = Harness("local", ctx)
        h.wait_workers()
        yield h
    finally:
        ctx.close()


def test_a_killed_worker_is_replaced_and_the_run_resumes_after_its_last_committed_image(
    harness: Harness, client: TestClient, ctx: AppContext
) -> None:
    install_tiny_model(ctx.settings, GD)
    scene = make_scene(ctx, images=IMAGES)
    expected = _reference(client, ctx, scene)
    with ctx.db.writer() as session:
        # What the API does, with the harness's runner (its workers are started).
        body = AnnotateIn.model_validate(annotate_body(scene))
        job_id = start_annotate(session, harness.ctx.runner, ctx.settings, body, None).id
    wait_for(
        lambda: (harness.job(job_id).result or {}).get("images_done", 0) >= 2,
        timeout=90,
        what="two images committed",
        explain=harness.explain(job_id),
    )
    harness.kill_workers()
    job: Job = harness.wait_status(job_id, "succeeded", "failed", timeout=120)

    assert job.status == "succeeded", harness.explain(job_id)()
    assert job.attempt == 2
    assert job.result is not None and job.result["images_done"] == IMAGES
    assert any("resuming after" in line for line in harness.logs(job_id))
    assert _boxes_by_image(ctx, scene.dataset_id) == expected
    # Each image was written once: the resumed run skipped the images the first one committed.
    assert set(revisions(ctx, scene.dataset_id).values()) <= {0, 1}
