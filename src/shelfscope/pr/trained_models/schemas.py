"""Shapes of the embedding model registry (register, list, edit, compare) and the compare job payload."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shelfscope.ids import Id

COMPARE_KIND = "pr.models.compare"
COMPARE_MIN, COMPARE_MAX = 2, 5
NAME_MAX = 255
DESCRIPTION_MAX = 10_000
# The test metrics the comparison table aligns (all higher-is-better), in display order.
COMPARE_METRICS = ("recall_at_1", "recall_at_5", "recall_at_10", "map_at_r")
ModelStatus = Literal["ready", "evaluating"]


def _name(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be blank")
    return stripped


class ModelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checkpoint_id: Id
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return _name(value)


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else _name(value)


class ModelOut(BaseModel):
    id: int
    name: str
    description: str
    run_id: int | None
    run_name: str | None
    checkpoint_id: int | None
    epoch: int | None
    backbone: str
    embedding_dim: int
    image_size: int
    preprocessing: dict[str, Any]
    test_metrics: dict[str, Any] | None
    evaluation_id: int | None
    size_bytes: int
    status: ModelStatus
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class ModelList(BaseModel):
    items: list[ModelOut]


class CompareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_ids: list[Id] = Field(min_length=COMPARE_MIN, max_length=COMPARE_MAX)
    # How many query images the visual comparison shows (each model's top 5 for the same queries).
    queries: int = Field(default=8, ge=1, le=50)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    @field_validator("model_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("lists a model twice")
        return value


class ComparePayload(BaseModel):
    model_ids: list[Id] = Field(min_length=COMPARE_MIN, max_length=COMPARE_MAX)
    queries: int = Field(default=8, ge=1, le=50)
    seed: int = 0


class CompareModel(BaseModel):
    id: int
    name: str
    backbone: str
    embedding_dim: int
    test_metrics: dict[str, Any] | None


class CompareRow(BaseModel):
    metric: str
    values: dict[str, float | None]
    # The model with the highest value (None: no model has one).
    best: int | None


class CompareTable(BaseModel):
    models: list[CompareModel]
    rows: list[CompareRow]
