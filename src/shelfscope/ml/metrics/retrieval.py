"""Retrieval metrics for product embeddings: exact inner-product search (faiss), Recall@K and mAP@R.

Ranking is by inner product, highest first; equal scores rank the lower gallery index first, so every
figure here is deterministic and can be checked by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import faiss
import numpy as np
import numpy.typing as npt

# Queries are searched in chunks of at most QUERY_CHUNK rows and CHUNK_CELLS (rows x neighbours), so
# memory stays bounded when R (a product's image count) is large.
QUERY_CHUNK = 4096
CHUNK_CELLS = 4_000_000
NEIGHBOURS = 5  # neighbours listed per hard case
UNCATEGORISED = "uncategorised"


class Neighbour(TypedDict):
    image_id: int
    product_id: int
    score: float


class HardCase(TypedDict):
    image_id: int
    product_id: int
    domain: str
    first_correct_rank: int  # exact, so never None: only queries with a same-product image are listed
    neighbours: list[Neighbour]


class ConfusedPair(TypedDict):
    product_a: int
    product_b: int
    count: int


class EvaluationReport(TypedDict):
    overall: dict[str, float]
    cross_domain: list[dict[str, str | float]]
    per_category: list[dict[str, str | float]]
    hard_cases: list[HardCase]
    confused_pairs: list[ConfusedPair]


def search(
    query: npt.ArrayLike, gallery: npt.ArrayLike, k: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """(scores, indices), each (n_query, min(k, n_gallery)): the gallery rows with the highest inner
    product per query, best first, equal scores by lower gallery index (faiss IndexFlatIP, exact).
    Inputs are expected L2-normalised so scores are cosine similarities."""
    q = _embeddings(query, "query")
    g = _embeddings(gallery, "gallery")
    _same_dim(q, "query", g, "gallery")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k: expected a positive integer, got {k!r}")
    return _search(q, g, _index(g), min(k, len(g)))


def retrieval_metrics(
    query_emb: npt.ArrayLike,
    query_labels: npt.ArrayLike,
    gallery_emb: npt.ArrayLike,
    gallery_labels: npt.ArrayLike,
    *,
    ks: Sequence[int] = (1, 5, 10),
    exclude_self: bool = False,
) -> dict[str, float]:
    """{"recall_at_<k>" for k in ks, "map_at_r", "queries", "skipped_queries"}.

    Recall@K: share of queries with at least one gallery item of their label in the top K.
    mAP@R (Musgrave et al. 2020): R = the query's relevant gallery count, AP@R = (1/R) * sum over
    ranks i <= R of P@i * rel_i, averaged over queries. Queries with no relevant gallery item are
    left out of every figure and counted in "skipped_queries"; with no query left every figure is 0.0.
    exclude_self: the query set is the gallery (row i is gallery item i) and each query's own row is
    removed from its ranking (leave-one-out)."""
    q = _embeddings(query_emb, "query_emb")
    g = _embeddings(gallery_emb, "gallery_emb")
    _same_dim(q, "query_emb", g, "gallery_emb")
    q_labels = _labels(query_labels, "query_labels", len(q))
    g_labels = _labels(gallery_labels, "gallery_labels", len(g))
    ks = _ks(ks)
    if exclude_self and len(q) != len(g):
        raise ValueError(
            f"exclude_self: query_emb has {len(q)} rows and gallery_emb {len(g)}; leave-one-out needs "
            "the query set to be the gallery"
        )
    q_codes, g_codes = _codes(q_labels, g_labels)
    ranking = _rank(q, q_codes, g, g_codes, ks, exclude_self=exclude_self, keep=0)
    return ranking.metrics(np.ones(len(q), dtype=bool), ks)


def evaluation_report(
    embeddings: npt.ArrayLike,
    product_ids: Sequence[int],
    domains: Sequence[str],
    image_ids: Sequence[int],
    categories: Sequence[str | None],
    *,
    hard_cases: int = 10,
    confused_pairs: int = 10,
    ks: Sequence[int] = (1, 5, 10),
) -> EvaluationReport:
    """The evaluation of one embedding set (row i is image image_ids[i] of product product_ids[i]),
    every figure as in `retrieval_metrics`, relevance = same product:

    - overall: every image queries all the others (leave-one-out);
    - cross_domain: for each ordered pair of distinct domains present, that domain's images query the
      other domain's images, in sorted order;
    - per_category: the leave-one-out ranking, its queries grouped by category (None is
      "uncategorised", listed last);
    - hard_cases: the counted queries whose first image of the same product ranks worst (exact rank,
      1-based; ties by image id), each with its top 5 neighbours;
    - confused_pairs: for counted queries whose top-1 neighbour is another product, the unordered
      product pairs by how often, most frequent first (ties by product ids)."""
    e = _embeddings(embeddings, "embeddings")
    n = len(e)
    products = _labels(product_ids, "product_ids", n)
    domain_of = [str(d) for d in _labels(domains, "domains", n)]
    images = _labels(image_ids, "image_ids", n)
    if len(categories) != n:
        raise ValueError(f"categories: {len(categories)} categories for {n} embedding rows")
    category_of = [UNCATEGORISED if c is None else str(c) for c in categories]
    ks = _ks(ks)
    for name, value in (("hard_cases", hard_cases), ("confused_pairs", confused_pairs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: expected a non-negative integer, got {value!r}")
    codes, _ = _codes(products, products[:0])

    ranking = _rank(e, codes, e, codes, ks, exclude_self=True, keep=NEIGHBOURS)
    everyone = np.ones(n, dtype=bool)

    cross_domain: list[dict[str, str | float]] = []
    domain_array = np.array(domain_of)
    for query_domain in sorted(set(domain_of)):
        for gallery_domain in sorted(set(domain_of) - {query_domain}):
            q, g = domain_array == query_domain, domain_array == gallery_domain
            pair = _rank(e[q], codes[q], e[g], codes[g], ks, exclude_self=False, keep=0)
            metrics = pair.metrics(np.ones(int(q.sum()), dtype=bool), ks)
            cross_domain.append({"query_domain": query_domain, "gallery_domain": gallery_domain, **metrics})

    category_array = np.array(category_of)
    names = sorted(set(category_of) - {UNCATEGORISED}) + (
        [UNCATEGORISED] if UNCATEGORISED in category_of else []
    )
    per_category: list[dict[str, str | float]] = [
        {"category": name, **ranking.metrics(category_array == name, ks)} for name in names
    ]

    counted = np.flatnonzero(ranking.relevant_count > 0)
    worst: list[HardCase] = []
    if hard_cases and len(counted):
        ranks = ranking.first_rank.copy()
        beyond = counted[ranks[counted] == 0]
        ranks[beyond] = _first_ranks_beyond(e, codes, beyond, ranking.searched[beyond])
        chosen = sorted(counted.tolist(), key=lambda i: (-int(ranks[i]), images[i].item()))[:hard_cases]
        worst = [
            {
                "image_id": int(images[i]),
                "product_id": int(products[i]),
                "domain": domain_of[i],
                "first_correct_rank": int(ranks[i]),
                "neighbours": [
                    {"image_id": int(images[j]), "product_id": int(products[j]), "score": float(score)}
                    for j, score in zip(ranking.top_indices[i], ranking.top_scores[i], strict=True)
                ],
            }
            for i in chosen
        ]

    confusions: Counter[tuple[int, int]] = Counter()
    if len(counted) and ranking.top_indices.shape[1]:
        top = ranking.top_indices[counted, 0]
        wrong = codes[top] != codes[counted]
        for a, b in zip(products[counted[wrong]].tolist(), products[top[wrong]].tolist(), strict=True):
            confusions[(min(a, b), max(a, b))] += 1
    pairs = sorted(confusions.items(), key=lambda item: (-item[1], item[0]))[:confused_pairs]

    return {
        "overall": ranking.metrics(everyone, ks),
        "cross_domain": cross_domain,
        "per_category": per_category,
        "hard_cases": worst,
        "confused_pairs": [{"product_a": int(a), "product_b": int(b), "count": c} for (a, b), c in pairs],
    }


def _first_ranks_beyond(
    e: npt.NDArray[np.float32],
    codes: npt.NDArray[np.int64],
    queries: npt.NDArray[np.intp],
    searched: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Leave-one-out rank of the first same-product image for queries whose searched list held none:
    1 + the other products' images scoring above it (or equal with a lower index)."""
    ranks = np.zeros(len(queries), dtype=np.int64)
    positions = np.arange(len(e))
    step = max(1, CHUNK_CELLS // len(e))
    for start in range(0, len(queries), step):
        rows = queries[start : start + step]
        scores = e[rows] @ e.T
        relevant = codes[None, :] == codes[rows, None]
        relevant[np.arange(len(rows)), rows] = False
        other = ~relevant
        other[np.arange(len(rows)), rows] = False
        best = np.where(relevant, scores, -np.inf).max(axis=1, keepdims=True)
        best_index = np.where(relevant & (scores == best), positions, len(e)).min(axis=1, keepdims=True)
        ahead = other & ((scores > best) | ((scores == best) & (positions < best_index)))
        ranks[start : start + len(rows)] = 1 + ahead.sum(axis=1)
    # faiss and numpy may round a score differently: a rank never falls inside the list searched.
    return np.maximum(ranks, searched + 1)


@dataclass(frozen=True)
class _Ranking:
    """Per-query results of one ranking. first_rank: 1-based rank of the first relevant gallery item
    within the query's searched list (its first `searched` neighbours), 0 when none is there.
    top_*: the first `keep` neighbours."""

    relevant_count: npt.NDArray[np.int64]
    hits: npt.NDArray[np.bool_]  # (n_query, len(ks))
    average_precision: npt.NDArray[np.float64]
    first_rank: npt.NDArray[np.int64]
    searched: npt.NDArray[np.int64]
    top_indices: npt.NDArray[np.int64]
    top_scores: npt.NDArray[np.float32]

    def metrics(self, queries: npt.NDArray[np.bool_], ks: Sequence[int]) -> dict[str, float]:
        """The metric dict over the queries selected by the boolean mask `queries`."""
        counted = queries & (self.relevant_count > 0)
        n = int(counted.sum())
        result: dict[str, float] = {}
        for column, k in enumerate(ks):
            result[f"recall_at_{k}"] = float(self.hits[counted, column].mean()) if n else 0.0
        result["map_at_r"] = float(self.average_precision[counted].mean()) if n else 0.0
        result["queries"] = n
        result["skipped_queries"] = int((queries & (self.relevant_count == 0)).sum())
        return result


def _rank(
    q: npt.NDArray[np.float32],
    q_codes: npt.NDArray[np.int64],
    g: npt.NDArray[np.float32],
    g_codes: npt.NDArray[np.int64],
    ks: Sequence[int],
    *,
    exclude_self: bool,
    keep: int,
) -> _Ranking:
    relevant_count = np.bincount(g_codes, minlength=int(q_codes.max()) + 1)[q_codes].astype(np.int64)
    if exclude_self:
        relevant_count -= 1
    index = _index(g)
    n_query = len(q)
    hits = np.zeros((n_query, len(ks)), dtype=bool)
    average_precision = np.zeros(n_query, dtype=np.float64)
    first_rank = np.zeros(n_query, dtype=np.int64)
    available = len(g) - 1 if exclude_self else len(g)
    keep = min(keep, available)
    top_indices = np.zeros((n_query, keep), dtype=np.int64)
    top_scores = np.zeros((n_query, keep), dtype=np.float32)
    searched = np.zeros(n_query, dtype=np.int64)
    deepest = max(max(ks), keep, int(relevant_count.max(initial=0)))
    step = max(1, min(QUERY_CHUNK, CHUNK_CELLS // deepest))
    for start in range(0, n_query, step):
        rows = slice(start, min(start + step, n_query))
        depth = min(available, max(max(ks), keep, int(relevant_count[rows].max(initial=0))))
        if depth == 0:
            continue
        own = np.arange(rows.start, rows.stop) if exclude_self else None
        scores, indices = _search(q[rows], g, index, depth, own)
        relevant = g_codes[indices] == q_codes[rows, None]
        for column, k in enumerate(ks):
            hits[rows, column] = relevant[:, :k].any(axis=1)
        rank = np.arange(1, depth + 1)
        precision = np.cumsum(relevant, axis=1) / rank
        within_r = rank <= relevant_count[rows, None]
        r = np.maximum(relevant_count[rows], 1)
        average_precision[rows] = (precision * (relevant & within_r)).sum(axis=1) / r
        first_rank[rows] = np.where(relevant.any(axis=1), relevant.argmax(axis=1) + 1, 0)
        top_indices[rows] = indices[:, :keep]
        top_scores[rows] = scores[:, :keep]
        searched[rows] = depth
    return _Ranking(relevant_count, hits, average_precision, first_rank, searched, top_indices, top_scores)


def _search(
    q: npt.NDArray[np.float32],
    g: npt.NDArray[np.float32],
    index: faiss.IndexFlatIP,
    k: int,
    own: npt.NDArray[np.int64] | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """The top k of gallery `g` (held by `index`) per query, equal scores ranked by lower gallery index;
    `own[i]`, when given, is left out of query i's list. k is at most len(g) (less one with `own`)."""
    excluded = 0 if own is None else 1
    fetch = min(len(g), k + excluded + 1)  # one more than needed shows ties at the cut
    scores, indices = index.search(q, fetch)
    # faiss picks arbitrarily among scores tied at the cut and lists ties in any order: fix the order,
    # and redo in numpy the rows where a tie crosses the cut.
    order = np.lexsort((indices, -scores), axis=1)
    scores, indices = np.take_along_axis(scores, order, axis=1), np.take_along_axis(indices, order, axis=1)
    if own is not None:
        is_own = indices == own[:, None]
        is_own[~is_own.any(axis=1), -1] = True  # own row beyond the list: drop the spare column instead
        scores, indices = scores[~is_own].reshape(len(q), -1), indices[~is_own].reshape(len(q), -1)
    if indices.shape[1] > k:
        redo = np.flatnonzero(scores[:, k] == scores[:, k - 1])
        scores, indices = scores[:, :k], indices[:, :k]
        for start in range(0, len(redo), 64):
            rows = redo[start : start + 64]
            scores[rows], indices[rows] = _search_numpy(q[rows], g, k, None if own is None else own[rows])
    return scores, indices


def _search_numpy(
    q: npt.NDArray[np.float32], g: npt.NDArray[np.float32], k: int, own: npt.NDArray[np.int64] | None
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    scores = q @ g.T
    positions = np.broadcast_to(np.arange(len(g)), scores.shape)
    order = np.lexsort((positions, -scores), axis=1)
    if own is not None:
        order = order[order != own[:, None]].reshape(len(q), -1)
    order = order[:, :k]
    return np.take_along_axis(scores, order, axis=1), order.astype(np.int64)


def _index(g: npt.NDArray[np.float32]) -> faiss.IndexFlatIP:
    index = faiss.IndexFlatIP(g.shape[1])
    index.add(g)
    return index


def _embeddings(value: npt.ArrayLike, name: str) -> npt.NDArray[np.float32]:
    try:
        array = np.ascontiguousarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected a 2-D array of numbers ({error})") from None
    if array.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (rows, dim), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name}: empty array of shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


def _same_dim(a: npt.NDArray[np.float32], a_name: str, b: npt.NDArray[np.float32], b_name: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{b_name}: dimension {b.shape[1]} does not match {a_name} dimension {a.shape[1]}")


def _labels(value: npt.ArrayLike, name: str, rows: int) -> npt.NDArray[np.generic]:
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {array.shape}")
    if len(array) != rows:
        raise ValueError(f"{name}: {len(array)} labels for {rows} embedding rows")
    return array


def _ks(ks: Sequence[int]) -> tuple[int, ...]:
    values = tuple(ks)
    if not values or any(isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1 for k in values):
        raise ValueError(f"ks: expected one or more positive integers, got {ks!r}")
    return tuple(dict.fromkeys(int(k) for k in values))


def _codes(
    q_labels: npt.NDArray[np.generic], g_labels: npt.NDArray[np.generic]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Both label arrays as indices into their joint set of distinct labels."""
    _, codes = np.unique(np.concatenate([q_labels, g_labels]), return_inverse=True)
    codes = codes.astype(np.int64).ravel()
    return codes[: len(q_labels)], codes[len(q_labels) :]
