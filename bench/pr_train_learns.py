"""Does an embedding model learn through Shelfscope's training loop? A small DINOv2-architecture
backbone is trained from scratch (random init, no downloaded weights) on ../shared/data/products,
split by product (no product in two splits), and the test products' Recall@1 is printed before
training (the same random init), after (the best val checkpoint), and at chance (1 / gallery products).

    python -m bench.pr_train_learns                       # all products, leave-one-out R@1 on test
    python -m bench.pr_train_learns --products 10 --epochs 5   # S1-like: 10 products, 5 epochs
    python -m bench.pr_train_learns --cross-domain        # gsd_* products: studio (synthetic) vs
                                                          # store (real), both directions

Metrics: shelfscope.ml.metrics.retrieval (faiss inner product). A run that does not beat its own
starting point (R@1, or mAP@R where R@1 ties) is a failure; the script says so and exits 1. mAP@R is
printed beside R@1: leave-one-out R@1 is high even at random init where a product's images are near
copies (crops from one shelf video), and mAP@R shows what training changed there.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.common import machine

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "products"
KEY = "dinov2-small"
# The small from-scratch backbone: patch 8 at 64 px (64 patches), 4 layers of width 96. Trains a
# few hundred P-K steps in minutes on two CPU cores.
SMALL = {
    "model_type": "dinov2", "hidden_size": 96, "num_hidden_layers": 4, "num_attention_heads": 3,
    "mlp_ratio": 4, "patch_size": 8, "image_size": 64, "layerscale_value": 1.0,
}  # fmt: skip
DOMAINS = {"studio": "synthetic", "store": "real", "shelf": "real"}


@dataclass(frozen=True)
class ProductImage:
    image_id: int
    product_id: int
    product: str
    domain: str
    path: Path


def read_products(data: Path, prefix: str) -> list[ProductImage]:
    images: list[ProductImage] = []
    folders = sorted(p for p in data.iterdir() if p.is_dir() and p.name.startswith(prefix))
    for product_id, folder in enumerate(folders, start=1):
        for domain_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            for path in sorted(domain_dir.iterdir()):
                images.append(
                    ProductImage(
                        len(images) + 1,
                        product_id,
                        folder.name,
                        DOMAINS.get(domain_dir.name, domain_dir.name),
                        path,
                    )
                )
    return images


def split_by_product(
    images: list[ProductImage], fractions: tuple[float, float], seed: int
) -> tuple[list[ProductImage], list[ProductImage], list[ProductImage]]:
    products = sorted({i.product_id for i in images})
    random.Random(seed).shuffle(products)
    n_train = round(len(products) * fractions[0])
    n_val = max(2, round(len(products) * fractions[1]))
    train_ids = set(products[:n_train])
    val_ids = set(products[n_train : n_train + n_val])
    test_ids = set(products[n_train + n_val :])
    assert not (train_ids & val_ids or train_ids & test_ids or val_ids & test_ids)
    return (
        [i for i in images if i.product_id in train_ids],
        [i for i in images if i.product_id in val_ids],
        [i for i in images if i.product_id in test_ids],
    )


class PrintSink:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def batch(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def epoch(self, epoch: int, metrics: dict[str, float], checkpoint: Path) -> None:
        print(
            f"  epoch {epoch:3d}  loss {metrics['loss']:.3f} (arcface {metrics['loss_arcface']:.3f}, triplet "
            f"{metrics['loss_triplet']:.3f}, domain {metrics['loss_domain']:.3f})  val R@1 "
            f"{metrics['val_recall_at_1']:.3f}  mAP@R {metrics['val_map_at_r']:.3f}  "
            f"{metrics['images_per_second']:.0f} img/s  [{time.perf_counter() - self.started:.0f} s]",
            flush=True,
        )

    def cancelled(self) -> bool:
        return False

    def log(self, message: str) -> None:
        print(f"  {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cross-domain", action="store_true", help="gsd_* products, studio vs store")
    parser.add_argument("--products", type=int, default=0, help="use only the first N products (0: all)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import torch

    from shelfscope.config import Settings
    from shelfscope.ml.embeddings.backbones import build_backbone
    from shelfscope.ml.embeddings.checkpoint import Embedder, embed_paths, load_embedder
    from shelfscope.ml.embeddings.config import EmbedTrainConfig
    from shelfscope.ml.embeddings.model import PREPROCESSING, EmbeddingModel
    from shelfscope.ml.embeddings.train import Sample, train
    from shelfscope.ml.metrics.retrieval import retrieval_metrics

    print(f"machine: {machine()}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    images = read_products(args.data, "gsd_" if args.cross_domain else "")
    if args.products:
        keep = sorted({i.product_id for i in images})[: args.products]
        images = [i for i in images if i.product_id in keep]
    fractions = (0.55, 0.15) if args.cross_domain else (0.7, 0.15)
    train_images, val_images, test_images = split_by_product(images, fractions, args.seed)
    for name, part in (("train", train_images), ("val", val_images), ("test", test_images)):
        domains = sorted({i.domain for i in part})
        print(
            f"{name}: {len({i.product_id for i in part})} products, {len(part)} images ({', '.join(domains)})"
        )

    work = Path(tempfile.mkdtemp(prefix="shelfscope-pr-learns-"))
    settings = Settings(data_dir=work / "data", ml_offline=True)
    folder = settings.resolved_models_dir / KEY
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({**SMALL, "image_size": args.image_size}))
    config = EmbedTrainConfig(
        backbone=KEY, pretrained=False, embedding_dim=128, image_size=args.image_size, epochs=args.epochs,
        products_per_batch=8, images_per_product=4, loss="arcface_triplet", arcface_scale=16.0,
        arcface_margin=10.0, triplet_weight=1.0, miner="all", learning_rate=args.learning_rate,
        backbone_lr_scale=1.0, llrd=1.0, warmup_epochs=2, patience=0,
        domain_weight=0.5 if args.cross_domain else 0.0, seed=args.seed, device=args.device,
    )  # fmt: skip
    print(f"config: {json.dumps(config.to_dict())}\nbackbone: {json.dumps(SMALL)} (random init)")

    def samples(part: list[ProductImage]) -> list[Sample]:
        return [Sample(i.image_id, i.product_id, i.domain, i.path) for i in part]

    def embed(
        embedder: Embedder, part: list[ProductImage]
    ) -> tuple[npt.NDArray[np.float32], list[ProductImage]]:
        vectors, skipped = embed_paths(embedder, [i.path for i in part], batch_size=64)
        bad = {index for index, _ in skipped}
        return vectors, [i for n, i in enumerate(part) if n not in bad]

    def report(embedder: Embedder) -> dict[str, tuple[float, float]]:
        """(R@1, mAP@R) on the test split: leave-one-out over all its images, and each cross-domain
        direction in --cross-domain mode."""
        vectors, kept = embed(embedder, test_images)
        labels = np.array([i.product_id for i in kept])
        domains = np.array([i.domain for i in kept])

        def pair(found: dict[str, float]) -> tuple[float, float]:
            return found["recall_at_1"], found["map_at_r"]

        out = {"all": pair(retrieval_metrics(vectors, labels, vectors, labels, exclude_self=True))}
        if args.cross_domain:
            real, synthetic = domains == "real", domains == "synthetic"
            out["real->synthetic"] = pair(
                retrieval_metrics(vectors[real], labels[real], vectors[synthetic], labels[synthetic])
            )
            out["synthetic->real"] = pair(
                retrieval_metrics(vectors[synthetic], labels[synthetic], vectors[real], labels[real])
            )
        return out

    device = torch.device(args.device)
    torch.manual_seed(config.seed)  # the init train() starts from
    backbone, hidden = build_backbone(settings, KEY, pretrained=False)
    start = EmbeddingModel(backbone, hidden, config.embedding_dim).to(device).eval()
    before = report(Embedder(start, device, config.embedding_dim, config.image_size, PREPROCESSING, KEY, 0))

    started = time.perf_counter()
    result = train(config, settings, samples(train_images), samples(val_images), work / "run", PrintSink())
    seconds = time.perf_counter() - started
    best = load_embedder(work / "run" / f"epoch-{result.best_epoch:03d}.pt", device)
    after = report(best)

    test_products = len({i.product_id for i in test_images})
    print(f"\ntrained {result.epochs_run} epochs in {seconds:.0f} s; best val epoch {result.best_epoch}; "
          f"skipped images {len(result.skipped)}")  # fmt: skip
    print(f"test split: {test_products} products, {len(test_images)} images; chance R@1 = 1/{test_products} "
          f"= {1 / test_products:.3f}")  # fmt: skip
    header = f"{'R@1 before':>12}{'R@1 after':>11}{'chance':>8}{'mAP@R before':>14}{'mAP@R after':>13}"
    print(f"{'test split':<18}{header}")
    failed = False
    for name, (r1_before, map_before) in before.items():
        r1_after, map_after = after[name]
        print(
            f"{name:<18}{r1_before:>12.3f}{r1_after:>11.3f}{1 / test_products:>8.3f}{map_before:>14.3f}"
            f"{map_after:>13.3f}"
        )
        failed |= r1_after < r1_before or (r1_after == r1_before and map_after <= map_before)
    if failed:
        print("FAILED: the trained model did not beat its own starting point")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
