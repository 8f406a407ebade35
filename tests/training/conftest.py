"""Training test helpers: a dataset version built through the real import and version jobs from a
few synthetic images (shapes on real photos from ../shared/data), and a tiny RT-DETRv2 config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench.train_synthetic import write_set
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.training.models import TrainingRun
from tests.support.dataset_files import run_job, upload, zip_folder

# About 50 k parameters: two epochs on a handful of 64 px images take a few seconds.
TINY_RTDETR: dict[str, Any] = {
    "backbone": {
        "layer_type": "basic", "depths": [1, 1, 1, 1], "hidden_sizes": [8, 16, 32, 64], "embedding_size": 8,
    },
    "encoder_hidden_dim": 16, "d_model": 16, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
    "decoder_layers": 2,
    "num_queries": 20, "num_denoising": 5, "encoder_attention_heads": 2, "decoder_attention_heads": 2,
}  # fmt: skip


def tiny_config(**overrides: Any) -> dict[str, Any]:
    config = {
        "epochs": 2, "batch_size": 4, "image_size": 64, "learning_rate": 1e-3, "warmup_epochs": 0,
        "pretrained": False, "device": "cpu", "augmentation": "light", "patience": None,
        "model_overrides": TINY_RTDETR,
    }  # fmt: skip
    return config | overrides


def make_version(
    client: TestClient, ctx: AppContext, folder: Path, counts: dict[str, int], *, boxes: bool = True
) -> int:
    """Import a synthetic COCO set (splits recorded) and freeze it as a version; its id."""
    write_set(folder, counts, seed=sum(counts.values()), size=(96, 72))
    if not boxes:
        for path in (folder / "annotations").glob("*.json"):
            doc = json.loads(path.read_text())
            path.write_text(json.dumps(doc | {"annotations": []}))
    response = upload(client, "coco", zip_folder(folder))
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None, job.error
    dataset_id = int(job.result["dataset_id"])
    created = client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json={})
    assert created.status_code == 202, created.text
    built = run_job(ctx, created.json()["job"]["id"])
    assert built.status == "succeeded", built.error
    return int(created.json()["version"]["id"])


@pytest.fixture
def version_id(client: TestClient, ctx: AppContext, tmp_path: Path, shared_data: Path) -> int:
    return make_version(client, ctx, tmp_path / "set", {"train": 6, "val": 3, "test": 3})


def start(client: TestClient, version: int, **config: Any) -> dict[str, Any]:
    body = {"dataset_version_id": version, "architecture": "rtdetrv2-r18", "config": tiny_config(**config)}
    response = client.post("/api/v1/od/training", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def stored_counts(ctx: AppContext) -> tuple[int, int, int]:
    """Runs, jobs and models stored."""
    with ctx.db.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(TrainingRun)) or 0),
            int(
                session.scalar(select(func.count()).select_from(Job).where(Job.kind == "od.training.run"))
                or 0
            ),
            int(session.scalar(select(func.count()).select_from(TrainedModel)) or 0),
        )
