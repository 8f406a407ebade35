"""What every format module shares: splits, issues with their location, and the format error."""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass
from typing import Any, Literal

from shelfscope.od.vocabulary import Split

Severity = Literal["invalid", "warning"]

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})

_SPLIT_NAMES: dict[str, Split] = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "testing": "test",
}


def split_from_name(name: str) -> Split | None:
    """'training' → train, 'valid' → val, ...; None for names that are no split (trainval, default)."""
    return _SPLIT_NAMES.get(name.strip().lower())


def split_from_path(path: str) -> Split | None:
    """The split a folder component names, nearest to the file first ('images/val/x.jpg' → val)."""
    for part in reversed(posixpath.dirname(path).split("/")):
        found = split_from_name(part)
        if found is not None:
            return found
    return None


def is_image_path(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in IMAGE_EXTENSIONS


def stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one entry: what kind, a sentence, and where (file, line and/or field)."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    severity: Severity = "invalid"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"severity": self.severity, "kind": self.kind, "message": self.message}
        if self.file is not None:
            out["file"] = self.file
        if self.line is not None:
            out["line"] = self.line
        if self.field is not None:
            out["field"] = self.field
        return out

    def where(self) -> str:
        """'labels/a.txt:3 (annotations[2].bbox)' for log lines and error messages."""
        place = self.file or ""
        if self.line is not None:
            place += f":{self.line}"
        if self.field is not None:
            place += f" ({self.field})" if place else self.field
        return place


class FormatError(Exception):
    """The input as a whole cannot be read (malformed JSON, unsafe archive, no class names, out of
    scope). Carries the place so the message names the file and line or field."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "format",
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field

    def as_issue(self) -> Issue:
        return Issue(self.kind, self.message, self.file, self.line, self.field)

    def facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.file is not None:
            out["file"] = self.file
        if self.line is not None:
            out["line"] = self.line
        if self.field is not None:
            out["field"] = self.field
        return out


# Written coordinates are rounded to this many decimals of a pixel: float noise such as
# 32.99999999999999 (a width computed as x2 - x1) is written as 33.
PIXEL_DECIMALS = 4


def round_px(value: float) -> float:
    """A pixel coordinate rounded to 1e-4 px (and -0.0 as 0.0); non-finite values pass through."""
    if not math.isfinite(value):
        return value
    return round(value, PIXEL_DECIMALS) + 0.0


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float (rounded to 1e-4 px, see `round_px`);
    integers without a trailing '.0'."""
    value = round_px(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
