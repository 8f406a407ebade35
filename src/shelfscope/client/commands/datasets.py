"""Remote commands: datasets."""

from __future__ import annotations

import typer


def register(app: typer.Typer, version_app: typer.Typer) -> None:
    """Add this module's commands to the main `shelfscope` app."""
