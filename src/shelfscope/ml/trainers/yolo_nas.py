"""YOLO-NAS (super-gradients 3.7.1) in an environment of its own, trained as a subprocess.

super-gradients pins numpy<=1.23, onnx 1.15, protobuf 3.20 and torchmetrics 0.8, none of which the main
environment can take, so it gets a venv under the data folder (`DATA_DIR/envs/yolo-nas/`), installed by
`shelfscope trainers install yolo-nas` or the install job: the same torch as the main environment (pinned
by a constraints file, so pip never swaps it), super-gradients with `--no-deps`, then the packages it
really imports, with the pins relaxed where Python 3.11 can't meet them (ml-stack notes, 3b). A marker
file holds the hash of that requirement list: an env whose marker matches is installed; anything else is
rebuilt.

The trainer runs `yolo_nas_child.py` with that env's python and speaks protocol.py with it
(subprocess.py). The child exports `model.onnx` into the model folder at the end; this environment has
no super-gradients, so the predictor runs that ONNX file with onnxruntime.

Deci's pretrained YOLO-NAS weights carry a non-commercial licence: runs train from scratch by default,
and `pretrained: true` needs the user's own weights file in `DATA_DIR/models/<weights_key>/`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from shelfscope.errors import Conflict
from shelfscope.ml.detections import Detections
from shelfscope.ml.trainers.base import (
    ModelManifest,
    Resume,
    TrainConfig,
    TrainData,
    TrainEvents,
    TrainOutcome,
)
from shelfscope.ml.trainers.catalogue import Architecture
from shelfscope.ml.trainers.onnx import OnnxModel

if TYPE_CHECKING:
    from shelfscope.config import Settings

FAMILY = "yolo-nas"
ONNX_FILE = "model.onnx"
WEIGHTS_FILE = "model.pt"
CHILD_SCRIPT = Path(__file__).with_name("yolo_nas_child.py")
# The setting (Settings.yolo_nas_env) that says where the env lives; the test suite points it at the
# env `make yolo-nas-env` installed once.
ENV_VARIABLE = "SHELFSCOPE_YOLO_NAS_ENV"
MARKER = ".shelfscope-requirements"

TORCH_PINS = ("torch==2.13.0", "torchvision==0.28.0")
SUPER_GRADIENTS = "super-gradients==3.7.1"
# What super-gradients imports, installed beside it (its own pins can't all be met on Python 3.11).
REQUIREMENTS = (
    "tqdm",
    "boto3",
    "jsonschema",
    "Deprecated",
    "scipy",
    "matplotlib",
    "psutil",
    "hydra-core",
    "omegaconf",
    "pillow",
    "einops==0.3.2",
    "treelib==1.6.1",
    "termcolor==1.1.0",
    "packaging",
    "pygments",
    "stringcase",
    "numpy<2",
    "rapidfuzz",
    "json-tricks==3.16.1",
    "albumentations~=1.3.0",
    "onnx",
    "onnxruntime",
    "onnxsim",
    "torchmetrics",
    "protobuf",
    "tensorboard",
    "wheel",
    "data-gradients~=0.3.1",
    "setuptools<81",
    "requests",
    "imagesize",
    "pycocotools",
)
_SIZES = {"s": "YOLO_NAS_S", "m": "YOLO_NAS_M", "l": "YOLO_NAS_L"}


class TrainerEnvMissing(Conflict):
    """The YOLO-NAS environment is not installed (or is out of date)."""


def requirements_hash() -> str:
    text = "\n".join([sys.version.split()[0], *TORCH_PINS, SUPER_GRADIENTS, *REQUIREMENTS])
    return hashlib.sha256(text.encode()).hexdigest()


def env_dir(settings: Settings) -> Path:
    return settings.yolo_nas_env or settings.data_dir / "envs" / FAMILY


def env_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def is_installed(folder: Path) -> bool:
    marker = folder / MARKER
    return (
        env_python(folder).is_file()
        and marker.is_file()
        and marker.read_text().strip() == requirements_hash()
    )


def install_env(folder: Path, log: Callable[[str], None] = print) -> bool:
    """Create the env at `folder` unless an up-to-date one is there; True when it installed. The marker
    is written last, so an interrupted install is never taken for a finished one."""
    if is_installed(folder):
        log(f"YOLO-NAS environment is up to date at {folder}")
        return False
    if folder.exists():
        log(f"Removing the outdated or incomplete environment at {folder}")
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", str(folder)], log)
    constraints = folder / "constraints.txt"
    constraints.write_text("\n".join(TORCH_PINS) + "\n", encoding="utf-8")
    pip = [str(env_python(folder)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, TORCH_PINS[0]], log)
    _run([*pip, "-c", str(constraints), TORCH_PINS[1]], log)
    _run([*pip, "--no-deps", SUPER_GRADIENTS], log)
    _run([*pip, "-c", str(constraints), *REQUIREMENTS], log)
    (folder / MARKER).write_text(requirements_hash() + "\n", encoding="utf-8")
    log(f"YOLO-NAS environment installed at {folder}")
    return True


def _run(command: list[str], log: Callable[[str], None]) -> None:
    log("$ " + " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{command[2:5]} failed with exit code {done.returncode}:\n{tail}")


def require_env(settings: Settings) -> Path:
    folder = env_dir(settings)
    if not is_installed(folder):
        raise TrainerEnvMissing(
            "The YOLO-NAS environment is not installed: run `shelfscope trainers install yolo-nas` "
            "(or install it from the training page as an admin).",
            family=FAMILY,
            folder=str(folder),
        )
    return folder


def user_weights(architecture: Architecture, settings: Settings) -> Path:
    """Pretrained YOLO-NAS weights the user supplied (Deci's are non-commercial and never fetched)."""
    folder = settings.resolved_models_dir / architecture.weights_key
    found = sorted([*folder.glob("*.pth"), *folder.glob("*.pt")]) if folder.is_dir() else []
    if not found:
        raise TrainerEnvMissing(
            f"No YOLO-NAS weights in {folder}. Deci's pretrained weights are under a non-commercial licence "
            "and are not downloaded; copy a weights file you may use there, or train from scratch "
            "(pretrained: false).",
            architecture=architecture.key,
            folder=str(folder),
        )
    return found[0]


class YoloNasTrainer:
    def __init__(self, architecture: Architecture, settings: Settings) -> None:
        self.architecture = architecture
        self.settings = settings

    def request(
        self, data: TrainData, config: TrainConfig, work_dir: Path, resume: Resume | None
    ) -> dict[str, Any]:
        """The child's REQUEST.json (protocol.py), plus the model to build and where to start from."""
        init: str | None = None
        if config.init_folder is not None:
            init = str(config.init_folder / WEIGHTS_FILE)
        elif config.pretrained:
            init = str(user_weights(self.architecture, self.settings))
        values = {name: getattr(config, name) for name in config.__slots__}
        values["init_folder"] = None
        return {
            "data": {
                "root": str(data.root),
                "format": data.format,
                "classes": list(data.classes),
                "train_images": data.train_images,
                "val_images": data.val_images,
                "test_images": data.test_images,
            },
            "config": values,
            "work_dir": str(work_dir),
            "resume": None
            if resume is None
            else {"checkpoint": str(resume.checkpoint), "next_epoch": resume.next_epoch},
            "model": _SIZES[self.architecture.size],
            "init_weights": init,
            "model_folder": str(work_dir / "model"),
        }

    def train(
        self,
        data: TrainData,
        config: TrainConfig,
        events: TrainEvents,
        work_dir: Path,
        resume: Resume | None,
    ) -> TrainOutcome:
        from shelfscope.ml.trainers.subprocess import run_child

        folder = require_env(self.settings)
        work_dir.mkdir(parents=True, exist_ok=True)
        request = self.request(data, config, work_dir, resume)
        done = run_child(env_python(folder), CHILD_SCRIPT, request, events, work_dir)
        model_folder = Path(done["model_folder"])
        ModelManifest(
            architecture=self.architecture.key,
            family=FAMILY,
            classes=list(data.classes),
            input_size=config.image_size,
            weights=ONNX_FILE,
            extra={
                "pytorch_weights": WEIGHTS_FILE,
                "weights_licence": "trained from scratch"
                if request["init_weights"] is None
                else "from user-supplied weights",
            },
        ).write(model_folder)
        return TrainOutcome(
            model_folder=model_folder,
            best_epoch=int(done["best_epoch"]),
            epochs_run=int(done["epochs_run"]),
            stopped_early=bool(done["stopped_early"]),
        )


def make_trainer(architecture: Architecture, settings: Settings) -> YoloNasTrainer:
    return YoloNasTrainer(architecture, settings)


# --- inference (main env: onnxruntime on the child's export) ------------------------------------


class YoloNasOnnxPredictor(OnnxModel):
    """The exported graph gives decoded boxes (x1 y1 x2 y2 in input pixels) and per-class scores for every
    anchor; this resizes the image the way the child trained (square, RGB / 255), then per-class NMS."""

    def __init__(self, onnx_file: Path, manifest: ModelManifest) -> None:
        super().__init__(f"trained:{manifest.architecture}", onnx_file, manifest)

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        return [self._one(image, threshold) for image in images]

    def _one(self, image: Image.Image, threshold: float) -> Detections:
        from shelfscope.ml.detectors.common import clipped

        width, height = image.size
        resized = image.convert("RGB").resize((self.size, self.size), Image.Resampling.BILINEAR)
        batch = (np.asarray(resized, dtype=np.float32) / 255.0).transpose(2, 0, 1)[None]
        boxes, scores = self.session.run(None, {self.input_name: batch})
        boxes, scores = boxes[0], scores[0]
        anchors, class_ids = np.nonzero(scores >= max(threshold, 1e-4))
        kept_scores = scores[anchors, class_ids]
        order = np.argsort(-kept_scores, kind="stable")[:1000]
        anchors, class_ids, kept_scores = anchors[order], class_ids[order], kept_scores[order]
        scale = np.array([width / self.size, height / self.size] * 2, dtype=np.float32)
        kept_boxes = boxes[anchors] * scale
        keep = _batched_nms(kept_boxes, kept_scores, class_ids, 0.7)[:300]
        return Detections(
            clipped(kept_boxes[keep].astype(np.float32), width, height),
            kept_scores[keep].astype(np.float32),
            tuple(self.manifest.classes[int(i)] for i in class_ids[keep]),
            class_ids[keep].astype(np.int32),
        )


def _batched_nms(
    boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], classes: npt.NDArray[Any], iou: float
) -> npt.NDArray[np.intp]:
    """Greedy NMS per class (boxes of different classes never suppress each other), best first."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.intp)
    offset = boxes + (classes.astype(np.float32) * (boxes.max() + 1))[:, None]
    areas = (offset[:, 2] - offset[:, 0]).clip(0) * (offset[:, 3] - offset[:, 1]).clip(0)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        first, rest = order[0], order[1:]
        keep.append(int(first))
        top_left = np.maximum(offset[first, :2], offset[rest, :2])
        bottom_right = np.minimum(offset[first, 2:], offset[rest, 2:])
        inter = (bottom_right - top_left).clip(0).prod(axis=1)
        overlap = inter / np.maximum(areas[first] + areas[rest] - inter, 1e-9)
        order = rest[overlap <= iou]
    return np.array(keep, dtype=np.intp)


def load_onnx_predictor(onnx_file: Path, manifest: ModelManifest) -> YoloNasOnnxPredictor:
    return YoloNasOnnxPredictor(onnx_file, manifest)


def load_predictor(folder: Path, manifest: ModelManifest, device: Any) -> YoloNasOnnxPredictor:
    """The ONNX file the child exported: this environment has no super-gradients to run the weights."""
    return YoloNasOnnxPredictor(folder / manifest.weights, manifest)


def export_onnx(folder: Path, manifest: ModelManifest, out: Path) -> None:
    """Already exported by the child at the end of training: a copy."""
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / ONNX_FILE, out)
