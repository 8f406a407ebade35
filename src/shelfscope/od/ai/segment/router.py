"""HTTP route of the SAM tool (mounted at /api/v1/od/ai): POST /segment."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.auth.deps import WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.od.ai.segment import service
from shelfscope.od.ai.segment.schemas import SegmentIn, SegmentOut

router = APIRouter()


@router.post("/segment", response_model=SegmentOut)
def segment(body: SegmentIn, ctx: Ctx, session: DbSession, user: WriterUser) -> SegmentOut:
    """A mask for positive and negative clicks and/or a box on a dataset image: COCO RLE (uncompressed,
    column-major), the outline polygon, the tight box and the model's score. The image's embedding is
    kept by the worker, so clicks after the first on an image run only the mask decoder. Stores
    nothing."""
    return service.segment(session, ctx, body, user.id)
