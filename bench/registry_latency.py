"""Registry inference latency per image: a trained model folder through its PyTorch predictor and through
its checked ONNX export (onnxruntime), on real photos from ../shared/data, one image per call (what the
test-inference panel does), after two warm-up calls. Also the export's time and its parity figures.

Without `--folder`, an RT-DETRv2 with random weights is built at the given size: `--size r18` (ResNet-18
basic blocks, d_model 256, 3 decoder layers, 300 queries: RT-DETRv2-S compute) or `--size tiny` (the
test model). Random weights cost the same compute as trained ones, but say nothing about parity: a
random-init r18's hybrid encoder outputs are around 1e-7 (everything after it is rounding noise), so the
parity line is meaningful for a trained `--folder` (and for the tiny model) only.

    python -m bench.registry_latency --size r18 --input 640 --images 20
    python -m bench.registry_latency --folder DATA/cache/trained/3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image as PILImage
from tests.support.app import SHARED_DATA
from tests.support.trained_models import write_tiny_rtdetrv2

from bench.common import machine, percentiles
from shelfscope.ml import runtime
from shelfscope.ml.trainers import families
from shelfscope.ml.trainers.base import ModelManifest
from shelfscope.od.trained_models.runs import check_parity

CLASSES = ["cola", "fanta", "sprite"]


def write_r18(folder: Path, input_size: int) -> None:
    tf = runtime.load_transformers()
    backbone = tf.RTDetrResNetConfig(
        layer_type="basic",
        depths=[2, 2, 2, 2],
        hidden_sizes=[64, 128, 256, 512],
        embedding_size=64,
        out_features=["stage2", "stage3", "stage4"],
    )
    config = tf.RTDetrV2Config(
        backbone_config=backbone,
        encoder_in_channels=[128, 256, 512],
        decoder_layers=3,
        num_labels=len(CLASSES),
        use_pretrained_backbone=False,
    )
    tf.RTDetrV2ForObjectDetection(config).eval().save_pretrained(folder)
    ModelManifest("rtdetrv2-r18", "rtdetrv2", CLASSES, input_size, "model.safetensors").write(folder)


def timed(predict: object, photos: list[PILImage.Image]) -> list[float]:
    samples = []
    for i, photo in enumerate([photos[0], photos[0], *photos]):
        started = time.perf_counter()
        predict.predict([photo], [], 0.05)  # type: ignore[attr-defined]
        if i >= 2:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--size", choices=["tiny", "r18"], default="r18")
    parser.add_argument("--input", type=int, default=640)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = runtime.pick_device(args.device)
    photos = [
        PILImage.open(p).convert("RGB")
        for p in sorted((SHARED_DATA / "detection" / "raccoon" / "images").glob("*.jpg"))[: args.images]
    ]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder
        if folder is None:
            folder = Path(scratch) / "model"
            folder.mkdir()
            if args.size == "r18":
                write_r18(folder, args.input)
            else:
                write_tiny_rtdetrv2(folder, CLASSES, args.input)
        onnx_file = Path(scratch) / "model.onnx"
        started = time.perf_counter()
        families.export_onnx(folder, onnx_file)
        export_s = time.perf_counter() - started
        pytorch = families.load_predictor(folder, device)
        onnx = families.load_onnx_predictor(folder, onnx_file)
        parity = check_parity(families.load_predictor(folder, torch.device("cpu")), onnx, photos[0])
        manifest = ModelManifest.read(folder)
        print(f"machine: {machine()}")
        print(
            f"model: {manifest.architecture} at {manifest.input_size}px, "
            f"{len(photos)} photos, device {device}"
        )
        print(f"export: {export_s:.1f}s, {onnx_file.stat().st_size / 1e6:.1f} MB")
        print(
            f"parity: max |diff| {parity.max_abs_diff:.2e}, lowest box IoU {parity.box_iou_min:.4f} "
            f"over {parity.boxes_compared} boxes, problems: {parity.problems or 'none'}"
        )
        print(f"pytorch per image: {percentiles(timed(pytorch, photos))}")
        print(f"onnx per image:    {percentiles(timed(onnx, photos))}")


if __name__ == "__main__":
    main()
