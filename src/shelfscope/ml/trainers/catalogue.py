"""The detector architectures Shelfscope trains, by key: family, size, input-size rules and where
pretrained weights come from. Torch-free: the server validates runs and lists choices from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shelfscope.errors import ValidationFailed

TrainerFamily = Literal["rfdetr", "rtdetrv2", "yolo-nas"]
# The dataset layout a family's trainer reads (written by the existing exporters).
TrainFormat = Literal["coco", "yolo"]


@dataclass(frozen=True, slots=True)
class Architecture:
    key: str  # "rfdetr-nano", "rtdetrv2-r18", "yolo-nas-s", ...
    title: str
    family: TrainerFamily
    size: str  # the family's own size name: "nano", "r18", "s", ...
    format: TrainFormat
    default_image_size: int
    # The image size must be a multiple of this (patch and stride rules of the backbone).
    size_multiple: int
    params_m: float  # approximate parameters, millions
    # Pretrained weights: a hub id (resolved like the AI models: DATA_DIR/models/<weights_key>/ first).
    weights_key: str
    weights_licence: str
    note: str = ""
    # Runs in its own environment (a subprocess speaking protocol.py), installed on demand.
    separate_env: bool = False


def _rfdetr(size: str, title: str, image_size: int, params: float, multiple: int = 32) -> Architecture:
    return Architecture(
        key=f"rfdetr-{size}",
        title=f"RF-DETR {title}",
        family="rfdetr",
        size=size,
        format="coco",
        default_image_size=image_size,
        # patch size x windows of the DINOv2 backbone: 16 x 2 for the new sizes, 14 x 4 for base.
        size_multiple=multiple,
        params_m=params,
        weights_key=f"rfdetr-{size}-coco",
        weights_licence="Apache-2.0",
    )


def _rtdetr(size: str, params: float) -> Architecture:
    return Architecture(
        key=f"rtdetrv2-{size}",
        title=f"RT-DETRv2 {size.upper()}",
        family="rtdetrv2",
        size=size,
        format="coco",
        default_image_size=640,
        size_multiple=32,
        params_m=params,
        weights_key=f"rtdetrv2-{size}-coco",
        weights_licence="Apache-2.0",
    )


def _yolo_nas(size: str, params: float) -> Architecture:
    return Architecture(
        key=f"yolo-nas-{size}",
        title=f"YOLO-NAS {size.upper()}",
        family="yolo-nas",
        size=size,
        format="yolo",
        default_image_size=640,
        size_multiple=32,
        params_m=params,
        weights_key=f"yolo-nas-{size}-coco",
        weights_licence="Deci YOLO-NAS licence (non-commercial; no resale or managed services)",
        note="Pretrained weights are non-commercial; training from scratch is the default.",
        separate_env=True,
    )


ARCHITECTURES: tuple[Architecture, ...] = (
    _rfdetr("nano", "Nano", 384, 30.5),
    _rfdetr("small", "Small", 512, 32.1),
    _rfdetr("medium", "Medium", 576, 33.7),
    _rfdetr("base", "Base", 560, 29.0, multiple=56),
    _rfdetr("large", "Large", 704, 33.9),
    _rtdetr("r18", 20.0),
    _rtdetr("r34", 31.0),
    _rtdetr("r50", 42.0),
    _rtdetr("r101", 76.0),
    _yolo_nas("s", 19.0),
    _yolo_nas("m", 51.1),
    _yolo_nas("l", 66.9),
)
_BY_KEY = {arch.key: arch for arch in ARCHITECTURES}


def get_architecture(key: str, *, field: str = "architecture") -> Architecture:
    """The architecture named `key`; ValidationFailed naming `field` and the known keys otherwise."""
    arch = _BY_KEY.get(key)
    if arch is None:
        known = ", ".join(_BY_KEY)
        raise ValidationFailed.field(field, f"unknown architecture {key!r}; known: {known}")
    return arch
