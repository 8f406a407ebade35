"""What every family's ONNX predictor shares: the onnxruntime session over an exported trained model
(CUDA when its provider is installed, else the CPU), the model's manifest, and its size for the
worker's model cache. Torch-free; onnxruntime is imported when a predictor is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelfscope.ml.trainers.base import ModelManifest


class OnnxModel:
    def __init__(self, key: str, onnx_file: Path, manifest: ModelManifest) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]

        self.key = key
        self.manifest = manifest
        self.size = manifest.input_size
        available = ort.get_available_providers()
        providers = [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]
        self.session: Any = ort.InferenceSession(str(onnx_file), providers=providers)
        self.input_name: str = self.session.get_inputs()[0].name
        self._bytes = onnx_file.stat().st_size

    @property
    def memory_bytes(self) -> int:
        return self._bytes
