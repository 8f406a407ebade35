"""Health checks and library-wide counts."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset
from shelfscope.od.images.models import Image
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.system.schemas import Check, Health, HealthChecks, JobsCheck, Stats, StorageCheck


def _timed(check: Any) -> tuple[bool, float, str | None]:
    started = time.perf_counter()
    try:
        check()
        return True, (time.perf_counter() - started) * 1000, None
    except Exception as exc:  # a health check reports every failure instead of raising it
        return False, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"


def check_health(ctx: AppContext, version: str) -> Health:
    db_ok, db_ms, db_detail = _timed(ctx.db.ping)
    st_ok, st_ms, st_detail = _timed(ctx.storage.ping)
    runner = ctx.runner.health()
    jobs = JobsCheck(
        ok=bool(runner.get("ok")),
        runner=str(runner.get("runner")),
        workers=int(runner.get("workers", 0)),
        detail=runner.get("detail"),
    )
    checks = HealthChecks(
        database=Check(ok=db_ok, latency_ms=round(db_ms, 2), detail=db_detail),
        storage=StorageCheck(
            ok=st_ok, latency_ms=round(st_ms, 2), detail=st_detail, backend=ctx.storage.backend
        ),
        jobs=jobs,
    )
    status = "ok" if db_ok and st_ok and jobs.ok else "degraded"
    return Health(status=status, version=version, checks=checks)


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def compute_stats(session: Session) -> Stats:
    return Stats(
        images=_count(session, Image),
        datasets=_count(session, Dataset),
        annotations=_count(session, Annotation),
        classes=_count(session, OdClass),
        models=_count(session, TrainedModel),
        jobs_running=_count(session, Job, Job.status.in_(("queued", "running"))),
    )
