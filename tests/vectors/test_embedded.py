"""The embedded engine's own promises: snapshots and compaction keep answers right, another process's
writes are seen while it writes, and a crash or a broken file never gives a wrong answer."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
import pytest

from shelfscope.vectors import Filter, VectorIndexError
from shelfscope.vectors import embedded as engine_module
from shelfscope.vectors.embedded import EmbeddedIndex
from tests.vectors.conftest import payload_for, unit

DIM = 16


def exact_top(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(ids[i]) for i in np.argsort(-(vectors @ query), kind="stable")[:k]]


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_fresh_points_fold_into_a_snapshot_and_answers_stay_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "FRESH_LIMIT", 50)
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    vectors = unit(300, DIM, seed=1)
    for start in range(0, 300, 30):
        batch = range(start, start + 30)
        index.upsert(
            "c", [i + 1 for i in batch], vectors[start : start + 30], [payload_for(i) for i in batch]
        )
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["snapshot"] is not None and manifest["count"] == 300
    # Only the current snapshot and the deltas after it remain.
    assert len(files(tmp_path / "c")) == 3 + len(manifest["deltas"])
    query = unit(1, DIM, seed=2)[0]
    reader = EmbeddedIndex(tmp_path)
    hits = reader.search("c", query[None, :], k=10)[0]
    assert [h.id for h in hits] == exact_top(vectors, np.arange(1, 301), query, 10)
    # A narrow filter is answered exactly over the graph's stored vectors and the fresh ones.
    keep = np.array([i for i in range(300) if payload_for(i).domain == "real"])
    hits = reader.search("c", query[None, :], k=10, where=Filter(domains=["real"]))[0]
    assert [h.id for h in hits] == exact_top(vectors[keep], keep + 1, query, 10)


def test_replacing_most_points_compacts_and_keeps_the_newest_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "FRESH_LIMIT", 40)
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    ids = list(range(1, 101))
    index.upsert("c", ids, unit(100, DIM, 1), [payload_for(i) for i in range(100)])
    newest = unit(100, DIM, 2)
    for start in range(0, 100, 10):
        index.upsert("c", ids[start : start + 10], newest[start : start + 10], [payload_for(0)] * 10)
    index.delete("c", ids[90:])
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    slots = np.load(tmp_path / "c" / f"{manifest['snapshot']}.npz")
    # The dead slots were dropped by a rebuild (at most the share allowed since).
    assert len(slots["ids"]) < 100 + 100 * engine_module.COMPACT_SHARE + 10
    reader = EmbeddedIndex(tmp_path)
    assert reader.count("c") == 90
    for row in range(0, 90, 9):
        hit = reader.search("c", newest[row][None, :], k=1)[0][0]
        assert (hit.id, round(hit.score, 4)) == (row + 1, 1.0)


def test_a_wide_filter_walks_the_graph_and_still_finds_the_exact_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "FRESH_LIMIT", 10)
    monkeypatch.setattr(engine_module, "EXACT_BELOW", 0)
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    vectors = unit(400, DIM, 3)
    index.upsert("c", list(range(1, 401)), vectors, [payload_for(i) for i in range(400)])
    where = Filter(kinds=["cutout"], domains=["real"])
    keep = np.array([i for i in range(400) if i % 2 == 1 and i % 3 == 1])
    for seed in range(5):
        query = unit(1, DIM, 10 + seed)[0]
        hits = index.search("c", query[None, :], k=5, where=where)[0]
        assert [h.id for h in hits] == exact_top(vectors[keep], keep + 1, query, 5)


def _writer(folder: str, start: int, batches: int) -> None:
    engine_module.FRESH_LIMIT = 64  # this process also folds snapshots while the reader reads
    index = EmbeddedIndex(Path(folder))
    vectors = unit(batches * 20, DIM, 7)
    for b in range(batches):
        ids = list(range(start + b * 20, start + (b + 1) * 20))
        index.upsert("c", ids, vectors[b * 20 : (b + 1) * 20], [payload_for(i) for i in ids])
        time.sleep(0.02)


def test_a_search_in_this_process_sees_another_process_writing(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    process = multiprocessing.get_context("spawn").Process(target=_writer, args=(str(tmp_path), 1, 15))
    process.start()
    seen: list[int] = []
    while process.is_alive():
        # Never an error, never fewer points than before: each read is one whole generation.
        seen.append(index.count("c"))
        index.search("c", unit(1, DIM, 1), k=3)
    process.join(60)
    assert process.exitcode == 0
    assert seen == sorted(seen)
    assert len(set(seen)) >= 3  # it did read while the other process wrote
    assert index.count("c") == 300
    vectors = unit(300, DIM, 7)
    hit = index.search("c", vectors[123][None, :], k=1)[0][0]
    assert (hit.id, round(hit.score, 4)) == (124, 1.0)


def test_a_crash_before_the_manifest_leaves_the_previous_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    index.upsert("c", [1, 2], unit(2, DIM, 1), [payload_for(0), payload_for(1)])
    before = files(tmp_path / "c")

    def crash(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(engine_module, "_write_atomic", crash)
    with pytest.raises(OSError):
        index.upsert("c", [3], unit(1, DIM, 2), [payload_for(2)])
    monkeypatch.undo()
    assert index.count("c") == 2
    assert EmbeddedIndex(tmp_path).count("c") == 2
    # The next write tidies what the crash left and carries on.
    EmbeddedIndex(tmp_path).upsert("c", [4], unit(1, DIM, 3), [payload_for(3)])
    assert EmbeddedIndex(tmp_path).count("c") == 3
    assert len(files(tmp_path / "c")) == len(before) + 1


def test_a_broken_file_is_an_error_naming_it_not_a_wrong_answer(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    index.upsert("c", [1], unit(1, DIM, 1), [payload_for(0)])
    delta = next(p for p in (tmp_path / "c").iterdir() if p.name.startswith("delta-"))
    delta.write_bytes(b"not a numpy file")
    with pytest.raises(VectorIndexError, match="rebuild"):
        EmbeddedIndex(tmp_path).search("c", unit(1, DIM, 1), k=1)
    (tmp_path / "c" / "manifest.json").write_text("{")
    with pytest.raises(VectorIndexError, match=r"manifest\.json"):
        EmbeddedIndex(tmp_path).count("c")


def test_a_collection_dropped_and_made_again_is_read_afresh(tmp_path: Path) -> None:
    writer, reader = EmbeddedIndex(tmp_path), EmbeddedIndex(tmp_path)
    old, new = unit(2, DIM, 1)
    writer.create_collection("c", DIM)
    writer.upsert("c", [1], old[None, :], [payload_for(0)])
    assert reader.search("c", old[None, :], k=1)[0][0].id == 1
    # The same generation numbers and file names as before: only the collection is another.
    writer.drop_collection("c")
    writer.create_collection("c", DIM)
    writer.upsert("c", [2], new[None, :], [payload_for(1)])
    assert [h.id for h in reader.search("c", old[None, :], k=5)[0]] == [2]


def test_searches_still_work_once_faiss_torch_utils_has_patched_every_index(tmp_path: Path) -> None:
    """pytorch-metric-learning imports faiss.contrib.torch_utils in any worker that trained or evaluated
    an embedder; it swaps Index.search process-wide for one that takes no `params`."""
    import faiss.contrib.torch_utils  # noqa: F401  (the import is the patch)

    index = EmbeddedIndex(tmp_path)
    index.create_collection("c", DIM)
    vectors = unit(40, DIM, seed=5)
    ids = np.arange(1, 41)
    index.upsert("c", ids.tolist(), vectors, [payload_for(i) for i in range(40)])
    query = vectors[3]
    hits = index.search("c", query[None, :], 5)[0]
    assert [h.id for h in hits] == exact_top(vectors, ids, query, 5)
    kept = index.search("c", query[None, :], 5, Filter(kinds=["cutout"]))[0]
    assert kept and all(h.payload.kind == "cutout" for h in kept)
