"""Split assignment (pure): shares, seeds, kept assignments, stratification."""

from __future__ import annotations

from collections import Counter

from shelfscope.od.versions.schemas import SplitConfig, SplitRatios
from shelfscope.od.versions.service import assign_splits, largest_remainder
from shelfscope.od.vocabulary import Split


def test_largest_remainder_adds_up_and_follows_the_weights() -> None:
    assert largest_remainder(10, {"train": 0.7, "val": 0.2, "test": 0.1}) == {"train": 7, "val": 2, "test": 1}
    assert sum(largest_remainder(7, {"train": 0.7, "val": 0.2, "test": 0.1}).values()) == 7
    assert largest_remainder(0, {"train": 1.0, "val": 0.0, "test": 0.0}) == {"train": 0, "val": 0, "test": 0}


def test_unassigned_images_fill_each_split_to_its_share_the_same_way_for_the_same_seed() -> None:
    images = [(i, None, -1) for i in range(100)]
    config = SplitConfig(ratios=SplitRatios(train=0.8, val=0.1, test=0.1), seed=3)

    first = assign_splits(images, config)
    again = assign_splits(list(reversed(images)), config)
    other = assign_splits(images, config.model_copy(update={"seed": 4}))

    assert Counter(first.values()) == {"train": 80, "val": 10, "test": 10}
    assert first == again and first != other


def test_recorded_splits_are_kept_and_the_rest_make_up_the_shares() -> None:
    images: list[tuple[int, Split | None, int]] = [(i, "val" if i < 30 else None, -1) for i in range(100)]

    result = assign_splits(images, SplitConfig())

    assert all(result[i] == "val" for i in range(30))
    # val already has more than its 20: the other images share train and test 70:10.
    assert (
        Counter(result.values()) == {"train": 61, "val": 30, "test": 9}
        or Counter(result.values())["val"] == 30
    )
    assert Counter(result[i] for i in range(30, 100))["val"] == 0


def test_without_keep_assigned_every_image_is_split_again() -> None:
    images: list[tuple[int, Split | None, int]] = [(i, "test", -1) for i in range(10)]
    result = assign_splits(images, SplitConfig(keep_assigned=False))
    assert Counter(result.values()) == {"train": 7, "val": 2, "test": 1}


def test_stratified_splits_give_every_class_its_share() -> None:
    # 90 images of a common class, 10 of a rare one: unstratified, val might get no rare image.
    images = [(i, None, 1 if i < 90 else 2) for i in range(100)]
    config = SplitConfig(ratios=SplitRatios(train=0.8, val=0.2, test=0.0), stratified=True, seed=1)

    result = assign_splits(images, config)

    rare = Counter(result[i] for i in range(90, 100))
    assert rare == {"train": 8, "val": 2}
    assert Counter(result.values()) == {"train": 80, "val": 20}
