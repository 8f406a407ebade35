"""Image library helpers: small generated images, the tight limits the image tests run under, what is
stored (to assert that bad input changed nothing), and a real HTTP server on loopback that serves
images, redirects and the sync connector's listing contract."""

from __future__ import annotations

import functools
import io
import json
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.od.images.models import Image, ImageTag

MAX_UPLOAD_BYTES = 600_000


MAX_IMAGE_PIXELS = 1_000_000


# One URL's whole fetch in the image tests (the trickling sources send for longer).
FETCH_DEADLINE_S = 1.5


SYNC_TOKEN = "sync-secret-token"


def make_image(
    size: tuple[int, int] = (64, 48),
    color: tuple[int, int, int] = (200, 30, 30),
    fmt: str = "JPEG",
    exif_orientation: int | None = None,
    mode: str = "RGB",
) -> bytes:
    """A small image; distinct colors give distinct bytes (and content hashes)."""
    im = PILImage.new(mode, size, color if mode != "RGBA" else (*color, 128))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif_orientation is not None:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    im.save(out, fmt, **kwargs)
    return out.getvalue()


@functools.lru_cache(maxsize=4)
def huge_png(width: int, height: int, grey: bool = False) -> bytes:
    """A black PNG of any size, written row by row (never held decoded): 15,805 x 15,805 RGB is
    about 0.7 MB on disk and a gigabyte once decoded."""
    row = b"\0" * (1 + width * (1 if grey else 3))  # filter byte 0, then black pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0 if grey else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def sixteen_bit_png(size: tuple[int, int] = (640, 480)) -> bytes:
    """A real 16-bit greyscale PNG: a left-to-right ramp over the whole 0..65535 range."""
    width, height = size
    ramp = np.tile(np.linspace(0, 65535, width).astype(np.uint16), (height, 1))
    out = io.BytesIO()
    PILImage.fromarray(ramp).save(out, "PNG")
    return out.getvalue()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # A slow source: one byte every `trickle_s` seconds (of the body, or of the whole response with
    # `trickle_headers`), for at most `trickle_for_s` seconds, then the connection is dropped.
    trickle_s: float | None = None
    trickle_headers: bool = False
    trickle_for_s: float = 10.0


@dataclass
class SyncFeed:
    """The listing contract of docs/sync-connector.md, served in pages of `page_size`."""

    items: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    requests: list[dict[str, Any]] = field(default_factory=list)
    report_total: bool = True


def _send_slowly(handler: BaseHTTPRequestHandler, route: Route, every_s: float) -> None:
    """The response one byte every `every_s` seconds (after the headers, or from the status line on
    with trickle_headers), until it is sent, `trickle_for_s` has passed, or the client hangs up."""
    head = f"HTTP/1.1 {route.status} OK\r\n".encode()
    for name, value in {**route.headers, "Content-Length": str(len(route.body))}.items():
        head += f"{name}: {value}\r\n".encode()
    head += b"\r\n"
    slow = route.body
    if route.trickle_headers:
        slow = head + route.body
    else:
        handler.wfile.write(head)
        handler.wfile.flush()
    stop = time.monotonic() + route.trickle_for_s
    try:
        for i in range(len(slow)):
            if time.monotonic() > stop:
                break
            handler.wfile.write(slow[i : i + 1])
            handler.wfile.flush()
            time.sleep(every_s)
    except OSError:
        pass  # the client gave up: what a deadline is for
    finally:
        handler.close_connection = True


class ImageServer:
    """A threaded HTTP server on 127.0.0.1: static routes, redirects, and /api/images for sync."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.feed = SyncFeed()
        self.seen_auth: dict[str, str | None] = {}
        # Responses being trickled right now (a fetch cut by its deadline ends its own).
        self.trickling = 0
        self._count_lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                server.seen_auth[parts.path] = self.headers.get("Authorization")
                if parts.path == "/api/images":
                    self._listing(parse_qs(parts.query))
                    return
                route = server.routes.get(parts.path)
                if route is None:
                    self._send(Route(404, b"not found"))
                    return
                self._send(route)

            def _listing(self, query: dict[str, list[str]]) -> None:
                if self.headers.get("Authorization") != f"Bearer {SYNC_TOKEN}":
                    self._send(Route(401, b'{"error": "unauthorized"}'))
                    return
                feed = server.feed
                feed.requests.append({k: v[0] for k, v in query.items()})
                start = int(query.get("cursor", ["0"])[0])
                page = feed.items[start : start + feed.page_size]
                nxt = start + feed.page_size
                body: dict[str, Any] = {
                    "items": page,
                    "next_cursor": str(nxt) if nxt < len(feed.items) else None,
                }
                if feed.report_total:
                    body["total"] = len(feed.items)
                self._send(Route(200, json.dumps(body).encode(), {"Content-Type": "application/json"}))

            def _send(self, route: Route) -> None:
                every_s = getattr(route, "trickle_s", None)  # a test may serve its own route object
                if every_s is not None:
                    server.count_trickling(+1)
                    try:
                        _send_slowly(self, route, every_s)
                    finally:
                        server.count_trickling(-1)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, body: bytes, content_type: str = "image/jpeg", **headers: str) -> str:
        self.routes[path] = Route(200, body, {"Content-Type": content_type, **headers})
        return self.url + path

    def count_trickling(self, change: int) -> None:
        with self._count_lock:
            self.trickling += change

    def trickle(
        self, path: str, body: bytes, every_s: float, *, headers_too: bool = False, for_s: float = 10.0
    ) -> str:
        """A source that sends one byte every `every_s` seconds, for up to `for_s` seconds."""
        self.routes[path] = Route(
            200,
            body,
            {"Content-Type": "image/jpeg"},
            trickle_s=every_s,
            trickle_headers=headers_too,
            trickle_for_s=for_s,
        )
        return self.url + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status, b"", {"Location": location})
        return self.url + path

    def reset(self) -> None:
        self.routes.clear()
        self.feed = SyncFeed()
        self.seen_auth.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@dataclass
class Library:
    """What is in the database and in storage, for asserting that bad input changed nothing."""

    ctx: AppContext

    def image_count(self) -> int:
        with self.ctx.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(Image)) or 0)

    def tag_count(self) -> int:
        with self.ctx.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(ImageTag)) or 0)

    def stored_keys(self) -> list[str]:
        return list(self.ctx.storage.iter_keys())

    def assert_empty(self) -> None:
        assert self.image_count() == 0
        assert self.tag_count() == 0
        assert self.stored_keys() == []
