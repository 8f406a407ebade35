"""Trained-model folders and registry rows for tests, before (and without) a real training run.

`write_tiny_rtdetrv2` saves a tiny random-weight RT-DETRv2 (ml-stack.md section 2's config) the way the
RT-DETRv2 trainer leaves its model folder: `save_pretrained` files plus `shelfscope-model.json`. The
class head's bias is zeroed so every query scores about 0.5: a random model then gives boxes above the
default thresholds, which is what tests of the plumbing need. The folder is built once per session and
copied; `register_tiny_model` stores a copy through the registry service as a run would."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from shelfscope.context import AppContext
from shelfscope.ml.trainers.base import ModelManifest
from shelfscope.od.trained_models import service
from shelfscope.od.trained_models.models import TrainedModel

TINY_ARCH = "rtdetrv2-r18"
TINY_INPUT = 128

_built: dict[tuple[str, ...], Path] = {}
_lock = threading.Lock()


def write_tiny_rtdetrv2(
    folder: Path, classes: list[str], input_size: int = TINY_INPUT, seed: int = 0
) -> None:
    import torch

    from shelfscope.ml import runtime

    tf = runtime.load_transformers()
    torch.manual_seed(seed)
    backbone = tf.RTDetrResNetConfig(
        layer_type="bottleneck",
        hidden_sizes=[32, 64, 128, 256],
        embedding_size=16,
        depths=[1, 1, 1, 1],
        out_features=["stage2", "stage3", "stage4"],
    )
    config = tf.RTDetrV2Config(
        backbone_config=backbone,
        d_model=64,
        encoder_hidden_dim=64,
        encoder_in_channels=[64, 128, 256],
        encoder_layers=1,
        decoder_in_channels=[64, 64, 64],
        encoder_ffn_dim=128,
        decoder_layers=2,
        decoder_ffn_dim=128,
        num_queries=50,
        num_labels=len(classes),
        id2label=dict(enumerate(classes)),
        label2id={name: i for i, name in enumerate(classes)},
        use_pretrained_backbone=False,
    )
    model = tf.RTDetrV2ForObjectDetection(config).eval()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if ("class_embed" in name or "enc_score_head" in name) and name.endswith("bias"):
                param.zero_()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    ModelManifest(
        architecture=TINY_ARCH,
        family="rtdetrv2",
        classes=list(classes),
        input_size=input_size,
        weights="model.safetensors",
    ).write(folder)


def tiny_model_folder(classes: list[str], dest: Path) -> Path:
    """A copy at `dest` of the tiny model with these classes (built once per session)."""
    key = tuple(classes)
    with _lock:
        built = _built.get(key)
        if built is None:
            built = Path(tempfile.mkdtemp(prefix="tiny-rtdetrv2-"))
            write_tiny_rtdetrv2(built, classes)
            _built[key] = built
    shutil.copytree(built, dest)
    return dest


def register_tiny_model(
    ctx: AppContext,
    class_mapping: list[tuple[int, str]],
    *,
    name: str = "Tiny RT-DETRv2",
    dataset_version_id: int | None = None,
    **fields: Any,
) -> TrainedModel:
    """Store the tiny model through the registry (classes `[(class_id, name)]` in model index order)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = tiny_model_folder([n for _, n in class_mapping], Path(scratch) / "model")
        with ctx.db.write() as session:
            return service.register_model(
                session,
                ctx.storage,
                folder,
                name=name,
                class_mapping=[
                    {"index": i, "class_id": class_id, "name": class_name}
                    for i, (class_id, class_name) in enumerate(class_mapping)
                ],
                dataset_version_id=dataset_version_id,
                **fields,
            )
