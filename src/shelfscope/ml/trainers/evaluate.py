"""Detection metrics on a split: COCO mAP50 and mAP50-95 (faster-coco-eval, the same numbers as
pycocotools), per-class AP, the precision/recall curve at IoU 0.5, precision and recall at a working
score threshold, and a confusion matrix (rows: ground truth, columns: prediction, "background" last).

Ground truth and detections use COCO category ids = model class index + 1, as the exporter writes them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shelfscope.ml.trainers.base import TrainData

# Precision, recall and the confusion matrix count detections at or above this score.
SCORE_THRESHOLD = 0.25
IOU_MATCH = 0.5


def split_ground_truth(data: TrainData, split: str) -> tuple[dict[str, Any], dict[int, Path]]:
    """The split's COCO ground truth and each image id's file (COCO or YOLO layout)."""
    if data.format == "coco":
        folder = data.root / {"train": "train", "val": "valid", "test": "test"}[split]
        gt = json.loads((folder / "_annotations.coco.json").read_text(encoding="utf-8"))
        return gt, {int(im["id"]): folder / im["file_name"] for im in gt["images"]}
    from PIL import Image

    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    paths: dict[int, Path] = {}
    folder = data.root / "images" / split
    for n, path in enumerate(sorted(folder.iterdir()) if folder.is_dir() else [], 1):
        with Image.open(path) as im:
            width, height = im.size
        images.append({"id": n, "file_name": path.name, "width": width, "height": height})
        paths[n] = path
        label = data.root / "labels" / split / (path.stem + ".txt")
        lines = label.read_text(encoding="utf-8").splitlines() if label.is_file() else []
        for line in lines:
            parts = line.split()
            if len(parts) < 5:
                continue
            cls, cx, cy, w, h = int(parts[0]), *(float(v) for v in parts[1:5])
            box = [(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height]
            annotations.append(
                {"id": len(annotations) + 1, "image_id": n, "category_id": cls + 1, "bbox": box,
                 "area": box[2] * box[3], "iscrowd": 0}
            )  # fmt: skip
    categories = [{"id": i + 1, "name": name} for i, name in enumerate(data.classes)]
    return {"images": images, "annotations": annotations, "categories": categories}, paths


def _iou(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """IoU matrix of xyxy boxes a (N, 4) and b (M, 4)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).clip(0).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).clip(0).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def _xyxy(bbox: Sequence[float]) -> list[float]:
    x, y, w, h = bbox
    return [x, y, x + w, y + h]


def _matches(gt: dict[str, Any], detections: Sequence[dict[str, Any]], classes: int) -> dict[str, Any]:
    """Greedy IoU >= 0.5 matching at SCORE_THRESHOLD: the confusion matrix (class-agnostic matching)
    and per-class true positives, detections and ground-truth counts (class-aware)."""
    confusion = np.zeros((classes + 1, classes + 1), dtype=np.int64)
    tp = np.zeros(classes, np.int64)
    det_count = np.zeros(classes, np.int64)
    gt_count = np.zeros(classes, np.int64)
    by_image_gt: dict[int, list[dict[str, Any]]] = {}
    for a in gt["annotations"]:
        if not a.get("iscrowd"):
            by_image_gt.setdefault(int(a["image_id"]), []).append(a)
    by_image_det: dict[int, list[dict[str, Any]]] = {}
    for d in detections:
        if d["score"] >= SCORE_THRESHOLD:
            by_image_det.setdefault(int(d["image_id"]), []).append(d)
    for image in gt["images"]:
        gts = by_image_gt.get(int(image["id"]), [])
        dets = sorted(by_image_det.get(int(image["id"]), []), key=lambda d: -d["score"])
        g_cls = np.array([int(a["category_id"]) - 1 for a in gts], np.int64)
        d_cls = np.array([int(d["category_id"]) - 1 for d in dets], np.int64)
        np.add.at(gt_count, g_cls, 1)
        np.add.at(det_count, d_cls, 1)
        if not gts or not dets:
            np.add.at(confusion, (g_cls, np.full(len(g_cls), classes)), 1)
            np.add.at(confusion, (np.full(len(d_cls), classes), d_cls), 1)
            continue
        ious = _iou(
            np.array([_xyxy(d["bbox"]) for d in dets], np.float64),
            np.array([_xyxy(a["bbox"]) for a in gts], np.float64),
        )
        # Class-aware true positives: each detection (best score first) takes its best free same-class GT.
        taken = np.zeros(len(gts), bool)
        for i in range(len(dets)):
            candidates = np.where((g_cls == d_cls[i]) & ~taken & (ious[i] >= IOU_MATCH))[0]
            if len(candidates):
                taken[candidates[np.argmax(ious[i, candidates])]] = True
                tp[d_cls[i]] += 1
        # Confusion: class-agnostic, highest IoU pairs first.
        used_d, used_g = set(), set()
        for flat in np.argsort(-ious, axis=None):
            i, j = np.unravel_index(flat, ious.shape)
            if ious[i, j] < IOU_MATCH:
                break
            if i in used_d or j in used_g:
                continue
            used_d.add(int(i))
            used_g.add(int(j))
            confusion[g_cls[j], d_cls[i]] += 1
        for j in range(len(gts)):
            if j not in used_g:
                confusion[g_cls[j], classes] += 1
        for i in range(len(dets)):
            if i not in used_d:
                confusion[classes, d_cls[i]] += 1
    return {"confusion": confusion, "tp": tp, "det": det_count, "gt": gt_count}


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def coco_metrics(
    gt: dict[str, Any], detections: Sequence[dict[str, Any]], names: Sequence[str]
) -> dict[str, Any]:
    """All the metrics of one split. `detections`: [{image_id, category_id, bbox: xywh, score}]."""
    from faster_coco_eval import COCO, COCOeval_faster  # type: ignore[import-untyped]

    classes = len(names)
    ap50 = np.zeros(classes)
    ap = np.zeros(classes)
    curve = np.zeros(101)
    stats = [0.0, 0.0]
    has_gt = bool(gt["annotations"])
    if detections and has_gt:
        coco_gt = COCO(gt)
        coco_dt = coco_gt.loadRes([dict(d) for d in detections])
        ev = COCOeval_faster(coco_gt, coco_dt, "bbox", print_function=lambda *_: None)
        ev.params.catIds = [i + 1 for i in range(classes)]
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        stats = [float(ev.stats[0]), float(ev.stats[1])]
        precision = np.asarray(ev.eval["precision"])  # [T, R, K, A, M]
        p_all = precision[:, :, :, 0, -1]
        for k in range(classes):
            p = p_all[:, :, k]
            ap[k] = float(p[p > -1].mean()) if (p > -1).any() else 0.0
            p50 = p[0]
            ap50[k] = float(p50[p50 > -1].mean()) if (p50 > -1).any() else 0.0
        p50_all = p_all[0]  # [R, K]
        valid = p50_all > -1
        counts = valid.sum(axis=1)
        curve = np.where(counts > 0, np.where(valid, p50_all, 0).sum(axis=1) / np.maximum(counts, 1), 0.0)
    m = _matches(gt, detections, classes)
    per_class = [
        {
            "index": k,
            "name": names[k],
            "ap50": round(float(ap50[k]), 6),
            "ap50_95": round(float(ap[k]), 6),
            "precision": round(_ratio(m["tp"][k], m["det"][k]), 6),
            "recall": round(_ratio(m["tp"][k], m["gt"][k]), 6),
            "instances": int(m["gt"][k]),
        }
        for k in range(classes)
    ]
    return {
        "map50_95": round(max(stats[0], 0.0), 6),
        "map50": round(max(stats[1], 0.0), 6),
        "precision": round(_ratio(m["tp"].sum(), m["det"].sum()), 6),
        "recall": round(_ratio(m["tp"].sum(), m["gt"].sum()), 6),
        "per_class": per_class,
        "pr_curve": {
            "iou": IOU_MATCH,
            "recall": [round(r, 2) for r in np.linspace(0, 1, 101).tolist()],
            "precision": [round(float(p), 6) for p in curve],
        },
        "confusion": {
            "labels": [*names, "background"],
            "matrix": m["confusion"].tolist(),
            "score_threshold": SCORE_THRESHOLD,
            "iou": IOU_MATCH,
        },
        "images": len(gt["images"]),
        "instances": int(m["gt"].sum()),
    }


def evaluate_folder(folder: Path, data: TrainData, split: str, device: str = "cpu") -> dict[str, Any]:
    """Run a trained model folder's predictor over a split and score it."""
    import torch
    from PIL import Image

    from shelfscope.ml.trainers.families import load_predictor

    predictor = load_predictor(folder, torch.device(device))
    gt, paths = split_ground_truth(data, split)
    index = {name: i for i, name in enumerate(data.classes)}
    detections: list[dict[str, Any]] = []
    for image_id, path in paths.items():
        with Image.open(path) as im:
            rgb = im.convert("RGB")
        (found,) = predictor.predict([rgb], [], 0.001)
        for box, score, label in zip(found.boxes, found.scores, found.labels, strict=True):
            if label not in index:
                continue
            x1, y1, x2, y2 = (float(v) for v in box)
            detections.append(
                {"image_id": image_id, "category_id": index[label] + 1, "bbox": [x1, y1, x2 - x1, y2 - y1],
                 "score": float(score)}
            )  # fmt: skip
    return coco_metrics(gt, detections, list(data.classes))
