"""The stock embedder: an installed backbone's pooled output, L2-normalised, at the size and with the
normalisation its image processor asks for; a missing backbone names the fetch command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from shelfscope.config import Settings
from shelfscope.ml.embeddings.model import PREPROCESSING, load_square
from shelfscope.ml.embeddings.stock import load_stock_embedder, processor_preprocessing
from shelfscope.ml.weights import WeightsMissing
from tests.support.tiny_embedders import TINY_IMAGE_SIZE, install_tiny_embedder


@pytest.fixture
def ml_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", ml_offline=True, ml_torch_threads=1)


def _pictures() -> list[Image.Image]:
    rng = np.random.default_rng(3)
    return [
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        for h, w in ((40, 20), (30, 30), (50, 70))
    ]


def _pixels(squares: list[np.ndarray], mean: list[float], std: list[float]) -> torch.Tensor:
    x = torch.from_numpy(np.stack(squares)).permute(0, 3, 1, 2).float() / 255.0
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


@pytest.mark.parametrize("key", ["dinov2-small", "dinov3-small"])
def test_the_stock_embedder_is_the_normalised_pooled_output_of_the_installed_backbone(
    ml_settings: Settings, key: str
) -> None:
    from shelfscope.ml.embeddings.backbones import build_backbone

    install_tiny_embedder(ml_settings, key)
    embedder = load_stock_embedder(ml_settings, key)
    assert (embedder.embedding_dim, embedder.image_size, embedder.backbone) == (32, TINY_IMAGE_SIZE, key)
    assert embedder.preprocessing["resize"] == PREPROCESSING["resize"]
    pictures = _pictures()
    vectors = embedder.embed(pictures)
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    backbone, _ = build_backbone(ml_settings, key, pretrained=True)
    squares = [load_square(p, TINY_IMAGE_SIZE) for p in pictures]
    with torch.no_grad():
        pooled = backbone.eval()(pixel_values=_pixels(squares, *PREPROCESSING_MEAN_STD)).pooler_output
    expected = torch.nn.functional.normalize(pooled, dim=1).numpy()
    np.testing.assert_allclose(vectors, expected, atol=1e-5)


PREPROCESSING_MEAN_STD = (list(PREPROCESSING["mean"]), list(PREPROCESSING["std"]))


def test_a_processor_with_its_own_size_and_normalisation_is_followed(ml_settings: Settings) -> None:
    from shelfscope.ml.embeddings.backbones import build_backbone

    folder = install_tiny_embedder(ml_settings, "dinov2-small")
    config_path = folder / "preprocessor_config.json"
    config = json.loads(config_path.read_text())
    config_path.unlink()  # a hard link to the shared tiny folder: write a new file, not through it
    mean, std = [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]
    config_path.write_text(json.dumps(config | {"crop_size": {"height": 48, "width": 48}, "image_mean": mean,
                                                "image_std": std}))  # fmt: skip
    assert processor_preprocessing(folder)["image_size"] == 48
    embedder = load_stock_embedder(ml_settings, "dinov2-small")
    assert embedder.image_size == 48 and embedder.preprocessing["mean"] == mean
    pictures = _pictures()
    backbone, _ = build_backbone(ml_settings, "dinov2-small", pretrained=True)
    squares = [load_square(p, 48) for p in pictures]
    with torch.no_grad():
        pooled = backbone.eval()(pixel_values=_pixels(squares, mean, std)).pooler_output
    expected = torch.nn.functional.normalize(pooled, dim=1).numpy()
    np.testing.assert_allclose(embedder.embed(pictures), expected, atol=1e-5)


def test_a_backbone_that_is_not_installed_names_the_fetch_command(ml_settings: Settings) -> None:
    with pytest.raises(WeightsMissing) as raised:
        load_stock_embedder(ml_settings, "dinov2-base")
    assert "shelfscope models fetch dinov2-base" in str(raised.value)
