"""Class catalogue logic: unique names and aliases, creating classes one by one (the UI) or many at once
(`ensure_classes`: imports, AI predictions), updates and renames, each one audited.

A name or alias is identified by its casefolded form (`name_key`): one class owns a key either as
its name (`od_classes.name_key`) or as an alias (`od_class_aliases.alias_key`), never two classes.
Deletes and merges live in delete.py and merge.py, the audit trail in history.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict, ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.history import record_change, snapshot
from shelfscope.od.classes.lookup import annotation_counts, class_out, load_class
from shelfscope.od.classes.models import ClassAlias, ClassChange, OdClass
from shelfscope.od.classes.palette import least_used_palette_color, palette_usage, pick_least_used
from shelfscope.od.classes.schemas import (
    CategoryOut,
    ClassCreate,
    ClassOut,
    ClassUpdate,
    clean_class_name,
    name_key,
)
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor

_AUDITED_FIELDS = ("display_name", "color", "category", "description")
# Keys per IN (...) list when matching many names at once.
_MATCH_CHUNK = 500


@dataclass(frozen=True)
class _Owner:
    class_id: int
    class_name: str
    as_alias: bool


# --- reading -------------------------------------------------------------------------------------


def get_class(session: Session, class_id: int) -> ClassOut:
    cls = load_class(session, class_id)
    return class_out(cls, annotation_counts(session, [cls.id])[cls.id])


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
    return Page(items=[class_out(c, int(n)) for c, n in page], next_cursor=next_cursor, total=total)


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


def merged_aliases(base: Sequence[str], extra: Iterable[str], own_key: str) -> list[str]:
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


# --- create and update ---------------------------------------------------------------------------


def create_class(session: Session, body: ClassCreate, user_id: int | None) -> ClassOut:
    key = name_key(body.name)
    aliases = merged_aliases([], body.aliases, key)
    _check_free(session, body.name, aliases, exclude_id=None)
    cls = OdClass(
        name=body.name,
        name_key=key,
        display_name=body.display_name,
        color=body.color or least_used_palette_color(session),
        category=body.category,
        description=body.description,
        aliases=aliases,
    )
    session.add(cls)
    _flush_unique(session, "name")
    _sync_alias_rows(session, cls.id, [], aliases)
    record_change(
        session,
        class_id=cls.id,
        class_name=cls.name,
        action="create",
        before=None,
        after=snapshot(cls),
        user_id=user_id,
    )
    _flush_unique(session, "aliases")
    session.commit()
    return class_out(cls, 0)


def update_class(session: Session, class_id: int, body: ClassUpdate, user_id: int | None) -> ClassOut:
    """Apply the given fields. A new name is a rename (audited as such, the old name kept as an
    alias); other changes are audited together as one update."""
    cls = load_class(session, class_id, lock=True)
    given = body.model_fields_set
    old_name, old_key, old_aliases = cls.name, cls.name_key, list(cls.aliases)

    new_name = body.name if "name" in given and body.name is not None else cls.name
    new_key = name_key(new_name)
    explicit_aliases = "aliases" in given and body.aliases is not None
    base_aliases = list(body.aliases or []) if explicit_aliases else old_aliases
    renamed_away = [old_name] if new_key != old_key else []
    new_aliases = merged_aliases(base_aliases, renamed_away, new_key)

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
        record_change(
            session,
            class_id=cls.id,
            class_name=new_name,
            action="rename",
            before={"name": old_name, "aliases": old_aliases},
            after={"name": new_name, "aliases": new_aliases},
            user_id=user_id,
        )
    if after:
        record_change(
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
    return class_out(cls, annotation_counts(session, [cls.id])[cls.id])


# --- many names at once (imports, AI predictions, product recognition) ---------------------------

ClassMatched = Literal["name", "alias", "created"]


@dataclass(frozen=True)
class EnsuredClass:
    """The class a name resolved to, and how: by its name, by one of its aliases, or newly created."""

    class_id: int
    class_name: str
    matched: ClassMatched


def _keys(names: Iterable[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for name in names:
        try:
            keys[name] = name_key(name)
        except ValueError as exc:
            raise ValidationFailed.field("names", f"{name!r} cannot be a class name ({exc})") from None
    return keys


def find_classes(session: Session, names: Iterable[str]) -> dict[str, EnsuredClass]:
    """The existing class of each name, by its casefolded name, else by an alias (two queries per 500
    distinct keys, whatever the number of names); names no class answers to are left out."""
    keys = _keys(names)
    wanted = sorted(set(keys.values()))
    by_key: dict[str, EnsuredClass] = {}
    for start in range(0, len(wanted), _MATCH_CHUNK):
        chunk = wanted[start : start + _MATCH_CHUNK]
        for class_id, name, key in session.execute(
            select(OdClass.id, OdClass.name, OdClass.name_key).where(OdClass.name_key.in_(chunk))
        ):
            by_key[key] = EnsuredClass(class_id, name, "name")
        for class_id, name, key in session.execute(
            select(OdClass.id, OdClass.name, ClassAlias.alias_key)
            .join(ClassAlias, ClassAlias.class_id == OdClass.id)
            .where(ClassAlias.alias_key.in_(chunk))
        ):
            by_key.setdefault(key, EnsuredClass(class_id, name, "alias"))
    return {name: by_key[key] for name, key in keys.items() if key in by_key}


def _create_many(
    session: Session, names: Sequence[str], user_id: int | None, source: str
) -> dict[str, EnsuredClass]:
    """New classes for cleaned names of distinct keys, each with a distinct unused colour (the usage
    counted once, then kept up to date here) and their audit rows. Core executemany inserts (the ORM
    would insert row by row) and one id lookup per 500 names, whatever the count."""
    if not names:
        return {}
    usage = palette_usage(session)
    colors = [pick_least_used(usage) for _ in names]
    now = utcnow()
    session.execute(
        insert(OdClass),
        [
            {"name": n, "name_key": n.casefold(), "display_name": "", "color": c, "aliases": [],
             "created_at": now, "updated_at": now}
            for n, c in zip(names, colors, strict=True)
        ],
    )  # fmt: skip
    keys = [n.casefold() for n in names]
    ids: dict[str, int] = {}
    for start in range(0, len(keys), _MATCH_CHUNK):
        chunk = keys[start : start + _MATCH_CHUNK]
        for key, class_id in session.execute(
            select(OdClass.name_key, OdClass.id).where(OdClass.name_key.in_(chunk))
        ):
            ids[key] = int(class_id)
    session.execute(
        insert(ClassChange),
        [
            {"class_id": ids[n.casefold()], "class_name": n, "action": "create", "before": None,
             "after": {"name": n, "color": c, "source": source}, "user_id": user_id, "at": now}
            for n, c in zip(names, colors, strict=True)
        ],
    )  # fmt: skip
    return {n.casefold(): EnsuredClass(ids[n.casefold()], n, "created") for n in names}


def ensure_classes(
    session: Session, names: Sequence[str], user_id: int | None, *, source: str = "import"
) -> Mapping[str, EnsuredClass]:
    """The class of every name: found by its casefolded name, else by an alias, else created (one
    class per new key, spelt as its first name, audited with `source`). Batched: a fixed number of
    statements per 500 names. Does not commit; a name that cannot be a class name is ValidationFailed."""
    found = find_classes(session, names)
    missing: dict[str, str] = {}
    for name in names:
        if name not in found:
            cleaned = clean_class_name(name)
            missing.setdefault(cleaned.casefold(), cleaned)
    created = _create_many(session, list(missing.values()), user_id, source)
    return {name: found.get(name) or created[name_key(name)] for name in names}
