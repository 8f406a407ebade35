"""RF-DETR (the `rfdetr` package, Apache-2.0): training through the library's own `.train()`.

Shelfscope does not re-implement RF-DETR's loop: the issue measures our epoch time against the library's
own call, and the library's loop (EMA, group-DETR, drop-path, warmup schedules) is what its published
numbers come from. We hook it instead. `RFDETR.train()` builds its PyTorch Lightning trainer through
`rfdetr.training.build_trainer` (imported at call time), so while a run trains that factory is wrapped
to append one callback, `_EventsBridge`, which turns Lightning's hooks into `TrainEvents`: per-step
loss and learning rate, per-epoch losses and val mAP, `last.ckpt` (full Lightning state, what a resume
needs) and a best checkpoint, and the cancel check between steps.

The inference folder holds `model.pth` (the library's lightweight checkpoint: weights, model config
and class names) and the manifest; `load_predictor` rebuilds the model with `RFDETR.from_checkpoint`.
ONNX goes through the library's own exporter; `load_onnx_predictor` runs it with onnxruntime with the
same preprocessing and top-k decoding as the library's `predict`.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from shelfscope.errors import Conflict
from shelfscope.ml.detections import Detections
from shelfscope.ml.trainers.base import (
    EpochRecord,
    ModelManifest,
    Resume,
    TrainConfig,
    TrainData,
    TrainEvents,
    TrainingCancelled,
    TrainOutcome,
)
from shelfscope.ml.trainers.catalogue import Architecture
from shelfscope.ml.trainers.onnx import OnnxModel

if TYPE_CHECKING:
    import torch

    from shelfscope.config import Settings

WEIGHTS_FILE = "model.pth"
# The library's class per catalogue size (RFDETRBase is deprecated upstream but still trains).
_VARIANTS = {
    "nano": "RFDETRNano",
    "small": "RFDETRSmall",
    "medium": "RFDETRMedium",
    "base": "RFDETRBase",
    "large": "RFDETRLarge",
}
# The pretrained checkpoint file name the library downloads for each size.
_PRETRAINED_FILES = {
    "nano": "rf-detr-nano.pth",
    "small": "rf-detr-small.pth",
    "medium": "rf-detr-medium.pth",
    "base": "rf-detr-base.pth",
    "large": "rf-detr-large-2026.pth",
}
# Lightning state the library writes every epoch (model, optimiser, scheduler, EMA, loop counters).
LAST_CHECKPOINT = "last.ckpt"
BEST_CHECKPOINT = "shelfscope_best.pth"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# One run patches `rfdetr.training.build_trainer` at a time (a worker runs one training job anyway).
_patch_lock = threading.Lock()


def _rfdetr() -> Any:
    """The rfdetr package, imported after torchvision has been made importable (its transforms use it)."""
    from shelfscope.ml.runtime import load_torchvision

    load_torchvision()
    import rfdetr

    return rfdetr


def variant_class(size: str) -> Any:
    return getattr(_rfdetr(), _VARIANTS[size])


class PretrainedWeightsMissing(Conflict):
    """Pretrained RF-DETR weights are neither in the data folder nor downloadable."""


def resolve_pretrained(architecture: Architecture, settings: Settings) -> Path:
    """The pretrained checkpoint for `architecture`: `DATA_DIR/models/<weights_key>/<file>` when present,
    else downloaded there from the library's host (unless offline), else PretrainedWeightsMissing naming
    the folder to copy the file into."""
    folder = settings.resolved_models_dir / architecture.weights_key
    target = folder / _PRETRAINED_FILES[architecture.size]
    if target.is_file():
        return target
    present = sorted(folder.glob("*.pth")) if folder.is_dir() else []
    if present:
        return present[0]
    message = (
        f"Pretrained weights for {architecture.key} are not installed: copy {target.name} into {folder}, "
        "or train from scratch (pretrained: false)."
    )
    if settings.ml_offline:
        raise PretrainedWeightsMissing(message, architecture=architecture.key, folder=str(folder))
    _rfdetr()  # torchvision first: importing any part of rfdetr imports it
    from rfdetr.assets.model_weights import download_pretrain_weights

    folder.mkdir(parents=True, exist_ok=True)
    try:
        download_pretrain_weights(str(target))
    except Exception as error:  # network, host or checksum: all mean "not available here"
        raise PretrainedWeightsMissing(
            f"{message} (download failed: {error})", architecture=architecture.key, folder=str(folder)
        ) from error
    if not target.is_file():
        raise PretrainedWeightsMissing(message, architecture=architecture.key, folder=str(folder))
    return target


def albumentations_available() -> bool:
    """The library's named augmentation presets run through albumentations (`rfdetr[augment]`);
    without it only its built-in default (a horizontal flip, when `aug_config` is left unset) works."""
    import importlib.util

    return importlib.util.find_spec("albumentations") is not None


def _aug_config(augmentation: str) -> dict[str, Any]:
    _rfdetr()
    from rfdetr.datasets import aug_configs

    presets: dict[str, dict[str, Any]] = {
        "none": {},
        "light": aug_configs.AUG_CONFIG,
        "standard": aug_configs.AUG_CONSERVATIVE,
        "heavy": aug_configs.AUG_AGGRESSIVE,
    }
    return dict(presets[augmentation])


def _scheduler_kwargs(config: TrainConfig, data: TrainData) -> dict[str, Any]:
    """Our scheduler names onto the library's managed presets (both warmup-aware): cosine is theirs;
    step drops 10x at two thirds of the run; constant is a step that never drops; linear decays to 1%
    with torch's LinearLR, stepped per optimiser step after the warmup."""
    if config.scheduler == "cosine":
        return {"lr_scheduler": "cosine", "lr_scheduler_kwargs": {"min_factor": 0.01}}
    if config.scheduler == "step":
        return {"lr_scheduler": "step", "lr_scheduler_kwargs": {"lr_drop": max(1, config.epochs * 2 // 3)}}
    if config.scheduler == "constant":
        return {"lr_scheduler": "step", "lr_scheduler_kwargs": {"lr_drop": config.epochs + 1}}
    steps = math.ceil(max(1, data.train_images) / config.batch_size) * config.epochs
    return {
        "lr_scheduler": "torch.optim.lr_scheduler.LinearLR",
        "lr_scheduler_kwargs": {"start_factor": 1.0, "end_factor": 0.01, "total_iters": steps},
    }


def _device_kwarg(device: str) -> str:
    if device != "auto":
        return device
    from shelfscope.ml.runtime import pick_device

    return str(pick_device("auto"))


def train_kwargs(
    data: TrainData, config: TrainConfig, output_dir: Path, resume: Resume | None
) -> dict[str, Any]:
    """The keyword arguments of the library's `.train()` for a Shelfscope run config. The benchmark
    passes the same dict to a bare `.train()` call, so both measure the same work."""
    device = _device_kwarg(config.device)
    amp = config.mixed_precision and not device.startswith("cpu")
    kwargs: dict[str, Any] = {
        "dataset_dir": str(data.root),
        "output_dir": str(output_dir),
        "class_names": list(data.classes),
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "grad_accum_steps": 1,
        "resolution": config.image_size,
        "lr": config.learning_rate,
        # The library's default encoder rate is 1.5x the head's; keep that ratio.
        "lr_encoder": config.learning_rate * 1.5,
        "weight_decay": config.weight_decay,
        "warmup_epochs": config.warmup_epochs,
        "seed": config.seed,
        "device": device,
        "num_workers": config.num_workers,
        "amp_dtype": "auto" if amp else None,
        "early_stopping": config.patience is not None,
        "early_stopping_patience": config.patience or 10,
        # Per-epoch val loss is part of what a run shows.
        "compute_val_loss": True,
        "run_test": False,
        # No archive checkpoints: `last.ckpt` every epoch is all a resume needs.
        "checkpoint_interval": config.epochs + 1,
        "tensorboard": False,
        "progress_bar": None,
        **_scheduler_kwargs(config, data),
    }
    if config.augmentation == "none":
        kwargs["aug_config"] = {}
        kwargs["multi_scale"] = "off"
        kwargs["scale_jitter"] = False
    elif albumentations_available():
        kwargs["aug_config"] = _aug_config(config.augmentation)
    if resume is not None:
        kwargs["resume"] = str(resume.checkpoint)
    return kwargs


class _EventsBridge:
    """Lightning callback (built lazily: pytorch_lightning loads only with a run) that reports to
    `TrainEvents` and writes the best checkpoint by val mAP50-95 (the library writes its own best only
    when mAP rises above 0, which a short run may never do)."""

    def __init__(self, events: TrainEvents, output_dir: Path) -> None:
        self.events = events
        self.output_dir = output_dir
        self.best: float | None = None
        self.best_epoch = 0
        self.epochs_run = 0
        self.epoch_started = time.perf_counter()
        self.last_epoch = 0

    def callback(self) -> Any:
        from pytorch_lightning.callbacks import Checkpoint

        bridge = self

        # A `Checkpoint` subclass so Lightning orders it after the library's ModelCheckpoints (it moves
        # every Checkpoint to the end, keeping their order): `last.ckpt` is on disk when this reports it.
        class EventsCallback(Checkpoint):
            def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
                bridge.epoch_started = time.perf_counter()

            def on_train_batch_end(
                self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int
            ) -> None:
                bridge.on_step(trainer, outputs, batch_idx)

            def on_validation_batch_end(self, trainer: Any, *args: Any, **kwargs: Any) -> None:
                if not trainer.sanity_checking:
                    bridge.check_cancel()

            def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
                bridge.on_epoch_end(trainer, pl_module)

            # Saved in `last.ckpt`, so a resumed run knows the score its best checkpoint has to beat.
            def state_dict(self) -> dict[str, Any]:
                return {"best": bridge.best, "best_epoch": bridge.best_epoch}

            def load_state_dict(self, state_dict: dict[str, Any]) -> None:
                # Only while that best checkpoint is still beside it (a fresh work folder starts over).
                if (bridge.output_dir / BEST_CHECKPOINT).is_file():
                    bridge.best = state_dict.get("best")
                    bridge.best_epoch = int(state_dict.get("best_epoch") or 0)

        return EventsCallback()

    def check_cancel(self) -> None:
        if self.events.cancelled():
            self.events.log("Cancel requested: stopping after this step")
            raise TrainingCancelled()

    def on_step(self, trainer: Any, outputs: Any, batch_idx: int) -> None:
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        rates = [group["lr"] for group in trainer.optimizers[0].param_groups] if trainer.optimizers else [0.0]
        self.events.step(
            trainer.current_epoch + 1,
            batch_idx + 1,
            int(trainer.num_training_batches),
            float(loss) if loss is not None else math.nan,
            float(max(rates)),
        )
        self.check_cancel()

    def on_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        metrics = {key: float(value) for key, value in trainer.callback_metrics.items()}
        epoch = trainer.current_epoch + 1
        map50_95 = metrics.get("val/mAP_50_95", 0.0)
        record = EpochRecord(
            epoch=epoch,
            train_loss=metrics.get("train/loss", math.nan),
            val_loss=metrics.get("val/loss"),
            map50=metrics.get("val/mAP_50", 0.0),
            map50_95=map50_95,
            learning_rate=metrics.get("train/lr", 0.0),
            seconds=time.perf_counter() - self.epoch_started,
            extra={k.removeprefix("val/"): v for k, v in metrics.items() if k in _EXTRA_METRICS},
        )
        self.events.epoch_end(record)
        self.epochs_run += 1
        self.last_epoch = epoch
        last = self.output_dir / LAST_CHECKPOINT
        if last.is_file():
            self.events.checkpoint(last, epoch, best=False)
        if self.best is None or map50_95 > self.best:
            self.best = map50_95
            self.best_epoch = epoch
            best = self.output_dir / BEST_CHECKPOINT
            _write_best(trainer, pl_module, best)
            self.events.checkpoint(best, epoch, best=True)


_EXTRA_METRICS = ("val/mAP_75", "val/mAR", "val/precision", "val/recall", "val/F1")


def _write_best(trainer: Any, pl_module: Any, path: Path) -> None:
    """The library's own lightweight checkpoint format (weights, model config, class names), from the
    EMA weights when EMA is on (what validation scored), through its BestModelCallback's writer."""
    from rfdetr.training.callbacks import BestModelCallback

    writer = next((c for c in trainer.callbacks if isinstance(c, BestModelCallback)), None)
    if writer is None:
        raise RuntimeError("rfdetr's BestModelCallback is missing from the trainer")
    ema = any(callable(getattr(c, "get_ema_model_state_dict", None)) for c in trainer.callbacks)
    if ema:
        state = BestModelCallback._get_ema_model_state_dict(trainer, pl_module)
    else:
        state = BestModelCallback._get_live_model_state_dict(pl_module)
    writer._write_ema_checkpoint(trainer, pl_module, state, path)


@contextlib.contextmanager
def bridged(callback: Any) -> Iterator[None]:
    """While inside, every Lightning trainer the library builds gets `callback` appended."""
    import rfdetr.training as training

    with _patch_lock:
        original = training.build_trainer

        def build_trainer(*args: Any, **kwargs: Any) -> Any:
            trainer = original(*args, **kwargs)
            trainer.callbacks.append(callback)  # type: ignore[attr-defined]
            return trainer

        training.build_trainer = build_trainer
        try:
            yield
        finally:
            training.build_trainer = original


class RfdetrTrainer:
    def __init__(self, architecture: Architecture, settings: Settings) -> None:
        self.architecture = architecture
        self.settings = settings

    def build(self, data: TrainData, config: TrainConfig) -> Any:
        """The library's model object, from scratch, from pretrained weights, or from an earlier model."""
        overrides: dict[str, Any] = {"num_classes": len(data.classes), **config.model_overrides}
        if config.init_folder is not None:
            weights: str | None = str(config.init_folder / ModelManifest.read(config.init_folder).weights)
        elif config.pretrained:
            weights = str(resolve_pretrained(self.architecture, self.settings))
        else:
            weights = None
        return variant_class(self.architecture.size)(pretrain_weights=weights, **overrides)

    def train(
        self,
        data: TrainData,
        config: TrainConfig,
        events: TrainEvents,
        work_dir: Path,
        resume: Resume | None,
    ) -> TrainOutcome:
        import torch

        torch.manual_seed(config.seed)
        output_dir = work_dir / "rfdetr"
        output_dir.mkdir(parents=True, exist_ok=True)
        if config.augmentation not in ("none", "light") and not albumentations_available():
            events.log(
                f"Augmentation {config.augmentation!r} needs albumentations (pip install 'rfdetr[augment]'); "
                "using the library's default (horizontal flip, multi-scale)",
                "warning",
            )
        on_cpu = config.device.startswith("cpu") or (
            config.device == "auto" and not torch.cuda.is_available()
        )
        if on_cpu and config.mixed_precision:
            events.log("Mixed precision is ignored on the CPU")
        model = self.build(data, config)
        kwargs = train_kwargs(data, config, output_dir, resume)
        bridge = _EventsBridge(events, output_dir)
        if resume is not None:
            events.log(f"Resuming from {resume.checkpoint.name} at epoch {resume.next_epoch}")
        with bridged(bridge.callback()):
            model.train(**kwargs)
        best = output_dir / BEST_CHECKPOINT
        if not best.is_file():
            raise RuntimeError("training ended without a best checkpoint")
        folder = work_dir / "model"
        num_select = int(config.model_overrides.get("num_select", 300))
        write_model_folder(folder, best, self.architecture, data.classes, config.image_size, num_select)
        last_epoch = bridge.last_epoch or (resume.next_epoch - 1 if resume else 0)
        return TrainOutcome(
            model_folder=folder,
            best_epoch=bridge.best_epoch or _best_epoch(best),
            epochs_run=last_epoch,
            stopped_early=last_epoch < config.epochs,
        )


def _best_epoch(checkpoint: Path) -> int:
    import torch

    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    return int(state.get("epoch", 0)) + 1


def write_model_folder(
    folder: Path,
    checkpoint: Path,
    architecture: Architecture,
    classes: Sequence[str],
    size: int,
    num_select: int = 300,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(checkpoint, folder / WEIGHTS_FILE)
    ModelManifest(
        architecture=architecture.key,
        family="rfdetr",
        classes=list(classes),
        input_size=size,
        weights=WEIGHTS_FILE,
        # num_select: how many query x class pairs the decoding keeps (the ONNX predictor's top-k).
        extra={"rfdetr_class": _VARIANTS[architecture.size], "num_select": num_select},
    ).write(folder)


def make_trainer(architecture: Architecture, settings: Settings) -> RfdetrTrainer:
    return RfdetrTrainer(architecture, settings)


# --- inference ----------------------------------------------------------------------------------


def _load_model(folder: Path, manifest: ModelManifest, device: Any) -> Any:
    rf = _rfdetr()
    model = rf.RFDETR.from_checkpoint(
        str(folder / manifest.weights), trust_checkpoint=True, device=str(device)
    )
    return model


class RfdetrPredictor:
    """A trained RF-DETR model as a Detector: boxes in the image's own pixels, labels from the manifest."""

    def __init__(self, model: Any, manifest: ModelManifest, device: torch.device) -> None:
        self.key = f"trained:{manifest.architecture}"
        self.model = model
        self.manifest = manifest
        self.device = device
        inner = model.model.model
        self._bytes = int(sum(t.numel() * t.element_size() for t in [*inner.parameters(), *inner.buffers()]))

    @property
    def memory_bytes(self) -> int:
        return self._bytes

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if not images:
            return []
        found = self.model.predict([image.convert("RGB") for image in images], threshold=threshold)
        results = found if isinstance(found, list) else [found]
        return [
            _detections(r.xyxy, r.confidence, r.class_id, self.manifest.classes, image.size, threshold)
            for r, image in zip(results, images, strict=True)
        ]


def _detections(
    boxes: npt.NDArray[Any],
    scores: npt.NDArray[Any],
    class_ids: npt.NDArray[Any],
    classes: Sequence[str],
    size: tuple[int, int],
    threshold: float,
) -> Detections:
    from shelfscope.ml.detectors.common import clipped

    keep = (scores >= threshold) & (class_ids >= 0) & (class_ids < len(classes))
    order = np.argsort(-scores[keep], kind="stable")
    kept_boxes = np.asarray(boxes[keep][order], dtype=np.float32).reshape(-1, 4)
    kept_ids = np.asarray(class_ids[keep][order], dtype=np.int32)
    return Detections(
        clipped(kept_boxes, *size),
        np.asarray(scores[keep][order], dtype=np.float32),
        tuple(classes[int(i)] for i in kept_ids),
        kept_ids,
    )


def load_predictor(folder: Path, manifest: ModelManifest, device: Any) -> RfdetrPredictor:
    import torch

    device = torch.device(device) if not isinstance(device, torch.device) else device
    return RfdetrPredictor(_load_model(folder, manifest, device), manifest, device)


def export_onnx(folder: Path, manifest: ModelManifest, out: Path) -> None:
    """The library's ONNX export (opset 17, static batch 1 at the trained square size) to `out`."""
    model = _load_model(folder, manifest, "cpu")
    with _scratch_dir(out) as scratch:
        model.export(output_dir=str(scratch), verbose=False, format="onnx")
        produced = sorted(scratch.glob("*.onnx"))
        if not produced:
            raise RuntimeError("rfdetr's export wrote no .onnx file")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced[0]), out)


@contextlib.contextmanager
def _scratch_dir(near: Path) -> Iterator[Path]:
    import tempfile

    near.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=near.parent, prefix=".onnx-") as scratch:
        yield Path(scratch)


class RfdetrOnnxPredictor(OnnxModel):
    """The exported graph under onnxruntime: the library's preprocessing (square resize to the trained
    size, ImageNet normalisation) and decoding (sigmoid, top-k over query x class, centre boxes to
    pixels), so its boxes match the PyTorch predictor's."""

    def __init__(self, onnx_file: Path, manifest: ModelManifest) -> None:
        super().__init__(f"trained:{manifest.architecture}:onnx", onnx_file, manifest)

    def _preprocess(self, image: Image.Image) -> npt.NDArray[np.float32]:
        import cv2

        # The library resizes the [0, 1] float tensor bilinearly without antialiasing (cv2's INTER_LINEAR).
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
        resized = cv2.resize(pixels, (self.size, self.size), interpolation=cv2.INTER_LINEAR)
        mean, std = np.array(IMAGENET_MEAN, np.float32), np.array(IMAGENET_STD, np.float32)
        normalised = ((resized - mean) / std).astype(np.float32)
        return normalised.transpose(2, 0, 1)[None]

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        results = []
        for image in images:
            outputs = self.session.run(None, {self.input_name: self._preprocess(image)})
            named = dict(zip([o.name for o in self.session.get_outputs()], outputs, strict=True))
            boxes, logits = named["dets"][0], named["labels"][0]
            results.append(self._decode(boxes, logits, image.size, threshold))
        return results

    def _decode(
        self,
        boxes: npt.NDArray[np.float32],
        logits: npt.NDArray[np.float32],
        size: tuple[int, int],
        threshold: float,
    ) -> Detections:
        probs = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        flat = probs.reshape(-1)
        count = min(int(self.manifest.extra.get("num_select", 300)), flat.size)
        top = np.argsort(-flat, kind="stable")[:count]
        scores = flat[top].astype(np.float32)
        queries, class_ids = np.divmod(top, probs.shape[1])
        cx, cy, w, h = boxes[queries].T
        width, height = size
        xyxy = np.stack(
            [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height], axis=1
        )
        return _detections(xyxy, scores, class_ids, self.manifest.classes, size, threshold)


def load_onnx_predictor(onnx_file: Path, manifest: ModelManifest) -> RfdetrOnnxPredictor:
    return RfdetrOnnxPredictor(onnx_file, manifest)
