"""HTTP routes of embedding training runs (mounted at /api/v1/pr/training). Viewers read; editors
start, cancel, resume and delete runs and checkpoints. The live view is the run's job stream
(/api/v1/jobs/{id}/stream) or this run's row, polled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.pagination import DEFAULT_LIMIT, PageLimit
from shelfscope.pr.evaluation import service as evaluations
from shelfscope.pr.evaluation.schemas import EvaluationEnvelope, EvaluationOut
from shelfscope.pr.training import service
from shelfscope.pr.training.schemas import (
    BackboneOut,
    CheckpointOut,
    ResumeIn,
    ResumeOut,
    RunEnvelope,
    RunIn,
    RunOut,
    RunPage,
    Split,
    TrainingImagePage,
)

router = APIRouter(prefix="/training")


@router.get("/backbones", response_model=list[BackboneOut])
def backbones(ctx: Ctx, user: CurrentUser) -> list[BackboneOut]:
    """The embedder backbones, whether each is installed and whether a hub token is set (gated ones)."""
    return service.list_backbones(ctx.settings)


@router.post("", status_code=202, response_model=RunEnvelope)
def start_run(body: RunIn, session: DbSession, ctx: Ctx, user: WriterUser) -> RunEnvelope:
    """Freeze the selected images with their product-level split and queue the `pr.training.run` job.
    Too little data: 422 naming `data` with the product and image counts."""
    return service.start_run(session, ctx.runner, ctx.settings, body, user.id)


@router.get("", response_model=RunPage)
def list_runs(
    session: DbSession,
    user: CurrentUser,
    status: Annotated[list[str] | None, Query()] = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> RunPage:
    """Newest first; `status` may repeat or be comma-separated."""
    return service.list_runs(session, statuses=status or (), limit=limit, cursor=cursor)


@router.get("/{run_id}", response_model=RunOut)
def get_run(run_id: Id, session: DbSession, user: CurrentUser) -> RunOut:
    return service.get_run(session, run_id)


@router.delete("/{run_id}", status_code=204, response_class=Response)
def delete_run(run_id: Id, session: DbSession, ctx: Ctx, user: WriterUser, force: bool = False) -> Response:
    """A finished run with its checkpoints' files; a live one is refused (cancel first), and one that
    registered models needs `force` (the models stay)."""
    service.delete_run(session, ctx.storage, run_id, force)
    return Response(status_code=204)


@router.get("/{run_id}/images", response_model=TrainingImagePage)
def run_images(
    run_id: Id,
    session: DbSession,
    user: CurrentUser,
    split: Split | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> TrainingImagePage:
    """The frozen image list with each image's split."""
    return service.list_images(session, run_id, split=split, limit=limit, cursor=cursor)


@router.get("/{run_id}/checkpoints", response_model=list[CheckpointOut])
def checkpoints(run_id: Id, session: DbSession, user: CurrentUser) -> list[CheckpointOut]:
    return service.list_checkpoints(session, run_id)


@router.delete("/{run_id}/checkpoints/{checkpoint_id}", status_code=204, response_class=Response)
def delete_checkpoint(
    run_id: Id, checkpoint_id: Id, session: DbSession, ctx: Ctx, user: WriterUser, force: bool = False
) -> Response:
    """Removes the checkpoint and its file; 409 naming `model_ids` when a model came from it (unless
    `force`: the models keep their own copy)."""
    service.delete_checkpoint(session, ctx.storage, run_id, checkpoint_id, force)
    return Response(status_code=204)


@router.post(
    "/{run_id}/checkpoints/{checkpoint_id}/evaluate", status_code=202, response_model=EvaluationEnvelope
)
def evaluate_checkpoint(
    run_id: Id, checkpoint_id: Id, session: DbSession, ctx: Ctx, user: WriterUser
) -> EvaluationEnvelope:
    """Queue a `pr.evaluation.run` job for the checkpoint on the run's test products."""
    return evaluations.evaluate_checkpoint(session, ctx.runner, run_id, checkpoint_id, user.id)


@router.post("/{run_id}/cancel", status_code=202, response_model=RunEnvelope)
def cancel_run(run_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> RunEnvelope:
    return service.cancel_run(session, ctx.runner, run_id, user.id)


@router.post("/{run_id}/resume", status_code=202, response_model=ResumeOut)
def resume_run(
    run_id: Id, session: DbSession, ctx: Ctx, user: WriterUser, body: ResumeIn | None = None
) -> ResumeOut:
    """Train on from a checkpoint (the latest when none is named) with the remaining epochs."""
    return service.resume_run(session, ctx.runner, ctx.storage, run_id, body or ResumeIn(), user.id)


@router.get("/{run_id}/evaluation", response_model=EvaluationOut)
def run_evaluation(run_id: Id, session: DbSession, user: CurrentUser) -> EvaluationOut:
    """The run's newest finished evaluation (404 while there is none)."""
    return evaluations.latest_for_run(session, run_id)
