"""How an import is cut into write transactions: batches of consecutive images, each with all of its
images' annotations, of about `batch_rows` rows each, so every transaction is short (SQLite lets one
writer in at a time) and every committed image is whole (its row, membership and boxes together)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shelfscope.od.imports.ingest import Unit
from shelfscope.od.imports.spill import Spill

# An image row with its membership costs about as much to write as this many annotation rows
# (measured on SQLite: ~80 µs against ~7 µs).
IMAGE_WEIGHT = 10


def batch_of_units(
    units: Sequence[Unit], unit_counts: npt.NDArray[np.int64], batch_rows: int
) -> npt.NDArray[np.int64]:
    """The batch number of each unit: consecutive units while their weight (annotations plus
    IMAGE_WEIGHT per image) fits in `batch_rows`; an image heavier than that is a batch of its own.
    Units with nothing to write weigh nothing."""
    batch = np.zeros(len(units), dtype=np.int64)
    current, used = 0, 0
    for i, unit in enumerate(units):
        weight = int(unit_counts[i]) + IMAGE_WEIGHT if unit.entries and i < len(unit_counts) else 0
        if used and used + weight > batch_rows:
            current, used = current + 1, 0
        batch[i] = current
        used += weight
    return batch


def split_rows(
    rows: Spill, batch_of_unit: npt.NDArray[np.int64], batches: int, directory: Path | None
) -> list[Spill]:
    """`rows` as one spill per batch, in one pass (each chunk's rows go to their batches' files at once,
    so memory stays at one chunk). A row's side data (polygon points, attributes) moves with it."""
    parts = [Spill(rows.dtype, directory) for _ in range(batches)]
    try:
        for chunk, extras in rows.chunks():
            batch = batch_of_unit[chunk["unit"]]
            if len(batch) > 1 and bool(np.any(batch[1:] < batch[:-1])):
                # Rows out of image order (COCO allows any): group them; their extras stay valid.
                order = np.argsort(batch, kind="stable")
                chunk, batch = chunk[order], batch[order]
            bounds = [0, *(np.flatnonzero(np.diff(batch)) + 1).tolist(), len(batch)]
            for start, stop in pairwise(bounds):
                if stop > start:
                    own, own_extras = _with_own_extras(chunk[start:stop], extras)
                    parts[int(batch[start])].add_array(own, own_extras)
    except BaseException:
        for part in parts:
            part.close()
        raise
    return parts


def _with_own_extras(
    part: npt.NDArray[np.void], extras: list[object]
) -> tuple[npt.NDArray[np.void], list[object]]:
    """The rows with their `extra` positions renumbered into a list of their own (a copy only when
    some row has side data)."""
    has = np.flatnonzero(part["extra"] >= 0)
    if not len(has):
        return part, []
    part = part.copy()
    own = [extras[int(i)] for i in part["extra"][has]]
    part["extra"][has] = np.arange(len(own), dtype=part["extra"].dtype)
    return part, own
