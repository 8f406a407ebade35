"""A dataset's label set: its classes in order, keys 1-9 on the first nine, the stored order first and
classes its annotations use after it; replacing the order checks every id and changes nothing when
one is wrong."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import DatasetClass
from tests.support.seed import annotate, count_statements, make_dataset, make_images

API = "/api/v1/od/datasets"


def _class(ctx: AppContext, name: str) -> int:
    with ctx.db.write() as s:
        cls = OdClass(name=name, name_key=name.casefold(), color="#ef4444")
        s.add(cls)
        s.flush()
        return cls.id


def _set(client: TestClient, dataset_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{API}/{dataset_id}/classes")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _order(client: TestClient, dataset_id: int) -> list[tuple[str, int | None, bool]]:
    return [(c["name"], c["key"], c["listed"]) for c in _set(client, dataset_id)]


def _rows(ctx: AppContext) -> list[tuple[int, int, int]]:
    with ctx.db.read() as s:
        return [
            (r.dataset_id, r.class_id, r.position)
            for r in s.scalars(select(DatasetClass).order_by(DatasetClass.dataset_id, DatasetClass.position))
        ]


def test_a_dataset_without_a_stored_order_offers_the_classes_its_annotations_use(
    client: TestClient, ctx: AppContext
) -> None:
    # The raccoon case: an imported dataset with one class gets key 1 at once.
    raccoon = _class(ctx, "raccoon")
    _class(ctx, "unused")
    dataset_id, members = make_dataset(ctx, "raccoons", make_images(ctx, 2))
    for member in members.values():
        annotate(ctx, member, raccoon, 2)

    items = _set(client, dataset_id)
    assert [(c["name"], c["key"], c["listed"], c["annotation_count"]) for c in items] == [
        ("raccoon", 1, False, 4)
    ]
    assert set(items[0]) == {
        "id",
        "name",
        "display_name",
        "color",
        "category",
        "key",
        "listed",
        "annotation_count",
    }
    empty_id, _ = make_dataset(ctx, "empty", [])
    assert _set(client, empty_id) == []


def test_put_orders_the_set_and_used_classes_follow_by_name(client: TestClient, ctx: AppContext) -> None:
    ids = {name: _class(ctx, name) for name in ("bottle", "can", "box", "Zebra", "apple")}
    dataset_id, members = make_dataset(ctx, "shelves", make_images(ctx, 1))
    member = next(iter(members.values()))
    for name in ("apple", "Zebra", "can"):
        annotate(ctx, member, ids[name])

    r = client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [ids["box"], ids["can"]]})
    assert r.status_code == 200, r.text
    assert r.json()["dataset_id"] == dataset_id
    assert [(c["name"], c["key"], c["listed"]) for c in r.json()["items"]] == [
        ("box", 1, True),
        ("can", 2, True),
        ("apple", 3, False),
        ("Zebra", 4, False),
    ]
    assert _order(client, dataset_id) == [(c["name"], c["key"], c["listed"]) for c in r.json()["items"]]

    # Reordering replaces the whole list; a used class left out goes back to the tail.
    r = client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [ids["Zebra"], ids["bottle"]]})
    assert [(c["name"], c["listed"]) for c in r.json()["items"]] == [
        ("Zebra", True),
        ("bottle", True),
        ("apple", False),
        ("can", False),
    ]
    assert [row[1:] for row in _rows(ctx)] == [(ids["Zebra"], 0), (ids["bottle"], 1)]

    assert client.put(f"{API}/{dataset_id}/classes", json={"class_ids": []}).status_code == 200
    assert _order(client, dataset_id) == [("apple", 1, False), ("can", 2, False), ("Zebra", 3, False)]


def test_only_the_first_nine_classes_have_keys(client: TestClient, ctx: AppContext) -> None:
    ids = [_class(ctx, f"class-{n:02d}") for n in range(12)]
    dataset_id, _ = make_dataset(ctx, "many", [])
    r = client.put(f"{API}/{dataset_id}/classes", json={"class_ids": list(reversed(ids))})
    keys = [(c["id"], c["key"]) for c in r.json()["items"]]
    assert keys == [(cid, n + 1 if n < 9 else None) for n, cid in enumerate(reversed(ids))]


def test_each_dataset_has_its_own_set_and_an_annotation_saved_with_a_new_class_joins_it(
    client: TestClient, ctx: AppContext
) -> None:
    cola, fanta, sprite = (_class(ctx, n) for n in ("cola", "fanta", "sprite"))
    images = make_images(ctx, 1)
    first, _ = make_dataset(ctx, "first", images)
    second, _ = make_dataset(ctx, "second", images)
    client.put(f"{API}/{first}/classes", json={"class_ids": [fanta, cola]})
    client.put(f"{API}/{second}/classes", json={"class_ids": [sprite]})

    saved = client.post(
        f"{API}/{first}/images/{images[0]}/annotations",
        json={"class_id": sprite, "kind": "bbox", "x1": 1, "y1": 1, "x2": 9, "y2": 9},
    )
    assert saved.status_code in (200, 201), saved.text
    assert _order(client, first) == [("fanta", 1, True), ("cola", 2, True), ("sprite", 3, False)]
    assert _order(client, second) == [("sprite", 1, True)]


def test_bad_input_names_each_wrong_entry_and_changes_nothing(client: TestClient, ctx: AppContext) -> None:
    cola, fanta = _class(ctx, "cola"), _class(ctx, "fanta")
    dataset_id, _ = make_dataset(ctx, "shelves", [])
    client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [fanta, cola]})
    before, rows = _set(client, dataset_id), _rows(ctx)

    r = client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [cola, 999_999, fanta, cola]})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "ValidationFailed"
    assert [f["field"] for f in body["fields"]] == ["class_ids[1]", "class_ids[3]"]
    assert "no class with id 999999" in body["fields"][0]["message"]
    assert "already at class_ids[0]" in body["fields"][1]["message"]
    assert "class_ids[1]" in body["detail"] and "class_ids[3]" in body["detail"]

    cases: list[tuple[Any, str]] = [
        ({"class_ids": [cola, 2**63]}, "class_ids[1]"),
        ({"class_ids": [0]}, "class_ids[0]"),
        ({"class_ids": [-5]}, "class_ids[0]"),
        ({"class_ids": ["cola"]}, "class_ids[0]"),
        ({"class_ids": [1.5]}, "class_ids[0]"),
        ({"class_ids": None}, "class_ids"),
        ({"class_ids": list(range(1, 1002))}, "class_ids"),
        ({"class_ids": [cola], "order": "name"}, "order"),
        ({}, "class_ids"),
        ([cola], "body"),
    ]
    for payload, field in cases:
        r = client.put(f"{API}/{dataset_id}/classes", json=payload)
        assert r.status_code == 422, (payload, r.text)
        assert r.json()["error"] == "ValidationFailed"
        assert field in {f["field"] for f in r.json()["fields"]}, (payload, r.json())
    r = client.put(
        f"{API}/{dataset_id}/classes", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"] == "ValidationFailed"

    assert _set(client, dataset_id) == before
    assert _rows(ctx) == rows


def test_unknown_dataset_and_viewers_get_the_error_shape_and_nothing_changes(
    client: TestClient, viewer_client: TestClient, ctx: AppContext
) -> None:
    cola = _class(ctx, "cola")
    dataset_id, _ = make_dataset(ctx, "shelves", [])
    for r in (
        client.get(f"{API}/424242/classes"),
        client.put(f"{API}/424242/classes", json={"class_ids": [cola]}),
    ):
        assert r.status_code == 404
        assert r.json()["error"] == "NotFound" and r.json()["dataset_id"] == 424242
    r = viewer_client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [cola]})
    assert r.status_code == 403 and r.json()["error"] == "Forbidden"
    assert viewer_client.get(f"{API}/{dataset_id}/classes").json()["items"] == []
    assert _rows(ctx) == []


def test_deleting_a_class_or_the_dataset_removes_it_from_the_set(client: TestClient, ctx: AppContext) -> None:
    cola, fanta, sprite = (_class(ctx, n) for n in ("cola", "fanta", "sprite"))
    dataset_id, _ = make_dataset(ctx, "shelves", [])
    client.put(f"{API}/{dataset_id}/classes", json={"class_ids": [cola, fanta, sprite]})

    assert client.delete(f"/api/v1/od/classes/{fanta}").status_code == 200
    assert _order(client, dataset_id) == [("cola", 1, True), ("sprite", 2, True)]

    assert client.delete(f"{API}/{dataset_id}").status_code == 204
    assert _rows(ctx) == []
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(OdClass)) == 2


def test_reading_the_set_takes_the_same_few_statements_however_many_classes(
    client: TestClient, ctx: AppContext
) -> None:
    def statements(dataset_id: int) -> int:
        with count_statements(ctx.db.engine) as seen:
            assert client.get(f"{API}/{dataset_id}/classes").status_code == 200
        return len([s for s in seen if "od_" in s])

    small_ids = [_class(ctx, f"s{n}") for n in range(2)]
    large_ids = [_class(ctx, f"l{n}") for n in range(40)]
    small, small_members = make_dataset(ctx, "small", make_images(ctx, 1))
    large, large_members = make_dataset(ctx, "large", make_images(ctx, 1, start=5))
    client.put(f"{API}/{small}/classes", json={"class_ids": small_ids[:1]})
    client.put(f"{API}/{large}/classes", json={"class_ids": large_ids[:20]})
    annotate(ctx, next(iter(small_members.values())), small_ids[1])
    for cid in large_ids[20:]:
        annotate(ctx, next(iter(large_members.values())), cid)
    assert len(_set(client, large)) == 40
    assert statements(small) == statements(large) <= 5


def test_a_merged_class_hands_its_place_and_key_to_the_target(client: TestClient, ctx: AppContext) -> None:
    cola, coke, sprite, fanta = (_class(ctx, n) for n in ("cola", "coke", "sprite", "fanta"))
    first, _ = make_dataset(ctx, "first", [])
    second, _ = make_dataset(ctx, "second", [])
    client.put(f"{API}/{first}/classes", json={"class_ids": [sprite, coke, fanta]})
    client.put(f"{API}/{second}/classes", json={"class_ids": [cola, sprite, coke]})

    r = client.post("/api/v1/od/classes/merge", json={"source_ids": [coke], "target_id": cola})
    assert r.status_code == 200, r.text
    # Where only the source was placed, the target takes its key; where both were, the target stays.
    assert _order(client, first) == [("sprite", 1, True), ("cola", 2, True), ("fanta", 3, True)]
    assert _order(client, second) == [("cola", 1, True), ("sprite", 2, True)]

    r = client.delete(f"/api/v1/od/classes/{fanta}", params={"reassign_to": sprite})
    assert r.status_code == 200, r.text
    assert _order(client, first) == [("sprite", 1, True), ("cola", 2, True)]
    r = client.delete(f"/api/v1/od/classes/{sprite}", params={"reassign_to": fanta + 100})
    assert r.status_code == 404
    assert _order(client, first) == [("sprite", 1, True), ("cola", 2, True)]
