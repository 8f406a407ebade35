"""Request, job payload and result shapes of dataset exports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Number, Seed
from shelfscope.od.versions.schemas import SplitRatios

ExportFormat = Literal["yolo", "coco", "voc"]
EXPORT_KIND = "od.exports.run"


class ResizeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(ge=8, le=8192)
    height: int = Field(ge=8, le=8192)
    # stretch: exactly width x height; fit: inside it, aspect kept; letterbox: fit, then padded to it.
    mode: Literal["stretch", "fit", "letterbox"] = "stretch"


class PreprocessingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resize: ResizeIn | None = None
    # Turn pixels upright per EXIF orientation (and drop the tag); images without one are untouched.
    auto_orient: bool = False
    grayscale: bool = False


class AugmentationIn(BaseModel):
    """Extra copies of each training image (val and test images are never augmented)."""

    model_config = ConfigDict(extra="forbid")

    copies: int = Field(default=0, ge=0, le=20)
    flip_horizontal: bool = True
    flip_vertical: bool = False
    rotate90: bool = False
    brightness: float = Field(default=0.0, ge=0, le=1)
    contrast: float = Field(default=0.0, ge=0, le=1)
    blur: float = Field(default=0.0, ge=0, le=20)
    noise: float = Field(default=0.0, ge=0, le=0.5)


class LiveSplitIn(BaseModel):
    """How a current-dataset export places images that have no recorded split (nothing is stored;
    create a version to record splits). Without it they go to train."""

    model_config = ConfigDict(extra="forbid")

    ratios: SplitRatios = SplitRatios()
    seed: Seed = 0


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A version number of the dataset; None exports the dataset as it is now.
    version: Number | None = None
    preprocessing: PreprocessingIn = PreprocessingIn()
    augmentation: AugmentationIn = AugmentationIn()
    split: LiveSplitIn | None = None
    # Seed of every random choice (augmentation, live splits): the same seed writes the same archive.
    seed: Seed = 0
    # False: annotations and the dataset description only, no image files.
    include_images: bool = True


class ExportPayload(ExportIn):
    dataset_id: int = Field(ge=1)
    format: ExportFormat


class SkippedImage(BaseModel):
    image_id: int
    filename: str


# Skipped images named in a result (the count covers all of them).
MAX_SKIPPED_LISTED = 100


class ExportResult(BaseModel):
    format: ExportFormat
    dataset_id: int
    version: int | None
    key: str
    filename: str
    size_bytes: int
    images: int
    augmented_images: int
    annotations: int
    classes: list[str]
    splits: dict[str, int]
    seconds: float
    # Images of the export's snapshot whose bytes were deleted before the export reached them: left
    # out with their annotations, counted here, the first MAX_SKIPPED_LISTED named, and a warning.
    skipped_images: int = 0
    skipped: list[SkippedImage] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
