"""A cutout's state: matched to a product (its crop joins the product's gallery), unmatched or
rejected (the crop leaves the gallery). One cutout (PATCH) or many (bulk), each in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import for_update
from shelfscope.errors import ValidationFailed
from shelfscope.pr.cutouts import gallery
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.schemas import BulkIn, BulkOut, CutoutOut, CutoutPatch
from shelfscope.pr.cutouts.service import cutout_not_found, get_cutout
from shelfscope.storage import Storage


def _locked(session: Session, ids: Sequence[int]) -> list[Cutout]:
    return list(session.scalars(for_update(select(Cutout).where(Cutout.id.in_(list(ids))), session)))


def apply(
    session: Session,
    storage: Storage,
    settings: Settings,
    cutout: Cutout,
    state: str,
    product_id: int | None,
    user_id: int | None,
) -> bool:
    """Move one cutout to `state` (and `product_id` when matched); whether anything changed."""
    if state == "matched":
        assert product_id is not None
        if cutout.state == "matched" and cutout.product_id == product_id:
            return False
        if cutout.state == "matched":
            gallery.unlink(session, storage, [cutout.id])
        gallery.link(session, storage, settings, cutout, product_id, user_id)
        cutout.state, cutout.product_id = "matched", product_id
        return True
    if cutout.state == state:
        return False
    if cutout.state == "matched":
        gallery.unlink(session, storage, [cutout.id])
    cutout.state, cutout.product_id = state, None
    return True


def _target(body: CutoutPatch, cutout: Cutout) -> tuple[str, int | None]:
    fields = body.model_fields_set
    state = body.state if "state" in fields and body.state else "matched"
    if state != "matched":
        if "product_id" in fields and body.product_id is not None:
            raise ValidationFailed.field("product_id", f"is only taken with state 'matched', not '{state}'")
        return state, None
    product_id = body.product_id if "product_id" in fields else cutout.product_id
    if product_id is None:
        raise ValidationFailed.field("product_id", "choose the product this cutout shows")
    return state, product_id


def patch_cutout(
    session: Session,
    storage: Storage,
    settings: Settings,
    cutout_id: int,
    body: CutoutPatch,
    user_id: int | None,
) -> CutoutOut:
    found = _locked(session, [cutout_id])
    if not found:
        raise cutout_not_found(cutout_id)
    cutout = found[0]
    state, product_id = _target(body, cutout)
    if product_id is not None:
        gallery.require_product(session, product_id)
    apply(session, storage, settings, cutout, state, product_id, user_id)
    session.commit()
    return get_cutout(session, cutout_id)


_BULK_STATES = {"reject": "rejected", "unmatch": "unmatched", "match": "matched"}


def bulk_update(
    session: Session, storage: Storage, settings: Settings, body: BulkIn, user_id: int | None
) -> BulkOut:
    """All named cutouts or none: an unknown id is a 422 naming it, and nothing changes."""
    if body.action == "match":
        if body.product_id is None:
            raise ValidationFailed.field("product_id", "choose the product for action 'match'")
        gallery.require_product(session, body.product_id)
    elif body.product_id is not None:
        raise ValidationFailed.field("product_id", f"is only taken with action 'match', not '{body.action}'")
    ids = sorted(set(body.ids))
    cutouts = _locked(session, ids)
    missing = sorted(set(ids) - {c.id for c in cutouts})
    if missing:
        listed = ", ".join(str(i) for i in missing[:20])
        raise ValidationFailed(
            f"ids: no cutout with id {listed}; nothing was changed.",
            fields=[{"field": "ids", "message": f"no cutout with id {listed}"}],
            field="ids",
            missing_ids=missing,
        )
    state = _BULK_STATES[body.action]
    updated = sum(
        apply(session, storage, settings, c, state, body.product_id, user_id)
        for c in sorted(cutouts, key=lambda c: c.id)
    )
    session.commit()
    return BulkOut(updated=updated)


def forget_products(session: Session, product_ids: Sequence[int]) -> int:
    """Inside the caller's transaction, before products are deleted: their matched cutouts become
    unmatched (a matched cutout must name its product; the foreign key's SET NULL alone would break
    that rule). Their gallery images go with the products. Returns how many cutouts changed."""
    if not product_ids:
        return 0
    result = session.execute(
        update(Cutout)
        .where(Cutout.product_id.in_(list(product_ids)))
        .values(state="unmatched", product_id=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(cast("CursorResult[Any]", result).rowcount)
