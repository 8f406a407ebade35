"""One-image detect for the editor, and the review: accept or reject through the editor's save, the
queue of images with pending proposals, and each model's numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.ai import GD, annotate, annotate_body, detect_over_http, revisions, rows
from tests.support.annotations import Scene


def test_detect_stores_one_images_proposals_and_a_second_detect_replaces_them(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    image = scene.image_ids[1]
    before = revisions(ctx, scene.dataset_id)
    body = annotate_body(scene, image_id=image, max_boxes_per_image=4)
    body.pop("threshold")

    first = detect_over_http(client, ctx, body)
    assert first.status_code == 200, first.text
    out = first.json()
    assert 0 < len(out["annotations"]) <= 4
    assert out["previous_revision"] == before[image] and out["revision"] == before[image] + 1
    assert out["replaced_ids"] == []
    assert all(
        a["source"] == "ai" and a["review_state"] == "pending" and a["model"] == GD
        for a in out["annotations"]
    )
    assert all(a["confidence"] >= 0.05 and a["image_id"] == image for a in out["annotations"])
    stored = rows(ctx, scene.dataset_id)
    assert {r["id"] for r in stored} == {a["id"] for a in out["annotations"]}
    assert {r["image_id"] for r in stored} == {image}

    second = detect_over_http(client, ctx, body).json()
    assert sorted(second["replaced_ids"]) == sorted(a["id"] for a in out["annotations"])
    assert second["previous_revision"] == out["revision"] and second["revision"] == out["revision"] + 1
    assert {r["id"] for r in rows(ctx, scene.dataset_id)} == {a["id"] for a in second["annotations"]}

    # An editor still at the old revision is refused rather than overwriting the proposals.
    stale = client.put(
        scene.url(1),
        json={"base_revision": out["previous_revision"], "deleted": [second["annotations"][0]["id"]]},
    )
    assert stale.status_code == 409


def _save(client: TestClient, scene: Scene, index: int, updated: list[dict[str, object]]) -> None:
    current = client.get(scene.url(index)).json()["dataset_image"]["revision"]
    response = client.put(scene.url(index), json={"base_revision": current, "updated": updated})
    assert response.status_code == 200, response.text


def test_review_through_the_editor_save_and_the_numbers_per_model(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    annotate(client, ctx, annotate_body(scene, max_boxes_per_image=3))
    stored = rows(ctx, scene.dataset_id)
    first_image = [r for r in stored if r["image_id"] == scene.image_ids[0]]
    assert len(first_image) == 3
    as_is, edited, rejected = first_image
    x2 = edited["box"][2]
    _save(
        client,
        scene,
        0,
        [
            {"id": as_is["id"], "review_state": "accepted"},
            {"id": edited["id"], "x2": x2 - 2, "review_state": "accepted"},
            {"id": rejected["id"], "review_state": "rejected"},
        ],
    )
    after = {r["id"]: r for r in rows(ctx, scene.dataset_id)}
    assert after[as_is["id"]]["review_edited"] is False
    assert after[edited["id"]]["review_edited"] is True
    assert after[rejected["id"]]["review_state"] == "rejected"  # kept, so the numbers stay true

    stats = client.get(f"/api/v1/od/ai/review/stats?dataset_id={scene.dataset_id}").json()
    assert stats == {
        "items": [
            {
                "model": GD,
                "accepted_as_is": 1,
                "accepted_after_edit": 1,
                "rejected": 1,
                "pending": len(stored) - 3,
            }
        ]
    }
    # Changing an accepted box later does not rewrite how it was reviewed.
    _save(client, scene, 0, [{"id": as_is["id"], "x1": as_is["box"][0] + 1}])
    assert client.get("/api/v1/od/ai/review/stats").json()["items"][0]["accepted_as_is"] == 1


def test_the_review_queue_lists_images_with_pending_proposals_page_by_page(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    annotate(client, ctx, annotate_body(scene, max_boxes_per_image=2))
    pending = {r["image_id"] for r in rows(ctx, scene.dataset_id)}
    assert pending == set(scene.image_ids)
    # The first image reviewed: nothing pending there any more.
    first = [r for r in rows(ctx, scene.dataset_id) if r["image_id"] == scene.image_ids[0]]
    _save(client, scene, 0, [{"id": r["id"], "review_state": "accepted"} for r in first])

    url = f"/api/v1/od/ai/review?dataset_id={scene.dataset_id}&limit=2"
    page = client.get(url).json()
    assert page["total"] == len(scene.image_ids) - 1
    assert [i["image_id"] for i in page["items"]] == scene.image_ids[1:3]
    assert all(i["pending"] == 2 and i["models"] == [GD] and i["filename"] for i in page["items"])
    rest = client.get(f"{url}&cursor={page['next_cursor']}").json()
    assert [i["image_id"] for i in rest["items"]] == scene.image_ids[3:] and rest["next_cursor"] is None

    following = client.get(f"{url}&after_image_id={scene.image_ids[2]}").json()
    assert [i["image_id"] for i in following["items"]] == scene.image_ids[3:]
    missing = client.get(f"{url}&after_image_id={scene.other_image_id}")
    assert missing.status_code == 404
