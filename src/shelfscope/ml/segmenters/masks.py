"""Binary masks as the API sends them: the tight box, COCO uncompressed RLE (column-major) and the
outline of the largest region as a simplified polygon; and where a low-resolution mask can be on once
upsampled.

numpy, with OpenCV's labelling, transpose and simplification where it is installed (the ml extra
brings it; without it the same regions and runs, and an outline within the same tolerance), and
proportional to the mask's box rather than the whole image wherever it can be: a click on a
12-megapixel photo must not cost a pass over twelve million pixels per step.

Coordinates: a box is x1 y1 x2 y2 in pixel edges (the mask's pixel columns x1..x2-1 and rows
y1..y2-1), and polygon vertices lie on pixel corners, so the polygon encloses exactly the pixels of
its region and stays inside the box."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
import numpy.typing as npt

_cv2: ModuleType | None
try:  # opencv-python-headless: in the ml extra (rfdetr needs it); numpy alone works, more slowly
    import cv2 as _cv2
except ImportError:  # pragma: no cover - depends on the install
    _cv2 = None

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Box = tuple[int, int, int, int]

# The editor's polygon limit (od.geometry): a simplified outline never has more points than this.
MAX_POLYGON_POINTS = 2000
SIMPLIFY_TOLERANCE_PX = 1.0


def source_indices(n_in: int, n_out: int) -> tuple[IntArray, IntArray, FloatArray]:
    """Per output index: the two input indices bilinear interpolation reads and the second's weight,
    exactly as torch's interpolate(mode="bilinear", align_corners=False) computes them."""
    scale = n_in / n_out
    position = np.maximum((np.arange(n_out, dtype=np.float64) + 0.5) * scale - 0.5, 0.0)
    first = np.minimum(np.floor(position).astype(np.int64), n_in - 1)
    second = np.minimum(first + 1, n_in - 1)
    return first, second, (position - first).astype(np.float32)


def output_span(positive: BoolArray, first: IntArray, second: IntArray) -> tuple[int, int] | None:
    """The span of output indices that read a positive input (`positive` per input row or column).
    Outside it every output blends non-positive logits only, so it is off after `> 0`."""
    hit = np.flatnonzero(positive[first] | positive[second])
    if hit.size == 0:
        return None
    return int(hit[0]), int(hit[-1]) + 1


def tight_box(mask: BoolArray) -> Box | None:
    """x1 y1 x2 y2 around the set pixels (x2, y2 one past the last column and row), or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def int_box(box: tuple[float, float, float, float]) -> Box | None:
    """A mask's box (pixel edges, whole numbers) as ints; None for a box of no area (an empty mask)."""
    x1, y1, x2, y2 = (round(v) for v in box)
    return None if x2 <= x1 or y2 <= y1 else (x1, y1, x2, y2)


def rle_counts(mask: BoolArray, box: Box | None) -> IntArray:
    """The counts of to_rle as an array. Only the box is read: each of its columns with an off pixel
    above and below, so a run never crosses from one column into the next; where the box is the
    mask's full height, a run of 1s that does continue into the next column is joined again."""
    height, width = mask.shape
    if box is None:
        return np.array([height * width], dtype=np.int64)
    x1, y1, x2, y2 = box
    rows = y2 - y1 + 2
    window = mask[y1:y2, x1:x2]
    columns: npt.NDArray[np.uint8]
    if _cv2 is not None:  # OpenCV transposes a camera photo's mask in a seventh of numpy's time
        transposed = _cv2.transpose(window.view(np.uint8))
        columns = _cv2.copyMakeBorder(transposed, 0, 0, 1, 1, _cv2.BORDER_CONSTANT, value=0)
    else:
        columns = np.zeros((x2 - x1, rows), dtype=np.uint8)
        columns[:, 1:-1] = window.T
    # Where a new value begins, as an index into the whole mask in column-major order; the changes
    # alternate: a run of 1s begins, it ends.
    flat = columns.ravel()
    column, row = np.divmod(np.flatnonzero(flat[1:] != flat[:-1]) + 1, rows)
    changes = (column + x1) * height + (y1 - 1) + row
    # A run ending at a column's last pixel where the next column's run begins at its first: one run.
    joined = np.flatnonzero(changes[1:-1:2] == changes[2::2])
    if joined.size:
        changes = np.delete(changes, np.concatenate([2 * joined + 1, 2 * joined + 2]))
    counts = np.diff(np.concatenate(([0], changes, [height * width])))
    return counts[:-1] if counts[-1] == 0 else counts


def to_rle(mask: BoolArray, box: Box | None) -> dict[str, list[int]]:
    """COCO uncompressed RLE: {"size": [h, w], "counts": [...]}, runs of 0 then 1 alternately, column
    by column (Fortran order), starting with a (possibly empty) run of 0. `box` is the mask's tight box:
    the columns outside it are runs of 0 added without reading them."""
    counts: list[int] = rle_counts(mask, box).tolist()
    return {"size": list(mask.shape), "counts": counts}


def _padded(region: BoolArray) -> npt.NDArray[np.int8]:
    """The region as 0/1 with a border of 0 all round (so every run and every walk has an outside)."""
    cells = np.zeros((region.shape[0] + 2, region.shape[1] + 2), dtype=np.int8)
    cells[1:-1, 1:-1] = region
    return cells


def _row_runs(cells: npt.NDArray[np.int8]) -> tuple[IntArray, IntArray, IntArray]:
    """Every horizontal run of set cells: its row, first column and one-past-last column (in the
    padded grid), in row then column order. One pass over the flattened grid: its zero border keeps
    runs from crossing rows."""
    stride = cells.shape[1]
    change = np.diff(cells.ravel())
    edges = np.flatnonzero(change != 0)  # of a bool array: nine times as fast as of the int8 one
    rising = change[edges] == 1
    starts = edges[rising] + 1
    ends = edges[~rising] + 1
    return starts // stride, starts % stride, ends % stride


def _component_of_runs(rows: IntArray, starts: IntArray, ends: IntArray) -> list[int]:
    """A component root per run: runs on adjacent rows whose columns overlap (4-connectivity) are
    joined. The overlaps are found with two sorted searches; union-find joins them."""
    stride = int(ends.max()) + 1
    start_keys = rows * stride + starts
    end_keys = rows * stride + ends
    # For a run on row r+1 the overlapping runs on row r are a contiguous index range [lo, hi).
    above = (rows - 1) * stride
    lo = np.searchsorted(end_keys, above + starts, side="right")
    hi = np.searchsorted(start_keys, above + ends, side="left")
    count = np.maximum(hi - lo, 0)
    below = np.repeat(np.arange(rows.size), count)
    upper = np.repeat(lo, count) + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    parent = list(range(rows.size))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in zip(below.tolist(), upper.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(node) for node in range(rows.size)]


def largest_region_start(cells: npt.NDArray[np.int8]) -> tuple[int, int] | None:
    """The first pixel in reading order (x, y in the region) of the largest 4-connected set of pixels
    (by pixel count; ties: the first found), or None for an empty region. OpenCV's labelling when it
    is installed (the ml extra brings it): one pass in C instead of a union-find in Python."""
    if _cv2 is not None:
        return _largest_region_start_cv2(cells)
    rows, starts, ends = _row_runs(cells)
    if rows.size == 0:
        return None
    labels = np.asarray(_component_of_runs(rows, starts, ends))
    sizes = np.bincount(labels, weights=(ends - starts).astype(np.float64))
    # Roots are each component's first run, which holds its first pixel in reading order.
    first = int(np.argmax(sizes))
    return int(starts[first]) - 1, int(rows[first]) - 1


def _largest_region_start_cv2(cells: npt.NDArray[np.int8]) -> tuple[int, int] | None:
    assert _cv2 is not None
    count, labels = _cv2.connectedComponents(cells.view(np.uint8), connectivity=4, ltype=_cv2.CV_32S)
    if count <= 1:
        return None
    # Areas from the row runs (a run lies in one region): a bincount over a few thousand runs, where
    # one over every pixel of a camera photo's mask took as long as the labelling itself (and OpenCV's
    # per-label statistics three times as long).
    rows, starts, ends = _row_runs(cells)
    run_labels = labels[rows, starts]
    areas = np.bincount(run_labels, weights=(ends - starts).astype(np.float64), minlength=count)[1:]
    largest = np.flatnonzero(areas == areas.max()) + 1
    # Label order is the algorithm's, not reading order: of the largest, the one whose first run (runs
    # are in reading order) comes first.
    first = int(np.flatnonzero(np.isin(run_labels, largest))[0])
    return int(starts[first]) - 1, int(rows[first]) - 1


@dataclass(frozen=True)
class _Boundaries:
    """Every horizontal run of boundary edges in a padded grid, and the run each is followed by going
    clockwise on screen with the set pixels on the right. The runs form one cycle per boundary: the
    outline of each 4-connected region and of each hole in one."""

    x_start: IntArray  # vertex column where the run begins (it ends on the same row)
    x_end: IntArray
    y: IntArray  # vertex row
    east: BoolArray  # heading east: the top of set pixels; else west, their bottom
    successor: IntArray
    order: IntArray  # runs by (x_start, y): what start_of finds a vertex in
    sorted_keys: IntArray
    height: int

    def start_of(self, vertex: tuple[int, int]) -> int:
        """The eastward run that starts at this vertex (the top-left corner of a region's first pixel)."""
        x, y = vertex
        return int(self.order[np.searchsorted(self.sorted_keys, x * self.height + y, side="right") - 1])

    def cycle(self, first: int) -> list[tuple[int, int]]:
        """The vertices of the boundary that `first` is on, from that run's start."""
        successor = self.successor.tolist()
        starts, ends, rows = self.x_start.tolist(), self.x_end.tolist(), self.y.tolist()
        vertices = []
        run = first
        while True:
            vertices += [(starts[run], rows[run]), (ends[run], rows[run])]
            run = successor[run]
            if run == first:
                return vertices


def _boundaries(cells: npt.NDArray[np.int8]) -> _Boundaries | None:
    """Found in three passes over the grid; each run's successor is looked up at once: from a run's
    end the outline turns south or north (the pixel ahead tells which) along a column of vertical
    edges to the nearest run starting in that column. Where two set pixels meet only at a corner the
    outline turns right, keeping to its own 4-connected region. None for a grid with no set pixel."""
    stride, height = cells.shape[1], cells.shape[0]
    # Between padded rows b and b+1 (vertex row y = b): +1 where only the pixel below is set (an edge
    # heading east), -1 where only the one above is (heading west). The zero border keeps runs in rows.
    flat = (cells[1:] - cells[:-1]).ravel()
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    if change.size == 0:
        return None
    firsts = change[flat[change] != 0]
    lasts = change[flat[change - 1] != 0]  # one past each run's last edge
    east = flat[firsts] > 0
    y, first_column = np.divmod(firsts, stride)
    last_column = lasts % stride
    # An edge in padded column c runs from vertex x = c - 1 to x = c.
    x_start = np.where(east, first_column - 1, last_column - 1)
    x_end = np.where(east, last_column - 1, first_column - 1)
    # At an eastward run's end the outline goes south unless the pixel ahead (x_end, y) is set; at a
    # westward run's end it goes north unless the pixel ahead (x_end - 1, y - 1) is set.
    ahead = np.where(east, cells[y + 1, x_end + 1], cells[y, x_end]) != 0
    south = np.where(east, ~ahead, ahead)
    # Runs by (column, row) of their start; where two start at one vertex (pixels meeting at a corner)
    # the westward one sorts first: the nearest below (going south) or above (going north) is then the
    # right turn.
    keys = x_start * height + y
    order = np.argsort(keys * 2 + east, kind="stable")
    sorted_keys = keys[order]
    end_keys = x_end * height + y
    successor = order[
        np.where(
            south,
            np.searchsorted(sorted_keys, end_keys, side="right"),
            np.searchsorted(sorted_keys, end_keys, side="left") - 1,
        )
    ]
    return _Boundaries(x_start, x_end, y, east, successor, order, sorted_keys, height)


def trace_outline(cells: npt.NDArray[np.int8], start: tuple[int, int]) -> list[tuple[int, int]]:
    """The outer boundary, along pixel edges and clockwise on screen, of the 4-connected region whose
    first pixel in reading order is `start`; its corner vertices (x, y) in the region's coordinates,
    from the start's top-left corner. Only that region's outline is followed, whatever else `cells`
    holds. (Vectorised: a Python walk of single pixel edges took 10 ms on a camera photo's mask.)"""
    found = _boundaries(cells)
    if found is None:
        raise ValueError("no set pixel to start from")
    return found.cycle(found.start_of(start))


def largest_outline(cells: npt.NDArray[np.int8]) -> list[tuple[int, int]]:
    """trace_outline of the largest region (largest_region_start), [] when nothing is set.

    Most masks need no labelling to know their largest region. With the set pixels on the right, a
    boundary's signed area is a region's area with its holes filled (positive) or a hole's (negative).
    A region has at least its filled area less every hole's, and at most its filled area: when the
    largest filled area less all holes still beats the next filled area, that region is the largest,
    and its first pixel is its outline's first in reading order. Otherwise the regions are labelled."""
    found = _boundaries(cells)
    if found is None:
        return []
    count = found.successor.size
    # Each run's boundary: the smallest run index on its cycle, by pointer doubling.
    cycle, step = np.arange(count), found.successor
    for _ in range(max(1, count.bit_length())):
        cycle = np.minimum(cycle, cycle[step])
        step = step[step]
    # Shoelace over the horizontal edges (y down, clockwise): -(x_end - x_start) * y per run.
    areas = np.bincount(cycle, weights=((found.x_start - found.x_end) * found.y).astype(np.float64))
    filled = np.sort(areas[areas > 0])
    holes = float(-areas[areas < 0].sum())
    if filled.size == 1 or filled[-1] - holes > filled[-2]:
        on_largest = np.flatnonzero((cycle == int(np.argmax(areas))) & found.east)
        first = int(on_largest[np.lexsort((found.x_start[on_largest], found.y[on_largest]))[0]])
        return found.cycle(first)
    start = largest_region_start(cells)
    assert start is not None
    return found.cycle(found.start_of(start))


def _simplify_open(points: FloatArray, tolerance: float) -> list[int]:
    """Douglas-Peucker on an open chain: indices of the points kept (both ends always)."""
    keep = np.zeros(len(points), dtype=np.bool_)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        start, end = points[a], points[b]
        segment = end - start
        length = float(np.hypot(*segment))
        middle = points[a + 1 : b] - start
        if length == 0.0:
            distance = np.hypot(middle[:, 0], middle[:, 1])
        else:
            distance = np.abs(segment[0] * middle[:, 1] - segment[1] * middle[:, 0]) / length
        far = int(np.argmax(distance))
        if distance[far] > tolerance:
            split = a + 1 + far
            keep[split] = True
            stack += [(a, split), (split, b)]
    return np.flatnonzero(keep).tolist()


def simplify_ring(
    vertices: list[tuple[int, int]],
    tolerance: float = SIMPLIFY_TOLERANCE_PX,
    max_points: int = MAX_POLYGON_POINTS,
) -> list[tuple[int, int]]:
    """A closed outline with fewer vertices, each within `tolerance` of the original path; the
    tolerance doubles until at most `max_points` remain."""
    if len(vertices) <= 4:
        return vertices
    if _cv2 is not None:
        return _simplify_ring_cv2(vertices, tolerance, max_points)
    points = np.asarray(vertices, dtype=np.float32)
    # Split the ring at its first vertex and the vertex farthest from it: two open chains.
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    ring = np.concatenate([points, points[:1]])
    while True:
        kept = _simplify_open(ring[: far + 1], tolerance)[:-1]
        kept += [far + i for i in _simplify_open(ring[far:], tolerance)[:-1]]
        if len(kept) < 3:  # a sliver thinner than the tolerance: keep its outline as traced
            return vertices
        if len(kept) <= max_points:
            return [vertices[i] for i in kept]
        tolerance *= 2


def _simplify_ring_cv2(
    vertices: list[tuple[int, int]], tolerance: float, max_points: int
) -> list[tuple[int, int]]:
    """simplify_ring by OpenCV's Douglas-Peucker on the closed curve (the same tolerance, in C: the
    Python one took 15 ms of a click on a camera photo's outline). OpenCV picks its own starting
    vertex; the ring is turned back to start at the kept vertex that comes first in `vertices`."""
    assert _cv2 is not None
    ring = np.asarray(vertices, dtype=np.int32).reshape(-1, 1, 2)
    order = {vertex: index for index, vertex in enumerate(vertices)}
    while True:
        kept = [(int(x), int(y)) for x, y in _cv2.approxPolyDP(ring, tolerance, True).reshape(-1, 2)]
        if len(kept) < 3:  # a sliver thinner than the tolerance: keep its outline as traced
            return vertices
        if len(kept) <= max_points:
            first = min(range(len(kept)), key=lambda i: order[kept[i]])
            return kept[first:] + kept[:first]
        tolerance *= 2


def to_polygon(
    mask: BoolArray, box: Box | None, tolerance: float = SIMPLIFY_TOLERANCE_PX
) -> list[list[float]]:
    """The outline of the mask's largest region, simplified, as [[x, y], ...] in image pixels; [] for
    an empty mask. Only the box's pixels are read."""
    if box is None:
        return []
    x1, y1, x2, y2 = box
    outline = largest_outline(_padded(mask[y1:y2, x1:x2]))
    if not outline:
        return []
    ring = simplify_ring(outline, tolerance)
    return [[float(x + x1), float(y + y1)] for x, y in ring]
