"""The visual comparison of 2-5 models (worker side): one gallery for all of them, each model's
Recall@K and mAP@R on it (leave-one-out), and the same query images with each model's top 5.

The gallery is the test images every model's run held out (no model saw them in training); when the
runs share fewer than two such products, the union of their test images; when no model still has its
run, the catalogue's images (capped). The result says which it used."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from shelfscope.jobs.context import JobContext
from shelfscope.pr.evaluation.execute import embed, load
from shelfscope.pr.products.models import ProductImage
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.training.fetch import download, fetch_images
from shelfscope.pr.training.models import PrTrainingImage

TOP_K = 5
CATALOGUE_CAP = 500
METRIC_NAMES = ("recall_at_1", "recall_at_5", "recall_at_10", "map_at_r")

# (image id, product id, storage key)
GalleryImage = tuple[int, int, str]


def _test_images(ctx: JobContext, run_ids: list[int]) -> dict[int, list[GalleryImage]]:
    out: dict[int, list[GalleryImage]] = {run_id: [] for run_id in run_ids}
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                PrTrainingImage.run_id,
                PrTrainingImage.product_image_id,
                PrTrainingImage.product_id,
                PrTrainingImage.storage_key,
            )
            .where(PrTrainingImage.run_id.in_(run_ids), PrTrainingImage.split == "test")
            .order_by(PrTrainingImage.product_image_id)
        )
        for run_id, image_id, product_id, key in rows:
            out[int(run_id)].append((int(image_id), int(product_id), str(key)))
    return out


def choose_gallery(
    per_run: dict[int, list[GalleryImage]], has_orphans: bool
) -> tuple[str, list[GalleryImage]]:
    """("shared_test" | "union_test", images) from the runs' test images; ("catalogue", []) when there
    are none to use."""
    lists = list(per_run.values())
    if lists and not has_orphans:
        shared = set(lists[0]).intersection(*map(set, lists[1:]))
        if len({p for _, p, _ in shared}) >= 2:
            return "shared_test", sorted(shared)
    union = sorted(set().union(*map(set, lists))) if lists else []
    if len({p for _, p, _ in union}) >= 2:
        return "union_test", union
    return "catalogue", []


def _catalogue_images(ctx: JobContext, seed: int) -> list[GalleryImage]:
    """Up to CATALOGUE_CAP images of products with at least two, picked with `seed`."""
    with ctx.db.read() as session:
        counted = (
            select(ProductImage.product_id)
            .group_by(ProductImage.product_id)
            .having(func.count() >= 2)
            .subquery()
        )
        rows = [
            (int(i), int(p), str(k))
            for i, p, k in session.execute(
                select(ProductImage.id, ProductImage.product_id, ProductImage.storage_key)
                .where(ProductImage.product_id.in_(select(counted.c.product_id)))
                .order_by(ProductImage.id)
            )
        ]
    if len(rows) <= CATALOGUE_CAP:
        return rows
    return sorted(random.Random(seed).sample(rows, CATALOGUE_CAP))


def pick_queries(products: list[int], count: int, seed: int) -> list[int]:
    """Indices of `count` query images (seeded), from products with another image to find."""
    per_product = Counter(products)
    eligible = [i for i, p in enumerate(products) if per_product[p] >= 2]
    rng = random.Random(seed)
    return sorted(rng.sample(eligible, min(count, len(eligible))))


def compare_models(ctx: JobContext, model_ids: list[int], queries: int, seed: int) -> dict[str, Any]:
    import numpy as np

    from shelfscope.ml.metrics.retrieval import retrieval_metrics, search

    with ctx.db.read() as session:
        found = {
            m.id: m for m in session.scalars(select(PrTrainedModel).where(PrTrainedModel.id.in_(model_ids)))
        }
        missing = [i for i in model_ids if i not in found]
        if missing:
            raise ValueError(f"model {', '.join(map(str, missing))} no longer exists")
        models = [(m.id, m.name, m.run_id, m.storage_key) for m in (found[i] for i in model_ids)]
    run_ids = sorted({run_id for _, _, run_id, _ in models if run_id is not None})
    source, gallery = choose_gallery(_test_images(ctx, run_ids), any(r is None for _, _, r, _ in models))
    if source == "catalogue":
        gallery = _catalogue_images(ctx, seed)
    if len({p for _, p, _ in gallery}) < 2:
        raise ValueError("there are not two products with images to compare the models on")
    ctx.log(f"comparing {len(models)} models on {len(gallery)} images ({source.replace('_', ' ')})")
    folder = ctx.settings.data_dir / "tmp" / "pr-compare" / f"{ctx.job_id}-{ctx.attempt}"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        fetched = fetch_images(ctx, [(i, k) for i, _, k in gallery], folder / "images")
        images = [(i, p) for i, p, _ in gallery if i in fetched.paths]
        paths = [fetched.paths[i] for i, _ in images]
        # Each model's embeddings of the images it could read, and which indices of `paths` those are.
        embedded: dict[int, tuple[Any, list[int]]] = {}
        unreadable: set[int] = set()
        for n, (model_id, name, _, key) in enumerate(models):
            ctx.check_cancelled()
            ctx.progress(0.1 + 0.8 * n / len(models), f"embedding with model {model_id} ({name})")
            path = download(ctx.storage, key, folder / "models" / f"{model_id}.pt", ctx.log)
            array, broken = embed(load(ctx, path), paths)
            unreadable.update(broken)
            embedded[model_id] = (array, [i for i in range(len(paths)) if i not in broken])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    keep = [i for i in range(len(paths)) if i not in unreadable]
    aligned: dict[int, Any] = {}
    for model_id, (array, rows) in embedded.items():
        position = {index: r for r, index in enumerate(rows)}
        aligned[model_id] = np.ascontiguousarray(array[[position[i] for i in keep]], dtype=np.float32)
    kept = [images[i] for i in keep]
    labels = np.array([p for _, p in kept])
    query_rows = pick_queries([p for _, p in kept], queries, seed)
    result_models = []
    per_query: list[dict[str, Any]] = [
        {"image_id": kept[q][0], "product_id": kept[q][1], "results": {}} for q in query_rows
    ]
    for model_id, name, _, _ in models:
        emb = aligned[model_id]
        metrics = retrieval_metrics(emb, labels, emb, labels, exclude_self=True)
        result_models.append({"id": model_id, "name": name, "metrics": metrics})
        if query_rows:
            scores, indices = search(emb[query_rows], emb, min(TOP_K + 1, len(kept)))
            for entry, q, row_scores, row_indices in zip(per_query, query_rows, scores, indices, strict=True):
                hits = [
                    {"image_id": kept[int(j)][0], "product_id": kept[int(j)][1], "score": round(float(s), 6)}
                    for s, j in zip(row_scores, row_indices, strict=True)
                    if int(j) != q and int(j) >= 0
                ]
                entry["results"][str(model_id)] = hits[:TOP_K]
    ctx.progress(1.0, "done")
    return {
        "models": result_models,
        "metric_names": list(METRIC_NAMES),
        "gallery": {
            "source": source,
            "images": len(kept),
            "products": len(set(labels.tolist())),
            "skipped": fetched.skipped
            + [{"image_id": images[i][0], "reason": "unreadable"} for i in sorted(unreadable)],
        },
        "queries": per_query,
    }
