"""The client's datasets against a real server: create and find them, import archives, make versions,
and download exports into a folder laid out exactly as the server's export zip (resumed after a dropped
connection); bad input gets the error shape and changes nothing; the extractor refuses escaping members."""

from __future__ import annotations

import contextlib
import itertools
import socket
import stat
import threading
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from shelfscope.client import Client, Conflict, JobFailed, NotFound, UnsupportedMedia, ValidationFailed
from shelfscope.client.datasets import DatasetHandle, UnsafeArchive, safe_extract
from tests.client.conftest import LiveServer
from tests.support.app import SHARED_DATA
from tests.support.dataset_files import Box, Item, write_coco, write_yolo, zip_folder


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# jpeg(seed) makes 3,072 different images (its colours and marked pixel repeat past that): seeds from
# one counter per test process, which is also one live server, never meet. Random ones did, one run in
# a few, and an upload then found some of its images already stored.
_SEEDS = itertools.count(0, 8)


def shelf_items(n: int = 6) -> list[Item]:
    """Images with bytes no other test on this server uses (the server shares one library)."""
    assert n <= 8
    base = next(_SEEDS) % 3072
    labels = ("cola", "chips", "water")
    items = []
    for i in range(n):
        boxes = [
            Box(labels[(i + k) % 3], 2.5 + k * 10, 3.25 + k, 20.5 + k * 10, 30.75 + k)
            for k in range(1 + i % 3)
        ]
        items.append(
            Item(f"img_{i:03d}.jpg", base + i, ("train", "train", "val", "test")[i % 4], boxes=boxes)
        )
    return items


def yolo_zip(root: Path, items: list[Item]) -> Path:
    archive = root.with_suffix(".zip")
    archive.write_bytes(zip_folder(write_yolo(root, items)))
    return archive


def export_jobs(api: Client, dataset_id: int) -> list[Any]:
    return [
        j
        for j in api.jobs.list(kind="od.exports.run", limit=200)
        if j.payload.get("dataset_id") == dataset_id
    ]


def server_zip(live_server: LiveServer, job: Any) -> Path:
    """The archive the server's own export wrote, in its storage folder."""
    return live_server.data_dir / "storage" / str(job.result["key"])


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def zip_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


def dataset_names(api: Client, name: str) -> list[str]:
    return [d.name for d in api.datasets.list(q=name)]


# ---- datasets ----------------------------------------------------------------------------------------


def test_a_dataset_is_created_with_its_classes_found_by_name_or_id_and_deleted(api: Client) -> None:
    name = unique("shelves")
    # Classes are shared by every dataset on the server: names of this test's own.
    cola, chips, water = unique("Cola"), unique("chips"), unique("water")
    created = api.datasets.create(name, classes=[cola, chips], description="aisle 4")

    by_name = api.datasets.get(name)
    by_id = api.datasets.get(created.id)
    assert (by_name.id, by_id.id, by_id.name) == (created.id, created.id, name)
    assert [c.name for c in by_name.classes()] == [cola, chips]
    info = by_name.info()
    assert (info.description, info.image_count, info.annotation_count) == ("aisle 4", 0, 0)
    assert [d.id for d in api.datasets.list(q=name)] == [created.id]

    with pytest.raises(Conflict) as caught:
        api.datasets.create(name)
    assert caught.value.body["dataset_id"] == created.id
    again = api.datasets.create(name, classes=[water], exist_ok=True)
    assert again.id == created.id
    assert [c.name for c in again.classes()] == [water, cola, chips]
    assert dataset_names(api, name) == [name]

    api.datasets.delete(name)
    with pytest.raises(NotFound):
        api.datasets.get(created.id)


def test_an_unknown_dataset_name_is_not_found_naming_it_and_nothing_is_created(
    api: Client, tmp_path: Path
) -> None:
    name = unique("no-such-dataset")
    archive = yolo_zip(tmp_path / "yolo", shelf_items(2))
    imports_before = sum(1 for _ in api.jobs.list(kind="od.imports.run", limit=200))

    with pytest.raises(NotFound) as caught:
        api.datasets.get(name)
    assert caught.value.status == 404 and caught.value.body["dataset"] == name
    assert name in caught.value.detail
    with pytest.raises(NotFound):
        api.datasets.import_archive(archive, "yolo", dataset=name, create=False)
    with pytest.raises(NotFound):
        api.datasets.get(987_654_321)
    with pytest.raises(NotFound) as by_id:
        api.datasets.import_archive(archive, "yolo", dataset="987654321")
    assert by_id.value.body["dataset_id"] == 987_654_321
    assert dataset_names(api, "987654321") == []

    assert dataset_names(api, name) == []
    assert sum(1 for _ in api.jobs.list(kind="od.imports.run", limit=200)) == imports_before


def test_a_bad_format_name_is_refused_naming_the_field_before_anything_is_sent(
    api: Client, tmp_path: Path
) -> None:
    name = unique("bad-format")
    archive = yolo_zip(tmp_path / "yolo", shelf_items(2))
    imports_before = sum(1 for _ in api.jobs.list(kind="od.imports.run", limit=200))
    handle = api.datasets.create(name)

    with pytest.raises(ValidationFailed) as caught:
        api.datasets.import_archive(archive, "yolov8", dataset=name)
    assert caught.value.body["error"] == "ValidationFailed"
    assert caught.value.fields == [{"field": "format", "message": "must be one of coco, yolo, voc"}]
    with pytest.raises(ValidationFailed) as exported:
        handle.export("pascal", tmp_path / "out")
    assert exported.value.fields[0]["field"] == "format"

    assert handle.info().image_count == 0
    assert export_jobs(api, handle.id) == []
    assert sum(1 for _ in api.jobs.list(kind="od.imports.run", limit=200)) == imports_before
    assert not (tmp_path / "out").exists()


def test_a_broken_archive_fails_its_import_and_the_dataset_gains_nothing(api: Client, tmp_path: Path) -> None:
    name = unique("broken")
    target = api.datasets.create(name)
    not_a_zip = tmp_path / "notes.zip"
    not_a_zip.write_bytes(b"this is not a zip archive")
    with pytest.raises(UnsupportedMedia) as refused:
        api.datasets.import_archive(not_a_zip, "coco", dataset=name)
    assert refused.value.status == 415 and refused.value.body["error"] == "UnsupportedMedia"

    root = write_coco(tmp_path / "coco", shelf_items(3))
    doc = root / "annotations" / "instances_train.json"
    lines = doc.read_text().splitlines()
    lines[3] += " oops"
    doc.write_text("\n".join(lines))
    archive = tmp_path / "coco.zip"
    archive.write_bytes(zip_folder(root))

    with pytest.raises(JobFailed) as failed:
        api.datasets.import_archive(archive, "coco", dataset=name)
    job = failed.value.job
    assert job.status == "failed" and "not valid JSON" in (job.error or "")
    assert job.result["outcome"] == "rejected"
    info = target.info()
    assert (info.image_count, info.annotation_count) == (0, 0)

    # Into a new dataset: the import would have created it; failed, it leaves none behind.
    fresh = unique("broken-new")
    with pytest.raises(JobFailed):
        api.datasets.import_archive(archive, "coco", dataset=fresh)
    assert dataset_names(api, fresh) == []


def test_import_adds_images_boxes_and_classes_and_images_can_be_added_to_another_dataset(
    api: Client, live_server: LiveServer, tmp_path: Path
) -> None:
    items = shelf_items(6)
    name = unique("imported")

    job = api.datasets.import_archive(yolo_zip(tmp_path / "yolo", items), "yolo", dataset=name)

    assert job.ok and job.result is not None
    assert job.result["dataset_created"] is True and job.result["dataset_name"] == name
    assert job.result["images"]["added_to_dataset"] == 6
    assert job.result["annotations"]["imported"] == sum(len(it.boxes) for it in items)
    handle = api.datasets.get(name)
    assert handle.id == job.result["dataset_id"]
    assert {c.name.casefold() for c in handle.classes()} == {"cola", "chips", "water"}
    members = list(handle.images())
    assert sorted(m.image.filename for m in members) == sorted(it.name for it in items)
    assert {m.split for m in members} == {"train", "val", "test"}
    assert list(handle.images(limit=2)).__len__() == 2

    other = api.datasets.create(unique("picked"))
    assert other.add_images([m.image_id for m in members[:4]]) == 4
    assert other.add_images([m.image_id for m in members]) == 2
    assert other.info().image_count == 6

    with live_server.client(progress=True) as with_bars:  # the upload is read through the bar
        queued = with_bars.datasets.get(handle.id).import_archive(
            yolo_zip(tmp_path / "again", items), "yolo", wait=False
        )
    assert queued.status in ("queued", "running", "succeeded")
    again = api.jobs.wait(queued.id)
    assert again.result is not None and again.result["images"]["already_in_dataset"] == 6
    assert handle.info().image_count == 6


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared format samples are not here")
def test_a_real_coco_sample_imports(api: Client, tmp_path: Path) -> None:
    archive = tmp_path / "coco.zip"
    archive.write_bytes(zip_folder(SHARED_DATA / "formats" / "datumaro" / "assets" / "coco_dataset" / "coco"))
    job = api.datasets.import_archive(archive, "coco", dataset=unique("datumaro-coco"))
    assert job.result is not None
    assert (job.result["images"]["added_to_dataset"], job.result["annotations"]["imported"]) == (2, 8)


# ---- versions and downloads --------------------------------------------------------------------------


@pytest.fixture
def versioned(api: Client, tmp_path: Path) -> DatasetHandle:
    """A dataset of six images with boxes, and its version 1."""
    name = unique("versioned")
    api.datasets.import_archive(yolo_zip(tmp_path / "source", shelf_items(6)), "yolo", dataset=name)
    handle = api.datasets.get(name)
    version = handle.create_version("first")
    assert version.number == 1
    return handle


def test_a_version_downloads_as_yolo_into_a_folder_laid_out_as_the_servers_export(
    api: Client, live_server: LiveServer, versioned: DatasetHandle, tmp_path: Path
) -> None:
    info = versioned.version(1).info()
    assert (info.status, info.name, info.counts.total_images, info.counts.total_annotations) == (
        "ready", "first", 6, 12,
    )  # fmt: skip
    assert [v.number for v in versioned.versions()] == [1]

    out = api.datasets.get(versioned.name).version(1).download("yolo", tmp_path / "shelves-v1")

    assert out == tmp_path / "shelves-v1"
    (job,) = export_jobs(api, versioned.id)
    assert job.result["version"] == 1 and job.result["format"] == "yolo"
    expected = zip_files(server_zip(live_server, job))
    assert tree(out) == expected
    assert "data.yaml" in expected and any(k.startswith("labels/train/") for k in expected)
    assert sum(len(v.splitlines()) for k, v in expected.items() if k.startswith("labels/")) == 12
    assert list(tmp_path.glob(".shelves-v1*")) == [], "the downloaded zip was left behind"


def test_extract_false_keeps_the_servers_zip_and_a_missing_version_is_not_found(
    api: Client, live_server: LiveServer, versioned: DatasetHandle, tmp_path: Path
) -> None:
    kept = versioned.version(1).download("coco", tmp_path / "zips", extract=False)
    (job,) = export_jobs(api, versioned.id)
    assert kept == tmp_path / "zips" / job.result["filename"]
    assert kept.read_bytes() == server_zip(live_server, job).read_bytes()
    with live_server.client(progress=True) as with_bars:  # the bar asks for the size with HEAD first
        named = with_bars.datasets.get(versioned.id).export("voc", tmp_path / "current.zip", extract=False)
    assert named == tmp_path / "current.zip" and zipfile.is_zipfile(named)

    with pytest.raises(NotFound):
        versioned.version(9)
    assert len(export_jobs(api, versioned.id)) == 2


class DroppingProxy:
    """A TCP proxy in front of the live server that cuts the connection once, halfway through the body
    of the first export download answered without a Range header: a real dropped connection."""

    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.removeprefix("http://").partition(":")
        self.upstream = (host, int(port))
        self.cut_at: int | None = None  # body bytes passed on before the cut
        self.ranges: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(client,), daemon=True).start()

    def _connection(self, client: socket.socket) -> None:
        server = socket.create_connection(self.upstream)
        armed = threading.Event()

        def requests() -> None:
            while data := _recv(client):
                head = data.decode("latin-1").lower()
                if "/download" in head:
                    if "range:" in head:
                        self.ranges.extend(line for line in head.splitlines() if line.startswith("range:"))
                    elif self.cut_at is None:
                        armed.set()
                server.sendall(data)
            _close(server)

        threading.Thread(target=requests, daemon=True).start()
        answer = b""
        while data := _recv(server):
            if armed.is_set() and self.cut_at is None:
                answer += data
                head, sep, body = answer.partition(b"\r\n\r\n")
                if not sep:
                    continue
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                if len(body) < length // 2:
                    continue
                self.cut_at = length // 2
                client.sendall(head + sep + body[: self.cut_at])
                break
            client.sendall(data)
        _close(client)
        _close(server)

    def close(self) -> None:
        self.listener.close()


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def test_a_download_cut_off_midway_resumes_with_a_range_request(
    live_server: LiveServer, versioned: DatasetHandle, api: Client, tmp_path: Path
) -> None:
    proxy = DroppingProxy(live_server.url)
    try:
        with Client(proxy.url, live_server.token) as through_proxy:
            path = (
                through_proxy.datasets.get(versioned.id)
                .version(1)
                .download("yolo", tmp_path / "resumed", extract=False)
            )
    finally:
        proxy.close()

    (job,) = export_jobs(api, versioned.id)
    assert proxy.cut_at, "the proxy never cut the download"
    assert proxy.ranges == [f"range: bytes={proxy.cut_at}-"]
    assert path.read_bytes() == server_zip(live_server, job).read_bytes()
    assert not path.with_name(path.name + ".part").exists()


# ---- the extractor (no server) -----------------------------------------------------------------------


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../escape.txt", "'..'"),
        ("labels/../../escape.txt", "'..'"),
        ("/etc/escape.txt", "absolute"),
        ("C:/escape.txt", "absolute"),
        ("labels\\..\\..\\escape.txt", "backslash"),
    ],
)
def test_a_member_escaping_the_folder_refuses_the_whole_archive(
    member: str, reason: str, tmp_path: Path
) -> None:
    archive = _zip(tmp_path / "evil.zip", [("data.yaml", b"names: [a]\n"), (member, b"owned")])
    dest = tmp_path / "out" / "dataset"

    with pytest.raises(UnsafeArchive) as caught:
        safe_extract(archive, dest)

    assert caught.value.member == member and reason in str(caught.value)
    assert not any(dest.rglob("*")), "something was extracted"
    assert [p.name for p in tmp_path.rglob("escape.txt")] == []


def test_a_symbolic_link_member_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("images/train/a.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip(tmp_path / "link.zip", [(link, b"/etc/passwd")])
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        safe_extract(archive, tmp_path / "out")
    assert not any((tmp_path / "out").rglob("*"))


def test_a_safe_archive_extracts_every_member_in_place(tmp_path: Path) -> None:
    members: list[tuple[zipfile.ZipInfo | str, bytes]] = [
        ("data.yaml", b"names: [a]\n"),
        ("images/train/", b""),
        ("images/train/x..y.jpg", b"\xff\xd8jpeg"),
        ("labels/train/x..y.txt", b"0 0.5 0.5 0.1 0.1\n"),
    ]
    archive = _zip(tmp_path / "good.zip", members)
    written = safe_extract(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "data.yaml", "images/train/x..y.jpg", "labels/train/x..y.txt",
    ]  # fmt: skip
    assert (tmp_path / "out" / "labels" / "train" / "x..y.txt").read_bytes() == b"0 0.5 0.5 0.1 0.1\n"
