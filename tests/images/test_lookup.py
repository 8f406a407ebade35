"""Looking up content hashes: which files the library has already, so a client uploads only the rest."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from tests.support.images import Library, make_image

URL = "/api/v1/od/images"


def _store(client: TestClient, name: str, data: bytes) -> int:
    response = client.post(URL, files=[("files", (name, data, "application/octet-stream"))])
    assert response.status_code == 200, response.text
    image_id: int = response.json()["results"][0]["image"]["id"]
    return image_id


def test_lookup_finds_uploaded_files_by_the_sha256_of_their_bytes(client: TestClient) -> None:
    shelf = make_image((40, 30), (10, 120, 200))
    aisle = make_image((20, 20), (1, 2, 3), fmt="PNG")
    shelf_id = _store(client, "shelf.jpg", shelf)
    aisle_id = _store(client, "aisle.png", aisle)
    missing = hashlib.sha256(b"never uploaded").hexdigest()
    shelf_hash = hashlib.sha256(shelf).hexdigest()
    aisle_hash = hashlib.sha256(aisle).hexdigest()

    response = client.post(
        f"{URL}/lookup", json={"hashes": [shelf_hash, missing, aisle_hash.upper(), shelf_hash]}
    )

    assert response.status_code == 200, response.text
    # Upper case is the same hash; the answer keys it as the library stores it.
    assert response.json() == {"found": {shelf_hash: shelf_id, aisle_hash: aisle_id}}
    assert client.post(f"{URL}/lookup", json={"hashes": []}).json() == {"found": {}}


def test_any_signed_in_user_may_look_up_but_not_anonymous(
    client: TestClient, viewer_client: TestClient, anon_client: TestClient
) -> None:
    data = make_image((12, 12), (5, 6, 7))
    image_id = _store(client, "v.jpg", data)
    digest = hashlib.sha256(data).hexdigest()
    response = viewer_client.post(f"{URL}/lookup", json={"hashes": [digest]})
    assert response.status_code == 200 and response.json() == {"found": {digest: image_id}}
    assert anon_client.post(f"{URL}/lookup", json={"hashes": [digest]}).status_code == 401


def test_a_malformed_hash_is_refused_naming_its_index_and_changes_nothing(
    client: TestClient, library: Library
) -> None:
    good = hashlib.sha256(b"x").hexdigest()
    for bad, reason in [
        ("abc", "too short"),
        ("g" * 64, "not hex"),
        (good + "0", "too long"),
        ("", "empty"),
    ]:
        response = client.post(f"{URL}/lookup", json={"hashes": [good, good, bad]})
        assert response.status_code == 422, reason
        body = response.json()
        assert body["error"] == "ValidationFailed", reason
        assert [f["field"] for f in body["fields"]] == ["hashes[2]"], reason
        assert "sha256" in body["fields"][0]["message"], reason

    not_a_string = client.post(f"{URL}/lookup", json={"hashes": [good, 7]})
    assert not_a_string.status_code == 422
    assert not_a_string.json()["fields"][0]["field"] == "hashes[1]"
    assert client.post(f"{URL}/lookup", json={"hash": [good]}).status_code == 422
    library.assert_empty()


def test_at_most_a_thousand_hashes_per_lookup(client: TestClient) -> None:
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(1001)]
    too_many = client.post(f"{URL}/lookup", json={"hashes": hashes})
    assert too_many.status_code == 422
    assert too_many.json()["fields"][0]["field"] == "hashes"
    assert client.post(f"{URL}/lookup", json={"hashes": hashes[:1000]}).json() == {"found": {}}
