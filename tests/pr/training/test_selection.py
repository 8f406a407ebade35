"""The data selection steps as pure functions: frame rules, the minimum per product, and the split by
product (no product in two splits, the same split for the same products and seed)."""

from __future__ import annotations

import pytest

from shelfscope.pr.training.data import (
    Candidate,
    Planned,
    apply_minimum,
    select_frames,
    split_counts,
    split_products,
    summarise,
)

RATIOS = {"train": 0.7, "val": 0.15, "test": 0.15}


def _frames(video: int, product: int, indices: list[int], *, key_frames: bool = False) -> list[Candidate]:
    return [
        Candidate(
            image_id=video * 100 + i,
            product_id=product,
            domain="synthetic",
            storage_key=f"k/{video}/{i}",
            video_id=video,
            frame_index=i,
            key_frame_video=key_frames,
        )
        for i in indices
    ]


STILLS = [Candidate(image_id=i, product_id=1, domain="real", storage_key=f"s/{i}") for i in (1, 2)]
# Frames listed out of order: the rules go by frame index, not by row order.
VIDEO_A = _frames(7, 1, [3, 0, 1, 2, 4, 5, 6])
VIDEO_B = _frames(8, 2, [10, 12, 11], key_frames=True)
ALL = STILLS + VIDEO_A + VIDEO_B


def _ids(images: list[Candidate]) -> set[int]:
    return {c.image_id for c in images}


def test_frame_rules_keep_stills_and_pick_frames_by_index() -> None:
    assert _ids(select_frames(ALL, "all", 5)) == _ids(ALL)
    assert _ids(select_frames(ALL, "first", 5)) == {1, 2, 700, 810}
    # Every 3rd frame of each video by index: 0, 3, 6 of video 7; 10 of video 8 (10, 11, 12 -> 10).
    assert _ids(select_frames(ALL, "interval", 3)) == {1, 2, 700, 703, 706, 810}
    assert _ids(select_frames(ALL, "interval", 1)) == _ids(ALL)
    # Only videos whose frames were taken at key frames contribute frames.
    assert _ids(select_frames(ALL, "key_frames", 5)) == {1, 2, 810, 811, 812}
    with pytest.raises(ValueError, match="frame mode"):
        select_frames(ALL, "every_other", 2)


def test_minimum_drops_products_with_too_few_images_and_counts_them() -> None:
    kept, short = apply_minimum(ALL, 4)
    assert _ids(kept) == _ids(STILLS + VIDEO_A) and short == 1
    kept, short = apply_minimum(ALL, 2)
    assert _ids(kept) == _ids(ALL) and short == 0


def test_split_counts_give_val_and_test_at_least_two_products_each() -> None:
    assert split_counts(10, RATIOS) == {"train": 6, "val": 2, "test": 2}
    assert split_counts(100, RATIOS) == {"train": 70, "val": 15, "test": 15}
    assert split_counts(6, RATIOS) == {"train": 2, "val": 2, "test": 2}
    assert split_counts(5, RATIOS) == {"train": 1, "val": 2, "test": 2}
    assert split_counts(23, RATIOS) == {"train": 17, "val": 3, "test": 3}
    assert split_counts(20, {"train": 0.5, "val": 0.25, "test": 0.25}) == {"train": 10, "val": 5, "test": 5}


def test_split_is_by_product_seeded_and_independent_of_input_order() -> None:
    products = list(range(1, 41))
    split = split_products(products, RATIOS, seed=3)
    assert set(split) == set(products)
    assert sorted(split.values()).count("train") == 28 and list(split.values()).count("test") == 6
    assert split_products(reversed(products), RATIOS, seed=3) == split
    assert split_products(products, RATIOS, seed=4) != split


def test_no_product_lands_in_two_splits_and_every_image_follows_its_product() -> None:
    images = [
        Candidate(image_id=i, product_id=i % 13, domain="real", storage_key=f"x/{i}") for i in range(130)
    ]
    split = split_products((c.product_id for c in images), RATIOS, seed=0)
    planned = [Planned(c, split[c.product_id]) for c in images]
    seen: dict[int, set[str]] = {}
    for p in planned:
        seen.setdefault(p.image.product_id, set()).add(p.split)
    assert all(len(splits) == 1 for splits in seen.values())
    summary = summarise(planned, excluded_products=2, candidates=140)
    assert summary["products"] == 13 and summary["images"] == 130
    assert summary["train"]["products"] + summary["val"]["products"] + summary["test"]["products"] == 13
    assert summary["val"]["domains"] == {"real": summary["val"]["images"]}
    assert (
        summary["excluded_products"] == 2 and summary["candidate_images"] == 140 and summary["skipped"] == []
    )
