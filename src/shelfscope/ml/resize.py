"""Pillow's bilinear resize of an RGB image, done by torch's vectorised uint8 kernel in the workers.

Pillow's own resample is scalar C: bringing a JPEG decoded at draft scale (about 1.4 MP) to a
detector's 800 px input took 17-20 ms of CPU here, a third of a batch image's whole cost. torch's
antialiased bilinear kernel for uint8 channels-last images is a port of Pillow's algorithm (same
filter support, same fixed-point coefficients) with AVX2 loads: about 6 ms, the same pixels but for
rare off-by-one rounding. It is used only where it is that port (an AVX2 or AVX-512 CPU) and where
Pillow itself does a plain bilinear resample; everything else goes to Pillow unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from PIL import Image as PILImage

# torch's vectorised uint8 path exists only for these CPU capabilities; its generic path is slower
# than Pillow and rounds differently.
_VECTORISED = {"AVX2", "AVX512"}
# Sides shrink by less than this (what a JPEG draft always leaves): the array copies torch needs stay
# a few megabytes beside the decoded image the caller reserved memory for; a much larger image (a
# huge PNG) is resized by Pillow in place, as before.
_MAX_REDUCTION = 2.0

# The pixels torch reads come from Pillow as a read-only bytes buffer; torch warns that writing to
# such a tensor would be undefined, but the resample only reads it, and a writable copy would cost
# another pass over the image.
warnings.filterwarnings(
    "ignore", message="The given NumPy array is not writable", category=UserWarning, module=__name__
)


def vectorised() -> bool:
    return torch.backends.cpu.get_cpu_capability() in _VECTORISED


def pillow_bilinear(image: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    """Pillow's own resample, as od.ai.decode does it without this module (the reducing gap only
    acts on images shrunk six times or more)."""
    return image.resize(size, PILImage.Resampling.BILINEAR, reducing_gap=3.0)


def resize_rgb(image: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    """`image` at `size` (width, height) with Pillow's bilinear filter; an RGB image shrunk by less
    than half (or enlarged) is resampled by torch's port of it on a vectorised CPU."""
    width, height = size
    if (
        image.mode != "RGB"
        or image.width >= _MAX_REDUCTION * width
        or image.height >= _MAX_REDUCTION * height
        or not vectorised()
    ):
        return pillow_bilinear(image, size)
    # (1, 3, h, w) over the packed (h, w, 3) pixels: channels-last, the layout the fast kernel
    # takes; unsqueeze (not numpy's [None]) keeps strides torch recognises as channels-last.
    pixels = torch.from_numpy(np.asarray(image)).unsqueeze(0).permute(0, 3, 1, 2)
    with torch.inference_mode():
        out = torch.nn.functional.interpolate(
            pixels, size=(height, width), mode="bilinear", align_corners=False, antialias=True
        )
    packed = out.permute(0, 2, 3, 1)  # channels-last output: a view, no copy
    if not packed.is_contiguous():
        packed = packed.contiguous()
    return PILImage.frombuffer("RGB", size, packed.numpy(), "raw", "RGB", 0, 1)
