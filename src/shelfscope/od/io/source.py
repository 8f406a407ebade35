"""Where an import reads its files from: a folder on the server or a checked zip archive."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from shelfscope.od.io.common import FormatError
from shelfscope.od.io.zipsafe import ZipLimits, open_checked

_SKIPPED_DIRS = frozenset({"__MACOSX", ".git", ".svn", ".hg"})
# Text files (names lists, labels, XML, YAML) are read whole; nothing legitimate is this large.
MAX_TEXT_BYTES = 64 * 1024 * 1024


class Source(Protocol):
    name: str

    def files(self) -> list[str]:
        """Every file as a relative 'a/b/c.ext' path, sorted."""
        ...

    def open(self, path: str) -> BinaryIO: ...

    def size(self, path: str) -> int: ...

    def close(self) -> None: ...


def read_bytes(source: Source, path: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    if source.size(path) > limit:
        raise FormatError(f"{path} is larger than {limit:,} bytes.", kind="too_large", file=path)
    with source.open(path) as f:
        return f.read(limit + 1)


def read_text(source: Source, path: str, limit: int = MAX_TEXT_BYTES) -> str:
    data = read_bytes(source, path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"{path} is not UTF-8 text (byte {exc.start}, line {line}).",
            kind="encoding",
            file=path,
            line=line,
        ) from None


class FolderSource:
    """Files under a server folder. Links that lead outside the folder are not followed."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.name = self.root.name or str(self.root)
        self._sizes: dict[str, int] | None = None
        # Listed files that are links (to files inside the folder): opened through resolve().
        self._links: set[str] = set()

    def _listing(self) -> dict[str, int]:
        if self._sizes is None:
            sizes: dict[str, int] = {}
            for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
                base = Path(dirpath)
                for filename in filenames:
                    full = base / filename
                    if full.is_symlink():
                        if not self._inside(full.resolve()):
                            continue
                        self._links.add(full.relative_to(self.root).as_posix())
                    try:
                        info = full.stat()
                    except OSError:
                        continue
                    if stat.S_ISREG(info.st_mode):
                        sizes[full.relative_to(self.root).as_posix()] = info.st_size
            self._sizes = dict(sorted(sizes.items()))
        return self._sizes

    def files(self) -> list[str]:
        return list(self._listing())

    def _inside(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents

    def _path(self, path: str) -> Path:
        full = (self.root / path).resolve()
        if not self._inside(full):
            raise FormatError(f"{path} lies outside the import folder.", kind="unsafe_path", file=path)
        return full

    def open(self, path: str) -> BinaryIO:
        listing = self._listing()
        try:
            if path in listing and path not in self._links:
                # Listed files were checked when listed; O_NOFOLLOW refuses one swapped for a link since.
                fd = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                return os.fdopen(fd, "rb")
            return self._path(path).open("rb")
        except FileNotFoundError:
            raise FormatError(f"{path} does not exist.", kind="missing_file", file=path) from None
        except OSError as exc:
            raise FormatError(f"{path} could not be opened ({exc}).", kind="unreadable", file=path) from None

    def size(self, path: str) -> int:
        listing = self._listing()
        if path in listing:
            return listing[path]
        return self._path(path).stat().st_size

    def close(self) -> None:
        return None


class ZipSource:
    """Members of a zip archive, checked for unsafe names, links and bombs before any is read."""

    def __init__(self, path: Path, limits: ZipLimits, name: str) -> None:
        self.name = name
        self._archive, self._members = open_checked(str(path), limits, name)

    def files(self) -> list[str]:
        return sorted(self._members)

    def _info(self, path: str) -> zipfile.ZipInfo:
        try:
            return self._members[path]
        except KeyError:
            raise FormatError(f"{path} is not in {self.name}.", kind="missing_file", file=path) from None

    def open(self, path: str) -> BinaryIO:
        return cast(BinaryIO, self._archive.open(self._info(path)))

    def size(self, path: str) -> int:
        return self._info(path).file_size

    def close(self) -> None:
        self._archive.close()
