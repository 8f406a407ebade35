"""Merging classes: every annotation of the sources moves to the target, the sources' names become
the target's aliases, the sources are deleted; one transaction of set-based statements, audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.errors import ValidationFailed
from shelfscope.od.classes.history import record_change, snapshot
from shelfscope.od.classes.impact import bump_revisions, impact, move_annotations
from shelfscope.od.classes.lookup import annotation_counts, class_out, load_class, load_classes
from shelfscope.od.classes.models import ClassAlias, OdClass
from shelfscope.od.classes.schemas import ClassImpact, MergeIn, MergePreview, MergeResult
from shelfscope.od.classes.service import merged_aliases
from shelfscope.od.datasets.label_set import hand_over


def _merge_parties(session: Session, body: MergeIn, *, lock: bool) -> tuple[OdClass, list[OdClass]]:
    source_ids = list(dict.fromkeys(body.source_ids))
    if body.target_id in source_ids:
        raise ValidationFailed.field(
            "source_ids",
            f"must not include the target class {body.target_id}; a class cannot merge into itself",
        )
    target = load_class(session, body.target_id, lock=lock, field="target_id")
    sources = load_classes(session, source_ids, field="source_ids", lock=lock)
    return target, sources


def _aliases_from(sources: Sequence[OdClass]) -> list[str]:
    return [alias for s in sources for alias in (s.name, *s.aliases)]


def merge_preview(session: Session, body: MergeIn) -> MergePreview:
    target, sources = _merge_parties(session, body, lock=False)
    counts = annotation_counts(session, [target.id, *(s.id for s in sources)])
    annotations, images, datasets = impact(session, [s.id for s in sources])
    return MergePreview(
        target=ClassImpact(id=target.id, name=target.name, annotations=counts[target.id]),
        sources=[ClassImpact(id=s.id, name=s.name, annotations=counts[s.id]) for s in sources],
        annotations=annotations,
        images=images,
        datasets=datasets,
        aliases_added=merged_aliases([], _aliases_from(sources), target.name_key),
    )


def _take_aliases(session: Session, target: OdClass, sources: Sequence[OdClass]) -> None:
    """Alias rows of the sources change owner; the sources' own names become new alias rows."""
    session.execute(
        update(ClassAlias)
        .where(ClassAlias.class_id.in_([s.id for s in sources]))
        .values(class_id=target.id)
        .execution_options(synchronize_session=False)
    )
    session.add_all(ClassAlias(alias_key=s.name_key, class_id=target.id) for s in sources)
    target.aliases = merged_aliases(target.aliases, _aliases_from(sources), target.name_key)
    target.updated_at = utcnow()


def merge_classes(session: Session, body: MergeIn, user_id: int | None) -> MergeResult:
    """Move every annotation of the sources to the target, keep the sources' names as the target's
    aliases, delete the sources; one transaction, set-based statements only."""
    target, sources = _merge_parties(session, body, lock=True)
    source_ids = [s.id for s in sources]
    counts = annotation_counts(session, [target.id, *source_ids])
    target_before = snapshot(target)

    images = bump_revisions(session, source_ids)
    moved = move_annotations(session, source_ids, target.id)
    hand_over(session, source_ids, target.id)
    _take_aliases(session, target, sources)

    merged = [ClassImpact(id=s.id, name=s.name, annotations=counts[s.id]) for s in sources]
    for source in sources:
        record_change(
            session,
            class_id=None,
            class_name=source.name,
            action="merge",
            before={**snapshot(source), "annotation_count": counts[source.id]},
            after={"merged_into": target.id, "merged_into_name": target.name},
            user_id=user_id,
        )
    record_change(
        session,
        class_id=target.id,
        class_name=target.name,
        action="merge",
        before={**target_before, "annotation_count": counts[target.id]},
        after={
            **snapshot(target),
            "annotation_count": counts[target.id] + moved,
            "merged_from": [m.model_dump() for m in merged],
            "annotations_moved": moved,
            "images": images,
        },
        user_id=user_id,
    )
    session.flush()
    session.execute(
        delete(OdClass).where(OdClass.id.in_(source_ids)).execution_options(synchronize_session=False)
    )
    session.commit()
    return MergeResult(
        target=class_out(target, counts[target.id] + moved),
        merged=merged,
        annotations_moved=moved,
        images=images,
    )
