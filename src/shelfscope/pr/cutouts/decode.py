"""Shelf photos decoded whole, upright and RGB, to cut from (the AI pipeline's decoder, at full size)."""

from __future__ import annotations

from typing import BinaryIO

from PIL import Image as PILImage

from shelfscope.od.ai.decode import decode_for_model


def _full_size(width: int, height: int) -> tuple[int, int]:
    return width, height


def upright_rgb(
    data: BinaryIO, name: str, width: int, height: int, memory_limit_bytes: int
) -> PILImage.Image:
    """The stored image at its recorded upright size (`width` x `height`): boxes are in these pixels."""
    decoded = decode_for_model(data, name, width, height, _full_size, memory_limit_bytes=memory_limit_bytes)
    return decoded.image
