"""Byte-range downloads (RFC 9110 section 14): one parser and one response for every file the API serves.

Only a single range is served; several ranges, or a unit other than bytes, get the whole file (which
RFC 9110 allows). A `bytes=` range that cannot be parsed or lies outside the file is answered 416 in
the error shape, with `Content-Range: bytes */size`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from starlette.responses import JSONResponse, Response, StreamingResponse

from shelfscope.errors import ShelfscopeError

ByteRange = tuple[int, int]


class RangeNotSatisfiable(ShelfscopeError):
    status_code = 416
    kind = "RangeNotSatisfiable"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The inclusive byte range a `Range: bytes=...` header asks for, or None for the whole file."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, sep, last = spec.strip().partition("-")
    try:
        if not sep:
            raise ValueError(spec)
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                raise ValueError(spec)
            start, end = max(0, size - suffix), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        raise RangeNotSatisfiable(f"Range {header!r} is not a byte range.", size=size) from None
    if start < 0 or start >= size or end < start:
        raise RangeNotSatisfiable(f"Range {header!r} is outside the {size:,} bytes of this file.", size=size)
    return start, end


def ranged_response(
    *,
    size: int,
    range_header: str | None,
    chunks: Callable[[ByteRange | None], Iterator[bytes]],
    media_type: str,
    headers: Mapping[str, str],
    with_body: bool = True,
) -> Response:
    """200 with the whole file, 206 with the range asked for, or 416.

    `chunks(byte_range)` yields the bytes (all of them for None); it is called before the response
    starts, so it may raise (a file missing from storage) and get an error response instead.
    `with_body=False` answers a HEAD request: the same headers, no bytes read.
    """
    out = {**headers, "Accept-Ranges": "bytes"}
    try:
        byte_range = parse_range(range_header, size)
    except RangeNotSatisfiable as exc:
        return JSONResponse(
            exc.to_body(),
            status_code=416,
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
        )
    status = 200
    start, end = 0, size - 1
    if byte_range is not None:
        start, end = byte_range
        status = 206
        out["Content-Range"] = f"bytes {start}-{end}/{size}"
    out["Content-Length"] = str(end - start + 1)
    if not with_body or size == 0:
        return Response(status_code=status, headers=out, media_type=media_type)
    return StreamingResponse(chunks(byte_range), status_code=status, media_type=media_type, headers=out)
