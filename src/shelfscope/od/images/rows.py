"""What the library's bulk writer (`service.insert_many`) takes: one new image, already stored."""

from __future__ import annotations

from dataclasses import dataclass

from shelfscope.od.vocabulary import ImageSource


@dataclass(frozen=True, slots=True)
class NewImage:
    """An image whose bytes and thumbnail are in storage under these keys, and the facts of its row."""

    content_hash: str
    storage_key: str
    thumbnail_key: str | None
    filename: str
    width: int
    height: int
    format: str
    size_bytes: int
    source: ImageSource
    source_id: str | None = None
    folder: str | None = None
