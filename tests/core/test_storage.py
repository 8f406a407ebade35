"""The storage interface behaves the same on a local folder and on S3 (moto's server on loopback)."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from shelfscope.config import Settings
from shelfscope.storage import Storage, new_key, open_storage, validate_key
from shelfscope.storage.base import ObjectMissing, StorageError
from shelfscope.storage.local import LocalStorage
from shelfscope.storage.s3 import S3Storage
from tests.support.servers import free_port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    settings = Settings(
        data_dir=tmp_path,
        storage_backend="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=f"b{threading.get_ident() % 10_000}-{time.monotonic_ns() % 10**9}",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        s3_create_bucket=True,
        s3_prefix="tenant-a",
    )
    store = open_storage(settings)
    assert isinstance(store, S3Storage)
    return store


def test_round_trip_of_bytes_streams_and_files(storage: Storage, tmp_path: Path) -> None:
    key = new_key("images", ".jpg")
    storage.put_bytes(key, b"hello world", "image/jpeg")
    assert storage.read_bytes(key) == b"hello world"
    assert storage.exists(key) and storage.size(key) == 11
    assert b"".join(storage.iter_range(key, 6)) == b"world"
    assert b"".join(storage.iter_range(key, 0, 4)) == b"hello"

    big = bytes(range(256)) * 20_000  # 5 MB: more than one read chunk
    key2 = new_key("exports", ".zip")
    assert storage.put_stream(key2, io.BytesIO(big)) == len(big)
    assert storage.read_bytes(key2) == big
    src = tmp_path / "src.bin"
    src.write_bytes(big[:1000])
    key3 = new_key("models")
    storage.put_file(key3, src)
    out = tmp_path / "out.bin"
    storage.download_to(key3, out)
    assert out.read_bytes() == big[:1000]
    with storage.open(key3) as f:
        assert f.read(10) == big[:10]

    assert set(storage.iter_keys("exports/")) == {key2}
    storage.delete(key2)
    storage.delete(key2)  # idempotent
    assert not storage.exists(key2)
    storage.ping()


def test_a_fresh_key_is_written_whole_and_local_storage_never_overwrites_with_it(storage: Storage) -> None:
    key = new_key("images", ".jpg")
    data = bytes(range(256)) * 4_000  # 1 MB
    storage.put_fresh(key, data, "image/jpeg")
    assert storage.read_bytes(key) == data and storage.size(key) == len(data)
    assert list(storage.iter_keys("images/")) == [key]
    if isinstance(storage, LocalStorage):
        with pytest.raises(FileExistsError):
            storage.put_fresh(key, b"other bytes", "image/jpeg")
        assert storage.read_bytes(key) == data
        # Its folder removed meanwhile (an emptied folder cleaned up): made again.
        storage.delete(key)
        (storage.root / key).parent.rmdir()
        storage.put_fresh(key, b"again", "image/jpeg")
        assert storage.read_bytes(key) == b"again"


def test_missing_object_names_its_key(storage: Storage) -> None:
    key = new_key("images", ".png")
    with pytest.raises(ObjectMissing) as err:
        storage.read_bytes(key)
    assert err.value.key == key
    with pytest.raises(ObjectMissing):
        storage.size(key)


def test_keys_are_server_chosen_and_path_safe() -> None:
    key = new_key("images", ".JPG")
    assert key.startswith("images/") and key.endswith(".jpg")
    for bad in ["../etc/passwd", "/abs/key", "images/../../x", "images/a b.jpg", "images/\x00.jpg", ""]:
        with pytest.raises(ValueError):
            validate_key(bad)
    with pytest.raises(ValueError):
        new_key("images", "/../x")


def test_local_storage_refuses_traversal(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "store")
    with pytest.raises(ValueError):
        store.put_bytes("../outside", b"x")
    assert not (tmp_path / "outside").exists()


def test_unreachable_bucket_fails_ping(tmp_path: Path, s3_endpoint: str) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with pytest.raises(StorageError):
        S3Storage(client, "no-such-bucket").ping()
