"""The dataset API: datasets, adding and removing library images, per-image status, statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.training.models import TrainingRun
from shelfscope.od.versions.models import DatasetVersion
from tests.support.seed import annotate, count_statements, make_dataset, make_images

API = "/api/v1/od/datasets"


def _create(client: TestClient, name: str = "Shelves", **fields: Any) -> dict[str, Any]:
    r = client.post(API, json={"name": name, **fields})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _members(ctx: AppContext, dataset_id: int) -> list[int]:
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(DatasetImage.image_id)
                .where(DatasetImage.dataset_id == dataset_id)
                .order_by(DatasetImage.image_id)
            )
        )


def _count(ctx: AppContext, model: Any) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _class(ctx: AppContext, name: str, color: str = "#ff0000") -> int:
    with ctx.db.write() as s:
        cls = OdClass(name=name, name_key=name.casefold(), color=color)
        s.add(cls)
        s.flush()
        return cls.id


def _fields(body: dict[str, Any]) -> set[str]:
    return {f["field"] for f in body.get("fields", [])} | {body.get("field", "")}


# --- datasets ------------------------------------------------------------------------------------


def test_create_get_update_dataset(client: TestClient) -> None:
    created = _create(client, "  Berlin   shelves ", description="store photos", annotation_type="polygon")
    assert {k: created[k] for k in ("name", "description", "annotation_type", "image_count", "progress")} == {
        "name": "Berlin shelves",
        "description": "store photos",
        "annotation_type": "polygon",
        "image_count": 0,
        "progress": 0.0,
    }
    assert created["status_counts"] == {"new": 0, "in_progress": 0, "completed": 0, "skipped": 0}
    assert created["created_by"] is not None
    assert client.get(f"{API}/{created['id']}").json() == created

    patched = client.patch(f"{API}/{created['id']}", json={"name": "Munich", "annotation_type": "bbox"})
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["annotation_type"]) == ("Munich", "bbox")
    assert patched.json()["description"] == "store photos"


def test_create_rejects_bad_input_and_creates_nothing(client: TestClient, ctx: AppContext) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "ok", "annotation_type": "keypoints"}, "annotation_type"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({}, "name"),
    ]
    for payload, field in cases:
        r = client.post(API, json=payload)
        assert r.status_code == 422, (payload, r.text)
        assert field in _fields(r.json()), payload
    assert _count(ctx, Dataset) == 0


def test_update_rejects_bad_input_and_changes_nothing(client: TestClient) -> None:
    created = _create(client, "Shelves")
    for payload, field in [
        ({"name": " "}, "name"),
        ({"annotation_type": "mask"}, "annotation_type"),
        ({"name": None}, "name"),
    ]:
        r = client.patch(f"{API}/{created['id']}", json=payload)
        assert r.status_code == 422 and field in _fields(r.json()), payload
    assert client.get(f"{API}/{created['id']}").json() == created


def test_delete_dataset_keeps_the_library_images(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 2)
    client.post(f"{API}/{created['id']}/images", json={"image_ids": images})
    with ctx.db.read() as s:
        member = s.scalars(select(DatasetImage)).first()
        keys = [i.storage_key for i in s.scalars(select(Image))]
    assert member is not None
    annotate(ctx, member.id, _class(ctx, "cola"), 2)

    assert client.delete(f"{API}/{created['id']}").status_code == 204
    assert client.get(f"{API}/{created['id']}").status_code == 404
    assert (_count(ctx, Dataset), _count(ctx, DatasetImage), _count(ctx, Annotation)) == (0, 0, 0)
    assert _count(ctx, Image) == 2
    root = Path(ctx.settings.local_storage_dir)
    assert all((root / key).is_file() for key in keys)
    assert client.delete(f"{API}/{created['id']}").status_code == 404


def test_delete_refused_while_a_training_run_uses_a_version(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    with ctx.db.write() as s:
        version = DatasetVersion(dataset_id=created["id"], number=1, status="ready")
        s.add(version)
        s.flush()
        s.add(TrainingRun(name="run", dataset_version_id=version.id, base_model="rtdetr"))
    r = client.delete(f"{API}/{created['id']}")
    assert r.status_code == 409 and r.json()["training_runs"] == 1
    assert _count(ctx, Dataset) == 1


def test_list_shows_counts_and_progress_newest_first(client: TestClient, ctx: AppContext) -> None:
    first = _create(client, "first")
    second = _create(client, "second")
    images = make_images(ctx, 4)
    client.post(f"{API}/{first['id']}/images", json={"image_ids": images})
    for image_id, status in zip(images, ["completed", "skipped", "in_progress", "new"], strict=True):
        client.patch(f"{API}/{first['id']}/images/{image_id}", json={"status": status})
    with ctx.db.read() as s:
        member = s.scalars(select(DatasetImage).where(DatasetImage.image_id == images[0])).one()
    annotate(ctx, member.id, _class(ctx, "cola"), 3)

    page = client.get(API).json()
    assert [d["name"] for d in page["items"]] == ["second", "first"] and page["total"] == 2
    listed = page["items"][1]
    assert listed["image_count"] == 4 and listed["annotation_count"] == 3
    assert listed["status_counts"] == {"new": 1, "in_progress": 1, "completed": 1, "skipped": 1}
    assert listed["progress"] == 0.5
    assert page["items"][0]["id"] == second["id"] and page["items"][0]["image_count"] == 0

    assert [d["name"] for d in client.get(API, params={"q": "SEC"}).json()["items"]] == ["second"]
    one = client.get(API, params={"limit": 1}).json()
    rest = client.get(API, params={"limit": 1, "cursor": one["next_cursor"]}).json()
    assert [d["name"] for d in one["items"] + rest["items"]] == ["second", "first"]
    assert rest["next_cursor"] is None


def test_list_runs_a_fixed_number_of_queries(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 2)

    def statements_for_list() -> int:
        with count_statements(ctx.db.engine) as statements:
            assert client.get(API).status_code == 200
        return len(statements)

    for i in range(2):
        make_dataset(ctx, f"a{i}", images)
    few = statements_for_list()
    for i in range(12):
        make_dataset(ctx, f"b{i}", images)
    assert statements_for_list() == few, "the dataset list must not query once per dataset"

    created = _create(client)
    client.post(f"{API}/{created['id']}/images", json={"image_ids": images})
    with count_statements(ctx.db.engine) as statements:
        client.get(f"{API}/{created['id']}/images")
    assert sum("od_dataset_images" in s for s in statements) <= 3


# --- adding and removing images ------------------------------------------------------------------


def test_add_images_by_id_reports_already_present(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 3)
    url = f"{API}/{created['id']}/images"

    r = client.post(url, json={"image_ids": images[:2]})
    assert r.status_code == 200 and r.json() == {"added": 2, "already_present": 0}
    again = client.post(url, json={"image_ids": [*images, images[0]]})
    assert again.status_code == 200 and again.json() == {"added": 1, "already_present": 2}
    assert client.post(url, json={"image_ids": images}).json() == {"added": 0, "already_present": 3}
    assert _members(ctx, created["id"]) == sorted(images)
    assert _count(ctx, DatasetImage) == 3
    assert client.get(f"{API}/{created['id']}").json()["image_count"] == 3


def test_add_unknown_image_ids_is_404_and_adds_nothing(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 2)
    r = client.post(f"{API}/{created['id']}/images", json={"image_ids": [images[0], 9001, 9002]})
    assert r.status_code == 404
    assert r.json()["missing_ids"] == [9001, 9002] and r.json()["field"] == "image_ids"
    assert "9001" in r.json()["detail"]
    assert _members(ctx, created["id"]) == []
    missing_dataset = client.post(f"{API}/777/images", json={"image_ids": images})
    assert missing_dataset.status_code == 404 and _count(ctx, DatasetImage) == 0


def test_add_images_needs_exactly_one_of_ids_or_filter(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    make_images(ctx, 1)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "image_ids"),
        ({"image_ids": [1], "filter": {}}, "image_ids"),
        ({"image_ids": "all"}, "image_ids"),
        ({"filter": {"colour": "red"}}, "filter.colour"),
        ({"filter": {"source": "camera"}}, "filter.source"),
    ]
    for payload, field in cases:
        r = client.post(f"{API}/{created['id']}/images", json=payload)
        assert r.status_code == 422, (payload, r.text)
        assert field in _fields(r.json()), payload
    assert _count(ctx, DatasetImage) == 0


def test_add_images_by_library_filter(client: TestClient, ctx: AppContext) -> None:
    berlin = make_images(ctx, 3, folder="stores/berlin")
    munich = make_images(ctx, 2, start=10, folder="stores/munich")
    created = _create(client)
    url = f"{API}/{created['id']}/images"

    r = client.post(url, json={"filter": {"folder": "stores/berlin"}})
    assert r.json() == {"added": 3, "already_present": 0}
    r = client.post(url, json={"filter": {"folder": "stores", "folder_prefix": True}})
    assert r.json() == {"added": 2, "already_present": 3}
    assert _members(ctx, created["id"]) == sorted(berlin + munich)

    other = _create(client, "other")
    r = client.post(f"{API}/{other['id']}/images", json={"filter": {}})
    assert r.json() == {"added": 5, "already_present": 0}
    assert _count(ctx, Image) == 5 and _count(ctx, DatasetImage) == 10


def test_remove_one_image_keeps_it_in_the_library(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 2)
    client.post(f"{API}/{created['id']}/images", json={"image_ids": images})
    with ctx.db.read() as s:
        member = s.scalars(select(DatasetImage).where(DatasetImage.image_id == images[0])).one()
    annotate(ctx, member.id, _class(ctx, "cola"), 2)

    assert client.delete(f"{API}/{created['id']}/images/{images[0]}").status_code == 204
    assert _members(ctx, created["id"]) == [images[1]]
    assert _count(ctx, Annotation) == 0 and _count(ctx, Image) == 2
    again = client.delete(f"{API}/{created['id']}/images/{images[0]}")
    assert again.status_code == 404 and again.json()["image_id"] == images[0]
    assert client.delete(f"{API}/999/images/{images[1]}").status_code == 404
    assert _members(ctx, created["id"]) == [images[1]]


def test_bulk_remove_reports_removed_and_not_present(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 4)
    client.post(f"{API}/{created['id']}/images", json={"image_ids": images[:3]})
    with ctx.db.read() as s:
        member = s.scalars(select(DatasetImage).where(DatasetImage.image_id == images[1])).one()
    annotate(ctx, member.id, _class(ctx, "cola"), 4)

    r = client.post(
        f"{API}/{created['id']}/images/remove", json={"image_ids": [images[0], images[1], images[3], 5555]}
    )
    assert r.status_code == 200
    assert r.json() == {"removed": 2, "not_present": 2, "annotations_removed": 4}
    assert _members(ctx, created["id"]) == [images[2]]
    assert _count(ctx, Image) == 4
    empty = client.post(f"{API}/{created['id']}/images/remove", json={"image_ids": []})
    assert empty.status_code == 422 and "image_ids" in _fields(empty.json())


# --- listing and status --------------------------------------------------------------------------


def test_list_images_with_filters_and_cursor(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 5)
    url = f"{API}/{created['id']}/images"
    client.post(url, json={"image_ids": images})
    client.patch(f"{url}/{images[1]}", json={"status": "completed", "split": "train"})
    client.patch(f"{url}/{images[3]}", json={"status": "completed", "split": "val"})
    client.patch(f"{url}/{images[4]}", json={"status": "skipped"})

    page = client.get(url).json()
    assert page["total"] == 5 and [i["image_id"] for i in page["items"]] == images
    first = page["items"][0]
    assert first["image"]["filename"] == "shelf_0.jpg" and first["image"]["width"] == 32
    assert first["image"]["thumbnail_url"].endswith(f"/{images[0]}/thumbnail")
    assert (first["status"], first["split"], first["annotation_count"], first["revision"]) == (
        "new",
        None,
        0,
        0,
    )

    def ids(**params: Any) -> list[int]:
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        return [i["image_id"] for i in r.json()["items"]]

    assert ids(status="completed") == [images[1], images[3]]
    assert ids(status=["completed", "skipped"]) == [images[1], images[3], images[4]]
    assert ids(split="val") == [images[3]]
    assert ids(split="none") == [images[0], images[2], images[4]]
    assert client.get(url, params={"status": "done"}).status_code == 422

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(url, params=params).json()
        seen += [i["image_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == images
    assert client.get(f"{API}/999/images").status_code == 404


def test_patch_image_status_and_split(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 2)
    url = f"{API}/{created['id']}/images"
    client.post(url, json={"image_ids": images})

    r = client.patch(f"{url}/{images[0]}", json={"status": "in_progress", "split": "test"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["split"]) == ("in_progress", "test")
    r = client.patch(f"{url}/{images[0]}", json={"split": None})
    assert (r.json()["status"], r.json()["split"]) == ("in_progress", None)

    for payload in ({"status": "done"}, {"status": None}, {"split": "holdout"}):
        bad = client.patch(f"{url}/{images[0]}", json=payload)
        assert bad.status_code == 422 and set(payload) <= _fields(bad.json())
    assert client.get(url).json()["items"][0]["status"] == "in_progress"
    assert client.patch(f"{url}/9999", json={"status": "completed"}).status_code == 404


def test_stats_count_images_and_annotations_by_class(client: TestClient, ctx: AppContext) -> None:
    created = _create(client)
    images = make_images(ctx, 4)
    url = f"{API}/{created['id']}/images"
    client.post(url, json={"image_ids": images})
    client.patch(f"{url}/{images[0]}", json={"status": "completed", "split": "train"})
    client.patch(f"{url}/{images[1]}", json={"status": "completed", "split": "train"})
    client.patch(f"{url}/{images[2]}", json={"status": "skipped", "split": "val"})
    cola, chips = _class(ctx, "cola", "#ff0000"), _class(ctx, "chips", "#00ff00")
    with ctx.db.read() as s:
        members = {m.image_id: m.id for m in s.scalars(select(DatasetImage))}
    annotate(ctx, members[images[0]], cola, 3)
    annotate(ctx, members[images[1]], cola, 3)
    annotate(ctx, members[images[1]], chips, 2)
    other_dataset, other_members = make_dataset(ctx, "other", images[:1])
    annotate(ctx, other_members[images[0]], chips, 9)  # another dataset's annotations are not counted

    stats = client.get(f"{API}/{created['id']}/stats").json()
    assert stats["image_count"] == 4 and stats["progress"] == 0.75
    assert stats["images_by_status"] == {"new": 1, "in_progress": 0, "completed": 2, "skipped": 1}
    assert stats["splits"] == {"train": 2, "val": 1, "test": 0, "unassigned": 1}
    assert stats["annotation_count"] == 8
    assert stats["annotations_by_class"] == [
        {
            "class_id": cola,
            "name": "cola",
            "display_name": "",
            "color": "#ff0000",
            "annotations": 6,
            "images": 2,
        },
        {
            "class_id": chips,
            "name": "chips",
            "display_name": "",
            "color": "#00ff00",
            "annotations": 2,
            "images": 1,
        },
    ]
    assert stats["class_distribution"] == [
        {"class_id": cola, "label": "cola", "color": "#ff0000", "value": 6, "percent": 75.0},
        {"class_id": chips, "label": "chips", "color": "#00ff00", "value": 2, "percent": 25.0},
    ]
    assert client.get(f"{API}/{other_dataset}/stats").json()["annotation_count"] == 9
    assert client.get(f"{API}/999/stats").status_code == 404


# --- roles ---------------------------------------------------------------------------------------


def test_viewers_read_but_cannot_change_anything(
    client: TestClient, viewer_client: TestClient, ctx: AppContext
) -> None:
    created = _create(client)
    images = make_images(ctx, 1)
    client.post(f"{API}/{created['id']}/images", json={"image_ids": images})
    url = f"{API}/{created['id']}"
    before = (client.get(url).json(), client.get(f"{url}/images").json())
    assert viewer_client.get(API).status_code == 200
    assert viewer_client.get(f"{url}/stats").status_code == 200
    attempts = [
        viewer_client.post(API, json={"name": "mine"}),
        viewer_client.patch(url, json={"name": "mine"}),
        viewer_client.delete(url),
        viewer_client.post(f"{url}/images", json={"image_ids": images}),
        viewer_client.post(f"{url}/images/remove", json={"image_ids": images}),
        viewer_client.delete(f"{url}/images/{images[0]}"),
        viewer_client.patch(f"{url}/images/{images[0]}", json={"status": "completed"}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert (client.get(url).json(), client.get(f"{url}/images").json()) == before


def test_annotators_work_in_datasets_but_only_admins_delete_them(
    annotator_client: TestClient, ctx: AppContext
) -> None:
    created = _create(annotator_client)
    images = make_images(ctx, 1)
    url = f"{API}/{created['id']}"
    assert annotator_client.post(f"{url}/images", json={"image_ids": images}).json()["added"] == 1
    assert (
        annotator_client.patch(f"{url}/images/{images[0]}", json={"status": "completed"}).status_code == 200
    )
    assert annotator_client.delete(url).status_code == 403
    assert _count(ctx, Dataset) == 1
