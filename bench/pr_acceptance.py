"""Product-recognition acceptance runs S1 and S5 (seed 004), through the HTTP API and the real
`pr.training.run` job, on the real photos of ../shared/data/products (SQLite, local storage, a temporary
data folder).

S1-like: 10 products of about 150 images (the Grocery Store products: 1 studio packshot as synthetic,
15 store photos as real, each), a small random-init DINOv2 architecture, 5 epochs. It must complete with
a checkpoint per epoch, the best one flagged and evaluated, and a model must register from it.
S5-like: the same data as a cross-domain run (domain term on): the test evaluation must report
real -> synthetic and synthetic -> real.

    .venv/bin/python -m bench.pr_acceptance [--epochs 5] [--products 10]

S2/S3 (R@1 > 80 % / > 85 % with pretrained DINOv2-base) need the real weights, which a machine with the
hub can fetch (`shelfscope models fetch dinov2-base`), then:

    .venv/bin/python -m bench.pr_acceptance --pretrained --backbone dinov2-base --image-size 224 \\
        --epochs 10 --products 50 --embedding-dim 512
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.pr.training.helpers import store_products
from tests.support.app import TEST_PASSWORD, signed_in_client

from bench.common import machine
from shelfscope.app import create_app
from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from shelfscope.jobs.executor import run_job_inline

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# From scratch the fine-tuning defaults barely move; see bench/pr_train_learns.py.
FROM_SCRATCH: dict[str, Any] = {
    "arcface_scale": 16.0,
    "arcface_margin": 10.0,
    "miner": "all",
    "backbone_lr_scale": 1.0,
    "learning_rate": 3e-4,
    "warmup_epochs": 0,
}


def _client(ctx: AppContext) -> TestClient:
    with ctx.db.write() as session:
        session.add(
            User(
                username="bench",
                display_name="Bench",
                role="admin",
                password_hash=hash_password(TEST_PASSWORD),
            )
        )
    return signed_in_client(create_app(ctx, start_runner=False), "bench")


def _run(client: TestClient, ctx: AppContext, name: str, body: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    response = client.post("/api/v1/pr/training", json={"name": name, **body})
    if response.status_code != 202:
        raise SystemExit(f"{name}: the run was refused: {response.status_code} {response.text}")
    created = response.json()
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, int(created["job"]["id"]))
    run: dict[str, Any] = client.get(f"/api/v1/pr/training/{created['run']['id']}").json()
    run["_seconds"] = time.perf_counter() - started
    run["_job_status"] = job.status
    return run


def _metrics(values: dict[str, Any] | None) -> str:
    if not values:
        return "-"
    return "  ".join(
        f"{k}={values[k]:.3f}"
        for k in ("recall_at_1", "recall_at_5", "recall_at_10", "map_at_r")
        if k in values
    )


def _report(client: TestClient, run: dict[str, Any], scenario: str) -> bool:
    run_id = run["id"]
    print(f"\n{scenario}: run {run_id} {run['status']} in {run['_seconds']:.0f} s (job {run['_job_status']})")
    if run["status"] != "succeeded":
        print(f"  error: {run['error']}")
        return False
    summary = run["data_summary"]
    for split in ("train", "val", "test"):
        part = summary.get(split, {})
        print(
            f"  {split}: {part.get('products')} products, {part.get('images')} images {part.get('domains')}"
        )
    for row in run["metrics_history"]:
        print(
            f"  epoch {row['epoch']:>2}: loss={row.get('loss', float('nan')):.3f} "
            f"arcface={row.get('loss_arcface', float('nan')):.3f} "
            f"triplet={row.get('loss_triplet', float('nan')):.3f} "
            f"domain={row.get('loss_domain', float('nan')):.3f} val R@1={row.get('val_recall_at_1', 0):.3f} "
            f"val mAP@R={row.get('val_map_at_r', 0):.3f}"
        )
    checkpoints = client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()
    sizes = ", ".join(
        f"{c['epoch']}{'*' if c['is_best'] else ''}: {c['size_bytes'] / 1e6:.2f} MB" for c in checkpoints
    )
    print(f"  checkpoints (FP16; * best): {sizes}")
    evaluation = client.get(f"/api/v1/pr/training/{run_id}/evaluation").json()
    print(f"  test (best epoch {run['best_epoch']}): {_metrics(evaluation.get('metrics'))}")
    report = evaluation.get("report") or {}
    for pair in report.get("cross_domain", []):
        print(
            f"  {pair['query_domain']} -> {pair['gallery_domain']}: {_metrics(pair)} "
            f"({pair['queries']} queries)"
        )
    best = next(c for c in checkpoints if c["is_best"])
    model = client.post(
        "/api/v1/pr/models", json={"checkpoint_id": best["id"], "name": f"{scenario} run {run_id}"}
    )
    ok = model.status_code == 201 and len(checkpoints) == run["total_epochs"]
    print(
        f"  model registered: {model.status_code} "
        f"{json.dumps({k: model.json().get(k) for k in ('id', 'status')})}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--backbone", default="dinov2-small")
    parser.add_argument("--pretrained", action="store_true")
    parser.add_argument("--image-size", type=int, default=112)
    parser.add_argument("--embedding-dim", type=int, default=128)
    args = parser.parse_args()
    print(machine())
    products = sorted(p.name for p in (DATA / "products").iterdir() if p.name.startswith("gsd_"))
    if len(products) < args.products:
        products += sorted(p.name for p in (DATA / "products").iterdir() if p.name.startswith("grozi_"))
    names = products[: args.products]
    with tempfile.TemporaryDirectory(prefix="pr-acceptance-") as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'shelfscope.db'}"
        upgrade(url)
        settings = Settings(data_dir=root / "data", database_url=url, web_dir=root / "no-web")
        ctx = AppContext.from_settings(settings)
        try:
            client = _client(ctx)
            store_products(ctx, DATA, names, 16)
            base: dict[str, Any] = {
                "backbone": args.backbone,
                "pretrained": args.pretrained,
                "data": {
                    "source": "all_products",
                    "domains": ["synthetic", "real"],
                    "min_images_per_product": 2,
                },
            }
            config = {
                "epochs": args.epochs,
                "image_size": args.image_size,
                "embedding_dim": args.embedding_dim,
                "products_per_batch": 4,
                "images_per_product": 4,
                "device": "cpu",
            }
            if not args.pretrained:
                config |= FROM_SCRATCH
            s1 = _run(client, ctx, "S1", base | {"config": config})
            s5 = _run(client, ctx, "S5", base | {"config": config | {"domain_weight": 1.0}})
            ok = _report(client, s1, "S1") & _report(client, s5, "S5")
        finally:
            ctx.close()
    print("\nPASSED" if ok else "\nFAILED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
