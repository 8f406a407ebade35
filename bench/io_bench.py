"""Import and export at scale: a COCO file of 20,000 images x 50 boxes (1,000,000 boxes, 100 classes),
imported into a real database and exported to YOLO and to COCO, on SQLite and on PostgreSQL; and
Datumaro importing the same file and exporting it to YOLO, for comparison.

The images are tiny real JPEGs, each with its index drawn in, so that de-duplication by content keeps
all 20,000; the JSON says 4000x3000 (the import scales the boxes to the files' real size). Every measured
step runs in its own child process, whose peak resident memory (VmHWM from /proc) is reported.
Datumaro runs from a separate virtual environment (never the project's):

    python3 -m venv .bench/datumaro-venv && .bench/datumaro-venv/bin/pip install datumaro
    .venv/bin/python -m bench.io_bench [--images 20000] [--boxes 50] [--classes 100] [--db sqlite,postgres]
                                       [--datumaro .bench/datumaro-venv/bin/python]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import create_engine, text

from bench.common import machine

REPO = Path(__file__).resolve().parents[1]

_DATUMARO_SCRIPT = r"""
import json, sys, time
import datumaro as dm
source, target = sys.argv[1], sys.argv[2]
started = time.perf_counter()
dataset = dm.Dataset.import_from(source, "coco_instances")
boxes = sum(1 for item in dataset for ann in item.annotations if ann.type == dm.AnnotationType.bbox)
imported = time.perf_counter() - started
started = time.perf_counter()
dataset.export(target, "yolo", save_media=True)
exported = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"import_s": imported, "export_s": exported, "boxes": boxes, "peak_kb": peak,
                  "version": dm.__version__}))
"""


def peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1])
    return 0


# ---- the data -------------------------------------------------------------------------------------


def generate(root: Path, images: int, boxes: int, classes: int) -> dict[str, Any]:
    """annotations/instances_train.json + images/train/*.jpg, in the official COCO member order
    (images, annotations, then categories: the reader must keep annotations until it knows them)."""
    started = time.perf_counter()
    folder = root / "images" / "train"
    folder.mkdir(parents=True)
    for i in range(images):
        # The index as 16 white 4x4 blocks (distinct bytes after JPEG quantisation, unlike one pixel).
        im = Image.new("RGB", (32, 24), (90, 120, (i >> 16) % 256))
        draw = ImageDraw.Draw(im)
        for bit in range(16):
            if i >> bit & 1:
                left, top = (bit % 8) * 4, (bit // 8) * 4
                draw.rectangle((left, top, left + 3, top + 3), fill=(250, 250, 250))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=85)
        (folder / f"img_{i:06d}.jpg").write_bytes(out.getvalue())
    rng = random.Random(7)
    (root / "annotations").mkdir()
    path = root / "annotations" / "instances_train.json"
    with path.open("w") as f:
        f.write('{"info":{"description":"io_bench"},"licenses":[],"images":[\n')
        f.write(
            ",\n".join(
                f'{{"id":{i + 1},"file_name":"img_{i:06d}.jpg","width":4000,"height":3000}}'
                for i in range(images)
            )
        )
        f.write('\n],"annotations":[\n')
        ann_id = 0
        for i in range(images):
            parts = []
            for _ in range(boxes):
                ann_id += 1
                w, h = rng.uniform(20, 400), rng.uniform(20, 400)
                x, y = rng.uniform(0, 4000 - w), rng.uniform(0, 3000 - h)
                parts.append(
                    f'{{"id":{ann_id},"image_id":{i + 1},"category_id":{rng.randint(1, classes)},'
                    f'"bbox":[{x:.2f},{y:.2f},{w:.2f},{h:.2f}],"area":{w * h:.2f},'
                    '"iscrowd":0,"segmentation":[]}'
                )
            f.write(("" if i == 0 else ",\n") + ",\n".join(parts))
        f.write('\n],"categories":[')
        f.write(
            ",".join(
                f'{{"id":{c + 1},"name":"class_{c:03d}","supercategory":"bench"}}' for c in range(classes)
            )
        )
        f.write("]}\n")
    return {"seconds": time.perf_counter() - started, "json_bytes": path.stat().st_size, "boxes": ann_id}


# ---- children: one measured step each --------------------------------------------------------------


class _Quiet:
    def progress(self, fraction: float, stage: str | None = None) -> None:
        return None

    def log(self, message: str, level: str = "info") -> None:
        return None

    def check_cancelled(self) -> None:
        return None


def child(args: argparse.Namespace) -> None:
    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.jobs.executor import run_job_inline
    from shelfscope.jobs.service import submit_job
    from shelfscope.od.exports import jobs as _exports  # noqa: F401  (registers od.export)
    from shelfscope.od.imports import jobs as _imports  # noqa: F401  (registers od.import)

    settings = Settings(
        data_dir=Path(args.data_dir), database_url=args.database_url, import_roots=[Path(args.source).parent]
    )
    ctx = AppContext.from_settings(settings, pooled=False)
    started = time.perf_counter()
    with ctx.db.writer() as session:
        if args.child == "import":
            payload: dict[str, Any] = {"format": "coco", "path": args.source, "dataset_name": "bench"}
            job = submit_job(session, ctx.runner, "od.imports.run", payload, None)
        else:
            job = submit_job(
                session, ctx.runner, "od.exports.run", {"dataset_id": 1, "format": args.child}, None
            )
    finished = run_job_inline(ctx.settings, ctx.db, ctx.storage, job.id)
    seconds = time.perf_counter() - started
    result = finished.result or {}
    out = {"status": finished.status, "error": finished.error, "seconds": seconds, "peak_kb": peak_kb()}
    if args.child == "import":
        out["annotations"] = result.get("annotations", {}).get("imported")
        out["images"] = result.get("images", {}).get("stored")
    else:
        out["size_bytes"] = result.get("size_bytes")
        out["annotations"] = result.get("annotations")
    print(json.dumps(out))


def _run_child(step: str, url: str, data_dir: Path, source: Path) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.io_bench", "--child", step, "--database-url", url,
        "--data-dir", str(data_dir), "--source", str(source),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    }
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != "succeeded":
        raise RuntimeError(f"{step} job {result['status']}: {result['error']}")
    return result


def _databases(kinds: list[str], workdir: Path) -> Any:
    """(name, url) per backend; PostgreSQL in a throwaway cluster."""
    from contextlib import ExitStack

    from tests.support.servers import postgres_cluster

    stack = ExitStack()
    out: list[tuple[str, str]] = []
    for kind in kinds:
        if kind == "sqlite":
            out.append(("sqlite", f"sqlite:///{workdir / 'bench.db'}"))
        elif kind == "postgres":
            server = stack.enter_context(postgres_cluster())
            name = f"iobench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            out.append(("postgres", f"{server}/{name}"))
    return stack, out


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument(
        "--datumaro", default=".bench/datumaro-venv/bin/python", help="python of a venv with datumaro"
    )
    parser.add_argument("--child", choices=["import", "yolo", "coco"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from shelfscope.db.migrate import upgrade

    print(f"machine: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="io-bench-"))
    try:
        source_root = workdir / "coco"
        made = generate(source_root, args.images, args.boxes, args.classes)
        print(
            f"generated {args.images:,} images x {args.boxes} boxes = {made['boxes']:,} boxes, "
            f"{args.classes} classes; JSON {made['json_bytes'] / 1e6:,.0f} MB in {made['seconds']:.1f} s"
        )
        rows: list[tuple[str, str, float, int, str]] = []
        stack, databases = _databases([d.strip() for d in args.db.split(",") if d.strip()], workdir)
        with stack:
            for name, url in databases:
                upgrade(url)
                data_dir = workdir / f"data-{name}"
                imported = _run_child("import", url, data_dir, source_root)
                assert imported["annotations"] == made["boxes"], imported
                rows.append(
                    (
                        name,
                        "import COCO",
                        imported["seconds"],
                        imported["peak_kb"],
                        f"{imported['annotations']:,} boxes",
                    )
                )
                for fmt in ("yolo", "coco"):
                    exported = _run_child(fmt, url, data_dir, source_root)
                    size = f"{exported['size_bytes'] / 1e6:,.0f} MB zip"
                    rows.append(
                        (name, f"export {fmt.upper()}", exported["seconds"], exported["peak_kb"], size)
                    )
                shutil.rmtree(data_dir, ignore_errors=True)
        datumaro: dict[str, Any] | None = None
        if Path(args.datumaro).exists():
            done = subprocess.run(
                [args.datumaro, "-c", _DATUMARO_SCRIPT, str(source_root), str(workdir / "dm-yolo")],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode == 0:
                datumaro = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append(
                    (
                        "files",
                        f"Datumaro {datumaro['version']} import",
                        datumaro["import_s"],
                        datumaro["peak_kb"],
                        "",
                    )
                )
                rows.append(
                    (
                        "files",
                        "Datumaro export YOLO",
                        datumaro["export_s"],
                        datumaro["peak_kb"],
                        "(same process)",
                    )
                )
            else:
                print(f"Datumaro failed: {done.stderr[-2000:]}")
        else:
            print(f"Datumaro not measured: {args.datumaro} does not exist (see the module docstring).")
        print()
        print(f"{'database':<10} {'step':<26} {'seconds':>8} {'peak memory':>12}  notes")
        for db, step, seconds, kb, note in rows:
            print(f"{db:<10} {step:<26} {seconds:>8.1f} {_mb(kb):>12}  {note}")
        if datumaro:
            print()
            for db, step, seconds, _, _ in rows:
                if step == "import COCO":
                    print(f"{db}: import takes {seconds / datumaro['import_s']:.2f}x Datumaro's time")
                if step == "export YOLO":
                    print(f"{db}: YOLO export takes {seconds / datumaro['export_s']:.2f}x Datumaro's time")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
