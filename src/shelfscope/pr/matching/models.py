"""Match candidates: each unmatched cutout's top-k products in one collection, written by the predict job."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class PrMatchCandidate(TimestampMixin, Base):
    __tablename__ = "pr_match_candidates"
    __table_args__ = (
        # Bulk accept: "rank-1 candidates at or above a similarity" in one collection.
        Index("ix_pr_match_candidates_rank_similarity", "collection_id", "rank", "similarity"),
        Index("ix_pr_match_candidates_cutout_id", "cutout_id"),
    )

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("pr_embedding_collections.id", ondelete="CASCADE"), primary_key=True
    )
    cutout_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("pr_cutouts.id", ondelete="CASCADE"), primary_key=True
    )
    # 1 is the best.
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("pr_products.id", ondelete="CASCADE"), index=True)
    # Cosine similarity of the cutout to the product's closest gallery image.
    similarity: Mapped[float] = mapped_column(Float)
