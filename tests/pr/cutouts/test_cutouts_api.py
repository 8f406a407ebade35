"""Cutouts over HTTP: a box drawn by hand, the list with its filters and pages, the crop file, matching to
a product (the crop joins its gallery) and back, bulk actions and deletes."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image as PILImage

from shelfscope.context import AppContext
from tests.support.shelves import (
    Shelves,
    cutout_rows,
    make_cutouts,
    make_product,
    product_images,
    stored_crops,
)


def test_a_box_drawn_by_hand_is_cut_out_now(client: TestClient, ctx: AppContext, shelves: Shelves) -> None:
    image_id = shelves.image_ids[0]
    box = {"x1": 20.004, "y1": 30, "x2": 120.5, "y2": 200}
    response = client.post(
        "/api/v1/pr/cutouts",
        json={"image_id": image_id, "box": box, "dataset_id": shelves.dataset_id, "margin": 0.0},
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["box"] == {"x1": 20.0, "y1": 30.0, "x2": 120.5, "y2": 200.0}
    assert out["source"] == "manual" and out["state"] == "unmatched" and out["image"]["id"] == image_id
    assert (out["width"], out["height"]) == (101, 170)
    crop = client.get(out["crop_url"])
    with PILImage.open(io.BytesIO(crop.content)) as im:
        assert im.size == (101, 170)
    assert client.get(out["crop_url"], headers={"If-None-Match": crop.headers["etag"]}).status_code == 304
    assert stored_crops(ctx) == [cutout_rows(ctx)[0]["storage_key"]]
    again = client.post("/api/v1/pr/cutouts", json={"image_id": image_id, "box": box})
    assert again.status_code == 409 and again.json()["field"] == "box"
    assert len(cutout_rows(ctx)) == 1 and len(stored_crops(ctx)) == 1


def test_the_list_filters_and_pages_newest_first(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    rows = cutout_rows(ctx)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/pr/cutouts", params=params).json()
        assert page["total"] == len(rows)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted((r["id"] for r in rows), reverse=True)
    name, class_id = next(iter(shelves.classes.items()))
    by_class = client.get("/api/v1/pr/cutouts", params={"class_id": class_id, "limit": 500}).json()
    assert by_class["total"] == len(shelves.boxes_of(name))
    assert {i["class_name"] for i in by_class["items"]} == {name}
    image = shelves.image_ids[0]
    by_image = client.get("/api/v1/pr/cutouts", params={"image_id": image, "dataset_id": shelves.dataset_id})
    assert by_image.json()["total"] == sum(1 for b in shelves.boxes if b[0] == image)
    item = by_image.json()["items"][0]
    assert item["image"]["file_url"] == f"/api/v1/od/images/{image}/file"
    assert (item["image"]["width"], item["image"]["height"]) == shelves.sizes[image]
    assert client.get("/api/v1/pr/cutouts", params={"state": "matched"}).json()["total"] == 0
    bad = client.get("/api/v1/pr/cutouts", params={"cursor": "nope"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "cursor"


def test_matching_adds_the_crop_to_the_product_gallery_and_unmatching_removes_it(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    first = cutout_rows(ctx)[0]["id"]
    beans, cake = make_product(ctx, "SKU-BEANS"), make_product(ctx, "SKU-CAKE")
    matched = client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "matched", "product_id": beans})
    assert matched.status_code == 200, matched.text
    assert matched.json()["product"] == {"id": beans, "sku": "SKU-BEANS", "name": "Sku-Beans"}
    gallery = product_images(ctx)
    assert [(g["product_id"], g["domain"], g["source"], g["cutout_id"]) for g in gallery] == [
        (beans, "cutout", "cutout", first)
    ]
    moved = client.patch(f"/api/v1/pr/cutouts/{first}", json={"product_id": cake})
    assert moved.json()["state"] == "matched" and moved.json()["product_id"] == cake
    assert [(g["product_id"], g["cutout_id"]) for g in product_images(ctx)] == [(cake, first)]
    listed = client.get("/api/v1/pr/cutouts", params={"product_id": cake}).json()
    assert [i["id"] for i in listed["items"]] == [first]
    unmatched = client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "unmatched"})
    assert unmatched.json()["state"] == "unmatched" and unmatched.json()["product"] is None
    assert product_images(ctx) == []


def test_bulk_reject_and_match(client: TestClient, ctx: AppContext, shelves: Shelves) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    ids = [r["id"] for r in cutout_rows(ctx)]
    product = make_product(ctx, "SKU-1")
    matched = client.post(
        "/api/v1/pr/cutouts/bulk", json={"ids": ids[:2], "action": "match", "product_id": product}
    )
    assert matched.json() == {"updated": 2}
    assert sorted(g["cutout_id"] for g in product_images(ctx)) == ids[:2]
    rejected = client.post("/api/v1/pr/cutouts/bulk", json={"ids": ids[1:4], "action": "reject"})
    assert rejected.json() == {"updated": 3}
    states = {r["id"]: r["state"] for r in cutout_rows(ctx)}
    assert [states[i] for i in ids[:4]] == ["matched", "rejected", "rejected", "rejected"]
    assert [g["cutout_id"] for g in product_images(ctx)] == [ids[0]]
    # The same request again changes nothing more.
    assert client.post("/api/v1/pr/cutouts/bulk", json={"ids": ids[1:4], "action": "reject"}).json() == {
        "updated": 0
    }
    listed = client.get("/api/v1/pr/cutouts", params={"state": "rejected"}).json()
    assert listed["total"] == 3


def test_delete_removes_the_row_its_crop_and_its_gallery_image(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    rows = cutout_rows(ctx)
    first = rows[0]
    product = make_product(ctx, "SKU-1")
    client.patch(f"/api/v1/pr/cutouts/{first['id']}", json={"product_id": product})
    assert client.delete(f"/api/v1/pr/cutouts/{first['id']}").status_code == 204
    assert [r["id"] for r in cutout_rows(ctx)] == [r["id"] for r in rows[1:]]
    assert first["storage_key"] not in stored_crops(ctx)
    assert product_images(ctx) == []
    assert client.get(f"/api/v1/pr/cutouts/{first['id']}").status_code == 404
    assert client.get(f"/api/v1/pr/cutouts/{first['id']}/file").status_code == 404


def test_a_product_deleted_after_forget_products_leaves_its_cutouts_unmatched(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    from sqlalchemy import delete

    from shelfscope.pr.cutouts.states import forget_products
    from shelfscope.pr.products.images import remove_product_images
    from shelfscope.pr.products.models import Product

    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    first = cutout_rows(ctx)[0]["id"]
    product = make_product(ctx, "SKU-1")
    client.patch(f"/api/v1/pr/cutouts/{first}", json={"product_id": product})
    with ctx.db.write() as session:
        assert forget_products(session, [product]) == 1
        remove_product_images(session, ctx.storage, [g["id"] for g in product_images(ctx)], force=False)
        session.execute(delete(Product).where(Product.id == product))
    after = client.get(f"/api/v1/pr/cutouts/{first}").json()
    assert (after["state"], after["product_id"]) == ("unmatched", None)
    assert product_images(ctx) == []
