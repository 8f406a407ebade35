"""HTTP routes of evaluations (mounted at /api/v1/pr/evaluations); they are started from a run's
checkpoint (/pr/training/{id}/checkpoints/{cid}/evaluate) or by registering a model."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.auth.deps import CurrentUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.pr.evaluation import service
from shelfscope.pr.evaluation.schemas import EvaluationOut

router = APIRouter(prefix="/evaluations")


@router.get("/{evaluation_id}", response_model=EvaluationOut)
def get_evaluation(evaluation_id: Id, session: DbSession, user: CurrentUser) -> EvaluationOut:
    return service.get_evaluation(session, evaluation_id)
