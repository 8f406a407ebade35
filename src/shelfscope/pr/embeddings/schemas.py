"""Shapes of embedding extraction: the model choice, collections with their stats, the extract request
and the `pr.embeddings.extract` job's payload and result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shelfscope.ids import Id

EXTRACT_KIND = "pr.embeddings.extract"
ModelKind = Literal["trained", "stock"]
Source = Literal["product_images", "cutouts"]
Domain = Literal["synthetic", "real", "augmented", "cutout"]
SOURCES: tuple[Source, ...] = ("product_images", "cutouts")
DOMAINS: tuple[Domain, ...] = ("synthetic", "real", "augmented", "cutout")
# The item kind stored in pr_embeddings (and the index payload) for each source.
ITEM_KIND: dict[str, str] = {"product_images": "product_image", "cutouts": "cutout"}
BATCH_MIN, BATCH_MAX, BATCH_DEFAULT = 1, 256, 32


def _distinct(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError("lists a value twice")
    return values


class ModelRef(BaseModel):
    """{"kind": "trained", "trained_model_id": 1} or {"kind": "stock", "backbone": "dinov2-small"}.

    One flat shape rather than a tagged union, so a missing or wrong id is named `model.trained_model_id`
    (the service checks which field the kind needs)."""

    model_config = ConfigDict(extra="forbid")

    kind: ModelKind
    trained_model_id: Id | None = None
    backbone: str | None = Field(default=None, min_length=1, max_length=64)


class ExtractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: ModelRef
    # None: `model-<id>` for a trained model, `stock-<backbone>` for a stock one.
    collection: str | None = Field(default=None, max_length=128)
    sources: list[Source] = Field(default_factory=lambda: list(SOURCES), min_length=1)
    # Product images of these domains only (None: all); cutouts are never filtered by domain.
    domains: list[Domain] | None = Field(default=None, min_length=1)
    batch_size: int = Field(default=BATCH_DEFAULT, ge=BATCH_MIN, le=BATCH_MAX)

    _sources_distinct = field_validator("sources")(_distinct)
    _domains_distinct = field_validator("domains")(_distinct)


class ExtractPayload(BaseModel):
    collection_id: Id
    sources: list[Source] = Field(min_length=1)
    domains: list[Domain] | None = None
    batch_size: int = Field(default=BATCH_DEFAULT, ge=BATCH_MIN, le=BATCH_MAX)


class EmbedModel(BaseModel):
    """A model extraction can use: a registered PR model, or a stock backbone of the catalogue."""

    kind: ModelKind
    trained_model_id: int | None
    backbone: str
    name: str
    dim: int
    # A trained model's weights are in storage; a stock backbone needs its folder in the models dir.
    installed: bool
    test_metrics: dict[str, Any] | None
    # The collection this model's vectors go to by default, once it exists.
    collection_id: int | None


class EmbedModelList(BaseModel):
    items: list[EmbedModel]


class CollectionOut(BaseModel):
    id: int
    name: str
    model_kind: ModelKind
    trained_model_id: int | None
    # The trained model's name, or the stock backbone's title.
    model_name: str
    backbone: str
    dim: int
    metric: str
    vector_count: int
    # {"product_image": n, "cutout": n}
    by_kind: dict[str, int]
    # Product image vectors per domain {"synthetic", "real", "augmented", "cutout"}; a shelf cutout has
    # no catalogue domain and is counted in by_kind only.
    by_domain: dict[str, int]
    # The stored vectors (float32): vector_count x dim x 4.
    size_bytes: int
    last_job_id: int | None
    created_at: datetime
    updated_at: datetime


class CollectionList(BaseModel):
    items: list[CollectionOut]


class ExtractOut(BaseModel):
    job: Any
    collection: CollectionOut


class ExtractResult(BaseModel):
    """What an extraction did (the job's result)."""

    collection_id: int
    embedded: int
    unchanged: int
    # Items whose payload (product, domain, category) changed but not their bytes: no model call.
    payload_updated: int
    removed: int
    # [{"kind", "item_id", "reason"}]: missing from storage or unreadable; embedded by a later run.
    skipped: list[dict[str, Any]]
    # Match candidates written by pr.matching.predict_candidates (0 when nothing changed).
    candidates: int
    vector_count: int
    # Seconds: total_s (wall clock), load_s (the model, on a cache miss), model_s (embedding calls),
    # decode_s (reading and decoding, summed over the pool's threads: overlapped with the model),
    # wait_s (the model waiting for decoded images), db_s and index_s.
    timings: dict[str, float]
