"""Runs trained for real: a tiny DINOv2 (hidden 32, 32 px) on real product photos from
../shared/data/products, through the API and the real job handler. Each epoch's FP16 checkpoint is
stored and the best flagged, the best is evaluated on the test products, a model registers from it and
loads; broken and missing images are skipped and listed, storage timeouts are retried, a failure marks
the run failed with the reason, a cancel keeps the checkpoints and a resume trains the remaining epochs,
and a dead worker's run resumes after its last epoch."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.pr.products.models import ProductImage
from shelfscope.pr.training.events import RunSink
from shelfscope.pr.training.models import PrTrainingImage
from tests.pr.training.helpers import start, store_products
from tests.support.dataset_files import run_job
from tests.support.jobs import wait_for
from tests.support.tiny_embedders import install_tiny_embedder

NAMES = [
    "gsd_Arla-Ecological-Medium-Fat-Milk",
    "gsd_Arla-Lactose-Medium-Fat-Milk",
    "gsd_Arla-Medium-Fat-Milk",
    "gsd_Arla-Standard-Milk",
    "gsd_Bravo-Apple-Juice",
    "gsd_Bravo-Orange-Juice",
]
TINY: dict[str, Any] = {
    "epochs": 2,
    "embedding_dim": 16,
    "image_size": 32,
    "products_per_batch": 2,
    "images_per_product": 2,
    "batches_per_epoch": 2,
    "warmup_epochs": 0,
    "patience": 0,
    "augmentation": False,
    "device": "cpu",
}


@pytest.fixture
def catalogue(ctx: AppContext, shared_data: Path) -> dict[str, int]:
    """Six products with 1 studio packshot (synthetic) and 4 store photos (real) each."""
    install_tiny_embedder(ctx.settings, "dinov2-small")
    return store_products(ctx, shared_data, NAMES, 5)


def _start(client: TestClient, **config: Any) -> tuple[int, int]:
    created = start(client, name="tiny", config=TINY | config)
    return int(created["run"]["id"]), int(created["job"]["id"])


def _logs(ctx: AppContext, job_id: int) -> list[str]:
    with ctx.db.read() as session:
        return [
            str(e.message)
            for e in session.scalars(
                select(JobEvent)
                .where(JobEvent.job_id == job_id, JobEvent.type == "log")
                .order_by(JobEvent.id)
            )
        ]


def test_a_run_trains_keeps_fp16_checkpoints_evaluates_the_best_and_registers_a_model(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], tmp_path: Path
) -> None:
    run_id, job_id = _start(client)
    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    assert run["status"] == "succeeded" and run["progress"] == 1.0 and run["current_epoch"] == 2
    assert run["finished_at"] and run["error"] is None and run["data_summary"]["skipped"] == []
    # Epoch 0 is the random start; each epoch has its loss broken down and its learning rate.
    history = run["metrics_history"]
    assert [h["epoch"] for h in history] == [0, 1, 2]
    for row in history[1:]:
        assert {"loss", "loss_arcface", "loss_triplet", "loss_domain", "lr", "backbone_lr"} <= set(row)
        assert {"val_recall_at_1", "val_recall_at_5", "val_map_at_r", "seconds", "mixed_precision"} <= set(
            row
        )
        assert row["loss"] > 0 and row["mixed_precision"] == 0

    checkpoints = client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()
    assert [c["epoch"] for c in checkpoints] == [1, 2] and sum(c["is_best"] for c in checkpoints) == 1
    best = next(c for c in checkpoints if c["is_best"])
    assert run["best_epoch"] == best["epoch"]
    assert best["metrics"]["val_recall_at_1"] == max(c["metrics"]["val_recall_at_1"] for c in checkpoints)
    import torch

    for c in checkpoints:
        key = f"checkpoints/pr/{run_id}/epoch-{c['epoch']:04d}.pt"
        assert ctx.storage.size(key) == c["size_bytes"]
        local = tmp_path / f"{c['epoch']}.pt"
        ctx.storage.download_to(key, local)
        payload = torch.load(local, map_location="cpu", weights_only=False)
        assert payload["format"] == "shelfscope.embedding/1" and payload["epoch"] == c["epoch"]
        floats = [t for t in payload["state_dict"].values() if t.is_floating_point()]
        assert floats and all(t.dtype == torch.float16 for t in floats)

    evaluation = client.get(f"/api/v1/pr/training/{run_id}/evaluation").json()
    assert evaluation["status"] == "succeeded" and evaluation["checkpoint_id"] == best["id"]
    assert evaluation["metrics"]["products"] == 2 and evaluation["metrics"]["images"] == 10
    assert 0 <= evaluation["metrics"]["recall_at_1"] <= 1
    report = evaluation["report"]
    # Both directions between the packshots and the store photos.
    assert {(d["query_domain"], d["gallery_domain"]) for d in report["cross_domain"]} == {
        ("real", "synthetic"),
        ("synthetic", "real"),
    }
    test_images = {
        i["product_image_id"]
        for i in client.get(f"/api/v1/pr/training/{run_id}/images", params={"split": "test"}).json()["items"]
    }
    assert report["hard_cases"] and {h["image_id"] for h in report["hard_cases"]} <= test_images
    assert report["per_category"]

    model = client.post("/api/v1/pr/models", json={"checkpoint_id": best["id"], "name": "tiny v1"}).json()
    assert model["status"] == "ready" and model["test_metrics"] == evaluation["metrics"]
    assert model["embedding_dim"] == 16 and model["image_size"] == 32 and model["backbone"] == "dinov2-small"
    assert model["preprocessing"]["resize"] == "pad_square" and model["preprocessing"]["image_size"] == 32
    from PIL import Image

    from shelfscope.ml.embeddings.checkpoint import load_embedder

    file = tmp_path / "model.pt"
    ctx.storage.download_to(f"models/pr/{model['id']}/model.pt", file)
    vectors = load_embedder(file).embed([Image.new("RGB", (50, 40), (200, 30, 30))])
    assert vectors.shape == (1, 16) and abs(float((vectors**2).sum()) - 1.0) < 1e-4

    logs = _logs(ctx, job_id)
    assert any(m.startswith("epoch 2/2") for m in logs) and any("is the best so far" in m for m in logs)
    with ctx.db.read() as session:
        names = set(
            session.scalars(select(JobEvent.name).where(JobEvent.job_id == job_id, JobEvent.type == "metric"))
        )
    assert {"train/loss", "loss_arcface", "val_recall_at_1", "lr"} <= names


def test_broken_and_missing_images_are_skipped_and_listed(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    run_id, job_id = _start(client, epochs=1)
    with ctx.db.read() as session:
        train = list(
            session.scalars(
                select(PrTrainingImage).where(
                    PrTrainingImage.run_id == run_id, PrTrainingImage.split == "train"
                )
            )
        )
    broken, missing = train[0], train[5]
    ctx.storage.put_bytes(broken.storage_key, b"\xff\xd8 not a jpeg at all")
    ctx.storage.delete(missing.storage_key)
    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    summary = client.get(f"/api/v1/pr/training/{run_id}").json()["data_summary"]
    reasons = {s["image_id"]: s["reason"] for s in summary["skipped"]}
    assert (
        set(reasons) == {broken.product_image_id, missing.product_image_id} and summary["skipped_count"] == 2
    )
    assert reasons[missing.product_image_id] == "missing from storage"
    assert logs_mention(ctx, job_id, f"image {missing.product_image_id} is missing")


def logs_mention(ctx: AppContext, job_id: int, text: str) -> bool:
    return any(text in m for m in _logs(ctx, job_id))


class FlakyStorage:
    """The run's storage with a network that times out: the first read of some images and the first
    store of each checkpoint fail once, as a dropped connection does."""

    def __init__(self, inner: Any, flaky_reads: set[str]) -> None:
        self._inner = inner
        self._reads = set(flaky_reads)
        self._writes: set[str] = set()
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def download_to(self, key: str, path: Path) -> None:
        if key in self._reads:
            self._reads.discard(key)
            self.failures += 1
            raise TimeoutError(f"read of {key} timed out")
        self._inner.download_to(key, path)

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        if key.startswith("checkpoints/") and key not in self._writes:
            self._writes.add(key)
            self.failures += 1
            raise ConnectionResetError("connection reset by peer")
        self._inner.put_file(key, path, content_type)


def test_storage_timeouts_are_retried_with_backoff_and_the_run_succeeds(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    run_id, job_id = _start(client, epochs=1)
    with ctx.db.read() as session:
        keys = list(
            session.scalars(select(PrTrainingImage.storage_key).where(PrTrainingImage.run_id == run_id))
        )
    flaky = FlakyStorage(ctx.storage, set(keys[:2]))
    job = run_job_inline(ctx.settings, ctx.db, flaky, job_id)
    assert job.status == "succeeded", job.error
    assert flaky.failures == 3
    retried = [m for m in _logs(ctx, job_id) if "try 2 of 3 in 0.5 s" in m]
    assert len(retried) == 3 and any("TimeoutError" in m for m in retried)
    assert client.get(f"/api/v1/pr/training/{run_id}").json()["data_summary"]["skipped"] == []
    assert ctx.storage.exists(f"checkpoints/pr/{run_id}/epoch-0001.pt")


def test_a_failing_job_marks_the_run_failed_with_why(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    run_id, job_id = _start(client)
    # Every val image gone: the val split has no product left to validate on.
    with ctx.db.read() as session:
        val = list(
            session.scalars(
                select(PrTrainingImage.storage_key).where(
                    PrTrainingImage.run_id == run_id, PrTrainingImage.split == "val"
                )
            )
        )
    for key in val:
        ctx.storage.delete(key)
    job = run_job(ctx, job_id)
    assert job.status == "failed"
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    assert run["status"] == "failed" and "val split has 0 product" in run["error"] and run["finished_at"]


def test_a_cancel_keeps_the_checkpoints_and_a_resume_trains_the_remaining_epochs(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    run_id, job_id = _start(client, epochs=100, batches_per_epoch=1)
    worker = threading.Thread(target=run_job, args=(ctx, job_id))
    worker.start()
    try:
        wait_for(
            lambda: client.get(f"/api/v1/pr/training/{run_id}").json()["current_epoch"] >= 1,
            timeout=60,
            what="a first epoch",
        )
        assert client.post(f"/api/v1/pr/training/{run_id}/cancel").status_code == 202
    finally:
        worker.join(60)
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    assert run["status"] == "cancelled" and 1 <= run["current_epoch"] < 100
    done = run["current_epoch"]
    checkpoints = client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()
    assert [c["epoch"] for c in checkpoints] == list(range(1, done + 1))
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "cancelled"

    resumed = client.post(f"/api/v1/pr/training/{run_id}/resume", json={"epochs": done + 1}).json()
    assert resumed["remaining_epochs"] == 1 and resumed["start_epoch"] == done + 1
    second = run_job(ctx, resumed["job"]["id"])
    assert second.status == "succeeded", second.error
    assert logs_mention(ctx, second.id, f"resuming after epoch {done} from its checkpoint; 1 epoch left")
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    assert run["status"] == "succeeded" and run["current_epoch"] == done + 1
    assert [h["epoch"] for h in run["metrics_history"]][-2:] == [done, done + 1]
    assert len(client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()) == done + 1


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing in the job machinery catches it."""


def test_a_dead_workers_run_resumes_after_its_last_epoch(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, job_id = _start(client)
    original = RunSink.epoch

    def dies_after_epoch_1(self: RunSink, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None:
        original(self, epoch, metrics, checkpoint)
        if epoch == 1 and self.ctx.attempt == 1:
            raise WorkerDied()

    monkeypatch.setattr(RunSink, "epoch", dies_after_epoch_1)
    with pytest.raises(WorkerDied):
        run_job(ctx, job_id)
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "running"
        worker = str(job.worker)
    recovery = jobs.recover_interrupted(ctx.db, ctx.runner.name, workers=[worker])
    assert recovery.requeued == [job_id]
    job = run_job(ctx, job_id)
    assert job.status == "succeeded" and job.attempt == 2, job.error
    assert logs_mention(ctx, job_id, "resuming after epoch 1 from its checkpoint; 1 epoch left (attempt 2)")
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    # One row per epoch; no epoch-0 baseline here: train() returns it only to the attempt that started
    # at epoch 1, and that attempt died.
    assert [h["epoch"] for h in run["metrics_history"]] == [1, 2] and run["status"] == "succeeded"


def test_an_evaluation_job_and_a_comparison_job_run_on_real_checkpoints(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    run_id, job_id = _start(client)
    assert run_job(ctx, job_id).status == "succeeded"
    checkpoints = client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()
    other = next(c for c in checkpoints if not c["is_best"])
    # Registering the unevaluated checkpoint queues its evaluation; the job gives the model its metrics.
    waiting = client.post("/api/v1/pr/models", json={"checkpoint_id": other["id"], "name": "other"}).json()
    assert waiting["status"] == "evaluating"
    with ctx.db.read() as session:
        evaluation_job = session.scalars(select(Job).where(Job.kind == "pr.evaluation.run")).one()
    assert run_job(ctx, evaluation_job.id).status == "succeeded"
    ready = client.get(f"/api/v1/pr/models/{waiting['id']}").json()
    assert ready["status"] == "ready" and ready["test_metrics"]["images"] == 10
    shown = client.get(f"/api/v1/pr/evaluations/{ready['evaluation_id']}").json()
    assert (
        shown["status"] == "succeeded"
        and shown["epoch"] == other["epoch"]
        and shown["report"]["cross_domain"]
    )

    best = next(c for c in checkpoints if c["is_best"])
    first = client.post("/api/v1/pr/models", json={"checkpoint_id": best["id"], "name": "best"}).json()
    queued = client.post(
        "/api/v1/pr/models/compare", json={"model_ids": [first["id"], waiting["id"]], "queries": 3}
    )
    compare = run_job(ctx, queued.json()["job"]["id"])
    assert compare.status == "succeeded", compare.error
    result = compare.result
    assert result is not None and result["gallery"]["source"] == "shared_test"
    assert [m["id"] for m in result["models"]] == [first["id"], waiting["id"]]
    assert result["metric_names"] == ["recall_at_1", "recall_at_5", "recall_at_10", "map_at_r"]
    assert len(result["queries"]) == 3
    for query in result["queries"]:
        assert set(query["results"]) == {str(first["id"]), str(waiting["id"])}
        for hits in query["results"].values():
            assert len(hits) == 5 and query["image_id"] not in {h["image_id"] for h in hits}
            assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    with ctx.db.read() as session:
        product_of = {i: p for i, p in session.execute(select(ProductImage.id, ProductImage.product_id))}
    assert all(product_of[q["image_id"]] == q["product_id"] for q in result["queries"])
