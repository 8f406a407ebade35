"""What the import says about one bad shape row: where it was read (file, line, field) and what is
wrong with it, in the row's own terms (its box as the format wrote it)."""

from __future__ import annotations

import math
from typing import Any

from shelfscope.od.imports.issues import IssueLog
from shelfscope.od.imports.readers import Document, Layout
from shelfscope.od.io.common import Issue


def describe_box(row: Any) -> str:
    """The box as the file gave it: 'box [1, 2, 3, 4] (x, y, width, height)'."""
    values = ", ".join(f"{float(row[k]):g}" for k in ("a", "b", "c", "d"))
    layout = int(row["layout"])
    if layout == Layout.XYWH:
        return f"box [{values}] (x, y, width, height)"
    if layout == Layout.XYXY:
        return f"box [{values}] (xmin, ymin, xmax, ymax)"
    return f"box [{values}] (centre x, centre y, width, height, normalised)"


class RowIssues:
    """Adds the issues of bad rows to the import's log."""

    def __init__(self, doc: Document, issues: IssueLog) -> None:
        self.doc = doc
        self.issues = issues

    def where(self, row: Any) -> tuple[str, int | None, str | None]:
        file = self.doc.files[int(row["file"])]
        line = int(row["line"]) or None
        item = int(row["item"])
        layout = int(row["layout"])
        if layout == Layout.XYWH:
            return file, line, f"annotations[{item}].bbox"
        if layout == Layout.XYXY:
            return file, line, f"object[{item}].bndbox"
        return file, line, None

    def place(self, row: Any) -> str:
        file, line, fieldname = self.where(row)
        return f"{file}" + (f" line {line}" if line else "") + (f" {fieldname}" if fieldname else "")

    def invalid(self, row: Any, kind: str, message: str) -> None:
        file, line, fieldname = self.where(row)
        self.issues.add(Issue(kind, message, file, line, fieldname))

    def report(
        self, row: Any, entry: int, label: int, label_valid: bool, width: float, height: float
    ) -> None:
        """The first thing wrong with a row: its image, its class, then its box."""
        place = self.place(row)
        if entry < 0:
            self.invalid(
                row,
                "unknown_image",
                f"{place} refers to image id {int(row['image_key'])}, which the file's 'images' list lacks.",
            )
        elif label < 0:
            key = int(row["label_key"])
            if int(row["layout"]) == Layout.CXCYWH:
                count = len(self.doc.label_keys.get(0, {}))
                message = f"{place}: class {key} has no name in the dataset's class list ({count} names)."
            else:
                message = f"{place} refers to category id {key}, which the file's 'categories' list lacks."
            self.invalid(row, "unknown_category", message)
        elif not label_valid:
            name = self.doc.labels[label]
            self.invalid(row, "bad_class_name", f"{place}: the class name {name!r} cannot be a class name.")
        else:
            self._report_box(row, place, self.doc.entries[entry].name, width, height)

    def _report_box(self, row: Any, place: str, image: str, width: float, height: float) -> None:
        box = describe_box(row)
        layout = int(row["layout"])
        a, b, c, d = (float(row["a"]), float(row["b"]), float(row["c"]), float(row["d"]))
        corners = layout == Layout.XYXY
        if not all(math.isfinite(v) for v in (a, b, c, d)):
            self.invalid(row, "not_finite", f"{place}: {box} has a coordinate that is not a finite number.")
        elif (corners and (c < a or d < b)) or (not corners and (c < 0 or d < 0)):
            self.invalid(row, "negative_size", f"{place}: {box} has a negative width or height.")
        elif (corners and (c == a or d == b)) or (not corners and (c == 0 or d == 0)):
            self.invalid(row, "empty_box", f"{place}: {box} has no area (zero width or height).")
        else:
            message = f"{place}: {box} reaches outside the {width:g}x{height:g} image '{image}'."
            self.invalid(row, "box_outside_image", message)
