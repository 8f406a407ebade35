"""Cutting an import into batches: consecutive images within the row budget, and each batch's rows
(with their polygon points and attributes) in a spill of its own, whatever order they came in."""

from __future__ import annotations

import numpy as np

from shelfscope.od.imports.batches import IMAGE_WEIGHT, batch_of_units, split_rows
from shelfscope.od.imports.ingest import Unit
from shelfscope.od.imports.spill import ROW_DTYPE, Spill


def _unit(entries: int = 1) -> Unit:
    return Unit("hash", 10, 10, "a.jpg", None, entries=entries)


def test_batches_are_consecutive_images_within_the_budget_and_a_heavy_image_is_alone() -> None:
    units = [_unit(), _unit(), _unit(0), _unit(), _unit(), _unit()]
    counts = np.array([5, 5, 0, 100, 5, 5], dtype=np.int64)

    batches = batch_of_units(units, counts, batch_rows=2 * (5 + IMAGE_WEIGHT))

    # Two light images per batch; the unit with nothing to write weighs nothing; the heavy one alone.
    assert batches.tolist() == [0, 0, 0, 1, 2, 2]
    assert batch_of_units(units, counts, batch_rows=10**9).tolist() == [0] * 6


def test_rows_are_split_by_batch_in_one_pass_and_keep_their_side_data() -> None:
    rng = np.random.default_rng(3)
    spill = Spill(ROW_DTYPE, chunk_rows=7)
    expected: dict[int, list[tuple[int, object]]] = {}
    for n, unit in enumerate(rng.integers(0, 6, size=40).tolist()):  # units in no particular order
        extra = spill.add_extra(([[n, n]], {"n": n})) if n % 3 == 0 else -1
        spill.add((unit, 0, float(n), 0.0, float(n) + 1, 1.0, 1 if extra >= 0 else 0, extra))
        expected.setdefault(unit // 2, []).append((n, ([[n, n]], {"n": n}) if n % 3 == 0 else None))
    batch_of_unit = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)

    parts = split_rows(spill, batch_of_unit, 3, None)

    for batch, part in enumerate(parts):
        got = []
        for chunk, extras in part.chunks():
            assert set(batch_of_unit[chunk["unit"]].tolist()) == {batch}
            got += [
                (int(row["x1"]), extras[int(row["extra"])] if row["extra"] >= 0 else None) for row in chunk
            ]
        assert sorted(got, key=lambda r: r[0]) == expected.get(batch, [])
        part.close()
    spill.close()
