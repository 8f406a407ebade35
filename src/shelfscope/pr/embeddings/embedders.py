"""The embedder of a collection (worker side; torch is imported inside the functions): a registered
model's weights read from storage, or a stock backbone from the models folder, kept in the worker's
model cache (ml/cache.py) so a batch of extractions and every search after them load it once."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shelfscope.config import Settings
from shelfscope.pr.embeddings.models import PrEmbeddingCollection
from shelfscope.pr.trained_models.service import model_key
from shelfscope.pr.training.fetch import download
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.ml.embeddings.checkpoint import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedEmbedder:
    """An Embedder with the bytes its weights take, which the model cache budgets by."""

    embedder: Embedder
    memory_bytes: int


def _cached(embedder: Embedder) -> CachedEmbedder:
    model = embedder.model
    size = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
    return CachedEmbedder(embedder, int(size))


def _log(message: str, level: str = "info") -> None:
    """Storage retries are worth a line in the worker's log, in a job or a search."""
    log.log(logging.WARNING if level == "warning" else logging.INFO, message)


def _trained(settings: Settings, storage: Storage, model_id: int, key: str) -> CachedEmbedder:
    """The registered model's checkpoint, read from storage into a scratch folder that goes after loading
    (the loaded model stays in the cache; ids may be reused, so no file is kept by id)."""
    from shelfscope.ml.embeddings.checkpoint import load_embedder
    from shelfscope.ml.runtime import apply_threads, pick_device

    apply_threads(settings)
    scratch_root = settings.data_dir / "tmp" / "pr-embedders"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"model-{model_id}-", dir=scratch_root))
    try:
        path = download(storage, key, scratch / "model.pt", _log)
        return _cached(load_embedder(path, pick_device(settings.ml_device)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _stock(settings: Settings, backbone: str) -> CachedEmbedder:
    from shelfscope.ml.embeddings.stock import load_stock_embedder
    from shelfscope.ml.runtime import pick_device

    return _cached(load_stock_embedder(settings, backbone, pick_device(settings.ml_device)))


def cache_key(settings: Settings, collection: PrEmbeddingCollection) -> str:
    """Which weights: the trained model's, or the stock folder as last installed (a fetch that
    replaces it gives a new key)."""
    if collection.trained_model_id is not None:
        # Ids may be reused after a delete (SQLite), and a model's collections go with it: the
        # collection's id and creation time name one model's weights for good.
        made = collection.created_at.isoformat()
        return f"pr-embedder:trained:{collection.trained_model_id}:{collection.id}:{made}"
    config = settings.resolved_models_dir / collection.backbone / "config.json"
    stamp = config.stat().st_mtime_ns if config.is_file() else 0
    return f"pr-embedder:stock:{collection.backbone}:{stamp}"


def load_collection_embedder(
    settings: Settings, storage: Storage, collection: PrEmbeddingCollection
) -> Embedder:
    """The Embedder whose vectors `collection` holds, from this worker's model cache. Raises
    ObjectMissing when a trained model's file is gone from storage, WeightsMissing when a stock backbone
    is no longer installed, and ValueError when the model embeds to another size than the collection."""
    from shelfscope.ml.cache import process_cache

    model_id, backbone, dim = collection.trained_model_id, collection.backbone, collection.dim
    if model_id is not None:
        key = model_key(model_id)

        def load() -> CachedEmbedder:
            return _trained(settings, storage, model_id, key)

    else:

        def load() -> CachedEmbedder:
            return _stock(settings, backbone)

    cached = process_cache(settings.ml_model_cache_mb).get(cache_key(settings, collection), load)
    embedder = cached.embedder
    if embedder.embedding_dim != dim:
        raise ValueError(
            f"collection '{collection.name}' holds vectors of size {dim}, but its model now embeds to size "
            f"{embedder.embedding_dim}; extract into a new collection"
        )
    return embedder
