"""Shapes of the trainer environments API and of the install job."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.jobs.schemas import JobOut

INSTALL_KIND = "od.trainers.install"


class InstallPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: str = Field(min_length=1, max_length=32)


class TrainerFamilyOut(BaseModel):
    family: str
    title: str
    architectures: list[str]
    # Runs in an environment of its own, installed on demand (otherwise part of the main install).
    separate_env: bool
    installed: bool
    # What is missing, in words, when not installed; None when it is ready.
    missing: str | None
    env_folder: str | None
    install_job: JobOut | None = None


class TrainerFamilyList(BaseModel):
    items: list[TrainerFamilyOut]
