"""Family dispatch: the trainer, predictor and ONNX exporter of an architecture family.

Each family module (`rfdetr.py`, `rtdetrv2.py`, `yolo_nas.py`) defines three functions, imported here
lazily so this module stays torch-free until one is called:

    make_trainer(architecture: Architecture, settings: Settings) -> Trainer
    load_predictor(folder: Path, manifest: ModelManifest, device: torch.device) -> Detector
        # a trained model folder -> the ml.detectors Detector (prompts ignored; labels are
        # manifest.classes; boxes in the image's own pixels)
    export_onnx(folder: Path, manifest: ModelManifest, out: Path) -> None
        # writes out (a .onnx file) whose predictor, `load_onnx_predictor`, gives the same boxes
    load_onnx_predictor(onnx_file: Path, manifest: ModelManifest) -> Detector
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from shelfscope.ml.trainers.base import ModelManifest, Trainer
from shelfscope.ml.trainers.catalogue import Architecture, get_architecture

if TYPE_CHECKING:
    from shelfscope.config import Settings
    from shelfscope.ml.detectors.base import Detector

FAMILY_MODULES = {
    "rfdetr": "shelfscope.ml.trainers.rfdetr",
    "rtdetrv2": "shelfscope.ml.trainers.rtdetrv2",
    "yolo-nas": "shelfscope.ml.trainers.yolo_nas",
}


# A family whose inference side lives in a module of its own (rtdetrv2: the registry needed it before
# the trainer existed); the others keep all four functions in the family module.
INFERENCE_MODULES = {
    "rtdetrv2": "shelfscope.ml.trainers.rtdetrv2_infer",
}


def family_module(family: str) -> ModuleType:
    return importlib.import_module(FAMILY_MODULES[family])


def inference_module(family: str) -> ModuleType:
    """Where `load_predictor`, `export_onnx` and `load_onnx_predictor` of `family` live."""
    return importlib.import_module(INFERENCE_MODULES.get(family) or FAMILY_MODULES[family])


def make_trainer(architecture: Architecture, settings: Settings) -> Trainer:
    trainer: Trainer = family_module(architecture.family).make_trainer(architecture, settings)
    return trainer


def load_predictor(folder: Path, device: Any) -> Detector:
    """The Detector for a trained model's folder (its manifest says which family loads it)."""
    manifest = ModelManifest.read(folder)
    get_architecture(manifest.architecture)
    predictor: Detector = inference_module(manifest.family).load_predictor(folder, manifest, device)
    return predictor


def export_onnx(folder: Path, out: Path) -> None:
    manifest = ModelManifest.read(folder)
    inference_module(manifest.family).export_onnx(folder, manifest, out)


def load_onnx_predictor(folder: Path, onnx_file: Path) -> Detector:
    manifest = ModelManifest.read(folder)
    predictor: Detector = inference_module(manifest.family).load_onnx_predictor(onnx_file, manifest)
    return predictor
