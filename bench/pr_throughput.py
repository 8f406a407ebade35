"""Embedding-training throughput: images per second of one training step (forward, backward and the
AdamW update of the EmbeddingModel with the ArcFace + triplet loss) and of embedding (no_grad
forward), for a DINOv2 architecture with random weights at 224 px; with and without fp16 mixed
precision where the device has it (CUDA). Then the size of an FP16 checkpoint of dinov2-base and
dinov2-large (random weights, saved the way training saves them).

    python -m bench.pr_throughput                          # dinov2-base, batch 8, on the best device
    python -m bench.pr_throughput --backbones dinov2-base dinov2-large --batch 32 --steps 20
    python -m bench.pr_throughput --skip-sizes
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import machine


def _runners(
    model: Any, arcface: Any, triplet: Any, miner: Any, optimizer: Any, scaler: Any, pixels: Any, labels: Any,
    autocast: Any,
) -> tuple[Callable[[], None], Callable[[], None]]:  # fmt: skip
    """(one training step, one embedding pass) over the same batch."""
    import torch

    def step() -> None:
        with autocast():
            embeddings = model(pixels)
        loss = arcface(embeddings, labels) + 0.5 * triplet(embeddings, labels, miner(embeddings, labels))
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def embed() -> None:
        with torch.no_grad(), autocast():
            model(pixels)

    return step, embed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backbones", nargs="+", default=["dinov2-base"])
    parser.add_argument("--batch", type=int, default=8, help="P x K images a step (P = batch / 4, K = 4)")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--skip-sizes", action="store_true")
    args = parser.parse_args()

    import torch
    from pytorch_metric_learning import losses, miners  # type: ignore[import-untyped]

    from shelfscope.config import Settings
    from shelfscope.ml import runtime
    from shelfscope.ml.embeddings.backbones import build_backbone
    from shelfscope.ml.embeddings.checkpoint import save_checkpoint
    from shelfscope.ml.embeddings.config import EmbedTrainConfig
    from shelfscope.ml.embeddings.model import EmbeddingModel
    from shelfscope.ml.embeddings.train import parameter_groups

    device = runtime.pick_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"machine: {machine()}; torch {torch.__version__}; device {device} ({name}); "
          f"{torch.get_num_threads()} CPU threads")  # fmt: skip
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="shelfscope-throughput-")), ml_offline=True)
    config = EmbedTrainConfig(embedding_dim=512, image_size=args.image_size)
    k = 4
    labels = torch.arange(args.batch, device=device) // k
    precisions = [False, True] if device.type == "cuda" else [False]

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for key in args.backbones:
        torch.manual_seed(0)
        backbone, hidden = build_backbone(settings, key, pretrained=False)
        model = EmbeddingModel(backbone, hidden, config.embedding_dim).to(device)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        arcface = losses.ArcFaceLoss(max(2, args.batch // k), config.embedding_dim).to(device)
        triplet, miner = (
            losses.TripletMarginLoss(margin=0.2),
            miners.TripletMarginMiner(0.2, type_of_triplets="semihard"),
        )
        optimizer = torch.optim.AdamW(parameter_groups(model, arcface, config))
        pixels = torch.randn(args.batch, 3, args.image_size, args.image_size, device=device)
        for amp in precisions:
            autocast: Any = (
                (lambda: torch.autocast("cuda", dtype=torch.float16)) if amp else contextlib.nullcontext
            )
            scaler = torch.amp.GradScaler("cuda", enabled=amp)

            step, embed = _runners(
                model, arcface, triplet, miner, optimizer, scaler, pixels, labels, autocast
            )

            for label, run, train_mode in (("train step", step, True), ("embedding", embed, False)):
                model.train(train_mode)
                run()  # warm-up (allocations, cuDNN autotune)
                sync()
                started = time.perf_counter()
                for _ in range(args.steps):
                    run()
                sync()
                seconds = time.perf_counter() - started
                rate = args.batch * args.steps / seconds
                print(f"{key:<13} {params:6.1f} M params  {args.image_size} px  batch {args.batch:<3}  "
                      f"{'fp16 autocast' if amp else 'fp32':<13}  {label:<10}  {rate:8.1f} images/s  "
                      f"({seconds / args.steps * 1000:.0f} ms a batch)", flush=True)  # fmt: skip
        del model, optimizer, arcface, backbone
        if device.type == "cuda":
            torch.cuda.empty_cache()

    if args.skip_sizes:
        return
    for key in ("dinov2-base", "dinov2-large"):
        torch.manual_seed(0)
        backbone, hidden = build_backbone(settings, key, pretrained=False)
        model = EmbeddingModel(backbone, hidden, config.embedding_dim)
        arcface = losses.ArcFaceLoss(100, config.embedding_dim)
        path = save_checkpoint(
            settings.data_dir / f"{key}.pt", model=model, arcface=arcface, backbone_key=key, family="dinov2",
            epoch=1, image_size=224, train_config=config.to_dict(), metrics={}, products=list(range(100)),
        )  # fmt: skip
        params = sum(p.numel() for p in model.parameters()) / 1e6
        print(f"FP16 checkpoint {key:<13} {params:6.1f} M params  {path.stat().st_size / 1e6:8.1f} MB "
              f"(embedding 512, ArcFace centres of 100 products)")  # fmt: skip
        path.unlink()
        del model, backbone


if __name__ == "__main__":
    main()
