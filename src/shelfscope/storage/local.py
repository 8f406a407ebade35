"""Storage in a local folder. Writes go to a temporary file first and are renamed into place, except
brand-new keys (`put_fresh`), which are written where they belong."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from shelfscope.storage.base import CHUNK, ObjectMissing, StorageError, validate_key


class LocalStorage:
    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / ".tmp"
        self._tmp.mkdir(exist_ok=True)
        # Folders known to exist (keys spread over 256 folders per area: one mkdir each, not per file).
        self._folders: set[Path] = set()

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _atomic_write(self, key: str, write: Callable[[BinaryIO], int]) -> int:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix=uuid.uuid4().hex[:8])
        try:
            with os.fdopen(fd, "wb") as out:
                written = write(out)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return written

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        with path.open("rb") as src:
            self.put_stream(key, src, content_type)

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> int:
        def write(out: BinaryIO) -> int:
            total = 0
            while chunk := stream.read(CHUNK):
                out.write(chunk)
                total += len(chunk)
            return total

        return self._atomic_write(key, write)

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self._atomic_write(key, lambda out: out.write(data))

    def put_fresh(self, key: str, data: bytes, content_type: str | None = None) -> None:
        # One create, one write, one close: a temporary file and a rename cost about as much again in
        # the kernel, which is most of an import's time per small image.
        target = self._path(key)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        try:
            fd = os.open(target, flags, 0o644)
        except FileNotFoundError:
            # The folder was removed after it was made here: make it again.
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:
            os.close(fd)
            target.unlink(missing_ok=True)
            raise
        os.close(fd)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise ObjectMissing(f"stored object {key} is missing", key) from None

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def iter_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with self.open(key) as f:
            f.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                chunk = f.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def download_to(self, key: str, path: Path) -> None:
        with self.open(key) as src, path.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectMissing(f"stored object {key} is missing", key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and self._tmp not in path.parents:
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def ping(self) -> None:
        probe = self._tmp / f"ping-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise StorageError(f"storage folder {self.root} is not writable: {exc}") from exc
