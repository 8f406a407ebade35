"""RT-DETRv2 (transformers `RTDetrV2ForObjectDetection`, Apache-2.0) trained in a plain PyTorch loop.

Sizes r18/r34/r50/r101 are the paper's ResNet-vd backbones (`RTDetrResNetConfig` depths and block
type) with their encoder and decoder widths. Images are stretched to a square `image_size` (what
RT-DETR itself does), pixels scaled to 0..1, boxes given as normalised cx, cy, w, h; the model's own
loss (VFL + L1 + GIoU with auxiliary and denoising terms) is optimised with AdamW, a warmup and a
schedule, gradient clipping at 0.1 (the reference recipe), and AMP on CUDA. A small dataset is kept
decoded at the training size in memory, so an epoch costs the model and not the JPEG decoder.

`model_overrides` replaces RTDetrV2Config fields; its "backbone" entry replaces RTDetrResNetConfig
fields (tests use a tiny network). Checkpoints: `last.pt` (model, optimiser, scaler, counters) every
epoch and `best.pt` (model only) when val mAP50-95 rose. A resumed run finds the best checkpoint
beside the last one as `best-best.pt` (how the run downloads it) or `best.pt`.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

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

# The inference side (PyTorch and ONNX predictors, ONNX export), shared with the registry.
from shelfscope.ml.trainers.rtdetrv2_infer import export_onnx, load_onnx_predictor, load_predictor

if TYPE_CHECKING:
    import torch

    from shelfscope.config import Settings

WEIGHTS_FILE = "model.safetensors"
LAST_FILE = "last.pt"
BEST_FILE = "best.pt"
HUB_IDS = {
    "r18": "PekingU/rtdetr_v2_r18vd",
    "r34": "PekingU/rtdetr_v2_r34vd",
    "r50": "PekingU/rtdetr_v2_r50vd",
    "r101": "PekingU/rtdetr_v2_r101vd",
}
# The paper's sizes: backbone block type and depths, encoder width and FFN, decoder layers.
_BASIC = {"layer_type": "basic", "hidden_sizes": [64, 128, 256, 512]}
_BOTTLENECK = {"layer_type": "bottleneck", "hidden_sizes": [256, 512, 1024, 2048]}
_SIZES: dict[str, dict[str, Any]] = {
    "r18": {**_BASIC, "depths": [2, 2, 2, 2], "decoder_layers": 3},
    "r34": {**_BASIC, "depths": [3, 4, 6, 3], "decoder_layers": 4},
    "r50": {**_BOTTLENECK, "depths": [3, 4, 6, 3], "decoder_layers": 6},
    "r101": {
        "layer_type": "bottleneck", "depths": [3, 4, 23, 3], "hidden_sizes": [256, 512, 1024, 2048],
        "decoder_layers": 6, "encoder_hidden_dim": 384, "encoder_ffn_dim": 2048,
    },
}  # fmt: skip
MAX_CACHE_BYTES = 1536 * 1024**2
GRAD_CLIP = 0.1
TOP_K = 100


# ---- the model --------------------------------------------------------------------------------------


def _transformers() -> Any:
    """transformers, imported after torchvision is made to work (ml.runtime)."""
    from shelfscope.ml.runtime import load_transformers

    return load_transformers()


def model_config(size: str, classes: Sequence[str], overrides: dict[str, Any]) -> Any:
    transformers = _transformers()
    spec = dict(_SIZES[size])
    backbone = {
        "layer_type": spec.pop("layer_type"),
        "depths": spec.pop("depths"),
        "hidden_sizes": spec.pop("hidden_sizes"),
        "embedding_size": 64,
        "out_features": ["stage2", "stage3", "stage4"],
        "out_indices": [2, 3, 4],
    }
    extra = dict(overrides)
    backbone.update(extra.pop("backbone", {}) or {})
    spec.update(extra)
    hidden = int(spec.get("encoder_hidden_dim", 256))
    spec.setdefault("encoder_in_channels", list(backbone["hidden_sizes"][1:]))
    spec.setdefault("decoder_in_channels", [hidden, hidden, hidden])
    return transformers.RTDetrV2Config(
        backbone_config=transformers.RTDetrResNetConfig(**backbone),
        num_labels=len(classes),
        id2label=dict(enumerate(classes)),
        label2id={name: i for i, name in enumerate(classes)},
        **spec,
    )


def _pretrained_folder(settings: Settings, arch: Architecture) -> Path:
    """The pretrained weights' folder, fetched from the hub on first use unless the installation is
    offline; a clear error otherwise (the same rule as the AI models)."""
    from shelfscope.ml.weights import WeightsMissing, is_present, model_dir

    folder = model_dir(settings, arch.weights_key)
    if is_present(folder):
        return folder
    hub_id = HUB_IDS[arch.size]
    if not settings.ml_offline:
        try:
            from huggingface_hub import snapshot_download

            snapshot_download(
                repo_id=hub_id, local_dir=str(folder), endpoint=settings.ml_hub_endpoint or None
            )
        except Exception as exc:
            raise WeightsMissing(
                f"The pretrained weights of {arch.title} could not be fetched ({exc}); copy a "
                f"save_pretrained folder of {hub_id} to {folder}, or train from scratch (pretrained: false).",
                model=arch.weights_key,
                folder=str(folder),
                hub_id=hub_id,
            ) from exc
        if is_present(folder):
            return folder
    raise WeightsMissing(
        f"The pretrained weights of {arch.title} are not installed: copy a save_pretrained folder of "
        f"{hub_id} to {folder}, or train from scratch (pretrained: false).",
        model=arch.weights_key,
        folder=str(folder),
        hub_id=hub_id,
    )


def build_model(
    settings: Settings | None, arch: Architecture, classes: Sequence[str], config: TrainConfig
) -> torch.nn.Module:
    RTDetrV2ForObjectDetection = _transformers().RTDetrV2ForObjectDetection
    labels = {"num_labels": len(classes), "id2label": dict(enumerate(classes))}
    labels["label2id"] = {name: i for i, name in enumerate(classes)}
    model: torch.nn.Module
    if config.init_folder is not None:
        model = RTDetrV2ForObjectDetection.from_pretrained(
            config.init_folder, ignore_mismatched_sizes=True, **labels
        )
    elif config.pretrained and settings is not None:
        folder = _pretrained_folder(settings, arch)
        model = RTDetrV2ForObjectDetection.from_pretrained(folder, ignore_mismatched_sizes=True, **labels)
    else:
        model = RTDetrV2ForObjectDetection(model_config(arch.size, classes, config.model_overrides))
    return model


def pick_device(name: str) -> torch.device:
    """The run's device: "auto" and "cuda"/"mps" through ml.runtime (an absent one falls to the CPU);
    "cuda:N" as given."""
    import torch

    from shelfscope.ml import runtime

    if name in ("auto", "cuda", "mps", "cpu"):
        return runtime.pick_device(name)  # type: ignore[arg-type]
    return torch.device(name)


# ---- the data ---------------------------------------------------------------------------------------


@dataclass
class _Item:
    path: Path
    image_id: int
    width: int
    height: int
    boxes: npt.NDArray[np.float32]  # (N, 4) xyxy in the image's pixels
    labels: npt.NDArray[np.int64]


def _read_split(data: TrainData, split: str) -> tuple[list[_Item], dict[str, Any]]:
    from shelfscope.ml.trainers.evaluate import split_ground_truth

    gt, paths = split_ground_truth(data, split)
    by_image: dict[int, list[dict[str, Any]]] = {}
    for a in gt["annotations"]:
        by_image.setdefault(int(a["image_id"]), []).append(a)
    items = []
    for image in gt["images"]:
        anns = [a for a in by_image.get(int(image["id"]), []) if a["bbox"][2] > 0 and a["bbox"][3] > 0]
        boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (a["bbox"] for a in anns)], np.float32)
        items.append(
            _Item(
                paths[int(image["id"])],
                int(image["id"]),
                int(image["width"]),
                int(image["height"]),
                boxes.reshape(-1, 4),
                np.array([int(a["category_id"]) - 1 for a in anns], np.int64),
            )
        )
    return items, gt


class _Images:
    """Each image decoded once and stretched to size x size (uint8), kept while it fits the budget."""

    def __init__(self, items: Sequence[_Item], size: int) -> None:
        self.items = items
        self.size = size
        self.keep = len(items) * size * size * 3 <= MAX_CACHE_BYTES
        self.cache: dict[int, npt.NDArray[np.uint8]] = {}

    def pixels(self, i: int) -> npt.NDArray[np.uint8]:
        found = self.cache.get(i)
        if found is not None:
            return found
        with Image.open(self.items[i].path) as im:
            im.draft("RGB", (self.size, self.size))
            arr = np.asarray(im.convert("RGB").resize((self.size, self.size), Image.Resampling.BILINEAR))
        if self.keep:
            self.cache[i] = arr
        return arr

    def boxes(self, i: int) -> npt.NDArray[np.float32]:
        """Boxes in the stretched image's normalised xyxy."""
        item = self.items[i]
        scale = np.array([item.width, item.height, item.width, item.height], np.float32)
        return item.boxes / scale


@dataclass(frozen=True)
class _AugSpec:
    flip: float  # probability of a horizontal flip
    jitter: float  # brightness and contrast change, up to this fraction
    zoom: tuple[float, float]  # scale range of a zoom in (crop) or out (pad), half the time


_AUG = {
    "none": _AugSpec(0.0, 0.0, (1.0, 1.0)),
    "light": _AugSpec(0.5, 0.1, (1.0, 1.0)),
    "standard": _AugSpec(0.5, 0.2, (0.75, 1.25)),
    "heavy": _AugSpec(0.5, 0.35, (0.6, 1.5)),
}


def augment(
    pixels: npt.NDArray[np.uint8], boxes: npt.NDArray[np.float32], labels: npt.NDArray[np.int64],
    preset: str, rng: np.random.Generator,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32], npt.NDArray[np.int64]]:  # fmt: skip
    """Flip, brightness/contrast jitter and a zoom in or out (crop or pad) on a square image with
    normalised xyxy boxes; boxes cut to less than 30% of their area are dropped."""
    spec = _AUG[preset]
    size = pixels.shape[0]
    out = pixels
    if spec.flip and rng.random() < spec.flip:
        out = out[:, ::-1]
        boxes = boxes.copy()
        boxes[:, [0, 2]] = 1.0 - boxes[:, [2, 0]]
    low, high = spec.zoom
    if high > low and rng.random() < 0.5:
        scale = float(rng.uniform(low, high))
        new = max(8, round(size * scale))
        resized = np.asarray(
            Image.fromarray(np.ascontiguousarray(out)).resize((new, new), Image.Resampling.BILINEAR)
        )
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        if new >= size:
            ox, oy = (int(rng.integers(0, new - size + 1)) for _ in range(2))
            out = resized[oy : oy + size, ox : ox + size]
            shifted = boxes * (new / size) - np.array([ox, oy, ox, oy], np.float32) / size
        else:
            ox, oy = (int(rng.integers(0, size - new + 1)) for _ in range(2))
            canvas = np.full((size, size, 3), 114, np.uint8)
            canvas[oy : oy + new, ox : ox + new] = resized
            out = canvas
            shifted = boxes * (new / size) + np.array([ox, oy, ox, oy], np.float32) / size
        clipped = shifted.clip(0.0, 1.0)
        kept_area = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
        keep = kept_area >= 0.3 * area * (new / size) ** 2
        keep &= (clipped[:, 2] - clipped[:, 0]) * size >= 2
        keep &= (clipped[:, 3] - clipped[:, 1]) * size >= 2
        boxes, labels = clipped[keep].astype(np.float32), labels[keep]
    if spec.jitter:
        j = spec.jitter
        gain = 1.0 + float(rng.uniform(-j, j))
        bias = float(rng.uniform(-j, j)) * 128
        out = (out.astype(np.float32) * gain + bias).clip(0, 255).astype(np.uint8)
    return np.ascontiguousarray(out), boxes, labels


def _targets(
    boxes: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], device: torch.device
) -> dict[str, Any]:
    import torch

    b = torch.from_numpy(boxes).float()
    cxcywh = torch.stack(
        [(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1
    )
    return {
        "class_labels": torch.from_numpy(labels).long().to(device),
        "boxes": cxcywh.reshape(-1, 4).to(device),
    }


def _batch_pixels(arrays: Sequence[npt.NDArray[np.uint8]], device: torch.device) -> torch.Tensor:
    import torch

    stacked = torch.from_numpy(np.stack(arrays)).to(device)
    return stacked.permute(0, 3, 1, 2).float().div_(255.0)


# ---- post-processing (shared by PyTorch and ONNX) ---------------------------------------------------


def postprocess(
    logits: npt.NDArray[np.float32], boxes: npt.NDArray[np.float32], width: int, height: int, threshold: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """One image's (queries, classes) logits and normalised cxcywh boxes -> the top scores' xyxy boxes in
    the image's pixels, scores and class indices, at or above `threshold`."""
    classes = logits.shape[-1]
    scores = 1.0 / (1.0 + np.exp(-logits.reshape(-1).astype(np.float64)))
    k = min(TOP_K, scores.size)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top])]
    top = top[scores[top] >= threshold]
    query, label = top // classes, top % classes
    cx, cy, w, h = boxes[query].T.astype(np.float64)
    xyxy = np.stack(
        [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height], 1
    )
    xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, width)
    xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, height)
    return xyxy.astype(np.float32).reshape(-1, 4), scores[top].astype(np.float32), label.astype(np.int64)


def _predict_split(
    model: torch.nn.Module, images: _Images, device: torch.device, batch_size: int, autocast: Any
) -> tuple[list[dict[str, Any]], float | None]:
    """Detections of every image of a split (COCO result dicts) and the mean val loss."""
    import torch

    detections: list[dict[str, Any]] = []
    losses = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(images.items), batch_size):
            idx = list(range(start, min(start + batch_size, len(images.items))))
            pixels = _batch_pixels([images.pixels(i) for i in idx], device)
            targets = [_targets(images.boxes(i), images.items[i].labels, device) for i in idx]
            with autocast():
                out = model(pixel_values=pixels, labels=targets)
            if out.loss is not None and math.isfinite(float(out.loss)):
                losses.append(float(out.loss) * len(idx))
            logits = out.logits.float().cpu().numpy()
            boxes = out.pred_boxes.float().cpu().numpy()
            for n, i in enumerate(idx):
                item = images.items[i]
                xyxy, scores, labels = postprocess(logits[n], boxes[n], item.width, item.height, 0.001)
                for box, score, label in zip(xyxy, scores, labels, strict=True):
                    x1, y1, x2, y2 = (float(v) for v in box)
                    detections.append(
                        {"image_id": item.image_id, "category_id": int(label) + 1,
                         "bbox": [x1, y1, x2 - x1, y2 - y1], "score": float(score)}
                    )  # fmt: skip
    model.train()
    val_loss = sum(losses) / len(images.items) if losses else None
    return detections, val_loss


# ---- the trainer ------------------------------------------------------------------------------------


def lr_factor(step: int, total: int, warmup: int, scheduler: str) -> float:
    """Linear warmup from 0.1% then the schedule (to 1% of the base rate at the end)."""
    if warmup and step < warmup:
        return 0.001 + (1 - 0.001) * step / warmup
    progress = (step - warmup) / max(1, total - warmup)
    if scheduler == "cosine":
        return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    if scheduler == "linear":
        return 1.0 - 0.99 * min(1.0, progress)
    if scheduler == "step":
        return 0.1 if progress >= 2 / 3 else 1.0
    return 1.0


class RtDetrV2Trainer:
    def __init__(self, architecture: Architecture, settings: Settings | None) -> None:
        self.architecture = architecture
        self.settings = settings

    def train(
        self, data: TrainData, config: TrainConfig, events: TrainEvents, work_dir: Path, resume: Resume | None
    ) -> TrainOutcome:
        import torch

        from shelfscope.ml.trainers.evaluate import coco_metrics

        work_dir.mkdir(parents=True, exist_ok=True)
        device = pick_device(config.device)
        random.seed(config.seed)
        np.random.seed(config.seed % 2**32)
        torch.manual_seed(config.seed)
        classes = list(data.classes)
        train_items, _ = _read_split(data, "train")
        val_items, val_gt = _read_split(data, "val")
        train_images = _Images(train_items, config.image_size)
        val_images = _Images(val_items, config.image_size)
        model = build_model(self.settings, self.architecture, classes, config).to(device)
        model.train()
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        amp = config.mixed_precision and device.type == "cuda"
        if config.mixed_precision and not amp:
            events.log(f"mixed precision is ignored on {device.type}")
        amp_dtype = torch.bfloat16 if amp and torch.cuda.is_bf16_supported() else torch.float16
        scaler = torch.amp.GradScaler("cuda", enabled=amp and amp_dtype == torch.float16)

        def autocast() -> Any:
            return torch.autocast(device_type=device.type, dtype=amp_dtype, enabled=amp)

        steps = max(1, math.ceil(len(train_items) / config.batch_size))
        total_steps = steps * config.epochs
        warmup = round(config.warmup_epochs * steps)
        start, best_score, best_epoch, bad_epochs = 1, -1.0, 0, 0
        best_path = work_dir / BEST_FILE
        if resume is not None:
            state = torch.load(resume.checkpoint, map_location=device, weights_only=False)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scaler.load_state_dict(state["scaler"])
            best_score, best_epoch, bad_epochs = state["best_score"], state["best_epoch"], state["bad_epochs"]
            start = resume.next_epoch
            for name in (f"best-{BEST_FILE}", BEST_FILE):
                found = resume.checkpoint.parent / name
                if found.is_file():
                    best_path.write_bytes(found.read_bytes())
                    break
            events.log(f"resumed at epoch {start} of {config.epochs} (best so far: epoch {best_epoch})")
        params = sum(p.numel() for p in model.parameters())
        events.log(
            f"{self.architecture.title}: {params / 1e6:.2f} M parameters on {device}, {steps} steps an epoch"
        )
        epochs_run, stopped_early = start - 1, False
        for epoch in range(start, config.epochs + 1):
            started = time.monotonic()
            rng = np.random.default_rng([config.seed, epoch])
            order = rng.permutation(len(train_items))
            running, counted = 0.0, 0
            lr = config.learning_rate
            for step in range(1, steps + 1):
                if events.cancelled():
                    raise TrainingCancelled()
                global_step = (epoch - 1) * steps + step - 1
                lr = config.learning_rate * lr_factor(global_step, total_steps, warmup, config.scheduler)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                idx = order[(step - 1) * config.batch_size : step * config.batch_size]
                arrays, targets = [], []
                for i in idx:
                    pixels, boxes, labels = augment(
                        train_images.pixels(int(i)), train_images.boxes(int(i)), train_items[int(i)].labels,
                        config.augmentation, rng,
                    )  # fmt: skip
                    arrays.append(pixels)
                    targets.append(_targets(boxes, labels, device))
                with autocast():
                    out = model(pixel_values=_batch_pixels(arrays, device), labels=targets)
                loss = out.loss
                if events.cancelled():  # a slow CPU step: skip its backward pass too
                    raise TrainingCancelled()
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
                scaler.step(optimizer)
                scaler.update()
                value = float(loss.detach())
                if math.isfinite(value):
                    running += value * len(idx)
                    counted += len(idx)
                events.step(epoch, step, steps, value, lr)
            detections, val_loss = _predict_split(model, val_images, device, config.batch_size, autocast)
            metrics = coco_metrics(val_gt, detections, classes)
            record = EpochRecord(
                epoch=epoch,
                train_loss=running / max(counted, 1),
                val_loss=val_loss,
                map50=metrics["map50"],
                map50_95=metrics["map50_95"],
                learning_rate=lr,
                seconds=round(time.monotonic() - started, 3),
                extra={"precision": metrics["precision"], "recall": metrics["recall"]},
            )
            epochs_run = epoch
            improved = record.map50_95 > best_score or best_epoch == 0
            if improved:
                best_score, best_epoch, bad_epochs = record.map50_95, epoch, 0
                torch.save({"model": model.state_dict(), "epoch": epoch, "map50_95": best_score}, best_path)
                events.checkpoint(best_path, epoch, best=True)
            else:
                bad_epochs += 1
            last_path = work_dir / LAST_FILE
            torch.save(
                {
                    "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scaler": scaler.state_dict(), "epoch": epoch, "best_score": best_score,
                    "best_epoch": best_epoch, "bad_epochs": bad_epochs,
                },
                last_path,
            )  # fmt: skip
            events.checkpoint(last_path, epoch, best=False)
            events.epoch_end(record)
            if config.patience is not None and bad_epochs >= config.patience and epoch < config.epochs:
                stopped_early = True
                break
        folder = work_dir / "model"
        self._write_model(model, best_path, classes, config, folder)
        return TrainOutcome(
            model_folder=folder, best_epoch=best_epoch, epochs_run=epochs_run, stopped_early=stopped_early
        )

    def _write_model(
        self, model: torch.nn.Module, best_path: Path, classes: list[str], config: TrainConfig, folder: Path
    ) -> None:
        import torch

        if best_path.is_file():
            model.load_state_dict(torch.load(best_path, map_location="cpu", weights_only=False)["model"])
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder)  # type: ignore[operator]
        ModelManifest(
            architecture=self.architecture.key,
            family=self.architecture.family,
            classes=classes,
            input_size=config.image_size,
            weights=WEIGHTS_FILE,
            extra={"config": "config.json", "normalise": "0..1", "resize": "stretch"},
        ).write(folder)


def make_trainer(architecture: Architecture, settings: Settings | None) -> RtDetrV2Trainer:
    return RtDetrV2Trainer(architecture, settings)


__all__ = ["RtDetrV2Trainer", "export_onnx", "load_onnx_predictor", "load_predictor", "make_trainer"]
