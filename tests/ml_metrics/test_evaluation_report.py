"""The evaluation report (overall, cross-domain, per-category, hard cases, confused pairs) against a
small set worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from shelfscope.ml.metrics import evaluation_report, retrieval
from tests.ml_metrics.reference import first_correct_ranks, reference_metrics

# Seven images. Inner products are small integers, so every score and tie is exact.
#   row image product domain     category  vector
#   0   101   1       real       drinks    (4, 0)
#   1   102   1       synthetic  drinks    (3, 1)
#   2   103   2       real       drinks    (3, 2)
#   3   104   2       synthetic  drinks    (0, 4)
#   4   105   3       real       None      (1, 3)
#   5   106   3       synthetic  None      (2, 3)
#   6   107   5       cutout     snacks    (0, 0)   the only image of product 5
#
# Inner products:  0   1   2   3   4   5   6
#             0    .  12  12   0   4   8   0
#             1   12   .  11   4   6   9   0
#             2   12  11   .   8   9  12   0
#             3    0   4   8   .  12  12   0
#             4    4   6   9  12   .  11   0
#             5    8   9  12  12  11   .   0
#
# Leave-one-out rankings (equal scores: lower row first) and the rank of the same product's image:
#   0: 1 2 5 4 3 6 -> 1      1: 0 2 5 4 3 6 -> 1      2: 0 5 1 4 3 6 -> 5
#   3: 4 5 2 1 0 6 -> 3      4: 3 5 2 1 0 6 -> 2      5: 2 3 4 1 0 6 -> 3      6: no other image of 5
EMBEDDINGS = np.array([[4, 0], [3, 1], [3, 2], [0, 4], [1, 3], [2, 3], [0, 0]], dtype=np.float32)
PRODUCTS = [1, 1, 2, 2, 3, 3, 5]
DOMAINS = ["real", "synthetic", "real", "synthetic", "real", "synthetic", "cutout"]
IMAGES = [101, 102, 103, 104, 105, 106, 107]
CATEGORIES: list[str | None] = ["drinks", "drinks", "drinks", "drinks", None, None, "snacks"]


def report(**kwargs: int) -> dict[str, object]:
    return dict(evaluation_report(EMBEDDINGS, PRODUCTS, DOMAINS, IMAGES, CATEGORIES, ks=(1, 2), **kwargs))


def metrics(r1: float, r2: float, map_at_r: float, queries: int, skipped: int) -> dict[str, float]:
    return {
        "recall_at_1": r1,
        "recall_at_2": r2,
        "map_at_r": map_at_r,
        "queries": queries,
        "skipped_queries": skipped,
    }


def test_overall_is_leave_one_out_over_all_images() -> None:
    # Ranks 1 1 5 3 2 3 (image 107 skipped); R = 1 everywhere, so AP is 1 at rank 1 and 0 otherwise.
    assert report()["overall"] == pytest.approx(metrics(2 / 6, 3 / 6, 2 / 6, 6, 1))


def test_cross_domain_covers_every_ordered_pair_of_domains_present() -> None:
    # real -> synthetic (gallery rows 1 3 5): row 0 ranks 1 5 3 -> 1; row 2 ranks 5 1 3 -> 3;
    # row 4 ranks 3 5 1 -> 2. synthetic -> real (gallery 0 2 4): row 1 ranks 0 2 4 -> 1; row 3 ranks
    # 4 2 0 -> 2; row 5 ranks 2 4 0 -> 2. Nothing in cutout shares a product with another domain.
    rows = report()["cross_domain"]
    assert rows == [
        {"query_domain": "cutout", "gallery_domain": "real", **metrics(0, 0, 0, 0, 1)},
        {"query_domain": "cutout", "gallery_domain": "synthetic", **metrics(0, 0, 0, 0, 1)},
        {"query_domain": "real", "gallery_domain": "cutout", **metrics(0, 0, 0, 0, 3)},
        {"query_domain": "real", "gallery_domain": "synthetic", **metrics(1 / 3, 2 / 3, 1 / 3, 3, 0)},
        {"query_domain": "synthetic", "gallery_domain": "cutout", **metrics(0, 0, 0, 0, 3)},
        {"query_domain": "synthetic", "gallery_domain": "real", **metrics(1 / 3, 1, 1 / 3, 3, 0)},
    ]


def test_per_category_groups_the_leave_one_out_queries_with_uncategorised_last() -> None:
    # drinks: ranks 1 1 5 3; uncategorised: ranks 2 3; snacks: only image 107, skipped.
    assert report()["per_category"] == [
        {"category": "drinks", **metrics(0.5, 0.5, 0.5, 4, 0)},
        {"category": "snacks", **metrics(0, 0, 0, 0, 1)},
        {"category": "uncategorised", **metrics(0, 0.5, 0, 2, 0)},
    ]


def test_hard_cases_are_the_worst_ranked_queries_with_their_top_five() -> None:
    # Worst: 103 (rank 5), then 104 and 106 (rank 3, by image id).
    assert report(hard_cases=3)["hard_cases"] == [
        {
            "image_id": 103,
            "product_id": 2,
            "domain": "real",
            "first_correct_rank": 5,
            "neighbours": [
                {"image_id": 101, "product_id": 1, "score": 12.0},
                {"image_id": 106, "product_id": 3, "score": 12.0},
                {"image_id": 102, "product_id": 1, "score": 11.0},
                {"image_id": 105, "product_id": 3, "score": 9.0},
                {"image_id": 104, "product_id": 2, "score": 8.0},
            ],
        },
        {
            "image_id": 104,
            "product_id": 2,
            "domain": "synthetic",
            "first_correct_rank": 3,
            "neighbours": [
                {"image_id": 105, "product_id": 3, "score": 12.0},
                {"image_id": 106, "product_id": 3, "score": 12.0},
                {"image_id": 103, "product_id": 2, "score": 8.0},
                {"image_id": 102, "product_id": 1, "score": 4.0},
                {"image_id": 101, "product_id": 1, "score": 0.0},
            ],
        },
        {
            "image_id": 106,
            "product_id": 3,
            "domain": "synthetic",
            "first_correct_rank": 3,
            "neighbours": [
                {"image_id": 103, "product_id": 2, "score": 12.0},
                {"image_id": 104, "product_id": 2, "score": 12.0},
                {"image_id": 105, "product_id": 3, "score": 11.0},
                {"image_id": 102, "product_id": 1, "score": 9.0},
                {"image_id": 101, "product_id": 1, "score": 8.0},
            ],
        },
    ]
    assert report(hard_cases=0)["hard_cases"] == []


def test_confused_pairs_count_wrong_top_one_products_as_unordered_pairs() -> None:
    # Top-1 of 103 is 101 (1-2); of 104, 105 and 106 is product 3 / 2 / 2 (2-3 three times).
    assert report()["confused_pairs"] == [
        {"product_a": 2, "product_b": 3, "count": 3},
        {"product_a": 1, "product_b": 2, "count": 1},
    ]
    assert report(confused_pairs=1)["confused_pairs"] == [{"product_a": 2, "product_b": 3, "count": 3}]


def test_first_correct_rank_is_exact_beyond_the_searched_neighbours() -> None:
    # Row 0 (4,0) of product 10 sees row 8 (3,1) at 12, rows 1-6 (2,j) at 8 and its own product's
    # row 7 (2,0) at 8 too, after rows 1-6 by index: rank 8, past the 5 neighbours searched.
    # Row 7 sees row 0 at 8, row 8 at 6, rows 1-6 at 4: rank 1. Rows 1-6 and 8 are single images.
    embeddings = np.array([[4, 0], *[[2, j] for j in range(1, 7)], [2, 0], [3, 1]], dtype=np.float32)
    products = [10, 11, 12, 13, 14, 15, 16, 10, 17]
    result = evaluation_report(
        embeddings, products, ["real"] * 9, list(range(1, 10)), [None] * 9, hard_cases=5, ks=(1,)
    )
    assert [(case["image_id"], case["first_correct_rank"]) for case in result["hard_cases"]] == [
        (1, 8),
        (8, 1),
    ]
    assert [n["image_id"] for n in result["hard_cases"][0]["neighbours"]] == [9, 2, 3, 4, 5]
    assert result["overall"] == {"recall_at_1": 0.5, "map_at_r": 0.5, "queries": 2, "skipped_queries": 7}
    assert result["cross_domain"] == []


def test_report_equals_the_definitions_on_random_data_in_small_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retrieval, "QUERY_CHUNK", 8)
    monkeypatch.setattr(retrieval, "CHUNK_CELLS", 300)  # exact-rank pass in chunks of 3 rows
    rng = np.random.default_rng(11)
    products = [int(x) for x in rng.integers(0, 15, size=100)]
    embeddings = (rng.normal(size=(15, 8))[products] + rng.normal(scale=1.5, size=(100, 8))).astype(
        np.float32
    )
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    images = [1000 + i for i in range(100)]
    result = evaluation_report(embeddings, products, ["real"] * 100, images, [None] * 100, hard_cases=100)
    assert result["overall"] == pytest.approx(
        reference_metrics(embeddings, products, embeddings, products, (1, 5, 10), exclude_self=True)
    )
    ranks = first_correct_ranks(embeddings, products)
    expected = sorted(ranks, key=lambda i: (-ranks[i], images[i]))
    assert [(case["image_id"], case["first_correct_rank"]) for case in result["hard_cases"]] == [
        (images[i], ranks[i]) for i in expected
    ]
    assert max(ranks.values()) > 10  # some ranks came from the exact pass beyond the searched list


def test_a_gallery_smaller_than_five_lists_fewer_neighbours() -> None:
    result = evaluation_report(
        np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32), [1, 1, 2], ["a", "a", "a"], [1, 2, 3], ["c"] * 3
    )
    assert result["hard_cases"][0]["neighbours"] == [
        {"image_id": 2, "product_id": 1, "score": 1.0},
        {"image_id": 3, "product_id": 2, "score": 0.0},
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"embeddings": np.ones(7, dtype=np.float32)}, "embeddings"),
        ({"embeddings": np.ones((0, 2), dtype=np.float32)}, "embeddings"),
        ({"product_ids": PRODUCTS[:-1]}, "product_ids"),
        ({"domains": [*DOMAINS, "real"]}, "domains"),
        ({"image_ids": IMAGES[:3]}, "image_ids"),
        ({"categories": CATEGORIES[:2]}, "categories"),
        ({"hard_cases": -1}, "hard_cases"),
        ({"confused_pairs": 1.5}, "confused_pairs"),
        ({"ks": (0,)}, "ks"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_and_leaves_inputs_unchanged(
    change: dict[str, object], named: str
) -> None:
    arguments: dict[str, object] = {
        "embeddings": EMBEDDINGS.copy(),
        "product_ids": list(PRODUCTS),
        "domains": list(DOMAINS),
        "image_ids": list(IMAGES),
        "categories": list(CATEGORIES),
    }
    arguments.update(change)
    before = {key: np.array(value, dtype=object) for key, value in arguments.items()}
    with pytest.raises(ValueError, match=f"^{named}:"):
        evaluation_report(**arguments)  # type: ignore[arg-type]
    for key, value in arguments.items():
        assert np.array_equal(np.array(value, dtype=object), before[key])
