"""classes.service.ensure_classes: the one writer that imports (and later AI predictions) name classes
through: found by name, then by alias, else created with a colour no class has yet, audited, batched."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.errors import ValidationFailed
from shelfscope.od.classes.colors import PALETTE, class_color
from shelfscope.od.classes.models import ClassChange, OdClass
from shelfscope.od.classes.schemas import ClassCreate
from shelfscope.od.classes.service import create_class, ensure_classes
from tests.support.seed import count_statements


def test_names_match_by_name_then_by_alias_and_the_rest_are_created_once_per_key(ctx: AppContext) -> None:
    with ctx.db.writer() as session:
        cola = create_class(session, ClassCreate(name="Cola", aliases=["Coke"]), None)
    with ctx.db.writer() as session:
        found = ensure_classes(session, ["cola", "COKE", "Water", "water ", "Chips"], None, source="import")
        session.commit()

    assert (found["cola"].class_id, found["cola"].matched) == (cola.id, "name")
    assert (found["COKE"].class_id, found["COKE"].class_name, found["COKE"].matched) == (
        cola.id,
        "Cola",
        "alias",
    )
    assert found["Water"] == found["water "] and found["Water"].matched == "created"
    assert found["Water"].class_name == "Water" and found["Chips"].matched == "created"
    with ctx.db.read() as session:
        names = sorted(session.scalars(select(OdClass.name)))
        created = [
            (c.class_name, c.after)
            for c in session.scalars(
                select(ClassChange).where(ClassChange.action == "create").order_by(ClassChange.id)
            )
        ]
    assert names == ["Chips", "Cola", "Water"]
    colors = {name: after["color"] for name, after in created if after is not None}
    assert [(name, after) for name, after in created[1:]] == [
        ("Water", {"name": "Water", "color": colors["Water"], "source": "import"}),
        ("Chips", {"name": "Chips", "color": colors["Chips"], "source": "import"}),
    ]


def test_new_classes_created_at_once_each_take_a_distinct_unused_colour(ctx: AppContext) -> None:
    with ctx.db.writer() as session:
        first = ensure_classes(session, [f"product {i}" for i in range(len(PALETTE))], None)
        session.commit()
    assert len({c.class_id for c in first.values()}) == len(PALETTE)
    with ctx.db.read() as session:
        colors = list(session.scalars(select(OdClass.color)))
    assert sorted(colors) == sorted(PALETTE), "one class per palette colour before any repeats"

    with ctx.db.writer() as session:
        ensure_classes(session, [f"more {i}" for i in range(len(PALETTE))], None)
        session.commit()
    with ctx.db.read() as session:
        rows = session.execute(select(OdClass.color, func.count()).group_by(OdClass.color))
        uses = {color: int(n) for color, n in rows}
    assert set(uses.values()) == {1}, "past the palette, generated colours: still no repeats"
    assert sorted(uses) == sorted(str(class_color(i)) for i in range(2 * len(PALETTE)))


def test_matching_and_creating_many_names_takes_a_fixed_number_of_statements(ctx: AppContext) -> None:
    def statements(names: list[str]) -> int:
        with ctx.db.writer() as session, count_statements(ctx.db.engine) as seen:
            ensure_classes(session, names, None)
            session.commit()
        return len(seen)

    few = statements([f"a{i}" for i in range(3)])
    many = statements([f"b{i}" for i in range(120)] + [f"a{i}" for i in range(3)])
    assert many == few


def test_a_name_that_cannot_be_a_class_name_is_refused_and_nothing_is_created(ctx: AppContext) -> None:
    with ctx.db.writer() as session, pytest.raises(ValidationFailed) as refused:
        ensure_classes(session, ["ok", "bad\x00name"], None)
    assert refused.value.extra["fields"][0]["field"] == "names"
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OdClass)) == 0
