"""Matching fixtures without a model: real shelf photos cut into cutouts, products with a real and a
synthetic image each, and a collection whose stored embeddings (rows and index points, written directly)
are chosen so each cutout's true product wins by a known margin.

Product p's images lie on axis p (its second image tilted a little toward an axis no cutout uses). Cutout
i shows product i mod P; its vector is axis(truth) + w_i * axis(next product), so its rank-1 candidate is
the truth at similarity 1/sqrt(1 + w_i^2) and rank 2 the next product at w_i/sqrt(1 + w_i^2)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product
from shelfscope.vectors import Payload, open_vectors
from tests.support.images import make_image
from tests.support.shelves import Shelves, make_cutouts, make_shelves, run_job

DIM = 16
PRODUCTS = 4
COLLECTION = "stock-dinov2-small"


@dataclass
class World:
    collection_id: int
    products: list[int]
    # cutout id -> the product it shows, and its rank-1 similarity
    truth: dict[int, int]
    similarity: dict[int, float]
    # product id -> (its real image id, its synthetic image id); the real one was added first
    images: dict[int, tuple[int, int]] = field(default_factory=dict)

    def second(self, cutout_id: int) -> int:
        return self.products[(self.products.index(self.truth[cutout_id]) + 1) % len(self.products)]


Vector = npt.NDArray[np.float32]


def axis(i: int) -> Vector:
    v = np.zeros(DIM, np.float32)
    v[i] = 1.0
    return v


def unit(v: Vector) -> Vector:
    out: Vector = (v / np.linalg.norm(v)).astype(np.float32)
    return out


@pytest.fixture
def shelves(ctx: AppContext, shared_data: Path) -> Shelves:
    return make_shelves(ctx, shared_data, count=3)


def _products(ctx: AppContext) -> tuple[list[int], dict[int, tuple[int, int]]]:
    products, images = [], {}
    with ctx.db.write() as session:
        for p in range(PRODUCTS):
            product = Product(sku=f"SKU-{p}", name=f"Product {p}", brand=f"Brand {p % 2}", category="grocery")
            session.add(product)
            session.flush()
            ids = []
            for domain, shade in (("real", 60), ("synthetic", 180)):
                added = add_product_image(
                    session,
                    ctx.storage,
                    ctx.settings,
                    product_id=product.id,
                    stream=io.BytesIO(make_image(color=(shade, 20 * p, 40 + p))),
                    filename=f"{domain}-{p}.jpg",
                    domain=domain,
                    source="upload",
                    created_by=None,
                )
                ids.append(added.image.id)
            products.append(product.id)
            images[product.id] = (ids[0], ids[1])
    return products, images


def embed_cutouts(ctx: AppContext, world: World, vectors: dict[int, Vector]) -> None:
    """Store cutouts' vectors as the extraction job would: rows, then points with the rows' ids."""
    with ctx.db.write() as session:
        rows = [
            PrEmbedding(
                collection_id=world.collection_id,
                item_kind="cutout",
                item_id=cutout_id,
                source_key=f"cutouts/{cutout_id}",
                vector=vector.tobytes(),
            )
            for cutout_id, vector in vectors.items()
        ]
        session.add_all(rows)
        session.flush()
        points = [(r.id, r.item_id, np.frombuffer(r.vector, np.float32)) for r in rows]
    index = open_vectors(ctx.settings)
    try:
        index.upsert(
            COLLECTION,
            [p[0] for p in points],
            np.stack([p[2] for p in points]),
            [Payload(kind="cutout", item_id=p[1], domain="cutout") for p in points],
        )
    finally:
        index.close()


def embed_product_images(
    ctx: AppContext, collection_id: int, images: dict[int, list[tuple[int, Vector]]]
) -> None:
    """Product images' vectors (product id -> [(image id, vector)]) as rows and points."""
    with ctx.db.write() as session:
        rows = [
            PrEmbedding(
                collection_id=collection_id,
                item_kind="product_image",
                item_id=image_id,
                source_key=f"images/{image_id}",
                product_id=product_id,
                domain="synthetic",
                category="grocery",
                vector=vector.tobytes(),
            )
            for product_id, pairs in images.items()
            for image_id, vector in pairs
        ]
        session.add_all(rows)
        session.flush()
        points = [(r.id, r.item_id, r.product_id, np.frombuffer(r.vector, np.float32)) for r in rows]
    index = open_vectors(ctx.settings)
    try:
        index.upsert(
            COLLECTION,
            [p[0] for p in points],
            np.stack([p[3] for p in points]),
            [
                Payload(kind="product_image", item_id=p[1], product_id=p[2], domain="synthetic")
                for p in points
            ],
        )
    finally:
        index.close()


def build_world(ctx: AppContext, client: TestClient, shelves: Shelves) -> World:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    products, images = _products(ctx)
    with ctx.db.write() as session:
        collection = PrEmbeddingCollection(
            name=COLLECTION, model_kind="stock", backbone="dinov2-small", dim=DIM
        )
        session.add(collection)
        session.flush()
        collection_id = collection.id
        cutout_ids = list(session.scalars(select(Cutout.id).order_by(Cutout.id)))
    index = open_vectors(ctx.settings)
    try:
        index.create_collection(COLLECTION, DIM)
    finally:
        index.close()
    embed_product_images(
        ctx,
        collection_id,
        {
            pid: [(images[pid][0], axis(p)), (images[pid][1], unit(axis(p) + 0.1 * axis(DIM - 1)))]
            for p, pid in enumerate(products)
        },
    )
    world = World(collection_id=collection_id, products=products, truth={}, similarity={}, images=images)
    vectors = {}
    for i, cutout_id in enumerate(cutout_ids):
        # Weights spread over (0.05, 0.85): every rank-1 similarity differs, all between 0.76 and 0.999.
        w = 0.05 + 0.8 * i / max(1, len(cutout_ids) - 1)
        truth = i % PRODUCTS
        vectors[cutout_id] = unit(axis(truth) + w * axis((truth + 1) % PRODUCTS))
        world.truth[cutout_id] = products[truth]
        world.similarity[cutout_id] = 1.0 / math.sqrt(1.0 + w * w)
    embed_cutouts(ctx, world, vectors)
    return world


def predict(client: TestClient, ctx: AppContext, collection_id: int) -> dict[str, int]:
    response = client.post("/api/v1/pr/matching/predict", json={"collection_id": collection_id})
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)
    assert job.result is not None
    return dict(job.result)


@pytest.fixture
def world(ctx: AppContext, client: TestClient, shelves: Shelves) -> World:
    """The world with its candidates predicted."""
    built = build_world(ctx, client, shelves)
    predict(client, ctx, built.collection_id)
    return built
