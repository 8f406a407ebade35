"""The registry's list, detail, edits, the one annotation default, deleting, and who may do what."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.trained_models.models import TrainedModel
from tests.registry.conftest import Registered
from tests.support.trained_models import register_tiny_model

URL = "/api/v1/od/models"


def _rows(ctx: AppContext) -> dict[int, dict[str, Any]]:
    with ctx.db.read() as session:
        return {
            r.id: {
                "name": r.name,
                "description": r.description,
                "active": r.is_active,
                "default": r.is_default,
            }
            for r in session.scalars(select(TrainedModel))
        }


def _stored(ctx: AppContext, model_id: int) -> list[str]:
    return sorted(ctx.storage.iter_keys(f"models/od/{model_id}/"))


def _second(ctx: AppContext, registered: Registered, name: str = "Second") -> int:
    cola, fanta = registered.scene.class_ids
    return register_tiny_model(ctx, [(cola, "Cola"), (fanta, "Fanta")], name=name).id


def test_a_registered_model_reads_back_with_its_classes_files_and_dataset(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, fanta = registered.scene.class_ids
    model = client.get(f"{URL}/{registered.model_id}").json()
    assert model["key"] == f"trained:{registered.model_id}"
    assert (model["architecture"], model["family"], model["input_size"]) == ("rtdetrv2-r18", "rtdetrv2", 128)
    assert model["classes"] == [
        {"index": 0, "class_id": fanta, "name": "Fanta"},
        {"index": 1, "class_id": cola, "name": "Cola"},
    ]
    assert model["dataset_id"] == registered.scene.dataset_id and model["dataset_name"] == "Shelves"
    assert model["is_active"] and not model["is_default"] and model["onnx"] is None
    stored = _stored(ctx, registered.model_id)
    prefix = f"models/od/{registered.model_id}/"
    assert stored == [prefix + f for f in ("config.json", "model.safetensors", "shelfscope-model.json")]
    assert model["artifact_size"] == sum(ctx.storage.size(k) for k in stored)


def test_the_list_filters_and_pages_newest_first(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    second = _second(ctx, registered)
    assert client.patch(f"{URL}/{registered.model_id}", json={"is_active": False}).status_code == 200

    everything = client.get(URL).json()
    assert [m["id"] for m in everything["items"]] == [second, registered.model_id]
    assert everything["total"] == 2 and everything["next_cursor"] is None
    assert [m["id"] for m in client.get(URL, params={"active": "false"}).json()["items"]] == [
        registered.model_id
    ]
    assert client.get(URL, params={"family": "rfdetr"}).json() == {
        "items": [],
        "next_cursor": None,
        "total": 0,
    }
    assert client.get(URL, params={"architecture": "rtdetrv2-r18"}).json()["total"] == 2

    first = client.get(URL, params={"limit": 1}).json()
    assert [m["id"] for m in first["items"]] == [second] and first["next_cursor"]
    rest = client.get(URL, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [m["id"] for m in rest["items"]] == [registered.model_id] and rest["next_cursor"] is None

    bad = client.get(URL, params={"architecture": "yolo-v99"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "architecture"
    assert client.get(URL, params={"cursor": "nonsense"}).status_code == 422


def test_patch_renames_describes_and_deactivates_and_bad_edits_change_nothing(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    url = f"{URL}/{registered.model_id}"
    done = client.patch(url, json={"name": "  Shelf   v2 ", "description": "night shift"})
    assert done.status_code == 200, done.text
    assert (done.json()["name"], done.json()["description"]) == ("Shelf v2", "night shift")
    before = _rows(ctx)
    for body, field in (
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"colour": "red"}, "colour"),
        ({"is_active": "maybe"}, "is_active"),
    ):
        refused = client.patch(url, json=body)
        assert refused.status_code == 422, body
        assert refused.json()["error"] == "ValidationFailed"
        assert field in refused.json()["detail"]
    assert _rows(ctx) == before
    missing = client.patch(f"{URL}/999999", json={"name": "x"})
    assert missing.status_code == 404 and missing.json()["model_id"] == 999999


def test_set_default_keeps_exactly_one_default(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    second = _second(ctx, registered)
    first = client.post(f"{URL}/{registered.model_id}/set-default")
    assert first.status_code == 200 and first.json()["is_default"]
    moved = client.post(f"{URL}/{second}/set-default")
    assert moved.status_code == 200 and moved.json()["is_default"]
    defaults = [i for i, r in _rows(ctx).items() if r["default"]]
    assert defaults == [second]
    # Again: idempotent, still one.
    assert client.post(f"{URL}/{second}/set-default").status_code == 200
    assert [i for i, r in _rows(ctx).items() if r["default"]] == [second]

    # The default cannot be deactivated, and an inactive model cannot become the default.
    refused = client.patch(f"{URL}/{second}", json={"is_active": False})
    assert refused.status_code == 409 and refused.json()["model_id"] == second
    client.patch(f"{URL}/{registered.model_id}", json={"is_active": False})
    inactive = client.post(f"{URL}/{registered.model_id}/set-default")
    assert inactive.status_code == 409
    assert [i for i, r in _rows(ctx).items() if r["default"]] == [second]
    assert client.post(f"{URL}/424242/set-default").status_code == 404


def test_deleting_the_default_is_refused_and_changes_nothing(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    client.post(f"{URL}/{registered.model_id}/set-default")
    before, files = _rows(ctx), _stored(ctx, registered.model_id)
    refused = client.delete(f"{URL}/{registered.model_id}")
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "Conflict" and body["model_id"] == registered.model_id
    assert body["name"] == "Tiny RT-DETRv2" and "default" in body["detail"]
    assert _rows(ctx) == before and _stored(ctx, registered.model_id) == files


def test_delete_removes_the_row_and_its_stored_files(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    second = _second(ctx, registered)
    assert client.delete(f"{URL}/{registered.model_id}").status_code == 204
    assert list(_rows(ctx)) == [second]
    assert _stored(ctx, registered.model_id) == [] and _stored(ctx, second)
    assert client.get(f"{URL}/{registered.model_id}").status_code == 404
    assert client.delete(f"{URL}/{registered.model_id}").status_code == 404


def test_compare_lists_two_to_five_models_with_ap_per_class(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, fanta = registered.scene.class_ids
    metrics = {"map50": 0.8, "per_class": [{"class_id": cola, "name": "Cola", "ap50": 0.9, "ap50_95": 0.6}]}
    second = register_tiny_model(
        ctx, [(cola, "Cola"), (fanta, "Fanta")], name="With metrics", metrics=metrics
    ).id
    out = client.get(f"{URL}/compare", params={"ids": f"{second},{registered.model_id}"}).json()
    assert [m["id"] for m in out["models"]] == [second, registered.model_id]
    by_class = {c["class_id"]: c for c in out["classes"]}
    assert set(by_class) == {cola, fanta}
    assert by_class[cola]["ap50"] == {str(second): 0.9, str(registered.model_id): None}
    for ids in (str(second), "1,2,3,4,5,6", "a,b", f"{second},{second}"):
        refused = client.get(f"{URL}/compare", params={"ids": ids})
        assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "ids", ids
    assert client.get(f"{URL}/compare", params={"ids": f"{second},999999"}).status_code == 404


def test_viewers_read_annotators_edit_and_only_admins_delete(
    client: TestClient,
    viewer_client: TestClient,
    annotator_client: TestClient,
    ctx: AppContext,
    registered: Registered,
) -> None:
    url = f"{URL}/{registered.model_id}"
    assert viewer_client.get(URL).status_code == 200 and viewer_client.get(url).status_code == 200
    before = _rows(ctx)
    for method, path, body in (
        ("PATCH", url, {"name": "x"}),
        ("POST", f"{url}/set-default", None),
        ("POST", f"{url}/export", {"format": "onnx"}),
        ("POST", f"{url}/inference", {"image_id": registered.scene.image_ids[0]}),
        ("DELETE", url, None),
    ):
        refused = viewer_client.request(method, path, json=body)
        assert refused.status_code == 403, (method, path)
        assert refused.json()["error"] == "Forbidden"
    assert _rows(ctx) == before

    assert annotator_client.patch(url, json={"name": "Renamed"}).status_code == 200
    assert annotator_client.post(f"{url}/set-default").status_code == 200
    second = _second(ctx, registered)
    assert annotator_client.delete(f"{URL}/{second}").status_code == 403
    assert client.delete(f"{URL}/{second}").status_code == 204
