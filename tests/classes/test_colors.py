"""Class colours: a palette of distinct colours readable on photos, continued by generated ones, so
classes created or imported one after another never share a colour."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.classes.colors import PALETTE, class_color, hex_to_oklab, pick_color
from shelfscope.od.classes.models import OdClass
from tests.support.dataset_files import Box, Item, run_job, upload, write_yolo, zip_folder

WEB_COPY = Path(__file__).resolve().parents[2] / "web" / "src" / "lib" / "class-colors.ts"


def _min_distance(colors: list[str]) -> float:
    labs = [hex_to_oklab(c) for c in colors]
    return min(math.dist(a, b) for i, a in enumerate(labs) for b in labs[:i])


def test_the_palette_has_no_greys_no_near_duplicates_and_nothing_too_dark_or_light() -> None:
    assert len(PALETTE) == len(set(PALETTE)) >= 24
    for color in PALETTE:
        lightness, a, b = hex_to_oklab(color)
        assert math.hypot(a, b) >= 0.10, f"{color} is close to grey"
        assert 0.54 <= lightness <= 0.9, f"{color} disappears on dark or bright photo areas"
    # OKLab distance: 0.08 is a clearly visible difference side by side.
    assert _min_distance(list(PALETTE)) >= 0.08


def test_generated_colours_continue_the_palette_and_stay_apart() -> None:
    sequence = [class_color(i) for i in range(120)]
    assert None not in sequence
    colors = [c for c in sequence if c is not None]
    assert tuple(colors[: len(PALETTE)]) == PALETTE
    assert len(set(colors)) == 120
    assert _min_distance(colors[:60]) >= 0.05
    assert _min_distance(colors) >= 0.02
    for color in colors:
        _, a, b = hex_to_oklab(color)
        assert math.hypot(a, b) >= 0.09, color


def test_pick_color_takes_the_first_unused_then_the_least_used() -> None:
    usage = Counter({PALETTE[0]: 1, PALETTE[1].upper(): 2, "#123456": 1})
    assert pick_color(usage) == PALETTE[2]
    assert usage[PALETTE[2]] == 1

    every: Counter[str] = Counter()
    index = 0
    while (color := class_color(index)) is not None:
        every[color] = 2
        index += 1
    every[PALETTE[5]] = 1
    assert pick_color(every) == PALETTE[5]


def test_the_web_app_offers_the_same_palette() -> None:
    text = WEB_COPY.read_text()
    body = text[text.index("CLASS_PALETTE") :]
    assert tuple(re.findall(r"'(#[0-9a-f]{6})'", body)) == PALETTE


def test_classes_created_without_a_colour_each_get_their_own(client: TestClient) -> None:
    colors = []
    for n in range(40):
        r = client.post("/api/v1/od/classes", json={"name": f"product {n}"})
        assert r.status_code == 201, r.text
        colors.append(r.json()["color"])
    assert colors[: len(PALETTE)] == list(PALETTE)
    assert len(set(colors)) == 40
    # A colour a person picked counts as taken.
    chosen = client.post("/api/v1/od/classes", json={"name": "chosen", "color": class_color(40)})
    after = client.post("/api/v1/od/classes", json={"name": "after"}).json()["color"]
    assert chosen.json()["color"] == class_color(40) and after == class_color(41)


def test_an_import_with_33_labels_gives_33_colours(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    labels = [f"sku-{n:02d}" for n in range(33)]
    items = [
        Item(
            name=f"shelf-{i}.jpg",
            seed=i,
            boxes=[Box(labels[(i * 3 + k) % 33], 2, 2, 20, 20) for k in range(3)],
        )
        for i in range(11)
    ]
    response = upload(client, "yolo", zip_folder(write_yolo(tmp_path / "yolo", items)), dataset_name="SKUs")
    assert response.status_code == 202, response.text
    job = run_job(ctx, int(response.json()["job"]["id"]))
    assert job.status == "succeeded", job.error
    with ctx.db.read() as s:
        colors = list(s.scalars(select(OdClass.color)))
    assert len(colors) == 33 and len(set(colors)) == 33
