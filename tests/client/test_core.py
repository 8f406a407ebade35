"""The client's core against a real server: the token works, errors arrive as exceptions carrying the
error shape, and a job can be waited for and followed."""

from __future__ import annotations

import pytest

from shelfscope.client import Client, NotFound, Unauthorized
from tests.client.conftest import LiveServer


def test_token_signs_in_and_a_wrong_one_is_refused_with_the_error_shape(live_server: LiveServer) -> None:
    with live_server.client() as client:
        assert client.me()["user"]["username"] == "admin"  # type: ignore[index]
    with Client(live_server.url, "not-a-token", retries=0) as client, pytest.raises(Unauthorized) as caught:
        client.me()
    assert caught.value.status == 401
    assert caught.value.body["error"] == "Unauthorized"
    assert caught.value.detail


def test_a_missing_job_raises_not_found(api: Client) -> None:
    with pytest.raises(NotFound) as caught:
        api.jobs.get(987654)
    assert caught.value.kind == "NotFound"
