"""The archive layout of each export format: where images go, and the label files beside them.

A writer gets each image's file name, size and shapes (in image pixels) as the export streams
through the dataset, writes label members into the zip as it goes, and the dataset-level files
(data.yaml, COCO JSON, VOC lists) in `finish`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol, cast

from shelfscope.od.exports.schemas import ExportFormat
from shelfscope.od.io import coco, voc, yolo
from shelfscope.od.vocabulary import SPLITS, Split

# Zip members get this date so that equal exports are equal bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def member(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


class ExportShape(NamedTuple):
    cls: int
    x1: float
    y1: float
    x2: float
    y2: float
    points: tuple[tuple[float, float], ...] | None
    attributes: dict[str, Any] | None


class NameRegistry:
    """File names safe for every OS and unique by stem across the archive (YOLO pairs image and
    label by stem; VOC keeps all images in one folder)."""

    def __init__(self) -> None:
        self._stems: set[str] = set()

    def name(self, filename: str, image_id: int, ext: str, suffix: str = "") -> str:
        stem = UNSAFE_NAME.sub("_", Path(filename).stem).strip("._") or "image"
        stem = stem[:150] + suffix
        if stem.lower() in self._stems:
            stem = f"{stem}_{image_id}"
        while stem.lower() in self._stems:
            stem += "_"
        self._stems.add(stem.lower())
        return stem + ext


class FormatWriter(Protocol):
    def image_path(self, split: Split, name: str) -> str: ...

    def add(
        self, split: Split, name: str, width: int, height: int, depth: int, shapes: Sequence[ExportShape]
    ) -> None: ...

    def finish(self) -> None: ...


class YoloWriter:
    """Ultralytics layout. With `segments` (a polygon dataset) every label line is a polygon, YOLO-seg
    style; otherwise every line is a box (a polygon as its bounds)."""

    def __init__(self, archive: zipfile.ZipFile, names: list[str], segments: bool = False) -> None:
        self.archive = archive
        self.names = names
        self.segments = segments
        self.splits: set[Split] = set()

    def image_path(self, split: Split, name: str) -> str:
        return f"images/{split}/{name}"

    def add(
        self, split: Split, name: str, width: int, height: int, depth: int, shapes: Sequence[ExportShape]
    ) -> None:
        self.splits.add(split)
        if self.segments:
            lines = (
                yolo.segment_line(s.cls, s.x1, s.y1, s.x2, s.y2, s.points, width, height) for s in shapes
            )
            text = "".join(lines)
        elif shapes:
            # Columns of the image's boxes, one label_line each, built at once (same bytes).
            cls, x1, y1, x2, y2, _, _ = zip(*shapes, strict=True)
            text = yolo.label_lines(cls, x1, y1, x2, y2, width, height)
        else:
            text = ""
        self.archive.writestr(member(f"labels/{split}/{Path(name).stem}.txt", False), text)

    def finish(self) -> None:
        ordered = [s for s in SPLITS if s in self.splits]
        self.archive.writestr(member("data.yaml", True), yolo.data_yaml(self.names, ordered))


class CocoArchiveWriter:
    def __init__(
        self, archive: zipfile.ZipFile, names: list[str], workdir: Path, info: dict[str, Any]
    ) -> None:
        self.archive = archive
        self.categories = [(i + 1, name, None) for i, name in enumerate(names)]
        self.workdir = workdir
        self.info = info
        self.writers: dict[Split, coco.CocoWriter] = {}
        self.next_id = 1

    def image_path(self, split: Split, name: str) -> str:
        return f"images/{split}/{name}"

    def add(
        self, split: Split, name: str, width: int, height: int, depth: int, shapes: Sequence[ExportShape]
    ) -> None:
        writer = self.writers.get(split)
        if writer is None:
            writer = self.writers[split] = coco.CocoWriter(self.workdir / split, self.categories, self.info)
        image_id = self.next_id
        self.next_id += 1
        writer.add_image(image_id, name, width, height)
        if shapes and not any(s.points for s in shapes):
            cls, x1, y1, x2, y2, _, attributes = zip(*shapes, strict=True)
            crowds = [int(a.get("iscrowd", 0) or 0) if a else 0 for a in attributes]
            writer.add_boxes(image_id, [c + 1 for c in cls], x1, y1, x2, y2, crowds)
            return
        for s in shapes:
            crowd = int((s.attributes or {}).get("iscrowd", 0) or 0)
            writer.add_annotation(image_id, s.cls + 1, s.x1, s.y1, s.x2, s.y2, s.points, crowd)

    def finish(self) -> None:
        for split in SPLITS:
            writer = self.writers.get(split)
            if writer is None:
                continue
            # Stored, not deflated: a million-box file deflates at a few tens of MB/s, which would
            # double the export's time; the images beside it dominate the archive's size anyway.
            info = member(f"annotations/instances_{split}.json", False)
            with self.archive.open(info, "w", force_zip64=True) as out:
                writer.finish(cast(BinaryIO, out))


class VocWriter:
    def __init__(self, archive: zipfile.ZipFile, names: list[str]) -> None:
        self.archive = archive
        self.names = names
        self.lists: dict[Split, list[str]] = {s: [] for s in SPLITS}

    def image_path(self, split: Split, name: str) -> str:
        return f"JPEGImages/{name}"

    def add(
        self, split: Split, name: str, width: int, height: int, depth: int, shapes: Sequence[ExportShape]
    ) -> None:
        stem = Path(name).stem
        boxes = []
        for s in shapes:
            attrs = s.attributes or {}
            boxes.append(
                voc.VocBox(
                    self.names[s.cls],
                    s.x1,
                    s.y1,
                    s.x2,
                    s.y2,
                    bool(attrs.get("difficult")),
                    bool(attrs.get("truncated")),
                    bool(attrs.get("occluded")),
                    attrs.get("pose"),
                )
            )
        self.archive.writestr(
            member(f"Annotations/{stem}.xml", True),
            voc.voc_xml(name, width, height, depth, boxes, "JPEGImages"),
        )
        self.lists[split].append(stem)

    def finish(self) -> None:
        for split, stems in self.lists.items():
            if stems:
                self.archive.writestr(member(f"ImageSets/Main/{split}.txt", True), "\n".join(stems) + "\n")
        self.archive.writestr(member("labelmap.txt", True), "".join(f"{name}\n" for name in self.names))


def format_writer(
    fmt: ExportFormat,
    archive: zipfile.ZipFile,
    names: list[str],
    workdir: Path,
    info: dict[str, Any],
    segments: bool = False,
) -> FormatWriter:
    """The writer of `fmt`; `info` describes the dataset in a COCO file; `segments` (a polygon dataset)
    makes YOLO labels segmentation lines."""
    if fmt == "yolo":
        return YoloWriter(archive, names, segments)
    if fmt == "voc":
        return VocWriter(archive, names)
    return CocoArchiveWriter(archive, names, workdir / "coco", info)
