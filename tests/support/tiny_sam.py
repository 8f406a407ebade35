"""A tiny SAM 2.1 (random weights, the small Hiera of ../shared/notes/ml-stack.md 2b) saved with
save_pretrained where an offline user puts the real one, `<models dir>/sam2.1-hiera-tiny/`, so the
real loader reads it. Built once per process and hard-linked into each test's data folder."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

from shelfscope.config import Settings

SAM_KEY = "sam2.1-hiera-tiny"
SEED = 7


@functools.cache
def _built() -> Path:
    import torch

    from shelfscope.ml import runtime

    transformers = runtime.load_transformers()
    config = transformers.Sam2Config()
    backbone = config.vision_config.backbone_config
    backbone.hidden_size = 16  # must equal the first stage's width
    backbone.blocks_per_stage = [1, 2, 2, 1]
    backbone.embed_dim_per_stage = [16, 32, 64, 128]
    backbone.num_attention_heads_per_stage = [1, 1, 1, 1]
    # Not on a stage's first (pooling) block: that divides by zero in transformers' Hiera.
    backbone.global_attention_blocks = [2]
    config.vision_config.backbone_channel_list = [128, 64, 32, 16]
    torch.manual_seed(SEED)
    model = transformers.Sam2Model(config).eval()
    processor = transformers.Sam2Processor(image_processor=transformers.Sam2ImageProcessor())
    folder = Path(tempfile.mkdtemp(prefix="shelfscope-tiny-sam-")) / SAM_KEY
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def install_tiny_sam(settings: Settings, key: str = SAM_KEY) -> Path:
    """The tiny model's folder in `settings`' models directory, as `key`."""
    target = settings.resolved_models_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_built(), target, copy_function=os.link)
    return target
