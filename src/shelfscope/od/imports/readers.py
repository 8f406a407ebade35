"""Turns a COCO, YOLO or VOC source into one shape of document: image entries, label names, and the
shapes spilled to disk with the keys that tie them to entries and labels.

Nothing is checked against the real images here (the import service does that once it has read
them); this module only knows the formats' layouts and keeps the place of every entry for messages.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shelfscope.od.imports.schemas import ImportFormat
from shelfscope.od.imports.spill import RAW_DTYPE, Spill
from shelfscope.od.io import coco, voc, yolo
from shelfscope.od.io.common import FormatError, Issue, is_image_path, split_from_path, stem
from shelfscope.od.io.jsonstream import ProgressStream
from shelfscope.od.io.source import Source, read_bytes, read_text
from shelfscope.od.vocabulary import Split

Progress = Callable[[float, str], None]


class Layout(IntEnum):
    XYWH = 0  # COCO: corner, width and height, in pixels of the declared image size
    XYXY = 1  # VOC: corners, in pixels of the declared image size
    CXCYWH = 2  # YOLO: centre and size, normalised to 0..1


@dataclass
class Entry:
    """An image as an annotation file names it."""

    name: str
    # Path in the source; None when it could not be found.
    path: str | None
    split: Split | None
    declared: tuple[int, int] | None
    file: str | None = None
    line: int | None = None
    field: str | None = None
    # Where the image was looked for (for the "missing image" message).
    looked_in: tuple[str, ...] = ()


@dataclass
class Document:
    format: ImportFormat
    shapes: Spill
    entries: list[Entry] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    # scope → raw key → entry index / label index
    image_keys: dict[int, dict[int, int]] = field(default_factory=dict)
    label_keys: dict[int, dict[int, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    # Scopes whose shapes are ignored (files outside the scope or not of the format).
    ignored_scopes: set[int] = field(default_factory=set)
    # What was left out on purpose, counted (keypoints, RLE masks, VOC parts ...).
    dropped: Counter[str] = field(default_factory=Counter)
    _label_index: dict[str, int] = field(default_factory=dict)

    def label(self, name: str) -> int:
        found = self._label_index.get(name)
        if found is None:
            found = self._label_index[name] = len(self.labels)
            self.labels.append(name)
        return found

    def warn(self, kind: str, message: str, file: str | None = None) -> None:
        self.issues.append(Issue(kind, message, file, severity="warning"))


def _basename_index(files: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for f in files:
        if is_image_path(f):
            index.setdefault(posixpath.basename(f), []).append(f)
    return index


def _find(candidates: list[str], files: set[str], by_basename: dict[str, list[str]], name: str) -> str | None:
    for candidate in candidates:
        if candidate in files:
            return candidate
    found = by_basename.get(posixpath.basename(name.replace("\\", "/")), [])
    return found[0] if len(found) == 1 else None


# ---- COCO -------------------------------------------------------------------------------------------


def _largest_part(parts: tuple[tuple[float, ...], ...], doc: Document) -> list[list[float]]:
    """One polygon as [[x, y], ...]: an annotation holds one, so of several parts the largest stays."""

    def area(flat: tuple[float, ...]) -> float:
        xs, ys = flat[0::2], flat[1::2]
        return abs(sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(xs)))) / 2

    best = max(parts, key=area) if len(parts) > 1 else parts[0]
    if len(parts) > 1:
        doc.dropped["polygon parts beyond the largest"] += len(parts) - 1
    return [[best[i], best[i + 1]] for i in range(0, len(best), 2)]


def _raw_rows(rows: npt.NDArray[Any], scope: int) -> npt.NDArray[Any]:
    raw = np.zeros(len(rows), dtype=RAW_DTYPE)
    raw["scope"] = scope
    raw["image_key"] = rows["image_id"]
    raw["label_key"] = rows["category_id"]
    raw["a"], raw["b"], raw["c"], raw["d"] = rows["x"], rows["y"], rows["w"], rows["h"]
    raw["layout"] = Layout.XYWH
    raw["extra"] = -1
    raw["file"] = scope
    raw["line"] = rows["line"]
    raw["item"] = rows["position"]
    return raw


@dataclass
class _CocoScope:
    """One COCO file being read: its scope (index in doc.files) and its id maps."""

    path: str
    scope: int
    file: coco.CocoFile
    # COCO image id -> entry index; category id -> label index.
    images: dict[int, int]
    categories: dict[int, int]
    first_entry: int
    boxes: int = 0
    out_of_scope: Counter[str] = field(default_factory=Counter)


def _duplicate_id(at: _CocoScope, listed: str, what: str, item: coco.CocoImage | coco.CocoCategory) -> Issue:
    message = f"{at.path}: {listed}[{item.position}] repeats {what} id {item.id}."
    return Issue("duplicate_id", message, at.path, item.line, f"{listed}[{item.position}].id")


def _coco_annotation(doc: Document, at: _CocoScope, item: coco.CocoAnnotation) -> None:
    at.boxes += 1
    extra = -1
    if item.polygon is not None or item.iscrowd:
        points = _largest_part(item.polygon, doc) if item.polygon else None
        extra = doc.shapes.add_extra((points, {"iscrowd": 1} if item.iscrowd else None))
    if item.dropped:
        doc.dropped[item.dropped] += 1
    doc.shapes.add(
        (
            at.scope, item.image_id, item.category_id, item.x, item.y, item.w, item.h,
            Layout.XYWH, extra, at.scope, item.line, item.position,
        )
    )  # fmt: skip


def _coco_image(
    doc: Document, at: _CocoScope, item: coco.CocoImage, finder: Callable[[str, list[str]], str | None],
    path_entries: dict[str, int],
) -> None:  # fmt: skip
    """The image as an entry; one found through another annotation file (instances + keypoints ...)
    is the same entry."""
    if item.id in at.images:
        doc.issues.append(_duplicate_id(at, "images", "image", item))
        return
    candidates = coco.image_candidates(at.file, item.file_name)
    found = finder(item.file_name, candidates)
    key = found or f"?{item.file_name}"
    if found is not None and key in path_entries:
        at.images[item.id] = path_entries[key]
        return
    declared = (item.width, item.height) if item.width and item.height else None
    entry = Entry(
        item.file_name, found, at.file.split, declared, at.path, item.line,
        f"images[{item.position}]", tuple(candidates[:4]),
    )  # fmt: skip
    at.images[item.id] = path_entries.setdefault(key, len(doc.entries))
    if at.images[item.id] == len(doc.entries):
        doc.entries.append(entry)


def _coco_category(doc: Document, at: _CocoScope, item: coco.CocoCategory) -> None:
    if item.id in at.categories:
        doc.issues.append(_duplicate_id(at, "categories", "category", item))
        return
    at.categories[item.id] = doc.label(item.name)


def _coco_out_of_scope(doc: Document, at: _CocoScope, path_entries: dict[str, int]) -> None:
    """A file of only keypoints, captions ... is skipped with its images; otherwise the annotations
    without a box are counted in a warning."""
    path, out_of_scope = at.path, at.out_of_scope
    if out_of_scope and not at.boxes:
        kinds = ", ".join(coco.OUT_OF_SCOPE[k] for k in sorted(out_of_scope))
        doc.ignored_scopes.add(at.scope)
        # Its images are not imported either, unless another file names them too.
        del doc.entries[at.first_entry :]
        for key in [k for k, v in path_entries.items() if v >= at.first_entry]:
            del path_entries[key]
        at.images.clear()
        doc.warn(
            "out_of_scope",
            f"{path} holds {kinds}, which are outside what Shelfscope imports (boxes and polygons); "
            "the file was skipped.",
            path,
        )
    elif out_of_scope:
        for kind, count in sorted(out_of_scope.items()):
            doc.warn(
                "out_of_scope",
                f"{path}: {count} annotations hold {coco.OUT_OF_SCOPE[kind]} without a box; "
                "they were skipped.",
                path,
            )


def _read_coco_file(
    source: Source, doc: Document, at: _CocoScope, finder: Callable[[str, list[str]], str | None],
    path_entries: dict[str, int], report: Callable[[int], None],
) -> None:  # fmt: skip
    """One annotation file; `report` gets the bytes read so far. A JSON file that is not COCO is
    skipped with a warning."""
    with source.open(at.path) as raw:
        counted = ProgressStream(raw)
        try:
            for n, item in enumerate(coco.read_coco(counted, at.path)):
                if type(item) is coco.CocoAnnotationBatch:
                    at.boxes += len(item.rows)
                    doc.shapes.add_array(_raw_rows(item.rows, at.scope), [])
                    report(counted.count)
                elif type(item) is coco.CocoAnnotation:
                    _coco_annotation(doc, at, item)
                    if n % 65536 == 0:
                        report(counted.count)
                elif type(item) is coco.CocoImage:
                    _coco_image(doc, at, item, finder, path_entries)
                elif type(item) is coco.CocoCategory:
                    _coco_category(doc, at, item)
                elif type(item) is coco.CocoOutOfScope:
                    at.out_of_scope[item.kind] += 1
                else:
                    assert isinstance(item, Issue)
                    doc.issues.append(item)
        except FormatError as exc:
            if exc.kind != "not_coco":
                raise
            doc.ignored_scopes.add(at.scope)
            doc.warn("not_coco", f"{at.path} is not a COCO file (no 'images' list); it was skipped.", at.path)


def _read_coco(source: Source, doc: Document, progress: Progress) -> None:
    files = source.files()
    file_set = set(files)
    by_basename = _basename_index(files)
    jsons = [f for f in files if f.lower().endswith(".json")]
    if not jsons:
        raise FormatError("No COCO annotation file (.json) was found.", kind="no_annotations")
    total = sum(source.size(f) for f in jsons) or 1
    done = 0
    path_entries: dict[str, int] = {}

    def finder(name: str, candidates: list[str]) -> str | None:
        return _find(candidates, file_set, by_basename, name)

    for path in jsons:
        scope = len(doc.files)
        doc.files.append(path)
        at = _CocoScope(path, scope, coco.coco_file(path), {}, {}, len(doc.entries))
        doc.image_keys[scope] = at.images
        doc.label_keys[scope] = at.categories

        def report(count: int, before: int = done, path: str = path) -> None:
            progress(0.3 * (before + count) / total, f"reading {path}")

        _read_coco_file(source, doc, at, finder, path_entries, report)
        done += source.size(path)
        _coco_out_of_scope(doc, at, path_entries)
    if not doc.entries:
        reasons = "; ".join(i.message for i in doc.issues if i.kind in ("out_of_scope", "not_coco"))
        raise FormatError(
            "Nothing to import: no COCO file lists images with boxes." + (f" {reasons}" if reasons else ""),
            kind="out_of_scope" if "outside" in reasons else "no_images",
        )


# ---- YOLO -------------------------------------------------------------------------------------------


def _read_yolo(source: Source, doc: Document, progress: Progress) -> None:
    files = source.files()

    def text(path: str) -> str:
        return read_text(source, path)

    config = yolo.find_config(files, text)
    for index, name in enumerate(config.names):
        if name is not None:
            doc.label_keys.setdefault(0, {})[index] = doc.label(name)
    doc.label_keys.setdefault(0, {})
    doc.image_keys[0] = {}
    assigned, list_files, split_issues = yolo.split_assignments(config, files, text)
    doc.issues.extend(split_issues)
    prefix = f"{config.root}/" if config.root else ""
    images = [f for f in files if is_image_path(f) and f.startswith(prefix)]
    candidates = {f for f in files if f.startswith(prefix) and yolo.is_label_candidate(f, config, list_files)}
    if not candidates and any("/labelTxt/" in f"/{f}" for f in files):
        raise FormatError(
            "This is a DOTA-style dataset (labelTxt/ folders with oriented boxes), which Shelfscope does not "
            "import; export it as YOLO (labels/ folders) instead.",
            kind="out_of_scope",
        )
    if not images:
        raise FormatError(
            f"No images were found under '{config.root or '.'}' beside {config.path}.", kind="no_images"
        )
    by_stem: dict[str, list[str]] = {}
    for c in candidates:
        by_stem.setdefault(stem(c), []).append(c)
    claimed: set[str] = set()
    keypoints = 0
    for n, image in enumerate(images):
        label_path = next(
            (c for c in yolo.label_candidates(image) if c in candidates and c not in claimed), None
        )
        if label_path is None:
            same = [c for c in by_stem.get(stem(image), []) if c not in claimed]
            label_path = same[0] if len(same) == 1 else None
        relative = image[len(prefix) :]
        split = assigned.get(image) or split_from_path(relative)
        entry_index = len(doc.entries)
        doc.image_keys[0][entry_index] = entry_index
        doc.entries.append(Entry(image, image, split, None, label_path))
        if label_path is None:
            continue
        claimed.add(label_path)
        file_index = len(doc.files)
        doc.files.append(label_path)
        for shape in yolo.parse_labels(text(label_path), label_path, config.kpt_shape):
            if isinstance(shape, Issue):
                doc.issues.append(shape)
                continue
            extra = -1
            if shape.polygon is not None:
                p = shape.polygon
                extra = doc.shapes.add_extra(([[p[i], p[i + 1]] for i in range(0, len(p), 2)], None))
            keypoints += shape.keypoints_dropped
            doc.shapes.add(
                (
                    0, entry_index, shape.class_index, shape.cx, shape.cy, shape.w, shape.h,
                    Layout.CXCYWH, extra, file_index, shape.line, -1,
                )
            )  # fmt: skip
        if n % 1024 == 0:
            progress(0.3 * n / len(images), "reading label files")
    if keypoints:
        doc.dropped["keypoints"] += keypoints
    for orphan in sorted(candidates - claimed):
        if "labels" in orphan.split("/")[:-1] or "Labels" in orphan.split("/")[:-1]:
            doc.issues.append(
                Issue(
                    "missing_image",
                    f"{orphan} has no image: no image file with the name {stem(orphan)!r} was found "
                    "where its images/ folder should be.",
                    orphan,
                )
            )


# ---- VOC --------------------------------------------------------------------------------------------


def _read_voc(source: Source, doc: Document, progress: Progress) -> None:
    files = source.files()
    file_set = set(files)
    xmls = [f for f in files if f.lower().endswith(".xml")]
    if not xmls:
        raise FormatError("No Pascal VOC annotation file (.xml) was found.", kind="no_annotations")
    images_by_stem: dict[str, list[str]] = {}
    for f in files:
        if is_image_path(f):
            images_by_stem.setdefault(stem(f), []).append(f)
    split_by_stem = voc.split_lists(files, lambda p: read_text(source, p))
    doc.image_keys[0] = {}
    doc.label_keys[0] = {}
    labels = doc.label_keys[0]
    covered: set[str] = set()
    for n, path in enumerate(xmls):
        try:
            annotation, issues = voc.parse_voc(read_bytes(source, path, voc.MAX_XML_BYTES), path)
        except FormatError as exc:
            if exc.kind == "not_voc":
                doc.warn("not_voc", exc.message, path)
            else:
                doc.issues.append(exc.as_issue())
            continue
        doc.issues.extend(issues)
        candidates = voc.image_candidates(path, annotation.filename, images_by_stem)
        image = next((c for c in candidates if c in file_set), None)
        name = annotation.filename or stem(path)
        key = stem(path)
        split = split_by_stem.get(key) or split_from_path(path) or (split_from_path(image) if image else None)
        covered.add(key)
        declared = (annotation.width, annotation.height) if annotation.width and annotation.height else None
        entry_index = len(doc.entries)
        doc.image_keys[0][entry_index] = entry_index
        doc.entries.append(Entry(name, image, split, declared, path, None, "filename", tuple(candidates[:4])))
        file_index = len(doc.files)
        doc.files.append(path)
        for obj in annotation.objects:
            label = doc.label(obj.name)
            labels[label] = label
            attributes: dict[str, object] = {}
            for flag in ("difficult", "truncated", "occluded"):
                if getattr(obj, flag):
                    attributes[flag] = True
            if obj.pose and obj.pose != "Unspecified":
                attributes["pose"] = obj.pose
            extra = doc.shapes.add_extra((None, attributes)) if attributes else -1
            if obj.dropped:
                doc.dropped[f"VOC {obj.dropped}"] += 1
            doc.shapes.add(
                (
                    0, entry_index, label, obj.xmin, obj.ymin, obj.xmax, obj.ymax,
                    Layout.XYXY, extra, file_index, 0, obj.position,
                )
            )  # fmt: skip
        if n % 512 == 0:
            progress(0.3 * n / len(xmls), "reading annotation files")
    # Images that an ImageSets list names but no XML describes: imported without annotations.
    for key, split in sorted(split_by_stem.items()):
        if key in covered:
            continue
        found = images_by_stem.get(key, [])
        if len(found) == 1:
            entry_index = len(doc.entries)
            doc.image_keys[0][entry_index] = entry_index
            doc.entries.append(Entry(posixpath.basename(found[0]), found[0], split, None))


READERS: dict[ImportFormat, Callable[[Source, Document, Progress], None]] = {
    "coco": _read_coco,
    "yolo": _read_yolo,
    "voc": _read_voc,
}


def read_document(fmt: ImportFormat, source: Source, scratch: Path | None, progress: Progress) -> Document:
    """Read every annotation file of `source` once. FormatError when the input cannot be imported
    at all; entry-level problems are collected in `issues`."""
    doc = Document(format=fmt, shapes=Spill(RAW_DTYPE, scratch))
    try:
        READERS[fmt](source, doc, progress)
    except BaseException:
        doc.shapes.close()
        raise
    return doc
