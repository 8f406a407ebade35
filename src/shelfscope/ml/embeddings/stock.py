"""A stock backbone as an embedder, without fine-tuning: the backbone's pooled output (the final
layer-normed CLS token), L2-normalised, from its installed `save_pretrained` folder.

It is the same Embedder a trained checkpoint gives (ml/embeddings/checkpoint.py), so extraction and
search embed both kinds through one `embed_arrays`: the same pad-to-square preprocessing (a tall bottle
keeps its shape), at the size and with the mean and std the folder's image processor asks for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from shelfscope.config import Settings
from shelfscope.ml import runtime
from shelfscope.ml.embeddings.backbones import embedder_spec, model_class, pretrained_folder
from shelfscope.ml.embeddings.checkpoint import Embedder
from shelfscope.ml.embeddings.model import IMAGENET_MEAN, IMAGENET_STD, PREPROCESSING

PROCESSOR_FILE = "preprocessor_config.json"
# What the DINOv2 and DINOv3 processors crop to when a folder has no processor file.
DEFAULT_IMAGE_SIZE = 224


def _edge(value: Any) -> int | None:
    """A processor's size entry ({"height", "width"}, {"shortest_edge"} or an int) as one edge."""
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        for name in ("height", "shortest_edge", "width"):
            if isinstance(value.get(name), int):
                return int(value[name])
    return None


def processor_preprocessing(folder: Path) -> dict[str, Any]:
    """{"resize": "pad_square", "image_size", "mean", "std"} from the folder's image processor: the
    size it feeds the model (its centre crop when it crops, else its resize) and its normalisation."""
    path = folder / PROCESSOR_FILE
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    size = None
    if config.get("do_center_crop", True):
        size = _edge(config.get("crop_size"))
    size = size or _edge(config.get("size")) or DEFAULT_IMAGE_SIZE
    mean = [float(v) for v in config.get("image_mean") or IMAGENET_MEAN]
    std = [float(v) for v in config.get("image_std") or IMAGENET_STD]
    return {**PREPROCESSING, "image_size": int(size), "mean": mean, "std": std}


class PooledBackbone(torch.nn.Module):
    """The backbone's pooled output, L2-normalised, for pixels normalised the way `to_tensor` does
    (ImageNet mean and std); re-normalised first when the processor asks for other values."""

    scale: torch.Tensor
    shift: torch.Tensor

    def __init__(self, backbone: torch.nn.Module, mean: list[float], std: list[float]) -> None:
        super().__init__()
        self.backbone = backbone
        imagenet_mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        imagenet_std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        target_mean = torch.tensor(mean).view(1, 3, 1, 1)
        target_std = torch.tensor(std).view(1, 3, 1, 1)
        # x_target = (x * std_in + mean_in - mean_t) / std_t = x * scale + shift
        self.register_buffer("scale", imagenet_std / target_std)
        self.register_buffer("shift", (imagenet_mean - target_mean) / target_std)
        self.same = bool(
            torch.allclose(imagenet_mean, target_mean) and torch.allclose(imagenet_std, target_std)
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if not self.same:
            pixels = pixels * self.scale + self.shift
        pooled = self.backbone(pixel_values=pixels).pooler_output
        return torch.nn.functional.normalize(pooled.float(), dim=1)


def load_stock_embedder(settings: Settings, key: str, device: torch.device | str = "cpu") -> Embedder:
    """The installed backbone `key` as an Embedder of its hidden size; WeightsMissing (naming the
    folder and the fetch command) when it is not installed, ValidationFailed for a key that is not an
    embedding backbone."""
    spec = embedder_spec(key)
    folder = pretrained_folder(settings, spec)
    target = torch.device(device)
    backbone = model_class(spec.family).from_pretrained(folder)
    preprocessing = processor_preprocessing(folder)
    model = PooledBackbone(backbone, preprocessing["mean"], preprocessing["std"]).to(target).eval()
    runtime.apply_threads(settings)
    return Embedder(
        model=model,
        device=target,
        embedding_dim=int(backbone.config.hidden_size),
        image_size=int(preprocessing["image_size"]),
        preprocessing=preprocessing,
        backbone=key,
        epoch=0,
    )
