"""The shared products set (../shared/data/products) as a catalogue import takes it, and product videos
made with PyAV from its real photos. Built at test time into a temporary folder; nothing is committed.

Also a command line for the browser tests (web/e2e), which build the same files:

    python -m tests.support.products_set zip OUT.zip      # the images archive, <sku>/<domain>/<file>
    python -m tests.support.products_set video OUT.mp4 [SECONDS] [FPS] [WIDTHxHEIGHT]

The catalogue itself is `products.csv` of the set, imported with PRODUCTS_COLUMNS and
PRODUCTS_DOMAIN_MAP (form fields `columns` and `domain_map`).
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import av
from PIL import Image

from tests.support.app import SHARED_DATA

PRODUCTS = SHARED_DATA / "products"
# products.csv names its SKU column product_id, its barcode upc and its category coarse_class; its
# other columns (source_dataset, counts) become attributes.
PRODUCTS_COLUMNS = {"sku": "product_id", "barcode": "upc", "category": "coarse_class"}
# studio: catalogue packshots; store: in-store photos; shelf: crops cut from shelf video.
PRODUCTS_DOMAIN_MAP = {"studio": "synthetic", "store": "real", "shelf": "cutout"}
DOMAIN_OF_FOLDER = PRODUCTS_DOMAIN_MAP
_CODECS = {"mp4": "libx264", "mov": "libx264", "webm": "libvpx-vp9"}


def product_folders(skus: Iterable[str] | None = None) -> list[Path]:
    wanted = set(skus) if skus is not None else None
    return sorted(p for p in PRODUCTS.iterdir() if p.is_dir() and (wanted is None or p.name in wanted))


def zip_products(target: Path, skus: Iterable[str] | None = None) -> Path:
    """The set's images as an archive laid out <sku>/<domain folder>/<file> (stored, not deflated: they
    are JPEGs and PNGs), with products.csv at the top as the shared folder has it."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        archive.write(PRODUCTS / "products.csv", "products.csv")
        for folder in product_folders(skus):
            for image in sorted(folder.rglob("*")):
                if image.is_file():
                    archive.write(image, image.relative_to(PRODUCTS).as_posix())
    return target


def catalogue_csv(skus: Sequence[str] | None = None) -> bytes:
    """products.csv, or its header and the rows of `skus`."""
    lines = (PRODUCTS / "products.csv").read_bytes().splitlines(keepends=True)
    if skus is None:
        return b"".join(lines)
    return lines[0] + b"".join(line for line in lines[1:] if line.split(b",", 1)[0].decode() in skus)


def photos(count: int = 8) -> list[Path]:
    """Real in-store photos of several products (348 px JPEGs)."""
    found = sorted(PRODUCTS.glob("gsd_*/store/*.jpg"))
    step = max(1, len(found) // count)
    return found[::step][:count]


def make_video(
    target: Path,
    *,
    seconds: float = 3.0,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    gop: int | None = None,
    sources: Sequence[Path] | None = None,
    codec: str | None = None,
) -> Path:
    """A video of real photos, each shown for a second, in the container the suffix names (mp4, mov,
    webm), by default H.264 (VP9 in WebM); `gop` frames between key frames (the encoder's default when
    None)."""
    fmt = target.suffix.lstrip(".").lower()
    pictures = [Image.open(p).convert("RGB").resize(size) for p in (sources or photos())]
    with av.open(str(target), "w", format=fmt) as container:
        stream: Any = container.add_stream(codec or _CODECS[fmt], rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if gop is not None:
            stream.codec_context.gop_size = gop
            stream.codec_context.options = {"keyint_min": str(gop), "sc_threshold": "0"}
        for i in range(round(seconds * fps)):
            frame = av.VideoFrame.from_image(pictures[(i // fps) % len(pictures)])  # type: ignore[no-untyped-call]
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return target


def main(argv: Sequence[str]) -> int:
    if len(argv) >= 2 and argv[0] == "zip":
        zip_products(Path(argv[1]))
        print(json.dumps({"zip": argv[1], "columns": PRODUCTS_COLUMNS, "domain_map": PRODUCTS_DOMAIN_MAP}))
        return 0
    if len(argv) >= 2 and argv[0] == "video":
        seconds = float(argv[2]) if len(argv) > 2 else 3.0
        fps = int(argv[3]) if len(argv) > 3 else 10
        width, height = (int(v) for v in (argv[4] if len(argv) > 4 else "320x240").split("x"))
        make_video(Path(argv[1]), seconds=seconds, fps=fps, size=(width, height))
        print(json.dumps({"video": argv[1]}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
