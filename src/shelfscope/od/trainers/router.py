"""HTTP routes of trainer environments (mounted at /api/v1/od/trainers): list, install (a job)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shelfscope.auth.deps import AdminUser, CurrentUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.trainers import service
from shelfscope.od.trainers.schemas import TrainerFamilyList

router = APIRouter()

Family = Annotated[
    str, Path(min_length=1, max_length=32, description="A trainer family: rfdetr, rtdetrv2, yolo-nas.")
]


@router.get("", response_model=TrainerFamilyList)
def list_trainers(session: DbSession, ctx: Ctx, user: CurrentUser) -> TrainerFamilyList:
    """Every trainer family with whether it can train here and what is missing."""
    return TrainerFamilyList(items=service.list_families(session, ctx.settings))


@router.post("/{family}/install", status_code=202, response_model=JobEnvelope)
def install_trainer(family: Family, session: DbSession, ctx: Ctx, user: AdminUser) -> JobEnvelope:
    """Install the family's own environment as a job on the ml queue (the running one, if any)."""
    job = service.start_install(session, ctx.runner, ctx.settings, family, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))
