"""Rows kept on disk in chunks of numpy columns, so an import holds one chunk in memory at a time.

Rows arrive as plain tuples (one `list.append` each, the cheapest thing Python can do per box) and
become a structured numpy array per chunk; side data (polygon points, attributes) rides along with
its chunk and rows refer to it by position (`extra` column, -1 for none).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

CHUNK_ROWS = 65_536

RAW_DTYPE = np.dtype(
    [
        ("scope", "i4"),  # key namespace: the annotation file for COCO, 0 otherwise
        ("image_key", "i8"),  # COCO image id, or the entry index
        ("label_key", "i8"),  # COCO category id, YOLO class index, or the label index
        ("a", "f8"),
        ("b", "f8"),
        ("c", "f8"),
        ("d", "f8"),
        ("layout", "i1"),  # how a, b, c, d are meant (see imports.readers.Layout)
        ("extra", "i4"),
        ("file", "i4"),  # index into the document's file list
        ("line", "i4"),  # 0: unknown
        ("item", "i4"),  # position in the file's list of annotations/objects; -1: none
    ]
)

ROW_DTYPE = np.dtype(
    [
        ("unit", "i4"),  # the distinct image
        ("label", "i4"),
        ("x1", "f8"),
        ("y1", "f8"),
        ("x2", "f8"),
        ("y2", "f8"),
        ("kind", "i1"),  # 0 box, 1 polygon
        ("extra", "i4"),
    ]
)

Chunk = tuple[npt.NDArray[Any], list[Any]]


class Spill:
    def __init__(
        self, dtype: np.dtype[Any], directory: Path | None = None, chunk_rows: int = CHUNK_ROWS
    ) -> None:
        self.dtype = dtype
        self.chunk_rows = chunk_rows
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (closed in close())
        self._rows: list[tuple[Any, ...]] = []
        self._extras: list[Any] = []
        self._chunks = 0
        self.count = 0

    def add_extra(self, value: Any) -> int:
        """Keep `value` with the current chunk; returns the position the row's `extra` names."""
        self._extras.append(value)
        return len(self._extras) - 1

    def add(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.chunk_rows:
            self._flush()

    def add_array(self, rows: npt.NDArray[Any], extras: list[Any]) -> None:
        """A whole chunk at once (rows whose `extra` already index `extras`)."""
        self._flush()
        if len(rows):
            pickle.dump((rows, extras), self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunks += 1
            self.count += len(rows)

    def _flush(self) -> None:
        if not self._rows:
            return
        array = np.array(self._rows, dtype=self.dtype)
        pickle.dump((array, self._extras), self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._chunks += 1
        self.count += len(self._rows)
        self._rows = []
        self._extras = []

    def chunks(self) -> Iterator[Chunk]:
        """Every chunk in the order written (the spill can be read any number of times)."""
        self._flush()
        self._file.seek(0)
        for _ in range(self._chunks):
            array, extras = pickle.load(self._file)  # noqa: S301 (our own temporary file)
            yield array, extras
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()
