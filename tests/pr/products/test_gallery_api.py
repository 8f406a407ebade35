"""A product's gallery over HTTP: uploading real photos by domain (stored, duplicate, or an error naming
the file), listing them, serving their bytes and thumbnails, moving and deleting them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage

from shelfscope.context import AppContext
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from tests.pr.products.conftest import CRACKERS, JUICE, MILK, Catalogue, Photos
from tests.support.images import MAX_UPLOAD_BYTES

PRODUCTS = "/api/v1/pr/products"
IMAGES = "/api/v1/pr/images"


def upload(client: TestClient, product_id: int, *files: tuple[str, bytes], **form: str) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(f"{PRODUCTS}/{product_id}/images", files=parts, data=form)


def real(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


def test_upload_stores_each_domain_with_counters_cover_and_gallery(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    store = real(photos.of(MILK, "store")[:3])
    response = upload(client, milk, *store, domain="real")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["stored"], body["duplicates"], body["errors"]) == (3, 0, 0)
    first = body["items"][0]
    assert first["status"] == "stored" and first["error"] is None and first["product_id"] == milk
    image = first["image"]
    assert (image["product_id"], image["domain"], image["source"], image["format"]) == (
        milk,
        "real",
        "upload",
        "JPEG",
    )
    assert image["filename"] == store[0][0] and image["size_bytes"] == len(store[0][1])
    assert image["file_url"] == f"{IMAGES}/{image['id']}/file"
    assert image["thumbnail_url"] == f"{IMAGES}/{image['id']}/thumbnail"

    studio = real(photos.of(MILK, "studio"))
    assert upload(client, milk, *studio, domain="synthetic").json()["stored"] == 1
    shelf = real(photos.of(CRACKERS, "shelf")[:2])
    assert upload(client, milk, *shelf, domain="cutout").json()["items"][0]["image"]["format"] == "PNG"

    product = client.get(f"{PRODUCTS}/{milk}").json()
    assert product["image_count"] == 6
    assert product["domain_counts"] == {"synthetic": 1, "real": 3, "augmented": 0, "cutout": 2}
    assert product["cover_image"]["domain"] == "synthetic"  # the packshot, though added later

    reals = client.get(f"{PRODUCTS}/{milk}/images", params={"domain": "real", "limit": 2}).json()
    assert [i["filename"] for i in reals["items"]] == [name for name, _ in store[:2]] and reals["total"] == 3
    rest = client.get(f"{PRODUCTS}/{milk}/images", params={"domain": "real", "cursor": reals["next_cursor"]})
    assert [i["filename"] for i in rest.json()["items"]] == [store[2][0]]
    everything = client.get(f"{PRODUCTS}/{milk}/images").json()
    assert everything["total"] == 6 and len(everything["items"]) == 6


def test_file_and_thumbnail_routes_serve_bytes_with_etags(
    client: TestClient, ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    name, data = real(photos.of(MILK, "store")[:1])[0]
    image = upload(client, milk, (name, data), domain="real").json()["items"][0]["image"]
    original = client.get(image["file_url"])
    assert original.status_code == 200 and original.content == data
    assert original.headers["content-type"] == "image/jpeg"
    assert "immutable" in original.headers["cache-control"]
    etag = original.headers["etag"]
    assert client.get(image["file_url"], headers={"If-None-Match": etag}).status_code == 304
    part = client.get(image["file_url"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == data[:10]
    thumb = client.get(image["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with PILImage.open(io.BytesIO(thumb.content)) as im:
        assert max(im.size) <= ctx.settings.thumbnail_size
    assert (
        client.get(image["thumbnail_url"], headers={"If-None-Match": thumb.headers["etag"]}).status_code
        == 304
    )
    assert client.get(f"{IMAGES}/{image['id']}").json() == image


def test_bad_files_are_errors_naming_them_while_the_good_ones_are_stored(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    good = real(photos.of(MILK, "store")[:1])
    response = upload(
        client,
        milk,
        ("notes.jpg", b"%PDF-1.4 this is not an image"),
        ("huge.jpg", b"\xff\xd8" + b"\0" * MAX_UPLOAD_BYTES),
        ("cut.jpg", good[0][1][: len(good[0][1]) // 2]),
        *good,
        domain="real",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["stored"], body["duplicates"], body["errors"]) == (1, 0, 3)
    errors = {i["filename"]: i["error"] for i in body["items"] if i["status"] == "error"}
    assert errors["notes.jpg"]["error"] == "UnsupportedMedia" and errors["notes.jpg"]["file"] == "notes.jpg"
    assert errors["huge.jpg"]["error"] == "PayloadTooLarge" and errors["huge.jpg"]["file"] == "huge.jpg"
    assert errors["cut.jpg"]["error"] == "ValidationFailed" and errors["cut.jpg"]["file"] == "cut.jpg"
    assert all(i["image"] is None for i in body["items"] if i["status"] == "error")
    # Only the good file's bytes and thumbnail are stored, and counted.
    assert catalogue.image_count() == 1 and len(catalogue.stored_keys()) == 2
    assert catalogue.counters(milk)["images"] == 1


def test_the_same_bytes_again_are_a_duplicate_naming_the_product_that_has_them(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk, juice = catalogue.add(MILK), catalogue.add(JUICE)
    files = real(photos.of(MILK, "store")[:1])
    first = upload(client, milk, *files, domain="real").json()["items"][0]
    again = upload(client, juice, *files, domain="real").json()
    assert (again["stored"], again["duplicates"]) == (0, 1)
    item = again["items"][0]
    assert item["status"] == "duplicate" and item["product_id"] == milk
    assert item["image"]["id"] == first["image"]["id"]
    assert catalogue.image_count() == 1 and catalogue.counters(juice)["images"] == 0


@pytest.mark.parametrize(
    ("form", "field"),
    [({}, "domain"), ({"domain": "studio"}, "domain")],
)
def test_an_upload_without_a_valid_domain_is_422_and_stores_nothing(
    client: TestClient, catalogue: Catalogue, photos: Photos, form: dict[str, str], field: str
) -> None:
    milk = catalogue.add(MILK)
    response = upload(client, milk, *real(photos.of(MILK, "store")[:1]), **form)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == field
    assert catalogue.image_count() == 0 and catalogue.stored_keys() == []


def test_an_upload_without_files_or_as_json_is_refused(client: TestClient, catalogue: Catalogue) -> None:
    milk = catalogue.add(MILK)
    no_files = client.post(f"{PRODUCTS}/{milk}/images", data={"domain": "real"}, files={"x": ("", b"")})
    assert no_files.status_code == 422 and no_files.json()["fields"][0]["field"] == "files"
    as_json = client.post(f"{PRODUCTS}/{milk}/images", json={"domain": "real"})
    assert as_json.status_code == 415


def test_viewers_cannot_upload_move_or_delete(
    client: TestClient, viewer_client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk, juice = catalogue.add(MILK), catalogue.add(JUICE)
    image = upload(client, milk, *real(photos.of(MILK, "store")[:1]), domain="real").json()["items"][0][
        "image"
    ]
    refused = [
        upload(viewer_client, milk, *real(photos.of(MILK, "store")[1:2]), domain="real"),
        viewer_client.patch(f"{IMAGES}/{image['id']}", json={"product_id": juice}),
        viewer_client.delete(f"{IMAGES}/{image['id']}"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert all(r.json()["error"] == "Forbidden" for r in refused)
    assert catalogue.image_count() == 1 and len(catalogue.stored_keys()) == 2
    assert catalogue.counters(milk)["images"] == 1
    assert viewer_client.get(image["file_url"]).status_code == 200


def test_an_upload_to_a_missing_product_is_404_and_stores_nothing(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    response = upload(client, 99, *real(photos.of(MILK, "store")[:1]), domain="real")
    assert response.status_code == 404 and response.json()["product_id"] == 99
    assert catalogue.stored_keys() == []


def test_moving_an_image_changes_both_products_counters(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk, juice = catalogue.add(MILK), catalogue.add(JUICE)
    (image_id,) = catalogue.add_photos(milk, photos.of(MILK, "store")[:1])
    moved = client.patch(f"{IMAGES}/{image_id}", json={"product_id": juice, "domain": "augmented"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["product_id"], moved.json()["domain"]) == (juice, "augmented")
    assert catalogue.counters(milk) == {"images": 0, "synthetic": 0, "real": 0, "augmented": 0, "cutout": 0}
    assert catalogue.counters(juice) == {"images": 1, "synthetic": 0, "real": 0, "augmented": 1, "cutout": 0}
    redomained = client.patch(f"{IMAGES}/{image_id}", json={"domain": "real"}).json()
    assert (redomained["product_id"], redomained["domain"]) == (juice, "real")
    assert catalogue.counters(juice)["real"] == 1 and catalogue.counters(juice)["augmented"] == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"product_id": 99}, 404, "product_id"),
        ({"domain": "studio"}, 422, "domain"),
        ({"product_id": None}, 422, "product_id"),
        ({"shelf": 1}, 422, "shelf"),
    ],
)
def test_a_bad_move_names_the_field_and_changes_nothing(
    client: TestClient, catalogue: Catalogue, photos: Photos, body: dict[str, Any], status: int, field: str
) -> None:
    milk = catalogue.add(MILK)
    (image_id,) = catalogue.add_photos(milk, photos.of(MILK, "store")[:1])
    response = client.patch(f"{IMAGES}/{image_id}", json=body)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer.get("field") == field or answer["fields"][0]["field"] == field
    assert client.get(f"{IMAGES}/{image_id}").json()["product_id"] == milk
    assert catalogue.counters(milk)["real"] == 1


def test_deleting_an_image_removes_row_files_and_count(
    client: TestClient, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    image_ids = catalogue.add_photos(milk, photos.of(MILK, "store")[:2])
    assert client.delete(f"{IMAGES}/{image_ids[0]}").status_code == 204
    assert client.get(f"{IMAGES}/{image_ids[0]}").status_code == 404
    assert client.get(f"{IMAGES}/{image_ids[0]}/file").status_code == 404
    assert catalogue.image_count() == 1 and len(catalogue.stored_keys()) == 2
    assert catalogue.counters(milk)["images"] == 1


def test_deleting_a_frozen_image_is_409_naming_the_version_unless_forced(
    client: TestClient, ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    (image_id,) = catalogue.add_photos(milk, photos.of(MILK, "store")[:1])
    with ctx.db.write() as session:
        dataset = PrDataset(name="Milk gallery", domains=["real"])
        session.add(dataset)
        session.flush()
        version = PrDatasetVersion(dataset_id=dataset.id, number=1)
        session.add(version)
        session.flush()
        session.add(
            PrVersionImage(version_id=version.id, product_image_id=image_id, product_id=milk, domain="real")
        )
    response = client.delete(f"{IMAGES}/{image_id}")
    assert response.status_code == 409
    assert response.json()["versions"][0]["dataset"] == "Milk gallery"
    assert catalogue.image_count() == 1 and len(catalogue.stored_keys()) == 2
    assert client.delete(f"{IMAGES}/{image_id}", params={"force": "true"}).status_code == 204
    assert catalogue.image_count() == 0 and catalogue.stored_keys() == []
