"""The library: listing with filters, sorting and cursors; bytes and thumbnails; editing; bulk actions;
deleting with its refusals."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy import create_engine, event, select

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images import listing
from shelfscope.od.images.ingest import ingest_file
from shelfscope.od.images.listing import image_filter_query
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import ImageFilters
from shelfscope.od.versions.models import DatasetVersion, VersionImage
from tests.support.images import Library, make_image

URL = "/api/v1/od/images"


def add_image(
    ctx: AppContext,
    name: str,
    seed: int,
    *,
    folder: str | None = None,
    tags: tuple[str, ...] = (),
    size: tuple[int, int] = (24, 16),
) -> int:
    with ctx.db.writer() as session:
        data = make_image(size, (seed % 256, (seed // 256) % 256, 77), fmt="PNG")
        result = ingest_file(
            session, ctx.storage, ctx.settings, io.BytesIO(data), name, folder=folder, tags=tags
        )
        return result.image.id


@pytest.fixture
def seeded(ctx: AppContext) -> dict[str, int]:
    """Seven images with folders and tags, oldest first."""
    spec: list[tuple[str, str | None, tuple[str, ...], tuple[int, int]]] = [
        ("Berlin_Shelf_01.png", "stores/berlin", ("promo", "aisle-1"), (24, 16)),
        ("berlin_shelf_02.png", "stores/berlin", ("promo",), (64, 48)),
        ("munich_100%_off.png", "stores/munich", ("aisle-1",), (32, 32)),
        ("munich_shelf_a_b.png", "stores/munich/east", (), (16, 16)),
        ("hamburg.png", None, ("promo", "aisle-1", "night"), (100, 80)),
        ("Zebra.png", "stores", (), (20, 20)),
        ("apple.png", None, (), (40, 10)),
    ]
    return {
        name: add_image(ctx, name, i + 1, folder=folder, tags=tags, size=size)
        for i, (name, folder, tags, size) in enumerate(spec)
    }


def names(page: dict[str, Any]) -> list[str]:
    return [item["filename"] for item in page["items"]]


def test_list_is_newest_first_and_pages_by_cursor(client: TestClient, seeded: dict[str, int]) -> None:
    first = client.get(URL, params={"limit": 3}).json()
    assert names(first) == ["apple.png", "Zebra.png", "hamburg.png"]
    assert first["total"] is None
    assert first["items"][0]["tags"] == [] and first["items"][2]["tags"] == ["aisle-1", "night", "promo"]
    seen = names(first)
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(URL, params={"limit": 3, "cursor": cursor}).json()
        seen += names(page)
        cursor = page["next_cursor"]
    assert seen == list(reversed(list(seeded)))


def _all_pages(client: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(URL, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_every_sort_pages_to_the_same_order_as_one_big_page(
    client: TestClient, seeded: dict[str, int]
) -> None:
    for sort in ("created_at", "filename", "size"):
        for order in ("asc", "desc"):
            everything = client.get(URL, params={"sort": sort, "order": order, "limit": 500}).json()["items"]
            paged = _all_pages(client, {"sort": sort, "order": order, "limit": 2})
            assert [i["id"] for i in paged] == [i["id"] for i in everything], (sort, order)
            assert len(paged) == len(seeded)
    sizes = [i["size_bytes"] for i in _all_pages(client, {"sort": "size", "order": "desc", "limit": 3})]
    assert sizes == sorted(sizes, reverse=True)
    oldest = _all_pages(client, {"sort": "created_at", "order": "asc", "limit": 3})
    assert [i["filename"] for i in oldest] == list(seeded)


FILTER_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"tags": "promo"}, {"Berlin_Shelf_01.png", "berlin_shelf_02.png", "hamburg.png"}),
    ({"tags": ["promo", "AISLE-1"]}, {"Berlin_Shelf_01.png", "hamburg.png"}),
    ({"tags": "promo,aisle-1,night"}, {"hamburg.png"}),
    ({"folder": "stores/munich"}, {"munich_100%_off.png"}),
    ({"folder": "stores/munich", "folder_prefix": "true"}, {"munich_100%_off.png", "munich_shelf_a_b.png"}),
    ({"q": "BERLIN"}, {"Berlin_Shelf_01.png", "berlin_shelf_02.png"}),
    ({"q": "100%"}, {"munich_100%_off.png"}),
    ({"q": "_a_"}, {"munich_shelf_a_b.png"}),
    ({"q": "shelf", "tags": "promo"}, {"Berlin_Shelf_01.png", "berlin_shelf_02.png"}),
    ({"source": "url"}, set()),
]


def test_filters(client: TestClient, seeded: dict[str, int]) -> None:
    for params, expected in FILTER_CASES:
        page = client.get(URL, params={**params, "with_total": "true"}).json()
        assert set(names(page)) == expected, params
        assert page["total"] == len(expected), params


def test_facets_list_folders_and_tags_most_used_first(client: TestClient, seeded: dict[str, int]) -> None:
    facets = client.get(f"{URL}/facets").json()
    assert facets["tags"] == [
        {"value": "aisle-1", "images": 3},
        {"value": "promo", "images": 3},
        {"value": "night", "images": 1},
    ]
    assert facets["folders"] == [
        {"value": "stores/berlin", "images": 2},
        {"value": "stores", "images": 1},
        {"value": "stores/munich", "images": 1},
        {"value": "stores/munich/east", "images": 1},
    ]


def _dataset_with(ctx: AppContext, image_ids: list[int], annotated: list[int]) -> int:
    with ctx.db.write() as s:
        dataset = Dataset(name="shelves")
        cls = OdClass(name="cola", name_key="cola")
        s.add_all([dataset, cls])
        s.flush()
        for image_id in image_ids:
            member = DatasetImage(dataset_id=dataset.id, image_id=image_id)
            s.add(member)
            s.flush()
            if image_id in annotated:
                s.add(
                    Annotation(
                        dataset_id=dataset.id,
                        dataset_image_id=member.id,
                        class_id=cls.id,
                        x1=1,
                        y1=1,
                        x2=5,
                        y2=5,
                    )
                )
                member.annotation_count = 1
        return dataset.id


def test_dataset_and_annotation_filters(client: TestClient, ctx: AppContext, seeded: dict[str, int]) -> None:
    berlin = [seeded["Berlin_Shelf_01.png"], seeded["berlin_shelf_02.png"]]
    dataset_id = _dataset_with(ctx, berlin, annotated=berlin[:1])
    inside = client.get(URL, params={"dataset_id": dataset_id}).json()
    assert {i["id"] for i in inside["items"]} == set(berlin)
    outside = client.get(URL, params={"not_in_dataset_id": dataset_id, "with_total": True}).json()
    assert outside["total"] == 5
    annotated = client.get(URL, params={"has_annotations": "true"}).json()
    assert [i["id"] for i in annotated["items"]] == berlin[:1]
    assert client.get(URL, params={"has_annotations": "false", "with_total": 1}).json()["total"] == 6


def test_image_filter_query_selects_ids_for_other_features(ctx: AppContext, seeded: dict[str, int]) -> None:
    with ctx.db.read() as s:
        ids = set(s.scalars(image_filter_query(ImageFilters(tags=["promo"], q="shelf"))))
    assert ids == {seeded["Berlin_Shelf_01.png"], seeded["berlin_shelf_02.png"]}


BAD_LIST_PARAMS: list[tuple[dict[str, Any], str]] = [
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
    ({"cursor": "garbage!"}, "cursor"),
    ({"sort": "color"}, "sort"),
    ({"has_annotations": "maybe"}, "has_annotations"),
    ({"folder": "a/../b"}, "folder"),
]


def test_bad_list_parameters_name_the_field(client: TestClient, seeded: dict[str, int]) -> None:
    for params, field in BAD_LIST_PARAMS:
        response = client.get(URL, params=params)
        assert response.status_code == 422, params
        assert response.json()["fields"][0]["field"] == field, params


def test_a_cursor_from_another_sort_is_refused(client: TestClient, seeded: dict[str, int]) -> None:
    cursor = client.get(URL, params={"limit": 2, "sort": "size"}).json()["next_cursor"]
    response = client.get(URL, params={"limit": 2, "cursor": cursor})
    assert response.status_code == 422 and "another sort" in response.json()["detail"]


@contextmanager
def count_queries(ctx: AppContext) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def test_listing_costs_the_same_queries_for_3_or_7_images(
    client: TestClient, ctx: AppContext, seeded: dict[str, int]
) -> None:
    client.get(URL, params={"limit": 1})  # warm the session-touch path out of the count
    with count_queries(ctx) as small:
        assert len(client.get(URL, params={"limit": 3}).json()["items"]) == 3
    with count_queries(ctx) as large:
        assert len(client.get(URL, params={"limit": 7}).json()["items"]) == 7
    image_queries = [q for q in large if "od_image" in q]
    assert len(large) == len(small)
    assert len(image_queries) == 2  # the page, and the tags of the whole page


def test_detail_file_range_and_thumbnail(client: TestClient, seeded: dict[str, int]) -> None:
    image_id = seeded["hamburg.png"]
    detail = client.get(f"{URL}/{image_id}").json()
    assert detail["tags"] == ["aisle-1", "night", "promo"] and (detail["width"], detail["height"]) == (
        100,
        80,
    )
    whole = client.get(f"{URL}/{image_id}/file")
    assert whole.status_code == 200 and whole.headers["content-type"] == "image/png"
    assert whole.headers["accept-ranges"] == "bytes" and int(whole.headers["content-length"]) == len(
        whole.content
    )
    data = whole.content
    part = client.get(f"{URL}/{image_id}/file", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = client.get(f"{URL}/{image_id}/file", headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    rest = client.get(f"{URL}/{image_id}/file", headers={"Range": f"bytes={len(data) - 3}-"})
    assert rest.content == data[-3:]
    beyond = client.get(f"{URL}/{image_id}/file", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    assert beyond.json()["error"] == "RangeNotSatisfiable"
    cached = client.get(f"{URL}/{image_id}/file", headers={"If-None-Match": whole.headers["etag"]})
    assert cached.status_code == 304
    thumb = client.get(f"{URL}/{image_id}/thumbnail")
    with PILImage.open(io.BytesIO(thumb.content)) as im:
        assert im.format == "JPEG" and im.size == (64, 51)
    assert client.get(f"{URL}/999999").status_code == 404
    assert client.get(f"{URL}/999999/file").json()["error"] == "NotFound"


def test_missing_thumbnail_is_rendered_from_the_original(
    client: TestClient, ctx: AppContext, seeded: dict[str, int]
) -> None:
    image_id = seeded["apple.png"]
    with ctx.db.read() as s:
        thumb_key = s.get(Image, image_id).thumbnail_key  # type: ignore[union-attr]
    assert thumb_key
    ctx.storage.delete(thumb_key)
    response = client.get(f"{URL}/{image_id}/thumbnail")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"


def test_patch_changes_folder_and_replaces_tags(client: TestClient, seeded: dict[str, int]) -> None:
    image_id = seeded["hamburg.png"]
    changed = client.patch(
        f"{URL}/{image_id}", json={"folder": "stores/hamburg", "tags": ["New", "new", "x"]}
    )
    assert changed.status_code == 200
    assert changed.json()["folder"] == "stores/hamburg" and changed.json()["tags"] == ["new", "x"]
    only_tags = client.patch(f"{URL}/{image_id}", json={"tags": []}).json()
    assert only_tags["folder"] == "stores/hamburg" and only_tags["tags"] == []
    cleared = client.patch(f"{URL}/{image_id}", json={"folder": None}).json()
    assert cleared["folder"] is None
    bad = client.patch(f"{URL}/{image_id}", json={"tags": [""], "colour": "red"})
    assert bad.status_code == 422
    assert client.get(f"{URL}/{image_id}").json()["tags"] == []


def test_viewers_cannot_edit(viewer_client: TestClient, ctx: AppContext) -> None:
    image_id = add_image(ctx, "a.png", 1)
    assert viewer_client.patch(f"{URL}/{image_id}", json={"tags": ["x"]}).status_code == 403
    assert viewer_client.delete(f"{URL}/{image_id}").status_code == 403
    assert viewer_client.post(f"{URL}/bulk", json={"ids": [image_id], "action": "delete"}).status_code == 403


def test_bulk_tag_untag_and_set_folder(client: TestClient, seeded: dict[str, int]) -> None:
    ids = [seeded["apple.png"], seeded["hamburg.png"]]
    tagged = client.post(f"{URL}/bulk", json={"ids": ids, "action": "tag", "tags": ["night", "Audit"]}).json()
    assert tagged == {"action": "tag", "matched": 2, "changed": 2, "skipped": 0, "skipped_reasons": {}}
    again = client.post(f"{URL}/bulk", json={"ids": ids, "action": "tag", "tags": ["night", "audit"]}).json()
    assert again["changed"] == 0
    assert client.get(f"{URL}/{ids[0]}").json()["tags"] == ["audit", "night"]
    by_filter = client.post(
        f"{URL}/bulk", json={"filter": {"tags": ["promo"]}, "action": "untag", "tags": ["promo", "audit"]}
    ).json()
    assert (by_filter["matched"], by_filter["changed"]) == (3, 3)
    assert client.get(URL, params={"tags": "promo"}).json()["items"] == []
    moved = client.post(
        f"{URL}/bulk",
        json={
            "filter": {"folder": "stores/munich", "folder_prefix": True},
            "action": "set_folder",
            "folder": "archive",
        },
    ).json()
    assert (moved["matched"], moved["changed"]) == (2, 2)
    assert {i["filename"] for i in client.get(URL, params={"folder": "archive"}).json()["items"]} == {
        "munich_100%_off.png",
        "munich_shelf_a_b.png",
    }
    assert client.post(f"{URL}/bulk", json={"ids": ids, "action": "tag"}).status_code == 422
    assert client.post(f"{URL}/bulk", json={"action": "tag", "tags": ["x"]}).status_code == 422


def test_delete_removes_row_bytes_and_thumbnail(
    client: TestClient, ctx: AppContext, library: Library, seeded: dict[str, int]
) -> None:
    image_id = seeded["apple.png"]
    with ctx.db.read() as s:
        image = s.get(Image, image_id)
        assert image is not None
        keys = {image.storage_key, image.thumbnail_key}
    assert client.delete(f"{URL}/{image_id}").status_code == 204
    assert client.get(f"{URL}/{image_id}").status_code == 404
    assert keys.isdisjoint(library.stored_keys())
    assert library.image_count() == 6
    assert client.delete(f"{URL}/{image_id}").status_code == 404


def test_delete_refuses_annotated_images_unless_forced(
    client: TestClient, ctx: AppContext, library: Library, seeded: dict[str, int]
) -> None:
    image_id = seeded["hamburg.png"]
    dataset_id = _dataset_with(ctx, [image_id], annotated=[image_id])
    refused = client.delete(f"{URL}/{image_id}")
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "Conflict" and body["annotations"] == 1
    assert body["datasets"] == [{"dataset_id": dataset_id, "name": "shelves", "annotations": 1}]
    assert library.image_count() == 7
    assert client.delete(f"{URL}/{image_id}", params={"force": "true"}).status_code == 204
    with ctx.db.read() as s:
        assert s.scalars(select(Annotation)).all() == []
        assert s.scalars(select(DatasetImage)).all() == []


def test_images_frozen_in_a_version_are_never_deleted(
    client: TestClient, ctx: AppContext, library: Library, seeded: dict[str, int]
) -> None:
    image_id = seeded["hamburg.png"]
    other = seeded["apple.png"]
    dataset_id = _dataset_with(ctx, [image_id], annotated=[])
    with ctx.db.write() as s:
        version = DatasetVersion(dataset_id=dataset_id, number=1, name="first", status="ready")
        s.add(version)
        s.flush()
        s.add(VersionImage(version_id=version.id, image_id=image_id, split="train", width=100, height=80))
    refused = client.delete(f"{URL}/{image_id}", params={"force": True})
    assert refused.status_code == 409
    assert refused.json()["versions"][0]["number"] == 1 and "shelves v1" in refused.json()["detail"]
    bulk = client.post(
        f"{URL}/bulk", json={"ids": [image_id, other], "action": "delete", "force": True}
    ).json()
    assert bulk == {
        "action": "delete",
        "matched": 2,
        "changed": 1,
        "skipped": 1,
        "skipped_reasons": {"in_dataset_version": 1},
    }
    assert library.image_count() == 6


def test_bulk_delete_by_filter_skips_annotated_without_force(
    client: TestClient, ctx: AppContext, library: Library, seeded: dict[str, int]
) -> None:
    _dataset_with(ctx, [seeded["hamburg.png"]], annotated=[seeded["hamburg.png"]])
    before = len(library.stored_keys())
    result = client.post(f"{URL}/bulk", json={"filter": {"tags": ["promo"]}, "action": "delete"}).json()
    assert (result["matched"], result["changed"], result["skipped_reasons"]) == (3, 2, {"annotated": 1})
    assert library.image_count() == 5 and len(library.stored_keys()) == before - 4
    everything = client.post(f"{URL}/bulk", json={"filter": {}, "action": "delete"})
    assert everything.status_code == 422 and library.image_count() == 5


def test_search_gives_the_same_pages_whether_matches_are_few_or_many(
    client: TestClient, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite answers a search from an id list when matches are few and by walking the sort index
    # when they are many; with the threshold at 1, "shelf" (3 matches) takes the walk.
    expected = {q: [i["id"] for i in _all_pages(client, {"q": q, "limit": 2})] for q in ("shelf", "hamburg")}
    monkeypatch.setattr(listing, "SQLITE_SEARCH_ID_LIMIT", 1)
    for q, ids in expected.items():
        assert [i["id"] for i in _all_pages(client, {"q": q, "limit": 2})] == ids
    assert len(expected["shelf"]) == 3 and len(expected["hamburg"]) == 1


def test_filename_search_has_its_index(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_od_images_filename_trgm'"
                assert "gin_trgm_ops" in str(conn.exec_driver_sql(sql).scalar())
            else:
                # SQLite searches by scanning ix_od_images_filename_id; the trigram name stays empty.
                sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_od_images_filename_trgm'"
                assert "WHERE 0" in str(conn.exec_driver_sql(sql).scalar())
    finally:
        engine.dispose()
