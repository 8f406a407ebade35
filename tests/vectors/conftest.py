"""Both vector engines behind one fixture: the embedded engine in a folder, and the Qdrant adapter on
qdrant-client's local mode (no Qdrant server installs here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from shelfscope.config import Settings
from shelfscope.vectors import Payload, VectorIndex, open_vectors
from shelfscope.vectors.base import Vectors


@dataclass
class Engine:
    """`index` is open; `reopen()` closes it and opens the same place again (a restart); `second()`
    is another instance on the same data (embedded: another folder reader; qdrant local mode allows
    one client per folder, so another adapter on the same client, as two processes on one server)."""

    name: str
    index: VectorIndex
    reopen: Callable[[], VectorIndex]
    second: Callable[[], VectorIndex]


@pytest.fixture(params=["embedded", "qdrant"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    settings = Settings(
        data_dir=tmp_path / "data",
        vectors_backend=request.param,
        qdrant_path=tmp_path / "qdrant",
        qdrant_prefix="t_",
    )
    state: dict[str, VectorIndex] = {"index": open_vectors(settings)}

    def reopen() -> VectorIndex:
        state["index"].close()
        state["index"] = open_vectors(settings)
        return state["index"]

    def second() -> VectorIndex:
        if request.param == "embedded":
            return open_vectors(settings)
        from shelfscope.vectors.qdrant import QdrantIndex

        current = state["index"]
        assert isinstance(current, QdrantIndex)
        return QdrantIndex(current.client, settings.qdrant_prefix)

    eng = Engine(request.param, state["index"], reopen, second)
    yield eng
    state["index"].close()


def unit(rows: int, dim: int, seed: int) -> Vectors:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, dim)).astype(np.float32)
    out: Vectors = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def payload_for(i: int) -> Payload:
    """A spread of payloads: kinds alternate, 5 products, 3 domains, a category on most."""
    return Payload(
        kind="product_image" if i % 2 == 0 else "cutout",
        item_id=1000 + i,
        product_id=None if i % 7 == 6 else i % 5 + 1,
        domain=("synthetic", "real", "cutout")[i % 3],
        category=None if i % 4 == 3 else ("drinks" if i % 4 < 2 else "snacks"),
    )
