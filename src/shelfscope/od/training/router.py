"""HTTP routes of detector training runs (mounted at /api/v1/od/training). Viewers may read; editors
start, cancel and delete runs. The live view is the run's job stream (/api/v1/jobs/{id}/stream)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import MAX_ID, Id
from shelfscope.jobs.schemas import LogPage
from shelfscope.od.training import service
from shelfscope.od.training.schemas import (
    ArchitectureOut,
    EstimateOut,
    RunEnvelope,
    RunIn,
    RunMetrics,
    RunOut,
    RunPage,
)
from shelfscope.pagination import DEFAULT_LIMIT, PageLimit

router = APIRouter()


@router.post("", status_code=202, response_model=RunEnvelope)
def start_run(body: RunIn, session: DbSession, ctx: Ctx, user: WriterUser) -> RunEnvelope:
    """Train a detector on a ready dataset version: the run and its `od.training.run` job."""
    return service.start_run(session, ctx.runner, ctx.settings, body, user.id)


@router.get("", response_model=RunPage)
def list_runs(
    session: DbSession,
    user: CurrentUser,
    status: Annotated[list[str] | None, Query()] = None,
    dataset_id: Id | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> RunPage:
    """Newest first; `status` may repeat or be comma-separated."""
    return service.list_runs(
        session, statuses=status or (), dataset_id=dataset_id, limit=limit, cursor=cursor
    )


@router.get("/architectures", response_model=list[ArchitectureOut])
def architectures(ctx: Ctx, user: CurrentUser) -> list[ArchitectureOut]:
    """Every architecture Shelfscope trains, and whether this installation can train it now."""
    return service.list_architectures(ctx.settings)


@router.get("/estimate", response_model=EstimateOut)
def estimate(
    dataset_version_id: Id,
    architecture: str,
    session: DbSession,
    ctx: Ctx,
    user: CurrentUser,
    epochs: Annotated[int, Query(ge=1, le=1000)] = 50,
    image_size: Annotated[int | None, Query(ge=32, le=2048)] = None,
    batch_size: Annotated[int, Query(ge=1, le=256)] = 8,
    device: str = "auto",
) -> EstimateOut:
    """A rough duration (seconds) from the version's image counts and the architecture's size."""
    return service.estimate(
        session, ctx.settings, dataset_version_id, architecture, epochs, image_size, batch_size, device
    )


@router.get("/{run_id}", response_model=RunOut)
def get_run(run_id: Id, session: DbSession, user: CurrentUser) -> RunOut:
    return service.get_run(session, run_id)


@router.delete("/{run_id}", status_code=204, response_model=None, responses={202: {"model": RunEnvelope}})
def delete_run(run_id: Id, session: DbSession, ctx: Ctx, user: WriterUser, force: bool = False) -> Response:
    """A live run is cancelled (202, it keeps its best checkpoint); a finished one is deleted with its
    checkpoints (204), which needs `force` when it registered a model (the model stays)."""
    run = service.delete_run(session, ctx.runner, ctx.storage, run_id, force, user.id)
    if run is None:
        return Response(status_code=204)
    return JSONResponse(RunEnvelope(run=run).model_dump(mode="json"), status_code=202)


@router.get("/{run_id}/metrics", response_model=RunMetrics)
def run_metrics(run_id: Id, session: DbSession, user: CurrentUser) -> RunMetrics:
    """Per-epoch rows and the throttled per-step loss and learning rate."""
    return service.run_metrics(session, run_id)


@router.get("/{run_id}/logs", response_model=LogPage)
def run_logs(
    run_id: Id,
    session: DbSession,
    user: CurrentUser,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> LogPage:
    """The run's log lines after event id `after`, oldest first."""
    return service.run_logs(session, run_id, after, limit)
