"""Remote commands for models and AI: `annotate` (auto-annotation of a dataset) and `train`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from shelfscope.client.commands.common import (
    EXIT_USAGE,
    JsonOpt,
    QuietOpt,
    TimeoutOpt,
    TokenOpt,
    UrlOpt,
    emit,
    fail,
    handled,
    make_client,
)
from shelfscope.client.ml import AnnotateRun, Run


def _dataset(text: str) -> int | str:
    """A dataset argument: digits are an id, anything else a name."""
    return int(text) if text.strip().isdigit() else text


def parse_prompts(values: list[str]) -> dict[str, str]:
    """`--prompt "red can=Cola"` (the text, then the class it labels) or `--prompt cola` (the text is
    the class's name or alias). An empty text is sent as it is, for the server to name the field."""
    prompts: dict[str, str] = {}
    for value in values:
        text, sep, name = value.partition("=")
        text, name = text.strip(), name.strip()
        prompts[text] = name if sep and name else text
    return prompts


def _annotate_text(run: AnnotateRun) -> str:
    per_class = ", ".join(f"{c.name} {c.count}" for c in run.counts)
    line = (
        f"annotate job {run.job_id} {run.status}: {run.images_done}/{run.images_total} images, "
        f"{run.boxes} boxes stored as AI proposals"
    )
    return f"{line} ({per_class})" if per_class else line


def _run_text(run: Run) -> str:
    line = (
        f"training run {run.id} ({run.architecture} on {run.dataset_name}:v{run.version_number}) "
        f"{run.status}, epoch {run.current_epoch}/{run.total_epochs}"
    )
    if run.model_id is not None:
        line += f"; registered model {run.model_id}"
    if run.job_id is not None and not run.done:
        line += f"; follow it with `shelfscope jobs watch {run.job_id}`"
    return line


def register(app: typer.Typer) -> None:
    """Add `annotate` and `train` to the main `shelfscope` app."""

    @app.command("annotate")
    def annotate(
        dataset: Annotated[str, typer.Argument(help="The dataset's name or id.")],
        model: Annotated[
            str,
            typer.Option(
                "--model", help="A catalogue key (grounding-dino-tiny, owlv2-base, ...) or trained:<id>."
            ),
        ],
        prompt: Annotated[
            list[str] | None,
            typer.Option(
                "--prompt",
                "-p",
                help='"text=Class" (the text labels that class) or "text" (a class name); repeatable.',
            ),
        ] = None,
        images: Annotated[
            str, typer.Option("--images", help="all, unannotated, or image ids separated by commas.")
        ] = "all",
        threshold: Annotated[
            float | None, typer.Option("--threshold", help="Keep boxes scoring at least this (0-1).")
        ] = None,
        max_boxes: Annotated[int | None, typer.Option("--max-boxes", help="Boxes per image at most.")] = None,
        nms_iou: Annotated[
            float | None,
            typer.Option("--nms-iou", help="Boxes of a class overlapping more are merged (0-1)."),
        ] = None,
        wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")] = True,
        timeout: TimeoutOpt = None,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        url: UrlOpt = None,
        token: TokenOpt = None,
    ) -> None:
        """Auto-annotate a dataset's images with a detector; boxes are stored as AI proposals to review.

        Exit 0: the run succeeded (or started, with --no-wait).

        Exit 4: the server refused the input; nothing was started.

        Exit 5: the run failed, was cancelled, or was still running at --timeout."""
        scope: Any = images
        if images not in ("all", "unannotated"):
            try:
                scope = [int(part) for part in images.split(",") if part.strip()]
            except ValueError:
                fail(
                    EXIT_USAGE,
                    {
                        "error": "BadInput",
                        "detail": f"--images must be all, unannotated or image ids, not {images!r}",
                        "field": "images",
                    },
                    as_json=as_json,
                )
        with handled(as_json=as_json), make_client(url, token, progress=not quiet) as client:
            run = client.ai.annotate(
                _dataset(dataset),
                model=model,
                prompts=parse_prompts(prompt or []),
                images=scope,
                threshold=threshold,
                max_boxes=max_boxes,
                nms_iou=nms_iou,
                wait=wait,
                timeout_s=timeout,
            )
            emit(run, as_json=as_json, text=lambda: _annotate_text(run))

    @app.command("train")
    def train(
        target: Annotated[str, typer.Argument(metavar="DATASET:VERSION", help="e.g. shelves:3")],
        arch: Annotated[str, typer.Option("--arch", help="An architecture key (rtdetrv2-r18, ...).")],
        epochs: Annotated[int | None, typer.Option("--epochs", help="Epochs to train.")] = None,
        image_size: Annotated[int | None, typer.Option("--image-size", help="Input size in pixels.")] = None,
        batch_size: Annotated[int | None, typer.Option("--batch-size")] = None,
        device: Annotated[str | None, typer.Option("--device", help="auto, cpu, cuda, cuda:N, mps.")] = None,
        name: Annotated[str | None, typer.Option("--name", help="The run's name.")] = None,
        config: Annotated[
            str | None,
            typer.Option(
                "--config", help="More of the run's config as a JSON object (learning_rate, patience, ...)."
            ),
        ] = None,
        wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the run to its end.")] = False,
        timeout: TimeoutOpt = None,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        url: UrlOpt = None,
        token: TokenOpt = None,
    ) -> None:
        """Train a detector on a dataset version; with --wait, follow it and print the registered model.

        Exit 0: the run started (or succeeded, with --wait).

        Exit 4: the server refused the input; nothing was started.

        Exit 5: the run failed, was cancelled, or was still running at --timeout."""
        dataset, sep, number = target.rpartition(":")
        if not sep or not dataset or not number.strip().isdigit():
            fail(
                EXIT_USAGE,
                {
                    "error": "BadInput",
                    "detail": f"give the dataset and version number as DATASET:VERSION, not {target!r}",
                    "field": "DATASET:VERSION",
                },
                as_json=as_json,
            )
        extra: dict[str, Any] = {}
        if config is not None:
            try:
                extra = json.loads(config)
            except json.JSONDecodeError as exc:
                extra = {"": exc}
            if not isinstance(extra, dict) or "" in extra:
                fail(
                    EXIT_USAGE,
                    {"error": "BadInput", "detail": "--config must be a JSON object", "field": "config"},
                    as_json=as_json,
                )
        with handled(as_json=as_json), make_client(url, token, progress=not quiet) as client:
            given = {"epochs": epochs, "image_size": image_size, "batch_size": batch_size, "device": device}
            options = extra | {k: v for k, v in given.items() if v is not None}
            run = client.training.start(
                _dataset(dataset),
                version=int(number),
                arch=arch,
                name=name,
                wait=wait,
                timeout_s=timeout,
                **options,
            )
            emit(run, as_json=as_json, text=lambda: _run_text(run))
