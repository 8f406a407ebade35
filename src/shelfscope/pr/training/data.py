"""Which images a run trains on: candidates by source and domain (pr/datasets/members.py decides the
candidate products), video frames by the frame rule, products with too few images dropped, then a
seeded split by product (no product in two splits).

The selection steps after the query are pure functions over `Candidate` rows, tested without a
database; `plan_data` runs them all and returns the frozen list with its summary."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shelfscope.errors import NotFound, ValidationFailed
from shelfscope.pr.datasets.members import Definition, per_product
from shelfscope.pr.datasets.service import definition as dataset_definition
from shelfscope.pr.datasets.service import require_dataset
from shelfscope.pr.products.models import ProductImage, ProductVideo
from shelfscope.pr.training.models import PrTrainingImage
from shelfscope.pr.training.schemas import SPLITS, DataIn, Split

# Every split needs this many products: a query must have another product to be confused with.
MIN_SPLIT_PRODUCTS = 2
# Rows written per INSERT when the list is frozen.
_INSERT_BATCH = 1000


@dataclass(frozen=True)
class Candidate:
    image_id: int
    product_id: int
    domain: str
    storage_key: str
    video_id: int | None = None
    frame_index: int | None = None
    # The frame's video took its frames by key frames (frame_policy mode "key_frames").
    key_frame_video: bool = False


@dataclass(frozen=True)
class Planned:
    image: Candidate
    split: Split


@dataclass(frozen=True)
class DataPlan:
    images: list[Planned]
    summary: dict[str, Any]


# ---- pure steps ---------------------------------------------------------------------------------------


def select_frames(images: Iterable[Candidate], mode: str, every: int) -> list[Candidate]:
    """Images that are not video frames always pass. Frames: `all` every one; `first` the lowest frame
    index of each video; `interval` every `every`-th frame of each video in frame-index order (the
    first included); `key_frames` the frames of videos whose frames were taken at key frames."""
    images = list(images)
    if mode == "all":
        return images
    frames: dict[int, list[Candidate]] = defaultdict(list)
    for image in images:
        if image.video_id is not None:
            frames[image.video_id].append(image)
    keep: set[int] = set()
    for video_frames in frames.values():
        ordered = sorted(
            video_frames, key=lambda c: (c.frame_index if c.frame_index is not None else 0, c.image_id)
        )
        if mode == "first":
            keep.add(ordered[0].image_id)
        elif mode == "interval":
            keep.update(c.image_id for c in ordered[::every])
        elif mode == "key_frames":
            keep.update(c.image_id for c in ordered if c.key_frame_video)
        else:
            raise ValueError(f"unknown frame mode {mode!r}")
    return [image for image in images if image.video_id is None or image.image_id in keep]


def apply_minimum(images: Iterable[Candidate], min_images: int) -> tuple[list[Candidate], int]:
    """The images of products with at least `min_images` of them, and how many products fell short."""
    images = list(images)
    per_product = Counter(image.product_id for image in images)
    short = {product for product, n in per_product.items() if n < min_images}
    return [image for image in images if image.product_id not in short], len(short)


def split_counts(products: int, ratios: dict[str, float]) -> dict[Split, int]:
    """Products per split: val and test rounded half up with at least two each (retrieval within one
    product finds only itself), train the rest."""
    val = max(MIN_SPLIT_PRODUCTS, math.floor(products * ratios["val"] + 0.5))
    test = max(MIN_SPLIT_PRODUCTS, math.floor(products * ratios["test"] + 0.5))
    return {"train": products - val - test, "val": val, "test": test}


def split_products(product_ids: Iterable[int], ratios: dict[str, float], seed: int) -> dict[int, Split]:
    """Each product's split: the ids sorted, shuffled with `seed`, then cut by `split_counts` (the same
    products and seed give the same split whatever order they came in)."""
    ordered = sorted(set(product_ids))
    random.Random(seed).shuffle(ordered)
    counts = split_counts(len(ordered), ratios)
    out: dict[int, Split] = {}
    start = 0
    for split in SPLITS:
        for product in ordered[start : start + counts[split]]:
            out[product] = split
        start += counts[split]
    return out


def summarise(planned: Sequence[Planned], *, excluded_products: int, candidates: int) -> dict[str, Any]:
    """Per split {"products", "images", "domains"}, totals, and what the filters left out."""
    out: dict[str, Any] = {}
    for split in SPLITS:
        rows = [p.image for p in planned if p.split == split]
        out[split] = {
            "products": len({r.product_id for r in rows}),
            "images": len(rows),
            "domains": dict(sorted(Counter(r.domain for r in rows).items())),
        }
    out["products"] = sum(out[s]["products"] for s in SPLITS)
    out["images"] = len(planned)
    out["excluded_products"] = excluded_products
    out["candidate_images"] = candidates
    out["skipped"] = []
    return out


# ---- the database side --------------------------------------------------------------------------------


def _definition(session: Session, data: DataIn) -> Definition:
    if data.source != "dataset":
        return Definition(source=data.source, selection={}, domains=list(data.domains), min_images=0)
    assert data.dataset_id is not None  # DataIn checks it
    try:
        dataset = require_dataset(session, data.dataset_id)
    except NotFound:
        raise ValidationFailed.field(
            "data.dataset_id", f"PR dataset {data.dataset_id} does not exist"
        ) from None
    base = dataset_definition(dataset)
    domains = [d for d in data.domains if d in set(base.domains)]
    if not domains:
        raise ValidationFailed.field(
            "data.domains",
            f"none of {', '.join(data.domains)} is a domain of dataset {dataset.name!r} "
            f"({', '.join(base.domains) or 'none'})",
        )
    return Definition(source=base.source, selection=base.selection, domains=domains, min_images=0)


def candidates(session: Session, data: DataIn) -> list[Candidate]:
    """Every image of a candidate product in a chosen domain, with its video's frame rule."""
    rule = _definition(session, data)
    members = per_product(rule)
    rows = session.execute(
        select(
            ProductImage.id,
            ProductImage.product_id,
            ProductImage.domain,
            ProductImage.storage_key,
            ProductImage.video_id,
            ProductImage.frame_index,
            ProductVideo.frame_policy,
        )
        .outerjoin(ProductVideo, ProductVideo.id == ProductImage.video_id)
        .where(
            ProductImage.product_id.in_(select(members.c.product_id)),
            ProductImage.domain.in_(list(rule.domains)),
        )
        .order_by(ProductImage.id)
    )
    return [
        Candidate(
            image_id=int(image_id),
            product_id=int(product_id),
            domain=str(domain),
            storage_key=str(key),
            video_id=int(video_id) if video_id is not None else None,
            frame_index=int(frame_index) if frame_index is not None else None,
            key_frame_video=bool(policy) and (policy or {}).get("mode") == "key_frames",
        )
        for image_id, product_id, domain, key, video_id, frame_index, policy in rows
    ]


def plan_data(session: Session, data: DataIn, *, min_products: int, min_images: int) -> DataPlan:
    """The run's image list with splits, or ValidationFailed (field "data") with the counts when the
    filters leave fewer than `min_products` products or `min_images` images."""
    found = candidates(session, data)
    framed = select_frames(found, data.frames.mode, data.frames.every)
    kept, excluded = apply_minimum(framed, data.min_images_per_product)
    products = len({image.product_id for image in kept})
    if products < min_products or len(kept) < min_images:
        raise ValidationFailed(
            f"data: too little to train on: {products} products and {len(kept)} images pass the source, "
            f"domain, frame and minimum-images filters; training needs at least {min_products} products "
            f"and {min_images} images",
            fields=[{"field": "data", "message": "too few products or images"}],
            field="data",
            products=products,
            images=len(kept),
            min_products=min_products,
            min_images=min_images,
            excluded_products=excluded,
        )
    ratios = data.split.model_dump()
    counts = split_counts(products, ratios)
    if counts["train"] < MIN_SPLIT_PRODUCTS:
        raise ValidationFailed.field(
            "data.split",
            f"{products} products leave {counts['train']} for training after {counts['val']} for val and "
            f"{counts['test']} for test; every split needs at least {MIN_SPLIT_PRODUCTS}",
        )
    splits = split_products((image.product_id for image in kept), ratios, data.seed)
    planned = [Planned(image, splits[image.product_id]) for image in kept]
    return DataPlan(planned, summarise(planned, excluded_products=excluded, candidates=len(found)))


def freeze(session: Session, run_id: int, planned: Sequence[Planned]) -> None:
    """Write the run's image list (in the caller's transaction)."""
    rows = [
        {
            "run_id": run_id,
            "product_image_id": p.image.image_id,
            "product_id": p.image.product_id,
            "domain": p.image.domain,
            "split": p.split,
            "storage_key": p.image.storage_key,
        }
        for p in planned
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(PrTrainingImage), rows[start : start + _INSERT_BATCH])
