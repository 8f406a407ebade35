"""The install job: `od.trainers.install` creates a trainer family's own environment (YOLO-NAS)."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.ml.trainers import yolo_nas
from shelfscope.od.trainers.schemas import INSTALL_KIND, InstallPayload


# Resumable: a requeued install starts over (an env without its marker is rebuilt from scratch).
@job_handler(INSTALL_KIND, payload=InstallPayload, resumable=True, queue="ml")
def install_trainer_env(ctx: JobContext, payload: InstallPayload) -> dict[str, Any]:
    folder = yolo_nas.env_dir(ctx.settings)
    installed = yolo_nas.install_env(folder, ctx.log)
    return {
        "family": payload.family,
        "folder": str(folder),
        "installed": installed,
        "requirements": yolo_nas.requirements_hash(),
    }
