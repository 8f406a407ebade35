"""The VectorIndex promises, the same on the embedded engine and on Qdrant (local mode)."""

from __future__ import annotations

import numpy as np
import pytest

from shelfscope.errors import Conflict, ValidationFailed
from shelfscope.vectors import Filter, Payload
from tests.vectors.conftest import Engine, payload_for, unit

DIM = 8
N = 60


def fill(engine: Engine, name: str = "coll") -> np.ndarray:
    vectors = unit(N, DIM, seed=1)
    engine.index.create_collection(name, DIM)
    engine.index.upsert(name, list(range(1, N + 1)), vectors, [payload_for(i) for i in range(N)])
    return vectors


def exact_ids(
    vectors: np.ndarray, ids: list[int], query: np.ndarray, k: int
) -> tuple[list[int], list[float]]:
    sims = vectors @ query
    order = np.argsort(-sims, kind="stable")[:k]
    return [ids[i] for i in order], [float(sims[i]) for i in order]


def test_create_is_idempotent_and_refuses_another_size_naming_both(engine: Engine) -> None:
    fill(engine)
    engine.index.create_collection("coll", DIM)
    with pytest.raises(ValidationFailed) as caught:
        engine.index.create_collection("coll", DIM * 2)
    assert caught.value.status_code == 422
    body = caught.value.to_body()
    assert (body["field"], body["collection_dim"], body["vector_dim"]) == ("dim", DIM, DIM * 2)
    info = engine.index.info("coll")
    assert info is not None and (info.dim, info.count) == (DIM, N)


def test_names_are_checked_and_nothing_is_made(engine: Engine) -> None:
    for bad in ["", "Upper", "../escape", "a b", "-lead", "x" * 129]:
        with pytest.raises(ValidationFailed) as caught:
            engine.index.create_collection(bad, DIM)
        assert caught.value.to_body()["fields"][0]["field"] == "collection"
    assert engine.index.collections() == []


def test_collections_lists_each_with_size_and_count_and_drop_removes_one(engine: Engine) -> None:
    fill(engine, "alpha")
    engine.index.create_collection("beta", 3)
    listed = [(c.name, c.dim, c.count) for c in engine.index.collections()]
    assert listed == [("alpha", DIM, N), ("beta", 3, 0)]
    engine.index.drop_collection("alpha")
    engine.index.drop_collection("alpha")  # nothing left to drop: no error
    assert [c.name for c in engine.index.collections()] == ["beta"]
    assert engine.index.info("alpha") is None


def test_search_matches_exact_order_and_scores(engine: Engine) -> None:
    vectors = fill(engine)
    queries = unit(5, DIM, seed=2)
    results = engine.index.search("coll", queries, k=7)
    for query, hits in zip(queries, results, strict=True):
        ids, scores = exact_ids(vectors, list(range(1, N + 1)), query, 7)
        assert [h.id for h in hits] == ids
        assert [h.score for h in hits] == pytest.approx(scores, abs=1e-4)
    first = results[0][0]
    assert first.payload == payload_for(first.id - 1)


def test_vectors_are_normalised_so_scores_are_cosine(engine: Engine) -> None:
    engine.index.create_collection("coll", 3)
    engine.index.upsert("coll", [1, 2], np.array([[10, 0, 0], [0, 3, 4]], np.float32), [payload_for(0)] * 2)
    hits = engine.index.search("coll", np.array([[0, 6, 8]], np.float32), k=2)[0]
    assert [h.id for h in hits] == [2, 1]
    assert [h.score for h in hits] == pytest.approx([1.0, 0.0], abs=1e-5)


def test_upsert_replaces_vector_and_payload_by_id(engine: Engine) -> None:
    vectors = fill(engine)
    target = vectors[10]
    new_payload = Payload(kind="cutout", item_id=77, product_id=99, domain="real", category="new")
    engine.index.upsert("coll", [1], target[None, :], [new_payload])
    assert engine.index.count("coll") == N
    hits = engine.index.search("coll", target[None, :], k=2)[0]
    assert {h.id for h in hits} == {1, 11}
    assert next(h for h in hits if h.id == 1).payload == new_payload
    # Payload only (same vector): the point stays, its payload changes.
    engine.index.upsert("coll", [1], target[None, :], [payload_for(0)])
    assert engine.index.count("coll", Filter(product_ids=[99])) == 0
    # The first vector of id 1 is gone: a query for it no longer finds id 1 first.
    assert engine.index.search("coll", vectors[0][None, :], k=1)[0][0].id != 1


def test_a_batch_naming_an_id_twice_keeps_the_last(engine: Engine) -> None:
    engine.index.create_collection("coll", DIM)
    v = unit(2, DIM, seed=3)
    engine.index.upsert("coll", [5, 5], v, [payload_for(0), payload_for(1)])
    assert engine.index.count("coll") == 1
    hit = engine.index.search("coll", v[1][None, :], k=1)[0][0]
    assert (hit.id, hit.payload, round(hit.score, 4)) == (5, payload_for(1), 1.0)


def test_delete_removes_points_and_ignores_unknown_ids(engine: Engine) -> None:
    vectors = fill(engine)
    engine.index.delete("coll", [1, 2, 9999])
    assert engine.index.count("coll") == N - 2
    hits = engine.index.search("coll", vectors[:2], k=N)
    assert all(h.id not in (1, 2) for row in hits for h in row)
    assert len(hits[0]) == N - 2
    engine.index.delete("coll", [])
    engine.index.delete("missing", [1])  # no collection: nothing to remove
    assert engine.index.count("coll") == N - 2


@pytest.mark.parametrize(
    "where",
    [
        Filter(kinds=["product_image"]),
        Filter(product_ids=[2, 3]),
        Filter(domains=["real"]),
        Filter(categories=["snacks"]),
        Filter(kinds=["cutout"], domains=["synthetic", "cutout"], categories=["drinks"]),
        Filter(kinds=["nothing-like-this"]),
        Filter(product_ids=[]),
    ],
    ids=["kind", "products", "domain", "category", "combined", "unknown-value", "empty-set"],
)
def test_each_filter_keeps_only_matching_points(engine: Engine, where: Filter) -> None:
    vectors = fill(engine)

    def keeps(p: Payload) -> bool:
        return (
            (where.kinds is None or p.kind in where.kinds)
            and (where.product_ids is None or p.product_id in where.product_ids)
            and (where.domains is None or p.domain in where.domains)
            and (where.categories is None or p.category in where.categories)
        )

    allowed = [i for i in range(N) if keeps(payload_for(i))]
    assert engine.index.count("coll", where) == len(allowed)
    query = unit(1, DIM, seed=4)[0]
    hits = engine.index.search("coll", query[None, :], k=5, where=where)[0]
    ids, scores = exact_ids(vectors[allowed], [i + 1 for i in allowed], query, 5)
    assert [h.id for h in hits] == ids
    assert [h.score for h in hits] == pytest.approx(scores, abs=1e-4)
    assert all(keeps(h.payload) for h in hits)


def test_writes_survive_a_restart(engine: Engine) -> None:
    vectors = fill(engine)
    engine.index.delete("coll", [3])
    before = engine.index.search("coll", vectors[:3], k=4)
    index = engine.reopen()
    assert index.count("coll") == N - 1
    after = index.search("coll", vectors[:3], k=4)
    assert [[(h.id, h.payload) for h in row] for row in after] == [
        [(h.id, h.payload) for h in row] for row in before
    ]
    assert [h.score for row in after for h in row] == pytest.approx(
        [h.score for row in before for h in row], abs=1e-5
    )


def test_a_second_instance_sees_each_write(engine: Engine) -> None:
    vectors = fill(engine)
    other = engine.second()
    assert other.count("coll") == N
    engine.index.upsert("coll", [500], vectors[4][None, :] * -1, [payload_for(4)])
    assert other.count("coll") == N + 1
    assert other.search("coll", -vectors[4][None, :], k=1)[0][0].id == 500
    engine.index.delete("coll", [500])
    assert other.search("coll", -vectors[4][None, :], k=1)[0][0].id != 500
    engine.index.drop_collection("coll")
    with pytest.raises(Conflict):
        other.search("coll", vectors[:1], k=1)


def test_upsert_into_a_missing_collection_is_refused(engine: Engine) -> None:
    with pytest.raises(Conflict) as caught:
        engine.index.upsert("nope", [1], unit(1, DIM, 0), [payload_for(0)])
    assert caught.value.status_code == 409 and caught.value.to_body()["collection"] == "nope"
    assert engine.index.info("nope") is None
    with pytest.raises(Conflict):
        engine.index.search("nope", unit(1, DIM, 0), k=1)
    with pytest.raises(Conflict):
        engine.index.count("nope")


def test_vectors_of_another_size_are_refused_naming_both_and_nothing_is_written(engine: Engine) -> None:
    fill(engine)
    with pytest.raises(ValidationFailed) as caught:
        engine.index.upsert("coll", [900], unit(1, DIM + 1, 0), [payload_for(0)])
    body = caught.value.to_body()
    assert (body["collection_dim"], body["vector_dim"]) == (DIM, DIM + 1)
    assert engine.index.count("coll") == N
    with pytest.raises(ValidationFailed) as caught:
        engine.index.search("coll", unit(1, DIM - 1, 0), k=1)
    assert caught.value.to_body()["vector_dim"] == DIM - 1


def test_bad_input_is_refused_and_nothing_changes(engine: Engine) -> None:
    fill(engine)
    nan = unit(1, DIM, 0)
    nan[0, 0] = np.nan
    with pytest.raises(ValidationFailed) as lengths:
        engine.index.upsert("coll", [901, 902], unit(1, DIM, 0), [payload_for(0)] * 2)
    with pytest.raises(ValidationFailed) as not_finite:
        engine.index.upsert("coll", [901], nan, [payload_for(0)])
    with pytest.raises(ValidationFailed) as k_zero:
        engine.index.search("coll", unit(1, DIM, 0), k=0)
    assert lengths.value.to_body()["field"] == "vectors"
    assert not_finite.value.to_body()["fields"][0]["field"] == "vectors"
    assert k_zero.value.to_body()["fields"][0]["field"] == "k"
    assert engine.index.count("coll") == N


def test_k_larger_than_the_collection_returns_every_point(engine: Engine) -> None:
    fill(engine)
    hits = engine.index.search("coll", unit(2, DIM, 5), k=500)
    assert [len(row) for row in hits] == [N, N]
    engine.index.create_collection("empty", DIM)
    assert engine.index.search("empty", unit(1, DIM, 5), k=3) == [[]]
