"""Whole numbers as the API accepts them: within the database column they are compared with, so a
number past it is a 422 naming the field, never an overflow inside the database driver (a 500).

`Id` is for every id in a path, a query or a body (BIGINT columns); `Number` for version numbers and
other INTEGER columns; `Seed` for random seeds.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
MAX_NUMBER = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Number = Annotated[int, Field(ge=1, le=MAX_NUMBER)]
Seed = Annotated[int, Field(ge=0, le=MAX_ID)]


def in_id_range(value: object) -> bool:
    """True for an int (not a bool) that fits a BIGINT column, for ids read from cursors and files."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID - 1 <= value <= MAX_ID
