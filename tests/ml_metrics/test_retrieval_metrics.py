"""Recall@K and mAP@R against cases worked out by hand, and the search they rest on."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from shelfscope.ml.metrics import retrieval, retrieval_metrics, search
from tests.ml_metrics.reference import reference_metrics


def scored(scores: list[list[float]]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(queries, gallery) whose inner products are exactly `scores` (n_query x n_gallery): query i is
    the unit vector e_i and gallery item j holds its scores in its components. The gallery rows are not
    normalised; the inner product is all the metric reads."""
    matrix = np.array(scores, dtype=np.float32)
    return np.eye(len(matrix), dtype=np.float32), np.ascontiguousarray(matrix.T)


def test_search_returns_best_first_ties_by_lower_index_and_caps_k_at_gallery_size() -> None:
    queries, gallery = scored([[0.5, 1.0, 0.5, 0.125], [0.25, 0.25, 0.25, 0.75]])

    scores, indices = search(queries, gallery, 2)
    assert indices.tolist() == [[1, 0], [3, 0]]
    assert scores.tolist() == [[1.0, 0.5], [0.75, 0.25]]

    scores, indices = search(queries, gallery, 10)
    assert indices.tolist() == [[1, 0, 2, 3], [3, 0, 1, 2]]
    assert scores.tolist() == [[1.0, 0.5, 0.5, 0.125], [0.75, 0.25, 0.25, 0.25]]


def test_search_tie_order_holds_for_many_identical_items() -> None:
    gallery = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (300, 1))
    gallery[::3] = [0.0, 1.0]
    query = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (25, 1))
    _, indices = search(query, gallery, 150)
    expected = [i for i in range(300) if i % 3][:150]
    assert all(row == expected for row in indices.tolist())


def test_recall_and_map_at_r_match_hand_computed_values_and_skip_queries_without_relevant_items() -> None:
    # Gallery labels x y x y y x. Query 0 (x) ranks g1 g0 g3 g5 g4 g2: relevant at 2, 4, 6; R = 3,
    # AP@R = (1/3) * (1/2) = 1/6. Query 1 (y) ranks g3 g1 g0 g4 g2 g5: relevant at 1, 2, 4; R = 3,
    # AP@R = (1/3) * (1 + 1) = 2/3. Query 2 (z) has no relevant item: skipped.
    queries, gallery = scored(
        [
            [0.75, 1.0, 0.0, 0.5, 0.125, 0.25],
            [0.5, 0.75, 0.125, 1.0, 0.25, 0.0],
            [1.0, 0.5, 0.25, 0.125, 0.0, 0.75],
        ]
    )
    metrics = retrieval_metrics(queries, ["x", "y", "z"], gallery, ["x", "y", "x", "y", "y", "x"])
    assert metrics == {
        "recall_at_1": 0.5,
        "recall_at_5": 1.0,
        "recall_at_10": 1.0,
        "map_at_r": pytest.approx((1 / 6 + 2 / 3) / 2),
        "queries": 2,
        "skipped_queries": 1,
    }


def test_map_at_r_looks_past_the_largest_k_when_r_is_larger() -> None:
    # R = 3 relevant items (label 1) at ranks 1, 3 and 4: AP@R = (1/3) * (1/1 + 2/3) = 5/9, although
    # only Recall@1 is asked for. Recall@1 = 1.
    queries, gallery = scored([[1.0, 0.75, 0.5, 0.25, 0.125, 0.0]])
    metrics = retrieval_metrics(queries, [1], gallery, [1, 2, 1, 1, 2, 2], ks=(1,))
    assert metrics == {
        "recall_at_1": 1.0,
        "map_at_r": pytest.approx(5 / 9),
        "queries": 1,
        "skipped_queries": 0,
    }


def test_equal_scores_rank_the_lower_gallery_index_first() -> None:
    queries, gallery = scored([[0.5, 0.5]])
    assert retrieval_metrics(queries, [7], gallery, [8, 7], ks=(1,))["recall_at_1"] == 0.0
    assert retrieval_metrics(queries, [7], gallery, [7, 8], ks=(1,))["recall_at_1"] == 1.0


def test_exclude_self_leaves_each_query_out_of_its_own_ranking() -> None:
    # Inner products (integers, exact):      0   1   2   3   4
    #   0 (3,0) a                            9   6   0   3   6
    #   1 (2,1) a                            6   5   3   3   6
    #   2 (0,3) b                            0   3   9   3   6
    #   3 (1,1) b                            3   3   3   2   4
    #   4 (2,2) c                            6   6   6   4   8
    # Query 0 ranks 1 4 3 2: hit at 1. Query 1 ranks 0 4 2 3 (its own 5 sits between): hit at 1.
    # Query 2 ranks 4 1 3 0: its b at 3, R = 1, AP = 0. Query 3 ranks 4 0 1 2 (its own 2 is last): b at 4,
    # AP = 0. Query 4 is the only c: skipped.
    embeddings = np.array([[3, 0], [2, 1], [0, 3], [1, 1], [2, 2]], dtype=np.float32)
    labels = ["a", "a", "b", "b", "c"]
    metrics = retrieval_metrics(embeddings, labels, embeddings, labels, exclude_self=True)
    assert metrics == {
        "recall_at_1": 0.5,
        "recall_at_5": 1.0,
        "recall_at_10": 1.0,
        "map_at_r": 0.5,
        "queries": 4,
        "skipped_queries": 1,
    }
    without = retrieval_metrics(embeddings, labels, embeddings, labels, ks=(1,))
    assert without["recall_at_1"] == 0.8  # 0, 2, 4 find themselves, 1 finds 0 (a), 3 finds 4 (c)


def test_exclude_self_when_more_items_tie_with_the_query_than_are_searched() -> None:
    # All five items are the same vector, so every ranking is by index. Labels a a b b b: R is 1 for a,
    # 2 for b. Query 0 ranks 1 2 3 4 (hit); query 1 ranks 0 2 3 4 (hit); query 2 ranks 0 1 3 4, query 3
    # ranks 0 1 2 4 and query 4 ranks 0 1 2 3: no b in the top R = 2, AP 0.
    embeddings = np.ones((5, 2), dtype=np.float32)
    labels = [0, 0, 1, 1, 1]
    metrics = retrieval_metrics(embeddings, labels, embeddings, labels, ks=(1,), exclude_self=True)
    assert metrics == {"recall_at_1": 0.4, "map_at_r": 0.4, "queries": 5, "skipped_queries": 0}


def test_no_countable_query_gives_zero_figures_with_zero_queries() -> None:
    embeddings = np.eye(3, dtype=np.float32)
    metrics = retrieval_metrics(embeddings, [1, 2, 3], embeddings, [1, 2, 3], ks=(1,), exclude_self=True)
    assert metrics == {"recall_at_1": 0.0, "map_at_r": 0.0, "queries": 0, "skipped_queries": 3}


@pytest.mark.parametrize("exclude_self", [False, True])
def test_vectorised_and_chunked_metrics_equal_the_definitions_on_random_data(
    exclude_self: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "QUERY_CHUNK", 7)  # several chunks with different search depths
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(12, 16))
    g_labels = [int(x) for x in rng.integers(0, 12, size=90)]
    g = (centres[g_labels] + rng.normal(scale=1.2, size=(90, 16))).astype(np.float32)
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    if exclude_self:
        q, q_labels = g, g_labels
    else:
        q_labels = [int(x) for x in rng.integers(0, 13, size=40)]  # label 12 has no gallery item
        q = (np.vstack([centres, np.zeros((1, 16))])[q_labels] + rng.normal(size=(40, 16))).astype(np.float32)
    ks = (1, 3, 20)
    got = retrieval_metrics(q, q_labels, g, g_labels, ks=ks, exclude_self=exclude_self)
    expected = reference_metrics(q, q_labels, g, g_labels, ks, exclude_self)
    assert got == pytest.approx(expected)
    assert 0 < got["recall_at_1"] < 1


@pytest.mark.parametrize("exclude_self", [False, True])
def test_metrics_equal_the_definitions_when_many_scores_tie(
    exclude_self: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "QUERY_CHUNK", 5)
    rng = np.random.default_rng(5)
    g = rng.integers(0, 3, size=(60, 3)).astype(np.float32)  # small integers: products exact, ties common
    g_labels = [int(x) for x in rng.integers(0, 6, size=60)]
    q, q_labels = (g, g_labels) if exclude_self else (g[:25] + 1, g_labels[:25])
    ks = (1, 3, 5)
    got = retrieval_metrics(q, q_labels, g, g_labels, ks=ks, exclude_self=exclude_self)
    assert got == pytest.approx(reference_metrics(q, q_labels, g, g_labels, ks, exclude_self))
    scores, indices = search(q, g, 7)
    exact = q.astype(np.float64) @ g.astype(np.float64).T
    for row, (row_scores, row_indices) in enumerate(zip(scores, indices, strict=True)):
        expected = sorted(range(len(g)), key=lambda j: (-exact[row, j], j))[:7]
        assert row_indices.tolist() == expected
        assert row_scores.tolist() == exact[row, expected].tolist()


def test_inputs_are_not_modified() -> None:
    embeddings = np.array([[3, 0], [2, 1], [0, 3]], dtype=np.float32)
    labels = np.array([1, 1, 2])
    before = embeddings.copy(), labels.copy()
    retrieval_metrics(embeddings, labels, embeddings, labels, exclude_self=True)
    search(embeddings, embeddings, 2)
    assert np.array_equal(embeddings, before[0])
    assert np.array_equal(labels, before[1])


GOOD = np.eye(3, dtype=np.float32)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"query_emb": np.ones(3, dtype=np.float32)}, "query_emb"),
        ({"gallery_emb": np.ones((3, 4), dtype=np.float32)}, "gallery_emb"),
        ({"gallery_emb": np.zeros((0, 3), dtype=np.float32), "gallery_labels": []}, "gallery_emb"),
        ({"query_emb": np.zeros((0, 3), dtype=np.float32), "query_labels": []}, "query_emb"),
        ({"query_emb": np.full((3, 3), np.nan, dtype=np.float32)}, "query_emb"),
        ({"query_emb": [["a", "b", "c"]] * 3}, "query_emb"),
        ({"query_labels": [1, 2]}, "query_labels"),
        ({"gallery_labels": [[1, 2, 3]]}, "gallery_labels"),
        ({"ks": ()}, "ks"),
        ({"ks": (1, 0)}, "ks"),
        (
            {
                "gallery_emb": np.eye(4, 3, dtype=np.float32),
                "gallery_labels": [1, 2, 3, 4],
                "exclude_self": True,
            },
            "exclude_self",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_argument(kwargs: dict[str, object], named: str) -> None:
    arguments: dict[str, object] = {
        "query_emb": GOOD,
        "query_labels": [1, 2, 3],
        "gallery_emb": GOOD,
        "gallery_labels": [1, 2, 3],
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=f"^{named}:"):
        retrieval_metrics(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "gallery", "k", "named"),
    [
        (GOOD, GOOD, 0, "k"),
        (GOOD, np.ones((2, 2), dtype=np.float32), 1, "gallery"),
        (np.ones((2, 2, 2), dtype=np.float32), GOOD, 1, "query"),
    ],
)
def test_search_refuses_bad_input_naming_the_argument(
    query: npt.NDArray[np.float32], gallery: npt.NDArray[np.float32], k: int, named: str
) -> None:
    with pytest.raises(ValueError, match=f"^{named}:"):
        search(query, gallery, k)
