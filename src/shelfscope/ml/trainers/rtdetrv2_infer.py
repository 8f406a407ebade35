"""Running a trained RT-DETRv2 model folder: the PyTorch predictor, the ONNX export and its predictor.

The folder (what the RT-DETRv2 trainer writes and the registry stores) is `save_pretrained` output of
`RTDetrV2ForObjectDetection` (`config.json` + `model.safetensors`, the manifest's `weights`) beside
`shelfscope-model.json`. Both predictors share one pre- and post-processing, so PyTorch and ONNX see
the same pixels and read the same outputs:
- the image, RGB, resized (squashed, no letterbox) to `input_size` x `input_size`, scaled to 0..1, then
  normalised with `extra["image_mean"]`/`extra["image_std"]` when the manifest gives them (RT-DETR's own
  processor does not normalise; that is the default here too);
- the TOP_K best (query, class) pairs by sigmoid score; boxes are normalised centre format, so multiplied
  by the image's own width and height they are its pixels. DETR models need no NMS.
The detector's `prompt_index` is the model's class index (labels are the manifest's class names):
auto-annotation maps it to the dataset class through the model's class mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from PIL import Image

from shelfscope.ml import runtime
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.common import LoadedDetector, centre_to_corners, detections, inference
from shelfscope.ml.trainers.base import ModelManifest
from shelfscope.ml.trainers.onnx import OnnxModel

ONNX_OPSET = 17
# (query, class) pairs kept per image before the threshold (the trainer's evaluation keeps as many).
TOP_K = 100
ONNX_INPUT = "pixel_values"
ONNX_OUTPUTS = ("logits", "pred_boxes")


def load_model(folder: Path, device: torch.device) -> Any:
    """The model in `folder`, in eval mode on `device`."""
    tf = runtime.load_transformers()
    return tf.RTDetrV2ForObjectDetection.from_pretrained(folder).to(device).eval()


def pixel_batch(images: Sequence[Image.Image], manifest: ModelManifest) -> npt.NDArray[np.float32]:
    """(N, 3, S, S) float32: each image squashed to the model's square input, 0..1, normalised when the
    manifest says how."""
    side = manifest.input_size
    arrays = []
    for image in images:
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        if rgb.size != (side, side):
            rgb = rgb.resize((side, side), Image.Resampling.BILINEAR)
        arrays.append(np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0)
    batch = np.stack(arrays)
    mean, std = manifest.extra.get("image_mean"), manifest.extra.get("image_std")
    if mean is not None and std is not None:
        batch = (batch - np.asarray(mean, np.float32)[:, None, None]) / np.asarray(std, np.float32)[
            :, None, None
        ]
    return np.ascontiguousarray(batch, dtype=np.float32)


def to_detections(
    logits: torch.Tensor,
    pred_boxes: torch.Tensor,
    images: Sequence[Image.Image],
    classes: Sequence[str],
    threshold: float,
) -> list[Detections]:
    """One Detections per image from the raw (N, Q, C) logits and (N, Q, 4) normalised boxes: the TOP_K
    best (query, class) pairs by sigmoid score, as RT-DETR post-processes (and as the trainer's
    evaluation does, so the registry shows the boxes the metrics were measured on)."""
    num_classes = logits.shape[-1]
    probs = logits.float().sigmoid().flatten(1)
    scores, top = probs.topk(min(TOP_K, probs.shape[1]), dim=1)
    query, label = top // num_classes, top % num_classes
    corners = centre_to_corners(pred_boxes.float())
    out = []
    for i, image in enumerate(images):
        scale = torch.tensor([image.width, image.height, image.width, image.height], dtype=torch.float32)
        chosen = corners[i][query[i]] * scale
        out.append(detections(chosen, scores[i], label[i], classes, image.size, threshold))
    return out


class RtDetrV2Predictor(LoadedDetector):
    """The PyTorch predictor of a trained folder (a Detector: prompts are ignored)."""

    def __init__(self, key: str, model: Any, manifest: ModelManifest, device: torch.device) -> None:
        super().__init__(key, model, None, device)
        self.manifest = manifest
        self.classes = list(manifest.classes)

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """The model's square input: the batch pipeline decodes straight to it."""
        return self.manifest.input_size, self.manifest.input_size

    def raw(self, images: Sequence[Image.Image]) -> tuple[torch.Tensor, torch.Tensor]:
        """The model's (logits, pred_boxes) for the images, on the CPU."""
        pixels = torch.from_numpy(pixel_batch(images, self.manifest)).to(self.device)
        with inference(), self.clock.timing():
            out = self.model(pixel_values=pixels)
        return out.logits.cpu(), out.pred_boxes.cpu()

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if not images:
            return []
        logits, boxes = self.raw(images)
        return to_detections(logits, boxes, images, self.classes, threshold)


def load_predictor(folder: Path, manifest: ModelManifest, device: torch.device) -> RtDetrV2Predictor:
    return RtDetrV2Predictor(f"rtdetrv2:{folder.name}", load_model(folder, device), manifest, device)


class _RawOutputs(torch.nn.Module):
    """The model as a plain tensor function, for the exporter: pixels in, (logits, boxes) out."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.model(pixel_values=pixel_values)
        return out.logits, out.pred_boxes


def export_onnx(folder: Path, manifest: ModelManifest, out: Path) -> None:
    """`out`: the model at its fixed square input size with a dynamic batch axis. The TorchScript
    exporter (dynamo=False), opset 17: the dynamo exporter fails on RT-DETRv2 (ml-stack.md section 6)."""
    model = load_model(folder, torch.device("cpu"))
    side = manifest.input_size
    sample = torch.zeros(1, 3, side, side, dtype=torch.float32)
    with torch.no_grad():
        torch.onnx.export(
            _RawOutputs(model),
            (sample,),
            str(out),
            input_names=[ONNX_INPUT],
            output_names=list(ONNX_OUTPUTS),
            dynamic_axes={ONNX_INPUT: {0: "batch"}, **{name: {0: "batch"} for name in ONNX_OUTPUTS}},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


class OnnxPredictor(OnnxModel):
    """The ONNX predictor: onnxruntime on the CPU (or CUDA when its provider is installed)."""

    def __init__(self, key: str, onnx_file: Path, manifest: ModelManifest) -> None:
        super().__init__(key, onnx_file, manifest)
        self.classes = list(manifest.classes)

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        return self.manifest.input_size, self.manifest.input_size

    def raw(self, images: Sequence[Image.Image]) -> tuple[torch.Tensor, torch.Tensor]:
        logits, boxes = self.session.run(list(ONNX_OUTPUTS), {ONNX_INPUT: pixel_batch(images, self.manifest)})
        return torch.from_numpy(np.asarray(logits)), torch.from_numpy(np.asarray(boxes))

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if not images:
            return []
        logits, boxes = self.raw(images)
        return to_detections(logits, boxes, images, self.classes, threshold)


def load_onnx_predictor(onnx_file: Path, manifest: ModelManifest) -> OnnxPredictor:
    return OnnxPredictor(f"rtdetrv2-onnx:{onnx_file.stem}", onnx_file, manifest)
