"""Preprocessing (pad to a square, resize, ImageNet-normalise) and the embedding head."""

from __future__ import annotations

import random

import numpy as np
import torch
from PIL import Image

from shelfscope.config import Settings
from shelfscope.ml.embeddings.backbones import build_backbone
from shelfscope.ml.embeddings.model import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    EmbeddingModel,
    augment,
    load_square,
    preprocess,
)
from tests.support.tiny_embedders import install_tiny_embedder


def test_a_wide_image_is_padded_to_a_square_not_stretched() -> None:
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    square = load_square(image, 20)
    assert square.shape == (20, 20, 3)
    # The red band keeps its 2:1 shape in the middle; above and below it is the mean colour.
    assert tuple(square[10, 10]) == (255, 0, 0)
    assert tuple(square[0, 10]) == tuple(round(255 * m) for m in IMAGENET_MEAN)
    assert tuple(square[19, 10]) == tuple(round(255 * m) for m in IMAGENET_MEAN)
    assert image.size == (40, 20)  # the caller's image is untouched


def test_preprocess_normalises_with_the_imagenet_mean_and_std() -> None:
    white = Image.new("RGB", (8, 8), (255, 255, 255))
    pixels = preprocess([white, white.convert("L")], 8)
    assert pixels.shape == (2, 3, 8, 8)
    expected = torch.tensor([(1 - m) / s for m, s in zip(IMAGENET_MEAN, IMAGENET_STD, strict=True)])
    assert torch.allclose(pixels[0, :, 4, 4], expected, atol=1e-5)
    assert torch.equal(pixels[0], pixels[1])


def test_augmentation_keeps_the_size_and_is_repeatable_with_its_seed() -> None:
    square = np.asarray(Image.effect_noise((32, 32), 60).convert("RGB"))
    first = augment(square, random.Random(3))
    assert first.shape == square.shape
    assert np.array_equal(first, augment(square, random.Random(3)))
    assert not np.array_equal(first, square)


def test_embeddings_are_l2_normalised_and_sized(ml_settings: Settings) -> None:
    install_tiny_embedder(ml_settings, "dinov2-small")
    backbone, hidden = build_backbone(ml_settings, "dinov2-small", pretrained=True)
    model = EmbeddingModel(backbone, hidden, 24).eval()
    with torch.no_grad():
        out = model(preprocess([Image.new("RGB", (30, 50), (10, 200, 30))] * 2, 32))
    assert out.shape == (2, 24)
    assert torch.allclose(out.norm(dim=1), torch.ones(2), atol=1e-5)
