"""Request and response shapes of matching, and the payloads of its two jobs (predict, search).

The schemas check types and ranges; what depends on the data (the collection, the cutout, the product)
is the service's, and those errors name the field too."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id
from shelfscope.pr.cutouts.schemas import BoxOut, CutoutOut, CutoutState, ProductRef

PREDICT_KIND = "pr.matching.predict"
SEARCH_KIND = "pr.matching.search"

QueueSort = Literal["similarity", "id"]
MAX_K = 50
DEFAULT_K = 5


class MatchProduct(BaseModel):
    id: int
    sku: str
    name: str
    brand: str | None
    category: str | None


class Candidate(BaseModel):
    """One product a cutout (or an uploaded crop) may show; rank 1 is the closest."""

    rank: int
    # Cosine similarity to the product's closest gallery image.
    similarity: float
    product: MatchProduct
    # The product's packshot thumbnail: its first synthetic image, else its first image of another domain.
    packshot_url: str | None


class QueueItem(BaseModel):
    cutout: CutoutOut
    candidates: list[Candidate]


class Summary(BaseModel):
    """Cutouts by state; `with_candidates` counts the unmatched ones the collection has candidates for."""

    unmatched: int
    with_candidates: int
    matched: int
    rejected: int


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: Id
    # The collection whose candidate was picked: its similarity becomes the cutout's match score.
    collection_id: Id | None = None


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection_id: Id


class BulkAcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection_id: Id
    threshold: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)


class BulkPreview(BaseModel):
    count: int
    threshold: float


class BulkAccepted(BaseModel):
    accepted: int


class SearchOut(BaseModel):
    collection_id: int
    results: list[Candidate]


class ShelfPhoto(BaseModel):
    """A library image that has cutouts: how many, and how many of them are matched or predicted."""

    image_id: int
    filename: str
    width: int
    height: int
    thumbnail_url: str
    cutouts: int
    matched: int
    # Unmatched cutouts with a candidate in the collection asked about (0 without one).
    predicted: int


class ShelfImage(BaseModel):
    id: int
    filename: str
    width: int
    height: int
    file_url: str


class Predicted(BaseModel):
    product: ProductRef
    similarity: float


class ShelfBox(BaseModel):
    cutout_id: int
    box: BoxOut
    state: CutoutState
    # The product it is matched to.
    product: ProductRef | None
    # The collection's rank-1 candidate (null without a collection or a candidate).
    predicted: Predicted | None


class ShelfView(BaseModel):
    image: ShelfImage
    boxes: list[ShelfBox]


# --- the jobs -------------------------------------------------------------------------------------------


class PredictPayload(BaseModel):
    collection_id: int


class PredictResult(BaseModel):
    collection_id: int
    candidates: int


class SearchPayload(BaseModel):
    collection_id: int
    # The uploaded crop, stored under a temporary key the request removes when the job has ended.
    upload_key: str = Field(min_length=1, max_length=255)
    upload_name: str = Field(default="upload", max_length=512)
    k: int = Field(default=DEFAULT_K, ge=1, le=MAX_K)
