"""YOLO-NAS trainer process: runs inside the YOLO-NAS environment (super-gradients, its own torch), never
in the server's. Imports only the standard library, torch, super_gradients, numpy, PIL, pycocotools and
protocol.py (loaded by file path: the shelfscope package is not installed in that environment).

    ENV/bin/python yolo_nas_child.py REQUEST.json

Trains YOLO-NAS S/M/L from scratch (or from `init_weights`) on the YOLO-layout export with a plain
loop (AdamW, warmup then the run's schedule, PPYoloELoss), validates every epoch (val loss, and mAP50 /
mAP50-95 by pycocotools on per-class-NMS predictions), writes `last.pt` every epoch and `best.pt` when
val mAP50-95 rose, waits for the parent's "ok" after each checkpoint message, and at the end exports the
best weights to `model.onnx` (decoded boxes and scores, no NMS) into the model folder.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("shelfscope_trainer_protocol", _HERE / "protocol.py")
assert _spec is not None and _spec.loader is not None
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)

_cancelled = False


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(protocol.encode(message) + "\n")
    sys.stdout.flush()


def log(message: str, level: str = "info") -> None:
    send({"type": "log", "message": message, "level": level})


def _on_sigterm(signum: int, frame: Any) -> None:
    global _cancelled
    _cancelled = True


def _torchvision_fallback() -> None:
    """torchvision's compiled ops don't load beside a CPU-only torch they weren't built for; register a
    pure-torch nms/qnms under the same op names before anything imports torchvision (as ml/runtime.py
    does in the main environment)."""
    import importlib

    import torch

    try:
        importlib.import_module("torchvision")
        return
    except RuntimeError as error:
        if "torchvision::nms" not in str(error):
            raise
    for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
        del sys.modules[name]
    lib = torch.library.Library("torchvision", "DEF")  # type: ignore[no-untyped-call]
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")  # type: ignore[no-untyped-call]
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")  # type: ignore[no-untyped-call]
    lib.impl("nms", nms, "CPU")  # type: ignore[no-untyped-call]
    lib.impl("qnms", lambda d, s, t: nms(d.dequantize(), s.dequantize(), t), "CPU")  # type: ignore[no-untyped-call]
    globals()["_fallback_lib"] = lib
    importlib.import_module("torchvision")
    boxes = importlib.import_module("torchvision.ops.boxes")
    boxes._assert_has_ops = lambda: None  # type: ignore[attr-defined]


def nms(boxes: Any, scores: Any, iou_threshold: float) -> Any:
    """shelfscope.ml.runtime.nms, repeated: this environment has no shelfscope package to import it from."""
    import torch

    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.long, device=boxes.device)
    boxes = boxes.float()
    areas = (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)
    top_left = torch.maximum(boxes[:, None, :2], boxes[None, :, :2])
    bottom_right = torch.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    iou = inter / (areas[:, None] + areas[None, :] - inter).clamp(min=1e-12)
    suppressed = torch.zeros(len(boxes), dtype=torch.bool, device=boxes.device)
    keep: list[int] = []
    for index in scores.argsort(descending=True).tolist():
        if suppressed[index]:
            continue
        keep.append(index)
        suppressed |= iou[index] > iou_threshold
    return torch.tensor(keep, dtype=torch.long, device=boxes.device)


# --- data ---------------------------------------------------------------------------------------

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def split_items(root: Path, split: str) -> list[tuple[Path, list[list[float]]]]:
    """(image, [[class, cx, cy, w, h] normalised]) for one split of the YOLO layout."""
    images = root / "images" / split
    if not images.is_dir():
        return []
    items = []
    for image in sorted(p for p in images.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES):
        label = root / "labels" / split / f"{image.stem}.txt"
        rows = []
        if label.is_file():
            for line in label.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) >= 5:
                    rows.append([float(v) for v in parts[:5]])
        items.append((image, rows))
    return items


def load_batch(items: list[tuple[Path, list[list[float]]]], size: int, flip: bool) -> tuple[Any, Any]:
    """Images resized to size x size, RGB / 255, and targets (N, 6): image index, class, cx, cy, w, h
    in input pixels (what PPYoloELoss reads)."""
    import numpy as np
    import torch
    from PIL import Image

    arrays, targets = [], []
    for index, (path, rows) in enumerate(items):
        with Image.open(path) as opened:
            image = opened.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
        array = np.asarray(image, dtype=np.float32) / 255.0
        mirrored = flip and random.random() < 0.5
        if mirrored:
            array = array[:, ::-1]
        arrays.append(array.transpose(2, 0, 1).copy())
        for cls, cx, cy, w, h in rows:
            cx = 1.0 - cx if mirrored else cx
            targets.append([index, cls, cx * size, cy * size, w * size, h * size])
    batch = torch.from_numpy(np.stack(arrays))
    target = torch.tensor(targets, dtype=torch.float32).reshape(-1, 6)
    return batch, target


# --- schedule, evaluation -----------------------------------------------------------------------


def lr_factor(config: dict[str, Any], step: int, steps_per_epoch: int) -> float:
    total = max(1, int(config["epochs"]) * steps_per_epoch)
    warmup = int(float(config["warmup_epochs"]) * steps_per_epoch)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    scheduler = config["scheduler"]
    if scheduler == "cosine":
        return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress))
    if scheduler == "linear":
        return 1.0 - 0.99 * progress
    if scheduler == "step":
        return 0.1 if progress >= 2 / 3 else 1.0
    return 1.0


def decode_predictions(boxes: Any, scores: Any, threshold: float = 0.01) -> list[tuple[Any, Any, Any]]:
    """Per image: (xyxy boxes, scores, classes) after per-class NMS, at most 300."""
    import torch

    results = []
    for image_boxes, image_scores in zip(boxes, scores, strict=True):
        anchors, classes = torch.nonzero(image_scores >= threshold, as_tuple=True)
        kept = image_scores[anchors, classes]
        order = kept.argsort(descending=True)[:1000]
        anchors, classes, kept = anchors[order], classes[order], kept[order]
        candidates = image_boxes[anchors]
        offset = candidates + classes[:, None].float() * (candidates.max() + 1 if len(candidates) else 0)
        keep = nms(offset, kept, 0.7)[:300]
        results.append((candidates[keep], kept[keep], classes[keep]))
    return results


def coco_map(
    items: list[tuple[Path, list[list[float]]]], predictions: list[Any], size: int, classes: int
) -> tuple[float, float]:
    """(mAP50, mAP50-95) by pycocotools, in input pixels (the same scale for truth and predictions)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    detections: list[dict[str, Any]] = []
    for number, ((_, rows), (boxes, scores, labels)) in enumerate(
        zip(items, predictions, strict=True), start=1
    ):
        images.append({"id": number, "width": size, "height": size})
        for cls, cx, cy, w, h in rows:
            box = [(cx - w / 2) * size, (cy - h / 2) * size, w * size, h * size]
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": number,
                    "category_id": int(cls),
                    "bbox": box,
                    "area": box[2] * box[3],
                    "iscrowd": 0,
                }
            )
        for (x1, y1, x2, y2), score, label in zip(
            boxes.tolist(), scores.tolist(), labels.tolist(), strict=True
        ):
            detections.append(
                {
                    "image_id": number,
                    "category_id": int(label),
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "score": score,
                }
            )
    if not annotations or not detections:
        return 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        document: dict[str, Any] = {
            "images": images,
            "annotations": annotations,
            "categories": [{"id": i, "name": str(i), "supercategory": ""} for i in range(classes)],
        }
        truth.dataset = document  # type: ignore[assignment]
        truth.createIndex()
        found = truth.loadRes(detections)
        evaluation = COCOeval(truth, found, "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    stats = evaluation.stats
    return max(0.0, float(stats[1])), max(0.0, float(stats[0]))


# --- the run ------------------------------------------------------------------------------------


def wait_ack() -> None:
    """Block until the parent has copied the checkpoint it was told about."""
    answer = sys.stdin.readline()
    if answer.strip() != "ok":
        raise RuntimeError(f"parent did not acknowledge the checkpoint ({answer.strip()!r})")


def checkpoint(path: Path, epoch: int, best: bool) -> None:
    send({"type": "checkpoint", "path": str(path), "epoch": epoch, "best": best})
    wait_ack()


def check_cancel() -> None:
    if _cancelled:
        send({"type": "error", "message": "cancelled"})
        sys.stdout.flush()
        sys.exit(protocol.CANCELLED_EXIT_CODE)


def run(request: dict[str, Any]) -> dict[str, Any]:
    import torch

    _torchvision_fallback()
    with contextlib.redirect_stdout(sys.stderr):
        from super_gradients.common.object_names import Models  # type: ignore[import-not-found]
        from super_gradients.training import models  # type: ignore[import-not-found]
        from super_gradients.training.losses import PPYoloELoss  # type: ignore[import-not-found]

    config, data = request["config"], request["data"]
    random.seed(config["seed"])
    torch.manual_seed(config["seed"])
    device_name = config["device"]
    if device_name == "auto":
        device_name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device_name)
    classes = len(data["classes"])
    size = int(config["image_size"])
    work_dir = Path(request["work_dir"])
    work_dir.mkdir(parents=True, exist_ok=True)
    model_folder = Path(request["model_folder"])

    with contextlib.redirect_stdout(sys.stderr):
        model = models.get(getattr(Models, request["model"]), num_classes=classes, pretrained_weights=None)
    if request.get("init_weights"):
        state = torch.load(request["init_weights"], map_location="cpu", weights_only=False)
        state = state.get("net", state.get("model", state)) if isinstance(state, dict) else state
        if not isinstance(state, dict):
            raise ValueError("init weights: expected a state dict")
        own = model.state_dict()
        usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(usable, strict=False)
        log(f"Initialised {len(usable)} of {len(own)} tensors from {Path(request['init_weights']).name}")
    model.to(device)
    criterion = PPYoloELoss(num_classes=classes, reg_max=16, use_static_assigner=False)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config["learning_rate"], weight_decay=config["weight_decay"]
    )

    root = Path(data["root"])
    train_items = split_items(root, "train")
    val_items = split_items(root, "val")
    batch_size = int(config["batch_size"])
    steps_per_epoch = max(1, math.ceil(len(train_items) / batch_size))
    flip = config["augmentation"] != "none"

    start_epoch, best, best_epoch, stale = 1, -1.0, 0, 0
    resume = request.get("resume")
    if resume:
        state = torch.load(resume["checkpoint"], map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch = int(resume["next_epoch"])
        best_file = work_dir / "best.pt"
        if best_file.is_file():
            best, best_epoch, stale = state["best"], state["best_epoch"], state.get("stale", 0)
        log(f"Resumed from {Path(resume['checkpoint']).name} at epoch {start_epoch}")

    epochs = int(config["epochs"])
    patience = config.get("patience")
    last_epoch = start_epoch - 1
    stopped_early = False
    for epoch in range(start_epoch, epochs + 1):
        started = time.perf_counter()
        model.train()
        order = list(range(len(train_items)))
        random.shuffle(order)
        losses = []
        for step in range(steps_per_epoch):
            factor = lr_factor(config, (epoch - 1) * steps_per_epoch + step, steps_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = config["learning_rate"] * factor
            chosen = [train_items[i] for i in order[step * batch_size : (step + 1) * batch_size]]
            images, targets = load_batch(chosen, size, flip)
            loss = criterion(model(images.to(device)), targets.to(device))[0]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            optimizer.step()
            losses.append(float(loss))
            send(
                {
                    "type": "step",
                    "epoch": epoch,
                    "step": step + 1,
                    "steps": steps_per_epoch,
                    "loss": float(loss),
                    "lr": optimizer.param_groups[0]["lr"],
                }
            )
            check_cancel()

        model.eval()
        val_losses, predictions = [], []
        with torch.no_grad():
            for start in range(0, len(val_items), batch_size):
                chosen = val_items[start : start + batch_size]
                images, targets = load_batch(chosen, size, False)
                outputs = model(images.to(device))
                val_losses.append(float(criterion(outputs, targets.to(device))[0]))
                (boxes, scores), _ = outputs
                predictions.extend(decode_predictions(boxes.cpu(), scores.cpu()))
                check_cancel()
        map50, map50_95 = coco_map(val_items, predictions, size, classes)
        send(
            {
                "type": "epoch",
                "epoch": epoch,
                "train_loss": sum(losses) / len(losses),
                "val_loss": sum(val_losses) / len(val_losses) if val_losses else None,
                "map50": map50,
                "map50_95": map50_95,
                "learning_rate": optimizer.param_groups[0]["lr"],
                "seconds": time.perf_counter() - started,
            }
        )
        last_epoch = epoch
        improved = map50_95 > best
        if improved:
            best, best_epoch, stale = map50_95, epoch, 0
        else:
            stale += 1
        last = work_dir / "last.pt"
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch,
                "best": best,
                "best_epoch": best_epoch,
                "stale": stale,
            },
            last,
        )
        checkpoint(last, epoch, best=False)
        if improved:
            torch.save(
                {"model": model.state_dict(), "epoch": epoch, "map50_95": map50_95}, work_dir / "best.pt"
            )
            checkpoint(work_dir / "best.pt", epoch, best=True)
        if patience is not None and stale >= int(patience) and epoch < epochs:
            log(f"No better val mAP50-95 for {stale} epochs: stopping early")
            stopped_early = True
            break

    best_state = torch.load(work_dir / "best.pt", map_location="cpu", weights_only=False)
    model.load_state_dict(best_state["model"])
    model_folder.mkdir(parents=True, exist_ok=True)
    torch.save(best_state["model"], model_folder / "model.pt")
    export_onnx(model, size, model_folder / "model.onnx")
    return {
        "type": "done",
        "model_folder": str(model_folder),
        "best_epoch": best_epoch,
        "epochs_run": last_epoch,
        "stopped_early": stopped_early,
    }


def export_onnx(model: Any, size: int, out: Path) -> None:
    """Decoded boxes (x1 y1 x2 y2, input pixels) and sigmoid scores per anchor; NMS stays outside."""
    import torch

    model = model.cpu().eval()
    model.prep_model_for_conversion(input_size=[1, 3, size, size])
    dummy = torch.zeros(1, 3, size, size)
    with contextlib.redirect_stdout(sys.stderr):
        torch.onnx.export(
            model,
            (dummy,),
            str(out),
            dynamo=False,
            opset_version=17,
            input_names=["images"],
            output_names=["boxes", "scores"],
        )


def main() -> int:
    signal.signal(signal.SIGTERM, _on_sigterm)
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    try:
        done = run(request)
    except SystemExit:
        raise
    except BaseException as error:  # everything the parent should see as the run's error
        send({"type": "error", "message": f"{type(error).__name__}: {error}"})
        raise
    send(done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
