"""The Qdrant engine: a thin `VectorIndex` over qdrant-client, for a Qdrant server (scaled out) or
qdrant-client's local mode (tests, or one machine without the embedded engine).

Collections are `prefix + name`, cosine distance, one unnamed vector; the payload keys are the
`Payload` fields, with keyword indexes on the filtered ones when a server is used. qdrant-client is
the `qdrant` extra, so it is imported here and nowhere else.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.vectors.base import (
    CollectionInfo,
    Filter,
    Hit,
    Payload,
    VectorIndexError,
    Vectors,
    check_name,
    collection_missing,
    dim_mismatch,
    normalised,
)

if TYPE_CHECKING:
    from qdrant_client import QdrantClient
    from qdrant_client.http import models as qm

UPSERT_BATCH = 256
_FILTERED = {"kind": "keyword", "product_id": "integer", "domain": "keyword", "category": "keyword"}


def _client_error() -> tuple[type[Exception], ...]:
    from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

    return (UnexpectedResponse, ResponseHandlingException, ConnectionError, TimeoutError)


class QdrantIndex:
    """`VectorIndex` on a QdrantClient. The client's own calls are the transaction: an upsert with
    `wait=True` is searchable by every process once it returns."""

    def __init__(self, client: QdrantClient, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> QdrantIndex:
        """A server when `qdrant_url` is set (with `qdrant_api_key`), else local mode at
        `qdrant_path` (default data_dir/qdrant)."""
        try:
            from qdrant_client import QdrantClient
        except ImportError as exc:
            raise VectorIndexError(
                "vectors_backend is 'qdrant' but qdrant-client is not installed: "
                "pip install 'shelfscope[qdrant]'"
            ) from exc
        if settings.qdrant_url:
            key = settings.qdrant_api_key.get_secret_value() or None
            return cls(QdrantClient(url=settings.qdrant_url, api_key=key), settings.qdrant_prefix)
        path = settings.qdrant_path if settings.qdrant_path is not None else settings.data_dir / "qdrant"
        path = Path(path).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return cls(QdrantClient(path=str(path)), settings.qdrant_prefix)

    def _full(self, name: str) -> str:
        return self.prefix + check_name(name)

    def _dim(self, name: str) -> int | None:
        full = self._full(name)
        try:
            if not self.client.collection_exists(full):
                return None
            vectors = self.client.get_collection(full).config.params.vectors
        except _client_error() as exc:
            raise VectorIndexError(f"Qdrant: reading collection '{full}' failed: {exc}") from exc
        size = getattr(vectors, "size", None)
        if size is None:
            raise VectorIndexError(f"Qdrant collection '{full}' has named vectors; it was not made here")
        return int(size)

    def _need(self, name: str, dim: int | None = None) -> str:
        existing = self._dim(name)
        if existing is None:
            raise collection_missing(name)
        if dim is not None and dim != existing:
            raise dim_mismatch(name, existing, dim)
        return self._full(name)

    def create_collection(self, name: str, dim: int) -> None:
        from qdrant_client.http import models as qm

        if dim < 1:
            raise ValidationFailed.field("dim", "must be at least 1")
        existing = self._dim(name)
        if existing is not None:
            if existing != dim:
                raise dim_mismatch(name, existing, dim)
            return
        full = self._full(name)
        try:
            self.client.create_collection(
                full, vectors_config=qm.VectorParams(size=dim, distance=qm.Distance.COSINE)
            )
        except _client_error():
            # Another process made it meanwhile: fine when it has this size.
            existing = self._dim(name)
            if existing is None:
                raise
            if existing != dim:
                raise dim_mismatch(name, existing, dim) from None
            return
        with warnings.catch_warnings():
            # Local mode has no payload indexes and says so; a server uses them for filters.
            warnings.simplefilter("ignore")
            for key, schema in _FILTERED.items():
                self.client.create_payload_index(full, key, field_schema=qm.PayloadSchemaType(schema))

    def drop_collection(self, name: str) -> None:
        full = self._full(name)
        if self.client.collection_exists(full):
            self.client.delete_collection(full)

    def collections(self) -> list[CollectionInfo]:
        names = [c.name for c in self.client.get_collections().collections if c.name.startswith(self.prefix)]
        out = [self.info(n[len(self.prefix) :]) for n in sorted(names) if _valid(n[len(self.prefix) :])]
        return [info for info in out if info is not None]

    def info(self, name: str) -> CollectionInfo | None:
        dim = self._dim(name)
        if dim is None:
            return None
        return CollectionInfo(name=name, dim=dim, count=self.count(name))

    def upsert(self, name: str, ids: Sequence[int], vectors: Vectors, payloads: Sequence[Payload]) -> None:
        from qdrant_client.http import models as qm

        array = normalised(vectors) if len(ids) else np.zeros((0, 1), dtype=np.float32)
        if len(array) != len(ids) or len(payloads) != len(ids):
            raise ValidationFailed(
                f"upsert needs one vector and one payload per id: {len(ids)} ids, {len(array)} vectors, "
                f"{len(payloads)} payloads",
                field="vectors",
            )
        if len(ids) and not np.isfinite(array).all():
            raise ValidationFailed.field("vectors", "every value must be a finite number")
        full = self._need(name, array.shape[1] if len(ids) else None)
        keep = _unique_last(ids)
        for start in range(0, len(keep), UPSERT_BATCH):
            chunk = keep[start : start + UPSERT_BATCH]
            batch = qm.Batch(
                ids=[int(ids[i]) for i in chunk],
                vectors=array[chunk].tolist(),
                payloads=[_payload_dict(payloads[i]) for i in chunk],
            )
            self.client.upsert(full, points=batch, wait=True)

    def delete(self, name: str, ids: Sequence[int]) -> None:
        """Unknown ids, and a collection that is not there, leave nothing to remove."""
        from qdrant_client.http import models as qm

        full = self._full(name)
        if not ids or not self.client.collection_exists(full):
            return
        self.client.delete(full, points_selector=qm.PointIdsList(points=[int(i) for i in ids]), wait=True)

    def count(self, name: str, where: Filter | None = None) -> int:
        full = self._need(name)
        if _matches_nothing(where):
            return 0
        return int(self.client.count(full, count_filter=_filter(where), exact=True).count)

    def search(self, name: str, queries: Vectors, k: int, where: Filter | None = None) -> list[list[Hit]]:
        from qdrant_client.http import models as qm

        if k < 1:
            raise ValidationFailed.field("k", "must be at least 1")
        q = normalised(queries)
        if not np.isfinite(q).all():
            raise ValidationFailed.field("queries", "every value must be a finite number")
        full = self._need(name, q.shape[1])
        if _matches_nothing(where) or len(q) == 0:
            return [[] for _ in range(len(q))]
        flt = _filter(where)
        requests = [qm.QueryRequest(query=row.tolist(), limit=k, filter=flt, with_payload=True) for row in q]
        responses = self.client.query_batch_points(full, requests=requests)
        return [
            [Hit(int(p.id), float(p.score), _payload_of(p.payload or {})) for p in response.points]
            for response in responses
        ]

    def close(self) -> None:
        self.client.close()


def _valid(name: str) -> bool:
    try:
        check_name(name)
    except ValidationFailed:
        return False
    return True


def _unique_last(ids: Sequence[int]) -> list[int]:
    """Positions of each id's last occurrence: a batch naming an id twice keeps the last (as the
    embedded engine does)."""
    seen: dict[int, int] = {}
    for position, point_id in enumerate(ids):
        seen[int(point_id)] = position
    return sorted(seen.values())


def _payload_dict(payload: Payload) -> dict[str, Any]:
    return {
        "kind": payload.kind,
        "item_id": payload.item_id,
        "product_id": payload.product_id,
        "domain": payload.domain,
        "category": payload.category,
    }


def _payload_of(data: dict[str, Any]) -> Payload:
    product = data.get("product_id")
    return Payload(
        kind=str(data.get("kind", "")),
        item_id=int(data.get("item_id", 0)),
        product_id=None if product is None else int(product),
        domain=data.get("domain"),
        category=data.get("category"),
    )


def _conditions(where: Filter) -> list[tuple[str, list[Any]]]:
    out: list[tuple[str, list[Any]]] = []
    if where.kinds is not None:
        out.append(("kind", [str(v) for v in where.kinds]))
    if where.product_ids is not None:
        out.append(("product_id", [int(v) for v in where.product_ids]))
    if where.domains is not None:
        out.append(("domain", [str(v) for v in where.domains]))
    if where.categories is not None:
        out.append(("category", [str(v) for v in where.categories]))
    return out


def _matches_nothing(where: Filter | None) -> bool:
    """An empty set of allowed values keeps no point (Qdrant would reject or ignore the condition)."""
    return where is not None and any(not values for _, values in _conditions(where))


def _filter(where: Filter | None) -> qm.Filter | None:
    from qdrant_client.http import models as qm

    if where is None:
        return None
    conditions = _conditions(where)
    if not conditions:
        return None
    return qm.Filter(
        must=[qm.FieldCondition(key=key, match=qm.MatchAny(any=values)) for key, values in conditions]
    )


__all__ = ["QdrantIndex"]
