"""Single-annotation CRUD, bulk writes and deletes, the status endpoint, and editor navigation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from shelfscope.context import AppContext
from shelfscope.od.datasets.models import DatasetImage
from tests.support.annotations import Scene, box, make_scene, member_state, snapshot, stored_annotations

API = "/api/v1/od"


def test_create_patch_delete_one_keep_count_and_revision(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola, fanta = scene.class_ids
    created = client.post(scene.url(), json=box(cola))
    assert created.status_code == 201, created.text
    ann = created.json()["annotation"]
    assert created.json()["dataset_image"]["annotation_count"] == 1
    assert created.json()["dataset_image"]["revision"] == 1
    assert created.json()["dataset_image"]["status"] == "in_progress"
    client.post(scene.url(), json=box(cola, 300, 300, 350, 350))

    patched = client.patch(
        f"{API}/annotations/{ann['id']}", json={"class_id": fanta, "review_state": "accepted"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["annotation"]["class_id"] == fanta
    assert patched.json()["annotation"]["review_state"] == "accepted"
    assert patched.json()["dataset_image"]["revision"] == 3
    assert stored_annotations(ctx)[0]["class_id"] == fanta

    deleted = client.delete(f"{API}/annotations/{ann['id']}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted_id"] == ann["id"]
    assert deleted.json()["dataset_image"]["annotation_count"] == 1
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0]) == {
        "status": "in_progress",
        "revision": 4,
        "annotation_count": 1,
    }
    assert client.delete(f"{API}/annotations/{ann['id']}").status_code == 404
    assert client.patch(f"{API}/annotations/{ann['id']}", json={"x1": 1}).status_code == 404


def test_single_writes_validate_and_change_nothing(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    ann = client.post(scene.url(), json=box(scene.class_ids[0])).json()["annotation"]
    before = snapshot(ctx, scene)
    response = client.post(scene.url(), json=box(424242))
    assert response.status_code == 422 and response.json()["field"] == "class_id"
    response = client.patch(f"{API}/annotations/{ann['id']}", json={"x2": 5000})
    assert response.status_code == 422 and response.json()["field"] == "x2"
    response = client.patch(f"{API}/annotations/{ann['id']}", json={"class_id": 424242})
    assert response.status_code == 422 and response.json()["field"] == "class_id"
    foreign = f"{API}/datasets/{scene.dataset_id}/images/{scene.other_image_id}/annotations"
    assert client.post(foreign, json=box(scene.class_ids[0])).status_code == 404
    assert snapshot(ctx, scene) == before


def test_bulk_creates_and_updates_across_images_and_retry_changes_nothing(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola, fanta = scene.class_ids
    first = client.post(scene.url(1), json=box(cola)).json()["annotation"]
    items: list[dict[str, Any]] = [
        {"image_id": scene.image_ids[0], **box(cola)},
        {"image_id": scene.image_ids[0], **box(fanta, 200, 200, 250, 260, source="ai", confidence=0.4)},
        {"image_id": scene.image_ids[2], **box(cola)},
        {"id": first["id"], "class_id": fanta},
    ]
    response = client.post(f"{API}/annotations/bulk", json={"dataset_id": scene.dataset_id, "items": items})
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["created"], out["updated"], out["unchanged"]) == (3, 1, 0)
    assert [r["status"] for r in out["results"]] == ["created", "created", "created", "updated"]
    assert {i["image_id"]: i["annotation_count"] for i in out["images"]} == {
        scene.image_ids[0]: 2,
        scene.image_ids[1]: 1,
        scene.image_ids[2]: 1,
    }
    rows = stored_annotations(ctx)
    assert len(rows) == 4

    # The same request again (a retry after a lost response) creates no duplicates.
    again = client.post(f"{API}/annotations/bulk", json={"dataset_id": scene.dataset_id, "items": items})
    assert again.status_code == 200, again.text
    assert [r["status"] for r in again.json()["results"]] == ["exists", "exists", "exists", "unchanged"]
    assert [r["id"] for r in again.json()["results"]] == [r["id"] for r in out["results"]]
    assert again.json()["images"] == []
    assert stored_annotations(ctx) == rows
    for index, count in ((0, 2), (1, 1), (2, 1)):
        assert member_state(ctx, scene.dataset_id, scene.image_ids[index])["annotation_count"] == count


def test_bulk_errors_name_the_item_and_change_nothing(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola = scene.class_ids[0]
    client.post(scene.url(), json=box(cola))
    foreign = client.post(
        f"{API}/datasets/{scene.other_dataset_id}/images/{scene.other_image_id}/annotations", json=box(cola)
    ).json()["annotation"]
    before = snapshot(ctx, scene)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"image_id": scene.image_ids[0], **box(cola, x1=-40)}, "items[1].x1"),
        ({"image_id": scene.other_image_id, **box(cola)}, "items[1].image_id"),
        ({**box(cola)}, "items[1].image_id"),
        ({"image_id": scene.image_ids[0], "x1": 1, "y1": 1, "x2": 5, "y2": 5}, "items[1].class_id"),
        ({"id": foreign["id"], "x1": 1}, "items[1].id"),
        ({"image_id": scene.image_ids[1], **box(777_777)}, "items[1].class_id"),
    ]
    for item, field in cases:
        body = {
            "dataset_id": scene.dataset_id,
            "items": [{"image_id": scene.image_ids[1], **box(cola)}, item],
        }
        response = client.post(f"{API}/annotations/bulk", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["fields"][0]["field"] == field, response.json()
        assert snapshot(ctx, scene) == before
    response = client.post(f"{API}/annotations/bulk", json={"dataset_id": 999_999, "items": [box(cola)]})
    assert response.status_code == 404


def test_bulk_delete_is_idempotent_by_ids(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    cola = scene.class_ids[0]
    ids = [client.post(scene.url(i % 2), json=box(cola, x1=i)).json()["annotation"]["id"] for i in range(4)]
    response = client.request("DELETE", f"{API}/annotations/bulk", json={"ids": [ids[0], ids[1], ids[2]]})
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == 3 and response.json()["not_found"] == []
    assert {i["image_id"]: i["annotation_count"] for i in response.json()["images"]} == {
        scene.image_ids[0]: 0,
        scene.image_ids[1]: 1,
    }
    again = client.post(f"{API}/annotations/bulk-delete", json={"ids": [ids[0], ids[1], ids[2]]})
    assert again.status_code == 200
    assert again.json() == {"deleted": 0, "not_found": [ids[0], ids[1], ids[2]], "images": []}
    assert [r["id"] for r in stored_annotations(ctx)] == [ids[3]]
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0])["annotation_count"] == 0
    assert member_state(ctx, scene.dataset_id, scene.image_ids[1])["annotation_count"] == 1


def test_status_endpoint_sets_status_and_recounts(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    cola = scene.class_ids[0]
    client.post(scene.url(), json=box(cola))
    client.post(scene.url(), json=box(cola, x1=5))
    with ctx.db.write() as session:  # a count that drifted (e.g. an interrupted older release)
        session.execute(
            update(DatasetImage).where(DatasetImage.image_id == scene.image_ids[0]).values(annotation_count=9)
        )
    for status in ("completed", "skipped", "in_progress", "new"):
        response = client.post(scene.url(suffix="status"), json={"status": status})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status and response.json()["annotation_count"] == 2
        assert member_state(ctx, scene.dataset_id, scene.image_ids[0]) == {
            "status": status,
            "revision": 2,
            "annotation_count": 2,
        }
    bad = client.post(scene.url(suffix="status"), json={"status": "done"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"
    foreign = f"{API}/datasets/{scene.dataset_id}/images/{scene.other_image_id}/status"
    assert client.post(foreign, json={"status": "completed"}).status_code == 404


def test_neighbors_and_next_follow_membership_order(client: TestClient, ctx: AppContext) -> None:
    scene = make_scene(ctx, images=5)
    a, b, c, d, e = scene.image_ids
    for image_index in (0, 1, 3):
        client.post(scene.url(image_index, "status"), json={"status": "completed"})

    def neighbors(image_id: int) -> dict[str, Any]:
        response = client.get(f"{API}/datasets/{scene.dataset_id}/images/{image_id}/neighbors")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    assert neighbors(a) == {
        "image_id": a,
        "index": 1,
        "total": 5,
        "prev_image_id": None,
        "next_image_id": b,
        "next_unannotated_image_id": c,
    }
    assert neighbors(c) | {"image_id": 0} == {
        "image_id": 0,
        "index": 3,
        "total": 5,
        "prev_image_id": b,
        "next_image_id": d,
        "next_unannotated_image_id": e,
    }
    # After the last open image, the search wraps to the start.
    last = neighbors(e)
    assert (last["index"], last["next_image_id"], last["prev_image_id"]) == (5, None, d)
    assert last["next_unannotated_image_id"] == c

    following = client.get(f"{API}/datasets/{scene.dataset_id}/annotate/next")
    assert following.json() == {"image_id": c, "status": "new", "remaining": 2, "total": 5}
    for image_index in (2, 4):
        client.post(scene.url(image_index, "status"), json={"status": "skipped"})
    assert neighbors(c)["next_unannotated_image_id"] is None
    done = client.get(f"{API}/datasets/{scene.dataset_id}/annotate/next").json()
    assert done == {"image_id": None, "status": None, "remaining": 0, "total": 5}

    assert (
        client.get(f"{API}/datasets/{scene.dataset_id}/images/{scene.other_image_id}/neighbors").status_code
        == 404
    )
    assert client.get(f"{API}/datasets/999999/annotate/next").status_code == 404


def test_viewer_cannot_write_anything(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    ann = client.post(scene.url(), json=box(scene.class_ids[0])).json()["annotation"]
    before = snapshot(ctx, scene)
    attempts = [
        viewer_client.post(scene.url(), json=box(scene.class_ids[0])),
        viewer_client.patch(f"{API}/annotations/{ann['id']}", json={"x1": 1}),
        viewer_client.delete(f"{API}/annotations/{ann['id']}"),
        viewer_client.post(
            f"{API}/annotations/bulk",
            json={"dataset_id": scene.dataset_id, "items": [{"id": ann["id"], "x1": 1}]},
        ),
        viewer_client.request("DELETE", f"{API}/annotations/bulk", json={"ids": [ann["id"]]}),
        viewer_client.post(f"{API}/annotations/bulk-delete", json={"ids": [ann["id"]]}),
        viewer_client.post(scene.url(suffix="status"), json={"status": "completed"}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert snapshot(ctx, scene) == before
    assert viewer_client.get(scene.url(suffix="neighbors")).status_code == 200
    assert viewer_client.get(f"{API}/datasets/{scene.dataset_id}/annotate/next").status_code == 200
