"""The embedding model (backbone -> [CLS, mean patch] -> Linear -> BatchNorm -> L2 norm) and the one
image preprocessing that training, evaluation and extraction share."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from PIL import Image, ImageEnhance, ImageOps

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# pad_square: the image is centred on a square of the mean colour (no crop, no stretch: a tall bottle
# and a wide box keep their shape), then resized to image_size x image_size.
PREPROCESSING: dict[str, Any] = {
    "resize": "pad_square",
    "mean": list(IMAGENET_MEAN),
    "std": list(IMAGENET_STD),
}
_PAD = tuple(round(255 * m) for m in IMAGENET_MEAN)
# The EXIF tag that says how a photo must be turned to stand upright.
_ORIENTATION = 0x0112

# Augmentation (training only): a random crop of 60-100 % of the area at an aspect ratio of 3:4 to 4:3,
# and brightness, contrast and saturation each scaled by up to +-20 %. No flips: packs carry text.
CROP_SCALE = (0.6, 1.0)
CROP_RATIO = (3 / 4, 4 / 3)
JITTER = 0.2


class EmbeddingModel(torch.nn.Module):
    """L2-normalised embeddings of preprocessed pixels: the backbone's CLS token beside the mean of its
    patch tokens (register tokens left out), projected to `embedding_dim` and batch-normalised."""

    def __init__(self, backbone: torch.nn.Module, hidden: int, embedding_dim: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.hidden = hidden
        self.embedding_dim = embedding_dim
        config = getattr(backbone, "config", None)
        self.register_tokens = int(getattr(config, "num_register_tokens", 0) or 0)
        self.projection = torch.nn.Linear(2 * hidden, embedding_dim, bias=False)
        self.norm = torch.nn.BatchNorm1d(embedding_dim)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        tokens = self.backbone(pixel_values=pixels).last_hidden_state
        cls = tokens[:, 0]
        patches = tokens[:, 1 + self.register_tokens :].mean(dim=1)
        features = self.norm(self.projection(torch.cat([cls, patches], dim=1)))
        return torch.nn.functional.normalize(features.float(), dim=1)


def pad_square(image: Image.Image, image_size: int) -> Image.Image:
    """The image upright (its EXIF orientation applied: phone photos are often stored sideways) and
    RGB, centred on a square of the mean colour, resized to image_size x image_size. Training,
    evaluation, extraction and search all come through here, so they see the same pixels."""
    if image.getexif().get(_ORIENTATION, 1) in range(2, 9):
        image = ImageOps.exif_transpose(image)
    rgb = image.convert("RGB")
    side = max(rgb.width, rgb.height)
    if rgb.width != rgb.height:
        square = Image.new("RGB", (side, side), _PAD)
        square.paste(rgb, ((side - rgb.width) // 2, (side - rgb.height) // 2))
        rgb = square
    if side != image_size:
        rgb = rgb.resize((image_size, image_size), Image.Resampling.BILINEAR)
    return rgb


def load_square(image: Image.Image, image_size: int) -> npt.NDArray[np.uint8]:
    """pad_square as an (image_size, image_size, 3) uint8 array."""
    return np.asarray(pad_square(image, image_size), dtype=np.uint8)


def read_square(path: Path, image_size: int) -> npt.NDArray[np.uint8]:
    """The image file at `path` as load_square gives it (a JPEG decoded at a reduced scale when it is
    much larger). Raises OSError (PIL's UnidentifiedImageError among them) for an unreadable file."""
    with Image.open(path) as image:
        image.draft("RGB", (image_size, image_size))
        image.load()
        return load_square(image, image_size)


def to_tensor(arrays: list[npt.NDArray[np.uint8]]) -> torch.Tensor:
    """(N, 3, S, S) float pixels normalised by the ImageNet mean and std."""
    stacked = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (stacked - mean) / std


def preprocess(images: list[Image.Image], image_size: int) -> torch.Tensor:
    """The model's input for these images: pad_square to image_size, ImageNet-normalised."""
    return to_tensor([load_square(image, image_size) for image in images])


def augment(square: npt.NDArray[np.uint8], rng: random.Random) -> npt.NDArray[np.uint8]:
    """A random resized crop and colour jitter of a preprocessed square image (same size back)."""
    size = square.shape[0]
    image = Image.fromarray(square)
    for _ in range(10):
        area = size * size * rng.uniform(*CROP_SCALE)
        ratio = float(np.exp(rng.uniform(np.log(CROP_RATIO[0]), np.log(CROP_RATIO[1]))))
        width, height = round((area * ratio) ** 0.5), round((area / ratio) ** 0.5)
        if 0 < width <= size and 0 < height <= size:
            left, top = rng.randint(0, size - width), rng.randint(0, size - height)
            image = image.resize(
                (size, size), Image.Resampling.BILINEAR, box=(left, top, left + width, top + height)
            )
            break
    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhancer(image).enhance(rng.uniform(1 - JITTER, 1 + JITTER))
    return np.asarray(image, dtype=np.uint8)
