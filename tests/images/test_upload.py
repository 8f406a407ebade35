"""Uploading images: per-file results, what is recorded, and bad input that must leave nothing behind."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy.orm import Session

from shelfscope.context import AppContext
from shelfscope.od.images import ingest, service
from shelfscope.od.images.models import Image
from tests.support.images import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES, Library, make_image

URL = "/api/v1/od/images"


def upload(client: TestClient, *files: tuple[str, bytes], **form: str) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(URL, files=parts, data=form)


def raw_upload(client: TestClient, filename: str, data: bytes) -> Any:
    """A multipart body written by hand, so the file name reaches the server byte for byte (httpx
    would percent-encode a NUL)."""
    boundary = "shelfscope-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        URL, content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )


def test_upload_stores_files_with_facts_tags_folder_and_thumbnail(
    client: TestClient, ctx: AppContext, library: Library
) -> None:
    jpeg = make_image((80, 60), (10, 120, 200))
    png = make_image((30, 20), (1, 2, 3), fmt="PNG")
    webp = make_image((16, 16), (9, 9, 9), fmt="WEBP")
    response = upload(
        client,
        ("shelf.jpg", jpeg),
        ("aisle.png", png),
        ("x.webp", webp),
        folder="/stores/berlin/",
        tags="Promo, aisle 3,promo",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["stored"], body["duplicate"], body["rejected"]) == (3, 0, 0)
    first = body["results"][0]
    assert first["status"] == "stored" and first["error"] is None
    image = first["image"]
    assert image["filename"] == "shelf.jpg"
    assert (image["width"], image["height"], image["format"]) == (80, 60, "JPEG")
    assert image["size_bytes"] == len(jpeg)
    assert image["content_hash"] == hashlib.sha256(jpeg).hexdigest()
    assert image["source"] == "upload"
    assert image["folder"] == "stores/berlin"
    assert image["tags"] == ["aisle 3", "promo"]
    assert [r["image"]["format"] for r in body["results"][1:]] == ["PNG", "WEBP"]

    original = client.get(image["file_url"])
    assert original.status_code == 200
    assert original.content == jpeg  # bytes kept untouched
    assert original.headers["content-type"] == "image/jpeg"
    thumb = client.get(image["thumbnail_url"])
    assert thumb.headers["content-type"] == "image/jpeg"
    with PILImage.open(io.BytesIO(thumb.content)) as im:
        assert max(im.size) <= ctx.settings.thumbnail_size
    assert library.image_count() == 3
    assert len(library.stored_keys()) == 6  # originals + thumbnails


def test_same_bytes_again_is_a_duplicate_returning_the_existing_image(
    client: TestClient, library: Library
) -> None:
    jpeg = make_image(color=(1, 200, 3))
    first = upload(client, ("a.jpg", jpeg)).json()["results"][0]
    again = upload(client, ("renamed.jpg", jpeg), ("b.jpg", jpeg)).json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][0]["image"]["id"] == first["image"]["id"]
    assert again["results"][0]["image"]["filename"] == "a.jpg"
    assert library.image_count() == 1
    assert len(library.stored_keys()) == 2


def test_exif_orientation_gives_what_a_person_sees(client: TestClient) -> None:
    # Stored 40x20 landscape pixels with orientation 6 (rotate 90°): a person sees a 20x40 portrait.
    jpeg = make_image((40, 20), exif_orientation=6)
    image = upload(client, ("phone.jpg", jpeg)).json()["results"][0]["image"]
    assert (image["width"], image["height"]) == (20, 40)
    thumb = client.get(image["thumbnail_url"]).content
    with PILImage.open(io.BytesIO(thumb)) as im:
        assert im.height > im.width
    assert client.get(image["file_url"]).content == jpeg


def test_real_photos_upload(client: TestClient, shared_data: Path) -> None:
    raccoon = (shared_data / "detection" / "raccoon" / "images" / "raccoon-1.jpg").read_bytes()
    shelf = sorted((shared_data / "detection" / "freiburg").rglob("*.png"))[0].read_bytes()
    body = upload(client, ("raccoon-1.jpg", raccoon), ("shelf.png", shelf)).json()
    assert body["stored"] == 2, body
    with PILImage.open(io.BytesIO(raccoon)) as im:
        assert (body["results"][0]["image"]["width"], body["results"][0]["image"]["height"]) == im.size


def test_transparent_and_tiff_and_bmp_images_get_thumbnails(client: TestClient) -> None:
    rgba = make_image((20, 20), (0, 255, 0), fmt="PNG", mode="RGBA")
    tiff = make_image((20, 10), (5, 5, 5), fmt="TIFF")
    bmp = make_image((10, 20), (6, 6, 6), fmt="BMP")
    body = upload(client, ("a.png", rgba), ("b.tif", tiff), ("c.bmp", bmp)).json()
    assert body["stored"] == 3, body
    for result in body["results"]:
        assert client.get(result["image"]["thumbnail_url"]).status_code == 200


def _truncated_jpeg() -> bytes:
    im = PILImage.effect_noise((300, 200), 64).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()[: len(out.getvalue()) // 2]


def _gif() -> bytes:
    out = io.BytesIO()
    PILImage.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


def _bomb() -> bytes:
    # A PNG of a single color compresses to almost nothing, but decodes to 1,200 x 1,000 pixels.
    return make_image((1200, 1000), (0, 0, 0), fmt="PNG")


def _oversized() -> bytes:
    data = make_image((16, 16))
    return data + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(data))


BAD_FILES: list[tuple[str, bytes, str, str]] = [
    ("notes.jpg", b"this is plain text, not a JPEG", "UnsupportedMedia", "not an image"),
    ("half.jpg", _truncated_jpeg(), "ValidationFailed", "truncated or corrupt"),
    ("bomb.png", _bomb(), "PayloadTooLarge", "pixel limit"),
    ("empty.jpg", b"", "ValidationFailed", "empty"),
    ("huge.jpg", _oversized(), "PayloadTooLarge", "upload limit"),
    ("anim.gif", _gif(), "UnsupportedMedia", "GIF"),
]


def test_each_bad_file_is_rejected_by_name_and_nothing_is_stored(
    client: TestClient, library: Library
) -> None:
    assert len(_bomb()) < MAX_UPLOAD_BYTES and MAX_IMAGE_PIXELS < 1200 * 1000
    for name, data, kind, words in BAD_FILES:
        response = upload(client, (name, data))
        assert response.status_code == 207, name
        body = response.json()
        assert (body["stored"], body["rejected"]) == (0, 1), name
        result = body["results"][0]
        assert result["status"] == "rejected" and result["image"] is None
        error = result["error"]
        assert error["error"] == kind, (name, error)
        assert error["file"] == name and name in error["detail"]
        assert words in error["detail"], (name, error)
        library.assert_empty()


def test_one_bad_file_does_not_reject_the_others(client: TestClient, library: Library) -> None:
    good = make_image(color=(44, 44, 44))
    body = upload(
        client, ("good.jpg", good), ("bad.jpg", b"nope"), ("good2.png", make_image(fmt="PNG"))
    ).json()
    assert [r["status"] for r in body["results"]] == ["stored", "rejected", "stored"]
    assert library.image_count() == 2
    assert len(library.stored_keys()) == 4


UNSAFE_NAMES: list[tuple[str, str]] = [
    ("../../x.jpg", "x.jpg"),
    ("a/b/c.jpg", "c.jpg"),
    ("C:\\Users\\me\\shelf.jpg", "shelf.jpg"),
    ("ni\x00ce.jpg", "nice.jpg"),
    ("\u202egpj.exe", "gpj.exe"),
    ("regal-äöü-日本.jpg", "regal-äöü-日本.jpg"),
    ("..", "unnamed"),
]


def test_file_names_are_shown_safely_and_never_reach_storage_keys(
    client: TestClient, library: Library
) -> None:
    for i, (sent, shown) in enumerate(UNSAFE_NAMES):
        response = raw_upload(client, sent, make_image(color=(i * 30, 7, 7)))
        image = response.json()["results"][0]["image"]
        assert image["filename"] == shown, sent
    for key in library.stored_keys():
        assert re.fullmatch(r"(images|thumbnails)/[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp|bmp|tif)", key), key


def test_upload_needs_files_and_multipart(client: TestClient, library: Library) -> None:
    no_files = client.post(URL, data={"folder": "x"}, files={"other": ("a.txt", b"x")})
    assert no_files.status_code == 422 and no_files.json()["fields"][0]["field"] == "files"
    as_json = client.post(URL, json={"files": []})
    assert as_json.status_code == 415 and as_json.json()["error"] == "UnsupportedMedia"
    bad_folder = upload(client, ("a.jpg", make_image()), folder="a/../b")
    assert bad_folder.status_code == 422 and bad_folder.json()["fields"][0]["field"] == "folder"
    library.assert_empty()


def test_viewers_cannot_upload_and_strangers_cannot_list(
    viewer_client: TestClient, anon_client: TestClient, library: Library
) -> None:
    assert upload(viewer_client, ("a.jpg", make_image())).status_code == 403
    assert anon_client.get(URL).status_code == 401
    assert viewer_client.get(URL).status_code == 200
    library.assert_empty()


def test_annotators_can_upload(annotator_client: TestClient) -> None:
    assert upload(annotator_client, ("a.jpg", make_image())).json()["stored"] == 1


def test_a_duplicate_that_wins_a_race_is_reported_as_duplicate_and_leaves_no_files(
    client: TestClient, ctx: AppContext, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    jpeg = make_image(color=(3, 140, 90))
    first = upload(client, ("first.jpg", jpeg)).json()["results"][0]["image"]
    keys = set(library.stored_keys())
    # The other upload commits between this one's duplicate check and its insert: the check sees
    # nothing, then the unique content hash stops the insert.
    real = service.find_by_hash
    calls: list[str] = []

    def check_before_the_other_commit(session: Session, content_hash: str) -> Image | None:
        calls.append(content_hash)
        return None if len(calls) == 1 else real(session, content_hash)

    monkeypatch.setattr(service, "find_by_hash", check_before_the_other_commit)
    with ctx.db.writer() as session:
        result = ingest.ingest_file(session, ctx.storage, ctx.settings, io.BytesIO(jpeg), "second.jpg")
    assert result.status == "duplicate" and result.image.id == first["id"]
    assert set(library.stored_keys()) == keys
    assert library.image_count() == 1
