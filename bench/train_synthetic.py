"""A small synthetic detection set: circles, squares and triangles of random colours and sizes pasted on
real photo backgrounds from ../shared/data, written as COCO (annotations/instances_<split>.json and
images/<split>/), the layout Shelfscope imports. Used by bench/train_learns.py, bench/train_overhead.py
and the training tests. Run directly: `python -m bench.train_synthetic FOLDER [TRAIN VAL TEST]`.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

REPO_ROOT = Path(__file__).resolve().parents[1]
BACKGROUNDS = REPO_ROOT.parent / "shared" / "data" / "detection"
CLASSES = ("circle", "square", "triangle")


def backgrounds(root: Path = BACKGROUNDS) -> list[Path]:
    found = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not found:
        raise SystemExit(f"no background photos under {root}")
    return found


def _shape(
    draw: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int], colour: tuple[int, int, int]
) -> None:
    x1, y1, x2, y2 = box
    outline = tuple(255 - c for c in colour)
    if kind == "circle":
        draw.ellipse(box, fill=colour, outline=outline, width=2)
    elif kind == "square":
        draw.rectangle(box, fill=colour, outline=outline, width=2)
    else:
        draw.polygon([((x1 + x2) // 2, y1), (x2, y2), (x1, y2)], fill=colour, outline=outline)


def make_image(
    rng: random.Random, background: Path, size: tuple[int, int]
) -> tuple[Image.Image, list[tuple[int, list[float]]]]:
    """One image and its [(class index, [x, y, w, h])]: 1 to 4 shapes that do not overlap much."""
    width, height = size
    with Image.open(background) as im:
        photo = im.convert("RGB")
    scale = max(width / photo.width, height / photo.height) * rng.uniform(1.0, 1.6)
    photo = photo.resize((max(width, int(photo.width * scale)), max(height, int(photo.height * scale))))
    left, top = rng.randint(0, photo.width - width), rng.randint(0, photo.height - height)
    image = photo.crop((left, top, left + width, top + height))
    draw = ImageDraw.Draw(image)
    placed: list[tuple[int, list[float]]] = []
    for _ in range(rng.randint(1, 4)):
        for _attempt in range(20):
            side = rng.randint(min(size) // 7, min(size) // 3)
            w, h = side, int(side * rng.uniform(0.8, 1.25))
            x, y = rng.randint(0, width - w - 1), rng.randint(0, height - h - 1)
            if all(x + w < b[0] or b[0] + b[2] < x or y + h < b[1] or b[1] + b[3] < y for _, b in placed):
                cls = rng.randrange(len(CLASSES))
                colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
                _shape(draw, CLASSES[cls], (x, y, x + w, y + h), colour)
                placed.append((cls, [float(x), float(y), float(w), float(h)]))
                break
    return image, placed


def write_set(
    folder: Path,
    counts: dict[str, int],
    seed: int = 0,
    size: tuple[int, int] = (384, 288),
    root: Path = BACKGROUNDS,
) -> Path:
    rng = random.Random(seed)
    photos = backgrounds(root)
    categories = [{"id": i + 1, "name": name, "supercategory": ""} for i, name in enumerate(CLASSES)]
    ann_id = 1
    for split, count in counts.items():
        images, annotations = [], []
        (folder / "images" / split).mkdir(parents=True, exist_ok=True)
        for n in range(1, count + 1):
            image, shapes = make_image(rng, rng.choice(photos), size)
            name = f"{split}_{n:04d}.jpg"
            image.save(folder / "images" / split / name, quality=90)
            images.append({"id": n, "file_name": name, "width": size[0], "height": size[1]})
            for cls, bbox in shapes:
                annotations.append(
                    {"id": ann_id, "image_id": n, "category_id": cls + 1, "bbox": bbox,
                     "area": bbox[2] * bbox[3], "iscrowd": 0}
                )  # fmt: skip
                ann_id += 1
        doc = {"images": images, "annotations": annotations, "categories": categories}
        (folder / "annotations").mkdir(parents=True, exist_ok=True)
        (folder / "annotations" / f"instances_{split}.json").write_text(json.dumps(doc))
    return folder


if __name__ == "__main__":
    target = Path(sys.argv[1])
    sizes = [int(v) for v in sys.argv[2:5]] or [200, 40, 40]
    write_set(target, dict(zip(("train", "val", "test"), sizes, strict=True)))
    print(f"wrote {sum(sizes)} images to {target}")
