"""Realistic multi-megapixel shelf photos made from the real photos in ../shared/data.

Used by the benches and the end-to-end tests, which need camera-sized JPEGs the repository must not
carry. Run directly to fill a folder: `python -m bench.photos COUNT FOLDER`.
"""

from __future__ import annotations

import os
import random
import sys
from multiprocessing import Pool
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageChops

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data" / "detection"


def _make_photo(job: tuple[int, str, str]) -> int:
    index, source, target = job
    rnd = random.Random(index)
    with PILImage.open(source) as im:
        rgb = im.convert("RGB")
    megapixels = rnd.uniform(3.0, 6.0) * 1_000_000
    aspect = rgb.width / rgb.height
    width = int((megapixels * aspect) ** 0.5)
    height = int(width / aspect)
    # A slightly different crop per copy, so every file has its own bytes (no duplicates).
    dx, dy = rnd.uniform(0, 0.05) * rgb.width, rnd.uniform(0, 0.05) * rgb.height
    box = (
        dx,
        dy,
        rgb.width - rnd.uniform(0, 0.05) * rgb.width,
        rgb.height - rnd.uniform(0, 0.05) * rgb.height,
    )
    big = rgb.resize((width, height), PILImage.Resampling.BICUBIC, box=box)
    # Sensor-like grain: an upscaled small photo is unrealistically smooth and would compress to a
    # fraction of a camera JPEG's size.
    grain = PILImage.effect_noise((width, height), 10).convert("RGB")
    big = ImageChops.add(big, grain, scale=1.0, offset=-128)
    big.save(target, "JPEG", quality=90)
    return Path(target).stat().st_size


def make_photos(count: int, folder: Path) -> list[Path]:
    sources = sorted((SHARED_DATA / "raccoon" / "images").glob("*.jpg"))
    sources += sorted((SHARED_DATA / "freiburg").rglob("*.png"))[:100]
    if not sources:
        raise SystemExit(f"no photos under {SHARED_DATA}; the bench needs ../shared/data beside the repo")
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(i, str(sources[i % len(sources)]), str(folder / f"photo_{i:04d}.jpg")) for i in range(count)]
    with Pool(os.cpu_count() or 2) as pool:
        sizes = pool.map(_make_photo, jobs, chunksize=4)
    print(f"  made {count} JPEGs, {sum(sizes) / count / 1e6:.2f} MB each on average, in {folder}")
    return [Path(j[2]) for j in jobs]


if __name__ == "__main__":
    make_photos(int(sys.argv[1]), Path(sys.argv[2]))
