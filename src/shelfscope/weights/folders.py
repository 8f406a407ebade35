"""File operations on the models folder: a lock per model, staging folders beside the target, and the
swap that puts a complete folder in place, so a model is at every moment absent, whole, or its old self.

Staging and lock names start with a dot: never a catalogue key, so listings ignore them."""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shelfscope.errors import Conflict

CONFIG_FILE = "config.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin")


def fetch_staging(models_dir: Path, key: str) -> Path:
    """Where a fetch downloads: one fixed folder per model, so a fetch requeued after its worker died
    resumes the files it had (the hub client continues `.incomplete` downloads)."""
    return models_dir / f".fetch-{key}"


def import_staging(models_dir: Path, key: str) -> Path:
    return models_dir / f".import-{key}-{uuid.uuid4().hex[:12]}"


@contextmanager
def model_lock(models_dir: Path, key: str) -> Iterator[None]:
    """Exclusive right to change `models_dir/<key>` (a fetch or an import), across processes. The OS
    drops the lock when its process dies, so a killed worker never leaves the model locked."""
    models_dir.mkdir(parents=True, exist_ok=True)
    # The lock file stays: deleting it would let two holders lock two different files.
    with (models_dir / f".{key}.lock").open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"Model {key!r} is being fetched or imported by another process; try again when it is done.",
                model=key,
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def missing_parts(folder: Path) -> list[str]:
    """What the folder `folder` lacks to be a save_pretrained model folder; empty when it is one."""
    missing = []
    if not (folder / CONFIG_FILE).is_file():
        missing.append(CONFIG_FILE)
    if not any(path.is_file() and path.suffix in WEIGHT_SUFFIXES for path in folder.iterdir()):
        missing.append("a weights file (*.safetensors or *.bin)")
    return missing


def count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def remove_path(path: Path) -> None:
    """Remove a folder, a file or a link (a linked folder is unlinked, never emptied)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _aside(path: Path) -> Path:
    """Rename `path` to a hidden sibling (one atomic step) and return the new name."""
    moved = path.with_name(f".old-{path.name}-{uuid.uuid4().hex[:12]}")
    os.replace(path, moved)
    return moved


def install(staged: Path, target: Path) -> None:
    """Put the complete folder `staged` at `target`, replacing what was there."""
    old = _aside(target) if target.exists() or target.is_symlink() else None
    os.replace(staged, target)
    if old is not None:
        remove_path(old)


def remove_model(target: Path) -> None:
    """Delete a model folder: renamed away first, so it stops being present at once."""
    remove_path(_aside(target))
