"""The ViT backbones an embedding model fine-tunes: transformers `Dinov2Model` (DINOv2) and
`DINOv3ViTModel` (DINOv3), pretrained from `models_dir/<key>/` or with random weights.

The random-weight architectures are the released checkpoints' configs (hidden size, depth, heads,
patch, register tokens), so a from-scratch run, a throughput figure or a checkpoint size is that of
the real model. A folder at `models_dir/<key>/` decides the architecture either way: tests install
tiny configs there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml import runtime
from shelfscope.ml.catalogue import ModelSpec, get_spec
from shelfscope.ml.weights import WeightsMissing, model_dir, resolve

if TYPE_CHECKING:
    import torch

# The released checkpoints' architectures (facebook/dinov2-*, facebook/dinov3-vit*16-pretrain-lvd1689m).
ARCHITECTURES: dict[str, dict[str, Any]] = {
    "dinov2-small": {"hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6},
    "dinov2-base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12},
    "dinov2-large": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16},
    "dinov3-small": {"hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6,
                     "intermediate_size": 1536},
    "dinov3-base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                    "intermediate_size": 3072},
}  # fmt: skip
_FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    # DINOv2 was trained at 518 px: its position table has 37 x 37 patches (interpolated for any size).
    "dinov2": {"patch_size": 14, "image_size": 518, "mlp_ratio": 4, "layerscale_value": 1.0},
    "dinov3": {"patch_size": 16, "image_size": 224, "num_register_tokens": 4, "layerscale_value": 1.0},
}
_CLASSES = {"dinov2": ("Dinov2Config", "Dinov2Model"), "dinov3": ("DINOv3ViTConfig", "DINOv3ViTModel")}


def embedder_spec(key: str, *, field: str = "backbone") -> ModelSpec:
    """The catalogue entry of an embedding backbone; ValidationFailed naming `field` for anything else."""
    spec = get_spec(key, field=field)
    if spec.task != "embedder" or spec.family not in _CLASSES:
        raise ValidationFailed.field(field, f"{key!r} is a {spec.task}, not an embedding backbone")
    return spec


def config_class(family: str) -> Any:
    return getattr(runtime.load_transformers(), _CLASSES[family][0])


def model_class(family: str) -> Any:
    return getattr(runtime.load_transformers(), _CLASSES[family][1])


def backbone_config(settings: Settings, spec: ModelSpec) -> Any:
    """The architecture: the installed folder's config.json when there is one, else the released one."""
    config_file = model_dir(settings, spec.key) / "config.json"
    cls = config_class(spec.family)
    if config_file.is_file():
        return cls.from_dict(json.loads(config_file.read_text(encoding="utf-8")))
    return cls(**_FAMILY_DEFAULTS[spec.family], **ARCHITECTURES[spec.key])


def _missing(settings: Settings, spec: ModelSpec, error: WeightsMissing) -> WeightsMissing:
    if not spec.gated or settings.ml_hub_token.get_secret_value():
        return error
    folder = model_dir(settings, spec.key)
    return WeightsMissing(
        f"Model {spec.key!r} is not installed, and its weights are gated on the hub: accept the licence "
        f"on the {spec.hub_id} page, set an access token (SHELFSCOPE_ML_HUB_TOKEN), then fetch it "
        f"(`shelfscope models fetch {spec.key}`); or copy a save_pretrained folder of {spec.hub_id} to "
        f"{folder} (`shelfscope models import {spec.key} FOLDER`), or train from scratch "
        "(pretrained: false).",
        model=spec.key,
        folder=str(folder),
        hub_id=spec.hub_id,
        token_needed=True,
    )


def pretrained_folder(settings: Settings, spec: ModelSpec) -> Path:
    """The installed weights' folder; WeightsMissing naming the folder and the fetch command (and the
    token a gated model needs when none is set)."""
    try:
        return resolve(settings, spec)
    except WeightsMissing as error:
        raise _missing(settings, spec, error) from error


def build_backbone(settings: Settings, key: str, *, pretrained: bool) -> tuple[torch.nn.Module, int]:
    """(the backbone, its hidden size). pretrained: the weights in models_dir/<key>/ (WeightsMissing
    when absent); else random weights of the architecture, with no files needed."""
    spec = embedder_spec(key)
    if pretrained:
        folder = pretrained_folder(settings, spec)
        model = model_class(spec.family).from_pretrained(folder)
    else:
        model = model_class(spec.family)(backbone_config(settings, spec))
    return model, int(model.config.hidden_size)
