"""HTTP routes of AI auto-annotation (mounted at /api/v1/od/ai): the batch job and its progress, one-image
detect for the editor, and the review queue with its numbers. Viewers may read, not run."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.ai import review, service
from shelfscope.od.ai.schemas import AnnotateIn, AnnotateStatus, DetectIn, DetectOut, ReviewPage, ReviewStats
from shelfscope.pagination import DEFAULT_LIMIT, PageLimit

router = APIRouter()


@router.post("/annotate", status_code=202, response_model=JobEnvelope)
def start_annotate(body: AnnotateIn, session: DbSession, ctx: Ctx, user: WriterUser) -> JobEnvelope:
    """Run a zero-shot detector over a dataset's images (all, unannotated or selected) as a job; its
    predictions are stored as AI proposals pending review."""
    job = service.start_annotate(session, ctx.runner, ctx.settings, body, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.get("/annotate/{job_id}", response_model=AnnotateStatus)
def annotate_status(job_id: Id, session: DbSession, user: CurrentUser) -> AnnotateStatus:
    """The job, images done of the total, and the boxes stored per class so far."""
    return service.annotate_status(session, job_id)


@router.post("/detect", response_model=DetectOut)
def detect(body: DetectIn, session: DbSession, ctx: Ctx, user: WriterUser) -> DetectOut:
    """Detect on one image now; stored like the batch (this model's pending proposals replaced)."""
    return service.detect(session, ctx.db, ctx.runner, ctx.settings, body, user.id)


@router.get("/review", response_model=ReviewPage)
def review_queue(
    dataset_id: Id,
    session: DbSession,
    user: CurrentUser,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
    after_image_id: Id | None = None,
) -> ReviewPage:
    """Images with proposals pending review, in dataset order; `after_image_id` gives the next ones
    after the image open in the editor."""
    return review.list_review(session, dataset_id, limit, cursor, after_image_id)


@router.get("/review/stats", response_model=ReviewStats)
def review_stats(session: DbSession, user: CurrentUser, dataset_id: Id | None = None) -> ReviewStats:
    """Per model: proposals accepted as they were, accepted after an edit, rejected, and pending."""
    return review.review_stats(session, dataset_id)
