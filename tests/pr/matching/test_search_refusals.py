"""POST /matching/search refuses bad input before any job runs or anything is stored: a non-image, k out of
range, an unknown collection, a missing file part, a form that is not multipart, a viewer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.matching.conftest import World
from tests.support.images import make_image
from tests.support.shelves import job_count

SEARCH = "/api/v1/pr/matching/search"


def _post(
    client: TestClient, data: dict[str, Any], content: bytes | None = None, name: str = "crop.jpg"
) -> Any:
    # Without a crop the form still goes as multipart, with a part of another name.
    part = "file" if content is not None else "other"
    return client.post(
        SEARCH, data=data, files={part: (name, b"x" if content is None else content, "image/jpeg")}
    )


def test_search_refusals_name_the_field_and_store_nothing(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, world: World
) -> None:
    keys, jobs = sorted(ctx.storage.iter_keys()), job_count(ctx)
    crop = make_image((40, 60))
    cases: list[tuple[dict[str, Any], bytes | None, int, str]] = [
        ({"collection_id": world.collection_id}, b"this is not an image", 415, "file"),
        ({"collection_id": world.collection_id}, b"", 422, "file"),
        ({"collection_id": world.collection_id}, crop[: len(crop) // 2], 422, "file"),
        ({"collection_id": world.collection_id, "k": "0"}, crop, 422, "k"),
        ({"collection_id": world.collection_id, "k": "51"}, crop, 422, "k"),
        ({"collection_id": world.collection_id, "k": "five"}, crop, 422, "k"),
        ({"collection_id": "99999"}, crop, 422, "collection_id"),
        ({"collection_id": "x"}, crop, 422, "collection_id"),
        ({"collection_id": str(2**70)}, crop, 422, "collection_id"),
        ({}, crop, 422, "collection_id"),
        ({"collection_id": world.collection_id}, None, 422, "file"),
    ]
    for data, content, status, field in cases:
        response = _post(client, data, content)
        assert response.status_code == status, (data, response.text)
        body = response.json()
        assert body.get("field") == field or field in [f["field"] for f in body.get("fields", [])], body
    not_multipart = client.post(SEARCH, json={"collection_id": world.collection_id})
    assert not_multipart.status_code == 415 and not_multipart.json()["field"] == "file"
    viewer = _post(viewer_client, {"collection_id": world.collection_id}, crop)
    assert viewer.status_code == 403
    assert sorted(ctx.storage.iter_keys()) == keys and job_count(ctx) == jobs
