"""Annotation attributes are free-form JSON within bounds: too deep, too large or not JSON (NaN,
Infinity) is a 422 naming the field, nothing is stored, and the image keeps opening in the editor."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.annotations import Scene, box, snapshot


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": True}
    for _ in range(levels - 1):
        value = {"child": value}
    return value


BAD_ATTRIBUTES: list[tuple[str, bytes, str]] = [
    ("deep", b'{"a": ' * 256 + b"1" + b"}" * 256, "levels deep"),
    ("nan", b'{"score": NaN}', "NaN"),
    ("infinity", b'{"scores": [1, -Infinity]}', "Infinity"),
    ("large", b'{"notes": "' + b"x" * 20_000 + b'"}', "bytes"),
]


def test_bad_attributes_are_refused_naming_the_field_and_the_image_still_opens(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    class_id = scene.class_ids[0]
    created = client.post(scene.url(), json=box(class_id))
    assert created.status_code == 201
    annotation_id = created.json()["annotation"]["id"]
    before = snapshot(ctx, scene)
    geometry = b'"x1": 10, "y1": 20, "x2": 110, "y2": 220'
    for name, attributes, words in BAD_ATTRIBUTES:
        requests = [
            (
                "POST",
                scene.url(),
                b'{"class_id": %d, %s, "attributes": %s}' % (class_id, geometry, attributes),
                "attributes",
            ),
            (
                "PUT",
                scene.url(),
                b'{"base_revision": 1, "created": [{"client_id": "a", "class_id": %d, %s, "attributes": %s}]}'
                % (class_id, geometry, attributes),
                "created[0].attributes",
            ),
            (
                "PATCH",
                f"/api/v1/od/annotations/{annotation_id}",
                b'{"attributes": %s}' % attributes,
                "attributes",
            ),
            (
                "POST",
                "/api/v1/od/annotations/bulk",
                b'{"dataset_id": %d, "items": [{"id": %d, "attributes": %s}]}'
                % (scene.dataset_id, annotation_id, attributes),
                "items[0].attributes",
            ),
        ]
        for method, url, body, field in requests:
            r = client.request(method, url, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 422, (name, method, url, r.text)
            fields = r.json()["fields"]
            assert fields[0]["field"] == field and words in fields[0]["message"], (name, method, fields)
    assert snapshot(ctx, scene) == before
    opened = client.get(scene.url())
    assert opened.status_code == 200 and len(opened.json()["items"]) == 1


def test_attributes_within_the_bounds_round_trip(client: TestClient, scene: Scene) -> None:
    attributes = {
        "occluded": True,
        "sku": "4006381333931",
        "score": 0.5,
        "tree": _nested(7),
    }  # 8 levels with the outer object
    created = client.post(scene.url(), json={**box(scene.class_ids[0]), "attributes": attributes})
    assert created.status_code == 201, created.text
    assert client.get(scene.url()).json()["items"][0]["attributes"] == attributes
