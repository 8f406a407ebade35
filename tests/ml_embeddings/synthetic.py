"""A synthetic product set that a tiny model can only retrieve well after it learned something: each
product is a shape in a colour, drawn at a random place and size on a random background colour that
covers most of the image. Random features follow the background; trained ones must ignore it, and
that carries over to products the model never saw (the val split)."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

from shelfscope.ml.embeddings.train import Sample

SHAPES = ("ellipse", "rectangle", "triangle", "cross", "bar")
COLOURS = (
    (220, 40, 40), (40, 180, 60), (40, 70, 220), (230, 200, 30), (160, 60, 200), (30, 200, 210),
    (250, 140, 20), (20, 20, 20),
)  # fmt: skip


def draw(shape: str, colour: tuple[int, int, int], size: int, rng: random.Random) -> Image.Image:
    background = tuple(rng.randint(0, 255) for _ in range(3))
    image = Image.new("RGB", (size, size), background)
    pen = ImageDraw.Draw(image)
    side = rng.randint(size // 2, size - 4)
    x, y = rng.randint(0, size - side), rng.randint(0, size - side)
    box = (x, y, x + side, y + side)
    if shape == "ellipse":
        pen.ellipse(box, fill=colour)
    elif shape == "rectangle":
        pen.rectangle(box, fill=colour)
    elif shape == "triangle":
        pen.polygon([(x, y + side), (x + side // 2, y), (x + side, y + side)], fill=colour)
    elif shape == "cross":
        third = side // 3
        pen.rectangle((x + third, y, x + 2 * third, y + side), fill=colour)
        pen.rectangle((x, y + third, x + side, y + 2 * third), fill=colour)
    else:
        pen.rectangle((x, y + side // 3, x + side, y + 2 * side // 3), fill=colour)
    return image


def write_products(
    folder: Path, products: int, images_per_product: int, *, size: int = 32, seed: int = 0, first_id: int = 1,
    domains: tuple[str, ...] = ("synthetic",),
) -> list[Sample]:  # fmt: skip
    """`products` products (distinct shape-colour pairs) with `images_per_product` PNG files each; the
    domains cycle over each product's images."""
    rng = random.Random(seed)
    pairs = [(shape, colour) for colour in COLOURS for shape in SHAPES]
    random.Random(1234).shuffle(pairs)
    assert products <= len(pairs)
    folder.mkdir(parents=True, exist_ok=True)
    samples = []
    for p in range(products):
        product_id = first_id + p
        shape, colour = pairs[(first_id - 1 + p) % len(pairs)]
        for i in range(images_per_product):
            image_id = product_id * 1000 + i
            path = folder / f"{image_id}.png"
            draw(shape, colour, size, rng).save(path)
            samples.append(Sample(image_id, product_id, domains[i % len(domains)], path, shape))
    return samples
