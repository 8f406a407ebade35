"""The editor's endpoints: load an image with its annotations; the all-or-nothing, revision-guarded save."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.annotations import HEIGHT, WIDTH, Scene, box, member_state, snapshot, stored_annotations


def save(client: TestClient, scene: Scene, body: dict[str, Any], image_index: int = 0) -> Any:
    return client.put(scene.url(image_index), json={"base_revision": 0, **body})


def test_load_returns_image_state_and_items(client: TestClient, scene: Scene) -> None:
    empty = client.get(scene.url())
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert body["image"]["id"] == scene.image_ids[0]
    assert (body["image"]["width"], body["image"]["height"]) == (WIDTH, HEIGHT)
    assert body["image"]["file_url"] == f"/api/v1/od/images/{scene.image_ids[0]}/file"
    assert body["image"]["thumbnail_url"] == f"/api/v1/od/images/{scene.image_ids[0]}/thumbnail"
    assert body["image"]["filename"] == "s0.jpg"
    assert body["dataset_image"] == {
        "dataset_image_id": body["dataset_image"]["dataset_image_id"],
        "status": "new",
        "revision": 0,
        "annotation_count": 0,
        "split": None,
    }
    assert body["items"] == []

    saved = save(client, scene, {"created": [{"client_id": "a", **box(scene.class_ids[0])}]})
    assert saved.status_code == 200, saved.text
    loaded = client.get(scene.url()).json()
    assert loaded["dataset_image"]["revision"] == 1
    (item,) = loaded["items"]
    assert item["id"] == saved.json()["id_map"]["a"]
    assert item["image_id"] == scene.image_ids[0]
    assert (item["x1"], item["y1"], item["x2"], item["y2"]) == (10, 20, 110, 220)
    assert item["kind"] == "bbox" and item["source"] == "manual" and item["review_state"] == "none"


def test_save_applies_created_updated_deleted_together(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola, fanta = scene.class_ids
    first = save(client, scene, {"created": [{"client_id": f"c{i}", **box(cola, x1=i)} for i in range(3)]})
    assert first.status_code == 200, first.text
    ids = first.json()["id_map"]
    assert first.json()["revision"] == 1 and first.json()["status"] == "in_progress"
    assert first.json()["annotation_count"] == 3

    second = client.put(
        scene.url(),
        json={
            "base_revision": 1,
            "created": [{"client_id": "new", **box(fanta, 300, 300, 400, 400, source="ai", confidence=0.8)}],
            "updated": [{"id": ids["c0"], "class_id": fanta, "x2": 50}],
            "deleted": [ids["c1"]],
        },
    )
    assert second.status_code == 200, second.text
    out = second.json()
    assert out["revision"] == 2 and out["annotation_count"] == 3
    assert set(out["id_map"]) == {"new"}
    by_id = {item["id"]: item for item in out["items"]}
    assert set(by_id) == {ids["c0"], ids["c2"], out["id_map"]["new"]}
    assert by_id[ids["c0"]]["class_id"] == fanta and by_id[ids["c0"]]["x2"] == 50
    assert by_id[out["id_map"]["new"]]["confidence"] == 0.8

    rows = {r["id"]: r for r in stored_annotations(ctx)}
    assert set(rows) == set(by_id)
    assert rows[ids["c0"]]["box"] == (0, 20, 50, 220) and rows[ids["c0"]]["class_id"] == fanta
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0]) == {
        "status": "in_progress",
        "revision": 2,
        "annotation_count": 3,
    }


def test_save_without_changes_keeps_the_revision(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    first = save(client, scene, {"created": [{"client_id": "a", **box(scene.class_ids[0])}]}).json()
    same = client.put(
        scene.url(),
        json={"base_revision": 1, "updated": [{"id": first["id_map"]["a"], "x1": 10}], "return_items": False},
    )
    assert same.status_code == 200, same.text
    assert same.json()["revision"] == 1 and same.json()["items"] is None
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0])["revision"] == 1


def test_stale_save_is_a_conflict_with_the_current_state_and_changes_nothing(
    client: TestClient, annotator_client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola = scene.class_ids[0]
    mine = save(client, scene, {"created": [{"client_id": "a", **box(cola)}]})
    assert mine.status_code == 200
    before = snapshot(ctx, scene)

    # The annotator opened the image at revision 0 and saves after the admin did.
    theirs = annotator_client.put(
        scene.url(),
        json={
            "base_revision": 0,
            "created": [{"client_id": "b", **box(cola, 200, 200, 300, 300)}],
            "deleted": [mine.json()["id_map"]["a"]],
        },
    )
    assert theirs.status_code == 409, theirs.text
    body = theirs.json()
    assert body["error"] == "Conflict"
    assert body["base_revision"] == 0
    assert body["current"]["revision"] == 1
    assert body["current"]["status"] == "in_progress"
    assert [item["id"] for item in body["current"]["items"]] == [mine.json()["id_map"]["a"]]
    assert snapshot(ctx, scene) == before

    retried = annotator_client.put(
        scene.url(),
        json={"base_revision": 1, "created": [{"client_id": "b", **box(cola, 200, 200, 300, 300)}]},
    )
    assert retried.status_code == 200 and retried.json()["revision"] == 2


def test_invalid_items_are_named_and_nothing_is_saved(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola = scene.class_ids[0]
    ok = save(client, scene, {"created": [{"client_id": "a", **box(cola)}]}).json()
    existing = ok["id_map"]["a"]
    before = snapshot(ctx, scene)

    def rejected(body: dict[str, Any]) -> list[dict[str, str]]:
        response = client.put(scene.url(), json={"base_revision": 1, **body})
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "ValidationFailed"
        assert snapshot(ctx, scene) == before
        fields: list[dict[str, str]] = response.json()["fields"]
        return fields

    good = [{"client_id": f"g{i}", **box(cola)} for i in range(3)]
    fields = rejected({"created": [*good, {"client_id": "bad", **box(999_999)}], "deleted": [existing]})
    assert fields == [{"field": "created[3].class_id", "message": "no class with id 999999"}]

    fields = rejected({"created": [{"client_id": "x", **box(cola, x1=200, x2=100)}]})
    assert fields[0]["field"] == "created[0].x2"
    fields = rejected({"created": [{"client_id": "x", **box(cola, WIDTH + 5, 10, WIDTH + 50, 50)}]})
    assert fields[0]["field"] == "created[0].box" and "entirely outside" in fields[0]["message"]
    fields = rejected({"created": [{"client_id": "x", **box(cola, x1=-3)}]})
    assert fields[0]["field"] == "created[0].x1" and "0.5 px" in fields[0]["message"]
    fields = rejected({"created": [{"client_id": "x", **box(cola, y2=HEIGHT + 0.51)}]})
    assert fields[0]["field"] == "created[0].y2"
    fields = rejected({"updated": [{"id": existing, "class_id": None}]})
    assert fields == [{"field": "updated[0].class_id", "message": "must not be null"}]
    fields = rejected({"updated": [{"id": existing, "x1": 500}]})
    assert fields[0]["field"] == "updated[0].x2"
    fields = rejected({"updated": [{"id": existing + 1000, "x1": 5}], "deleted": [existing + 1001]})
    assert [f["field"] for f in fields] == ["deleted[0]", "updated[0].id"]
    fields = rejected({"updated": [{"id": existing, "x1": 5}], "deleted": [existing]})
    assert fields[0]["field"] == "updated[0].id" and "also deleted" in fields[0]["message"]
    fields = rejected({"created": [{"client_id": "x", **box(cola)}, {"client_id": "x", **box(cola)}]})
    assert fields[0]["field"] == "created[1].client_id"
    fields = rejected({"created": [{"client_id": "x", **box(cola, confidence=1.5)}]})
    assert fields[0]["field"] == "created[0].confidence"
    fields = rejected({"created": [{"client_id": "x", **box(cola, kind="polygon")}]})
    assert fields[0]["field"] == "created[0].points"

    # Several problems at once are all listed.
    fields = rejected(
        {"created": [{"client_id": "a1", **box(999_998)}, {"client_id": "a2", **box(cola, x1=-9)}]}
    )
    assert [f["field"] for f in fields] == ["created[1].x1", "created[0].class_id"]

    # A shape error is caught by the schema before the service runs.
    response = client.put(scene.url(), json={"base_revision": 1, "created": [{"client_id": "x", "x1": 1}]})
    assert response.status_code == 422
    assert snapshot(ctx, scene) == before


def test_nan_and_infinity_are_refused(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    before = snapshot(ctx, scene)
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        raw = (
            f'{{"base_revision": 0, "created": [{{"client_id": "a", "class_id": {scene.class_ids[0]}, '
            f'"x1": {literal}, "y1": 0, "x2": 10, "y2": 10}}]}}'
        )
        response = client.put(scene.url(), content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (literal, response.text)
        assert response.json()["fields"] == [{"field": "created[0].x1", "message": "must be a finite number"}]
    assert snapshot(ctx, scene) == before


def test_tiny_overshoot_is_clamped_to_the_edge(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    response = save(
        client,
        scene,
        {"created": [{"client_id": "a", **box(scene.class_ids[0], -0.5, -0.2, WIDTH + 0.5, HEIGHT + 0.01)}]},
    )
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    assert (item["x1"], item["y1"], item["x2"], item["y2"]) == (0, 0, WIDTH, HEIGHT)
    assert stored_annotations(ctx)[0]["box"] == (0, 0, WIDTH, HEIGHT)


def test_polygon_bounds_come_from_its_points(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    points = [[10, 10], [100, 15], [60, 90.5]]
    response = save(
        client,
        scene,
        {
            "created": [
                {"client_id": "p", "class_id": scene.class_ids[0], "kind": "polygon", "points": points}
            ]
        },
    )
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    assert (item["x1"], item["y1"], item["x2"], item["y2"]) == (10, 10, 100, 90.5)
    assert item["points"] == points
    # Turning it into a box drops the points.
    changed = client.put(
        scene.url(), json={"base_revision": 1, "updated": [{"id": item["id"], "kind": "bbox"}]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["items"][0]["points"] is None
    assert stored_annotations(ctx)[0]["points"] is None


def test_annotations_of_another_datasets_image_are_not_found(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    foreign = f"/api/v1/od/datasets/{scene.dataset_id}/images/{scene.other_image_id}/annotations"
    assert client.get(foreign).status_code == 404
    response = client.put(
        foreign, json={"base_revision": 0, "created": [{"client_id": "a", **box(scene.class_ids[0])}]}
    )
    assert response.status_code == 404 and response.json()["error"] == "NotFound"
    assert (
        client.get(f"/api/v1/od/datasets/999999/images/{scene.image_ids[0]}/annotations").status_code == 404
    )
    assert stored_annotations(ctx) == []

    # An annotation of another image cannot be changed through this image's save.
    other = client.put(
        f"/api/v1/od/datasets/{scene.other_dataset_id}/images/{scene.other_image_id}/annotations",
        json={"base_revision": 0, "created": [{"client_id": "a", **box(scene.class_ids[0])}]},
    ).json()["id_map"]["a"]
    before = snapshot(ctx, scene)
    response = save(client, scene, {"deleted": [other]})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "deleted[0]"
    assert snapshot(ctx, scene) == before


def test_viewer_can_read_but_not_save(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    assert viewer_client.get(scene.url()).status_code == 200
    response = save(viewer_client, scene, {"created": [{"client_id": "a", **box(scene.class_ids[0])}]})
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    assert stored_annotations(ctx) == []


def test_annotator_saves(annotator_client: TestClient, ctx: AppContext, scene: Scene) -> None:
    response = save(annotator_client, scene, {"created": [{"client_id": "a", **box(scene.class_ids[0])}]})
    assert response.status_code == 200, response.text
    assert math.isclose(response.json()["items"][0]["x2"], 110)


def test_two_people_saving_at_once_never_overwrite_each_other(
    client: TestClient, annotator_client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola = scene.class_ids[0]
    barrier = threading.Barrier(2)

    def save_as(who: TestClient, name: str, revision: int) -> int:
        barrier.wait()
        body = {"base_revision": revision, "created": [{"client_id": name, **box(cola, x1=len(name))}]}
        status: int = who.put(scene.url(), json=body).status_code
        return status

    revision = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_no in range(4):
            futures = [
                pool.submit(save_as, client, f"admin{round_no}", revision),
                pool.submit(save_as, annotator_client, f"annie{round_no}", revision),
            ]
            assert sorted(f.result() for f in futures) == [200, 409]
            revision += 1
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0]) == {
        "status": "in_progress",
        "revision": 4,
        "annotation_count": 4,
    }
    assert len(stored_annotations(ctx)) == 4
