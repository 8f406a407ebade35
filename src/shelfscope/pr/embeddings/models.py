"""Tables of embeddings: collections (one model, one vector size) and the stored vector of every item.

The database is the record: `pr_embeddings` keeps which item was embedded by which collection's model,
from which bytes, and the vector itself, so `shelfscope vectors rebuild` restores a lost index. A
point's id in the vector index is its `pr_embeddings.id`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

MODEL_KINDS = ("trained", "stock")
ITEM_KINDS = ("product_image", "cutout")


class PrEmbeddingCollection(TimestampMixin, Base):
    __tablename__ = "pr_embedding_collections"
    __table_args__ = (
        CheckConstraint("model_kind IN ('trained', 'stock')", name="model_kind"),
        CheckConstraint(
            "(model_kind = 'trained') = (trained_model_id IS NOT NULL)", name="trained_names_model"
        ),
        CheckConstraint("dim > 0", name="dim_positive"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # Also the collection's name in the vector index (lower case letters, digits, '-' and '_').
    name: Mapped[str] = mapped_column(String(128), unique=True)
    model_kind: Mapped[str] = mapped_column(String(16))
    # A registered PR model; its collections go with it.
    trained_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_trained_models.id", ondelete="CASCADE"), index=True, default=None
    )
    # The backbone's catalogue key (a stock backbone, or the trained model's backbone).
    backbone: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(16), default="cosine")
    vector_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class PrEmbedding(TimestampMixin, Base):
    __tablename__ = "pr_embeddings"
    __table_args__ = (
        CheckConstraint("item_kind IN ('product_image', 'cutout')", name="item_kind"),
        UniqueConstraint("collection_id", "item_kind", "item_id"),
        Index("ix_pr_embeddings_collection_id_id", "collection_id", "id"),
        Index("ix_pr_embeddings_item", "item_kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("pr_embedding_collections.id", ondelete="CASCADE"))
    # A pr_product_images row or a pr_cutouts row (no foreign key: two tables); extraction removes the
    # embeddings of items that are gone.
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(BigIntId)
    # The storage key of the bytes that were embedded: a different key means changed, embed again.
    source_key: Mapped[str] = mapped_column(String(255))
    # Payload, copied into the vector index for filters.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_products.id", ondelete="SET NULL"), index=True, default=None
    )
    domain: Mapped[str | None] = mapped_column(String(16), default=None)
    category: Mapped[str | None] = mapped_column(String(255), default=None)
    # float32 little-endian, `dim` values, L2-normalised.
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def vector_bytes(row: npt.NDArray[np.float32]) -> bytes:
    """One vector as `PrEmbedding.vector` stores it."""
    return np.ascontiguousarray(row, dtype="<f4").tobytes()


def vectors_of(blobs: Sequence[bytes], dim: int) -> npt.NDArray[np.float32]:
    """Stored `PrEmbedding.vector` values as one (len(blobs), dim) float32 array."""
    if not blobs:
        return np.zeros((0, dim), np.float32)
    array = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dim)
    return np.ascontiguousarray(array, dtype=np.float32)
