"""Synthetic embeddings shaped like real image embeddings, for bench/vector_search.py.

Real embeddings of product photos (DINOv2 and the like) are neither uniform on the sphere nor
isotropic: most of their variance lies in a few dozen directions, products form tight clusters (the
packshots and cutouts of one product), and products cluster again by category. The generator draws:

- a random `intrinsic`-dimensional subspace of R^dim with a decaying spectrum (variance of the j-th
  direction proportional to 1/sqrt(j)), plus small isotropic noise in every dimension, plus one
  direction every vector shares (real embeddings are anisotropic: unrelated images still score
  well above 0);
- `categories` category centres in that subspace, each product's centre around its category's,
  each vector around its product's (about `per_product` vectors a product): two photos of one
  product score about 0.78 on average, of two products of one category about 0.62, otherwise about 0.17;
- queries drawn the same way around existing products (a new photo of a known product), so their
  true neighbours are that product's vectors first, then its category's.

Everything is L2-normalised (cosine = inner product).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Embeddings:
    base: F32
    queries: F32
    category: I64  # of each base vector
    product: I64  # of each base vector
    how: str


def clustered(
    n: int,
    dim: int,
    n_queries: int,
    *,
    seed: int = 0,
    intrinsic: int = 96,
    categories: int = 100,
    per_product: int = 10,
    category_spread: float = 0.6,
    product_spread: float = 0.45,
    noise: float = 0.08,
    shared: float = 0.6,
) -> Embeddings:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((dim, intrinsic)).astype(np.float32))
    scale = (np.arange(1, intrinsic + 1) ** -0.25).astype(np.float32)
    # The shared direction, sized against the total variance so unrelated pairs score well above 0.
    common = rng.standard_normal(dim).astype(np.float32)
    common *= shared * float(np.sqrt((scale**2).sum())) / float(np.linalg.norm(common))
    products = max(1, n // per_product)
    category_centres = rng.standard_normal((categories, intrinsic)).astype(np.float32) * scale
    product_category = rng.integers(0, categories, products)
    product_centres = (
        category_centres[product_category]
        + category_spread * rng.standard_normal((products, intrinsic)).astype(np.float32) * scale
    )

    def draw(product_of: I64) -> F32:
        out = np.empty((len(product_of), dim), dtype=np.float32)
        for start in range(0, len(product_of), 20_000):
            ids = product_of[start : start + 20_000]
            latent = (
                product_centres[ids]
                + product_spread * rng.standard_normal((len(ids), intrinsic)).astype(np.float32) * scale
            )
            block = (
                latent @ basis.T + common + noise * rng.standard_normal((len(ids), dim)).astype(np.float32)
            )
            out[start : start + len(ids)] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    product_of = rng.integers(0, products, n).astype(np.int64)
    base = draw(product_of)
    queries = draw(rng.integers(0, products, n_queries).astype(np.int64))
    how = (
        f"clustered: {intrinsic}-dim subspace (variance 1/sqrt(j)) + noise {noise} in all {dim} dims "
        f"+ a shared direction ({shared}); "
        f"{categories} categories, {products} products (~{per_product} vectors each), spreads "
        f"{category_spread}/{product_spread}; queries = new draws around random products; seed {seed}"
    )
    return Embeddings(base, queries, product_category[product_of].astype(np.int64), product_of, how)


def gaussian(n: int, dim: int, n_queries: int, *, seed: int = 0) -> Embeddings:
    """Uniform on the sphere: no structure at all, the hardest case for a graph index (a control)."""
    rng = np.random.default_rng(seed)

    def draw(rows: int) -> F32:
        x = rng.standard_normal((rows, dim)).astype(np.float32)
        out: F32 = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out

    base = draw(n)
    return Embeddings(
        base,
        draw(n_queries),
        rng.integers(0, 100, n).astype(np.int64),
        np.arange(n, dtype=np.int64),
        f"gaussian: uniform on the unit sphere in {dim} dims; seed {seed}",
    )


def exact_top(base: F32, queries: F32, k: int, allowed: npt.NDArray[np.bool_] | None = None) -> I64:
    """The true top-k rows of `base` for each query (inner product), in blocks to bound memory."""
    out = np.empty((len(queries), k), dtype=np.int64)
    rows = np.arange(len(base)) if allowed is None else np.flatnonzero(allowed)
    sub = base if allowed is None else base[rows]
    for start in range(0, len(queries), 256):
        sims = queries[start : start + 256] @ sub.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1)
        out[start : start + 256] = rows[np.take_along_axis(top, order, axis=1)]
    return out
