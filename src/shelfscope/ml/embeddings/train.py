"""Training an embedding model with metric learning (issue 14, checklist 7).

P-K batches (pytorch-metric-learning's MPerClassSampler: P products x K images), ArcFace alone or with
a mined triplet loss, an optional cross-domain centroid alignment term, AdamW with layer-wise
learning-rate decay over the backbone, a linear warmup by step then cosine to 0, fp16 autocast on
CUDA, early stopping on the val recall@1 (every val image queries all the others), and an FP16
checkpoint every epoch handed to the sink.

Images are decoded once (pad_square at the training size) and kept in memory within a budget; a file
that cannot be read is skipped and reported, and a product left with fewer than 2 readable images
leaves its split."""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import torch

from shelfscope.errors import ValidationFailed
from shelfscope.ml import runtime
from shelfscope.ml.embeddings.backbones import build_backbone, embedder_spec
from shelfscope.ml.embeddings.checkpoint import build_model, full_state, read_checkpoint, save_checkpoint
from shelfscope.ml.embeddings.config import EmbedTrainConfig
from shelfscope.ml.embeddings.model import EmbeddingModel, augment, read_square, to_tensor

if TYPE_CHECKING:
    from shelfscope.config import Settings

# Decoded training images are kept while they fit in this many bytes; past it they are read per batch.
MAX_CACHE_BYTES = 2 * 1024**3
EVAL_BATCH = 64
_DECODE_THREADS = 4
_LOGGED_SKIPS = 20
_LAYER = re.compile(r"(?:^|\.)layer\.(\d+)\.")
_NO_DECAY_NAMES = ("cls_token", "mask_token", "register_tokens", "position_embeddings")


@dataclass(frozen=True)
class Sample:
    image_id: int
    product_id: int
    domain: str
    path: Path
    category: str | None = None


class TrainSink(Protocol):
    """Where a run reports: batches (throttle inside), finished epochs with their checkpoint file,
    log lines; and whether it was cancelled (checked before every batch)."""

    def batch(self, epoch: int, batch: int, batches: int, loss: float) -> None: ...
    def epoch(self, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None: ...
    def cancelled(self) -> bool: ...
    def log(self, message: str) -> None: ...


class TrainingCancelled(Exception):
    """The sink said cancelled; the checkpoints already handed to it are the run's."""


@dataclass
class TrainResult:
    epochs_run: int
    best_epoch: int
    best_metrics: dict[str, float]
    stopped_early: bool
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # The val metrics of the starting model (random init or the pretrained backbone), when the run
    # started at epoch 1: the "before" beside best_metrics' "after".
    initial_metrics: dict[str, float] = field(default_factory=dict)


# ---- data ------------------------------------------------------------------------------------------


@dataclass
class _Split:
    samples: list[Sample]
    squares: list[npt.NDArray[np.uint8] | None]  # None: not cached, read again when needed
    image_size: int

    def pixels(self, index: int) -> npt.NDArray[np.uint8]:
        cached = self.squares[index]
        return cached if cached is not None else read_square(self.samples[index].path, self.image_size)

    @property
    def products(self) -> list[int]:
        return sorted({s.product_id for s in self.samples})


def _read(sample: Sample, image_size: int) -> tuple[npt.NDArray[np.uint8] | None, str | None]:
    try:
        return read_square(sample.path, image_size), None
    except Exception as error:  # any broken file is skipped and reported, never fatal
        return None, f"{type(error).__name__}: {error}"


def load_split(
    name: str, samples: Sequence[Sample], image_size: int, skipped: list[tuple[int, str]], sink: TrainSink,
    budget: list[int],
) -> _Split:  # fmt: skip
    """The split's readable images (decoded, cached within `budget[0]` bytes), without the products left
    with fewer than 2 of them; unreadable ones are appended to `skipped` and logged."""
    with ThreadPoolExecutor(_DECODE_THREADS) as pool:
        decoded = list(pool.map(lambda s: _read(s, image_size), samples))
    readable: list[tuple[Sample, npt.NDArray[np.uint8]]] = []
    for sample, (square, reason) in zip(samples, decoded, strict=True):
        if square is None:
            skipped.append((sample.image_id, reason or "unreadable"))
            if len(skipped) <= _LOGGED_SKIPS:
                sink.log(f"skipped image {sample.image_id} ({sample.path.name}): {reason}")
            continue
        readable.append((sample, square))
    counts: dict[int, int] = {}
    for sample, _ in readable:
        counts[sample.product_id] = counts.get(sample.product_id, 0) + 1
    dropped = sorted(pid for pid, n in counts.items() if n < 2)
    if dropped:
        sink.log(
            f"{name}: dropped {len(dropped)} product(s) with fewer than 2 readable images: {dropped[:20]}"
        )
    kept = [(s, sq) for s, sq in readable if counts[s.product_id] >= 2]
    squares: list[npt.NDArray[np.uint8] | None] = []
    for _, square in kept:
        if budget[0] >= square.nbytes:
            budget[0] -= square.nbytes
            squares.append(square)
        else:
            squares.append(None)
    return _Split([s for s, _ in kept], squares, image_size)


# ---- losses and optimiser --------------------------------------------------------------------------


def domain_alignment(embeddings: torch.Tensor, labels: torch.Tensor, domains: Sequence[str]) -> torch.Tensor:
    """Cross-domain centroid alignment: for every product in the batch with images from >= 2 domains,
    the mean squared distance between its per-domain embedding centroids (over domain pairs), averaged
    over those products; 0 when there is none."""
    terms: list[torch.Tensor] = []
    domain_array = np.asarray(domains)
    label_array = labels.detach().cpu().numpy()
    for label in np.unique(label_array):
        in_product = label_array == label
        names = sorted(set(domain_array[in_product].tolist()))
        if len(names) < 2:
            continue
        centroids = torch.stack(
            [
                embeddings[torch.from_numpy(in_product & (domain_array == d)).to(embeddings.device)].mean(0)
                for d in names
            ]
        )
        distances = torch.cdist(centroids, centroids).pow(2)
        pairs = len(names) * (len(names) - 1)
        terms.append(distances.sum() / pairs)
    if not terms:
        return embeddings.sum() * 0.0
    return torch.stack(terms).mean()


def backbone_depth(name: str, layers: int) -> int:
    """How far below the top a backbone parameter sits: 0 for the top transformer layer and the final
    norm, i for the i-th layer below it, `layers` for the embeddings (patch, tokens, positions)."""
    match = _LAYER.search(name)
    if match is not None:
        return layers - 1 - int(match.group(1))
    if name.startswith("embeddings."):
        return layers
    return 0


def parameter_groups(
    model: EmbeddingModel, arcface: torch.nn.Module, config: EmbedTrainConfig
) -> list[dict[str, Any]]:
    """AdamW groups: the head and ArcFace weights at learning_rate; each backbone parameter at
    learning_rate * backbone_lr_scale * llrd ** depth (backbone_depth). No weight decay on biases,
    norms, tokens, position tables, or the ArcFace class centres (they are normalised in the loss).
    Each group carries "name", "depth" (None for the head) and "base_lr"."""
    layers = int(getattr(model.backbone, "config").num_hidden_layers)  # noqa: B009 (a transformers model)
    groups: dict[tuple[str, bool], dict[str, Any]] = {}

    def add(name: str, depth: int | None, lr: float, decay: bool, param: torch.nn.Parameter) -> None:
        key = (name, decay)
        if key not in groups:
            groups[key] = {
                "name": name, "depth": depth, "base_lr": lr, "lr": lr, "params": [],
                "weight_decay": config.weight_decay if decay else 0.0,
            }  # fmt: skip
        groups[key]["params"].append(param)

    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        decay = param.ndim > 1 and not any(token in name for token in _NO_DECAY_NAMES)
        if name.startswith("backbone."):
            depth = backbone_depth(name[len("backbone.") :], layers)
            lr = config.learning_rate * config.backbone_lr_scale * config.llrd**depth
            add(f"backbone.{depth}", depth, lr, decay, param)
        else:
            add("head", None, config.learning_rate, decay, param)
    for param in arcface.parameters():
        add("head", None, config.learning_rate, False, param)
    return list(groups.values())


def lr_factor(step: int, total_steps: int, warmup_steps: int) -> float:
    """Linear warmup over `warmup_steps` (from 1/warmup to 1), then cosine from 1 to 0 at `total_steps`."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def batches_per_epoch(config: EmbedTrainConfig, train_images: int) -> int:
    return config.batches_per_epoch or max(1, train_images // config.batch_size)


def pk_batches(
    labels: Sequence[int], products_per_batch: int, images_per_product: int, batches: int, seed: int
) -> list[list[int]]:
    """Index batches of P products x K images (MPerClassSampler; a product with fewer than K images is
    sampled with replacement). P is capped at the number of products."""
    from pytorch_metric_learning.samplers import MPerClassSampler  # type: ignore[import-untyped]
    from pytorch_metric_learning.utils import common_functions  # type: ignore[import-untyped]

    per_batch = min(products_per_batch, len(set(labels))) * images_per_product
    sampler = MPerClassSampler(list(labels), m=images_per_product, batch_size=per_batch,
                               length_before_new_iter=batches * per_batch)  # fmt: skip
    # The sampler draws from the library's module-level numpy generator: a seeded one per epoch makes a
    # run (and a resumed run) repeatable without touching numpy's global state.
    previous = common_functions.NUMPY_RANDOM
    common_functions.NUMPY_RANDOM = np.random.RandomState(seed % 2**32)
    try:
        order = [int(i) for i in sampler]
    finally:
        common_functions.NUMPY_RANDOM = previous
    return [order[i : i + per_batch] for i in range(0, len(order), per_batch)]


# ---- evaluation -----------------------------------------------------------------------------------


@torch.no_grad()
def embed_split(
    model: EmbeddingModel, split: _Split, device: torch.device, autocast: Any
) -> npt.NDArray[np.float32]:
    was_training = model.training
    model.eval()
    rows = []
    for start in range(0, len(split.samples), EVAL_BATCH):
        arrays = [split.pixels(i) for i in range(start, min(start + EVAL_BATCH, len(split.samples)))]
        with autocast():
            rows.append(model(to_tensor(arrays).to(device)).float().cpu().numpy())
    model.train(was_training)
    out = np.concatenate(rows) if rows else np.zeros((0, model.embedding_dim), np.float32)
    normalised: npt.NDArray[np.float32] = (
        out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    ).astype(np.float32)
    return normalised


def validate(model: EmbeddingModel, split: _Split, device: torch.device, autocast: Any) -> dict[str, float]:
    """Leave-one-out retrieval on the val split: every image queries all the other val images."""
    from shelfscope.ml.metrics.retrieval import retrieval_metrics

    embeddings = embed_split(model, split, device, autocast)
    labels = np.array([s.product_id for s in split.samples], np.int64)
    found = retrieval_metrics(embeddings, labels, embeddings, labels, ks=(1, 5), exclude_self=True)
    return {
        "val_recall_at_1": float(found["recall_at_1"]),
        "val_recall_at_5": float(found["recall_at_5"]),
        "val_map_at_r": float(found["map_at_r"]),
    }


# ---- the loop ---------------------------------------------------------------------------------------


def _no_autocast() -> Any:
    import contextlib

    return contextlib.nullcontext()


def train(
    config: EmbedTrainConfig,
    settings: Settings,
    train: list[Sample],
    val: list[Sample],
    work_dir: Path,
    sink: TrainSink,
    *,
    resume_from: Path | None = None,
    start_epoch: int = 1,
) -> TrainResult:
    """Train (or resume at `start_epoch` from the checkpoint `resume_from`) for epochs start_epoch..
    config.epochs; a checkpoint `epoch-NNN.pt` in work_dir every epoch, handed to sink.epoch.
    ValidationFailed (field "data") when a split is left without 2 products with 2 readable images;
    TrainingCancelled when the sink says so (before any batch). A resumed run rebuilds the model from
    the checkpoint (its backbone folder is not needed), a fresh AdamW, and the schedule at start_epoch;
    its best starts as the checkpoint's own val metrics."""
    from pytorch_metric_learning import losses, miners  # type: ignore[import-untyped]

    spec = embedder_spec(config.backbone)
    runtime.apply_threads(settings)
    device = runtime.pick_device(config.device)
    torch.manual_seed(config.seed)

    skipped: list[tuple[int, str]] = []
    budget = [MAX_CACHE_BYTES]
    train_split = load_split("train", train, config.image_size, skipped, sink, budget)
    val_split = load_split("val", val, config.image_size, skipped, sink, budget)
    for name, split in (("train", train_split), ("val", val_split)):
        if len(split.products) < 2:
            raise ValidationFailed.field(
                "data", f"the {name} split has {len(split.products)} product(s) with 2 or more readable "
                "images; training needs at least 2"
            )  # fmt: skip

    payload = read_checkpoint(resume_from) if resume_from is not None else None
    if payload is not None:
        products = [int(p) for p in payload["products"]]
        unknown = sorted(set(train_split.products) - set(products))
        if unknown:
            raise ValidationFailed.field("resume", f"train products {unknown[:20]} are not in the checkpoint")
        model = build_model(payload)
    else:
        products = train_split.products
        backbone, hidden = build_backbone(settings, config.backbone, pretrained=config.pretrained)
        model = EmbeddingModel(backbone, hidden, config.embedding_dim)
    label_of = {pid: i for i, pid in enumerate(products)}
    labels = [label_of[s.product_id] for s in train_split.samples]
    arcface = losses.ArcFaceLoss(len(products), model.embedding_dim, margin=config.arcface_margin,
                                 scale=config.arcface_scale)  # fmt: skip
    if payload is not None:
        arcface.load_state_dict(full_state(payload["arcface_state"]))
    model.to(device).train()
    arcface.to(device)
    triplet = losses.TripletMarginLoss(margin=config.triplet_margin)
    miner = miners.TripletMarginMiner(margin=config.triplet_margin, type_of_triplets=config.miner)

    use_amp = config.mixed_precision and device.type == "cuda"
    autocast = (lambda: torch.autocast("cuda", dtype=torch.float16)) if use_amp else _no_autocast
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    groups = parameter_groups(model, arcface, config)
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    batches = batches_per_epoch(config, len(train_split.samples))
    total_steps = config.epochs * batches
    warmup_steps = config.warmup_epochs * batches
    top_backbone = next((g for g in groups if g["depth"] == 0), None)
    head = next(g for g in groups if g["name"] == "head")
    per_batch = min(config.products_per_batch, len(set(labels))) * config.images_per_product
    sink.log(
        f"{config.backbone} ({'pretrained' if config.pretrained else 'random init'}) on {device.type}"
        f"{' with fp16 autocast' if use_amp else ''}: {len(train_split.products)} train products / "
        f"{len(train_split.samples)} images, {len(val_split.products)} val products / "
        f"{len(val_split.samples)} images, {batches} batches of {per_batch} an epoch"
    )

    initial: dict[str, float] = {}
    best_epoch, best_metrics, best_r1 = 0, {}, -1.0
    if payload is not None:
        best_metrics = {k: float(v) for k, v in (payload.get("metrics") or {}).items()}
        best_epoch = int(payload["epoch"])
        best_r1 = best_metrics.get("val_recall_at_1", -1.0)
    elif start_epoch == 1:
        initial = validate(model, val_split, device, autocast)
        sink.log(
            f"before training: val recall@1 {initial['val_recall_at_1']:.4f}, "
            f"mAP@R {initial['val_map_at_r']:.4f}"
        )

    epochs_run, since_best, stopped_early = 0, 0, False
    for epoch in range(start_epoch, config.epochs + 1):
        started = time.perf_counter()
        rng = random.Random(f"{config.seed}:{epoch}")
        sums = {"loss": 0.0, "loss_arcface": 0.0, "loss_triplet": 0.0, "loss_domain": 0.0}
        plan = pk_batches(labels, config.products_per_batch, config.images_per_product, batches,
                          config.seed * 100_003 + epoch)  # fmt: skip
        images = 0
        for number, indices in enumerate(plan, start=1):
            if sink.cancelled():
                raise TrainingCancelled(f"cancelled at epoch {epoch}, batch {number}")
            step = (epoch - 1) * batches + number - 1
            factor = lr_factor(step, total_steps, warmup_steps)
            for group in groups:
                group["lr"] = group["base_lr"] * factor
            arrays = [train_split.pixels(i) for i in indices]
            if config.augmentation:
                arrays = [augment(a, rng) for a in arrays]
            pixels = to_tensor(arrays).to(device, non_blocking=True)
            target = torch.tensor([labels[i] for i in indices], device=device)
            with autocast():
                embeddings = model(pixels)
            parts = {"loss_arcface": arcface(embeddings, target)}
            loss = config.arcface_weight * parts["loss_arcface"]
            if config.loss == "arcface_triplet":
                parts["loss_triplet"] = triplet(embeddings, target, miner(embeddings, target))
                loss = loss + config.triplet_weight * parts["loss_triplet"]
            if config.domain_weight > 0:
                domains = [train_split.samples[i].domain for i in indices]
                parts["loss_domain"] = domain_alignment(embeddings, target, domains)
                loss = loss + config.domain_weight * parts["loss_domain"]
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            value = float(loss.detach())
            sums["loss"] += value
            for key, part in parts.items():
                sums[key] += float(part.detach())
            images += len(indices)
            sink.batch(epoch, number, batches, value)
        train_seconds = time.perf_counter() - started
        metrics: dict[str, float] = {key: total / batches for key, total in sums.items()}
        metrics["lr"] = float(head["lr"])
        metrics["backbone_lr"] = float(top_backbone["lr"]) if top_backbone is not None else 0.0
        metrics.update(validate(model, val_split, device, autocast))
        metrics["images_per_second"] = images / max(train_seconds, 1e-9)
        metrics["mixed_precision"] = 1.0 if use_amp else 0.0
        metrics["seconds"] = time.perf_counter() - started
        path = save_checkpoint(
            work_dir / f"epoch-{epoch:03d}.pt", model=model, arcface=arcface, backbone_key=spec.key,
            family=spec.family, epoch=epoch, image_size=config.image_size, train_config=config.to_dict(),
            metrics=metrics, products=products,
        )  # fmt: skip
        epochs_run += 1
        sink.epoch(epoch, metrics, path)
        if metrics["val_recall_at_1"] > best_r1:
            best_epoch, best_metrics, best_r1, since_best = epoch, metrics, metrics["val_recall_at_1"], 0
        else:
            since_best += 1
        sink.log(
            f"epoch {epoch}/{config.epochs}: loss {metrics['loss']:.4f}, val recall@1 "
            f"{metrics['val_recall_at_1']:.4f}, mAP@R {metrics['val_map_at_r']:.4f}, "
            f"{metrics['images_per_second']:.1f} images/s"
        )
        if config.patience and since_best >= config.patience and epoch < config.epochs:
            sink.log(f"early stop: no better val recall@1 for {since_best} epochs (best: epoch {best_epoch})")
            stopped_early = True
            break
    return TrainResult(epochs_run, best_epoch, best_metrics, stopped_early, skipped, initial)
