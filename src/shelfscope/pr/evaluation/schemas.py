"""Shapes of checkpoint evaluations (retrieval on a run's test products) and their job payload."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shelfscope.ids import Id

EVALUATION_KIND = "pr.evaluation.run"
EvaluationStatus = Literal["queued", "running", "succeeded", "failed"]
LIVE_EVALUATION: tuple[EvaluationStatus, ...] = ("queued", "running")


class EvaluationPayload(BaseModel):
    evaluation_id: Id


class EvaluationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: int
    checkpoint_id: int | None
    epoch: int | None
    split: str
    status: EvaluationStatus
    # {"recall_at_1", "recall_at_5", "recall_at_10", "map_at_r", "queries", "products", "images"}
    metrics: dict[str, Any] | None
    # ml/metrics/retrieval.evaluation_report: overall, cross_domain, per_category, hard_cases,
    # confused_pairs; image ids are served at /api/v1/pr/images/{id}/thumbnail.
    report: dict[str, Any] | None
    error: str | None
    job_id: int | None
    created_at: datetime


class EvaluationEnvelope(BaseModel):
    evaluation: EvaluationOut
    job: Any = None
