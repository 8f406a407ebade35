"""A new class's colour: the colour sequence of colors.py (24 palette colours, then generated ones)
set against the colours the catalogue's classes already have, counted in one grouped query."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.od.classes.colors import pick_color
from shelfscope.od.classes.models import OdClass


def palette_usage(session: Session) -> Counter[str]:
    """How many classes have each colour, lower-cased (one grouped query, any colour, not only the
    palette's: generated colours and hand-picked ones count as taken too)."""
    colour = func.lower(OdClass.color)
    rows = session.execute(select(colour, func.count()).group_by(colour)).all()
    return Counter({str(color): int(count) for color, count in rows})


def pick_least_used(usage: Counter[str]) -> str:
    """The first colour of the sequence no class has, else the least used one; counts it in `usage`,
    so a caller creating many classes at once counts the colours once and gives each a distinct one."""
    return pick_color(usage)


def least_used_palette_color(session: Session) -> str:
    """A colour no class has yet, so classes created one by one stay distinguishable."""
    return pick_least_used(palette_usage(session))
