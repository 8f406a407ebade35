"""Product video jobs: `pr.videos.extract_frames` takes a video's frames by its frame policy and stores
them as product images (see extract.py)."""

from __future__ import annotations

import shutil

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.jobs.service import is_terminal, job_state
from shelfscope.pr.videos.extract import extract_frames, scratch_root
from shelfscope.pr.videos.schemas import EXTRACT_FRAMES_KIND, ExtractFramesPayload, ExtractFramesResult


# Resumable: every batch of frames commits with the job's partial result, and a rerun after a lost
# worker skips the frames already stored (by their frame index).
@job_handler(EXTRACT_FRAMES_KIND, payload=ExtractFramesPayload, resumable=True)
def extract_video_frames(ctx: JobContext, payload: ExtractFramesPayload) -> ExtractFramesResult:
    """Take the frames a product video's policy picks and store them as the product's images."""
    result = extract_frames(ctx, payload.video_id)
    ctx.log(
        f"video {result.video_id}: {result.frames_stored} frames stored, {result.frames_duplicate} "
        f"already in the catalogue; file {'kept' if result.kept else 'dropped'}"
    )
    return result


@on_jobs_interrupted
def remove_scratch_of_interrupted_extractions(settings: Settings, db: Database) -> None:
    """A worker that died mid-extraction left its downloaded copy of the video behind: remove the
    copies of jobs that are no longer running (a requeued job downloads its video again)."""
    root = scratch_root(settings)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.name.isdigit():
            continue
        state = job_state(db, int(folder.name))
        if state is None or is_terminal(state[0]) or state[0] == "queued":
            shutil.rmtree(folder, ignore_errors=True)
