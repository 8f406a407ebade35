"""The vector index protocol: named collections of L2-normalised float32 vectors with integer ids and a
small typed payload, searched by cosine similarity with optional payload filters.

Two engines implement it: `embedded` (in the data folder) and `qdrant` (a Qdrant server, or
qdrant-client's local mode). They pass the same interface tests (tests/vectors/).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shelfscope.errors import Conflict, ValidationFailed

Vectors = npt.NDArray[np.float32]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}$")


@dataclass(frozen=True)
class Payload:
    """What a point carries besides its vector: the item it embeds and what filters may ask of it."""

    kind: str  # "product_image" or "cutout"
    item_id: int
    product_id: int | None = None
    domain: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Filter:
    """Points whose payload matches every condition given; each condition is a set of allowed values."""

    kinds: Sequence[str] | None = None
    product_ids: Sequence[int] | None = None
    domains: Sequence[str] | None = None
    categories: Sequence[str] | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    score: float  # cosine similarity, higher is closer
    payload: Payload


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    dim: int
    count: int


class VectorIndexError(Exception):
    """The index could not do what was asked (a broken file, an unreachable server)."""


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValidationFailed.field(
            "collection",
            "use 1 to 128 lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    return name


def dim_mismatch(name: str, expected: int, got: int) -> ValidationFailed:
    return ValidationFailed(
        f"collection '{name}' holds vectors of size {expected}; these have size {got}.",
        field="dim",
        collection=name,
        collection_dim=expected,
        vector_dim=got,
    )


def collection_missing(name: str) -> Conflict:
    return Conflict(
        f"the vector index has no collection '{name}'; run an extraction into it first.", collection=name
    )


def normalised(vectors: npt.ArrayLike) -> Vectors:
    """float32 rows scaled to unit length (a zero row stays zero)."""
    array = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)


class VectorIndex(Protocol):
    """One backend's collections. Writes are visible to searches (in this and other processes) once
    the call returns; every method is safe to call from several processes at once."""

    def create_collection(self, name: str, dim: int) -> None:
        """Make the collection; nothing when it exists with this dim; `dim_mismatch` (422) when it
        exists with another."""
        ...

    def drop_collection(self, name: str) -> None:
        """Remove it and its points; nothing when there is none."""
        ...

    def collections(self) -> list[CollectionInfo]: ...

    def info(self, name: str) -> CollectionInfo | None: ...

    def upsert(self, name: str, ids: Sequence[int], vectors: Vectors, payloads: Sequence[Payload]) -> None:
        """Insert or replace points by id (vectors are normalised here). `collection_missing` when
        there is no such collection, `dim_mismatch` when the vectors' size is not the collection's."""
        ...

    def delete(self, name: str, ids: Sequence[int]) -> None:
        """Remove points by id; unknown ids are ignored."""
        ...

    def search(self, name: str, queries: Vectors, k: int, where: Filter | None = None) -> list[list[Hit]]:
        """The k best points for each query row, best first (fewer when fewer match)."""
        ...

    def count(self, name: str, where: Filter | None = None) -> int: ...

    def close(self) -> None: ...
