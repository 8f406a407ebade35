"""Evaluations: queue one for a checkpoint, read them, and record what the worker found (torch-free;
the work is the `pr.evaluation.run` job, execute.py). A finished evaluation also gives its metrics to
the registered models that waited for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.errors import Conflict, NotFound
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.pr.evaluation.models import PrEvaluation
from shelfscope.pr.evaluation.schemas import (
    EVALUATION_KIND,
    LIVE_EVALUATION,
    EvaluationEnvelope,
    EvaluationOut,
    EvaluationPayload,
)
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingRun

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner


def require_evaluation(session: Session, evaluation_id: int) -> PrEvaluation:
    row = session.get(PrEvaluation, evaluation_id)
    if row is None:
        raise NotFound(f"Evaluation {evaluation_id} does not exist.", evaluation_id=evaluation_id)
    return row


def get_evaluation(session: Session, evaluation_id: int) -> EvaluationOut:
    return EvaluationOut.model_validate(require_evaluation(session, evaluation_id))


def latest_for_run(session: Session, run_id: int) -> EvaluationOut:
    """The run's newest succeeded evaluation."""
    if session.get(PrTrainingRun, run_id) is None:
        raise NotFound(f"Training run {run_id} does not exist.", run_id=run_id)
    row = session.scalars(
        select(PrEvaluation)
        .where(PrEvaluation.run_id == run_id, PrEvaluation.status == "succeeded")
        .order_by(PrEvaluation.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"Training run {run_id} has no finished evaluation yet.", run_id=run_id)
    return EvaluationOut.model_validate(row)


def succeeded_for_checkpoint(session: Session, checkpoint_id: int) -> PrEvaluation | None:
    return session.scalars(
        select(PrEvaluation)
        .where(PrEvaluation.checkpoint_id == checkpoint_id, PrEvaluation.status == "succeeded")
        .order_by(PrEvaluation.id.desc())
        .limit(1)
    ).first()


def add_evaluation(session: Session, checkpoint: PrCheckpoint, *, status: str = "queued") -> PrEvaluation:
    """A new evaluation row of `checkpoint` on its run's test split (flushed, not committed)."""
    row = PrEvaluation(
        run_id=checkpoint.run_id,
        checkpoint_id=checkpoint.id,
        epoch=checkpoint.epoch,
        split="test",
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def submit(session: Session, runner: JobRunner, evaluation_id: int, user_id: int | None) -> Job:
    """Queue the evaluation's job (commits) and link it; a refused submit leaves the row failed."""
    try:
        job = jobs.submit_job(
            session,
            runner,
            EVALUATION_KIND,
            EvaluationPayload(evaluation_id=evaluation_id).model_dump(),
            user_id,
        )
    except Exception:
        failed = session.get(PrEvaluation, evaluation_id)
        if failed is not None:
            failed.status = "failed"
            failed.error = "its job could not be queued"
            session.commit()
        raise
    row = require_evaluation(session, evaluation_id)
    row.job_id = job.id
    session.commit()
    return job


def evaluate_checkpoint(
    session: Session, runner: JobRunner, run_id: int, checkpoint_id: int, user_id: int | None
) -> EvaluationEnvelope:
    """Queue an evaluation of one checkpoint on its run's test products."""
    checkpoint = session.get(PrCheckpoint, checkpoint_id)
    if checkpoint is None or checkpoint.run_id != run_id:
        raise NotFound(
            f"Training run {run_id} has no checkpoint {checkpoint_id}.",
            run_id=run_id,
            checkpoint_id=checkpoint_id,
        )
    live = session.scalars(
        select(PrEvaluation.id).where(
            PrEvaluation.checkpoint_id == checkpoint_id, PrEvaluation.status.in_(LIVE_EVALUATION)
        )
    ).first()
    if live is not None:
        raise Conflict(
            f"Checkpoint {checkpoint_id} is already being evaluated (evaluation {live}).",
            checkpoint_id=checkpoint_id,
            evaluation_id=live,
        )
    row = add_evaluation(session, checkpoint)
    evaluation_id = row.id
    job = submit(session, runner, evaluation_id, user_id)
    return EvaluationEnvelope(
        evaluation=EvaluationOut.model_validate(require_evaluation(session, evaluation_id)),
        job=JobOut.model_validate(job),
    )


# ---- worker side --------------------------------------------------------------------------------------


def mark(db: Database, evaluation_id: int, **values: Any) -> None:
    with db.write() as session:
        row = session.get(PrEvaluation, evaluation_id)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)


def record_result(db: Database, evaluation_id: int, metrics: dict[str, Any], report: dict[str, Any]) -> None:
    """The evaluation succeeded: its figures stored, and given to the models registered from its
    checkpoint that have none yet (or that were waiting for this evaluation)."""
    with db.write() as session:
        row = session.get(PrEvaluation, evaluation_id)
        if row is None:
            return
        row.status = "succeeded"
        row.metrics = metrics
        row.report = report
        row.error = None
        # test_metrics is JSON: a Python None may be stored as JSON null, so it is checked here.
        linked = [PrTrainedModel.evaluation_id == evaluation_id]
        if row.checkpoint_id is not None:
            linked.append(PrTrainedModel.checkpoint_id == row.checkpoint_id)
        for model in session.scalars(select(PrTrainedModel).where(or_(*linked))):
            if model.evaluation_id == evaluation_id or model.test_metrics is None:
                model.test_metrics = metrics
                model.evaluation_id = evaluation_id


def close_orphaned(db: Database) -> list[int]:
    """Queued or running evaluations whose job ended without closing them: failed with the job's error."""
    with db.write() as session:
        rows = session.execute(
            select(PrEvaluation, Job.status, Job.error)
            .join(Job, Job.id == PrEvaluation.job_id)
            .where(PrEvaluation.status.in_(LIVE_EVALUATION), Job.status.in_(("failed", "cancelled")))
        ).all()
        for row, status, error in rows:
            row.status = "failed"
            row.error = row.error or error or f"its job was {status}"
        return [row.id for row, _, _ in rows]
