"""Tiny random-weight embedding backbones (DINOv2, DINOv3) saved with save_pretrained, model and
BitImageProcessor together, where an offline user puts the real ones: `<models dir>/<key>/`. The real
code reads them as it reads downloaded weights, for pretrained and from-scratch runs alike (a folder's
config.json decides the architecture). Built once per process per family and hard-linked per test."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

from shelfscope.config import Settings
from shelfscope.ml.catalogue import get_spec

SEED = 11
# hidden 32, 2 layers: a forward pass at 32 px is about a millisecond.
TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}
TINY_IMAGE_SIZE = 32


@functools.cache
def _built(family: str) -> Path:
    import torch

    from shelfscope.ml import runtime

    transformers = runtime.load_transformers()
    if family == "dinov2":
        config = transformers.Dinov2Config(**TINY, image_size=TINY_IMAGE_SIZE, patch_size=8)
        model_class = transformers.Dinov2Model
    else:
        config = transformers.DINOv3ViTConfig(
            **TINY, image_size=TINY_IMAGE_SIZE, patch_size=8, num_register_tokens=2
        )
        model_class = transformers.DINOv3ViTModel
    torch.manual_seed(SEED)
    model = model_class(config).eval()
    processor = transformers.BitImageProcessor(
        size={"shortest_edge": TINY_IMAGE_SIZE},
        crop_size={"height": TINY_IMAGE_SIZE, "width": TINY_IMAGE_SIZE},
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
    )
    folder = Path(tempfile.mkdtemp(prefix=f"shelfscope-tiny-{family}-")) / family
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def install_tiny_embedder(settings: Settings, key: str = "dinov2-small") -> Path:
    """A tiny backbone of `key`'s family (a catalogue embedder: dinov2-* or dinov3-*) in `settings`'
    models directory as `key`; returns the folder."""
    spec = get_spec(key)
    assert spec.task == "embedder", f"{key} is not an embedder"
    target = settings.resolved_models_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_built(spec.family), target, copy_function=os.link)
    return target
