"""SAM fixtures: the tiny SAM 2.1 installed where the real one goes, a dataset holding a drawn photo
(and an EXIF-rotated one), another dataset's image, and a counter of the image encoder's real runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image as PILImage
from PIL import ImageDraw

from shelfscope.app import create_app
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream
from tests.support.thread_runner import ThreadRunner
from tests.support.tiny_sam import SAM_KEY, install_tiny_sam

pytest.importorskip("torch")
pytest.importorskip("transformers")

WIDTH, HEIGHT = 320, 240


def photo(
    size: tuple[int, int] = (WIDTH, HEIGHT), exif_orientation: int | None = None, shade: int = 0
) -> bytes:
    """A shelf-like drawing: a red can and a blue disc on a light back wall."""
    image = PILImage.new("RGB", size, (230 - shade, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 50, 140, 200), fill=(200, 30, 30))
    draw.ellipse((180, 80, 280, 180), fill=(30, 30, 200))
    out = BytesIO()
    extra: dict[str, Any] = {}
    if exif_orientation is not None:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        extra["exif"] = exif.tobytes()
    image.save(out, "JPEG", quality=90, **extra)
    return out.getvalue()


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    """The app whose interactive jobs run in threads of this process (tests.support.thread_runner),
    so a test sees the worker's model and counts its encoder's runs."""
    ctx.runner = ThreadRunner(ctx)
    return create_app(ctx, start_runner=False)


@dataclass
class Shelf:
    dataset_id: int
    image_id: int
    # Stored 320 x 240 with EXIF orientation 6: upright it is 240 wide and 320 high.
    rotated_id: int
    second_id: int
    other_dataset_id: int
    other_image_id: int


@pytest.fixture
def shelf(ctx: AppContext) -> Shelf:
    with ctx.db.write() as session:
        dataset, other = Dataset(name="Shelves"), Dataset(name="Other")
        session.add_all([dataset, other])
        session.flush()
        blobs = [photo(), photo(exif_orientation=6), photo(shade=40), photo(shade=80)]
        ids = [
            ingest_stream(session, ctx.storage, ctx.settings, BytesIO(b), f"shelf{i}.jpg").image.id
            for i, b in enumerate(blobs)
        ]
        session.add_all(DatasetImage(dataset_id=dataset.id, image_id=i) for i in ids[:3])
        session.add(DatasetImage(dataset_id=other.id, image_id=ids[3]))
        return Shelf(dataset.id, ids[0], ids[1], ids[2], other.id, ids[3])


@pytest.fixture
def tiny_sam(settings: Settings) -> Iterator[str]:
    """The tiny model's key, installed in this test's models folder; no embedding left from an
    earlier test."""
    from shelfscope.ml.segmenters.embeddings import process_embeddings

    install_tiny_sam(settings)
    process_embeddings().clear()
    yield SAM_KEY
    process_embeddings().clear()


class EncoderRuns:
    """How many times the loaded model's image encoder really ran (a forward hook on it)."""

    def __init__(self, settings: Settings, key: str) -> None:
        from shelfscope.ml.segmenters.loader import load_segmenter

        self.segmenter = load_segmenter(settings, key)
        self.count = 0
        self._hook = self.segmenter.model.vision_encoder.register_forward_hook(self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1

    def remove(self) -> None:
        self._hook.remove()


@pytest.fixture
def encoder_runs(settings: Settings, tiny_sam: str) -> Iterator[EncoderRuns]:
    runs = EncoderRuns(settings, tiny_sam)
    yield runs
    runs.remove()
