"""Which trainer families can run here and the YOLO-NAS environment install (a job, or the CLI)."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.jobs.service import submit_job
from shelfscope.ml.trainers import yolo_nas
from shelfscope.ml.trainers.catalogue import ARCHITECTURES
from shelfscope.od.trainers.schemas import INSTALL_KIND, InstallPayload, TrainerFamilyOut

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

_ACTIVE = ("queued", "running")
_TITLES = {"rfdetr": "RF-DETR", "rtdetrv2": "RT-DETRv2", "yolo-nas": "YOLO-NAS"}
# Families installed with the main environment, and the package each needs.
_MAIN_ENV_PACKAGES = {"rfdetr": "rfdetr", "rtdetrv2": "transformers"}
INSTALLABLE = ("yolo-nas",)


def family_names() -> list[str]:
    return list(dict.fromkeys(arch.family for arch in ARCHITECTURES))


def check_family(family: str) -> str:
    if family not in family_names():
        raise NotFound(
            f"Unknown trainer family {family!r}; known: {', '.join(family_names())}.", family=family
        )
    return family


def is_installed(settings: Settings, family: str) -> bool:
    """Whether `family` can train here: YOLO-NAS once its environment is installed; the others always
    (they train in the main environment)."""
    if family == "yolo-nas":
        return yolo_nas.is_installed(yolo_nas.env_dir(settings))
    return True


def active_installs(session: Session) -> dict[str, Job]:
    rows = session.scalars(
        select(Job).where(Job.kind == INSTALL_KIND, Job.status.in_(_ACTIVE)).order_by(Job.id)
    )
    return {str(job.payload.get("family")): job for job in rows}


def describe(settings: Settings, family: str, install_job: Job | None = None) -> TrainerFamilyOut:
    architectures = [arch.key for arch in ARCHITECTURES if arch.family == family]
    if family == "yolo-nas":
        folder = yolo_nas.env_dir(settings)
        installed = yolo_nas.is_installed(folder)
        missing = None if installed else "its environment: run `shelfscope trainers install yolo-nas`"
        return TrainerFamilyOut(
            family=family,
            title=_TITLES[family],
            architectures=architectures,
            separate_env=True,
            installed=installed,
            missing=missing,
            env_folder=str(folder),
            install_job=JobOut.model_validate(install_job) if install_job else None,
        )
    package = _MAIN_ENV_PACKAGES[family]
    installed = importlib.util.find_spec(package) is not None
    return TrainerFamilyOut(
        family=family,
        title=_TITLES[family],
        architectures=architectures,
        separate_env=False,
        installed=installed,
        missing=None if installed else f"the {package!r} package (pip install 'shelfscope[ml]')",
        env_folder=None,
    )


def list_families(session: Session, settings: Settings) -> list[TrainerFamilyOut]:
    running = active_installs(session)
    return [describe(settings, family, running.get(family)) for family in family_names()]


def start_install(
    session: Session, runner: JobRunner, settings: Settings, family: str, user_id: int | None
) -> Job:
    """A job that installs the family's environment; the one already queued or running, if any."""
    check_family(family)
    if family not in INSTALLABLE:
        raise Conflict(
            f"{_TITLES[family]} trains in the main environment; there is nothing to install.", family=family
        )
    if yolo_nas.is_installed(yolo_nas.env_dir(settings)):
        raise Conflict(
            f"The {_TITLES[family]} environment is already installed and up to date.",
            family=family,
            folder=str(yolo_nas.env_dir(settings)),
        )
    running = active_installs(session).get(family)
    if running is not None:
        return running
    payload = InstallPayload(family=family)
    return submit_job(session, runner, INSTALL_KIND, payload.model_dump(mode="json"), user_id)
