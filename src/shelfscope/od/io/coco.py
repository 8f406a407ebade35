"""COCO object detection files: a streaming reader, where a file's images live, and a streaming writer.

Scope: boxes (`bbox`) and polygons (`segmentation` as a list of point lists). Captions, image-level
labels and panoptic segments are outside it and reported as such; keypoints and RLE masks are
dropped from annotations that also have a box.
"""

from __future__ import annotations

import json
import math
import posixpath
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, BinaryIO, NamedTuple, TextIO

import msgspec
import numpy as np
import numpy.typing as npt

from shelfscope.od.io.common import FormatError, Issue, round_px, split_from_name, split_from_path
from shelfscope.od.io.jsonstream import ARRAY_START, FAST, SCALAR, ByteReader, iter_top_level
from shelfscope.od.vocabulary import Split

_NUMBER = (int, float)
_TASK_PREFIXES = (
    "instances_",
    "person_keypoints_",
    "captions_",
    "labels_",
    "image_info_",
    "panoptic_",
    "stuff_",
)
# Annotation kinds outside Shelfscope's scope, by what they hold instead of a box.
OUT_OF_SCOPE = {
    "caption": "captions",
    "panoptic": "panoptic segments",
    "label": "image-level labels without boxes",
    "keypoints": "keypoints without boxes",
    "rle_only": "RLE masks without boxes",
}


class CocoCategory(NamedTuple):
    id: int
    name: str
    supercategory: str | None
    position: int
    line: int


class CocoImage(NamedTuple):
    id: int
    file_name: str
    width: int | None
    height: int | None
    position: int
    line: int


class CocoAnnotation(NamedTuple):
    image_id: int
    category_id: int
    # The box as COCO writes it: top-left corner, width and height, in pixels of the declared size.
    x: float
    y: float
    w: float
    h: float
    # Polygon parts as flat [x0, y0, x1, y1, ...] lists, or None.
    polygon: tuple[tuple[float, ...], ...] | None
    # The annotation had an RLE mask or keypoints, which were not kept.
    dropped: str | None
    iscrowd: int
    position: int
    line: int


class CocoOutOfScope(NamedTuple):
    kind: str
    position: int
    line: int


BATCH_DTYPE = np.dtype(
    [
        ("image_id", "i8"),
        ("category_id", "i8"),
        ("x", "f8"),
        ("y", "f8"),
        ("w", "f8"),
        ("h", "f8"),
        ("line", "i4"),
        ("position", "i4"),
    ]
)
BATCH_ROWS = 65_536


class CocoAnnotationBatch(NamedTuple):
    """Plain box annotations (no polygon, not crowd, nothing dropped), many at a time as columns
    (BATCH_DTYPE): the shape a million-box file is read in without an object per box."""

    rows: npt.NDArray[Any]


CocoItem = CocoImage | CocoCategory | CocoAnnotation | CocoAnnotationBatch | CocoOutOfScope | Issue
_ID_RANGE = range(-(2**63), 2**63)


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value if value in _ID_RANGE else None
    # A float is compared, never tested `in _ID_RANGE`: range looks for a float by iterating.
    if type(value) is float and value.is_integer() and -(2.0**63) <= value < 2.0**63:
        return int(value)
    return None


def _number(value: Any) -> float | None:
    if type(value) in _NUMBER:
        return float(value)
    return None


def _image(obj: Any, index: int, line: int, file: str) -> CocoImage | Issue:
    field = f"images[{index}]"
    if type(obj) is not dict:
        return Issue("bad_image", f"{field} is not an object.", file, line, field)
    image_id = _int(obj.get("id"))
    if image_id is None:
        return Issue(
            "bad_image", f"{field}.id must be an integer, not {obj.get('id')!r}.", file, line, f"{field}.id"
        )
    name = obj.get("file_name")
    if not isinstance(name, str) or not name.strip():
        return Issue("bad_image", f"{field}.file_name must be a file name.", file, line, f"{field}.file_name")
    width, height = obj.get("width"), obj.get("height")
    w = _int(width) if width is not None else None
    h = _int(height) if height is not None else None
    if (width is not None and (w is None or w < 0)) or (height is not None and (h is None or h < 0)):
        return Issue(
            "negative_size",
            f"{field} ({name}) has width {width!r} and height {height!r}; both must be positive integers.",
            file,
            line,
            f"{field}.width",
        )
    # 0 means "unknown" in some exporters; the file's real size is used then.
    return CocoImage(image_id, name, w or None, h or None, index, line)


def _category(obj: Any, index: int, line: int, file: str) -> CocoCategory | Issue:
    field = f"categories[{index}]"
    if type(obj) is not dict:
        return Issue("bad_category", f"{field} is not an object.", file, line, field)
    cat_id = _int(obj.get("id"))
    if cat_id is None:
        return Issue("bad_category", f"{field}.id must be an integer.", file, line, f"{field}.id")
    name = obj.get("name")
    if not isinstance(name, str):
        return Issue("bad_category", f"{field}.name must be a string.", file, line, f"{field}.name")
    sup = obj.get("supercategory")
    return CocoCategory(cat_id, name, sup if isinstance(sup, str) and sup else None, index, line)


def _polygon(seg: Any) -> tuple[tuple[float, ...], ...] | str | None:
    """Polygon parts, None when there is no polygon, or a sentence saying what is wrong."""
    if not seg:
        return None
    if type(seg) is not list:
        return "must be a list of polygons or an RLE object"
    parts: list[tuple[float, ...]] = []
    for part in seg:
        if type(part) is not list or len(part) < 6 or len(part) % 2:
            return "each polygon must be a list of at least 3 x, y pairs"
        values = []
        for v in part:
            if type(v) not in _NUMBER:
                return f"polygon coordinates must be numbers, not {v!r}"
            values.append(float(v))
        parts.append(tuple(values))
    return tuple(parts)


def _annotation(obj: Any, index: int, line: int, file: str) -> CocoAnnotation | CocoOutOfScope | Issue:
    field = f"annotations[{index}]"
    if type(obj) is not dict:
        return Issue("bad_annotation", f"{field} is not an object.", file, line, field)
    bbox = obj.get("bbox")
    seg = obj.get("segmentation")
    if bbox is None:
        if "caption" in obj:
            return CocoOutOfScope("caption", index, line)
        if "segments_info" in obj:
            return CocoOutOfScope("panoptic", index, line)
        if type(seg) is dict:
            return CocoOutOfScope("rle_only", index, line)
        if not seg:
            return CocoOutOfScope("keypoints" if "keypoints" in obj else "label", index, line)
    image_id = _int(obj.get("image_id"))
    if image_id is None:
        return Issue(
            "bad_annotation",
            f"{field}.image_id must be an integer, not {obj.get('image_id')!r}.",
            file,
            line,
            f"{field}.image_id",
        )
    category_id = _int(obj.get("category_id"))
    if category_id is None:
        return Issue(
            "bad_annotation",
            f"{field}.category_id must be an integer, not {obj.get('category_id')!r}.",
            file,
            line,
            f"{field}.category_id",
        )
    dropped: str | None = "keypoints" if "keypoints" in obj else None
    polygon: tuple[tuple[float, ...], ...] | None = None
    if type(seg) is dict:
        dropped = "RLE mask"
    else:
        parsed = _polygon(seg)
        if isinstance(parsed, str):
            return Issue(
                "bad_annotation", f"{field}.segmentation {parsed}.", file, line, f"{field}.segmentation"
            )
        polygon = parsed
    if bbox is None:
        assert polygon is not None
        xs = [v for part in polygon for v in part[0::2]]
        ys = [v for part in polygon for v in part[1::2]]
        x, y = min(xs), min(ys)
        w, h = max(xs) - x, max(ys) - y
    else:
        if type(bbox) is not list or len(bbox) != 4:
            return Issue(
                "bad_box",
                f"{field}.bbox must be [x, y, width, height], not {bbox!r}.",
                file,
                line,
                f"{field}.bbox",
            )
        x, y, w, h = bbox
        if (
            type(x) not in _NUMBER
            or type(y) not in _NUMBER
            or type(w) not in _NUMBER
            or type(h) not in _NUMBER
        ):
            return Issue(
                "bad_box", f"{field}.bbox must hold 4 numbers, not {bbox!r}.", file, line, f"{field}.bbox"
            )
    crowd = _int(obj.get("iscrowd", 0)) or 0
    return CocoAnnotation(
        image_id, category_id, float(x), float(y), float(w), float(h), polygon, dropped, crowd, index, line
    )


class _PlainBoxes:
    """Plain boxes waiting to be yielded, as batches of exactly BATCH_ROWS (the last one shorter), so
    the items come out in the same order whether the boxes were decoded one at a time or many at once:
    an annotation of another kind is yielded where it is met, a batch once it is full."""

    def __init__(self) -> None:
        self.parts: list[npt.NDArray[Any]] = []
        self.count = 0

    def add(self, rows: npt.NDArray[Any]) -> list[CocoAnnotationBatch]:
        self.parts.append(rows)
        self.count += len(rows)
        full: list[CocoAnnotationBatch] = []
        while self.count >= BATCH_ROWS:
            joined = np.concatenate(self.parts) if len(self.parts) > 1 else self.parts[0]
            full.append(CocoAnnotationBatch(joined[:BATCH_ROWS]))
            left = joined[BATCH_ROWS:]
            self.parts, self.count = ([left] if len(left) else []), len(left)
        return full

    def rest(self) -> list[CocoAnnotationBatch]:
        if not self.count:
            return []
        joined = np.concatenate(self.parts) if len(self.parts) > 1 else self.parts[0]
        self.parts, self.count = [], 0
        return [CocoAnnotationBatch(joined)]


class _Box(msgspec.Struct):
    """What the hot path needs of an annotation, checked by the C decoder: ids that are JSON integers
    within int64 (not floats, not booleans), a bbox of exactly four JSON numbers. Anything else about
    the element (a polygon, crowd, keypoints) is kept to decide whether it is a plain box."""

    image_id: Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
    category_id: Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
    bbox: tuple[float, float, float, float]
    segmentation: Any = None
    iscrowd: Any = None
    keypoints: Any = msgspec.UNSET


_BOX = msgspec.json.Decoder(_Box)
_BOXES = msgspec.json.Decoder(list[_Box])


def _plain(box: _Box) -> bool:
    return not box.segmentation and not box.iscrowd and box.keypoints is msgspec.UNSET


class _FastAnnotations:
    """The 'annotations' array many elements at a time (jsonstream.FastArray): plain boxes become one
    BATCH_DTYPE array per call, with the same values, positions and lines the element-by-element path
    gives (tests/io/test_coco.py compares them). A piece with anything else, or anything the
    decoder refuses (which the ordinary path may still accept, such as an id written 1.0, or reject
    with a message), is left to the ordinary path."""

    def one_line(self, piece: str, first_index: int, line: int) -> tuple[list[Any], int] | None:
        try:
            boxes = _BOXES.decode("[" + piece + "]")
        except msgspec.DecodeError:
            return None
        if not all(map(_plain, boxes)):
            return None
        n = len(boxes)
        positions = range(first_index, first_index + n)
        rows = [(b.image_id, b.category_id, *b.bbox, line, i) for i, b in zip(positions, boxes, strict=True)]
        return [np.array(rows, dtype=BATCH_DTYPE)], n

    def per_line(self, lines: list[str], first_index: int, first_line: int) -> tuple[list[Any], int]:
        rows: list[tuple[int, int, float, float, float, float, int, int]] = []
        decode = _BOX.decode
        count = 0
        for text in lines:
            element = text.strip()
            if not element.endswith(","):
                break
            try:
                box = decode(element[:-1])
            except msgspec.DecodeError:
                break
            if not _plain(box):
                break
            rows.append((box.image_id, box.category_id, *box.bbox, first_line + count, first_index + count))
            count += 1
        if not count:
            return [], 0
        return [np.array(rows, dtype=BATCH_DTYPE)], count


def read_coco(stream: ByteReader, file: str) -> Iterator[CocoItem]:
    """Images, categories and annotations in file order, plus an Issue for every malformed entry.

    Plain boxes come in CocoAnnotationBatch chunks; anything else in an annotation (a polygon, a
    crowd mask, keypoints, a malformed field) comes as its own CocoAnnotation, CocoOutOfScope or Issue.
    Raises FormatError for JSON that does not parse and for a file without an 'images' list."""
    seen_images = False
    fast: list[tuple[int, int, float, float, float, float, int, int]] = []
    plain = _PlainBoxes()
    for key, index, value, line in iter_top_level(stream, file, {"annotations": _FastAnnotations()}):
        if index == FAST:
            # Boxes the C decoder read: queued behind those read one at a time, in file order.
            if fast:
                plain.add(np.array(fast, dtype=BATCH_DTYPE))
                fast = []
            yield from plain.add(value)
            continue
        if key == "annotations" and index >= 0:
            # The hot path, one pass per box: checks kept inline on purpose.
            if type(value) is dict:
                bbox = value.get("bbox")
                if (
                    type(bbox) is list
                    and len(bbox) == 4
                    and not value.get("segmentation")
                    and not value.get("iscrowd")
                    and "keypoints" not in value
                ):
                    image_id = value.get("image_id")
                    category_id = value.get("category_id")
                    x, y, w, h = bbox
                    if (
                        type(image_id) is int
                        and type(category_id) is int
                        and type(x) in _NUMBER
                        and type(y) in _NUMBER
                        and type(w) in _NUMBER
                        and type(h) in _NUMBER
                        and image_id in _ID_RANGE
                        and category_id in _ID_RANGE
                    ):
                        fast.append((image_id, category_id, x, y, w, h, line, index))
                        if plain.count + len(fast) >= BATCH_ROWS:
                            yield from plain.add(np.array(fast, dtype=BATCH_DTYPE))
                            fast = []
                        continue
            yield _annotation(value, index, line, file)
            continue
        if index == ARRAY_START:
            seen_images = seen_images or key == "images"
            continue
        if key == "annotations":
            raise FormatError(f"{file}: 'annotations' must be a list.", file=file, line=line, field=key)
        elif key == "images":
            if index == SCALAR:
                raise FormatError(f"{file}: 'images' must be a list.", file=file, line=line, field=key)
            yield _image(value, index, line, file)
        elif key == "categories":
            if index == SCALAR:
                raise FormatError(f"{file}: 'categories' must be a list.", file=file, line=line, field=key)
            yield _category(value, index, line, file)
    if fast:
        plain.add(np.array(fast, dtype=BATCH_DTYPE))
    yield from plain.rest()
    if not seen_images:
        raise FormatError(
            f"{file} is not a COCO file: it has no 'images' list.", kind="not_coco", file=file, field="images"
        )


# ---- where things are -------------------------------------------------------------------------------


class CocoFile(NamedTuple):
    path: str
    # The subset as the file names it ('train', 'val2017'), and the split it means, if any.
    subset: str | None
    split: Split | None


def coco_file(path: str) -> CocoFile:
    """'annotations/instances_val2017.json' → subset 'val2017'; 'train/_annotations.coco.json' → 'train'."""
    name = posixpath.basename(path)
    base = name[: -len(".json")] if name.lower().endswith(".json") else name
    if base.endswith(".coco"):
        base = base[: -len(".coco")]
    subset: str | None = None
    for prefix in _TASK_PREFIXES:
        if base.startswith(prefix):
            subset = base[len(prefix) :]
            break
    if subset is None and split_from_name(base) is not None:
        subset = base
    if subset is None:
        parent = posixpath.basename(posixpath.dirname(path))
        subset = parent if split_from_name(parent) is not None else None
    split = split_from_name(subset) if subset else split_from_path(path)
    if split is None and subset:
        # 'val2017', 'train2014'
        split = split_from_name(subset.rstrip("0123456789"))
    return CocoFile(path, subset, split)


def image_candidates(coco: CocoFile, file_name: str) -> list[str]:
    """Paths where the image named in `coco` may be, most likely first."""
    name = file_name.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or ".." in parts or (len(name) > 1 and name[1] == ":"):
        parts = parts[-1:]
    name = "/".join(parts)
    base = posixpath.basename(name)
    here = posixpath.dirname(coco.path)
    root = posixpath.dirname(here) if posixpath.basename(here).lower() == "annotations" else here
    out: list[str] = []
    for folder in (
        here,
        posixpath.join(root, "images", coco.subset or ""),
        posixpath.join(root, coco.subset or ""),
        posixpath.join(root, "images"),
        root,
    ):
        for candidate in (name, base):
            path = posixpath.normpath(posixpath.join(folder, candidate))
            if path not in out and not path.startswith(".."):
                out.append(path)
    return out


# ---- writing ------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return repr(round_px(float(value))) if math.isfinite(value) else "0"


def _nums(values: Sequence[float]) -> list[str]:
    """`_num` of each float (`round(v, 4) + 0.0` is `round_px`; NaN fails both comparisons)."""
    return [repr(round(v, 4) + 0.0) if -math.inf < v < math.inf else "0" for v in values]


class CocoWriter:
    """Writes one COCO file while images and annotations arrive in any order: images and annotations
    go to two scratch files, and `finish` joins them. Memory stays flat."""

    def __init__(
        self, workdir: Path, categories: Sequence[tuple[int, str, str | None]], info: dict[str, Any]
    ):
        workdir.mkdir(parents=True, exist_ok=True)
        self._workdir = workdir
        self._categories = categories
        self._info = info
        self._images_path = workdir / "images.part"
        self._annotations_path = workdir / "annotations.part"
        self._images: TextIO = self._images_path.open("w", encoding="utf-8")
        self._annotations: TextIO = self._annotations_path.open("w", encoding="utf-8")
        self._image_sep = ""
        self._annotation_sep = ""
        self._next_annotation_id = 1
        self.images = 0
        self.annotations = 0

    def add_image(self, image_id: int, file_name: str, width: int, height: int) -> None:
        record = json.dumps(
            {"id": image_id, "file_name": file_name, "width": width, "height": height}, ensure_ascii=False
        )
        self._images.write(self._image_sep + record)
        self._image_sep = ",\n"
        self.images += 1

    def add_annotation(
        self,
        image_id: int,
        category_id: int,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        polygon: Sequence[Sequence[float]] | None = None,
        iscrowd: int = 0,
    ) -> None:
        # repr() of the value rounded to 1e-4 px: the shortest text that reads back as that float,
        # without float noise (x2 - x1 = 32.99999999999999). Boxes are finite (checked on import and
        # in the editor), which JSON needs.
        w, h = x2 - x1, y2 - y1
        seg = "[[" + ",".join(f"{_num(p[0])},{_num(p[1])}" for p in polygon) + "]]" if polygon else "[]"
        self._annotations.write(
            f'{self._annotation_sep}{{"id":{self._next_annotation_id},"image_id":{image_id},'
            f'"category_id":{category_id},"bbox":[{_num(x1)},{_num(y1)},{_num(w)},{_num(h)}],'
            f'"area":{_num(w * h)},"iscrowd":{iscrowd},"segmentation":{seg}}}'
        )
        self._annotation_sep = ",\n"
        self._next_annotation_id += 1
        self.annotations += 1

    def add_boxes(
        self,
        image_id: int,
        category_ids: Sequence[int],
        x1s: Sequence[float],
        y1s: Sequence[float],
        x2s: Sequence[float],
        y2s: Sequence[float],
        iscrowd: Sequence[int],
    ) -> None:
        """`add_annotation` of many boxes (no polygons) of one image at once: the same bytes, built by
        comprehensions over columns."""
        n = len(category_ids)
        if not n:
            return
        ws = [b - a for a, b in zip(x1s, x2s, strict=True)]
        hs = [b - a for a, b in zip(y1s, y2s, strict=True)]
        areas = [w * h for w, h in zip(ws, hs, strict=True)]
        first = self._next_annotation_id
        seps = [self._annotation_sep] + [",\n"] * (n - 1)
        self._annotations.write(
            "".join(
                [
                    f'{sep}{{"id":{i},"image_id":{image_id},"category_id":{c},"bbox":[{a},{b},{w},{h}],'
                    f'"area":{ar},"iscrowd":{cr},"segmentation":[]}}'
                    for sep, i, c, a, b, w, h, ar, cr in zip(
                        seps,
                        range(first, first + n),
                        category_ids,
                        _nums(x1s),
                        _nums(y1s),
                        _nums(ws),
                        _nums(hs),
                        _nums(areas),
                        iscrowd,
                        strict=True,
                    )
                ]
            )
        )
        self._annotation_sep = ",\n"
        self._next_annotation_id += n
        self.annotations += n

    def finish(self, out: BinaryIO) -> None:
        """Write the whole file (UTF-8) to `out` and remove the scratch files."""
        self._images.close()
        self._annotations.close()
        categories = [
            {"id": cid, "name": name, "supercategory": sup or ""} for cid, name, sup in self._categories
        ]
        head = '{"info":' + json.dumps(self._info, ensure_ascii=False) + ',"licenses":[],\n"categories":'
        out.write(head.encode())
        out.write(json.dumps(categories, ensure_ascii=False).encode())
        out.write(b',\n"images":[\n')
        with self._images_path.open("rb") as part:
            shutil.copyfileobj(part, out, 1 << 20)
        out.write(b'\n],\n"annotations":[\n')
        with self._annotations_path.open("rb") as part:
            shutil.copyfileobj(part, out, 1 << 20)
        out.write(b"\n]}\n")
        self.discard()

    def discard(self) -> None:
        self._images.close()
        self._annotations.close()
        self._images_path.unlink(missing_ok=True)
        self._annotations_path.unlink(missing_ok=True)
