"""The review queue: a dataset's images with proposals still pending, in dataset order, and per model
how its proposals fared (accepted as they were, accepted after an edit, rejected, still pending).

Accepting and rejecting are ordinary editor saves (review_state accepted/rejected); rejected rows are
kept so these numbers stay true."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shelfscope.od.ai.schemas import ModelReviewStats, ReviewItem, ReviewPage, ReviewStats
from shelfscope.od.annotations import store
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.pagination import check_limit, decode_cursor, encode_cursor

_A = Annotation


def _pending(dataset_id: int) -> list[ColumnElement[bool]]:
    return [_A.dataset_id == dataset_id, _A.review_state == "pending"]


def list_review(
    session: Session, dataset_id: int, limit: int, cursor: str | None, after_image_id: int | None
) -> ReviewPage:
    """Images with pending proposals after the cursor (or after `after_image_id`: "next pending" from
    the image open in the editor), in the dataset's order (membership id)."""
    require_dataset(session, dataset_id)
    check_limit(limit)
    after = 0
    if cursor is not None:
        (after,) = decode_cursor(cursor, 1)
    if after_image_id is not None:
        member, _ = store.member(session, dataset_id, after_image_id)
        after = max(int(after), member.id)
    per_image = (
        select(_A.dataset_image_id, func.count())
        .where(*_pending(dataset_id), _A.dataset_image_id > after)
        .group_by(_A.dataset_image_id)
        .order_by(_A.dataset_image_id)
        .limit(limit + 1)
    )
    rows = [(int(m), int(n)) for m, n in session.execute(per_image)]
    page, more = rows[:limit], len(rows) > limit
    ids = [m for m, _ in page]
    files = dict(
        (m, (i, f))
        for m, i, f in session.execute(
            select(DatasetImage.id, Image.id, Image.filename)
            .join(Image, Image.id == DatasetImage.image_id)
            .where(DatasetImage.id.in_(ids))
        )
    )
    models: dict[int, list[str]] = {m: [] for m in ids}
    for member_id, model in session.execute(
        select(_A.dataset_image_id, _A.model)
        .where(*_pending(dataset_id), _A.dataset_image_id.in_(ids))
        .distinct()
        .order_by(_A.dataset_image_id, _A.model)
    ):
        models[member_id].append(model or "")
    total = session.scalar(
        select(func.count(func.distinct(_A.dataset_image_id))).where(*_pending(dataset_id))
    )
    items = [
        ReviewItem(image_id=files[m][0], filename=files[m][1], pending=n, models=models[m]) for m, n in page
    ]
    return ReviewPage(
        items=items, next_cursor=encode_cursor([ids[-1]]) if more else None, total=int(total or 0)
    )


def review_stats(session: Session, dataset_id: int | None) -> ReviewStats:
    """Per model: its AI proposals accepted as they were, accepted after an edit, rejected, pending."""
    stmt = select(_A.model, _A.review_state, _A.review_edited, func.count()).where(_A.source == "ai")
    if dataset_id is not None:
        require_dataset(session, dataset_id)
        stmt = stmt.where(_A.dataset_id == dataset_id)
    stats: dict[str, dict[str, int]] = {}
    for model, state, edited, count in session.execute(
        stmt.group_by(_A.model, _A.review_state, _A.review_edited)
    ):
        counts = stats.setdefault(
            model or "", {"accepted_as_is": 0, "accepted_after_edit": 0, "rejected": 0, "pending": 0}
        )
        if state == "accepted":
            counts["accepted_after_edit" if edited else "accepted_as_is"] += int(count)
        elif state in ("rejected", "pending"):
            counts[state] += int(count)
    return ReviewStats(items=[ModelReviewStats(model=m, **c) for m, c in sorted(stats.items())])
