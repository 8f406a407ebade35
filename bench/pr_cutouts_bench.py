"""Cutouts made per second by the `pr.cutouts.make` job from a dataset of annotated shelf photos (from
their annotations), through the real handler, run inline in this process on a fresh SQLite data folder.

The shelf photos are made from the real grocery photos of ../shared/data (Freiburg, with their VOC
boxes): each is a 4 x 3 shelf of product photos at twice their size (1792 x 1344, 2.4 MP JPEG with
sensor-like grain, so every file has its own bytes), and its annotations are the products' boxes moved
onto the shelf: about 26 boxes a photo. Photos are made once and kept in a cache folder.

    python -m bench.pr_cutouts_bench                 # 1,000 photos
    python -m bench.pr_cutouts_bench --photos 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import defusedxml.ElementTree as ET
from PIL import Image as PILImage
from PIL import ImageChops
from sqlalchemy import insert

from bench.common import machine
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from shelfscope.jobs import service as jobs
from shelfscope.jobs.executor import run_job_inline
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream
from shelfscope.pr.cutouts.schemas import MAKE_KIND, MakePayload

REPO_ROOT = Path(__file__).resolve().parents[1]
FREIBURG = REPO_ROOT.parent / "shared" / "data" / "detection" / "freiburg" / "voc"
CACHE = Path(tempfile.gettempdir()) / "shelfscope-bench" / "pr-shelves"
COLS, ROWS, TILE = 4, 3, 448

Box = tuple[str, float, float, float, float]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _products() -> list[tuple[str, list[Box]]]:
    """Every Freiburg photo with its boxes (label, x1, y1, x2, y2 in its 224 px)."""
    found = []
    for xml in sorted((FREIBURG / "annotations").glob("*.xml")):
        root = ET.parse(xml).getroot()
        assert root is not None
        boxes: list[Box] = []
        for obj in root.iter("object"):
            bb = obj.find("bndbox")
            assert bb is not None
            x1, y1, x2, y2 = (float(bb.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax"))
            boxes.append((str(obj.findtext("name")), x1, y1, x2, y2))
        found.append((str(FREIBURG / "images" / f"{xml.stem}.png"), boxes))
    if not found:
        raise SystemExit(f"no photos under {FREIBURG}; the bench needs ../shared/data beside the repo")
    return found


def _make_shelf(job: tuple[int, str]) -> list[Box]:
    """One shelf photo (a grid of product photos) and its boxes in its pixels."""
    index, target = job
    products = _products()
    rnd = random.Random(index)
    shelf = PILImage.new("RGB", (COLS * TILE, ROWS * TILE))
    boxes: list[Box] = []
    for slot in range(COLS * ROWS):
        path, tile_boxes = rnd.choice(products)
        with PILImage.open(path) as im:
            scale = TILE / im.width
            shelf.paste(im.convert("RGB").resize((TILE, TILE), PILImage.Resampling.BICUBIC),
                        ((slot % COLS) * TILE, (slot // COLS) * TILE))  # fmt: skip
        dx, dy = (slot % COLS) * TILE, (slot // COLS) * TILE
        boxes += [(n, dx + x1 * scale, dy + y1 * scale, dx + x2 * scale, dy + y2 * scale)
                  for n, x1, y1, x2, y2 in tile_boxes]  # fmt: skip
    grain = PILImage.effect_noise(shelf.size, 10).convert("RGB")
    ImageChops.add(shelf, grain, scale=1.0, offset=-128).save(target, "JPEG", quality=90)
    return boxes


def make_shelves(count: int) -> list[tuple[Path, list[Box]]]:
    CACHE.mkdir(parents=True, exist_ok=True)
    index_file = CACHE / "boxes.json"
    known: dict[str, list[Box]] = json.loads(index_file.read_text()) if index_file.exists() else {}
    wanted = [(i, str(CACHE / f"shelf_{i:04d}.jpg")) for i in range(count)]
    missing = [w for w in wanted if w[1] not in known or not Path(w[1]).exists()]
    if missing:
        started = time.perf_counter()
        with Pool(os.cpu_count() or 2) as pool:
            for (_, target), boxes in zip(missing, pool.map(_make_shelf, missing, chunksize=8), strict=True):
                known[target] = [tuple(b) for b in boxes]  # type: ignore[misc]
        index_file.write_text(json.dumps(known))
        print(f"  made {len(missing)} shelf photos in {time.perf_counter() - started:.0f}s ({CACHE})")
    return [(Path(t), [tuple(b) for b in known[t]]) for _, t in wanted]  # type: ignore[misc]


def setup(root: Path, shelves: list[tuple[Path, list[Box]]]) -> tuple[AppContext, int, int]:
    """A data folder with the photos ingested, one dataset holding them and their boxes; (ctx,
    dataset id, boxes)."""
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'shelfscope.db'}")
    upgrade(settings.resolved_database_url)
    ctx = AppContext.from_settings(settings)
    started = time.perf_counter()
    labels = sorted({b[0] for _, boxes in shelves for b in boxes})
    rows = []
    with ctx.db.write() as session:
        classes = {n: OdClass(name=n, name_key=n, display_name=n) for n in labels}
        dataset = Dataset(name="Shelves")
        session.add_all([*classes.values(), dataset])
        session.flush()
        for path, boxes in shelves:
            with path.open("rb") as data:
                image = ingest_stream(session, ctx.storage, settings, data, path.name).image
            member = DatasetImage(dataset_id=dataset.id, image_id=image.id, annotation_count=len(boxes))
            session.add(member)
            session.flush()
            rows += [
                {"dataset_id": dataset.id, "dataset_image_id": member.id, "class_id": classes[n].id,
                 "x1": x1, "y1": y1, "x2": x2, "y2": y2}
                for n, x1, y1, x2, y2 in boxes
            ]  # fmt: skip
        session.execute(insert(Annotation), rows)
        dataset_id = dataset.id
    print(f"  ingested {len(shelves)} photos with {len(rows)} boxes in {time.perf_counter() - started:.0f}s")
    return ctx, dataset_id, len(rows)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def run(ctx: AppContext, dataset_id: int) -> None:
    payload = MakePayload(dataset_id=dataset_id, dataset_name="Shelves", source="annotations", margin=0.05)
    with ctx.db.writer() as session:
        job_id = jobs.submit_job(session, ctx.runner, MAKE_KIND, payload.model_dump(mode="json"), None).id
    started, cpu = time.perf_counter(), _cpu()
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    elapsed, cpu_s = time.perf_counter() - started, _cpu() - cpu
    assert job.status == "succeeded" and job.result is not None, (job.status, job.error)
    made, images = job.result["created"], job.result["images"]
    print(f"make cutouts (annotations): {made} cutouts from {images} photos in {elapsed:.1f}s = "
          f"{made / elapsed:.0f} cutouts/s ({images / elapsed:.1f} photos/s); CPU {cpu_s:.1f}s in all "
          f"threads ({cpu_s / made * 1000:.1f} ms per cutout)")  # fmt: skip
    started = time.perf_counter()
    with ctx.db.writer() as session:
        again = jobs.submit_job(session, ctx.runner, MAKE_KIND, payload.model_dump(mode="json"), None).id
    rerun = run_job_inline(ctx.settings, ctx.db, ctx.storage, again)
    assert rerun.result is not None and rerun.result["created"] == 0
    print(f"second run (every box has its cutout): {rerun.result['existing']} boxes found existing in "
          f"{time.perf_counter() - started:.1f}s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    args = parser.parse_args()
    print(machine())
    print(f"before: {uptime()}")
    shelves = make_shelves(args.photos)
    with tempfile.TemporaryDirectory(prefix="shelfscope-cutouts-bench-") as tmp:
        ctx, dataset_id, _ = setup(Path(tmp), shelves)
        try:
            print(f"start: {uptime()}")
            run(ctx, dataset_id)
            print(f"after: {uptime()}")
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
