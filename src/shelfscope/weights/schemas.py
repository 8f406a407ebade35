"""Shapes of the model weights API and of the fetch job."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.jobs.schemas import JobOut

FETCH_KIND = "ml.models.fetch"


class FetchPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64)


class FetchResult(BaseModel):
    """What a finished fetch (or an import) put in place."""

    key: str
    hub_id: str
    folder: str
    files: int
    size_on_disk: int
    # The hub commit the files came from; None for an import from a folder.
    revision: str | None = None


class ModelOut(BaseModel):
    key: str
    title: str
    task: str
    family: str
    hub_id: str
    size_mb: int
    licence: str
    capabilities: list[str]
    note: str
    # The hub serves its weights only with an access token (SHELFSCOPE_ML_HUB_TOKEN).
    gated: bool = False
    present: bool
    # Bytes of everything in the model's folder (0 when there is none).
    size_on_disk: int
    folder: str
    # The queued or running fetch of this model, if any.
    fetch_job: JobOut | None
    # "trained": a model of the registry (key `trained:<id>`; capabilities ["fixed_classes"]: it finds
    # the classes it was trained on, without prompts), listed with `include_trained=true`.
    source: Literal["catalogue", "trained"] = "catalogue"
    # The registry's default for AI annotation (listed first, so a model picker preselects it).
    is_default: bool = False
    # A trained model's class names, in its class index order.
    classes: list[str] = Field(default_factory=list)


class ModelList(BaseModel):
    items: list[ModelOut]
