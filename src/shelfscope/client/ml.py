"""Models and AI: auto-annotation runs, detector training runs, the model registry (inference on local
images, ONNX download)."""

from __future__ import annotations

import builtins
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from shelfscope.client._transport import Transport
from shelfscope.client.errors import Conflict, JobFailed, NotFound, ValidationFailed
from shelfscope.client.jobs import Jobs
from shelfscope.client.progress import bytes_bar
from shelfscope.client.types import Job, Model, ProgressCallback, iterate_pages

AI_PATH = "/api/v1/od/ai"
TRAINING_PATH = "/api/v1/od/training"
REGISTRY_PATH = "/api/v1/od/models"
WEIGHTS_PATH = "/api/v1/ml/models"
_CHUNK = 1024 * 1024

Prompts = Mapping[str, str] | Sequence[str] | str
ImageScope = Literal["all", "unannotated"] | Sequence[int]


# ---- result types -------------------------------------------------------------------------------------


class ClassCount(Model):
    class_id: int
    name: str
    count: int


class AnnotateRun(Model):
    """An auto-annotation job: its state, images done of the total, and the boxes stored per class."""

    job_id: int
    status: str
    images_done: int
    images_total: int
    counts: list[ClassCount] = []
    job: Job

    @property
    def by_class(self) -> dict[str, int]:
        return {c.name: c.count for c in self.counts}

    @property
    def boxes(self) -> int:
        return sum(c.count for c in self.counts)


class Proposal(Model):
    """A stored AI proposal (pixel corners in the image), as the editor sees it."""

    id: int
    image_id: int
    class_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    confidence: float | None = None
    source: str
    review_state: str
    model: str | None = None


class DetectResult(Model):
    """One image's proposals, the ids of this model's earlier proposals they replaced, and the image's
    revision after the write (pass it to `annotations.save`)."""

    annotations: list[Proposal]
    replaced_ids: list[int]
    previous_revision: int
    revision: int


class Weights(Model):
    """A catalogue model (or with `include_trained`, a registered one) and whether it can run here."""

    key: str
    title: str = ""
    task: str = ""
    family: str = ""
    present: bool
    size_on_disk: int = 0
    size_mb: int = 0
    capabilities: list[str] = []
    source: str = "catalogue"
    classes: list[str] = []
    fetch_job: Job | None = None

    @property
    def size(self) -> int:
        """Bytes the installed weights take on the server's disk (0 when not installed)."""
        return self.size_on_disk


class EpochRow(Model):
    epoch: int
    train_loss: float | None = None
    val_loss: float | None = None
    map50: float | None = None
    map50_95: float | None = None
    learning_rate: float | None = None
    seconds: float = 0.0


class StepPoint(Model):
    epoch: int
    step: int
    loss: float | None = None
    lr: float | None = None


class RunMetrics(Model):
    epochs: list[EpochRow]
    steps: list[StepPoint]


class Run(Model):
    """A detector training run; `model_id` is the registry model it produced (when it succeeded)."""

    id: int
    name: str
    status: str  # queued, running, succeeded, failed, cancelled
    architecture: str
    family: str = ""
    dataset_id: int | None = None
    dataset_name: str | None = None
    dataset_version_id: int
    version_number: int | None = None
    config: dict[str, Any] = {}
    current_epoch: int = 0
    total_epochs: int = 0
    progress: float = 0.0
    eta_s: float | None = None
    best_epoch: int | None = None
    best_metrics: dict[str, Any] | None = None
    latest: EpochRow | None = None
    test_metrics: dict[str, Any] | None = None
    job_id: int | None = None
    model_id: int | None = None
    error: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


class Architecture(Model):
    key: str
    title: str = ""
    family: str = ""
    default_image_size: int = 0
    available: bool
    unavailable_reason: str | None = None


class ModelClass(Model):
    """Model class `index` is the dataset class `class_id` (None when that class is gone)."""

    index: int
    class_id: int | None
    name: str


class OnnxInfo(Model):
    status: str = "none"  # none, running, ready, failed
    size: int | None = None
    max_abs_diff: float | None = None
    error: str | None = None
    job_id: int | None = None


class RegisteredModel(Model):
    """A trained detector in the registry; `key` (`trained:<id>`) runs it in `ai.annotate`."""

    id: int
    name: str
    description: str = ""
    architecture: str
    family: str = ""
    key: str
    training_run_id: int | None = None
    dataset_id: int | None = None
    dataset_name: str | None = None
    dataset_version_id: int | None = None
    version_number: int | None = None
    input_size: int
    classes: list[ModelClass]
    metrics: dict[str, Any] = {}
    artifact_size: int = 0
    is_active: bool = True
    is_default: bool = False
    onnx: OnnxInfo | None = None
    created_at: datetime | None = None


class PredictedBox(Model):
    x1: float
    y1: float
    x2: float
    y2: float
    class_index: int
    class_id: int | None
    label: str
    score: float


class Prediction(Model):
    """A registry model's boxes on one local image, in that image's pixels."""

    path: str
    width: int
    height: int
    boxes: list[PredictedBox]
    seconds: float


# ---- resolving names ------------------------------------------------------------------------------------


def dataset_id(transport: Transport, dataset: object) -> int:
    """A dataset given by id, by name (exact, case-insensitive) or as anything with an int `.id` (a
    `DatasetHandle`); NotFound naming `dataset` otherwise."""
    if isinstance(dataset, bool):
        raise TypeError("dataset must be an id, a name or a dataset handle")
    if isinstance(dataset, int):
        return dataset
    found_id = getattr(dataset, "id", None)
    if isinstance(found_id, int):
        return found_id
    if not isinstance(dataset, str):
        raise TypeError("dataset must be an id, a name or a dataset handle")
    if dataset.strip().isdigit():
        return int(dataset.strip())
    wanted = dataset.strip().casefold()
    for page_item in iterate_pages(transport, "/api/v1/od/datasets", _Named, {"q": dataset.strip()}):
        if page_item.name.casefold() == wanted:
            return page_item.id
    raise NotFound(
        404,
        {"error": "NotFound", "detail": f"No dataset is named {dataset!r}.", "field": "dataset"},
        "GET",
        "/api/v1/od/datasets",
    )


class _Named(Model):
    id: int
    name: str
    aliases: list[str] = []


def _class_ids(transport: Transport, names: Iterable[str]) -> dict[str, int]:
    """Class ids by the names (or aliases) asked for, case-insensitive; names not found are left out."""
    found: dict[str, int] = {}
    for name in set(names):
        wanted = name.strip().casefold()
        for item in iterate_pages(transport, "/api/v1/od/classes", _Named, {"q": name.strip()}):
            if wanted in {item.name.casefold(), *(a.casefold() for a in item.aliases)}:
                found[name] = item.id
                break
    return found


def prompt_bodies(transport: Transport, prompts: Prompts) -> builtins.list[dict[str, Any]]:
    """The API's prompts: texts alone (the class named by the text), or `{text: class name}` with
    each class looked up by name. A class name that matches nothing is refused here, naming
    `prompts[i].class`, before anything is sent."""
    if isinstance(prompts, str):
        return [{"text": prompts}]
    if not isinstance(prompts, Mapping):
        return [{"text": text} for text in prompts]
    pairs = list(prompts.items())
    # Where the text is the class's own name the server resolves it (and its aliases) itself.
    lookup = [name for text, name in pairs if text.strip().casefold() != name.strip().casefold()]
    ids = _class_ids(transport, lookup) if lookup else {}
    bodies: list[dict[str, Any]] = []
    problems = []
    for i, (text, name) in enumerate(pairs):
        if text.strip().casefold() == name.strip().casefold():
            bodies.append({"text": text})
        elif name in ids:
            bodies.append({"text": text, "class_id": ids[name]})
        else:
            problems.append({"field": f"prompts[{i}].class", "message": f"no class is named {name!r}"})
    if problems:
        raise ValidationFailed(
            422,
            {
                "error": "ValidationFailed",
                "detail": "; ".join(f"{p['field']}: {p['message']}" for p in problems),
                "fields": problems,
            },
            "POST",
            f"{AI_PATH}/annotate",
        )
    return bodies


def _options(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# ---- auto-annotation ----------------------------------------------------------------------------------


class AI:
    """Zero-shot (or registered) detectors over a dataset: `annotate` runs a batch job whose boxes are
    stored as AI proposals pending review; `detect` runs one image now."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    def annotate(
        self,
        dataset: object,
        *,
        model: str,
        prompts: Prompts = (),
        images: ImageScope = "all",
        threshold: float | None = None,
        max_boxes: int | None = None,
        nms_iou: float | None = None,
        unknown_labels: int | None = None,
        wait: bool = True,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
    ) -> AnnotateRun:
        """Start auto-annotation of `dataset`'s images (`"all"`, `"unannotated"` or library image ids)
        with `model` (a catalogue key such as `grounding-dino-tiny`, or `trained:<id>` with no prompts)
        and return the run, followed to its end when `wait` (JobFailed if it failed or was cancelled).

        `prompts`: `{"red can": "Cola"}` (text, then the class it labels) or `["cola", "fanta"]` (each
        text the name or alias of a class)."""
        if isinstance(images, str):
            scope: dict[str, Any] = {"scope": images}
        else:
            scope = {"scope": "selected", "image_ids": [int(i) for i in images]}
        body = {
            "dataset_id": dataset_id(self._t, dataset),
            "model": model,
            "prompts": prompt_bodies(self._t, prompts),
            "images": scope,
            **_options(
                threshold=threshold,
                max_boxes_per_image=max_boxes,
                nms_iou=nms_iou,
                unknown_labels=unknown_labels,
            ),
        }
        job = Job.model_validate(self._t.json("POST", f"{AI_PATH}/annotate", json_body=body)["job"])
        if wait:
            self._jobs.wait(job.id, on_progress=on_progress, timeout_s=timeout_s)
        return self.status(job.id)

    def status(self, job_id: int) -> AnnotateRun:
        """An auto-annotation job's state, its images done and the boxes stored per class so far."""
        raw = self._t.json("GET", f"{AI_PATH}/annotate/{job_id}")
        job = Job.model_validate(raw["job"])
        return AnnotateRun(
            job_id=job.id,
            status=job.status,
            images_done=raw["images_done"],
            images_total=raw["images_total"],
            counts=[ClassCount.model_validate(c) for c in raw["counts"]],
            job=job,
        )

    def wait(
        self, job_id: int, *, on_progress: ProgressCallback | None = None, timeout_s: float | None = None
    ) -> AnnotateRun:
        """Follow a started run to its end (JobFailed if it failed or was cancelled)."""
        self._jobs.wait(job_id, on_progress=on_progress, timeout_s=timeout_s)
        return self.status(job_id)

    def detect(
        self,
        dataset: object,
        image_id: int,
        *,
        model: str,
        prompts: Prompts = (),
        threshold: float | None = None,
        max_boxes: int | None = None,
    ) -> DetectResult:
        """Detect on one dataset image now; its proposals are stored like a batch run's (this model's
        earlier pending proposals on the image replaced)."""
        body = {
            "dataset_id": dataset_id(self._t, dataset),
            "image_id": image_id,
            "model": model,
            "prompts": prompt_bodies(self._t, prompts),
            **_options(threshold=threshold, max_boxes_per_image=max_boxes),
        }
        return DetectResult.model_validate(self._t.json("POST", f"{AI_PATH}/detect", json_body=body))

    def weights(self, *, include_trained: bool = False) -> builtins.list[Weights]:
        """The model catalogue: each key, whether its weights are installed, and their size on disk."""
        raw = self._t.json("GET", WEIGHTS_PATH, params={"include_trained": include_trained})
        return [Weights.model_validate(item) for item in raw["items"]]

    def fetch_weights(
        self, key: str, *, wait: bool = True, on_progress: ProgressCallback | None = None
    ) -> Job:
        """Download a catalogue model's weights on the server (admins; needs the server online)."""
        job = Job.model_validate(self._t.json("POST", f"{WEIGHTS_PATH}/{key}/fetch")["job"])
        return self._jobs.wait(job.id, on_progress=on_progress) if wait else job


# ---- training -------------------------------------------------------------------------------------------


class Training:
    """Detector training runs on a frozen dataset version; a run registers its model when it succeeds."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    def start(
        self,
        dataset: object,
        *,
        version: int,
        arch: str,
        epochs: int | None = None,
        image_size: int | None = None,
        batch_size: int | None = None,
        preset: str | None = None,
        device: str | None = None,
        name: str | None = None,
        wait: bool = False,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
        **config: Any,
    ) -> Run:
        """Train `arch` (see `architectures()`) on version `version` (its number) of `dataset`. Other
        config keys of the API (learning_rate, patience, augmentation, pretrained, model_overrides,
        ...) pass through `config`. With `wait`, follow the run to its end (JobFailed if it failed)."""
        ds = dataset_id(self._t, dataset)
        found = self._t.json("GET", f"/api/v1/od/datasets/{ds}/versions/{int(version)}")
        body: dict[str, Any] = {
            "dataset_version_id": found["id"],
            "architecture": arch,
            "config": _options(
                epochs=epochs, image_size=image_size, batch_size=batch_size, preset=preset, device=device
            )
            | config,
        }
        if name is not None:
            body["name"] = name
        run = Run.model_validate(self._t.json("POST", TRAINING_PATH, json_body=body)["run"])
        if wait:
            return self.wait(run.id, on_progress=on_progress, timeout_s=timeout_s)
        return run

    def get(self, run_id: int) -> Run:
        return Run.model_validate(self._t.json("GET", f"{TRAINING_PATH}/{run_id}"))

    def list(
        self,
        *,
        status: str | Sequence[str] | None = None,
        dataset: object = None,
        limit: int | None = None,
    ) -> Iterator[Run]:
        """Runs, newest first; `status` one or several of queued|running|succeeded|failed|cancelled."""
        params: dict[str, Any] = {}
        if status is not None:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        if dataset is not None:
            params["dataset_id"] = dataset_id(self._t, dataset)
        return iterate_pages(self._t, TRAINING_PATH, Run, params, limit=limit)

    def metrics(self, run_id: int) -> RunMetrics:
        """Per-epoch rows (losses, mAP) and the per-step loss and learning rate."""
        return RunMetrics.model_validate(self._t.json("GET", f"{TRAINING_PATH}/{run_id}/metrics"))

    def architectures(self) -> builtins.list[Architecture]:
        return [Architecture.model_validate(a) for a in self._t.json("GET", f"{TRAINING_PATH}/architectures")]

    def wait(
        self,
        run_id: int,
        *,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
        raise_on_failure: bool = True,
    ) -> Run:
        """Follow the run's job to its end and return the run (JobFailed if it failed or was
        cancelled, unless `raise_on_failure=False`)."""
        run = self.get(run_id)
        if run.job_id is not None and not run.done:
            self._jobs.wait(run.job_id, on_progress=on_progress, timeout_s=timeout_s, raise_on_failure=False)
            run = self.get(run_id)
        if raise_on_failure and run.status != "succeeded":
            job = self._jobs.get(run.job_id) if run.job_id is not None else None
            if job is not None:
                raise JobFailed(job)
        return run

    def cancel(self, run_id: int) -> Run:
        """Stop a queued or running run (it keeps its best checkpoint and registers nothing); Conflict
        when it has already ended. The run's job is cancelled rather than the run deleted, so a run
        that ends meanwhile is never removed by mistake."""
        run = self.get(run_id)
        if run.job_id is None or run.done:
            raise Conflict(
                409,
                {
                    "error": "Conflict",
                    "detail": f"Run {run_id} is already {run.status}; only a live run can be cancelled.",
                    "run_id": run_id,
                    "status": run.status,
                },
                "POST",
                f"{TRAINING_PATH}/{run_id}",
            )
        self._jobs.cancel(run.job_id)
        return self.get(run_id)

    def delete(self, run_id: int, *, force: bool = False) -> None:
        """Delete a finished run and its checkpoints (`force` when it registered a model; the model
        stays). A live run is cancelled instead."""
        self._t.request("DELETE", f"{TRAINING_PATH}/{run_id}", params={"force": force or None})


# ---- registry -------------------------------------------------------------------------------------------


class Registry:
    """Trained detectors (`client.models`): list, read, run on local images, download as ONNX."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    def list(
        self,
        *,
        architecture: str | None = None,
        family: str | None = None,
        active: bool | None = None,
        limit: int | None = None,
    ) -> Iterator[RegisteredModel]:
        """Registered models, newest first."""
        params = {"architecture": architecture, "family": family, "active": active}
        return iterate_pages(self._t, REGISTRY_PATH, RegisteredModel, params, limit=limit)

    def get(self, model_id: int) -> RegisteredModel:
        return RegisteredModel.model_validate(self._t.json("GET", f"{REGISTRY_PATH}/{model_id}"))

    def predict(
        self,
        model_id: int,
        images: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        threshold: float | None = None,
    ) -> builtins.list[Prediction]:
        """Run the model on local image files, one call each (the server keeps nothing); boxes at or
        above `threshold` (the server's default 0.05), in each image's pixels."""
        paths = [Path(images)] if isinstance(images, (str, os.PathLike)) else [Path(p) for p in images]
        for path in paths:
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no such image file")
        out = []
        for path in paths:
            data = {} if threshold is None else {"threshold": str(threshold)}

            def files(path: Path = path) -> dict[str, Any]:
                return {"file": (path.name, path.open("rb"), "application/octet-stream")}

            raw = self._t.json(
                "POST", f"{REGISTRY_PATH}/{model_id}/inference", files=files, data=data, idempotent=True
            )
            out.append(Prediction.model_validate({**raw, "path": str(path)}))
        return out

    def export_onnx(
        self, model_id: int, *, wait: bool = True, on_progress: ProgressCallback | None = None
    ) -> RegisteredModel:
        """Export the model to ONNX (checked against PyTorch on a real image) unless it has a ready
        export; joins an export already running."""
        found = self.get(model_id)
        onnx = found.onnx or OnnxInfo()
        if onnx.status == "ready":
            return found
        if onnx.status == "running" and onnx.job_id is not None:
            job_id = onnx.job_id
        else:
            started = self._t.json("POST", f"{REGISTRY_PATH}/{model_id}/export", json_body={"format": "onnx"})
            job_id = int(started["job"]["id"])
        if wait:
            self._jobs.wait(job_id, on_progress=on_progress)
        return self.get(model_id)

    def download_onnx(
        self,
        model_id: int,
        dest: str | os.PathLike[str],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """The model's ONNX file at `dest` (a file path, or a folder to put it in under the server's
        name), exporting it first when there is no ready export. Streamed to disk; a failed download
        leaves no partial file."""
        self.export_onnx(model_id, on_progress=on_progress)
        target = Path(dest)
        with self._t.stream(
            "GET", f"{REGISTRY_PATH}/{model_id}/download", params={"format": "onnx"}, timeout_s=None
        ) as response:
            if target.is_dir():
                target = target / _attachment_name(response.headers.get("content-disposition"), model_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            total = int(response.headers.get("content-length") or 0) or None
            partial = target.with_name(target.name + ".part")
            try:
                with (
                    partial.open("wb") as out,
                    bytes_bar(f"model {model_id}.onnx", total, enabled=self._progress) as advance,
                ):
                    for chunk in response.iter_bytes(_CHUNK):
                        out.write(chunk)
                        advance(len(chunk))
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
        return target


def _attachment_name(header: str | None, model_id: int) -> str:
    match = re.search(r'filename="([^"/\\]+)"', header or "")
    return match.group(1) if match else f"model-{model_id}.onnx"
