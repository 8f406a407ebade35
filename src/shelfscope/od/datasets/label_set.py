"""A dataset's label set: the classes a dataset is labelled with, in the order the editor offers them.

The set is the stored ordered list (`od_dataset_classes`), followed by the classes the dataset's
annotations use that the list does not place yet, by name. So a dataset that never had a list (an
import, or a dataset from before label sets) has its classes at once, a class first used in the
editor or by an import joins the end of the set with no extra write, and the order a person gave
stays as it was. Removing a class from the list while annotations still use it moves it to that
tail; a class merged into another, or deleted with its annotations moved to another, hands its place
to that class (`hand_over`); a class deleted outright leaves the list (the foreign key cascades).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from shelfscope.errors import ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetClass
from shelfscope.od.datasets.schemas import LabelSetClass, LabelSetIn, LabelSetOut

# The editor's number keys 1-9 go to the first nine classes of the set.
KEYS = 9


# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
_ID_CHUNK = 5_000


def _annotation_counts(session: Session, dataset_id: int) -> dict[int, int]:
    """Boxes per class in the dataset: one pass over the (dataset_id, class_id) index."""
    rows = session.execute(
        select(Annotation.class_id, func.count())
        .where(Annotation.dataset_id == dataset_id)
        .group_by(Annotation.class_id)
    )
    return {int(class_id): int(n) for class_id, n in rows}


def _ordered_classes(session: Session, dataset_id: int, used: Collection[int]) -> list[tuple[OdClass, bool]]:
    """(class, listed) in label-set order: the stored list, then the used classes not in it, by name."""
    listed = session.scalars(
        select(OdClass)
        .join(DatasetClass, DatasetClass.class_id == OdClass.id)
        .where(DatasetClass.dataset_id == dataset_id)
        .order_by(DatasetClass.position)
    ).all()
    placed = {c.id for c in listed}
    ids = sorted(set(used) - placed)
    unlisted = [
        c
        for start in range(0, len(ids), _ID_CHUNK)
        for c in session.scalars(select(OdClass).where(OdClass.id.in_(ids[start : start + _ID_CHUNK])))
    ]
    unlisted.sort(key=lambda c: (c.name_key, c.id))
    return [(c, True) for c in listed] + [(c, False) for c in unlisted]


def order_key(session: Session, dataset_id: int) -> Callable[[int], int]:
    """A sort key on class ids for the label-set order: the stored list by position, every other class
    after it. Sorting classes already by name with it gives the set's order, so exports and versions
    number classes as the editor's keys do."""
    positions = {
        int(class_id): int(position)
        for class_id, position in session.execute(
            select(DatasetClass.class_id, DatasetClass.position).where(DatasetClass.dataset_id == dataset_id)
        )
    }
    return lambda class_id: positions.get(class_id, len(positions))


def _read(session: Session, dataset_id: int) -> LabelSetOut:
    counts = _annotation_counts(session, dataset_id)
    items = [
        LabelSetClass(
            id=cls.id,
            name=cls.name,
            display_name=cls.display_name,
            color=cls.color,
            category=cls.category,
            key=index + 1 if index < KEYS else None,
            listed=listed,
            annotation_count=counts.get(cls.id, 0),
        )
        for index, (cls, listed) in enumerate(_ordered_classes(session, dataset_id, counts))
    ]
    return LabelSetOut(dataset_id=dataset_id, items=items)


def get_label_set(session: Session, dataset_id: int) -> LabelSetOut:
    require_dataset(session, dataset_id)
    return _read(session, dataset_id)


def _check_class_ids(session: Session, class_ids: Sequence[int]) -> None:
    """Every problem at once, each naming its `class_ids[i]`; raises before anything is written."""
    fields: list[dict[str, str]] = []
    first_at: dict[int, int] = {}
    for index, class_id in enumerate(class_ids):
        if class_id in first_at:
            fields.append(
                {
                    "field": f"class_ids[{index}]",
                    "message": f"class {class_id} is already at class_ids[{first_at[class_id]}]",
                }
            )
        else:
            first_at[class_id] = index
    known = set(session.scalars(select(OdClass.id).where(OdClass.id.in_(list(first_at)))))
    fields += [
        {"field": f"class_ids[{index}]", "message": f"there is no class with id {class_id}"}
        for class_id, index in first_at.items()
        if class_id not in known
    ]
    if fields:
        fields.sort(key=lambda f: int(f["field"][len("class_ids[") : -1]))
        detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        raise ValidationFailed(f"The label set was not changed: {detail}.", fields=fields)


def set_label_set(session: Session, dataset_id: int, body: LabelSetIn) -> LabelSetOut:
    """Replaces the dataset's stored order with `body.class_ids` (all of it, in one transaction)."""
    require_dataset(session, dataset_id, lock=True)
    _check_class_ids(session, body.class_ids)
    session.execute(delete(DatasetClass).where(DatasetClass.dataset_id == dataset_id))
    if body.class_ids:
        session.execute(
            insert(DatasetClass),
            [
                {"dataset_id": dataset_id, "class_id": class_id, "position": position}
                for position, class_id in enumerate(body.class_ids)
            ],
        )
    session.commit()
    return _read(session, dataset_id)


def hand_over(session: Session, source_ids: Sequence[int], target_id: int) -> None:
    """Before classes are merged or deleted into `target_id`: in each dataset whose order places a
    source but not the target, the target takes the first such place (a merge keeps the key)."""
    rows = session.execute(
        select(DatasetClass.dataset_id, DatasetClass.class_id, DatasetClass.position).where(
            DatasetClass.class_id.in_([*source_ids, target_id])
        )
    ).all()
    placed = {dataset_id for dataset_id, class_id, _ in rows if class_id == target_id}
    first: dict[int, tuple[int, int]] = {}
    for dataset_id, class_id, position in rows:
        if dataset_id in placed or class_id == target_id:
            continue
        if dataset_id not in first or position < first[dataset_id][0]:
            first[dataset_id] = (position, class_id)
    for dataset_id, (_, class_id) in first.items():
        session.execute(
            update(DatasetClass)
            .where(DatasetClass.dataset_id == dataset_id, DatasetClass.class_id == class_id)
            .values(class_id=target_id)
            .execution_options(synchronize_session=False)
        )
