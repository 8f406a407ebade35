"""Shelf photos through matching: the photos that have cutouts with their counts, and one photo with every
box labelled with its matched product (solid) or the collection's rank-1 candidate (predicted)."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.matching.conftest import World
from tests.support.shelves import cutout_rows

BASE = "/api/v1/pr/matching"


def test_shelf_photos_list_their_cutouts_matched_and_predicted(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, world: World
) -> None:
    rows = cutout_rows(ctx)
    first = min(world.truth)
    client.post(f"{BASE}/{first}/confirm", json={"product_id": world.truth[first]})
    images = sorted({r["image_id"] for r in rows}, reverse=True)
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"collection_id": world.collection_id, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = viewer_client.get(f"{BASE}/images", params=params)
        assert page.status_code == 200, page.text
        assert page.json()["total"] == len(images)
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [p["image_id"] for p in seen] == images
    by_image = {p["image_id"]: p for p in seen}
    for image_id in images:
        on_it = [r for r in rows if r["image_id"] == image_id]
        photo = by_image[image_id]
        assert photo["cutouts"] == len(on_it)
        assert photo["matched"] == (1 if any(r["id"] == first for r in on_it) else 0)
        assert photo["predicted"] == len([r for r in on_it if r["id"] != first])
        assert photo["thumbnail_url"] == f"/api/v1/od/images/{image_id}/thumbnail"
    # Without a collection nothing is predicted.
    plain = client.get(f"{BASE}/images").json()
    assert sum(p["predicted"] for p in plain["items"]) == 0


def test_a_shelf_photo_labels_every_box_with_its_product(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    rows = cutout_rows(ctx)
    first = min(world.truth)
    image_id = next(r["image_id"] for r in rows if r["id"] == first)
    client.post(f"{BASE}/{first}/confirm", json={"product_id": world.truth[first]})
    view = client.get(f"{BASE}/images/{image_id}", params={"collection_id": world.collection_id})
    assert view.status_code == 200, view.text
    body = view.json()
    assert (
        body["image"]["id"] == image_id and body["image"]["file_url"] == f"/api/v1/od/images/{image_id}/file"
    )
    on_it = [r for r in rows if r["image_id"] == image_id]
    assert [b["cutout_id"] for b in body["boxes"]] == [r["id"] for r in on_it]
    for box, row in zip(body["boxes"], on_it, strict=True):
        assert (box["box"]["x1"], box["box"]["y1"], box["box"]["x2"], box["box"]["y2"]) == row["box"]
        predicted = box["predicted"]
        assert predicted["product"]["id"] == world.truth[row["id"]]
        assert math.isclose(predicted["similarity"], world.similarity[row["id"]], abs_tol=1e-4)
        if row["id"] == first:
            assert box["state"] == "matched" and box["product"]["id"] == world.truth[first]
            assert box["product"]["sku"].startswith("SKU-")
        else:
            assert box["state"] == "unmatched" and box["product"] is None
    plain = client.get(f"{BASE}/images/{image_id}").json()
    assert all(b["predicted"] is None for b in plain["boxes"])


def test_shelf_view_refusals_name_the_field(client: TestClient, world: World) -> None:
    missing = client.get(f"{BASE}/images/99999")
    assert missing.status_code == 404 and missing.json()["image_id"] == 99999
    bad = client.get(f"{BASE}/images", params={"collection_id": 99_999})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "collection_id"
    cursor = client.get(f"{BASE}/images", params={"cursor": "nope"})
    assert cursor.status_code == 422 and cursor.json()["fields"][0]["field"] == "cursor"
