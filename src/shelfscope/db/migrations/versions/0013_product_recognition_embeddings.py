"""Product recognition: embeddings, collections and match candidates

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shelfscope.db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pr_embedding_collections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("model_kind", sa.String(length=16), nullable=False),
        sa.Column("trained_model_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("backbone", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("vector_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(model_kind = 'trained') = (trained_model_id IS NOT NULL)",
            name=op.f("ck_pr_embedding_collections_trained_names_model"),
        ),
        sa.CheckConstraint(
            "model_kind IN ('trained', 'stock')", name=op.f("ck_pr_embedding_collections_model_kind")
        ),
        sa.CheckConstraint("dim > 0", name=op.f("ck_pr_embedding_collections_dim_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_embedding_collections_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_job_id"],
            ["jobs.id"],
            name=op.f("fk_pr_embedding_collections_last_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trained_model_id"],
            ["pr_trained_models.id"],
            name=op.f("fk_pr_embedding_collections_trained_model_id_pr_trained_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_embedding_collections")),
        sa.UniqueConstraint("name", name=op.f("uq_pr_embedding_collections_name")),
    )
    with op.batch_alter_table("pr_embedding_collections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pr_embedding_collections_trained_model_id"), ["trained_model_id"], unique=False
        )

    op.create_table(
        "pr_embeddings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("collection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("domain", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "item_kind IN ('product_image', 'cutout')", name=op.f("ck_pr_embeddings_item_kind")
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["pr_embedding_collections.id"],
            name=op.f("fk_pr_embeddings_collection_id_pr_embedding_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_embeddings_product_id_pr_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_embeddings")),
        sa.UniqueConstraint(
            "collection_id",
            "item_kind",
            "item_id",
            name=op.f("uq_pr_embeddings_collection_id_item_kind_item_id"),
        ),
    )
    with op.batch_alter_table("pr_embeddings", schema=None) as batch_op:
        batch_op.create_index("ix_pr_embeddings_collection_id_id", ["collection_id", "id"], unique=False)
        batch_op.create_index("ix_pr_embeddings_item", ["item_kind", "item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pr_embeddings_product_id"), ["product_id"], unique=False)

    op.create_table(
        "pr_match_candidates",
        sa.Column("collection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cutout_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["pr_embedding_collections.id"],
            name=op.f("fk_pr_match_candidates_collection_id_pr_embedding_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cutout_id"],
            ["pr_cutouts.id"],
            name=op.f("fk_pr_match_candidates_cutout_id_pr_cutouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_match_candidates_product_id_pr_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "cutout_id", "rank", name=op.f("pk_pr_match_candidates")),
    )
    with op.batch_alter_table("pr_match_candidates", schema=None) as batch_op:
        batch_op.create_index("ix_pr_match_candidates_cutout_id", ["cutout_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pr_match_candidates_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            "ix_pr_match_candidates_rank_similarity", ["collection_id", "rank", "similarity"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pr_match_candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_match_candidates_rank_similarity")
        batch_op.drop_index(batch_op.f("ix_pr_match_candidates_product_id"))
        batch_op.drop_index("ix_pr_match_candidates_cutout_id")

    op.drop_table("pr_match_candidates")
    with op.batch_alter_table("pr_embeddings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_embeddings_product_id"))
        batch_op.drop_index("ix_pr_embeddings_item")
        batch_op.drop_index("ix_pr_embeddings_collection_id_id")

    op.drop_table("pr_embeddings")
    with op.batch_alter_table("pr_embedding_collections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_embedding_collections_trained_model_id"))

    op.drop_table("pr_embedding_collections")
