"""The embedding model registry: register a checkpoint as a model (its own copy of the weights under
models/pr/<id>/model.pt, its test metrics from the checkpoint's evaluation or from one queued now),
list, edit, delete, and compare (the metrics table here; the visual comparison is the
`pr.models.compare` job). Torch-free."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import service as jobs
from shelfscope.jobs.schemas import JobOut
from shelfscope.pr.embeddings import service as embeddings
from shelfscope.pr.evaluation import service as evaluations
from shelfscope.pr.evaluation.models import PrEvaluation
from shelfscope.pr.evaluation.schemas import LIVE_EVALUATION
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.trained_models.schemas import (
    COMPARE_KIND,
    COMPARE_MAX,
    COMPARE_METRICS,
    COMPARE_MIN,
    CompareIn,
    CompareModel,
    ComparePayload,
    CompareRow,
    CompareTable,
    ModelIn,
    ModelList,
    ModelOut,
    ModelPatch,
)
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingRun
from shelfscope.storage import Storage
from shelfscope.storage.base import ObjectMissing

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

MODEL_AREA = "models/pr"


def model_key(model_id: int) -> str:
    return f"{MODEL_AREA}/{model_id}/model.pt"


def require_model(session: Session, model_id: int) -> PrTrainedModel:
    row = session.get(PrTrainedModel, model_id)
    if row is None:
        raise NotFound(f"There is no embedding model {model_id}.", model_id=model_id)
    return row


def describe(session: Session, rows: Sequence[PrTrainedModel]) -> list[ModelOut]:
    """The API shape of each model; runs, checkpoints and evaluations looked up once for all."""
    run_ids = {r.run_id for r in rows if r.run_id is not None}
    checkpoint_ids = {r.checkpoint_id for r in rows if r.checkpoint_id is not None}
    evaluation_ids = {r.evaluation_id for r in rows if r.evaluation_id is not None}
    runs: dict[int, str] = {}
    if run_ids:
        query = select(PrTrainingRun.id, PrTrainingRun.name).where(PrTrainingRun.id.in_(run_ids))
        runs = {int(i): str(n) for i, n in session.execute(query)}
    epochs: dict[int, int] = {}
    if checkpoint_ids:
        query_epochs = select(PrCheckpoint.id, PrCheckpoint.epoch).where(PrCheckpoint.id.in_(checkpoint_ids))
        epochs = {int(i): int(e) for i, e in session.execute(query_epochs)}
    evaluation_rows = (
        {
            int(i): (status, epoch)
            for i, status, epoch in session.execute(
                select(PrEvaluation.id, PrEvaluation.status, PrEvaluation.epoch).where(
                    PrEvaluation.id.in_(evaluation_ids)
                )
            )
        }
        if evaluation_ids
        else {}
    )
    out = []
    for r in rows:
        evaluation = evaluation_rows.get(r.evaluation_id) if r.evaluation_id is not None else None
        evaluating = r.test_metrics is None and evaluation is not None and evaluation[0] in LIVE_EVALUATION
        epoch = epochs.get(r.checkpoint_id) if r.checkpoint_id is not None else None
        if epoch is None and evaluation is not None:
            epoch = evaluation[1]
        out.append(
            ModelOut(
                id=r.id,
                name=r.name,
                description=r.description,
                run_id=r.run_id,
                run_name=runs.get(r.run_id) if r.run_id is not None else None,
                checkpoint_id=r.checkpoint_id,
                epoch=epoch,
                backbone=r.backbone,
                embedding_dim=r.embedding_dim,
                image_size=r.image_size,
                preprocessing=dict(r.preprocessing or {}),
                test_metrics=r.test_metrics,
                evaluation_id=r.evaluation_id,
                size_bytes=r.size_bytes,
                status="evaluating" if evaluating else "ready",
                created_by=r.created_by,
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )
    return out


def model_out(session: Session, row: PrTrainedModel) -> ModelOut:
    return describe(session, [row])[0]


def _check_name(session: Session, name: str, *, except_id: int | None = None) -> None:
    query = select(PrTrainedModel.id).where(func.lower(PrTrainedModel.name) == name.lower())
    if except_id is not None:
        query = query.where(PrTrainedModel.id != except_id)
    other = session.scalars(query.limit(1)).first()
    if other is not None:
        raise Conflict(
            f"name: a model named {name!r} already exists (model {other}).",
            field="name",
            fields=[{"field": "name", "message": "is taken"}],
            model_id=other,
        )


# ---- registering --------------------------------------------------------------------------------------


def register_model(
    session: Session, runner: JobRunner, storage: Storage, body: ModelIn, user_id: int | None
) -> ModelOut:
    """A model from a checkpoint: the row, its own copy of the file, and its test metrics (from the
    checkpoint's finished evaluation; else the running one, or a new evaluation job)."""
    checkpoint = session.get(PrCheckpoint, body.checkpoint_id)
    if checkpoint is None:
        raise ValidationFailed.field("checkpoint_id", f"checkpoint {body.checkpoint_id} does not exist")
    info = dict(checkpoint.model_info or {})
    if not info.get("embedding_dim"):
        raise Conflict(
            f"Checkpoint {checkpoint.id} has no record of its model; it cannot be registered.",
            checkpoint_id=checkpoint.id,
        )
    _check_name(session, body.name)
    evaluated = evaluations.succeeded_for_checkpoint(session, checkpoint.id)
    live_id = session.scalars(
        select(PrEvaluation.id)
        .where(PrEvaluation.checkpoint_id == checkpoint.id, PrEvaluation.status.in_(LIVE_EVALUATION))
        .limit(1)
    ).first()
    row = PrTrainedModel(
        name=body.name,
        description=body.description,
        run_id=checkpoint.run_id,
        checkpoint_id=checkpoint.id,
        storage_key=f"{MODEL_AREA}/new-{uuid.uuid4().hex}/model.pt",
        size_bytes=0,
        backbone=str(info.get("backbone", "")),
        embedding_dim=int(info["embedding_dim"]),
        image_size=int(info.get("image_size", 0)),
        preprocessing=dict(info.get("preprocessing") or {}),
        test_metrics=dict(evaluated.metrics or {}) if evaluated is not None else None,
        evaluation_id=evaluated.id if evaluated is not None else live_id,
        created_by=user_id,
    )
    session.add(row)
    session.flush()
    model_id = row.id
    key = model_key(model_id)
    try:
        with storage.open(checkpoint.storage_key) as stream:
            size = storage.put_stream(key, stream, "application/octet-stream")
    except ObjectMissing:
        session.rollback()
        storage.delete(key)
        raise Conflict(
            f"The file of checkpoint {checkpoint.id} is missing from storage; it cannot be registered.",
            checkpoint_id=checkpoint.id,
        ) from None
    try:
        row.storage_key = key
        row.size_bytes = size
        new_evaluation = None
        if evaluated is None and live_id is None:
            new_evaluation = evaluations.add_evaluation(session, checkpoint)
            row.evaluation_id = new_evaluation.id
        session.commit()
    except BaseException:
        session.rollback()
        storage.delete(key)
        raise
    if new_evaluation is not None:
        evaluations.submit(session, runner, new_evaluation.id, user_id)
    return model_out(session, require_model(session, model_id))


# ---- reading and editing ------------------------------------------------------------------------------


def list_models(session: Session) -> ModelList:
    """Every model, newest first (the extraction page's choice; a registry stays small)."""
    rows = list(
        session.scalars(
            select(PrTrainedModel).order_by(PrTrainedModel.created_at.desc(), PrTrainedModel.id.desc())
        )
    )
    return ModelList(items=describe(session, rows))


def get_model(session: Session, model_id: int) -> ModelOut:
    return model_out(session, require_model(session, model_id))


def update_model(session: Session, model_id: int, body: ModelPatch) -> ModelOut:
    row = require_model(session, model_id)
    if body.name is not None and body.name != row.name:
        _check_name(session, body.name, except_id=model_id)
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    session.commit()
    return model_out(session, row)


def delete_model(session: Session, storage: Storage, model_id: int, settings: Settings | None = None) -> None:
    """The model, its file, and its embedding collections (their rows cascade; the vector index drops
    them after the commit)."""
    row = require_model(session, model_id)
    key = row.storage_key
    collections = embeddings.collection_names_of_model(session, model_id)
    session.delete(row)
    session.commit()
    storage.delete(key)
    if settings is not None:
        embeddings.drop_from_index(settings, collections)


# ---- comparing ----------------------------------------------------------------------------------------


def _models_in_order(session: Session, model_ids: Sequence[int], field: str) -> list[PrTrainedModel]:
    if not COMPARE_MIN <= len(model_ids) <= COMPARE_MAX:
        raise ValidationFailed.field(
            field, f"compare {COMPARE_MIN} to {COMPARE_MAX} models (got {len(model_ids)})"
        )
    if len(set(model_ids)) != len(model_ids):
        raise ValidationFailed.field(field, "lists a model twice")
    found = {
        m.id: m for m in session.scalars(select(PrTrainedModel).where(PrTrainedModel.id.in_(list(model_ids))))
    }
    missing = [i for i in model_ids if i not in found]
    if missing:
        raise ValidationFailed.field(field, f"no model {', '.join(map(str, missing))}")
    return [found[i] for i in model_ids]


def parse_ids(raw: str) -> list[int]:
    """`ids=1,2,3` as ints, or ValidationFailed naming `ids`."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    try:
        ids = [int(p) for p in parts]
    except ValueError:
        raise ValidationFailed.field("ids", "must be model ids separated by commas") from None
    if any(not 1 <= i <= 2**63 - 1 for i in ids):
        raise ValidationFailed.field("ids", "must be model ids separated by commas")
    return ids


def compare_table(session: Session, model_ids: Sequence[int]) -> CompareTable:
    """The models' test metrics aligned: one row per metric, the best model named in each."""
    rows = _models_in_order(session, model_ids, "ids")
    table: list[CompareRow] = []
    for metric in COMPARE_METRICS:
        values: dict[str, float | None] = {}
        for m in rows:
            raw: Any = (m.test_metrics or {}).get(metric)
            values[str(m.id)] = float(raw) if isinstance(raw, int | float) else None
        best: int | None = None
        top = float("-inf")
        for m in rows:  # ties go to the model listed first
            value = values[str(m.id)]
            if value is not None and value > top:
                best, top = m.id, value
        table.append(CompareRow(metric=metric, values=values, best=best))
    return CompareTable(
        models=[
            CompareModel(
                id=m.id,
                name=m.name,
                backbone=m.backbone,
                embedding_dim=m.embedding_dim,
                test_metrics=m.test_metrics,
            )
            for m in rows
        ],
        rows=table,
    )


def start_compare(session: Session, runner: JobRunner, body: CompareIn, user_id: int | None) -> JobOut:
    """Queue the visual comparison: the same query images through every model, each one's top 5."""
    _models_in_order(session, body.model_ids, "model_ids")
    payload = ComparePayload(model_ids=body.model_ids, queries=body.queries, seed=body.seed)
    job = jobs.submit_job(session, runner, COMPARE_KIND, payload.model_dump(), user_id)
    return JobOut.model_validate(job)
