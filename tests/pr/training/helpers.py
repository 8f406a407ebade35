"""PR training test helpers: catalogue rows (with video frames) written straight into the tables, the
shared products' real photos stored through the products part, a run started through the API, and a
finished run's checkpoints as the worker leaves them (for the registry tests that need no training)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.evaluation.models import PrEvaluation
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product, ProductImage, ProductVideo
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingImage, PrTrainingRun
from shelfscope.pr.training.service import checkpoint_key

MODEL_INFO = {
    "format": "shelfscope.embedding/1",
    "backbone": "dinov2-small",
    "family": "dinov2",
    "embedding_dim": 16,
    "image_size": 28,
    "preprocessing": {"resize": "pad_square", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
}


def image_row(product_id: int, domain: str, **fields: Any) -> ProductImage:
    token = uuid.uuid4().hex
    return ProductImage(
        product_id=product_id,
        domain=domain,
        source=fields.pop("source", "upload"),
        storage_key=f"pr_images/{token[:2]}/{token}.jpg",
        filename=f"{token[:6]}.jpg",
        content_hash=token * 2,
        width=10,
        height=10,
        format="JPEG",
        size_bytes=100,
        **fields,
    )


def write_catalogue(ctx: AppContext, spec: Mapping[str, Mapping[str, int]], **fields: Any) -> dict[str, int]:
    """Products by SKU with `n` image rows per domain ({"A": {"real": 3}}), no files; {sku: id}."""
    ids = {}
    with ctx.db.write() as session:
        for sku, domains in spec.items():
            product = Product(sku=sku, name=f"Product {sku}", image_count=sum(domains.values()), **fields)
            session.add(product)
            session.flush()
            ids[sku] = product.id
            for domain, n in domains.items():
                for _ in range(n):
                    session.add(image_row(product.id, domain))
    return ids


def add_video_frames(ctx: AppContext, product_id: int, frames: int, mode: str = "interval") -> list[int]:
    """A video of `product_id` whose `frames` frames are synthetic images (frame_index 0..n-1)."""
    with ctx.db.write() as session:
        video = ProductVideo(
            product_id=product_id,
            filename="clip.mp4",
            content_hash=uuid.uuid4().hex * 2,
            size_bytes=1000,
            format="mp4",
            frame_policy={"mode": mode},
            status="ready",
            frames_extracted=frames,
        )
        session.add(video)
        session.flush()
        rows = [
            image_row(product_id, "synthetic", source="video", video_id=video.id, frame_index=i)
            for i in range(frames)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def store_products(
    ctx: AppContext, shared_data: Path, names: Sequence[str], per_product: int
) -> dict[str, int]:
    """The first `per_product` photos (studio, then store, then shelf) of each named product of
    ../shared/data/products, stored through add_product_image; {name: product id}."""
    root = shared_data / "products"
    domains = (("studio", "synthetic"), ("store", "real"), ("shelf", "cutout"))
    ids = {}
    with ctx.db.writer() as session:
        for name in names:
            product = Product(sku=name, name=name, category="milk" if "Milk" in name else "other")
            session.add(product)
            session.flush()
            ids[name] = product.id
            files = [(p, d) for folder, d in domains for p in sorted((root / name / folder).glob("*.jpg"))]
            for path, domain in files[:per_product]:
                with path.open("rb") as stream:
                    add_product_image(
                        session,
                        ctx.storage,
                        ctx.settings,
                        product_id=product.id,
                        stream=stream,
                        filename=path.name,
                        domain=domain,
                        source="import",
                        created_by=None,
                    )
        session.commit()
    return ids


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    """POST a run (a random-init dinov2-small, 2 products per batch unless the body says otherwise)."""
    config: dict[str, Any] = {"products_per_batch": 2} | dict(body.get("config", {}))
    body = {"backbone": "dinov2-small", "pretrained": False} | body | {"config": config}
    response = client.post("/api/v1/pr/training", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def finish_with_checkpoints(
    ctx: AppContext, run_id: int, recalls: Sequence[float], *, status: str = "succeeded"
) -> list[int]:
    """Checkpoint rows and files for epochs 1..n with these val recall@1 values, the best flagged, and
    the run closed with `status`, as the worker leaves a run; the checkpoint ids."""
    ids = []
    with ctx.db.write() as session:
        run = session.get(PrTrainingRun, run_id)
        assert run is not None
        best = max(range(len(recalls)), key=lambda i: (recalls[i], -i))
        for i, recall in enumerate(recalls):
            epoch = i + 1
            key = checkpoint_key(run_id, epoch)
            data = f"weights of run {run_id} epoch {epoch}".encode() * 10
            ctx.storage.put_bytes(key, data)
            row = PrCheckpoint(
                run_id=run_id,
                epoch=epoch,
                storage_key=key,
                size_bytes=len(data),
                metrics={"val_recall_at_1": recall, "val_map_at_r": recall / 2, "loss": 1.0 / epoch},
                is_best=i == best,
                model_info=dict(MODEL_INFO),
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
        run.status = status
        run.current_epoch = len(recalls)
        run.best_epoch = best + 1
        run.metrics_history = [{"epoch": i + 1, "val_recall_at_1": r} for i, r in enumerate(recalls)]
        if run.job_id is not None:
            job = session.get(Job, run.job_id)
            if job is not None and job.status in ("queued", "running"):
                job.status = "succeeded" if status == "succeeded" else status
    return ids


def add_evaluation(ctx: AppContext, checkpoint_id: int, metrics: dict[str, Any]) -> int:
    with ctx.db.write() as session:
        checkpoint = session.get(PrCheckpoint, checkpoint_id)
        assert checkpoint is not None
        row = PrEvaluation(
            run_id=checkpoint.run_id,
            checkpoint_id=checkpoint_id,
            epoch=checkpoint.epoch,
            status="succeeded",
            metrics=metrics,
            report={"overall": metrics},
        )
        session.add(row)
        session.flush()
        return row.id


def stored_state(ctx: AppContext) -> dict[str, Any]:
    """Counts of every PR training table and the stored keys under checkpoints/ and models/."""
    with ctx.db.read() as session:
        counts = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in (
                ("runs", PrTrainingRun),
                ("images", PrTrainingImage),
                ("checkpoints", PrCheckpoint),
                ("evaluations", PrEvaluation),
                ("models", PrTrainedModel),
                ("jobs", Job),
            )
        }
    keys = sorted(k for k in ctx.storage.iter_keys() if k.startswith(("checkpoints/", "models/")))
    return counts | {"keys": keys}
