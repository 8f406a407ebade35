"""Which format an archive looks like, from its file names and the first bytes of a few files: said
when the chosen format finds nothing ("this looks like VOC")."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from shelfscope.od.imports.schemas import ImportFormat
from shelfscope.od.io.source import Source

# Enough of a file's start to see its root element or top-level keys; at most this many files read.
_HEAD_BYTES = 64 * 1024
_MAX_PEEKS = 8
_YOLO_CONFIGS = ("data.yaml", "data.yml", "dataset.yaml", "dataset.yml", "obj.data", "obj.names")
NAMES: dict[ImportFormat, str] = {"coco": "COCO", "yolo": "YOLO", "voc": "VOC"}


def _head(source: Source, path: str) -> bytes:
    try:
        with source.open(path) as stream:
            return stream.read(_HEAD_BYTES)
    except OSError:
        return b""


def _looks_voc(source: Source, files: Sequence[str]) -> bool:
    xmls = [f for f in files if f.lower().endswith(".xml")]
    if any("/annotations/" in f"/{f.lower()}" for f in xmls):
        return True
    return any(b"<annotation" in _head(source, f) for f in xmls[:_MAX_PEEKS])


def _looks_coco(source: Source, files: Sequence[str]) -> bool:
    jsons = [f for f in files if f.lower().endswith(".json")][:_MAX_PEEKS]
    for f in jsons:
        head = _head(source, f)
        if b'"images"' in head and (b'"annotations"' in head or b'"categories"' in head):
            return True
    return False


def _looks_yolo(files: Sequence[str]) -> bool:
    if any(posixpath.basename(f).lower() in _YOLO_CONFIGS for f in files):
        return True
    return any(f.lower().endswith(".txt") and "/labels/" in f"/{f.lower()}" for f in files)


def looks_like(source: Source, chosen: ImportFormat) -> ImportFormat | None:
    """The other format the archive looks like, or None."""
    files = source.files()
    checks: dict[ImportFormat, bool] = {
        "voc": chosen != "voc" and _looks_voc(source, files),
        "coco": chosen != "coco" and _looks_coco(source, files),
        "yolo": chosen != "yolo" and _looks_yolo(files),
    }
    return next((fmt for fmt, hit in checks.items() if hit), None)
