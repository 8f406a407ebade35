"""AI test helpers: the annotate request, running its job inline, the stored proposals, a slowed
detector (to cancel or kill a run half way) and a detector with fixed outputs (labels named by the
model, as Florence-2 does)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job
from shelfscope.ml import cache
from shelfscope.ml.catalogue import ModelSpec
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors import loader
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from tests.support.annotations import Scene

GD = "grounding-dino-tiny"


def annotate_body(scene: Scene, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dataset_id": scene.dataset_id,
        "model": GD,
        "prompts": [{"text": "cola"}, {"text": "fanta"}],
        "threshold": 0.3,
    }
    return {**body, **overrides}


def run_job(ctx: AppContext, job_id: int) -> Job:
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def annotate(client: TestClient, ctx: AppContext, body: dict[str, Any]) -> Job:
    response = client.post("/api/v1/od/ai/annotate", json=body)
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)
    return job


def rows(ctx: AppContext, dataset_id: int | None = None) -> list[dict[str, Any]]:
    """Every stored annotation (of one dataset), with its image's library id, in id order."""
    with ctx.db.read() as session:
        stmt = select(Annotation, DatasetImage.image_id).join(
            DatasetImage, DatasetImage.id == Annotation.dataset_image_id
        )
        if dataset_id is not None:
            stmt = stmt.where(Annotation.dataset_id == dataset_id)
        return [
            {
                "id": a.id,
                "image_id": image_id,
                "class_id": a.class_id,
                "box": (a.x1, a.y1, a.x2, a.y2),
                "source": a.source,
                "review_state": a.review_state,
                "review_edited": a.review_edited,
                "confidence": a.confidence,
                "model": a.model,
                "updated_at": a.updated_at,
            }
            for a, image_id in session.execute(stmt.order_by(Annotation.id))
        ]


def revisions(ctx: AppContext, dataset_id: int) -> dict[int, int]:
    with ctx.db.read() as session:
        found = session.execute(
            select(DatasetImage.image_id, DatasetImage.revision).where(DatasetImage.dataset_id == dataset_id)
        )
        return {int(i): int(r) for i, r in found}


def job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def forget_loaded_detectors() -> None:
    """Tests install tiny models in their own folders: no detector from an earlier test is reused."""
    if cache._process_cache is not None:
        cache._process_cache.drop("detector:")


class SlowDetector:
    """Wraps a real detector: each call first sleeps (so a run can be cancelled or killed half way)."""

    def __init__(self, inner: Detector, delay_s: float, batch_size: int) -> None:
        self.inner = inner
        self.key = inner.key
        self.delay_s = delay_s
        self.batch_size = batch_size

    @property
    def memory_bytes(self) -> int:
        return self.inner.memory_bytes

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        return input_size(self.inner, width, height)

    def predict(
        self, images: Sequence[PILImage.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        time.sleep(self.delay_s)
        return self.inner.predict(images, prompts, threshold)


def install_slow_grounding_dino(delay_s: float, batch_size: int) -> loader.DetectorFactory:
    """Every grounding-dino model loads slowed; returns the factory it replaced."""
    original = loader.FACTORIES["grounding-dino"]

    def slowed(spec: ModelSpec, folder: Path, device: torch.device) -> Detector:
        return SlowDetector(original(spec, folder, device), delay_s, batch_size)

    loader.register_factory("grounding-dino", slowed)
    return original


@contextmanager
def slow_grounding_dino(delay_s: float, batch_size: int) -> Iterator[None]:
    original = install_slow_grounding_dino(delay_s, batch_size)
    forget_loaded_detectors()
    try:
        yield
    finally:
        loader.register_factory("grounding-dino", original)
        forget_loaded_detectors()


class NamingDetector:
    """Fixed boxes whose labels the 'model' chose itself (prompt_index -1), like Florence-2's <OD>."""

    def __init__(self, key: str, labels: Sequence[str]) -> None:
        self.key = key
        self.labels = list(labels)
        self.memory_bytes = 1

    def predict(
        self, images: Sequence[PILImage.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        count = len(self.labels)
        boxes = np.array([[10 + 60 * i, 10, 60 + 60 * i, 80] for i in range(count)], dtype=np.float32)
        found = Detections(
            boxes, np.full(count, 0.9, np.float32), tuple(self.labels), np.full(count, -1, np.int32)
        )
        return [found for _ in images]


@contextmanager
def naming_detector(family: str, labels: Sequence[str]) -> Iterator[None]:
    original = loader.FACTORIES[family]
    loader.register_factory(family, lambda spec, folder, device: NamingDetector(spec.key, labels))
    forget_loaded_detectors()
    try:
        yield
    finally:
        loader.register_factory(family, original)
        forget_loaded_detectors()


def detect_over_http(client: TestClient, ctx: AppContext, body: dict[str, Any]) -> Any:
    """POST /od/ai/detect while this thread plays the worker: the request submits a job and waits for
    it; the job is run inline here (the test app starts no workers)."""
    answer: list[Any] = []
    request = threading.Thread(target=lambda: answer.append(client.post("/api/v1/od/ai/detect", json=body)))
    request.start()
    deadline = time.monotonic() + 30
    job_id = None
    while job_id is None and request.is_alive() and time.monotonic() < deadline:
        with ctx.db.read() as session:
            job_id = session.scalar(
                select(Job.id).where(Job.kind == "od.ai.detect.run", Job.status == "queued")
            )
        time.sleep(0.02)
    if job_id is not None:
        run_job(ctx, job_id)
    request.join(60)
    assert answer, "the detect request did not answer"
    return answer[0]


def cancel(ctx: AppContext, job_id: int) -> None:
    with ctx.db.writer() as session:
        jobs.cancel_job(session, ctx.runner, job_id)
