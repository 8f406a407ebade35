"""Class catalogue logic: unique names and aliases, renames, deletes and merges, each one audited.

A name or alias is identified by its casefolded form (`name_key`): one class owns a key either as
its name (`od_classes.name_key`) or as an alias (`od_class_aliases.alias_key`), never two classes.
Moving annotations between classes is a single set-based UPDATE, whatever the count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Select,
    and_,
    delete,
    distinct,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.colors import pick_color
from shelfscope.od.classes.models import ClassAlias, ClassChange, OdClass
from shelfscope.od.classes.schemas import (
    CategoryOut,
    ClassChangeOut,
    ClassCreate,
    ClassImpact,
    ClassOut,
    ClassUpdate,
    DatasetImpact,
    DeletePreview,
    DeleteResult,
    MergeIn,
    MergePreview,
    MergeResult,
    name_key,
)
from shelfscope.od.datasets.label_set import hand_over
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor, newest_first_after

_AUDITED_FIELDS = ("display_name", "color", "category", "description")


@dataclass(frozen=True)
class _Owner:
    class_id: int
    class_name: str
    as_alias: bool


# --- reading -------------------------------------------------------------------------------------


def least_used_palette_color(session: Session, name: str) -> str:
    """A colour no class has yet (palette first, then generated ones), so classes created one by one
    stay distinguishable however many there are."""
    rows = session.execute(select(OdClass.color, func.count()).group_by(OdClass.color)).all()
    return pick_color(Counter({str(color): int(count) for color, count in rows}))


def _to_out(cls: OdClass, annotation_count: int) -> ClassOut:
    return ClassOut(
        id=cls.id,
        name=cls.name,
        display_name=cls.display_name,
        color=cls.color,
        category=cls.category,
        description=cls.description,
        aliases=list(cls.aliases),
        annotation_count=annotation_count,
        created_at=cls.created_at,
        updated_at=cls.updated_at,
    )


def _load(session: Session, class_id: int, *, lock: bool = False, field: str = "id") -> OdClass:
    stmt = select(OdClass).where(OdClass.id == class_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).one_or_none()
    if found is None:
        raise NotFound(f"There is no class with id {class_id}.", field=field, missing_ids=[class_id])
    return found


def _load_many(session: Session, ids: Sequence[int], *, field: str, lock: bool = False) -> list[OdClass]:
    stmt = select(OdClass).where(OdClass.id.in_(ids)).order_by(OdClass.id)
    if lock:
        stmt = stmt.with_for_update()
    found = list(session.scalars(stmt))
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise NotFound(f"{field}: no class with id {listed}.", field=field, missing_ids=missing)
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in ids]


def _annotation_counts(session: Session, class_ids: Iterable[int]) -> dict[int, int]:
    ids = list(class_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Annotation.class_id, func.count())
        .where(Annotation.class_id.in_(ids))
        .group_by(Annotation.class_id)
    )
    counts = {int(class_id): int(n) for class_id, n in rows}
    return {i: counts.get(i, 0) for i in ids}


def get_class(session: Session, class_id: int) -> ClassOut:
    cls = _load(session, class_id)
    return _to_out(cls, _annotation_counts(session, [cls.id])[cls.id])


def resolve_class(session: Session, name: str) -> OdClass | None:
    """The class a name refers to, by its name or any alias, ignoring case (for importers)."""
    key = name_key(name)
    by_name = session.scalars(select(OdClass).where(OdClass.name_key == key)).one_or_none()
    if by_name is not None:
        return by_name
    return session.scalars(
        select(OdClass).join(ClassAlias, ClassAlias.class_id == OdClass.id).where(ClassAlias.alias_key == key)
    ).one_or_none()


def _like_pattern(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _class_filters(category: str | None, q: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if category is not None:
        where.append(OdClass.category == category)
    if q and q.strip():
        pattern = _like_pattern(q.strip())
        where.append(
            or_(
                OdClass.name_key.like(pattern, escape="\\"),
                func.lower(OdClass.display_name).like(pattern, escape="\\"),
                exists(
                    select(ClassAlias.alias_key).where(
                        ClassAlias.class_id == OdClass.id, ClassAlias.alias_key.like(pattern, escape="\\")
                    )
                ),
            )
        )
    return where


def list_classes(
    session: Session,
    *,
    category: str | None = None,
    q: str | None = None,
    dataset_id: int | None = None,
    limit: int = 500,
    cursor: str | None = None,
) -> Page[ClassOut]:
    """Classes by name with their annotation counts (all datasets, or one) in one grouped query."""
    check_limit(limit)
    where = _class_filters(category, q)
    counted = select(Annotation.class_id.label("class_id"), func.count().label("n")).group_by(
        Annotation.class_id
    )
    if dataset_id is not None:
        counted = counted.where(Annotation.dataset_id == dataset_id)
    counts = counted.subquery("counts")
    stmt = (
        select(OdClass, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.class_id == OdClass.id)
        .where(*where)
        .order_by(OdClass.name_key, OdClass.id)
        .limit(limit + 1)
    )
    if cursor:
        after_key, after_id = decode_cursor(cursor, 2)
        stmt = stmt.where(
            or_(
                OdClass.name_key > str(after_key),
                and_(OdClass.name_key == str(after_key), OdClass.id > int(after_id)),
            )
        )
    rows = session.execute(stmt).all()
    total = session.scalar(select(func.count()).select_from(OdClass).where(*where)) or 0
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1][0].name_key, page[-1][0].id]) if len(rows) > limit and page else None
    )
    return Page(items=[_to_out(c, int(n)) for c, n in page], next_cursor=next_cursor, total=total)


def list_categories(session: Session) -> list[CategoryOut]:
    rows = session.execute(
        select(OdClass.category, func.count())
        .where(OdClass.category.is_not(None))
        .group_by(OdClass.category)
        .order_by(OdClass.category)
    )
    return [CategoryOut(category=str(category), classes=int(n)) for category, n in rows]


# --- names and aliases ---------------------------------------------------------------------------


def _owners(session: Session, keys: Iterable[str], exclude_id: int | None) -> dict[str, _Owner]:
    """Which other class already answers to each key, as its name or as an alias."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    owners: dict[str, _Owner] = {}
    by_name = select(OdClass.name_key, OdClass.id, OdClass.name).where(OdClass.name_key.in_(wanted))
    by_alias = (
        select(ClassAlias.alias_key, OdClass.id, OdClass.name)
        .join(OdClass, OdClass.id == ClassAlias.class_id)
        .where(ClassAlias.alias_key.in_(wanted))
    )
    if exclude_id is not None:
        by_name = by_name.where(OdClass.id != exclude_id)
        by_alias = by_alias.where(OdClass.id != exclude_id)
    for key, class_id, class_name in session.execute(by_alias):
        owners[key] = _Owner(int(class_id), class_name, as_alias=True)
    for key, class_id, class_name in session.execute(by_name):
        owners[key] = _Owner(int(class_id), class_name, as_alias=False)
    return owners


def _taken(field: str, value: str, owner: _Owner) -> Conflict:
    what = "an alias of" if owner.as_alias else "the name of"
    message = f"'{value}' is already {what} class '{owner.class_name}' (id {owner.class_id})"
    return Conflict(
        f"{field}: {message}; names and aliases are unique without regard to case.",
        field=field,
        fields=[{"field": field, "message": message}],
        class_id=owner.class_id,
    )


def _check_free(session: Session, name: str | None, aliases: Sequence[str], exclude_id: int | None) -> None:
    keys = {name_key(a): a for a in aliases}
    if name is not None:
        keys[name_key(name)] = name
    owners = _owners(session, keys, exclude_id)
    if name is not None and name_key(name) in owners:
        raise _taken("name", name, owners[name_key(name)])
    for alias in aliases:
        if name_key(alias) in owners:
            raise _taken("aliases", alias, owners[name_key(alias)])


def _sync_alias_rows(session: Session, class_id: int, before: Sequence[str], after: Sequence[str]) -> None:
    old = {name_key(a) for a in before}
    new = {name_key(a) for a in after}
    gone = old - new
    if gone:
        session.execute(
            delete(ClassAlias)
            .where(ClassAlias.class_id == class_id, ClassAlias.alias_key.in_(sorted(gone)))
            .execution_options(synchronize_session=False)
        )
    session.add_all(ClassAlias(alias_key=key, class_id=class_id) for key in sorted(new - old))


def _merged_aliases(base: Sequence[str], extra: Iterable[str], own_key: str) -> list[str]:
    """base then extra, without duplicates (by key) and without the class's own name."""
    out: list[str] = []
    seen = {own_key}
    for alias in [*base, *extra]:
        key = name_key(alias)
        if key not in seen:
            seen.add(key)
            out.append(alias)
    return out


def _flush_unique(session: Session, field: str) -> None:
    # Two writers racing for the same name on PostgreSQL: the unique index decides, reported the same way.
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        message = "was just taken by another change; reload and try again"
        raise Conflict(
            f"{field}: {message}.", field=field, fields=[{"field": field, "message": message}]
        ) from None


# --- audit ---------------------------------------------------------------------------------------


def _snapshot(cls: OdClass) -> dict[str, Any]:
    return {
        "id": cls.id,
        "name": cls.name,
        "display_name": cls.display_name,
        "color": cls.color,
        "category": cls.category,
        "description": cls.description,
        "aliases": list(cls.aliases),
    }


def _audit(
    session: Session,
    *,
    class_id: int | None,
    class_name: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    user_id: int | None,
) -> None:
    session.add(
        ClassChange(
            class_id=class_id,
            class_name=class_name,
            action=action,
            before=before,
            after=after,
            user_id=user_id,
            at=utcnow(),
        )
    )


# --- create and update ---------------------------------------------------------------------------


def create_class(session: Session, body: ClassCreate, user_id: int | None) -> ClassOut:
    key = name_key(body.name)
    aliases = _merged_aliases([], body.aliases, key)
    _check_free(session, body.name, aliases, exclude_id=None)
    cls = OdClass(
        name=body.name,
        name_key=key,
        display_name=body.display_name,
        color=body.color or least_used_palette_color(session, body.name),
        category=body.category,
        description=body.description,
        aliases=aliases,
    )
    session.add(cls)
    _flush_unique(session, "name")
    _sync_alias_rows(session, cls.id, [], aliases)
    _audit(
        session,
        class_id=cls.id,
        class_name=cls.name,
        action="create",
        before=None,
        after=_snapshot(cls),
        user_id=user_id,
    )
    _flush_unique(session, "aliases")
    session.commit()
    return _to_out(cls, 0)


def update_class(session: Session, class_id: int, body: ClassUpdate, user_id: int | None) -> ClassOut:
    """Apply the given fields. A new name is a rename (audited as such, the old name kept as an
    alias); other changes are audited together as one update."""
    cls = _load(session, class_id, lock=True)
    given = body.model_fields_set
    old_name, old_key, old_aliases = cls.name, cls.name_key, list(cls.aliases)

    new_name = body.name if "name" in given and body.name is not None else cls.name
    new_key = name_key(new_name)
    explicit_aliases = "aliases" in given and body.aliases is not None
    base_aliases = list(body.aliases or []) if explicit_aliases else old_aliases
    renamed_away = [old_name] if new_key != old_key else []
    new_aliases = _merged_aliases(base_aliases, renamed_away, new_key)

    _check_free(
        session,
        new_name if new_key != old_key else None,
        [a for a in new_aliases if name_key(a) not in {name_key(o) for o in old_aliases} | {old_key}],
        exclude_id=cls.id,
    )

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field in _AUDITED_FIELDS:
        if field in given:
            value = getattr(body, field)
            if value != getattr(cls, field):
                before[field] = getattr(cls, field)
                after[field] = value
                setattr(cls, field, value)

    renamed = new_name != old_name
    aliases_changed = new_aliases != old_aliases
    if renamed:
        cls.name, cls.name_key = new_name, new_key
    if aliases_changed:
        _sync_alias_rows(session, cls.id, old_aliases, new_aliases)
        cls.aliases = new_aliases
        if explicit_aliases and not renamed:
            before["aliases"], after["aliases"] = old_aliases, new_aliases

    if renamed:
        _audit(
            session,
            class_id=cls.id,
            class_name=new_name,
            action="rename",
            before={"name": old_name, "aliases": old_aliases},
            after={"name": new_name, "aliases": new_aliases},
            user_id=user_id,
        )
    if after:
        _audit(
            session,
            class_id=cls.id,
            class_name=cls.name,
            action="update",
            before=before,
            after=after,
            user_id=user_id,
        )
    if renamed or after or aliases_changed:
        cls.updated_at = utcnow()
    _flush_unique(session, "name" if renamed else "aliases")
    session.commit()
    return _to_out(cls, _annotation_counts(session, [cls.id])[cls.id])


# --- impact of deletes and merges ----------------------------------------------------------------


def _impact(session: Session, class_ids: Sequence[int]) -> tuple[int, int, list[DatasetImpact]]:
    """(annotations, images, per-dataset breakdown) of the annotations using these classes."""
    rows = session.execute(
        select(
            Annotation.dataset_id,
            Dataset.name,
            func.count(),
            func.count(distinct(Annotation.dataset_image_id)),
        )
        .join(Dataset, Dataset.id == Annotation.dataset_id)
        .where(Annotation.class_id.in_(class_ids))
        .group_by(Annotation.dataset_id, Dataset.name)
        .order_by(func.count().desc(), Annotation.dataset_id)
    ).all()
    datasets = [
        DatasetImpact(dataset_id=int(d), dataset_name=name, annotations=int(n), images=int(i))
        for d, name, n, i in rows
    ]
    # A dataset image belongs to one dataset, so per-dataset image counts add up.
    return sum(d.annotations for d in datasets), sum(d.images for d in datasets), datasets


def _images_using(class_ids: Sequence[int]) -> Select[int]:
    return select(Annotation.dataset_image_id).where(Annotation.class_id.in_(class_ids))


def _rowcount(session: Session, statement: Executable) -> int:
    """Rows a bulk UPDATE/DELETE/INSERT ... SELECT touched (ORM sync off: no objects are loaded)."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(cast("CursorResult[Any]", result).rowcount)


def _bump_revisions(session: Session, class_ids: Sequence[int]) -> int:
    """Open editors holding these images must reload: their annotations are about to change."""
    return _rowcount(
        session,
        update(DatasetImage)
        .where(DatasetImage.id.in_(_images_using(class_ids)))
        .values(revision=DatasetImage.revision + 1),
    )


def _move_annotations(session: Session, source_ids: Sequence[int], target_id: int) -> int:
    return _rowcount(
        session,
        update(Annotation)
        .where(Annotation.class_id.in_(source_ids))
        .values(class_id=target_id, updated_at=utcnow()),
    )


# --- delete --------------------------------------------------------------------------------------


def delete_preview(session: Session, class_id: int) -> DeletePreview:
    cls = _load(session, class_id)
    annotations, images, datasets = _impact(session, [cls.id])
    return DeletePreview(id=cls.id, name=cls.name, annotations=annotations, images=images, datasets=datasets)


def delete_class(
    session: Session,
    class_id: int,
    *,
    annotations: Literal["delete"] | None,
    reassign_to: int | None,
    user_id: int | None,
) -> DeleteResult:
    """Refuse while annotations use the class, unless told to delete them or move them elsewhere."""
    if annotations is not None and reassign_to is not None:
        raise ValidationFailed.field("reassign_to", "cannot be combined with annotations=delete; choose one")
    if reassign_to is not None and reassign_to == class_id:
        raise ValidationFailed.field("reassign_to", "must be another class than the one being deleted")
    cls = _load(session, class_id, lock=True)
    target = _load(session, reassign_to, lock=True, field="reassign_to") if reassign_to is not None else None
    count = _annotation_counts(session, [cls.id])[cls.id]
    deleted = reassigned = images = 0
    if count and annotations is None and target is None:
        n, images, datasets = _impact(session, [cls.id])
        raise Conflict(
            f"'{cls.name}' is used by {n} annotations on {images} images; delete them with "
            "?annotations=delete or move them to another class with ?reassign_to=<class id>.",
            annotations=n,
            images=images,
            datasets=[d.model_dump() for d in datasets],
        )
    if target is not None:
        hand_over(session, [cls.id], target.id)
    if count and target is not None:
        images = _bump_revisions(session, [cls.id])
        reassigned = _move_annotations(session, [cls.id], target.id)
    elif count:
        remaining = (
            select(func.count())
            .select_from(Annotation)
            .where(Annotation.dataset_image_id == DatasetImage.id, Annotation.class_id != cls.id)
            .scalar_subquery()
        )
        # Counts are recomputed from what stays, so the image's annotation_count is right afterwards.
        images = _rowcount(
            session,
            update(DatasetImage)
            .where(DatasetImage.id.in_(_images_using([cls.id])))
            .values(annotation_count=remaining, revision=DatasetImage.revision + 1),
        )
        deleted = _rowcount(session, delete(Annotation).where(Annotation.class_id == cls.id))
    after: dict[str, Any] = {"annotations_deleted": deleted, "images": images}
    if target is not None:
        after = {
            "reassigned_to": target.id,
            "reassigned_to_name": target.name,
            "annotations_reassigned": reassigned,
            "images": images,
        }
    _audit(
        session,
        class_id=None,
        class_name=cls.name,
        action="delete",
        before={**_snapshot(cls), "annotation_count": count},
        after=after,
        user_id=user_id,
    )
    session.execute(delete(OdClass).where(OdClass.id == cls.id).execution_options(synchronize_session=False))
    session.commit()
    return DeleteResult(
        id=cls.id,
        name=cls.name,
        annotations_deleted=deleted,
        annotations_reassigned=reassigned,
        reassigned_to=target.id if target is not None else None,
        images=images,
    )


# --- merge ---------------------------------------------------------------------------------------


def _merge_parties(session: Session, body: MergeIn, *, lock: bool) -> tuple[OdClass, list[OdClass]]:
    source_ids = list(dict.fromkeys(body.source_ids))
    if body.target_id in source_ids:
        raise ValidationFailed.field(
            "source_ids",
            f"must not include the target class {body.target_id}; a class cannot merge into itself",
        )
    target = _load(session, body.target_id, lock=lock, field="target_id")
    sources = _load_many(session, source_ids, field="source_ids", lock=lock)
    return target, sources


def _aliases_from(sources: Sequence[OdClass]) -> list[str]:
    return [alias for s in sources for alias in (s.name, *s.aliases)]


def merge_preview(session: Session, body: MergeIn) -> MergePreview:
    target, sources = _merge_parties(session, body, lock=False)
    counts = _annotation_counts(session, [target.id, *(s.id for s in sources)])
    annotations, images, datasets = _impact(session, [s.id for s in sources])
    return MergePreview(
        target=ClassImpact(id=target.id, name=target.name, annotations=counts[target.id]),
        sources=[ClassImpact(id=s.id, name=s.name, annotations=counts[s.id]) for s in sources],
        annotations=annotations,
        images=images,
        datasets=datasets,
        aliases_added=_merged_aliases([], _aliases_from(sources), target.name_key),
    )


def merge_classes(session: Session, body: MergeIn, user_id: int | None) -> MergeResult:
    """Move every annotation of the sources to the target, keep the sources' names as the target's
    aliases, delete the sources; one transaction, set-based statements only."""
    target, sources = _merge_parties(session, body, lock=True)
    source_ids = [s.id for s in sources]
    counts = _annotation_counts(session, [target.id, *source_ids])
    target_before = _snapshot(target)

    images = _bump_revisions(session, source_ids)
    moved = _move_annotations(session, source_ids, target.id)
    hand_over(session, source_ids, target.id)

    # Alias rows of the sources change owner; the sources' own names become new alias rows.
    session.execute(
        update(ClassAlias)
        .where(ClassAlias.class_id.in_(source_ids))
        .values(class_id=target.id)
        .execution_options(synchronize_session=False)
    )
    session.add_all(ClassAlias(alias_key=s.name_key, class_id=target.id) for s in sources)
    target.aliases = _merged_aliases(target.aliases, _aliases_from(sources), target.name_key)
    target.updated_at = utcnow()

    merged = [ClassImpact(id=s.id, name=s.name, annotations=counts[s.id]) for s in sources]
    for source in sources:
        _audit(
            session,
            class_id=None,
            class_name=source.name,
            action="merge",
            before={**_snapshot(source), "annotation_count": counts[source.id]},
            after={"merged_into": target.id, "merged_into_name": target.name},
            user_id=user_id,
        )
    _audit(
        session,
        class_id=target.id,
        class_name=target.name,
        action="merge",
        before={**target_before, "annotation_count": counts[target.id]},
        after={
            **_snapshot(target),
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
        target=_to_out(target, counts[target.id] + moved),
        merged=merged,
        annotations_moved=moved,
        images=images,
    )


# --- history -------------------------------------------------------------------------------------


def _changes_page(
    session: Session, where: list[ColumnElement[bool]], limit: int, cursor: str | None
) -> Page[ClassChangeOut]:
    check_limit(limit)
    stmt = (
        select(ClassChange, User.username)
        .outerjoin(User, User.id == ClassChange.user_id)
        .where(*where)
        .order_by(ClassChange.at.desc(), ClassChange.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        stmt = stmt.where(newest_first_after(cursor, ClassChange.at, ClassChange.id))
    rows = session.execute(stmt).all()
    page = rows[:limit]
    items = [
        ClassChangeOut(
            id=change.id,
            class_id=change.class_id,
            class_name=change.class_name,
            action=change.action,
            before=change.before,
            after=change.after,
            user_id=change.user_id,
            username=username,
            at=change.at,
        )
        for change, username in page
    ]
    next_cursor = None
    if len(rows) > limit and page:
        last = page[-1][0]
        next_cursor = encode_cursor([last.at.isoformat(), last.id])
    return Page(items=items, next_cursor=next_cursor)


def class_history(
    session: Session, class_id: int, *, limit: int = 50, cursor: str | None = None
) -> Page[ClassChangeOut]:
    _load(session, class_id)
    return _changes_page(session, [ClassChange.class_id == class_id], limit, cursor)


def list_changes(
    session: Session, *, action: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[ClassChangeOut]:
    where = [ClassChange.action == action] if action else []
    return _changes_page(session, where, limit, cursor)
