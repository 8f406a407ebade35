"""Matching with a real (tiny, random-weight) model: extraction embeds real product photos and shelf cutouts
and predicts candidates, the queue shows them, a confirm adds a cutout-domain image, and POST /search
embeds an uploaded crop in the interactive job and finds the product whose photo it is."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.shelves import make_cutouts, make_shelves, product_images
from tests.support.thread_runner import ThreadRunner

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.pr.embeddings.helpers import extract_and_run, register_tiny_embedding_model
from tests.pr.training.helpers import store_products

NAMES = ["gsd_Arla-Standard-Milk", "gsd_Bravo-Apple-Juice", "gsd_Oatly-Oat-Milk"]
BASE = "/api/v1/pr/matching"


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    from shelfscope.ml.cache import process_cache

    process_cache(1).drop("pr-embedder:")
    yield
    process_cache(1).drop("pr-embedder:")


def test_extract_predict_confirm_and_search_with_a_tiny_model(
    client: TestClient, ctx: AppContext, shared_data: Path
) -> None:
    products = store_products(ctx, shared_data, NAMES, 3)
    model_id = register_tiny_embedding_model(ctx)
    shelves = make_shelves(ctx, shared_data, count=2)
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    created, job = extract_and_run(
        ctx,
        client,
        model={"kind": "trained", "trained_model_id": model_id},
        sources=["product_images", "cutouts"],
    )
    assert job.status == "succeeded", (job.error, job.result)
    collection_id = created["collection"]["id"]
    queue = client.get(f"{BASE}/queue", params={"collection_id": collection_id, "limit": 500}).json()
    assert queue["total"] > 0 and job.result is not None
    assert job.result["candidates"] == sum(len(i["candidates"]) for i in queue["items"])
    for item in queue["items"]:
        # Three products in the catalogue, top_k 5: all three, best first.
        assert sorted(c["product"]["id"] for c in item["candidates"]) == sorted(products.values())
        similarities = [c["similarity"] for c in item["candidates"]]
        assert similarities == sorted(similarities, reverse=True)
        assert all(c["packshot_url"] for c in item["candidates"])
    first = queue["items"][0]
    pick = first["candidates"][0]
    confirmed = client.post(
        f"{BASE}/{first['cutout']['id']}/confirm",
        json={"product_id": pick["product"]["id"], "collection_id": collection_id},
    )
    assert confirmed.status_code == 200, confirmed.text
    gallery = [i for i in product_images(ctx) if i["cutout_id"] == first["cutout"]["id"]]
    assert [(i["product_id"], i["domain"]) for i in gallery] == [(pick["product"]["id"], "cutout")]

    # Search: the interactive job runs in a thread of this process.
    ctx.runner = ThreadRunner(ctx)
    try:
        juice = products["gsd_Bravo-Apple-Juice"]
        photo = sorted((shared_data / "products" / "gsd_Bravo-Apple-Juice" / "studio").glob("*.jpg"))[0]
        response = client.post(
            f"{BASE}/search",
            data={"collection_id": str(collection_id), "k": "2"},
            files={"file": (photo.name, photo.read_bytes(), "image/jpeg")},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["collection_id"] == collection_id
        assert [r["rank"] for r in body["results"]] == [1, 2]
        top = body["results"][0]
        # The same bytes as one of the juice's gallery images: the same vector.
        assert top["product"]["id"] == juice and math.isclose(top["similarity"], 1.0, abs_tol=1e-3)
        default_k = client.post(
            f"{BASE}/search",
            data={"collection_id": str(collection_id)},
            files={"file": (photo.name, photo.read_bytes(), "image/jpeg")},
        )
        assert len(default_k.json()["results"]) == len(NAMES)
    finally:
        ctx.runner.stop()
    assert list(ctx.storage.iter_keys("tmp/")) == []
