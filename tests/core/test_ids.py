"""Numbers past the database's integers (2**63 and up) in paths, queries, bodies and cursors are a 404
or a 422 in the error shape, never a 500: checked on every route of the app."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shelfscope.auth.models import User
from tests.support.app import route_keys, signed_in_client

HUGE = 2**64
PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@pytest.fixture
def admin(app: FastAPI, make_user: Callable[..., User]) -> Iterator[TestClient]:
    """Signed in as an admin; a server error comes back as a 500 response instead of an exception."""
    make_user("admin", "admin")
    with signed_in_client(app, "admin") as c:
        yield TestClient(app, raise_server_exceptions=False, cookies=c.cookies, headers=dict(c.headers))


def _api_routes(app: FastAPI) -> list[tuple[str, str]]:
    return route_keys(app, ("GET", "POST", "PUT", "PATCH", "DELETE"))


def _assert_refused(response: Any, what: object) -> None:
    assert response.status_code in (404, 422), (what, response.status_code, response.text)
    body = response.json()
    assert body["error"] in ("NotFound", "ValidationFailed") and body["detail"], (what, body)


def test_every_numeric_path_parameter_past_2_63_is_404_or_422(app: FastAPI, admin: TestClient) -> None:
    checked = 0
    for method, template in _api_routes(app):
        names = [n for n in PARAM.findall(template) if n.endswith("_id") or n == "number"]
        for name in names:

            def value(m: re.Match[str], name: str = name) -> str:
                return str(HUGE) if m.group(1) == name else "1"

            path = PARAM.sub(value, template)
            path = path.replace("/export/1", "/export/coco") if "{fmt}" in template else path
            response = admin.request(method, path, json={})
            _assert_refused(response, (method, template, name))
            checked += 1
    assert checked >= 41


def _integer_schemas(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _integer_schemas(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integer_schemas(value, f"{where}[{i}]")


def _unbounded(schema: dict[str, Any]) -> bool:
    # JSON Schema numbers may come back as floats: float(2**63 - 1) is 2**63.
    return bool(schema.get("maximum", HUGE) > 2**63)


def test_every_integer_a_client_sends_is_bounded_in_the_api_schema(app: FastAPI) -> None:
    """JSON bodies, path and query parameters: each integer has a maximum the database can hold.
    (Multipart forms are described by hand; their fields are validated by the same bounded models.)"""
    spec = app.openapi()
    components = spec.get("components", {}).get("schemas", {})
    request_models: set[str] = set()
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                for where, schema in _integer_schemas(
                    param.get("schema"), f"{method} {path} {param['name']}"
                ):
                    if _unbounded(schema):
                        unbounded.append(where)
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                if media != "application/json":
                    continue
                refs = re.findall(r"#/components/schemas/([\w.-]+)", json.dumps(content))
                request_models.update(refs)
                for where, schema in _integer_schemas(content.get("schema"), f"{method} {path} body"):
                    if _unbounded(schema):
                        unbounded.append(where)
    seen: set[str] = set()
    while request_models - seen:
        name = (request_models - seen).pop()
        seen.add(name)
        request_models.update(re.findall(r"#/components/schemas/([\w.-]+)", json.dumps(components[name])))
        for where, schema in _integer_schemas(components[name], name):
            if _unbounded(schema):
                unbounded.append(where)
    assert unbounded == []


def test_ids_past_2_63_in_bodies_and_queries_name_the_field(admin: TestClient) -> None:
    assert admin.post("/api/v1/od/datasets", json={"name": "d"}).json()["id"] == 1
    cases: list[tuple[str, str, dict[str, Any] | None, str]] = [
        (
            "POST",
            "/api/v1/od/annotations/bulk",
            {"dataset_id": HUGE, "items": [{"class_id": 1}]},
            "dataset_id",
        ),
        ("POST", "/api/v1/od/annotations/bulk-delete", {"ids": [HUGE]}, "ids[0]"),
        ("POST", "/api/v1/od/datasets/1/images/remove", {"image_ids": [HUGE]}, "image_ids[0]"),
        ("POST", "/api/v1/od/images/bulk", {"action": "delete", "ids": [HUGE]}, "ids[0]"),
        ("POST", "/api/v1/od/classes/merge", {"source_ids": [HUGE], "target_id": 1}, "source_ids[0]"),
        ("GET", f"/api/v1/od/images?dataset_id={HUGE}", None, "dataset_id"),
        ("GET", f"/api/v1/od/classes?dataset_id={HUGE}", None, "dataset_id"),
        ("DELETE", f"/api/v1/od/classes/1?reassign_to={HUGE}", None, "reassign_to"),
    ]
    for method, path, body, field in cases:
        response = admin.request(method, path, json=body)
        assert response.status_code == 422, (path, response.text)
        assert field in [f["field"] for f in response.json()["fields"]], (path, response.json())


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "%%%not-base64",
    "bm90IGpzb24",  # "not json"
    _cursor({"a": 1}),
    _cursor([HUGE]),
    _cursor(["2024-01-01T00:00:00+00:00", HUGE]),
    _cursor(["name", HUGE]),
    _cursor(["created_at", "desc", "2024-01-01T00:00:00+00:00", HUGE]),
    _cursor(["created_at", "desc", "not a date", 1]),
    _cursor([[[[1]]], {"x": 1}]),
    _cursor([1e400, 1]),
    _cursor(["size", "desc", "99999999999999999999", 1]),
    _cursor(["2024-01-01T00:00:00", 1]),
]


def test_malformed_cursors_on_every_list_route_are_422_never_500(app: FastAPI, admin: TestClient) -> None:
    lists = [
        t
        for m, t in _api_routes(app)
        if m == "GET" and "cursor" in json.dumps(app.openapi()["paths"][t]["get"].get("parameters", []))
    ]
    assert len(lists) >= 10
    admin.post("/api/v1/od/datasets", json={"name": "d"})
    admin.post("/api/v1/od/classes", json={"name": "c"})
    for template in lists:
        path = PARAM.sub("1", template)
        # A list that needs a query parameter (the review queue's dataset_id) gets an existing id.
        required = {
            p["name"]: "1"
            for p in app.openapi()["paths"][template]["get"].get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        }
        for cursor in BAD_CURSORS:
            response = admin.get(path, params={**required, "cursor": cursor})
            body = response.json()
            if response.status_code == 200 and cursor not in BAD_CURSORS[:4]:
                continue  # this list's keyset happens to have that shape: a valid (if odd) position
            assert response.status_code in (404, 422), (template, cursor, response.text)
            assert body["error"] in ("NotFound", "ValidationFailed"), (template, cursor, body)
            if "fields" in body:
                assert body["fields"][0]["field"] == "cursor", (template, cursor, body)


def test_a_huge_last_event_id_streams_the_log_from_the_start(admin: TestClient) -> None:
    job = admin.post("/api/v1/od/images/verify", json={}).json()["job"]
    assert admin.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 202
    r = admin.get(f"/api/v1/jobs/{job['id']}/stream", headers={"Last-Event-ID": str(HUGE)})
    assert r.status_code == 200
    assert "cancelled before it started" in r.text and "event: end" in r.text
