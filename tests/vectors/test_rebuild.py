"""`rebuild` and `shelfscope vectors rebuild|list`: a lost index comes back from `pr_embeddings` and
answers as it did before (SQLite and PostgreSQL, both engines)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shelfscope.cli import app as cli
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.errors import NotFound
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection
from shelfscope.pr.products.models import Product
from shelfscope.vectors import Filter, Hit, Payload, VectorIndex, open_vectors
from shelfscope.vectors.rebuild import rebuild
from tests.vectors.conftest import unit

DIM = 8


def store(ctx: AppContext, name: str, n: int, seed: int) -> list[int]:
    """A collection row and n embedding rows (half product images of 3 products, half cutouts)."""
    vectors = unit(n, DIM, seed)
    with ctx.db.write() as session:
        products = [Product(sku=f"{name}-sku-{i}", name=f"Product {i}", category="drinks") for i in range(3)]
        session.add_all(products)
        collection = PrEmbeddingCollection(name=name, model_kind="stock", backbone="dinov2-small", dim=DIM)
        session.add(collection)
        session.flush()
        rows = [
            PrEmbedding(
                collection_id=collection.id,
                item_kind="product_image" if i % 2 == 0 else "cutout",
                item_id=100 + i,
                source_key=f"images/{name}/{i}.jpg",
                product_id=products[i % 3].id if i % 2 == 0 else None,
                domain="synthetic" if i % 2 == 0 else "real",
                category="drinks" if i % 2 == 0 else None,
                vector=vectors[i].astype("<f4").tobytes(),
            )
            for i in range(n)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def upsert_like_extraction(ctx: AppContext, index: VectorIndex, name: str) -> None:
    with ctx.db.read() as session:
        collection = session.scalars(
            select(PrEmbeddingCollection).where(PrEmbeddingCollection.name == name)
        ).one()
        rows = session.scalars(select(PrEmbedding).where(PrEmbedding.collection_id == collection.id)).all()
        index.create_collection(name, collection.dim)
        index.upsert(
            name,
            [r.id for r in rows],
            np.stack([np.frombuffer(r.vector, "<f4") for r in rows]),
            [Payload(r.item_kind, r.item_id, r.product_id, r.domain, r.category) for r in rows],
        )


def answers(index: VectorIndex, name: str) -> list[list[Hit]]:
    queries = unit(4, DIM, 99)
    return index.search(name, queries, k=6) + index.search(
        name, queries, k=3, where=Filter(kinds=["product_image"])
    )


@pytest.fixture(params=["embedded", "qdrant"])
def vector_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    return settings.model_copy(
        update={"vectors_backend": request.param, "qdrant_path": settings.data_dir / "qdrant"}
    )


def lose_index(settings: Settings) -> None:
    folder = settings.resolved_vectors_dir if settings.vectors_backend == "embedded" else settings.qdrant_path
    assert folder is not None
    shutil.rmtree(folder)


def test_a_deleted_index_is_rebuilt_and_answers_the_same(ctx: AppContext, vector_settings: Settings) -> None:
    store(ctx, "stock-a", 40, seed=1)
    store(ctx, "stock-b", 25, seed=2)
    index = open_vectors(vector_settings)
    upsert_like_extraction(ctx, index, "stock-a")
    upsert_like_extraction(ctx, index, "stock-b")
    before = {name: answers(index, name) for name in ("stock-a", "stock-b")}
    index.close()
    lose_index(vector_settings)

    index = open_vectors(vector_settings)
    assert index.collections() == []
    with ctx.db.read() as session:
        assert rebuild(session, index, batch=7) == {"stock-a": 40, "stock-b": 25}
    for name, hits in before.items():
        after = answers(index, name)
        assert [[(h.id, h.payload) for h in row] for row in after] == [
            [(h.id, h.payload) for h in row] for row in hits
        ]
    index.close()


def test_rebuilding_one_collection_leaves_the_others(ctx: AppContext, vector_settings: Settings) -> None:
    store(ctx, "stock-a", 10, seed=1)
    store(ctx, "stock-b", 10, seed=2)
    index = open_vectors(vector_settings)
    upsert_like_extraction(ctx, index, "stock-b")
    with ctx.db.read() as session:
        assert rebuild(session, index, "stock-a") == {"stock-a": 10}
        with pytest.raises(NotFound) as caught:
            rebuild(session, index, "nope")
    assert caught.value.to_body()["collection"] == "nope"
    assert [(c.name, c.count) for c in index.collections()] == [("stock-a", 10), ("stock-b", 10)]
    index.close()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "SHELFSCOPE_DATA_DIR": str(settings.data_dir),
        "SHELFSCOPE_DATABASE_URL": settings.resolved_database_url,
    }


def test_cli_lists_what_is_missing_and_rebuilds_it(ctx: AppContext, settings: Settings) -> None:
    store(ctx, "stock-a", 12, seed=1)
    runner = CliRunner()
    listed = runner.invoke(cli, ["vectors", "list"], env=_env(settings))
    assert listed.exit_code == 0, listed.output
    assert "stock-a" in listed.output and "missing from the index" in listed.output

    unknown = runner.invoke(cli, ["vectors", "rebuild", "--collection", "nope"], env=_env(settings))
    assert unknown.exit_code == 2 and "nope" in unknown.output
    assert open_vectors(settings).collections() == []

    rebuilt = runner.invoke(cli, ["vectors", "rebuild"], env=_env(settings))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt stock-a: 12 points" in rebuilt.output
    listed = runner.invoke(cli, ["vectors", "list"], env=_env(settings))
    line = next(row for row in listed.output.splitlines() if row.startswith("stock-a"))
    assert line.split() == ["stock-a", str(DIM), "12", "12", "ok"]
