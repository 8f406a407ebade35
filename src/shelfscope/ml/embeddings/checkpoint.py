"""Embedding checkpoints (one `.pt` file, FP16 weights, no optimiser state) and the Embedder that
loads one to embed images.

The file holds everything needed to rebuild the model without the backbone's folder: the backbone's
transformers config, the head's size and the preprocessing. It is read with `weights_only=True`, so a
file from elsewhere cannot run code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from PIL import Image

from shelfscope.ml.embeddings.backbones import config_class, model_class
from shelfscope.ml.embeddings.model import (
    PREPROCESSING,
    EmbeddingModel,
    load_square,
    read_square,
    to_tensor,
)

FORMAT = "shelfscope.embedding/1"


class CheckpointInvalid(ValueError):
    """The file is not an embedding checkpoint this version reads."""


def half_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The module's state with floating tensors in FP16 (integer buffers as they are), on the CPU."""
    return {
        name: (value.detach().to("cpu", torch.float16) if value.is_floating_point() else value.detach().cpu())
        for name, value in module.state_dict().items()
    }


def full_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {name: value.float() if value.is_floating_point() else value for name, value in state.items()}


def save_checkpoint(
    path: Path,
    *,
    model: EmbeddingModel,
    arcface: torch.nn.Module,
    backbone_key: str,
    family: str,
    epoch: int,
    image_size: int,
    train_config: dict[str, Any],
    metrics: dict[str, float],
    products: Sequence[int],
) -> Path:
    """Write the checkpoint to `path` (through a temporary sibling, so a reader never sees half a file)."""
    payload = {
        "format": FORMAT,
        "epoch": epoch,
        "backbone": backbone_key,
        "backbone_config": getattr(model.backbone, "config").to_dict(),  # noqa: B009 (a transformers model)
        "family": family,
        "embedding_dim": model.embedding_dim,
        "image_size": image_size,
        "preprocessing": {**PREPROCESSING, "image_size": image_size},
        "state_dict": half_state(model),
        "arcface_state": half_state(arcface),
        "train_config": dict(train_config),
        "metrics": dict(metrics),
        "products": [int(p) for p in products],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(payload, partial)
    partial.replace(path)
    return path


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint's contents (tensors on the CPU); CheckpointInvalid for anything else."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointInvalid(f"{path.name} is not a readable checkpoint: {error}") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointInvalid(f"{path.name} is not a {FORMAT} checkpoint")
    return payload


def build_model(payload: dict[str, Any]) -> EmbeddingModel:
    """The checkpoint's EmbeddingModel in FP32 (backbone rebuilt from its stored config)."""
    family = str(payload["family"])
    config = config_class(family).from_dict(payload["backbone_config"])
    backbone = model_class(family)(config)
    model = EmbeddingModel(backbone, int(config.hidden_size), int(payload["embedding_dim"]))
    model.load_state_dict(full_state(payload["state_dict"]))
    return model


@dataclass
class Embedder:
    """An embedding model ready to embed images (eval mode, on its device): a trained checkpoint's
    EmbeddingModel, or a stock backbone's pooled output (ml/embeddings/stock.py). Either maps
    ImageNet-normalised pixels to L2-normalised rows."""

    model: torch.nn.Module
    device: torch.device
    embedding_dim: int
    image_size: int
    preprocessing: dict[str, Any]
    backbone: str
    epoch: int

    @torch.no_grad()
    def embed_arrays(self, squares: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.float32]:
        """Embeddings of already preprocessed square images (model.load_square / read_square)."""
        if not squares:
            return np.zeros((0, self.embedding_dim), np.float32)
        out = self.model(to_tensor(squares).to(self.device)).float().cpu().numpy()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: npt.NDArray[np.float32] = (out / np.maximum(norms, 1e-12)).astype(np.float32)
        return normalised

    def embed(self, images: list[Image.Image]) -> npt.NDArray[np.float32]:
        """(N, embedding_dim) float32, L2-normalised, one row per image."""
        return self.embed_arrays([load_square(image, self.image_size) for image in images])


def load_embedder(path: Path, device: torch.device | str = "cpu") -> Embedder:
    """The Embedder of a checkpoint file (CheckpointInvalid when it is not one)."""
    payload = read_checkpoint(path)
    target = torch.device(device)
    model = build_model(payload).to(target).eval()
    image_size = int(payload["image_size"])
    return Embedder(
        model=model,
        device=target,
        embedding_dim=int(payload["embedding_dim"]),
        image_size=image_size,
        preprocessing=dict(payload.get("preprocessing") or {**PREPROCESSING, "image_size": image_size}),
        backbone=str(payload["backbone"]),
        epoch=int(payload["epoch"]),
    )


def embed_paths(
    embedder: Embedder, paths: Sequence[Path], batch_size: int = 32
) -> tuple[npt.NDArray[np.float32], list[tuple[int, str]]]:
    """Embeddings of the image files, one row per readable file in the order given, and
    (index into `paths`, reason) for each file that could not be read (skipped, never raised)."""
    rows: list[npt.NDArray[np.float32]] = []
    skipped: list[tuple[int, str]] = []
    pending: list[npt.NDArray[np.uint8]] = []
    for index, path in enumerate(paths):
        try:
            pending.append(read_square(path, embedder.image_size))
        except Exception as error:  # a broken file of any kind is reported, not fatal
            skipped.append((index, f"{type(error).__name__}: {error}"))
            continue
        if len(pending) >= batch_size:
            rows.append(embedder.embed_arrays(pending))
            pending = []
    if pending:
        rows.append(embedder.embed_arrays(pending))
    if not rows:
        return np.zeros((0, embedder.embedding_dim), np.float32), skipped
    return np.concatenate(rows), skipped
