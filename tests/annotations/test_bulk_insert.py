"""The bulk annotation writer (imports, AI predictions): PostgreSQL's binary COPY and SQLite's statement
store every column as given, polygon points and attributes as the JSON the caller made."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.annotations import service
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from tests.support.annotations import Scene


def test_bulk_insert_stores_every_column_as_given(ctx: AppContext, scene: Scene) -> None:
    at = datetime(2026, 12, 2, 17, 30, 15, 123456, tzinfo=UTC)
    with ctx.db.read() as session:
        members = list(
            session.scalars(
                select(DatasetImage.id)
                .where(DatasetImage.dataset_id == scene.dataset_id)
                .order_by(DatasetImage.id)
            )
        )
    points = [[1.5, 2.25], [30.0, 2.0], [16.125, 40.0]]
    attributes = {"difficult": True, "pose": "Left", "note": 'ünïcode "quoted" \\ text'}
    c1, c2 = scene.class_ids
    rows = [
        (members[0], c1, "bbox", 0.0, -0.0, 1e-7, 3000.123456789, None, None),
        (members[1], c2, "polygon", 1.5, 2.0, 30.0, 40.0, json.dumps(points), json.dumps(attributes)),
        (members[1], c1, "bbox", 5.0, 6.0, 7.0, 8.0, None, json.dumps({"iscrowd": 1})),
    ]
    shared = service.SharedValues(scene.dataset_id, None, at, (c1, c2), source="import")

    with ctx.db.write() as session:
        assert service.insert_many(session, [rows[:1], rows[1:]], shared) == 3

    with ctx.db.read() as session:
        stored = session.scalars(
            select(Annotation).where(Annotation.dataset_id == scene.dataset_id).order_by(Annotation.id)
        ).all()
    assert [
        (a.dataset_image_id, a.class_id, a.kind, a.x1, a.y1, a.x2, a.y2, a.points, a.attributes)
        for a in stored
    ] == [
        (members[0], c1, "bbox", 0.0, 0.0, 1e-7, 3000.123456789, None, None),
        (members[1], c2, "polygon", 1.5, 2.0, 30.0, 40.0, points, attributes),
        (members[1], c1, "bbox", 5.0, 6.0, 7.0, 8.0, None, {"iscrowd": 1}),
    ]
    assert all(
        (a.source, a.review_state, a.created_by, a.created_at, a.updated_at)
        == ("import", "none", None, at, at)
        for a in stored
    )
