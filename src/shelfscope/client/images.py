"""Image library: upload files or folders (concurrent, resumable by content hash), list, download."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import computed_field

from shelfscope.client._transport import Transport
from shelfscope.client.errors import ApiError, TransportError
from shelfscope.client.jobs import Jobs
from shelfscope.client.progress import count_bar
from shelfscope.client.types import Model, iterate_pages

API = "/api/v1/od/images"
# What a folder walk takes (the formats the server reads); other files in a camera export (sidecars,
# videos, notes) are left alone rather than sent to be refused.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
# The server's lookup takes at most 1,000 hashes; smaller batches start the first uploads sooner.
LOOKUP_BATCH = 256
MAX_LOOKUP = 1000
_CHUNK = 1024 * 1024

UploadStatus = Literal["stored", "duplicate", "skipped", "rejected"]


class Image(Model):
    """One library image. `size_bytes` is the original file's size; `content_hash` its sha256."""

    id: int
    filename: str
    content_hash: str
    width: int
    height: int
    size_bytes: int
    format: str
    folder: str | None = None
    tags: list[str] = []
    source: str = "upload"
    source_id: str | None = None
    created_by: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    file_url: str | None = None
    thumbnail_url: str | None = None

    @property
    def size(self) -> int:
        """The file's size in bytes (the same as `size_bytes`)."""
        return self.size_bytes


class UploadResult(Model):
    """One file of an upload: `stored` (new), `duplicate` (sent; the library had the bytes),
    `skipped` (not sent: the lookup found its hash) or `rejected` (`error` is the error shape)."""

    path: Path
    status: UploadStatus
    image_id: int | None = None
    content_hash: str | None = None
    error: dict[str, Any] | None = None


class UploadSummary(Model):
    stored: int = 0
    duplicate: int = 0
    skipped: int = 0
    rejected: int = 0
    results: list[UploadResult] = []
    elapsed_s: float = 0.0
    # File bytes sent to the server (0 when every file was skipped by its hash).
    bytes_sent: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def image_ids(self) -> list[int | None]:
        """The library id of each file in path order; None for a rejected file."""
        return [r.image_id for r in self.results]

    @property
    def rejected_results(self) -> list[UploadResult]:
        return [r for r in self.results if r.status == "rejected"]


@dataclass(frozen=True)
class _Hashed:
    digest: str | None
    size: int
    error: dict[str, Any] | None


class _Abort(Exception):
    """A failure of the whole upload (token refused, bad folder or tags, server unreachable), as
    opposed to one file the server refused."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Images:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    # ---- upload ----------------------------------------------------------------------------------

    def upload(
        self,
        source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        folder: str | None = None,
        tags: Sequence[str] | str | None = None,
        recursive: bool = True,
        workers: int = 4,
        skip_existing: bool = True,
        progress: bool | None = None,
    ) -> UploadSummary:
        """Upload a file, every image file under a folder (by extension, sorted, hidden files left
        out), or an iterable of paths, into the library `folder` with `tags`.

        Each file is hashed here first and the hashes looked up on the server, so a file the library
        has already is `skipped` without sending its bytes: an interrupted upload is resumed by
        running it again. The rest are streamed from disk by `workers` threads, one file per request
        (retried after a dropped connection; the server deduplicates by content). A file the server
        refuses is `rejected` with the error shape and the others go on; a failure of the whole upload
        (token refused, a bad `folder` or `tags`, the server unreachable) raises its exception.
        A missing `source` raises FileNotFoundError before anything is sent."""
        if workers < 1:
            raise ValueError("workers must be at least 1")
        paths = collect_paths(source, recursive=recursive)
        tags_field = tags if isinstance(tags, str) or tags is None else ",".join(tags)
        form = {k: v for k, v in {"folder": folder, "tags": tags_field}.items() if v is not None}
        started = time.perf_counter()
        results: list[UploadResult | None] = [None] * len(paths)
        sent = 0
        show = self._progress if progress is None else progress
        with (
            count_bar("upload", len(paths), enabled=show) as advance,
            ThreadPoolExecutor(workers, thread_name_prefix="shelfscope-hash") as hashers,
            ThreadPoolExecutor(workers, thread_name_prefix="shelfscope-upload") as senders,
        ):
            in_flight: set[Future[tuple[int, UploadResult, int]]] = set()

            def settle(block_until: int) -> None:
                nonlocal sent
                while len(in_flight) > block_until:
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        in_flight.discard(future)
                        try:
                            index, result, size = future.result()
                        except _Abort as abort:
                            for other in in_flight:
                                other.cancel()
                            wait(in_flight)
                            raise abort.cause from None
                        results[index] = result
                        sent += size
                        advance(1)

            for start in range(0, len(paths), LOOKUP_BATCH):
                batch = range(start, min(start + LOOKUP_BATCH, len(paths)))
                hashed = list(hashers.map(_hash_file, [paths[i] for i in batch]))
                digests = [h.digest for h in hashed if h.digest is not None]
                found = self.lookup(digests) if skip_existing and digests else {}
                for i, h in zip(batch, hashed, strict=True):
                    if h.digest is None:
                        results[i] = UploadResult(path=paths[i], status="rejected", error=h.error)
                        advance(1)
                    elif h.digest in found:
                        results[i] = UploadResult(
                            path=paths[i], status="skipped", image_id=found[h.digest], content_hash=h.digest
                        )
                        advance(1)
                    else:
                        # Bounded in flight: a huge folder never queues thousands of open requests.
                        settle(2 * workers - 1)
                        in_flight.add(senders.submit(self._send, i, paths[i], h, form))
            settle(0)
        done = [r for r in results if r is not None]
        counts = {
            s: sum(1 for r in done if r.status == s) for s in ("stored", "duplicate", "skipped", "rejected")
        }
        return UploadSummary(**counts, results=done, elapsed_s=time.perf_counter() - started, bytes_sent=sent)

    def _send(
        self, index: int, path: Path, hashed: _Hashed, form: dict[str, str]
    ) -> tuple[int, UploadResult, int]:
        opened: list[IO[bytes]] = []

        def files() -> list[tuple[str, tuple[str, IO[bytes], str]]]:
            # Called per attempt: a retry sends the file again from its first byte.
            f = path.open("rb")
            opened.append(f)
            return [("files", (path.name, f, "application/octet-stream"))]

        try:
            response = self._t.request(
                "POST", API, files=files, data=form, idempotent=True, ok_statuses=(207,)
            )
        except ApiError as exc:
            if exc.status == 413:  # this file alone is over the request limit
                return index, _rejected(path, {**exc.body, "file": path.name}, hashed.digest), hashed.size
            raise _Abort(exc) from exc
        except OSError as exc:  # the file vanished or became unreadable after it was hashed
            return index, _rejected(path, _unreadable(path, exc), hashed.digest), 0
        except TransportError as exc:
            raise _Abort(exc) from exc
        finally:
            for f in opened:
                f.close()
        item = response.json()["results"][0]
        if item["status"] == "rejected":
            error = dict(item.get("error") or {"error": "Rejected", "detail": f"{path.name} was refused."})
            error.setdefault("file", path.name)
            return index, _rejected(path, error, hashed.digest), hashed.size
        result = UploadResult(
            path=path, status=item["status"], image_id=item["image"]["id"], content_hash=hashed.digest
        )
        return index, result, hashed.size

    # ---- reading ---------------------------------------------------------------------------------

    def lookup(self, hashes: Iterable[str]) -> dict[str, int]:
        """The image id of each sha256 content hash (hex) the library has; absent ones are left out.
        Keys are lower case, as the library stores them. Sent 1,000 at a time."""
        wanted = list(hashes)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), MAX_LOOKUP):
            body = self._t.json(
                "POST",
                f"{API}/lookup",
                json_body={"hashes": wanted[start : start + MAX_LOOKUP]},
                idempotent=True,
            )
            found.update({str(k): int(v) for k, v in body["found"].items()})
        return found

    def get(self, image_id: int) -> Image:
        return Image.model_validate(self._t.json("GET", f"{API}/{image_id}"))

    def list(
        self,
        *,
        folder: str | None = None,
        folder_prefix: bool = False,
        tags: Sequence[str] | str | None = None,
        q: str | None = None,
        source: str | None = None,
        dataset_id: int | None = None,
        not_in_dataset_id: int | None = None,
        has_annotations: bool | None = None,
        sort: str = "created_at",
        order: str = "desc",
        limit: int | None = None,
    ) -> Iterator[Image]:
        """Library images matching every given filter (`tags`: all of them; `q`: part of the file
        name; `folder_prefix`: folders below `folder` too), newest first by default, fetched a page at
        a time as the iterator is consumed."""
        params: dict[str, Any] = {
            "folder": folder,
            "folder_prefix": folder_prefix or None,
            "tags": [tags] if isinstance(tags, str) else (list(tags) if tags else None),
            "q": q,
            "source": source,
            "dataset_id": dataset_id,
            "not_in_dataset_id": not_in_dataset_id,
            "has_annotations": has_annotations,
            "sort": sort,
            "order": order,
        }
        return iterate_pages(self._t, API, Image, params, limit=limit)

    def download(self, image_id: int, dest: str | os.PathLike[str]) -> Path:
        """Stream the image's original bytes to `dest` (an existing folder: the file goes in it under
        its library file name) and return the file's path. The bytes are checked against the image's
        sha256 and land under their final name only when complete."""
        image = self.get(image_id)
        target = Path(dest)
        if target.is_dir():
            target = target / _safe_name(image)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        digest = hashlib.sha256()
        try:
            with self._t.stream("GET", f"{API}/{image_id}/file") as response, partial.open("wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != image.content_hash:
                raise TransportError(
                    f"image {image_id}: the downloaded bytes have sha256 {digest.hexdigest()}, "
                    f"expected {image.content_hash}"
                )
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target


def collect_paths(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *, recursive: bool = True
) -> list[Path]:
    """The files an upload takes from `source`: a file itself, a folder's image files (sorted, by
    extension, hidden ones left out), or the given paths as they are (the server judges each)."""
    if isinstance(source, (str, os.PathLike)):
        root = Path(source)
        if root.is_dir():
            walk = root.rglob("*") if recursive else root.iterdir()
            return sorted(p for p in walk if _is_image_file(p, root))
        if root.is_file():
            return [root]
        raise FileNotFoundError(2, "No such file or folder", str(root))
    return [Path(p) for p in source]


def _is_image_file(path: Path, root: Path) -> bool:
    # Hidden entries are never photos: macOS writes `._IMG_0001.jpg` resource forks beside them, and
    # tools keep caches in dot-folders.
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return False
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def _hash_file(path: Path) -> _Hashed:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        return _Hashed(None, 0, _unreadable(path, exc))
    return _Hashed(digest.hexdigest(), size, None)


def _unreadable(path: Path, exc: OSError) -> dict[str, Any]:
    reason = exc.strerror or exc.__class__.__name__
    return {"error": "Unreadable", "detail": f"{path} could not be read: {reason}.", "file": str(path)}


def _rejected(path: Path, error: dict[str, Any], digest: str | None) -> UploadResult:
    return UploadResult(path=path, status="rejected", content_hash=digest, error=error)


def _safe_name(image: Image) -> str:
    """The library's file name as a bare name (never a path that climbs out of the folder)."""
    name = Path(image.filename.replace("\\", "/")).name
    if name in ("", ".", ".."):
        return f"image-{image.id}.{image.format.lower()}"
    return name
