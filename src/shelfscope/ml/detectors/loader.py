"""`load_detector(settings, key)`: the Detector for a model key, loaded once per worker process.

Catalogue models are picked by family (one factory each, `FACTORIES`), read from their
`save_pretrained` folder (ml.weights.resolve: WeightsMissing when absent) onto the chosen device, and
kept in the process's model cache. Models from elsewhere plug in by key prefix: the training feature
registers `register_source("trained:", load)`, and any `trained:<id>` key then loads through it and
is cached the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml import runtime
from shelfscope.ml.cache import process_cache
from shelfscope.ml.catalogue import ModelSpec, get_spec
from shelfscope.ml.detectors.base import Detector
from shelfscope.ml.weights import resolve

# (spec, folder, device) -> a Detector over the loaded model.
DetectorFactory = Callable[[ModelSpec, Path, torch.device], Detector]
# (settings, key) -> a Detector, for keys that are not in the catalogue (trained models).
DetectorSource = Callable[[Settings, str], Detector]


def _pretrained(model_class: str, folder: Path, device: torch.device) -> tuple[Any, Any]:
    """The model (eval mode, on `device`) and processor saved in `folder`."""
    tf = runtime.load_transformers()
    model = getattr(tf, model_class).from_pretrained(folder).to(device).eval()
    processor = tf.AutoProcessor.from_pretrained(folder)
    return model, processor


def _grounding_dino(model_class: str) -> DetectorFactory:
    def load(spec: ModelSpec, folder: Path, device: torch.device) -> Detector:
        from shelfscope.ml.detectors.grounding_dino import GroundingDinoDetector

        model, processor = _pretrained(model_class, folder, device)
        return GroundingDinoDetector(spec.key, model, processor, device)

    return load


def _owlv2(spec: ModelSpec, folder: Path, device: torch.device) -> Detector:
    from shelfscope.ml.detectors.owlv2 import Owlv2Detector

    model, processor = _pretrained("Owlv2ForObjectDetection", folder, device)
    return Owlv2Detector(spec.key, model, processor, device)


def _florence2(spec: ModelSpec, folder: Path, device: torch.device) -> Detector:
    from shelfscope.ml.detectors.florence2 import Florence2Detector

    model, processor = _pretrained("Florence2ForConditionalGeneration", folder, device)
    return Florence2Detector(spec.key, model, processor, device)


FACTORIES: dict[str, DetectorFactory] = {
    "grounding-dino": _grounding_dino("GroundingDinoForObjectDetection"),
    "mm-grounding-dino": _grounding_dino("MMGroundingDinoForObjectDetection"),
    "owlv2": _owlv2,
    "florence-2": _florence2,
}
SOURCES: dict[str, DetectorSource] = {}


def register_factory(family: str, factory: DetectorFactory) -> None:
    """Load the models of `family` with `factory` (a new architecture, or a different runtime)."""
    FACTORIES[family] = factory


def register_source(prefix: str, load: DetectorSource) -> None:
    """Load every key starting with `prefix` (e.g. "trained:") with `load` instead of the catalogue."""
    SOURCES[prefix] = load


def _load(settings: Settings, key: str) -> Detector:
    runtime.apply_threads(settings)
    for prefix, source in SOURCES.items():
        if key.startswith(prefix):
            return source(settings, key)
    spec = get_spec(key, field="model")
    factory = FACTORIES.get(spec.family)
    if spec.task != "detector" or factory is None:
        raise ValidationFailed.field("model", f"{key!r} is a {spec.task}, not a detector")
    folder = resolve(settings, spec)
    return factory(spec, folder, runtime.pick_device(settings.ml_device))


def load_detector(settings: Settings, key: str) -> Detector:
    """The Detector for `key`, from this worker's model cache (loaded on the first request)."""
    folder_key = f"detector:{key}"
    return process_cache(settings.ml_model_cache_mb).get(folder_key, lambda: _load(settings, key))


def _trained(settings: Settings, key: str) -> Detector:
    """`trained:<id>`: a model of the registry, copied from storage into this worker's cache folder."""
    from shelfscope.od.trained_models.source import load_trained

    return load_trained(settings, key)


register_source("trained:", _trained)
