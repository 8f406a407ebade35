"""A person's decisions: confirming makes the crop a cutout-domain image of the product (with the candidate's
similarity as match score), rejecting takes it out again, bulk accept matches every rank-1 candidate at or
above a threshold in one go; every refusal names its field and changes nothing."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.pr.products.models import Product
from tests.pr.matching.conftest import World
from tests.support.shelves import cutout_rows, product_images

BASE = "/api/v1/pr/matching"


def _state(ctx: AppContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[int, int, int]]]:
    """Cutouts, product images and each product's image counters: what a refusal must leave alone."""
    with ctx.db.read() as session:
        counters = [
            (p.id, p.image_count, p.cutout_count)
            for p in session.scalars(select(Product).order_by(Product.id))
        ]
    return cutout_rows(ctx), product_images(ctx), counters


def _stored(ctx: AppContext) -> list[str]:
    return sorted(ctx.storage.iter_keys())


def test_confirming_makes_the_crop_a_cutout_image_of_the_product(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    cutout_id = min(world.truth)
    product_id = world.truth[cutout_id]
    response = client.post(
        f"{BASE}/{cutout_id}/confirm", json={"product_id": product_id, "collection_id": world.collection_id}
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["state"] == "matched" and out["product"]["id"] == product_id
    gallery = [i for i in product_images(ctx) if i["cutout_id"] == cutout_id]
    assert [(i["product_id"], i["domain"], i["source"]) for i in gallery] == [
        (product_id, "cutout", "cutout")
    ]
    # Sent again (a retry): the same answer, still one gallery image.
    again = client.post(
        f"{BASE}/{cutout_id}/confirm", json={"product_id": product_id, "collection_id": world.collection_id}
    )
    assert again.status_code == 200 and again.json()["state"] == "matched"
    assert [i["id"] for i in product_images(ctx) if i["cutout_id"] == cutout_id] == [gallery[0]["id"]]
    with ctx.db.read() as session:
        product = session.get(Product, product_id)
        assert product is not None and product.cutout_count == 1
        from shelfscope.pr.cutouts.models import Cutout

        cutout = session.get(Cutout, cutout_id)
        assert cutout is not None and cutout.match_score is not None
        assert math.isclose(cutout.match_score, world.similarity[cutout_id], abs_tol=1e-4)
    queue = client.get(f"{BASE}/queue", params={"collection_id": world.collection_id, "limit": 500}).json()
    assert cutout_id not in [i["cutout"]["id"] for i in queue["items"]]
    summary = client.get(f"{BASE}/summary", params={"collection_id": world.collection_id}).json()
    assert summary == {
        "unmatched": len(world.truth) - 1,
        "with_candidates": len(world.truth) - 1,
        "matched": 1,
        "rejected": 0,
    }
    # A product found by search (not a candidate, no collection): matched, no score.
    other = sorted(world.truth)[1]
    searched = client.post(f"{BASE}/{other}/confirm", json={"product_id": world.second(other)})
    assert searched.status_code == 200 and searched.json()["product"]["id"] == world.second(other)
    matched = client.get(
        f"{BASE}/queue", params={"collection_id": world.collection_id, "state": "matched", "sort": "id"}
    ).json()
    assert [i["cutout"]["id"] for i in matched["items"]] == [cutout_id, other]
    # Its candidates stay beside it.
    assert matched["items"][0]["candidates"][0]["product"]["id"] == product_id


def test_rejecting_takes_a_matched_crop_out_of_the_gallery(
    client: TestClient, annotator_client: TestClient, ctx: AppContext, world: World
) -> None:
    cutout_id = min(world.truth)
    client.post(f"{BASE}/{cutout_id}/confirm", json={"product_id": world.truth[cutout_id]})
    assert any(i["cutout_id"] == cutout_id for i in product_images(ctx))
    response = annotator_client.post(f"{BASE}/{cutout_id}/reject")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "rejected" and response.json()["product"] is None
    assert not any(i["cutout_id"] == cutout_id for i in product_images(ctx))
    summary = client.get(f"{BASE}/summary", params={"collection_id": world.collection_id}).json()
    assert (summary["rejected"], summary["matched"]) == (1, 0)


def test_confirm_and_reject_refusals_name_the_field_and_change_nothing(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, world: World
) -> None:
    cutout_id = min(world.truth)
    product_id = world.truth[cutout_id]
    before, files = _state(ctx), _stored(ctx)
    viewer = viewer_client.post(f"{BASE}/{cutout_id}/confirm", json={"product_id": product_id})
    assert viewer.status_code == 403
    assert viewer_client.post(f"{BASE}/{cutout_id}/reject").status_code == 403
    unknown = client.post(f"{BASE}/{cutout_id}/confirm", json={"product_id": 99_999})
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "product_id"
    no_collection = client.post(
        f"{BASE}/{cutout_id}/confirm", json={"product_id": product_id, "collection_id": 99_999}
    )
    assert no_collection.status_code == 422 and no_collection.json()["fields"][0]["field"] == "collection_id"
    missing = client.post(f"{BASE}/{cutout_id}/confirm", json={})
    assert missing.status_code == 422 and missing.json()["fields"][0]["field"] == "product_id"
    assert _state(ctx) == before and _stored(ctx) == files
    # Deleted after the queue was read: 409 naming the cutout, for confirm and reject alike.
    assert client.delete(f"/api/v1/pr/cutouts/{cutout_id}").status_code == 204
    after_delete, files = _state(ctx), _stored(ctx)
    for action, body in (("confirm", {"product_id": product_id}), ("reject", None)):
        gone = client.post(f"{BASE}/{cutout_id}/{action}", json=body)
        assert gone.status_code == 409, gone.text
        assert gone.json()["field"] == "cutout_id" and gone.json()["cutout_id"] == cutout_id
    assert _state(ctx) == after_delete and _stored(ctx) == files


def _expected_above(world: World, threshold: float) -> set[int]:
    return {c for c, s in world.similarity.items() if s >= threshold}


def test_bulk_accept_matches_every_rank_one_candidate_above_the_threshold(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    ordered = sorted(world.similarity.values())
    threshold = (ordered[len(ordered) // 2] + ordered[len(ordered) // 2 - 1]) / 2
    expected = _expected_above(world, threshold)
    preview = client.get(
        f"{BASE}/bulk-accept/preview", params={"collection_id": world.collection_id, "threshold": threshold}
    )
    assert preview.status_code == 200
    assert preview.json() == {"count": len(expected), "threshold": threshold}
    accepted = client.post(
        f"{BASE}/bulk-accept", json={"collection_id": world.collection_id, "threshold": threshold}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"accepted": len(expected)}
    rows = {r["id"]: r for r in cutout_rows(ctx)}
    assert {c for c, r in rows.items() if r["state"] == "matched"} == expected
    assert all(rows[c]["product_id"] == world.truth[c] for c in expected)
    gallery = {i["cutout_id"]: i for i in product_images(ctx) if i["domain"] == "cutout"}
    assert set(gallery) == expected and all(gallery[c]["product_id"] == world.truth[c] for c in expected)
    # Done: nothing left above the threshold, and accepting again changes nothing.
    again = client.get(
        f"{BASE}/bulk-accept/preview", params={"collection_id": world.collection_id, "threshold": threshold}
    )
    assert again.json()["count"] == 0
    before = _state(ctx)
    repeat = client.post(
        f"{BASE}/bulk-accept", json={"collection_id": world.collection_id, "threshold": threshold}
    )
    assert repeat.json() == {"accepted": 0} and _state(ctx) == before


def test_bulk_accept_refusals_name_the_field_and_change_nothing(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, world: World
) -> None:
    before, files = _state(ctx), _stored(ctx)
    viewer = viewer_client.post(
        f"{BASE}/bulk-accept", json={"collection_id": world.collection_id, "threshold": 0.5}
    )
    assert viewer.status_code == 403
    for body, field in (
        ({"collection_id": world.collection_id, "threshold": 1.5}, "threshold"),
        ({"collection_id": world.collection_id}, "threshold"),
        ({"collection_id": 99_999, "threshold": 0.5}, "collection_id"),
    ):
        bad = client.post(f"{BASE}/bulk-accept", json=body)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == field, bad.text
    for params, field in (
        ({"collection_id": world.collection_id, "threshold": -0.1}, "threshold"),
        ({"collection_id": 99_999, "threshold": 0.5}, "collection_id"),
    ):
        bad = client.get(f"{BASE}/bulk-accept/preview", params=params)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == field, bad.text
    assert _state(ctx) == before and _stored(ctx) == files
    # The viewer reads the preview.
    assert (
        viewer_client.get(
            f"{BASE}/bulk-accept/preview", params={"collection_id": world.collection_id, "threshold": 0.5}
        ).status_code
        == 200
    )


def test_bulk_accept_is_all_or_none(client: TestClient, ctx: AppContext, world: World) -> None:
    """One cutout's crop is already an image of another product: the whole accept is refused (409 naming
    that cutout) and no other cutout is matched either."""
    import io

    from shelfscope.pr.cutouts.models import Cutout
    from shelfscope.pr.products.images import add_product_image

    blocked = max(world.similarity, key=lambda c: world.similarity[c])
    with ctx.db.write() as session:
        cutout = session.get(Cutout, blocked)
        assert cutout is not None
        add_product_image(
            session,
            ctx.storage,
            ctx.settings,
            product_id=world.second(blocked),
            stream=io.BytesIO(ctx.storage.read_bytes(cutout.storage_key)),
            filename="same-bytes.jpg",
            domain="real",
            source="upload",
            created_by=None,
        )
    before, files = _state(ctx), _stored(ctx)
    refused = client.post(
        f"{BASE}/bulk-accept", json={"collection_id": world.collection_id, "threshold": 0.0}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["cutout_id"] == blocked and refused.json()["field"] == "product_id"
    assert _state(ctx) == before and _stored(ctx) == files
