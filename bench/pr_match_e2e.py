"""Product matching end to end on the real photos of ../shared/data/products, through the HTTP API and
the real jobs (SQLite, local storage, the embedded vector index, a temporary data folder):

1. The catalogue: every product of the set, with part of its photos as its gallery (the studio packshot
   as synthetic, the first half of its store photos or shelf crops as real).
2. Train an embedding model on that catalogue (`pr.training.run`, the previous issue) and register its
   best checkpoint.
3. The held-back half becomes shelf data: each photo is uploaded to the image library and cut out whole
   (a manual cutout): GroZi shelf crops are true shelf cutouts, Grocery Store photos are in-store photos.
4. Extract embeddings of the gallery and the cutouts with the model (`pr.embeddings.extract`), which
   also predicts each cutout's top-k products.
5. Read the matching queue and score each cutout's candidates against the product it really shows:
   top-1 and top-5 accuracy, by kind of query and by whether training saw the product.

    .venv/bin/python -m bench.pr_match_e2e [--epochs 8] [--image-size 112]

No pretrained weights are reachable here, so the backbone is a random-init DINOv2-small trained from
scratch on about 400 photos; `--pretrained --backbone dinov2-base --image-size 224` on a machine with the
weights measures the real thing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from bench.common import machine
from bench.pr_acceptance import DATA, FROM_SCRATCH, _client, _run
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from shelfscope.jobs.executor import run_job_inline
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product
from shelfscope.pr.training.models import PrTrainingImage

_DOMAINS = (("studio", "synthetic"), ("store", "real"), ("shelf", "real"))


def _split(folder: Path) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(gallery, held back) of one product folder: the studio image and the first half of the others
    in the gallery, the second half held back."""
    gallery: list[tuple[Path, str]] = []
    held: list[tuple[Path, str]] = []
    for sub, domain in _DOMAINS:
        files = sorted(p for p in (folder / sub).glob("*") if p.suffix.lower() in {".jpg", ".png"})
        if sub == "studio":
            gallery += [(p, domain) for p in files]
            continue
        half = (len(files) + 1) // 2
        gallery += [(p, domain) for p in files[:half]]
        held += [(p, sub) for p in files[half:]]
    return gallery, held


def _catalogue(
    ctx: AppContext, folders: list[Path]
) -> tuple[dict[str, int], dict[str, list[tuple[Path, str]]]]:
    ids: dict[str, int] = {}
    held: dict[str, list[tuple[Path, str]]] = {}
    with ctx.db.writer() as session:
        for folder in folders:
            gallery, rest = _split(folder)
            product = Product(sku=folder.name, name=folder.name, category=folder.name.split("_")[0])
            session.add(product)
            session.flush()
            ids[folder.name] = product.id
            held[folder.name] = rest
            for path, domain in gallery:
                with path.open("rb") as stream:
                    add_product_image(
                        session,
                        ctx.storage,
                        ctx.settings,
                        product_id=product.id,
                        stream=stream,
                        filename=path.name,
                        domain=domain,
                        source="import",
                        created_by=None,
                    )
        session.commit()
    return ids, held


def _cut_out(client: TestClient, held: dict[str, list[tuple[Path, str]]]) -> dict[int, tuple[str, str]]:
    """Upload each held-back photo and cut it out whole; {cutout id: (product name, kind)}."""
    truth: dict[int, tuple[str, str]] = {}
    for name, files in held.items():
        for path, kind in files:
            with path.open("rb") as stream:
                uploaded = client.post("/api/v1/od/images", files={"files": (f"{name}-{path.name}", stream)})
            result = uploaded.json()["results"][0]
            if result.get("image") is None:
                print(f"  skipped {name}/{path.name}: {result}")
                continue
            image = result["image"]
            cutout = client.post(
                "/api/v1/pr/cutouts",
                json={
                    "image_id": image["id"],
                    "box": {"x1": 0, "y1": 0, "x2": image["width"], "y2": image["height"]},
                    "margin": 0,
                },
            )
            if cutout.status_code != 201:
                raise SystemExit(f"cutout of {path}: {cutout.status_code} {cutout.text}")
            truth[int(cutout.json()["id"])] = (name, "shelf cutout" if kind == "shelf" else "store photo")
    return truth


def _queue(client: TestClient, collection_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"collection_id": collection_id, "limit": 200, "sort": "id"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/pr/matching/queue", params=params)
        if page.status_code != 200:
            raise SystemExit(f"queue: {page.status_code} {page.text}")
        body = page.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def _trained_products(ctx: AppContext, run_id: int) -> set[int]:
    with ctx.db.reader() as session:
        rows = session.scalars(
            select(PrTrainingImage.product_id)
            .where(PrTrainingImage.run_id == run_id, PrTrainingImage.split == "train")
            .distinct()
        )
        return {int(r) for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--backbone", default="dinov2-small")
    parser.add_argument("--pretrained", action="store_true")
    parser.add_argument("--image-size", type=int, default=112)
    parser.add_argument("--embedding-dim", type=int, default=128)
    args = parser.parse_args()
    print(machine())
    folders = sorted(p for p in (DATA / "products").iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="pr-match-") as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'shelfscope.db'}"
        upgrade(url)
        settings = Settings(data_dir=root / "data", database_url=url, web_dir=root / "no-web")
        ctx = AppContext.from_settings(settings)
        try:
            client = _client(ctx)
            ids, held = _catalogue(ctx, folders)
            gallery_images = client.get("/api/v1/pr/products", params={"limit": 1}).json()
            print(f"catalogue: {len(ids)} products ({gallery_images.get('total')} listed)")
            config: dict[str, Any] = {
                "epochs": args.epochs,
                "image_size": args.image_size,
                "embedding_dim": args.embedding_dim,
                "products_per_batch": 8,
                "images_per_product": 4,
                "device": "cpu",
            }
            if not args.pretrained:
                config |= FROM_SCRATCH
            body = {
                "backbone": args.backbone,
                "pretrained": args.pretrained,
                "data": {
                    "source": "all_products",
                    "domains": ["synthetic", "real"],
                    "min_images_per_product": 2,
                },
                "config": config,
            }
            run = _run(client, ctx, "match-e2e", body)
            if run["status"] != "succeeded":
                raise SystemExit(f"training failed: {run.get('error')}")
            evaluation = client.get(f"/api/v1/pr/training/{run['id']}/evaluation").json()
            print(
                f"trained in {run['_seconds']:.0f} s, best epoch {run['best_epoch']}, "
                f"test R@1 {(evaluation.get('metrics') or {}).get('recall_at_1')}"
            )
            checkpoints = client.get(f"/api/v1/pr/training/{run['id']}/checkpoints").json()
            best = next(c for c in checkpoints if c["is_best"])
            model = client.post("/api/v1/pr/models", json={"checkpoint_id": best["id"], "name": "match e2e"})
            if model.status_code != 201:
                raise SystemExit(f"register: {model.status_code} {model.text}")
            truth = _cut_out(client, held)
            print(f"held back: {len(truth)} cutouts")
            started = time.perf_counter()
            extract = client.post(
                "/api/v1/pr/embeddings/extract",
                json={
                    "model": {"kind": "trained", "trained_model_id": model.json()["id"]},
                    "sources": ["product_images", "cutouts"],
                },
            )
            if extract.status_code != 202:
                raise SystemExit(f"extract: {extract.status_code} {extract.text}")
            job = run_job_inline(ctx.settings, ctx.db, ctx.storage, int(extract.json()["job"]["id"]))
            collection_id = int(extract.json()["collection"]["id"])
            print(f"extraction {job.status} in {time.perf_counter() - started:.1f} s: {job.result}")
            trained = _trained_products(ctx, int(run["id"]))
            by_id = {v: k for k, v in ids.items()}
            tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for item in _queue(client, collection_id):
                cutout_id = int(item["cutout"]["id"])
                if cutout_id not in truth:
                    continue
                name, kind = truth[cutout_id]
                ranked = [by_id[int(c["product"]["id"])] for c in item["candidates"]]
                seen = "trained products" if ids[name] in trained else "products training never saw"
                for key in ("all", kind, seen):
                    tally[key][0] += 1
                    tally[key][1] += int(ranked[:1] == [name])
                    tally[key][2] += int(name in ranked[:5])
            print(f"\nmatching {len(truth)} held-back cutouts against {len(ids)} products:")
            print(f"  {'queries':<32} {'n':>5} {'top-1':>7} {'top-5':>7}")
            for key, (n, top1, top5) in sorted(tally.items(), key=lambda kv: (kv[0] != "all", kv[0])):
                print(f"  {key:<32} {n:>5} {top1 / n:>7.3f} {top5 / n:>7.3f}")
            print(f"  chance: top-1 {1 / len(ids):.3f}, top-5 {5 / len(ids):.3f}")
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
