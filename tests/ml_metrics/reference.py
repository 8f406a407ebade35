"""The metric definitions written out one query at a time, to check the vectorised code against."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def ranking(scores: npt.NDArray[np.float64], row: int, exclude: int | None) -> list[int]:
    """Gallery indices by descending score, equal scores by lower index, without `exclude`."""
    order = sorted(range(scores.shape[1]), key=lambda j: (-scores[row, j], j))
    return [j for j in order if j != exclude]


def first_correct_ranks(embeddings: npt.NDArray[np.float32], labels: list[int]) -> dict[int, int]:
    """Leave-one-out: row -> 1-based rank of its first same-label row, for rows that have one."""
    scores = embeddings.astype(np.float64) @ embeddings.astype(np.float64).T
    ranks = {}
    for i, label in enumerate(labels):
        relevant = [labels[j] == label for j in ranking(scores, i, i)]
        if any(relevant):
            ranks[i] = relevant.index(True) + 1
    return ranks


def reference_metrics(
    q: npt.NDArray[np.float32],
    q_labels: list[int],
    g: npt.NDArray[np.float32],
    g_labels: list[int],
    ks: tuple[int, ...],
    exclude_self: bool,
) -> dict[str, float]:
    """retrieval_metrics by its definition."""
    hits = {k: 0 for k in ks}
    total_ap, counted, skipped = 0.0, 0, 0
    scores = q.astype(np.float64) @ g.astype(np.float64).T
    for i, label in enumerate(q_labels):
        relevant = [g_labels[j] == label for j in ranking(scores, i, i if exclude_self else None)]
        r = sum(relevant)
        if r == 0:
            skipped += 1
            continue
        counted += 1
        for k in ks:
            hits[k] += any(relevant[:k])
        found, ap = 0, 0.0
        for rank, rel in enumerate(relevant[:r], start=1):
            if rel:
                found += 1
                ap += found / rank
        total_ap += ap / r
    result: dict[str, float] = {f"recall_at_{k}": hits[k] / counted for k in ks}
    result.update(map_at_r=total_ap / counted, queries=counted, skipped_queries=skipped)
    return result
