"""The role matrix (README: Roles): annotators label and add, but what deletes data in bulk, takes
images out of a dataset or stops another user's work needs an admin, like deleting a dataset does."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from tests.support.annotations import Scene, box, make_scene


def _state(ctx: AppContext) -> tuple[int, int, int, list[tuple[int, str]]]:
    with ctx.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Image)) or 0,
            session.scalar(select(func.count()).select_from(DatasetImage)) or 0,
            session.scalar(select(func.count()).select_from(Annotation)) or 0,
            [(j.id, j.status) for j in session.scalars(select(Job).order_by(Job.id))],
        )


def _annotated(client: TestClient, ctx: AppContext) -> tuple[Scene, list[int]]:
    scene = make_scene(ctx)
    ids = []
    for i in range(len(scene.image_ids)):
        r = client.put(
            scene.url(i),
            json={"base_revision": 0, "created": [{"client_id": "a", **box(scene.class_ids[0])}]},
        )
        assert r.status_code == 200, r.text
        ids.append(r.json()["id_map"]["a"])
    return scene, ids


def _forbidden(response: Any, what: str) -> None:
    assert response.status_code == 403, (what, response.text)
    body = response.json()
    assert body["error"] == "Forbidden" and body["role"] == "annotator" and "admin" in body["detail"], what


def test_annotators_cannot_remove_delete_or_bulk_delete_and_nothing_changes(
    client: TestClient, annotator_client: TestClient, ctx: AppContext
) -> None:
    scene, annotation_ids = _annotated(client, ctx)
    before = _state(ctx)
    dataset = f"/api/v1/od/datasets/{scene.dataset_id}"
    attempts = {
        "remove images": annotator_client.post(
            f"{dataset}/images/remove", json={"image_ids": scene.image_ids}
        ),
        "remove one image": annotator_client.delete(f"{dataset}/images/{scene.image_ids[0]}"),
        "library bulk delete": annotator_client.post(
            "/api/v1/od/images/bulk", json={"action": "delete", "ids": scene.image_ids, "force": True}
        ),
        "library delete by filter": annotator_client.post(
            "/api/v1/od/images/bulk", json={"action": "delete", "filter": {}, "force": True}
        ),
        "delete an image": annotator_client.delete(f"/api/v1/od/images/{scene.image_ids[0]}?force=true"),
        "annotation bulk delete": annotator_client.post(
            "/api/v1/od/annotations/bulk-delete", json={"ids": annotation_ids}
        ),
        "annotation bulk DELETE": annotator_client.request(
            "DELETE", "/api/v1/od/annotations/bulk", json={"ids": annotation_ids}
        ),
        "delete the dataset": annotator_client.delete(dataset),
    }
    for what, response in attempts.items():
        _forbidden(response, what)
    assert _state(ctx) == before
    # What annotators do stays theirs: tagging in bulk, labelling, deleting a box in the editor.
    tagged = annotator_client.post(
        "/api/v1/od/images/bulk", json={"action": "tag", "ids": scene.image_ids, "tags": ["x"]}
    )
    assert tagged.status_code == 200 and tagged.json()["changed"] == len(scene.image_ids)
    saved = annotator_client.put(scene.url(0), json={"base_revision": 1, "deleted": [annotation_ids[0]]})
    assert saved.status_code == 200, saved.text


def test_admins_may_do_each_destructive_action(client: TestClient, ctx: AppContext) -> None:
    scene, annotation_ids = _annotated(client, ctx)
    dataset = f"/api/v1/od/datasets/{scene.dataset_id}"
    assert (
        client.post("/api/v1/od/annotations/bulk-delete", json={"ids": annotation_ids[:1]}).json()["deleted"]
        == 1
    )
    assert client.delete(f"{dataset}/images/{scene.image_ids[0]}").status_code == 204
    assert (
        client.post(f"{dataset}/images/remove", json={"image_ids": scene.image_ids[1:2]}).status_code == 200
    )
    assert client.delete(f"/api/v1/od/images/{scene.image_ids[0]}?force=true").status_code == 204
    r = client.post(
        "/api/v1/od/images/bulk", json={"action": "delete", "ids": scene.image_ids[1:], "force": True}
    )
    assert r.status_code == 200 and r.json()["changed"] == 2


def _verify_job(c: TestClient) -> int:
    r = c.post("/api/v1/od/images/verify", json={})
    assert r.status_code == 202, r.text
    return int(r.json()["job"]["id"])


def test_only_admins_cancel_another_users_job(
    client: TestClient, annotator_client: TestClient, ctx: AppContext
) -> None:
    admins = _verify_job(client)
    before = _state(ctx)

    _forbidden(annotator_client.post(f"/api/v1/jobs/{admins}/cancel"), "cancel the admin's job")
    assert _state(ctx) == before

    own = _verify_job(annotator_client)
    assert annotator_client.post(f"/api/v1/jobs/{own}/cancel").json()["job"]["status"] == "cancelled"
    theirs = _verify_job(annotator_client)
    assert client.post(f"/api/v1/jobs/{theirs}/cancel").json()["job"]["status"] == "cancelled"
    assert annotator_client.post("/api/v1/jobs/999999/cancel").status_code == 404
