"""Mask encodings: RLE that pycocotools decodes back to the mask, the tight box, the polygon of the
largest region, and the windowed upsampling that must equal torch's bilinear interpolate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from shelfscope.ml.segmenters import masks
from shelfscope.od.ai.segment import rle

pytest.importorskip("torch")


def decode_rle(encoded: dict[str, list[int]]) -> np.ndarray:
    height, width = encoded["size"]
    compressed = coco_mask.frPyObjects(cast(Any, encoded), height, width)
    return coco_mask.decode(compressed).astype(bool)


def raster(polygon: list[list[float]], height: int, width: int) -> np.ndarray:
    flat = [c for point in polygon for c in point]
    compressed = coco_mask.frPyObjects(cast(Any, [flat]), height, width)
    return coco_mask.decode(compressed)[:, :, 0].astype(bool)


def shapes(height: int = 60, width: int = 80) -> np.ndarray:
    """A 20 x 30 rectangle with a hole, a disc, and a stray pixel."""
    mask = np.zeros((height, width), dtype=bool)
    mask[10:30, 5:35] = True
    mask[15:20, 10:15] = False
    yy, xx = np.mgrid[:height, :width]
    mask |= (yy - 40) ** 2 + (xx - 60) ** 2 <= 64
    mask[0, width - 1] = True
    return mask


def wrapping_run() -> np.ndarray:
    """A run of 1s from the bottom of one column into the top of the next (column-major order)."""
    mask = np.zeros((5, 4), dtype=bool)
    mask[3:, 1] = mask[:2, 2] = True
    return mask


@pytest.mark.parametrize(
    "mask",
    [
        shapes(),
        np.zeros((7, 9), dtype=bool),
        np.ones((7, 9), dtype=bool),
        np.eye(6, 8, dtype=bool),  # touches the first pixel: the counts start with an empty run of 0s
        np.random.default_rng(3).random((31, 17)) > 0.5,
        wrapping_run(),
    ],
    ids=["shapes", "empty", "full", "diagonal", "noise", "wrapping"],
)
def test_rle_decodes_back_to_the_mask_column_major(mask: np.ndarray) -> None:
    encoded = masks.to_rle(mask, masks.tight_box(mask))

    assert encoded["size"] == list(mask.shape)
    assert sum(encoded["counts"]) == mask.size
    assert np.array_equal(decode_rle(encoded), mask)
    # The same counts pycocotools itself writes (its compressed form, decoded to a list).
    reference = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert coco_mask.frPyObjects(cast(Any, encoded), *mask.shape)["counts"] == reference["counts"]


def test_the_tight_box_covers_exactly_the_set_pixels() -> None:
    mask = np.zeros((50, 40), dtype=bool)
    mask[12:30, 7:9] = True
    mask[44, 33] = True

    assert masks.tight_box(mask) == (7, 12, 34, 45)
    assert masks.tight_box(np.zeros((5, 5), dtype=bool)) is None
    assert masks.int_box((0.0, 0.0, 0.0, 0.0)) is None


def test_the_polygon_outlines_the_largest_region_inside_the_box() -> None:
    mask = shapes()
    box = masks.tight_box(mask)
    assert box is not None

    polygon = masks.to_polygon(mask, box, tolerance=0.0)

    x1, y1, x2, y2 = box
    assert all(x1 <= x <= x2 and y1 <= y <= y2 for x, y in polygon)
    # Unsimplified, it is the rectangle's outer outline: its raster is the rectangle, hole filled.
    filled = np.zeros_like(mask)
    filled[10:30, 5:35] = True
    assert np.array_equal(raster(polygon, *mask.shape), filled)
    assert sorted(map(tuple, polygon)) == [(5.0, 10.0), (5.0, 30.0), (35.0, 10.0), (35.0, 30.0)]


def test_a_simplified_outline_stays_within_a_pixel_and_under_the_point_cap() -> None:
    yy, xx = np.mgrid[:400, :400]
    disc = (yy - 200) ** 2 + (xx - 200) ** 2 <= 180**2
    box = masks.tight_box(disc)

    cells = np.pad(disc, 1).astype(np.int8)
    start = masks.largest_region_start(cells)
    assert start is not None
    traced = masks.trace_outline(cells, start)
    polygon = masks.to_polygon(disc, box)
    capped = masks.simplify_ring(traced, tolerance=0.01, max_points=50)

    assert 8 < len(polygon) < len(traced)
    drawn = raster(polygon, 400, 400)
    assert (drawn ^ disc).sum() < 0.01 * disc.sum()
    assert 3 <= len(capped) <= 50


def test_regions_join_by_edges_not_corners_and_the_outline_follows_the_largest() -> None:
    mask = np.zeros((6, 6), dtype=bool)
    mask[0, 0] = mask[1, 1] = mask[2, 2] = True  # corners touching: three regions of one pixel
    mask[3:6, 3] = True  # three pixels in a column, touching (2, 2) at a corner: the largest
    mask[2, 5] = mask[3, 5] = True

    polygon = masks.to_polygon(mask, masks.tight_box(mask), tolerance=0.0)

    assert polygon == [[3.0, 3.0], [4.0, 3.0], [4.0, 6.0], [3.0, 6.0]]


def test_the_outline_goes_round_a_region_that_others_touch_at_corners() -> None:
    mask = np.zeros((5, 5), dtype=bool)
    mask[1:4, 1:4] = True  # the largest: a 3 x 3 square
    mask[0, 0] = mask[0, 4] = mask[4, 0] = mask[4, 4] = True  # a pixel on each of its corners

    polygon = masks.to_polygon(mask, masks.tight_box(mask), tolerance=0.0)

    assert polygon == [[1.0, 1.0], [4.0, 1.0], [4.0, 4.0], [1.0, 4.0]]


def test_a_one_pixel_mask_is_a_unit_square() -> None:
    mask = np.zeros((5, 5), dtype=bool)
    mask[2, 3] = True

    assert masks.to_polygon(mask, masks.tight_box(mask)) == [[3.0, 2.0], [4.0, 2.0], [4.0, 3.0], [3.0, 3.0]]
    assert masks.to_polygon(np.zeros((5, 5), dtype=bool), None) == []


def test_opencvs_labelling_finds_the_same_largest_region_start_as_the_numpy_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scattered masks with many regions, ties for the largest among them: both ways pick the region
    that starts first in reading order."""
    rng = np.random.default_rng(7)
    cases = [rng.random((60, 80)) < share for share in (0.05, 0.3, 0.5, 0.7)]
    tie = np.zeros((9, 9), dtype=bool)
    tie[6:8, 1:3] = tie[1:3, 6:8] = tie[4, 4] = True  # two 2 x 2 squares: the upper-right one first
    cells = [np.pad(mask, 1).astype(np.int8) for mask in [*cases, tie]]
    if masks._cv2 is None:
        pytest.skip("OpenCV is not installed")
    with_opencv = [masks.largest_region_start(c) for c in cells]
    monkeypatch.setattr(masks, "_cv2", None)
    assert [masks.largest_region_start(c) for c in cells] == with_opencv
    assert with_opencv[-1] == (6, 1)


@pytest.mark.parametrize("size", [(240, 320), (417, 650), (1000, 1500), (100, 80)])
def test_upsampling_matches_bilinear_interpolate(size: tuple[int, int]) -> None:
    import torch
    import torch.nn.functional as F

    from shelfscope.ml.segmenters.sam2 import upsample

    rng = np.random.default_rng(size[0])
    blobs = F.avg_pool2d(torch.from_numpy(rng.normal(size=(1, 1, 64, 64)).astype(np.float32)), 5, 1, 2)
    logits = F.interpolate(blobs, (256, 256), mode="bilinear")[0, 0] - 0.1
    logits[:30] = -1.0  # off near the top: the window is smaller than the frame
    small = logits.clone()
    small[:, 100:] = -1.0
    small[150:] = -1.0

    for low in (logits, small):
        mask, box = upsample(low, *size)
        reference = (
            F.interpolate(low[None, None], size, mode="bilinear", align_corners=False)[0, 0] > 0
        ).numpy()
        # Float rounding may flip a pixel whose value is within 1e-7 of zero, nothing more.
        assert (mask != reference).sum() <= 2
        assert box == masks.tight_box(mask)


def test_packed_counts_round_trip_in_strings_a_job_result_keeps() -> None:
    counts = [0, *range(1, 5000), 2**32 - 1]

    packed = rle.pack_counts(counts)

    assert rle.unpack_counts(packed) == counts
    assert len(packed) == 7
    assert all(len(chunk) <= 4000 for chunk in packed)


def test_opencvs_simplification_keeps_the_same_start_and_tolerance_as_the_numpy_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A blob's traced outline simplified both ways: each polygon starts at the traced ring's first
    vertex, keeps the outline within the tolerance (its raster differs from the mask by a thin band
    only) and has about as many points as the other."""
    if masks._cv2 is None:
        pytest.skip("OpenCV is not installed")
    yy, xx = np.mgrid[:300, :400]
    blob = ((yy - 150) / 120) ** 2 + ((xx - 200) / 170) ** 2 + 0.15 * np.sin(xx / 9) <= 1
    cells = np.pad(blob, 1).astype(np.int8)
    start = masks.largest_region_start(cells)
    assert start is not None
    traced = masks.trace_outline(cells, start)

    with_opencv = masks.simplify_ring(traced, tolerance=1.0)
    capped = masks.simplify_ring(traced, tolerance=0.01, max_points=40)
    monkeypatch.setattr(masks, "_cv2", None)
    with_numpy = masks.simplify_ring(traced, tolerance=1.0)

    assert with_opencv[0] == with_numpy[0] == traced[0]
    assert 0.8 < len(with_opencv) / len(with_numpy) < 1.25
    for polygon in (with_opencv, with_numpy):
        drawn = raster([[float(x), float(y)] for x, y in polygon], 300, 400)
        assert (drawn ^ blob).sum() < 0.01 * blob.sum()
    assert 3 <= len(capped) <= 40


# The outline as a walk of single pixel edges (masks.trace_outline before it was vectorised), the
# reference the vectorised one must equal vertex for vertex.
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))
_AHEAD = (((0, -1), (0, 0)), ((0, 0), (-1, 0)), ((-1, 0), (-1, -1)), ((-1, -1), (0, -1)))


def walk_outline(cells: np.ndarray, start: tuple[int, int]) -> list[tuple[int, int]]:
    """Along pixel edges with the region on the right: turn right when the pixel ahead-right is off,
    left when the one ahead-left is on, else go straight; a vertex at each turn."""
    x0, y0 = start
    x, y, heading = x0, y0, 0
    vertices = [(x0, y0)]
    while True:
        (lx, ly), (rx, ry) = _AHEAD[heading]
        if not cells[y + ry + 1, x + rx + 1]:
            turn = 1
        elif cells[y + ly + 1, x + lx + 1]:
            turn = 3
        else:
            turn = 0
        if turn:
            heading = (heading + turn) % 4
            if vertices[-1] != (x, y):
                vertices.append((x, y))
            continue
        dx, dy = _STEPS[heading]
        x, y = x + dx, y + dy
        if (x, y) == (x0, y0) and heading == 3:
            return vertices


def random_masks(count: int) -> Iterator[np.ndarray]:
    """Noise (many regions touching at corners, holes reaching out through corners) and smooth blobs."""
    rng = np.random.default_rng(11)
    for trial in range(count):
        height, width = (int(n) for n in rng.integers(1, 40, 2))
        if trial % 2:
            mask = rng.random((height, width)) < rng.uniform(0.3, 0.9)
        else:
            coarse = rng.random((max(1, height // 4), max(1, width // 4)))
            rows = np.linspace(0, coarse.shape[0] - 1, height).round().astype(int)
            cols = np.linspace(0, coarse.shape[1] - 1, width).round().astype(int)
            mask = coarse[rows][:, cols] > rng.uniform(0.2, 0.7)
        yield mask


def test_the_vectorised_outline_equals_a_walk_along_pixel_edges() -> None:
    """600 masks: the same vertices in the same order as the walk."""
    for mask in random_masks(600):
        cells = np.pad(mask, 1).astype(np.int8)
        start = masks.largest_region_start(cells)
        if start is None:
            continue
        assert masks.trace_outline(cells, start) == walk_outline(cells, start), mask.astype(int)


def test_the_largest_outline_is_found_with_or_without_labelling(monkeypatch: pytest.MonkeyPatch) -> None:
    """largest_outline gives the walk around the largest region, both when the boundaries' areas
    settle which region is largest and when they do not and the regions are labelled."""
    labelled = []
    label = masks.largest_region_start

    def counted(cells: np.ndarray) -> tuple[int, int] | None:
        labelled.append(True)
        return label(cells)

    settled = 0
    for mask in random_masks(600):
        cells = np.pad(mask, 1).astype(np.int8)
        start = label(cells)
        monkeypatch.setattr(masks, "largest_region_start", counted)
        before = len(labelled)
        outline = masks.largest_outline(cells)
        monkeypatch.setattr(masks, "largest_region_start", label)
        settled += len(labelled) == before
        assert outline == ([] if start is None else walk_outline(cells, start)), mask.astype(int)
    assert settled > 300 and len(labelled) > 5  # both ways taken, the first far more often


def test_rle_counts_are_the_same_without_opencv(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [shapes(), wrapping_run(), np.ones((7, 9), dtype=bool), *list(random_masks(40))]
    with_opencv = [masks.to_rle(mask, masks.tight_box(mask)) for mask in cases]
    monkeypatch.setattr(masks, "_cv2", None)
    assert [masks.to_rle(mask, masks.tight_box(mask)) for mask in cases] == with_opencv
