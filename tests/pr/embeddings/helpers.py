"""Embedding test helpers: a registered PR model whose weights are a real tiny checkpoint (a tiny
random-weight DINOv2 with a 16-dim head, no training), the catalogue's real photos, and readers of the
rows and index points that tests compare before and after a request. H3's matching tests use them too."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.trained_models.service import model_key
from shelfscope.vectors import open_vectors
from tests.support.dataset_files import run_job
from tests.support.tiny_embedders import install_tiny_embedder

TINY_DIM = 16
TINY_IMAGE_SIZE = 32


def register_tiny_embedding_model(
    ctx: AppContext, name: str = "tiny", *, embedding_dim: int = TINY_DIM, seed: int = 0
) -> int:
    """A registered model (row and stored checkpoint) over the tiny dinov2-small backbone; its id."""
    import torch

    from shelfscope.ml.embeddings.backbones import build_backbone
    from shelfscope.ml.embeddings.checkpoint import save_checkpoint
    from shelfscope.ml.embeddings.model import PREPROCESSING, EmbeddingModel

    if not (ctx.settings.resolved_models_dir / "dinov2-small").is_dir():
        install_tiny_embedder(ctx.settings, "dinov2-small")
    torch.manual_seed(seed)
    backbone, hidden = build_backbone(ctx.settings, "dinov2-small", pretrained=True)
    model = EmbeddingModel(backbone, hidden, embedding_dim).eval()
    with tempfile.TemporaryDirectory() as scratch:
        path = save_checkpoint(
            Path(scratch) / "model.pt",
            model=model,
            arcface=torch.nn.Linear(embedding_dim, 2, bias=False),
            backbone_key="dinov2-small",
            family="dinov2",
            epoch=1,
            image_size=TINY_IMAGE_SIZE,
            train_config={},
            metrics={},
            products=[],
        )
        with ctx.db.write() as session:
            row = PrTrainedModel(
                name=name,
                storage_key=f"models/pr/new-{uuid.uuid4().hex}/model.pt",
                backbone="dinov2-small",
                embedding_dim=embedding_dim,
                image_size=TINY_IMAGE_SIZE,
                preprocessing={**PREPROCESSING, "image_size": TINY_IMAGE_SIZE},
                test_metrics={"recall_at_1": 0.5},
                run_id=None,
                checkpoint_id=None,
                created_by=None,
            )
            session.add(row)
            session.flush()
            row.storage_key = model_key(row.id)
            ctx.storage.put_file(row.storage_key, path)
            row.size_bytes = path.stat().st_size
            return row.id


def extract(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/pr/embeddings/extract", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def extract_and_run(ctx: AppContext, client: TestClient, **body: Any) -> tuple[dict[str, Any], Job]:
    """POST an extraction and run its job here; (the 202 body, the finished job)."""
    created = extract(client, **body)
    job = run_job(ctx, created["job"]["id"])
    return created, job


def rows(ctx: AppContext, collection_id: int) -> dict[tuple[str, int], dict[str, Any]]:
    """The collection's embeddings by (kind, item id)."""
    with ctx.db.read() as session:
        return {
            (e.item_kind, e.item_id): {
                "id": e.id,
                "source_key": e.source_key,
                "product_id": e.product_id,
                "domain": e.domain,
                "category": e.category,
                "vector": bytes(e.vector),
                "updated_at": e.updated_at,
            }
            for e in session.scalars(select(PrEmbedding).where(PrEmbedding.collection_id == collection_id))
        }


def index_count(ctx: AppContext, name: str) -> int | None:
    index = open_vectors(ctx.settings)
    try:
        info = index.info(name)
        return None if info is None else info.count
    finally:
        index.close()


def index_names(ctx: AppContext) -> list[str]:
    index = open_vectors(ctx.settings)
    try:
        return sorted(c.name for c in index.collections())
    finally:
        index.close()


def state(ctx: AppContext) -> dict[str, Any]:
    """What an extraction request may write: collections, embeddings, jobs and index collections."""
    with ctx.db.read() as session:
        counts = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in (
                ("collections", PrEmbeddingCollection),
                ("embeddings", PrEmbedding),
                ("jobs", Job),
            )
        }
    return counts | {"index": index_names(ctx)}
