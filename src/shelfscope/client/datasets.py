"""Datasets, their classes, images, archive imports, versions and exports downloaded into a folder."""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from shelfscope.client._transport import Transport
from shelfscope.client.errors import (
    Conflict,
    NotFound,
    ShelfscopeClientError,
    TransportError,
    ValidationFailed,
)
from shelfscope.client.jobs import Jobs
from shelfscope.client.progress import bytes_bar
from shelfscope.client.types import Job, Model, ProgressCallback, iterate_pages

FORMATS = ("coco", "yolo", "voc")
_API = "/api/v1/od"
_CHUNK = 1024 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


# ---- result types ----------------------------------------------------------------------------------


class StatusCounts(Model):
    new: int = 0
    in_progress: int = 0
    completed: int = 0
    skipped: int = 0


class Dataset(Model):
    id: int
    name: str
    description: str = ""
    annotation_type: str = "bbox"
    image_count: int = 0
    annotation_count: int = 0
    status_counts: StatusCounts = StatusCounts()
    # (completed + skipped) / image_count, 0..1.
    progress: float = 0.0
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ClassInfo(Model):
    """A class of a dataset's label set, in the set's order."""

    id: int
    name: str
    display_name: str = ""
    color: str | None = None
    annotation_count: int = 0


class VersionCounts(Model):
    images: dict[str, int] = {}
    annotations: dict[str, int] = {}
    # Annotations per class name.
    classes: dict[str, int] = {}
    total_images: int = 0
    total_annotations: int = 0
    # Why the build failed (status "failed").
    error: str | None = None


class ClassMappingItem(Model):
    """A version's frozen class order: `index` is the class's number in every export of it."""

    index: int
    class_id: int
    name: str


class Version(Model):
    id: int
    dataset_id: int
    number: int
    name: str
    description: str = ""
    status: str  # building, ready, failed
    counts: VersionCounts = VersionCounts()
    class_mapping: list[ClassMappingItem] = []
    job_id: int | None = None
    created_at: datetime | None = None


class ImageFile(Model):
    id: int
    filename: str
    width: int
    height: int
    format: str = ""
    size_bytes: int = 0
    folder: str | None = None


class DatasetImage(Model):
    """A library image as a member of a dataset: its status, split and annotation revision."""

    image_id: int
    dataset_id: int
    image: ImageFile
    status: str
    split: str | None = None
    annotation_count: int = 0
    revision: int = 0


# ---- errors found here -----------------------------------------------------------------------------


class UnsafeArchive(ShelfscopeClientError):
    """A downloaded zip has a member that would land outside the folder it is extracted into (an
    absolute path, `..`, a drive letter, a backslash) or is a link; nothing was extracted."""

    def __init__(self, archive: Path, member: str, reason: str) -> None:
        self.archive = archive
        self.member = member
        self.reason = reason
        super().__init__(f"{archive.name}: member {member!r} {reason}; nothing was extracted")


class IncompleteDownload(ShelfscopeClientError):
    """The download kept being cut off, or ended at a different size than the server announced."""


def _check_format(fmt: str) -> str:
    """The format name as the API spells it, or the 422 the server would give, before any upload."""
    name = fmt.strip().lower() if isinstance(fmt, str) else fmt
    if name not in FORMATS:
        raise ValidationFailed(
            422,
            {
                "error": "ValidationFailed",
                "detail": f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.",
                "fields": [{"field": "format", "message": f"must be one of {', '.join(FORMATS)}"}],
            },
        )
    return str(name)


def find_dataset(transport: Transport, ref: DatasetRef, *, digits_as_id: bool = True) -> Dataset | None:
    """The dataset a reference names: a handle, an id, or a name (exact, else the only one equal
    ignoring case). A string of digits that names no dataset is read as an id (the CLI's DATASET
    argument is either). None when there is none."""
    if isinstance(ref, DatasetHandle):
        ref = ref.id
    if isinstance(ref, bool) or not isinstance(ref, (int, str)):
        raise TypeError(f"a dataset is named by its id or name, not {type(ref).__name__}")
    if isinstance(ref, int):
        try:
            return Dataset.model_validate(transport.json("GET", f"{_API}/datasets/{ref}"))
        except NotFound:
            return None
    name = ref.strip()
    if not name:
        raise ValidationFailed(
            422,
            {
                "error": "ValidationFailed",
                "detail": "A dataset name must not be empty.",
                "fields": [{"field": "dataset", "message": "must not be empty"}],
            },
        )
    same = [
        d
        for d in iterate_pages(transport, f"{_API}/datasets", Dataset, {"q": name})
        if d.name.casefold() == name.casefold()
    ]
    exact = [d for d in same if d.name == name] or same
    if len(exact) > 1:
        ids = ", ".join(str(d.id) for d in exact)
        raise Conflict(
            409,
            {
                "error": "Conflict",
                "detail": f"Several datasets are named {name!r} (ids {ids}); name one by its id.",
                "dataset": name,
                "dataset_ids": [d.id for d in exact],
            },
        )
    if exact:
        return exact[0]
    if digits_as_id and name.isdigit():
        return find_dataset(transport, int(name))
    return None


def missing_dataset(ref: DatasetRef) -> NotFound:
    """The NotFound for a reference that names no dataset, in the server's error shape."""
    if isinstance(ref, int):
        return NotFound(
            404, {"error": "NotFound", "detail": f"There is no dataset with id {ref}.", "dataset_id": ref}
        )
    name = ref.name if isinstance(ref, DatasetHandle) else ref
    return NotFound(
        404, {"error": "NotFound", "detail": f"There is no dataset named {name!r}.", "dataset": name}
    )


def resolve_dataset_id(transport: Transport, ref: DatasetRef) -> int:
    """The id of the dataset a reference names, or NotFound naming it."""
    if isinstance(ref, DatasetHandle):
        return ref.id
    found = find_dataset(transport, ref)
    if found is None:
        raise missing_dataset(ref)
    return found.id


# ---- downloads and extraction ----------------------------------------------------------------------


def download_file(
    transport: Transport,
    path: str,
    dest: Path,
    *,
    progress: bool = False,
    description: str = "download",
) -> Path:
    """Stream a file to `dest` a chunk at a time. A connection dropped mid-body is resumed with
    `Range: bytes=<received>-` (the export route answers 206), so a large archive is not fetched
    again from the start; the bytes land in `dest` + `.part` and are renamed once complete."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    received = 0
    total: int | None = None
    failures = 0
    if progress:
        # The size first, so the bar can show how much is left (the route answers HEAD).
        length = transport.request("HEAD", path).headers.get("content-length", "")
        total = int(length) if length.isdigit() else None
    with part.open("wb") as out, bytes_bar(description, total, enabled=progress) as advance:
        while True:
            # identity: byte offsets for Range must be those of the file, not of a compressed stream.
            headers = {"Accept": "application/zip, application/octet-stream", "Accept-Encoding": "identity"}
            if received:
                headers["Range"] = f"bytes={received}-"
            before = received
            try:
                # The client's timeout bounds each wait for bytes, not the whole transfer.
                with transport.stream("GET", path, headers=headers) as response:
                    if received and response.status_code != 206:
                        # The server sent the whole file again: start over rather than append it.
                        out.seek(0)
                        out.truncate()
                        received = 0
                    total = _total_size(response.headers, received, total)
                    if response.status_code == 206:
                        start = _range_start(response.headers.get("content-range"))
                        if start != received:
                            raise IncompleteDownload(
                                f"{path}: asked for bytes from {received:,}, the server sent from {start}"
                            )
                    # Chunks as they arrive (no re-chunking buffer): bytes received before a drop are
                    # on disk, so the resumed request asks only for the rest.
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        received += len(chunk)
                        advance(len(chunk))
            except TransportError:
                if total is not None and received == total:
                    break  # every byte arrived; only the connection's end went wrong
                failures = 0 if received > before else failures + 1
                if failures > transport.retries:
                    raise
                continue
            if total is not None and received != total:
                failures = 0 if received > before else failures + 1
                if received > total or failures > transport.retries:
                    raise IncompleteDownload(f"{path}: received {received:,} of {total:,} bytes")
                continue
            break
    os.replace(part, dest)
    return dest


def _total_size(headers: Mapping[str, str], received: int, known: int | None) -> int | None:
    found = _CONTENT_RANGE.fullmatch((headers.get("content-range") or "").strip())
    if found:
        return int(found.group(3))
    length = headers.get("content-length")
    if length is not None and length.isdigit() and not received:
        return int(length)
    return known


def _range_start(header: str | None) -> int | None:
    found = _CONTENT_RANGE.fullmatch((header or "").strip())
    return int(found.group(1)) if found else None


def _member_target(root: Path, archive: Path, info: zipfile.ZipInfo) -> Path:
    """Where a member goes under `root`, or UnsafeArchive when it would go anywhere else."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(archive, name, "is a symbolic link")
    if "\\" in name:
        raise UnsafeArchive(archive, name, "has a backslash in its path")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchive(archive, name, "has an absolute path")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise UnsafeArchive(archive, name, "escapes the folder with '..'")
    if "\x00" in name or not parts:
        raise UnsafeArchive(archive, name, "has no usable file name")
    target = root.joinpath(*parts).resolve()
    if target != root and not target.is_relative_to(root):
        raise UnsafeArchive(archive, name, "would be written outside the folder")
    return target


def safe_extract(archive: Path, dest: Path) -> list[Path]:
    """Extract a zip into `dest`, streaming each member (memory stays flat in the archive's size).
    Every member is checked before anything is written: one that would land outside `dest` (an
    absolute path, `..`, a link) refuses the whole archive with UnsafeArchive. Files already in
    `dest` under a member's name are replaced; others are left alone. Returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        members = [(info, _member_target(root, archive, info)) for info in zf.infolist()]
        written: list[Path] = []
        for info, target in members:
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
            written.append(target)
    return written


# ---- handles ---------------------------------------------------------------------------------------


class VersionHandle:
    """One version of a dataset: `info()` reads it, `download(format, dest)` fetches its export."""

    def __init__(self, dataset: DatasetHandle, version: Version) -> None:
        self.dataset = dataset
        self.number = version.number
        self._info = version

    def info(self) -> Version:
        self._info = Version.model_validate(
            self.dataset._t.json("GET", f"{self.dataset._path}/versions/{self.number}")
        )
        return self._info

    @property
    def name(self) -> str:
        return self._info.name

    def download(
        self,
        format: str,
        dest: str | os.PathLike[str],
        *,
        extract: bool = True,
        on_progress: ProgressCallback | None = None,
        **options: Any,
    ) -> Path:
        """Export this version as `format` (coco, yolo, voc), wait for the job, stream the zip and
        extract it into the folder `dest` in the layout the export writes. `extract=False` keeps the
        zip instead and returns its path (`dest` itself when it ends in .zip, else the server's file
        name inside the folder `dest`). `options` are the export's (seed, include_images, ...)."""
        return self.dataset.export(
            format, dest, version=self.number, extract=extract, on_progress=on_progress, **options
        )

    def __repr__(self) -> str:
        return f"VersionHandle(dataset={self.dataset.name!r}, number={self.number})"


class DatasetHandle:
    """One dataset on the server, addressed by id; methods call the API (no state is cached but
    the id and the name it had when found)."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool, dataset: Dataset) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress
        self.id = dataset.id
        self.name = dataset.name
        self._path = f"{_API}/datasets/{dataset.id}"

    def info(self) -> Dataset:
        found = Dataset.model_validate(self._t.json("GET", self._path))
        self.name = found.name
        return found

    def classes(self) -> list[ClassInfo]:
        """The dataset's label set in order (the classes its annotations use included)."""
        body = self._t.json("GET", f"{self._path}/classes")
        return [ClassInfo.model_validate(item) for item in body["items"]]

    def set_classes(self, names: Sequence[str]) -> list[ClassInfo]:
        """Put these classes (by name; created in the catalogue when new) first in the label set, in
        this order; classes the set held already follow."""
        ids = _class_ids(self._t, names)
        kept = [c.id for c in self.classes() if c.id not in ids]
        body = self._t.json("PUT", f"{self._path}/classes", json_body={"class_ids": ids + kept})
        return [ClassInfo.model_validate(item) for item in body["items"]]

    def add_images(self, image_ids: Iterable[int]) -> int:
        """Add library images by id; the number newly added (ones already there are not counted)."""
        ids = list(image_ids)
        added = 0
        for start in range(0, len(ids), 50_000):
            body = self._t.json(
                "POST",
                f"{self._path}/images",
                json_body={"image_ids": ids[start : start + 50_000]},
                idempotent=True,  # adding an image that is there already changes nothing
            )
            added += int(body["added"])
        return added

    def images(
        self, *, status: str | None = None, split: str | None = None, limit: int | None = None
    ) -> Iterator[DatasetImage]:
        return iterate_pages(
            self._t,
            f"{self._path}/images",
            DatasetImage,
            {"status": status, "split": split},
            limit=limit,
        )

    def import_archive(
        self,
        archive: str | os.PathLike[str],
        format: str,
        *,
        wait: bool = True,
        on_progress: ProgressCallback | None = None,
        **options: Any,
    ) -> Job:
        return _import(
            self._t, self._jobs, archive, format, {"dataset_id": self.id},
            progress=self._progress, wait=wait, on_progress=on_progress, options=options,
        )  # fmt: skip

    def versions(self) -> list[Version]:
        """Newest first."""
        return list(iterate_pages(self._t, f"{self._path}/versions", Version))

    def version(self, number: int) -> VersionHandle:
        """The version with this number; NotFound when the dataset has none."""
        found = Version.model_validate(self._t.json("GET", f"{self._path}/versions/{int(number)}"))
        return VersionHandle(self, found)

    def create_version(
        self,
        name: str | None = None,
        *,
        wait: bool = True,
        on_progress: ProgressCallback | None = None,
        description: str | None = None,
        split: Mapping[str, Any] | None = None,
        include_statuses: Sequence[str] | None = None,
        include_unannotated: bool | None = None,
    ) -> VersionHandle:
        """Snapshot the dataset as a new version (the server numbers it) and, with `wait`, wait for
        its build job (JobFailed when the build fails). `split` is the server's split config
        (`{"ratios": {"train": .7, "val": .2, "test": .1}, "seed": 0, "stratified": False}`)."""
        body: dict[str, Any] = {}
        for key, value in (
            ("name", name),
            ("description", description),
            ("split", dict(split) if split is not None else None),
            ("include_statuses", list(include_statuses) if include_statuses is not None else None),
            ("include_unannotated", include_unannotated),
        ):
            if value is not None:
                body[key] = value
        created = self._t.json("POST", f"{self._path}/versions", json_body=body)
        version = Version.model_validate(created["version"])
        if wait:
            self._jobs.wait(int(created["job"]["id"]), on_progress=on_progress)
        handle = VersionHandle(self, version)
        if wait:
            handle.info()
        return handle

    def export(
        self,
        format: str,
        dest: str | os.PathLike[str],
        *,
        version: int | None = None,
        extract: bool = True,
        on_progress: ProgressCallback | None = None,
        **options: Any,
    ) -> Path:
        """Export the dataset as it is now (or `version`) as `format`, wait for the job and download
        the zip: extracted into the folder `dest`, or kept as a zip with `extract=False` (see
        `VersionHandle.download`)."""
        fmt = _check_format(format)
        body: dict[str, Any] = dict(options)
        route = (
            f"{self._path}/export/{fmt}"
            if version is None
            else f"{self._path}/versions/{int(version)}/export/{fmt}"
        )
        started = self._t.json("POST", route, json_body=body)
        job = self._jobs.wait(int(started["job"]["id"]), on_progress=on_progress)
        result = job.result or {}
        filename = str(result.get("filename") or f"{self.name}-{fmt}.zip")
        download_path = f"{_API}/export/{job.id}/download"
        target = Path(dest)
        if not extract:
            zip_path = target if target.suffix.lower() == ".zip" else target / Path(filename).name
            return download_file(
                self._t, download_path, zip_path, progress=self._progress, description=filename
            )
        target.mkdir(parents=True, exist_ok=True)
        zip_path = target.parent / f".{target.name}.{job.id}.zip"
        try:
            download_file(self._t, download_path, zip_path, progress=self._progress, description=filename)
            safe_extract(zip_path, target)
        finally:
            zip_path.unlink(missing_ok=True)
            zip_path.with_name(zip_path.name + ".part").unlink(missing_ok=True)
        return target

    def delete(self) -> None:
        self._t.request("DELETE", self._path)

    def __repr__(self) -> str:
        return f"DatasetHandle(id={self.id}, name={self.name!r})"


DatasetRef = DatasetHandle | int | str


# ---- the collection --------------------------------------------------------------------------------


class Datasets:
    """`client.datasets`: find, create and delete datasets, and import archives into them."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    def _handle(self, dataset: Dataset) -> DatasetHandle:
        return DatasetHandle(self._t, self._jobs, self._progress, dataset)

    def list(self, q: str | None = None, *, limit: int | None = None) -> Iterator[Dataset]:
        """Newest first; `q` matches part of the name, ignoring case."""
        return iterate_pages(self._t, f"{_API}/datasets", Dataset, {"q": q}, limit=limit)

    def get(self, id_or_name: DatasetRef) -> DatasetHandle:
        """The dataset with this id or name (NotFound naming it when there is none; Conflict when
        several share the name)."""
        found = find_dataset(self._t, id_or_name)
        if found is None:
            raise missing_dataset(id_or_name)
        return self._handle(found)

    def create(
        self,
        name: str,
        *,
        classes: Sequence[str] | None = None,
        description: str | None = None,
        exist_ok: bool = False,
    ) -> DatasetHandle:
        """A new dataset; `classes` (names, created in the catalogue when new) become its label set in
        this order. When one with this name exists: Conflict, or with `exist_ok` that one (given
        `classes` then lead its label set)."""
        existing = find_dataset(self._t, name, digits_as_id=False) if name.strip() else None
        if existing is not None and existing.name == name.strip():
            if not exist_ok:
                raise Conflict(
                    409,
                    {
                        "error": "Conflict",
                        "detail": f"A dataset named {existing.name!r} exists already (id {existing.id}).",
                        "dataset": existing.name,
                        "dataset_id": existing.id,
                    },
                )
            handle = self._handle(existing)
            if classes:
                handle.set_classes(classes)
            return handle
        class_ids = _class_ids(self._t, classes) if classes else []
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        handle = self._handle(
            Dataset.model_validate(self._t.json("POST", f"{_API}/datasets", json_body=body))
        )
        if class_ids:
            self._t.json("PUT", f"{handle._path}/classes", json_body={"class_ids": class_ids})
        return handle

    def delete(self, id_or_name: DatasetRef) -> None:
        """Delete a dataset with its annotations and versions (the library images stay; admin only)."""
        dataset_id = resolve_dataset_id(self._t, id_or_name)
        self._t.request("DELETE", f"{_API}/datasets/{dataset_id}")

    def import_archive(
        self,
        archive: str | os.PathLike[str],
        format: str,
        *,
        dataset: DatasetRef,
        create: bool = True,
        wait: bool = True,
        on_progress: ProgressCallback | None = None,
        **options: Any,
    ) -> Job:
        """Upload a COCO, YOLO or VOC zip (streamed) and import it into `dataset` (a name, id or
        handle) as a job; a name that no dataset has makes a new dataset when `create` (the import
        creates it, so a failed import leaves none behind), else NotFound; digits that name no
        dataset are an id that is not there (NotFound), never a new name. With `wait`, returns the
        finished job (its `result` is the import report) or raises JobFailed. `options`: the import's
        form fields (`on_invalid="skip"`)."""
        fmt = _check_format(format)
        found = None if isinstance(dataset, DatasetHandle) else find_dataset(self._t, dataset)
        if isinstance(dataset, DatasetHandle):
            target: dict[str, Any] = {"dataset_id": dataset.id}
        elif found is not None:
            target = {"dataset_id": found.id}
        elif isinstance(dataset, int) or not create:
            raise missing_dataset(dataset)
        elif dataset.strip().isdigit():
            # Most likely an id that is not there: making a dataset named "42" would hide the typo.
            raise missing_dataset(int(dataset))
        else:
            target = {"dataset_name": dataset.strip()}
        return _import(
            self._t, self._jobs, archive, fmt, target,
            progress=self._progress, wait=wait, on_progress=on_progress, options=options,
        )  # fmt: skip


def _import(
    transport: Transport,
    jobs: Jobs,
    archive: str | os.PathLike[str],
    format: str,
    target: Mapping[str, Any],
    *,
    progress: bool,
    wait: bool,
    on_progress: ProgressCallback | None,
    options: Mapping[str, Any],
) -> Job:
    fmt = _check_format(format)
    path = Path(archive)
    if not path.is_file():
        raise ValidationFailed(
            422,
            {
                "error": "ValidationFailed",
                "detail": f"{path} is not a file: give the zip archive to import.",
                "fields": [{"field": "archive", "message": "must be an existing zip file"}],
                "file": str(path),
            },
        )
    form = {k: str(v) for k, v in {**target, **options}.items() if v is not None}
    size = path.stat().st_size
    with path.open("rb") as stream, bytes_bar(f"upload {path.name}", size, enabled=progress) as advance:
        # httpx reads a file object in chunks as it sends: the archive is never in memory whole.
        body = transport.json(
            "POST",
            f"{_API}/images/import/{fmt}",
            files={"file": (path.name, _ReadCounter(stream, advance), "application/zip")},
            data=form,
            timeout_s=None,
        )
    job = Job.model_validate(body["job"])
    if not wait:
        return job
    return jobs.wait(job.id, on_progress=on_progress)


class _ReadCounter:
    """A binary file whose reads advance a progress bar: httpx sends the upload by reading it."""

    def __init__(self, stream: BinaryIO, advance: Callable[[int], None]) -> None:
        self._stream = stream
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._advance(len(data))
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def fileno(self) -> int:
        return self._stream.fileno()


def _class_ids(transport: Transport, names: Sequence[str] | None) -> list[int]:
    """Catalogue ids of classes by name or alias (ignoring case), creating the ones that are new."""
    ids: list[int] = []
    for index, raw in enumerate(names or []):
        name = raw.strip() if isinstance(raw, str) else ""
        if not name:
            raise ValidationFailed(
                422,
                {
                    "error": "ValidationFailed",
                    "detail": f"Class name {index + 1} is empty.",
                    "fields": [{"field": f"classes[{index}]", "message": "must not be empty"}],
                },
            )
        found = _find_class(transport, name)
        if found is None:
            try:
                found = int(transport.json("POST", f"{_API}/classes", json_body={"name": name})["id"])
            except Conflict:
                # Created meanwhile by someone else (or taken as an alias): use that one.
                found = _find_class(transport, name)
                if found is None:
                    raise
        if found not in ids:
            ids.append(found)
    return ids


def _find_class(transport: Transport, name: str) -> int | None:
    key = name.casefold()
    page = transport.json("GET", f"{_API}/classes", params={"q": name, "limit": 500})
    for item in page["items"]:
        if str(item["name"]).casefold() == key:
            return int(item["id"])
    for item in page["items"]:
        if any(str(a).casefold() == key for a in item.get("aliases") or []):
            return int(item["id"])
    return None


__all__ = [
    "FORMATS",
    "ClassInfo",
    "Dataset",
    "DatasetHandle",
    "DatasetImage",
    "Datasets",
    "IncompleteDownload",
    "UnsafeArchive",
    "Version",
    "VersionHandle",
    "safe_extract",
]
