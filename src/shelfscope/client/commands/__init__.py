"""The remote commands of `shelfscope` (login, upload, import, version create, export, annotate, train,
jobs watch): the Python client driven from a shell. Each module adds its commands to the main app."""

from __future__ import annotations

import typer


def register(app: typer.Typer, version_app: typer.Typer) -> None:
    """Add the remote commands; `version_app` is the `shelfscope version` group (`version create`)."""
    from shelfscope.client.commands import datasets, images, jobs, ml, session

    session.register(app)
    images.register(app)
    datasets.register(app, version_app)
    ml.register(app)
    jobs.register(app)
