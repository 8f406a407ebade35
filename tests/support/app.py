"""The app under test: where the shared test data lives, the test password, and signed-in clients."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shelfscope.auth.deps import CSRF_COOKIE, CSRF_HEADER

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


TEST_PASSWORD = "correct horse battery staple"


def signed_in_client(app: FastAPI, username: str, password: str = TEST_PASSWORD) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers[CSRF_HEADER] = client.cookies[CSRF_COOKIE]
    return client
