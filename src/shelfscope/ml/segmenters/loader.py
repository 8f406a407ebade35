"""`load_segmenter(settings, key)`: the segmenter for a model key, loaded once per worker process, and
`embedding_for`: an image's embedding from this worker's embedding cache."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml import runtime
from shelfscope.ml.cache import process_cache
from shelfscope.ml.catalogue import get_spec
from shelfscope.ml.segmenters.embeddings import process_embeddings
from shelfscope.ml.segmenters.sam2 import Sam2Embedding, Sam2Segmenter
from shelfscope.ml.weights import resolve


def _load(settings: Settings, key: str) -> Sam2Segmenter:
    spec = get_spec(key, field="model")
    if spec.task != "segmenter" or spec.family != "sam2":
        raise ValidationFailed.field("model", f"{key!r} is a {spec.task}, not a segmenter")
    folder = resolve(settings, spec)
    runtime.apply_threads(settings)
    device = runtime.pick_device(settings.ml_device)
    transformers = runtime.load_transformers()
    model = transformers.Sam2Model.from_pretrained(folder).to(device).eval()
    processor = transformers.Sam2Processor.from_pretrained(folder)
    return Sam2Segmenter(spec.key, model, processor, device)


def load_segmenter(settings: Settings, key: str) -> Sam2Segmenter:
    """The segmenter for `key` from this worker's model cache (loaded on the first request).
    ValidationFailed naming `model` for an unknown key or a detector; WeightsMissing (409) when its
    folder is not there."""
    return process_cache(settings.ml_model_cache_mb).get(f"segmenter:{key}", lambda: _load(settings, key))


def embedding_for(
    segmenter: Sam2Segmenter, content_hash: str, size: tuple[int, int], decode: Callable[[], Image.Image]
) -> Sam2Embedding:
    """The embedding of the image with these bytes (`size`: its upright width and height). On a miss
    the image is decoded with `decode()`, at its own size or already at the model's input size."""

    def compute() -> Sam2Embedding:
        with decode() as image:
            return segmenter.embed(image, size)

    return process_embeddings().get((segmenter.instance, content_hash), compute)
