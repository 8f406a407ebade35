"""Class colours: a palette readable on shelf photos, and the rule that picks a new class's colour."""

from __future__ import annotations

import zlib
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.schemas import name_key

# Distinct, readable on photos; a new class without a colour gets one by its name.
PALETTE = (
    "#ef4444",
    "#f97316",
    "#f59e0b",
    "#eab308",
    "#84cc16",
    "#22c55e",
    "#10b981",
    "#14b8a6",
    "#06b6d4",
    "#0ea5e9",
    "#3b82f6",
    "#6366f1",
    "#8b5cf6",
    "#a855f7",
    "#d946ef",
    "#ec4899",
    "#f43f5e",
    "#78716c",
)


def palette_color(name: str) -> str:
    """The name's own colour (a hash of its key): where ties among the least used colours go."""
    return PALETTE[zlib.crc32(name_key(name).encode()) % len(PALETTE)]


def palette_usage(session: Session) -> Counter[str]:
    """How many classes have each palette colour (one grouped query)."""
    rows = session.execute(
        select(OdClass.color, func.count()).where(OdClass.color.in_(PALETTE)).group_by(OdClass.color)
    ).all()
    return Counter({str(color): int(count) for color, count in rows})


def pick_least_used(usage: Counter[str], name: str) -> str:
    """The palette colour fewest classes have, ties to the name's own colour; counts it as used, so
    a caller naming many new classes computes the usage once."""
    start = PALETTE.index(palette_color(name))
    rotated = PALETTE[start:] + PALETTE[:start]
    color = min(rotated, key=lambda c: usage.get(c, 0))
    usage[color] += 1
    return color


def least_used_palette_color(session: Session, name: str) -> str:
    """The palette colour fewest classes have, so classes created one by one stay distinguishable
    (a hash alone gives similar names the same colour); ties go to the name's own hash colour."""
    return pick_least_used(palette_usage(session), name)
