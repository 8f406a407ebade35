"""The dataset images tab's needs: filename search, boxes for thumbnails, bulk status and split."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import DatasetImage
from tests.support.seed import annotate, count_statements, make_dataset, make_images

API = "/api/v1/od/datasets"


def _class(ctx: AppContext, name: str, color: str) -> int:
    with ctx.db.write() as s:
        cls = OdClass(name=name, name_key=name.casefold(), color=color)
        s.add(cls)
        s.flush()
        return cls.id


def _states(ctx: AppContext, dataset_id: int) -> list[tuple[int, str, str | None]]:
    with ctx.db.read() as s:
        rows = s.execute(
            select(DatasetImage.image_id, DatasetImage.status, DatasetImage.split)
            .where(DatasetImage.dataset_id == dataset_id)
            .order_by(DatasetImage.image_id)
        ).all()
        return [(i, status, split) for i, status, split in rows]


def test_filename_search_filters_items_and_total(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 12)
    dataset_id, _ = make_dataset(ctx, "Shelves", images)
    url = f"{API}/{dataset_id}/images"

    body = client.get(url, params={"q": "shelf_1"}).json()
    # shelf_1, shelf_10, shelf_11
    assert [i["image"]["filename"] for i in body["items"]] == ["shelf_1.jpg", "shelf_10.jpg", "shelf_11.jpg"]
    assert body["total"] == 3
    assert client.get(url, params={"q": "SHELF_2."}).json()["total"] == 1
    # LIKE wildcards are literal text.
    assert client.get(url, params={"q": "%"}).json()["total"] == 0
    assert client.get(url, params={"q": "shelf_"}).json()["total"] == 12
    bad = client.get(url, params={"q": "x" * 201})
    assert bad.status_code == 422 and bad.json()["error"]


def test_with_boxes_gives_normalised_boxes_and_colours(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 2)
    dataset_id, members = make_dataset(ctx, "Shelves", images)
    red = _class(ctx, "cola", "#ff0000")
    annotate(ctx, members[images[0]], red, count=2)
    url = f"{API}/{dataset_id}/images"

    assert client.get(url).json()["items"][0]["boxes"] is None
    items = client.get(url, params={"with_boxes": 1}).json()["items"]
    first, second = items
    width, height = first["image"]["width"], first["image"]["height"]
    assert second["boxes"] == []
    assert len(first["boxes"]) == 2
    box = first["boxes"][0]
    assert box["color"] == "#ff0000"
    assert box["x"] == round(1.0 / width, 4) and box["y"] == round(2.0 / height, 4)
    assert box["w"] == round(9.0 / width, 4) and box["h"] == round(10.0 / height, 4)


def test_with_boxes_caps_boxes_and_queries(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 3)
    dataset_id, members = make_dataset(ctx, "Shelves", images)
    cls = _class(ctx, "cola", "#00ff00")
    annotate(ctx, members[images[0]], cls, count=60)
    annotate(ctx, members[images[1]], cls, count=1)
    url = f"{API}/{dataset_id}/images"
    with count_statements(ctx.db.engine) as plain:
        client.get(url)
    with count_statements(ctx.db.engine) as boxed:
        items = client.get(url, params={"with_boxes": "true"}).json()["items"]
    assert [len(i["boxes"]) for i in items] == [50, 1, 0]
    assert len(boxed) == len(plain) + 1


def test_bulk_sets_status_and_split(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 3)
    dataset_id, _ = make_dataset(ctx, "Shelves", images)
    url = f"{API}/{dataset_id}/images/bulk"

    r = client.post(url, json={"image_ids": [images[0], images[1], 99999], "status": "completed"})
    assert r.status_code == 200 and r.json() == {"updated": 2, "not_present": 1}
    r = client.post(url, json={"image_ids": [images[1], images[2]], "split": "val"})
    assert r.json()["updated"] == 2
    assert _states(ctx, dataset_id) == [
        (images[0], "completed", None),
        (images[1], "completed", "val"),
        (images[2], "new", "val"),
    ]
    r = client.post(url, json={"image_ids": [images[2]], "split": None})
    assert r.status_code == 200
    assert _states(ctx, dataset_id)[2] == (images[2], "new", None)


def test_bulk_rejects_bad_input_and_changes_nothing(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 2)
    dataset_id, _ = make_dataset(ctx, "Shelves", images)
    url = f"{API}/{dataset_id}/images/bulk"
    before = _states(ctx, dataset_id)
    bad: list[dict[str, Any]] = [
        {"image_ids": images},
        {"image_ids": [], "status": "completed"},
        {"image_ids": images, "status": "done"},
        {"image_ids": images, "status": None},
        {"image_ids": images, "split": "holdout"},
        {"image_ids": images, "status": "completed", "extra": 1},
    ]
    for payload in bad:
        r = client.post(url, json=payload)
        assert r.status_code == 422, payload
        assert {"error", "detail"} <= set(r.json()), r.json()
    missing = client.post(f"{API}/9999/images/bulk", json={"image_ids": images, "status": "completed"})
    assert missing.status_code == 404 and missing.json()["error"]
    assert _states(ctx, dataset_id) == before


def test_viewers_cannot_bulk_update(viewer_client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 1)
    dataset_id, _ = make_dataset(ctx, "Shelves", images)
    r = viewer_client.post(
        f"{API}/{dataset_id}/images/bulk", json={"image_ids": images, "status": "completed"}
    )
    assert r.status_code == 403
    assert _states(ctx, dataset_id) == [(images[0], "new", None)]
