"""Remote commands: images (`shelfscope upload FOLDER`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shelfscope.client.commands.common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOpt,
    QuietOpt,
    TokenOpt,
    UrlOpt,
    emit,
    fail,
    handled,
    make_client,
)
from shelfscope.client.images import UploadSummary


def upload(
    source: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="A folder of images (walked for image files), or one file."),
    ],
    folder: Annotated[
        str | None, typer.Option("--folder", help="Library folder to put them in, e.g. stores/berlin.")
    ] = None,
    tags: Annotated[
        str | None, typer.Option("--tags", help="Comma-separated tags, e.g. promo,aisle-3.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Files sent at once.")] = 4,
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing/--no-skip-existing",
            help="Look files up by sha256 first and send only what the library lacks.",
        ),
    ] = True,
    recursive: Annotated[
        bool, typer.Option("--recursive/--no-recursive", help="Take images in subfolders too.")
    ] = True,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Upload a folder of images to the library; files it has already are skipped by their hash, so
    running it again resumes an interrupted upload. Exit 4 when the server rejected any file (each is
    named on stderr), 2 when FOLDER does not exist."""
    if not source.exists():
        fail(
            EXIT_USAGE,
            {"error": "BadInput", "detail": f"{source}: no such folder or file.", "path": str(source)},
            as_json=as_json,
        )
    client = make_client(url, token, progress=not quiet)
    with client, handled(as_json=as_json):
        summary = client.images.upload(
            source,
            folder=folder,
            tags=tags,
            recursive=recursive,
            workers=workers,
            skip_existing=skip_existing,
            progress=client.progress,
        )
    emit(summary, as_json=as_json, text=lambda: _counts(summary))
    for result in summary.rejected_results:
        error = result.error or {}
        if as_json:
            typer.echo(json.dumps({**error, "path": str(result.path)}, default=str), err=True)
        else:
            typer.echo(f"rejected {result.path}: {error.get('error')}: {error.get('detail')}", err=True)
    if summary.rejected:
        raise typer.Exit(EXIT_REFUSED)


def _counts(summary: UploadSummary) -> str:
    files = len(summary.results)
    return (
        f"stored {summary.stored}, duplicates {summary.duplicate}, skipped {summary.skipped} (already "
        f"in the library), rejected {summary.rejected}: {files} files, "
        f"{summary.bytes_sent / 1e6:.1f} MB sent in {summary.elapsed_s:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main `shelfscope` app."""
    app.command("upload")(upload)
