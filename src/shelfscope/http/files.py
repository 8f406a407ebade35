"""Serving stored images: the original bytes (ETag by content hash, one byte range, immutable cache)
and the thumbnail, for the image library and the product gallery alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from shelfscope.http.ranges import ByteRange, ranged_response


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def original_response(
    request: Request,
    *,
    content_hash: str,
    size: int,
    filename: str,
    media_type: str,
    chunks: Callable[[ByteRange | None], Iterator[bytes]],
) -> Response:
    """The original bytes, as uploaded. Supports a single `Range: bytes=...` (206) and `If-None-Match`."""
    etag = f'"{content_hash}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        # Content-addressed: the bytes behind an id never change.
        "Cache-Control": "private, max-age=31536000, immutable",
        "Content-Disposition": content_disposition(filename),
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != etag:
        range_header = None  # the client's partial copy is of other bytes: send everything
    return ranged_response(
        size=size, range_header=range_header, chunks=chunks, media_type=media_type, headers=headers
    )


def thumbnail_response(
    request: Request, *, content_hash: str, thumbnail_size: int, render: Callable[[], bytes]
) -> Response:
    """A JPEG thumbnail, revalidated by an ETag of its size and the original's hash."""
    etag = f'"t{thumbnail_size}-{content_hash}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(render(), media_type="image/jpeg", headers=headers)
