"""PR datasets over the real shared products set (studio packshots as synthetic, store photos as real,
shelf crops as cutout), stored through the products part, and over cutouts matched on real shelf photos."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.datasets.conftest import store_shared_products, stored_state
from tests.support.shelves import cutout_rows, make_cutouts, make_shelves, product_images

URL = "/api/v1/pr/datasets"
MILKS = ["gsd_Arla-Ecological-Medium-Fat-Milk", "gsd_Arla-Lactose-Medium-Fat-Milk"]
SHELF = ["grozi_005", "grozi_006"]


def test_a_minimum_of_five_real_and_synthetic_images_excludes_the_shelf_only_products(
    client: TestClient, ctx: AppContext, shared_data: Path
) -> None:
    ids = store_shared_products(ctx, shared_data, MILKS + SHELF)
    out = client.post(
        URL, json={"name": "Packshots", "domains": ["synthetic", "real"], "min_images_per_product": 5}
    )
    dataset = out.json()
    # Each milk: 1 studio + 15 store photos; each GroZi product: 12 shelf crops only.
    assert (dataset["product_count"], dataset["image_count"], dataset["excluded_count"]) == (2, 32, 2)
    stats = client.get(f"{URL}/{dataset['id']}/stats").json()
    assert stats["domains"] == {"synthetic": 2, "real": 30}
    assert sorted(e["product_id"] for e in stats["excluded"]) == sorted(ids[s] for s in SHELF)
    assert stats["distribution"] == [{"images": 0, "products": 2}, {"images": 16, "products": 2}]
    everything = client.patch(
        f"{URL}/{dataset['id']}", json={"domains": ["synthetic", "real", "cutout"]}
    ).json()
    assert (everything["product_count"], everything["image_count"], everything["excluded_count"]) == (
        4,
        56,
        0,
    )
    version = client.post(f"{URL}/{dataset['id']}/versions").json()
    assert version["counts"]["domains"] == {"synthetic": 2, "real": 30, "cutout": 24}


def test_matched_cutouts_make_a_dataset_and_freezing_keeps_their_gallery_images(
    client: TestClient, ctx: AppContext, shared_data: Path
) -> None:
    shelves = make_shelves(ctx, shared_data, count=3)
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    ids = store_shared_products(ctx, shared_data, MILKS[:1])
    first, second = (r["id"] for r in cutout_rows(ctx)[:2])
    matched = client.post(
        "/api/v1/pr/cutouts/bulk",
        json={"ids": [first, second], "action": "match", "product_id": ids[MILKS[0]]},
    )
    assert matched.json() == {"updated": 2}
    dataset = client.post(
        URL, json={"name": "Matched", "source": "matched_products", "domains": ["cutout"]}
    ).json()
    assert (dataset["product_count"], dataset["image_count"]) == (1, 2)
    client.post(f"{URL}/{dataset['id']}/versions")
    before = (stored_state(ctx), cutout_rows(ctx), product_images(ctx))
    refused = client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "rejected"})
    assert refused.status_code == 409 and refused.json()["versions"][0]["dataset"] == "Matched"
    assert (stored_state(ctx), cutout_rows(ctx), product_images(ctx)) == before
    assert client.delete(f"/api/v1/pr/cutouts/{first}").status_code == 409
    assert (stored_state(ctx), cutout_rows(ctx), product_images(ctx)) == before
