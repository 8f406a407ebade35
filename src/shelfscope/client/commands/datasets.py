"""Remote commands for datasets: `import` an archive, `version create`, `export` a dataset or version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from shelfscope.client.commands.common import (
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
from shelfscope.client.datasets import FORMATS
from shelfscope.client.types import Job

NoWaitOpt = Annotated[
    bool, typer.Option("--no-wait", help="Print the queued job and return; follow it with `jobs watch`.")
]


def _format_or_fail(fmt: str, *, as_json: bool) -> str:
    name = fmt.strip().lower()
    if name not in FORMATS:
        fail(
            EXIT_USAGE,
            {
                "error": "ValidationFailed",
                "detail": f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.",
                "fields": [{"field": "format", "message": f"must be one of {', '.join(FORMATS)}"}],
            },
            as_json=as_json,
        )
    return name


def split_target(target: str) -> tuple[str, int | None]:
    """`shelves:3` -> ("shelves", 3); `shelves` -> ("shelves", None). Only a number after the last
    colon is a version, so a name with a colon in it still works."""
    name, sep, tail = target.rpartition(":")
    if sep and name and tail.isdigit():
        return name, int(tail)
    return target, None


def _import_text(job: Job) -> str:
    result = job.result or {}
    if not job.done:
        return f"import job {job.id} {job.status}"
    images = result.get("images") or {}
    boxes = result.get("annotations") or {}
    return (
        f"imported into dataset {result.get('dataset_name')!r} (id {result.get('dataset_id')}): "
        f"{images.get('added_to_dataset', 0)} images added ({images.get('stored', 0)} new to the library), "
        f"{boxes.get('imported', 0)} boxes; job {job.id}"
    )


def register(app: typer.Typer, version_app: typer.Typer) -> None:
    """Add this module's commands to the main `shelfscope` app."""

    @app.command("import")
    def import_archive(
        fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="coco, yolo or voc")],
        archive: Annotated[Path, typer.Argument(help="The zip archive to import.")],
        dataset: Annotated[
            str, typer.Option("--dataset", "-d", help="Dataset name or id; a new name makes a new dataset.")
        ],
        no_create: Annotated[
            bool, typer.Option("--no-create", help="Refuse a dataset name that does not exist yet.")
        ] = False,
        on_invalid: Annotated[
            str | None, typer.Option("--on-invalid", help="fail (default) or skip invalid entries.")
        ] = None,
        no_wait: NoWaitOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        url: UrlOpt = None,
        token: TokenOpt = None,
    ) -> None:
        """Import a COCO, YOLO or VOC zip archive into a dataset on the server."""
        name = _format_or_fail(fmt, as_json=as_json)
        if not archive.is_file():
            fail(
                EXIT_USAGE,
                {
                    "error": "ValidationFailed",
                    "detail": f"{archive} is not a file: give the zip archive to import.",
                    "fields": [{"field": "archive", "message": "must be an existing zip file"}],
                    "file": str(archive),
                },
                as_json=as_json,
            )
        options: dict[str, Any] = {"on_invalid": on_invalid} if on_invalid else {}
        with handled(as_json=as_json), make_client(url, token, progress=not quiet) as client:
            job = client.datasets.import_archive(
                archive, name, dataset=dataset, create=not no_create, wait=not no_wait, **options
            )
            emit(job, as_json=as_json, text=lambda: _import_text(job))

    @version_app.command("create")
    def version_create(
        dataset: Annotated[str, typer.Argument(help="Dataset name or id.")],
        name: Annotated[str | None, typer.Option("--name", help="A label shown beside the number.")] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Seed of the train/val/test split.")] = None,
        no_wait: NoWaitOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        url: UrlOpt = None,
        token: TokenOpt = None,
    ) -> None:
        """Snapshot a dataset on the server as a new version (train/val/test split)."""
        with handled(as_json=as_json), make_client(url, token, progress=not quiet) as client:
            handle = client.datasets.get(dataset)
            split = {"seed": seed} if seed is not None else None
            version = handle.create_version(name, wait=not no_wait, split=split).info()
            counts = version.counts
            emit(
                version,
                as_json=as_json,
                text=f"version {version.number} ({version.name}) of {handle.name!r}: {version.status}, "
                f"{counts.total_images} images, {counts.total_annotations} boxes",
            )

    @app.command("export")
    def export(
        target: Annotated[
            str, typer.Argument(metavar="DATASET[:VERSION]", help="Dataset name or id, and a version number.")
        ],
        fmt: Annotated[str, typer.Option("--format", "-f", help="yolo, coco or voc")],
        out: Annotated[
            Path, typer.Option("--output", "-o", help="Folder to extract into (or the zip with --zip).")
        ],
        keep_zip: Annotated[
            bool, typer.Option("--zip", help="Keep the zip archive instead of extracting it.")
        ] = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        url: UrlOpt = None,
        token: TokenOpt = None,
    ) -> None:
        """Download a dataset (as it is now) or one of its versions in COCO, YOLO or VOC layout."""
        name = _format_or_fail(fmt, as_json=as_json)
        dataset, version = split_target(target)
        with handled(as_json=as_json), make_client(url, token, progress=not quiet) as client:
            handle = client.datasets.get(dataset)
            if version is not None:
                handle.version(version)  # NotFound naming the version before an export job starts
            path = handle.export(name, out, version=version, extract=not keep_zip)
            files = 1 if keep_zip else sum(1 for p in path.rglob("*") if p.is_file())
            result = {
                "dataset_id": handle.id,
                "dataset": handle.name,
                "version": version,
                "format": name,
                "path": str(path),
                "files": files,
            }
            what = f"{handle.name}" + (f" version {version}" if version is not None else "")
            emit(result, as_json=as_json, text=f"{what} as {name} -> {path} ({files} files)")
