"""Where an import reads from: a folder under a configured import root, or an uploaded zip archive
checked against the zip limits (names, links, bomb ratios) before anything is stored."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from shelfscope.config import Settings
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.od.imports.schemas import ImportPayload
from shelfscope.od.io.common import FormatError
from shelfscope.od.io.source import FolderSource, Source, ZipSource
from shelfscope.od.io.zipsafe import ZipLimits, check_archive
from shelfscope.storage import Storage, new_key


def zip_limits(settings: Settings) -> ZipLimits:
    return ZipLimits(settings.max_zip_members, settings.max_zip_total_bytes, settings.max_zip_ratio)


def resolve_import_folder(settings: Settings, path: str) -> Path:
    """The folder, if it lies under one of the configured import roots (after resolving links)."""
    if not settings.import_roots:
        raise ValidationFailed(
            "Imports from server folders are turned off: set SHELFSCOPE_IMPORT_ROOTS to the folders "
            "they may read, or upload a zip archive instead.",
            field="path",
        )
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        raise ValidationFailed(f"path: {path!r} must be an absolute path on the server.", field="path")
    resolved = folder.resolve()
    roots = [root.expanduser().resolve() for root in settings.import_roots]
    if not any(resolved == root or root in resolved.parents for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise ValidationFailed(
            f"path: {path} is not under an import root ({allowed}).", field="path", import_roots=allowed
        )
    if not resolved.is_dir():
        raise ValidationFailed(f"path: {path} is not a folder on the server.", field="path")
    return resolved


def open_source(
    settings: Settings, storage: Storage, payload: ImportPayload, scratch: Path
) -> tuple[Source, str]:
    """The source to read and its name for messages (the folder's, or the archive's as uploaded)."""
    if payload.path is not None:
        folder = resolve_import_folder(settings, payload.path)
        return FolderSource(folder), folder.name
    assert payload.upload_key is not None
    name = payload.upload_name or "upload.zip"
    archive = scratch / "upload.zip"
    storage.download_to(payload.upload_key, archive)
    return ZipSource(archive, zip_limits(settings), name), name


def default_dataset_name(source_name: str, fmt: str) -> str:
    base = source_name[:-4] if source_name.lower().endswith(".zip") else source_name
    return (base.strip() or f"{fmt.upper()} import")[:255]


def http_error(exc: FormatError) -> ValidationFailed:
    """A FormatError in a request (an unsafe or broken archive) as the API's error shape."""
    return ValidationFailed(exc.message, kind=exc.kind, **exc.facts())


def accept_upload(settings: Settings, storage: Storage, stream: BinaryIO, filename: str) -> str:
    """Check an uploaded dataset archive (names, links, bomb limits: the central directory only) and
    store it for the import job; returns its storage key. Nothing is stored when the check fails."""
    try:
        with zipfile.ZipFile(stream) as archive:
            check_archive(archive, zip_limits(settings), filename)
    except zipfile.BadZipFile as exc:
        raise UnsupportedMedia(f"{filename} is not a zip archive ({exc}).", file=filename) from None
    except FormatError as exc:
        raise http_error(exc) from None
    stream.seek(0)
    key = new_key("uploads", ".zip")
    storage.put_stream(key, stream, "application/zip")
    return key
