"""Every failure comes back in the one documented error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_malformed_json_is_a_validation_error_naming_the_body(client: TestClient) -> None:
    r = client.post("/api/v1/auth/tokens", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "ValidationFailed"
    assert body["fields"][0]["field"] == "body"
    assert "JSON" in body["detail"]


def test_missing_field_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/auth/tokens", json={})
    assert r.status_code == 422
    assert r.json()["fields"] == [{"field": "name", "message": "Field required"}]


def test_unknown_api_route_is_not_found(client: TestClient) -> None:
    r = client.get("/api/v1/od/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": "NotFound", "detail": "No such route: GET /api/v1/od/nothing-here"}


def test_wrong_method_is_reported(client: TestClient) -> None:
    r = client.delete("/api/v1/od/stats")
    assert r.status_code == 405
    assert r.json()["error"] == "MethodNotAllowed"


def test_openapi_is_served(anon_client: TestClient) -> None:
    r = anon_client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/od/health" in paths and "/api/v1/jobs/{job_id}/cancel" in paths
    assert anon_client.get("/api/docs").status_code == 200
