"""Where a model's weights are: `models_dir/<key>/`, a folder written by `save_pretrained` (model and
processor together), which is what an offline user copies in and what a fetch downloads into.

Torch-free, so the server can say which models are present."""

from __future__ import annotations

from pathlib import Path

from shelfscope.config import Settings
from shelfscope.errors import Conflict
from shelfscope.ml.catalogue import ModelSpec

# A folder counts as a model once it holds a config and weights; a fetch writes into a temporary
# sibling and renames it into place, so a half-downloaded model is never "present".
_CONFIG = "config.json"
_WEIGHT_SUFFIXES = (".safetensors", ".bin")


class WeightsMissing(Conflict):
    """A model's folder is absent or incomplete; the message names both ways to provide it."""


def model_dir(settings: Settings, key: str) -> Path:
    return settings.resolved_models_dir / key


def is_present(folder: Path) -> bool:
    if not (folder / _CONFIG).is_file():
        return False
    return any(path.suffix in _WEIGHT_SUFFIXES for path in folder.iterdir() if path.is_file())


def size_on_disk(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def resolve(settings: Settings, spec: ModelSpec) -> Path:
    """The model's folder, or WeightsMissing naming the key, the folder and both ways to fill it."""
    folder = model_dir(settings, spec.key)
    if is_present(folder):
        return folder
    raise WeightsMissing(
        f"Model {spec.key!r} is not installed. Fetch it (Settings → Models, or `shelfscope models fetch "
        f"{spec.key}`), or copy a save_pretrained folder of {spec.hub_id} to {folder} "
        f"(`shelfscope models import {spec.key} FOLDER`).",
        model=spec.key,
        folder=str(folder),
        hub_id=spec.hub_id,
    )
