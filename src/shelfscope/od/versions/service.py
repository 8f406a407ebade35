"""Dataset versions: immutable snapshots of a dataset's images, annotations and class mapping, with a
train/val/test split.

Creating a version stores a `building` row and queues `od.versions.build`; the build assigns splits
to images that have none (recorded on od_dataset_images.split, so the next version keeps them), then
copies images and annotations with two INSERT ... SELECT statements in one transaction. Class ids are
frozen into `class_mapping` and annotations point at an index into it, so renaming or merging a class
later changes no version.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.errors import Conflict, NotFound
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import submit_job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.label_set import order_key
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.versions.models import DatasetVersion, VersionAnnotation, VersionImage
from shelfscope.od.versions.schemas import (
    BUILD_KIND,
    BuildPayload,
    ClassMappingItem,
    SplitConfig,
    VersionCounts,
    VersionCreate,
    VersionOut,
    VersionPage,
)
from shelfscope.od.vocabulary import SNAPSHOT_REVIEW_STATES, SPLITS, Split
from shelfscope.pagination import check_limit, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

_UPDATE_CHUNK = 5_000


# ---- splitting (pure) -------------------------------------------------------------------------------


def largest_remainder(total: int, weights: Mapping[Split, float]) -> dict[Split, int]:
    """`total` items shared by `weights` in whole numbers that add up to `total`."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(SPLITS, 0)
    exact = {s: total * weights.get(s, 0.0) / weight_sum for s in SPLITS}
    counts = {s: int(exact[s]) for s in SPLITS}
    short = total - sum(counts.values())
    # Ties go to the earlier split (train before val before test) for a stable answer.
    for s in sorted(SPLITS, key=lambda s: (-(exact[s] - counts[s]), SPLITS.index(s)))[:short]:
        counts[s] += 1
    return counts


def assign_splits(images: Sequence[tuple[int, Split | None, int]], config: SplitConfig) -> dict[int, Split]:
    """A split for every image (id, current split, stratum): recorded splits stay when
    `keep_assigned`; the rest fill each split up to its share, per stratum when `stratified`, in a
    seeded random order (the same inputs give the same answer)."""
    ratios = config.ratios.as_dict()
    strata: dict[int, list[tuple[int, Split | None]]] = {}
    for image_id, split, stratum in images:
        strata.setdefault(stratum if config.stratified else 0, []).append((image_id, split))
    result: dict[int, Split] = {}
    for stratum in sorted(strata):
        members = strata[stratum]
        fixed = [(i, s) for i, s in members if s is not None and config.keep_assigned]
        free = sorted(i for i, s in members if s is None or not config.keep_assigned)
        random.Random(f"{config.seed}:{stratum}").shuffle(free)
        result.update(fixed)
        targets = largest_remainder(len(members), ratios)
        have = Counter(s for _, s in fixed)
        deficits = {s: max(0, targets[s] - have[s]) for s in SPLITS}
        if sum(deficits.values()) >= len(free):
            shares = largest_remainder(len(free), {s: float(d) for s, d in deficits.items()})
        else:
            extra = largest_remainder(len(free) - sum(deficits.values()), ratios)
            shares = {s: deficits[s] + extra[s] for s in SPLITS}
        labels = [s for s in SPLITS for _ in range(shares[s])]
        result.update(zip(free, labels, strict=True))
    return result


# ---- reading ----------------------------------------------------------------------------------------


def _out(version: DatasetVersion, job_status: str | None = None) -> VersionOut:
    status = version.status
    counts = VersionCounts.model_validate(version.counts or {})
    if status == "building" and job_status in ("failed", "cancelled"):
        # Its build job died with its worker (a handler that fails marks the version itself).
        status = "failed"
        counts.error = f"the build job was {job_status} before it finished"
    return VersionOut(
        id=version.id,
        dataset_id=version.dataset_id,
        number=version.number,
        name=version.name,
        description=version.description,
        status=status,
        class_mapping=[ClassMappingItem.model_validate(item) for item in version.class_mapping],
        split_config=dict(version.split_config),
        counts=counts,
        job_id=version.job_id,
        created_by=version.created_by,
        created_at=version.created_at,
    )


def load_version(session: Session, dataset_id: int, number: int) -> DatasetVersion:
    found = session.scalars(
        select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id, DatasetVersion.number == number)
    ).one_or_none()
    if found is None:
        require_dataset(session, dataset_id)
        raise NotFound(
            f"Dataset {dataset_id} has no version {number}.", dataset_id=dataset_id, version=number
        )
    return found


def _job_statuses(session: Session, versions: Sequence[DatasetVersion]) -> dict[int, str]:
    ids = [v.job_id for v in versions if v.status == "building" and v.job_id is not None]
    if not ids:
        return {}
    return {int(i): str(s) for i, s in session.execute(select(Job.id, Job.status).where(Job.id.in_(ids)))}


def get_version(session: Session, dataset_id: int, number: int) -> VersionOut:
    version = load_version(session, dataset_id, number)
    return _out(version, _job_statuses(session, [version]).get(version.job_id or 0))


def list_versions(
    session: Session, dataset_id: int, *, limit: int = 50, cursor: str | None = None
) -> VersionPage:
    """Newest first (by number)."""
    check_limit(limit)
    require_dataset(session, dataset_id)
    where = [DatasetVersion.dataset_id == dataset_id]
    total = session.scalar(select(func.count()).select_from(DatasetVersion).where(*where)) or 0
    if cursor:
        (before,) = decode_cursor(cursor, 1)
        where.append(DatasetVersion.number < int(before))
    rows = list(
        session.scalars(
            select(DatasetVersion).where(*where).order_by(DatasetVersion.number.desc()).limit(limit + 1)
        )
    )
    next_cursor = encode_cursor([rows[limit - 1].number]) if len(rows) > limit else None
    page = rows[:limit]
    jobs = _job_statuses(session, page)
    return VersionPage(
        items=[_out(v, jobs.get(v.job_id or 0)) for v in page], next_cursor=next_cursor, total=total
    )


# ---- creating ---------------------------------------------------------------------------------------


def create_version(
    session: Session, runner: JobRunner, dataset_id: int, body: VersionCreate, user_id: int | None
) -> tuple[Job, VersionOut]:
    """A `building` version with the next number, and the job that builds it."""
    require_dataset(session, dataset_id, lock=True)
    number = (
        session.scalar(select(func.max(DatasetVersion.number)).where(DatasetVersion.dataset_id == dataset_id))
        or 0
    ) + 1
    config = {
        **body.split.model_dump(mode="json"),
        "include_statuses": list(body.include_statuses),
        "include_unannotated": body.include_unannotated,
    }
    version = DatasetVersion(
        dataset_id=dataset_id,
        number=number,
        name=body.name.strip() or f"v{number}",
        description=body.description,
        status="building",
        class_mapping=[],
        split_config=config,
        counts={},
        created_by=user_id,
    )
    session.add(version)
    session.commit()
    try:
        job = submit_job(
            session, runner, BUILD_KIND, BuildPayload(version_id=version.id).model_dump(), user_id
        )
    except BaseException:
        _mark_failed(session, version.id, "the build job could not be queued")
        raise
    session.execute(update(DatasetVersion).where(DatasetVersion.id == version.id).values(job_id=job.id))
    session.commit()
    session.refresh(version)
    return job, _out(version)


def _mark_failed(session: Session, version_id: int, error: str) -> None:
    session.rollback()
    session.execute(
        update(DatasetVersion)
        .where(DatasetVersion.id == version_id, DatasetVersion.status == "building")
        .values(status="failed", counts={"error": error[:2000]})
    )
    session.commit()


def mark_failed(db: Database, version_id: int, error: str) -> None:
    with db.writer() as session:
        _mark_failed(session, version_id, error)


# ---- building ---------------------------------------------------------------------------------------


def _included(config: Mapping[str, Any]) -> list[Any]:
    where: list[Any] = [DatasetImage.status.in_(list(config.get("include_statuses") or []))]
    if not config.get("include_unannotated", True):
        where.append(DatasetImage.annotation_count > 0)
    return where


def _strata(session: Session, dataset_id: int) -> dict[int, int]:
    """Each annotated image's rarest class (by how many images have it), for stratified splits."""
    pairs = session.execute(
        select(Annotation.dataset_image_id, Annotation.class_id)
        .where(Annotation.dataset_id == dataset_id, Annotation.review_state.in_(SNAPSHOT_REVIEW_STATES))
        .distinct()
    ).all()
    frequency = Counter(class_id for _, class_id in pairs)
    rarest: dict[int, int] = {}
    for member_id, class_id in pairs:
        current = rarest.get(member_id)
        if current is None or (frequency[class_id], class_id) < (frequency[current], current):
            rarest[member_id] = class_id
    return rarest


def build_version(db: Database, version_id: int) -> VersionOut:
    """Split, snapshot and count, in one transaction (REPEATABLE READ on PostgreSQL, so the copy is
    one consistent moment of the dataset; SQLite's write transaction gives the same)."""
    with db.writer() as session:
        if not db.is_sqlite:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            version = session.get(DatasetVersion, version_id)
            if version is None:
                raise NotFound(f"Version {version_id} does not exist.", version_id=version_id)
            if version.status != "building":
                raise Conflict(
                    f"Version {version.number} is already {version.status}.", status=version.status
                )
            out = _build(session, version)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return out


def _assign(session: Session, dataset_id: int, config: dict[str, Any], included: list[Any]) -> int:
    """Gives every included image a split (kept where it has one); how many were assigned now."""
    split_config = SplitConfig.model_validate({k: config[k] for k in SplitConfig.model_fields if k in config})
    members = session.execute(
        select(DatasetImage.id, DatasetImage.split).where(DatasetImage.dataset_id == dataset_id, *included)
    ).all()
    strata = _strata(session, dataset_id) if split_config.stratified else {}
    wanted = assign_splits([(m.id, m.split, strata.get(m.id, -1)) for m in members], split_config)
    changes = [{"b_id": m.id, "b_split": wanted[m.id]} for m in members if wanted[m.id] != m.split]
    for start in range(0, len(changes), _UPDATE_CHUNK):
        # Core execution (not the ORM's bulk UPDATE by primary key): one executemany.
        session.connection().execute(
            update(DatasetImage)
            .where(DatasetImage.id == bindparam("b_id"))
            .values(split=bindparam("b_split")),
            changes[start : start + _UPDATE_CHUNK],
        )
    return len(changes)


def _class_mapping(session: Session, dataset_id: int, included: list[Any]) -> list[dict[str, Any]]:
    """The frozen class mapping: every class the included annotations use, in the label-set order."""
    used = (
        select(Annotation.class_id)
        .join(DatasetImage, DatasetImage.id == Annotation.dataset_image_id)
        .where(
            Annotation.dataset_id == dataset_id,
            Annotation.review_state.in_(SNAPSHOT_REVIEW_STATES),
            *included,
        )
        .distinct()
        .subquery()
    )
    in_label_set = order_key(session, dataset_id)
    classes = session.execute(
        select(OdClass.id, OdClass.name)
        .where(OdClass.id.in_(select(used.c.class_id)))
        .order_by(OdClass.name_key)
    ).all()
    classes = sorted(classes, key=lambda c: in_label_set(c.id))
    return [{"index": i, "class_id": c.id, "name": c.name} for i, c in enumerate(classes)]


def _copy_rows(
    session: Session, version: DatasetVersion, included: list[Any], mapping: list[dict[str, Any]]
) -> None:
    """Freezes the included images and their annotations (class ids as mapping indexes) into the version."""
    dataset_id = version.dataset_id
    session.execute(
        insert(VersionImage).from_select(
            ["version_id", "image_id", "split", "width", "height"],
            select(literal(version.id), DatasetImage.image_id, DatasetImage.split, Image.width, Image.height)
            .join(Image, Image.id == DatasetImage.image_id)
            .where(DatasetImage.dataset_id == dataset_id, *included)
            .order_by(DatasetImage.id),
        )
    )
    if not mapping:
        return
    index_of = case({m["class_id"]: m["index"] for m in mapping}, value=Annotation.class_id)
    session.execute(
        insert(VersionAnnotation).from_select(
            [
                "version_id",
                "version_image_id",
                "class_index",
                "kind",
                "x1",
                "y1",
                "x2",
                "y2",
                "points",
                "attributes",
            ],
            select(
                literal(version.id),
                VersionImage.id,
                index_of,
                Annotation.kind,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
                Annotation.points,
                Annotation.attributes,
            )
            .join(DatasetImage, DatasetImage.id == Annotation.dataset_image_id)
            .join(
                VersionImage,
                and_(VersionImage.version_id == version.id, VersionImage.image_id == DatasetImage.image_id),
            )
            .where(Annotation.dataset_id == dataset_id, Annotation.review_state.in_(SNAPSHOT_REVIEW_STATES))
            .order_by(VersionImage.id, Annotation.id),
        )
    )


def _build(session: Session, version: DatasetVersion) -> VersionOut:
    config = dict(version.split_config)
    included = _included(config)
    assigned = _assign(session, version.dataset_id, config, included)
    mapping = _class_mapping(session, version.dataset_id, included)
    _copy_rows(session, version, included, mapping)
    counts = _counts(session, version.id, mapping)
    version.class_mapping = mapping
    version.counts = counts.model_dump(mode="json")
    version.split_config = {**config, "assigned_now": assigned}
    version.status = "ready"
    session.flush()
    return _out(version)


def _counts(session: Session, version_id: int, mapping: list[dict[str, Any]]) -> VersionCounts:
    images = {
        split: int(n)
        for split, n in session.execute(
            select(VersionImage.split, func.count())
            .where(VersionImage.version_id == version_id)
            .group_by(VersionImage.split)
        )
    }
    annotations = {
        split: int(n)
        for split, n in session.execute(
            select(VersionImage.split, func.count())
            .join(VersionAnnotation, VersionAnnotation.version_image_id == VersionImage.id)
            .where(VersionImage.version_id == version_id)
            .group_by(VersionImage.split)
        )
    }
    names = {item["index"]: item["name"] for item in mapping}
    per_class = {
        names[int(index)]: int(n)
        for index, n in session.execute(
            select(VersionAnnotation.class_index, func.count())
            .where(VersionAnnotation.version_id == version_id)
            .group_by(VersionAnnotation.class_index)
        )
    }
    return VersionCounts(
        images={s: images.get(s, 0) for s in SPLITS},
        annotations={s: annotations.get(s, 0) for s in SPLITS},
        classes=per_class,
        total_images=sum(images.values()),
        total_annotations=sum(annotations.values()),
    )


def require_ready(session: Session, dataset_id: int, number: int) -> DatasetVersion:
    version = load_version(session, dataset_id, number)
    if version.status != "ready":
        raise Conflict(
            f"Version {number} is {version.status}; only a ready version can be exported.",
            version=number,
            status=version.status,
        )
    return version
