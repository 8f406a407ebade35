"""The registry's jobs: `od.models.inference.run` (one image, interactive: the detail page's test panel)
and `od.models.export.run` (ONNX export with its parity check, on the ml queue). Torch is imported
inside the handlers only: the server loads this module to validate payloads."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.trained_models.schemas import EXPORT_KIND, INFERENCE_KIND, ExportPayload, InferencePayload


@job_handler(INFERENCE_KIND, payload=InferencePayload, queue="interactive")
def run_inference(ctx: JobContext, payload: InferencePayload) -> dict[str, Any]:
    from shelfscope.od.trained_models.runs import infer

    return infer(ctx, payload).model_dump(mode="json")


@job_handler(EXPORT_KIND, payload=ExportPayload, queue="ml")
def run_export(ctx: JobContext, payload: ExportPayload) -> dict[str, Any]:
    from shelfscope.od.trained_models.runs import export_onnx

    return export_onnx(ctx, payload)
