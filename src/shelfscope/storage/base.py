"""The Storage protocol and the rules for keys (always chosen by the server)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9_\-][a-z0-9_.\-]*)*$")
_EXT_RE = re.compile(r"^\.[a-z0-9]{1,8}$")
CHUNK = 1024 * 1024


class StorageError(Exception):
    """A backend failure (missing object, unreachable bucket). `key` names the object."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class ObjectMissing(StorageError):
    pass


def validate_key(key: str) -> str:
    if len(key) > 255 or ".." in key or not _KEY_RE.match(key):
        raise ValueError(f"invalid storage key {key!r}")
    return key


def new_key(area: str, ext: str = "") -> str:
    """A fresh server-chosen key like 'images/3f/3f2a...c1.jpg'. User file names never enter it."""
    ext = ext.lower()
    if ext and not _EXT_RE.match(ext):
        raise ValueError(f"invalid extension {ext!r}")
    token = uuid.uuid4().hex
    return validate_key(f"{area}/{token[:2]}/{token}{ext}")


class Storage(Protocol):
    backend: str

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None: ...

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> int: ...

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None: ...

    def put_fresh(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Write a key no one can know of yet (just made by `new_key`, listed in an import's manifest,
        no row refers to it): no replace-in-place guarantees are needed, since nothing reads the key
        before the row that names it commits, and a half-written file is swept with the manifest. Local
        storage refuses a key that exists."""
        ...

    def open(self, key: str) -> BinaryIO: ...

    def read_bytes(self, key: str) -> bytes: ...

    def iter_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes start..end inclusive (end None: to the end), in chunks."""
        ...

    def download_to(self, key: str, path: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is fine."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...

    def ping(self) -> None:
        """Raise StorageError when the backend cannot be used."""
        ...
