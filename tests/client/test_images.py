"""The client's image library against a real server: folder uploads (concurrent, resumed by hash,
bad files rejected by name while the rest are stored), listing with filters, download, lookup."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from collections import Counter
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from PIL import Image as PILImage
from PIL import ImageChops

from shelfscope.client import Client, NotFound, TransportError, ValidationFailed
from tests.client.conftest import LiveServer
from tests.support.app import SHARED_DATA
from tests.support.servers import free_port

RACCOONS = SHARED_DATA / "detection" / "raccoon" / "images"
UPLOAD = "/api/v1/od/images"


class CountingTransport(httpx.HTTPTransport):
    """The real HTTP transport, recording each request's method, path and body size on the way, and
    the most requests open at once (until the answer's headers: the server answers an upload after
    storing it)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, int]] = []
        self.open = 0
        self.most_open = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent.append(
                (request.method, request.url.path, int(request.headers.get("content-length", 0)))
            )
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        try:
            return super().handle_request(request)
        finally:
            with self._lock:
                self.open -= 1

    def uploads(self) -> list[tuple[str, str, int]]:
        return [s for s in self.sent if s[:2] == ("POST", UPLOAD)]


def real_photos(folder: Path, count: int, *, start: int = 1, size: int = 320) -> list[Path]:
    """Real raccoon photos, scaled down and re-encoded with a unique comment so that no other test of
    the shared server has the same bytes."""
    if not RACCOONS.is_dir():
        pytest.skip("the shared test photos are not beside the repository")
    folder.mkdir(parents=True, exist_ok=True)
    token = uuid4().hex
    paths = []
    for n in range(start, start + count):
        with PILImage.open(RACCOONS / f"raccoon-{n}.jpg") as im:
            im.thumbnail((size, size))
            target = folder / f"raccoon-{n}.jpg"
            im.convert("RGB").save(target, "JPEG", quality=85, comment=f"{token}-{n}".encode())
        paths.append(target)
    return paths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_upload_stores_every_image_with_folder_and_tags(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 4)
    nested = real_photos(tmp_path / "export" / "aisle-2", 2, start=10)
    (tmp_path / "export" / "notes.txt").write_text("not a photo, not an image suffix: left alone")
    (tmp_path / "export" / "._raccoon-1.jpg").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    label = f"stores/berlin-{uuid4().hex[:8]}"

    counting = CountingTransport()
    with Client(live_server.url, live_server.token, transport=counting) as client:
        summary = client.images.upload(
            tmp_path / "export", folder=label, tags=["Promo", "aisle-3"], workers=3
        )

    assert 1 < counting.most_open <= 3  # concurrent, and never more than `workers` at once
    assert len(counting.uploads()) == 6
    assert (summary.stored, summary.duplicate, summary.skipped, summary.rejected) == (6, 0, 0, 0)
    expected = sorted(photos + nested)
    assert [r.path for r in summary.results] == expected
    assert all(isinstance(i, int) for i in summary.image_ids)
    assert summary.bytes_sent == sum(p.stat().st_size for p in expected)
    listed = {image.id: image for image in api.images.list(folder=label)}
    assert set(listed) == set(summary.image_ids)
    for result in summary.results:
        image = listed[result.image_id or 0]
        assert image.filename == result.path.name
        assert image.content_hash == sha256(result.path) == result.content_hash
        assert image.size_bytes == image.size == result.path.stat().st_size
        assert image.tags == ["aisle-3", "promo"] and image.folder == label
        with PILImage.open(result.path) as im:
            assert (image.width, image.height) == im.size


def test_a_second_upload_of_the_same_folder_sends_no_file_bytes(
    live_server: LiveServer, tmp_path: Path
) -> None:
    real_photos(tmp_path / "export", 5)
    counting = CountingTransport()
    with Client(live_server.url, live_server.token, transport=counting) as client:
        first = client.images.upload(tmp_path / "export")
        assert first.stored == 5 and len(counting.uploads()) == 5
        counting.sent.clear()

        again = client.images.upload(tmp_path / "export")

    assert (again.stored, again.duplicate, again.skipped, again.rejected) == (0, 0, 5, 0)
    assert again.image_ids == first.image_ids
    assert again.bytes_sent == 0
    # One lookup request of 5 hashes, and nothing else: no upload request at all.
    assert [(method, path) for method, path, _ in counting.sent] == [("POST", f"{UPLOAD}/lookup")]
    assert counting.sent[0][2] < 1000


def test_an_interrupted_upload_resumes_with_only_the_missing_files(
    api: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = real_photos(tmp_path / "export", 6)
    api.images.upload(photos[:2])  # the first two arrived before the connection dropped

    resumed = api.images.upload(tmp_path / "export", progress=True)

    assert [r.status for r in resumed.results] == ["skipped"] * 2 + ["stored"] * 4
    assert resumed.bytes_sent == sum(p.stat().st_size for p in photos[2:])
    bar = capsys.readouterr().err  # the progress bar's last state, on stderr
    assert "upload" in bar and "6/6" in bar, bar


def test_without_skip_existing_every_file_is_sent_and_found_to_be_a_duplicate(
    api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 3)
    first = api.images.upload(tmp_path / "export")

    again = api.images.upload(tmp_path / "export", skip_existing=False, workers=1)

    assert (again.stored, again.duplicate, again.skipped) == (0, 3, 0)
    assert again.image_ids == first.image_ids
    assert again.bytes_sent == sum(p.stat().st_size for p in photos)


def test_a_non_image_file_is_rejected_by_name_while_the_others_are_stored(
    api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 3)
    fake = tmp_path / "export" / "raccoon-2b.jpg"
    fake.write_text(f"this is a text file with a photo's name {uuid4()}")

    summary = api.images.upload(tmp_path / "export", tags=["t"])

    assert (summary.stored, summary.rejected) == (3, 1)
    by_path = {r.path: r for r in summary.results}
    bad = by_path[fake]
    assert bad.status == "rejected" and bad.image_id is None
    assert bad.error is not None
    assert bad.error["error"] == "UnsupportedMedia" and bad.error["file"] == fake.name
    assert fake.name in bad.error["detail"]
    assert [r.path for r in summary.rejected_results] == [fake]
    assert summary.image_ids[[r.path for r in summary.results].index(fake)] is None
    assert all(by_path[p].status == "stored" for p in photos)
    # Nothing of the bad file reached the library.
    assert api.images.lookup([sha256(fake)]) == {}
    assert len(api.images.lookup([sha256(p) for p in photos])) == 3


def test_given_paths_are_sent_as_they_are_and_missing_ones_rejected_locally(
    api: Client, tmp_path: Path
) -> None:
    photo = real_photos(tmp_path, 1)[0]
    text = tmp_path / "readme.txt"
    text.write_text(f"readme {uuid4()}")
    missing = tmp_path / "gone.jpg"

    summary = api.images.upload([str(text), missing, photo])

    assert [r.status for r in summary.results] == ["rejected", "rejected", "stored"]
    assert summary.results[0].error and summary.results[0].error["file"] == "readme.txt"
    assert summary.results[1].error and summary.results[1].error["error"] == "Unreadable"
    assert str(missing) in summary.results[1].error["detail"]
    assert summary.bytes_sent == text.stat().st_size + photo.stat().st_size
    assert api.images.lookup([sha256(text)]) == {}


def test_a_missing_folder_raises_before_anything_is_sent(live_server: LiveServer, tmp_path: Path) -> None:
    counting = CountingTransport()
    with Client(live_server.url, live_server.token, transport=counting) as client:
        with pytest.raises(FileNotFoundError) as caught:
            client.images.upload(tmp_path / "no-such-export")
        assert caught.value.filename == str(tmp_path / "no-such-export")
    assert counting.sent == []


def test_a_bad_folder_label_raises_naming_the_field_and_stores_nothing(api: Client, tmp_path: Path) -> None:
    photos = real_photos(tmp_path / "export", 3)

    with pytest.raises(ValidationFailed) as caught:
        api.images.upload(tmp_path / "export", folder="stores/../berlin")

    assert [f["field"] for f in caught.value.fields] == ["folder"]
    assert api.images.lookup([sha256(p) for p in photos]) == {}


def test_an_unreachable_server_raises_a_transport_error(tmp_path: Path) -> None:
    real_photos(tmp_path / "export", 1)
    client = Client(f"http://127.0.0.1:{free_port()}", "token", retries=0)
    with client, pytest.raises(TransportError):
        client.images.upload(tmp_path / "export")


def test_an_upload_streams_each_file_without_holding_it_in_memory(api: Client, tmp_path: Path) -> None:
    # A 9 MB PNG (a real photo with sensor-like grain compresses poorly): reading it whole anywhere in
    # the client would show up as a peak of at least its size.
    with PILImage.open(RACCOONS / "raccoon-3.jpg") as im:
        big = im.convert("RGB").resize((2400, 1800))
    grain = PILImage.effect_noise(big.size, 40).convert("RGB")
    big = ImageChops.add(big, grain, scale=1.0, offset=-128)
    path = tmp_path / f"big-{uuid4().hex[:8]}.png"
    big.save(path, "PNG", compress_level=1)
    size = path.stat().st_size
    assert size > 8_000_000

    tracemalloc.start()
    try:
        summary = api.images.upload(path, workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert summary.stored == 1, summary.results[0].error
    assert peak < size / 3, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


def test_get_and_download_return_the_original_bytes(api: Client, tmp_path: Path) -> None:
    photo = real_photos(tmp_path / "in", 1)[0]
    image_id = api.images.upload(photo).image_ids[0]
    assert image_id is not None

    image = api.images.get(image_id)
    into_folder = api.images.download(image_id, tmp_path)
    as_file = api.images.download(image_id, tmp_path / "out" / "copy.jpg")

    assert (image.id, image.filename, image.format) == (image_id, photo.name, "JPEG")
    assert into_folder == tmp_path / photo.name
    assert into_folder.read_bytes() == as_file.read_bytes() == photo.read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["copy.jpg"]  # no partial file left


def test_a_missing_image_is_not_found_and_download_writes_nothing(api: Client, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        api.images.get(987_654_321)
    with pytest.raises(NotFound):
        api.images.download(987_654_321, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_list_filters_by_folder_tags_and_name_and_stops_at_limit(api: Client, tmp_path: Path) -> None:
    label = f"list-{uuid4().hex[:8]}"
    api.images.upload(real_photos(tmp_path / "a", 3), folder=f"{label}/a", tags="shelf,promo")
    api.images.upload(real_photos(tmp_path / "b", 2, start=20), folder=f"{label}/b", tags=["shelf"])

    assert len(list(api.images.list(folder=label, folder_prefix=True))) == 5
    assert len(list(api.images.list(folder=f"{label}/a"))) == 3
    promo = list(api.images.list(folder=label, folder_prefix=True, tags=["promo", "shelf"]))
    assert len(promo) == 3 and all(i.folder == f"{label}/a" for i in promo)
    named = list(api.images.list(folder=label, folder_prefix=True, q="raccoon-2"))
    assert sorted(i.filename for i in named) == ["raccoon-2.jpg", "raccoon-20.jpg", "raccoon-21.jpg"]
    by_name = [
        i.filename for i in api.images.list(folder=label, folder_prefix=True, sort="filename", order="asc")
    ]
    assert by_name == sorted(by_name)
    assert len(list(api.images.list(folder=label, folder_prefix=True, limit=2))) == 2


def test_lookup_answers_in_batches_and_refuses_a_malformed_hash(api: Client, tmp_path: Path) -> None:
    photo = real_photos(tmp_path, 1)[0]
    image_id = api.images.upload(photo).image_ids[0]
    digest = sha256(photo)
    hashes = [hashlib.sha256(f"{i}".encode()).hexdigest() for i in range(1500)] + [digest.upper()]

    assert api.images.lookup(hashes) == {digest: image_id}

    with pytest.raises(ValidationFailed) as caught:
        api.images.lookup([digest, "not-a-hash"])
    assert [f["field"] for f in caught.value.fields] == ["hashes[1]"]


def test_the_summary_is_plain_json(api: Client, tmp_path: Path) -> None:
    summary = api.images.upload(real_photos(tmp_path, 2))
    dumped = summary.model_dump(mode="json")
    assert dumped["image_ids"] == summary.image_ids
    assert Counter(r["status"] for r in dumped["results"]) == {"stored": 2}
    assert [r["path"] for r in dumped["results"]] == [str(r.path) for r in summary.results]
