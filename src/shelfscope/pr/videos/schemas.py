"""API shapes of product videos and the payload of their frame-extraction job."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobOut

EXTRACT_FRAMES_KIND = "pr.videos.extract_frames"
MAX_FRAMES_LIMIT = 1000
VideoStatus = Literal["pending", "extracting", "ready", "failed"]


class FramePolicyIn(BaseModel):
    """The upload form's frame policy (`mode`, `every_s`, `max_frames`)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["first", "key_frames", "interval"] = "interval"
    every_s: float = Field(default=1.0, gt=0, le=3600, allow_inf_nan=False)
    max_frames: int = Field(default=50, ge=1, le=MAX_FRAMES_LIMIT)


class VideoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    filename: str
    size_bytes: int
    format: str
    width: int | None
    height: int | None
    duration_s: float | None
    fps: float | None
    frame_policy: dict[str, Any]
    status: VideoStatus
    frames_extracted: int
    error: str | None
    job_id: int | None
    kept: bool
    created_at: datetime
    file_url: str | None


class VideoList(BaseModel):
    items: list[VideoOut]


class VideoUploadOut(BaseModel):
    """What a video upload answers (202): the extraction job and the video it works on."""

    job: JobOut
    video: VideoOut


class ExtractFramesPayload(BaseModel):
    video_id: Id
    # The video's file name, for the Jobs page's label (jobs.schemas.job_label).
    upload_name: str | None = None


class ExtractFramesResult(BaseModel):
    video_id: int
    product_id: int
    frames_stored: int
    frames_duplicate: int
    frames_extracted: int
    kept: bool
