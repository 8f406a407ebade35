"""Embedding extraction throughput: images per second of the real `pr.embeddings.extract` job (the
API request, then the handler run inline) with the DINOv2-base architecture (random weights, built from
the released config and installed as the stock backbone, with DINOv2's processor: 224 px) over real
product photos from ../shared/data/products, and the share of the time spent outside the model:
reading and decoding (in the job's thread pool, overlapped with the model), the database and the
vector index. A second run over the same items shows what the incremental check costs.

    python -m bench.pr_extract_throughput                      # every photo (288), batch 32
    python -m bench.pr_extract_throughput --images 64 --batch 16 --device cpu
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.train_common import load, shelfscope
from shelfscope.config import Settings
from shelfscope.context import AppContext

SHARED_PRODUCTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "products"
DOMAINS = {"studio": "synthetic", "store": "real", "shelf": "cutout"}
BACKBONE = "dinov2-base"


def install_random_backbone(settings: Settings, key: str) -> Path:
    """A random-weight `key` (its released architecture) saved where a fetched one goes, with the
    hub processor's settings (resize to 256, centre crop 224, ImageNet mean and std)."""
    import torch

    from shelfscope.ml import runtime
    from shelfscope.ml.catalogue import get_spec
    from shelfscope.ml.embeddings.backbones import backbone_config, model_class
    from shelfscope.ml.embeddings.model import IMAGENET_MEAN, IMAGENET_STD

    tf = runtime.load_transformers()
    spec = get_spec(key)
    torch.manual_seed(0)
    model = model_class(spec.family)(backbone_config(settings, spec))
    folder = settings.resolved_models_dir / key
    model.save_pretrained(folder)
    tf.BitImageProcessor(
        size={"shortest_edge": 256},
        crop_size={"height": 224, "width": 224},
        image_mean=list(IMAGENET_MEAN),
        image_std=list(IMAGENET_STD),
    ).save_pretrained(folder)
    return folder


def store_photos(ctx: AppContext, root: Path, limit: int) -> int:
    """Up to `limit` photos of ../shared/data/products as product images (one product a folder)."""
    from shelfscope.pr.products.images import add_product_image
    from shelfscope.pr.products.models import Product

    stored = 0
    with ctx.db.writer() as session:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if stored >= limit:
                break
            product = Product(sku=folder.name, name=folder.name, category=folder.name.split("_")[0])
            session.add(product)
            session.flush()
            for sub, domain in DOMAINS.items():
                for path in sorted((folder / sub).glob("*.jpg")):
                    if stored >= limit:
                        break
                    with path.open("rb") as stream:
                        result = add_product_image(
                            session, ctx.storage, ctx.settings, product_id=product.id, stream=stream,
                            filename=path.name, domain=domain, source="import", created_by=None,
                        )  # fmt: skip
                    stored += result.status == "stored"
        session.commit()
    return stored


def run_extraction(ctx: AppContext, client: Any, batch: int) -> tuple[dict[str, Any], float]:
    from shelfscope.jobs.executor import run_job_inline

    response = client.post(
        "/api/v1/pr/embeddings/extract",
        json={
            "model": {"kind": "stock", "backbone": BACKBONE},
            "sources": ["product_images"],
            "batch_size": batch,
        },
    )
    response.raise_for_status()
    started = time.perf_counter()
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, response.json()["job"]["id"])
    wall = time.perf_counter() - started
    if job.status != "succeeded":
        raise SystemExit(f"the extraction job {job.status}: {job.error}")
    return dict(job.result or {}), wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=10_000, help="at most this many photos (all: 288)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: every core)")
    parser.add_argument("--products", type=Path, default=SHARED_PRODUCTS)
    args = parser.parse_args()

    import os

    import torch

    folder = Path(tempfile.mkdtemp(prefix="shelfscope-extract-"))
    try:
        ctx, client = shelfscope(folder)
        threads = args.threads or os.cpu_count() or 1
        ctx.settings = ctx.settings.model_copy(update={"ml_device": args.device, "ml_torch_threads": threads})
        install_random_backbone(ctx.settings, BACKBONE)
        images = store_photos(ctx, args.products, args.images)
        device = torch.device(
            "cuda" if args.device in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
        )
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
        print(f"machine: {machine()}; {load()}")
        print(f"torch {torch.__version__}; device {device} ({name}); {threads} torch threads; {BACKBONE} "
              f"random weights at 224 px; {images} product photos; batch {args.batch}")  # fmt: skip

        result, wall = run_extraction(ctx, client, args.batch)
        t = result["timings"]
        embedded = int(result["embedded"])
        work = wall - t["load_s"]
        outside = work - t["model_s"]
        print(f"\nfirst run: {embedded} embedded in {wall:.2f} s "
              f"(the model's load {t['load_s']:.2f} s of it, once per worker)")  # fmt: skip
        print(f"  {embedded / work:8.2f} images/s end to end (without the model load)")
        print(f"  {embedded / t['model_s']:8.2f} images/s in the model alone ({t['model_s']:.2f} s)")
        print(f"  outside the model: {outside:.2f} s = {100 * outside / work:.1f} % of the run "
              f"(model waiting for decoded images {t['wait_s']:.2f} s, database {t['db_s']:.2f} s, "
              f"index {t['index_s']:.2f} s, the rest planning and job overhead)")  # fmt: skip
        print(f"  decoding: {t['decode_s']:.2f} s of thread time in the pool, overlapped with the model")
        again, wall_again = run_extraction(ctx, client, args.batch)
        print(f"\nsecond run (nothing changed): {again['unchanged']} unchanged, {again['embedded']} embedded "
              f"in {wall_again:.2f} s")  # fmt: skip
        client.close()
        ctx.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
