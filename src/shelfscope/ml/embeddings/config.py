"""The settings of one embedding-training run (issue 14): backbone, losses, P-K batches, schedule.

Torch-free, so the API can build, validate and store it; `train()` takes it as is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

LossKind = Literal["arcface", "arcface_triplet"]
MinerKind = Literal["semihard", "hard", "all"]
DeviceKind = Literal["auto", "cpu", "cuda", "mps"]


@dataclass(frozen=True)
class EmbedTrainConfig:
    backbone: str = "dinov2-base"
    pretrained: bool = True
    embedding_dim: int = 512
    image_size: int = 224
    epochs: int = 20
    # A batch is P products x K images each (pytorch-metric-learning's MPerClassSampler).
    products_per_batch: int = 8
    images_per_product: int = 4
    loss: LossKind = "arcface_triplet"
    arcface_weight: float = 1.0
    triplet_weight: float = 0.5
    # > 0: the cross-domain centroid alignment term (train.domain_alignment).
    domain_weight: float = 0.0
    # Degrees, pytorch-metric-learning's unit (28.6 degrees = 0.5 rad).
    arcface_margin: float = 28.6
    arcface_scale: float = 64.0
    triplet_margin: float = 0.2
    miner: MinerKind = "semihard"
    # The head and ArcFace weights; the backbone's top layer gets lr * backbone_lr_scale and each
    # layer below it a further * llrd (1.0: no layer-wise decay).
    learning_rate: float = 1e-4
    backbone_lr_scale: float = 0.1
    llrd: float = 0.8
    weight_decay: float = 0.05
    # Linear warmup by step over these epochs, then cosine to 0 at the last epoch.
    warmup_epochs: int = 1
    # Early stop after this many epochs without a better val recall@1 (0: never).
    patience: int = 5
    # fp16 autocast with a gradient scaler, only on CUDA (the epoch metrics record whether it was used).
    mixed_precision: bool = True
    # RandomResizedCrop (scale 0.6-1) and colour jitter; no flips (packs carry text).
    augmentation: bool = True
    seed: int = 0
    device: DeviceKind = "auto"
    # 0: len(train images) // (P * K), at least 1.
    batches_per_epoch: int = 0

    @property
    def batch_size(self) -> int:
        return self.products_per_batch * self.images_per_product

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbedTrainConfig:
        """A config from a stored dict (a checkpoint's train_config, a run's config); keys it does not
        know are ignored, missing ones take their default."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
