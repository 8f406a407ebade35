"""Seed a data folder for the editor benchmark: one 4000x3000 JPEG per box count, each in its own
dataset, 10 classes, N boxes on a grid, and an admin the benchmark signs in as.

    .venv/bin/python bench/seed_editor.py --data-dir /tmp/editor-bench --boxes 0,500,5000

Prints a JSON line: {"username", "password", "images": {"<N>": {"dataset_id", "image_id"}}}.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw

from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.db.migrate import upgrade
from shelfscope.od.annotations.bulk import bulk_write
from shelfscope.od.annotations.schemas import BulkIn, BulkItem
from shelfscope.od.classes.schemas import ClassCreate
from shelfscope.od.classes.service import create_class
from shelfscope.od.datasets.schemas import AddImagesIn, DatasetCreate
from shelfscope.od.datasets.service import add_images, create_dataset
from shelfscope.od.images.ingest import ingest_file
from shelfscope.storage import open_storage

WIDTH, HEIGHT = 4000, 3000
CLASSES = 10
USERNAME = "bench"
PASSWORD = "bench-editor-password"


def shelf_jpeg(seed: int) -> bytes:
    """A shelf-like stand-in photo: coloured products on shelves with noise, so it decodes like a photo."""
    rng = random.Random(seed)
    im = Image.new("RGB", (WIDTH, HEIGHT), (214, 210, 200))
    draw = ImageDraw.Draw(im)
    shelf_h = 500
    for row in range(HEIGHT // shelf_h):
        y0 = row * shelf_h
        draw.rectangle([0, y0 + shelf_h - 40, WIDTH, y0 + shelf_h], fill=(120, 110, 100))
        x = 10
        while x < WIDTH - 60:
            w = rng.randint(60, 180)
            h = rng.randint(250, shelf_h - 60)
            color = (rng.randint(20, 235), rng.randint(20, 235), rng.randint(20, 235))
            draw.rectangle(
                [x, y0 + shelf_h - 40 - h, x + w, y0 + shelf_h - 40],
                fill=color,
                outline=(30, 30, 30),
                width=3,
            )
            draw.rectangle(
                [x + 10, y0 + shelf_h - h, x + w - 10, y0 + shelf_h - h + 40], fill=(250, 250, 245)
            )
            x += w + rng.randint(4, 20)
    noise = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
    im = Image.blend(im, noise, 0.12)
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=88)
    return out.getvalue()


def grid_boxes(n: int) -> list[tuple[float, float, float, float]]:
    """N boxes on a grid with ceil(sqrt(N*4/3)) columns, each 60% of its cell, centred."""
    if n == 0:
        return []
    cols = math.ceil(math.sqrt(n * 4 / 3))
    rows = math.ceil(n / cols)
    cw, ch = WIDTH / cols, HEIGHT / rows
    boxes = []
    for i in range(n):
        c, r = i % cols, i // cols
        x1 = c * cw + cw * 0.2
        y1 = r * ch + ch * 0.2
        boxes.append((round(x1, 2), round(y1, 2), round(x1 + cw * 0.6, 2), round(y1 + ch * 0.6, 2)))
    return boxes


def seed(data_dir: Path, counts: list[int]) -> dict[str, object]:
    settings = Settings(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    db = Database.from_settings(settings)
    storage = open_storage(settings)
    images: dict[str, dict[str, int]] = {}
    with db.writer() as session:
        admin = User(
            username=USERNAME, display_name="Bench", role="admin", password_hash=hash_password(PASSWORD)
        )
        session.add(admin)
        session.commit()
        class_ids = [
            create_class(session, ClassCreate(name=f"product-{i + 1}"), admin.id).id for i in range(CLASSES)
        ]
        for n in counts:
            result = ingest_file(
                session,
                storage,
                settings,
                io.BytesIO(shelf_jpeg(n)),
                f"shelf-{n}-boxes.jpg",
                user_id=admin.id,
            )
            dataset = create_dataset(session, DatasetCreate(name=f"Editor bench {n} boxes"), admin.id)
            add_images(session, dataset.id, AddImagesIn(image_ids=[result.image.id]))
            items = [
                BulkItem(
                    image_id=result.image.id,
                    class_id=class_ids[i % CLASSES],
                    kind="bbox",
                    x1=x1,
                    y1=y1,
                    x2=x2,
                    y2=y2,
                )
                for i, (x1, y1, x2, y2) in enumerate(grid_boxes(n))
            ]
            if items:
                bulk_write(session, BulkIn(dataset_id=dataset.id, items=items), admin.id)
            images[str(n)] = {"dataset_id": dataset.id, "image_id": result.image.id}
    db.dispose()
    return {"username": USERNAME, "password": PASSWORD, "images": images}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--boxes", default="0,500,5000", help="comma-separated box counts, one image each")
    args = parser.parse_args()
    counts = [int(x) for x in args.boxes.split(",") if x.strip()]
    print(json.dumps(seed(args.data_dir, counts)))


if __name__ == "__main__":
    main()
