"""`load_segmenter(settings, key)`: the segmenter for a model key, loaded once per worker process, and
`embedding_for`: an image's embedding from this worker's embedding cache."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

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
    segmenter: Sam2Segmenter,
    content_hash: str,
    open_image: Callable[[], AbstractContextManager[Image.Image]],
) -> Sam2Embedding:
    """The embedding of the image with these bytes; the image is opened (and decoded) only on a miss."""

    def compute() -> Sam2Embedding:
        with open_image() as image:
            return segmenter.embed(image)

    return process_embeddings().get((segmenter.instance, content_hash), compute)
