"""One vector index interface for product matching, chosen by settings like storage/."""

from __future__ import annotations

from shelfscope.config import Settings
from shelfscope.vectors.base import (
    CollectionInfo,
    Filter,
    Hit,
    Payload,
    VectorIndex,
    VectorIndexError,
    check_name,
    collection_missing,
    dim_mismatch,
    normalised,
)


def open_vectors(settings: Settings) -> VectorIndex:
    if settings.vectors_backend == "qdrant":
        from shelfscope.vectors.qdrant import QdrantIndex

        return QdrantIndex.from_settings(settings)
    from shelfscope.vectors.embedded import EmbeddedIndex

    return EmbeddedIndex(settings.resolved_vectors_dir)


__all__ = [
    "CollectionInfo",
    "Filter",
    "Hit",
    "Payload",
    "VectorIndex",
    "VectorIndexError",
    "check_name",
    "collection_missing",
    "dim_mismatch",
    "normalised",
    "open_vectors",
]
