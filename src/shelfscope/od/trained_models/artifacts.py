"""A registered model's files: stored under `models/od/<id>/` (the folder as the trainer wrote it, and
`exports/` for what the registry made from it), copied into a worker's `DATA_DIR/cache/trained/<id>/`
before loading, zipped for download, removed with the model. Torch-free."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO

from shelfscope.config import Settings
from shelfscope.storage import Storage, validate_key

EXPORTS = "exports/"
ONNX_FILE = "model.onnx"
# Written last into a materialised folder: the stored files it was copied from (path and size).
_STAMP = ".stored.json"


def prefix(model_id: int) -> str:
    return f"models/od/{model_id}/"


def onnx_key(model_id: int) -> str:
    return f"{prefix(model_id)}{EXPORTS}{ONNX_FILE}"


def folder_files(folder: Path) -> list[tuple[str, Path]]:
    """(relative posix path, file) for every file in a model folder, sorted."""
    return sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file())


def store_folder(storage: Storage, folder: Path, model_id: int) -> int:
    """Upload the folder under the model's prefix; its bytes. A failed upload removes what it wrote."""
    written: list[str] = []
    total = 0
    try:
        for relative, path in folder_files(folder):
            key = validate_key(prefix(model_id) + relative)
            storage.put_file(key, path)
            written.append(key)
            total += path.stat().st_size
    except BaseException:
        for key in written:
            storage.delete(key)
        raise
    return total


def stored_files(storage: Storage, model_id: int) -> dict[str, int]:
    """The model folder's stored files (relative path -> bytes), without the exports."""
    start = prefix(model_id)
    found = {}
    for key in storage.iter_keys(start):
        relative = key[len(start) :]
        if relative and not relative.startswith(EXPORTS):
            found[relative] = storage.size(key)
    return found


def cache_dir(settings: Settings, model_id: int) -> Path:
    return settings.data_dir / "cache" / "trained" / str(model_id)


def _stamp(files: dict[str, int]) -> str:
    return json.dumps(sorted(files.items()))


def materialise(settings: Settings, storage: Storage, model_id: int) -> Path:
    """The model's folder on this machine (`DATA_DIR/cache/trained/<id>/`), copied from storage unless
    the copy there was made from the same stored files. FileNotFoundError when nothing is stored."""
    files = stored_files(storage, model_id)
    if not files:
        raise FileNotFoundError(f"no files are stored under {prefix(model_id)}")
    target = cache_dir(settings, model_id)
    stamp = _stamp(files)
    if _stamp_of(target) == stamp:
        return target
    staging = target.parent / f".staging-{model_id}-{uuid.uuid4().hex[:8]}"
    try:
        for relative in files:
            out = staging / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            storage.download_to(prefix(model_id) + relative, out)
        (staging / _STAMP).write_text(stamp, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            # Another process put the same copy in place meanwhile: use it.
            if _stamp_of(target) != stamp:
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _stamp_of(folder: Path) -> str | None:
    try:
        return (folder / _STAMP).read_text(encoding="utf-8")
    except OSError:
        return None


def write_zip(storage: Storage, model_id: int, out: BinaryIO) -> None:
    """The model folder (without exports) as a zip archive, written to `out`."""
    start = prefix(model_id)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in sorted(stored_files(storage, model_id)):
            with storage.open(start + relative) as source, archive.open(relative, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)


def delete_stored(storage: Storage, model_id: int) -> int:
    """Remove every stored file of the model; how many there were."""
    keys = list(storage.iter_keys(prefix(model_id)))
    for key in keys:
        storage.delete(key)
    return len(keys)


def delete_files(settings: Settings, storage: Storage, model_id: int) -> int:
    """Remove the model's stored files and this machine's cached copy."""
    count = delete_stored(storage, model_id)
    shutil.rmtree(cache_dir(settings, model_id), ignore_errors=True)
    return count
