"""Shapes of POST /od/ai/segment and of its interactive job (`od.ai.segment.run`).

Coordinates are image pixels (x right, y down, the image's upright size). The schemas check types
and shapes; whether the points lie on the image is the service's check (it knows the image)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id

SEGMENT_KIND = "od.ai.segment.run"
# A click session rarely passes a dozen points; the cap keeps one request's decode small.
MAX_POINTS = 64
MODEL_KEY_MAX = 128

Coordinate = Annotated[float, Field(allow_inf_nan=False)]
BoxIn = tuple[Coordinate, Coordinate, Coordinate, Coordinate]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: Coordinate
    y: Coordinate
    # A positive click adds what is under it to the mask; a negative click takes it away.
    positive: bool = True


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_id: Id
    image_id: Id
    model: Annotated[str, Field(min_length=1, max_length=MODEL_KEY_MAX)]
    points: Annotated[list[PointIn], Field(max_length=MAX_POINTS)] = Field(default_factory=list)
    box: BoxIn | None = None
    # False: no outline (`polygon` comes back []). A box dataset has no use for it, and tracing it is
    # the costliest step after the mask decoder on a camera photo.
    polygon: bool = True


class RleOut(BaseModel):
    """COCO uncompressed RLE: runs of 0 and 1 alternately, column by column, starting with 0s."""

    size: tuple[int, int] = Field(description="[height, width]")
    counts: list[int]


class SegmentOut(BaseModel):
    mask: RleOut
    # The outline of the mask's largest region (simplified), [] when the mask is empty or none was
    # asked for.
    polygon: list[tuple[float, float]]
    # The tight box around the mask (x2, y2 one past its last column and row); null when it is empty.
    box: tuple[float, float, float, float] | None
    score: float


class SegmentJob(BaseModel):
    """The job's payload: the request, checked, with what the worker needs of the image."""

    model: str
    image_id: int
    storage_key: str
    content_hash: str
    width: int
    height: int
    points: list[PointIn]
    box: BoxIn | None
    polygon: bool = True


class SegmentResult(BaseModel):
    """What the job returns. Job results keep lists and strings short (jobs.caps), so the RLE counts
    travel packed: little-endian uint32, base64, in chunks (rle.pack_counts)."""

    size: tuple[int, int]
    counts: list[str]
    polygon: list[tuple[float, float]]
    box: tuple[float, float, float, float] | None
    score: float
