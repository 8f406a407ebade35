"""The models Shelfscope knows by key: where each comes from, its size and licence, and what it can do.

Torch-free: the server lists the catalogue; workers load from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shelfscope.errors import NotFound, ValidationFailed

# What a model can be asked: a text prompt (class names), an open vocabulary (labels it names itself),
# an example image (query by example), point or box prompts (segmenters), or whole-image masks.
Capability = Literal[
    "text_prompt",
    "open_vocabulary",
    "image_query",
    "point_prompt",
    "box_prompt",
    "auto_masks",
    "image_embedding",
]
# embedder: a backbone that product-recognition training fine-tunes into an embedding model.
ModelTask = Literal["detector", "segmenter", "embedder"]
# Which adapter loads the folder: one per architecture family.
ModelFamily = Literal[
    "grounding-dino", "mm-grounding-dino", "owlv2", "florence-2", "sam2", "dinov2", "dinov3"
]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    key: str
    title: str
    task: ModelTask
    family: ModelFamily
    hub_id: str
    # Approximate download size of the weights (fp32 safetensors).
    size_mb: int
    licence: str
    capabilities: tuple[Capability, ...]
    note: str = ""
    # The hub serves the weights only to accounts that accepted the licence: a fetch needs a token
    # (SHELFSCOPE_ML_HUB_TOKEN).
    gated: bool = False


CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec(
        key="grounding-dino-tiny",
        title="Grounding DINO (Swin-T)",
        task="detector",
        family="grounding-dino",
        hub_id="IDEA-Research/grounding-dino-tiny",
        size_mb=689,
        licence="Apache-2.0",
        capabilities=("text_prompt",),
        note="The open Grounding DINO weights. Grounding DINO 1.5 is served by its vendor's API only.",
    ),
    ModelSpec(
        key="grounding-dino-base",
        title="Grounding DINO (Swin-B)",
        task="detector",
        family="grounding-dino",
        hub_id="IDEA-Research/grounding-dino-base",
        size_mb=933,
        licence="Apache-2.0",
        capabilities=("text_prompt",),
        note="The open Grounding DINO weights. Grounding DINO 1.5 is served by its vendor's API only.",
    ),
    ModelSpec(
        key="mm-grounding-dino-tiny",
        title="MM Grounding DINO (Swin-T)",
        task="detector",
        family="mm-grounding-dino",
        hub_id="openmmlab-community/mm_grounding_dino_tiny_o365v1_goldg_v3det",
        size_mb=692,
        licence="Apache-2.0",
        capabilities=("text_prompt",),
        note="OpenMMLab's open re-training of Grounding DINO; stronger zero-shot on COCO and LVIS.",
    ),
    ModelSpec(
        key="owlv2-base",
        title="OWLv2 (ViT-B/16)",
        task="detector",
        family="owlv2",
        hub_id="google/owlv2-base-patch16-ensemble",
        size_mb=620,
        licence="Apache-2.0",
        capabilities=("text_prompt", "image_query"),
    ),
    ModelSpec(
        key="florence-2-base",
        title="Florence-2 base",
        task="detector",
        family="florence-2",
        hub_id="florence-community/Florence-2-base",
        size_mb=930,
        licence="MIT",
        capabilities=("text_prompt", "open_vocabulary"),
    ),
    ModelSpec(
        key="florence-2-large",
        title="Florence-2 large",
        task="detector",
        family="florence-2",
        hub_id="florence-community/Florence-2-large",
        size_mb=3080,
        licence="MIT",
        capabilities=("text_prompt", "open_vocabulary"),
    ),
    ModelSpec(
        key="sam2.1-hiera-tiny",
        title="SAM 2.1 Hiera tiny",
        task="segmenter",
        family="sam2",
        hub_id="facebook/sam2.1-hiera-tiny",
        size_mb=156,
        licence="Apache-2.0",
        capabilities=("point_prompt", "box_prompt", "auto_masks"),
    ),
    ModelSpec(
        key="sam2.1-hiera-small",
        title="SAM 2.1 Hiera small",
        task="segmenter",
        family="sam2",
        hub_id="facebook/sam2.1-hiera-small",
        size_mb=185,
        licence="Apache-2.0",
        capabilities=("point_prompt", "box_prompt", "auto_masks"),
    ),
    ModelSpec(
        key="sam2.1-hiera-base-plus",
        title="SAM 2.1 Hiera base+",
        task="segmenter",
        family="sam2",
        hub_id="facebook/sam2.1-hiera-base-plus",
        size_mb=324,
        licence="Apache-2.0",
        capabilities=("point_prompt", "box_prompt", "auto_masks"),
    ),
    ModelSpec(
        key="sam2.1-hiera-large",
        title="SAM 2.1 Hiera large",
        task="segmenter",
        family="sam2",
        hub_id="facebook/sam2.1-hiera-large",
        size_mb=898,
        licence="Apache-2.0",
        capabilities=("point_prompt", "box_prompt", "auto_masks"),
    ),
    ModelSpec(
        key="dinov2-small",
        title="DINOv2 ViT-S/14",
        task="embedder",
        family="dinov2",
        hub_id="facebook/dinov2-small",
        size_mb=88,
        licence="Apache-2.0",
        capabilities=("image_embedding",),
    ),
    ModelSpec(
        key="dinov2-base",
        title="DINOv2 ViT-B/14",
        task="embedder",
        family="dinov2",
        hub_id="facebook/dinov2-base",
        size_mb=346,
        licence="Apache-2.0",
        capabilities=("image_embedding",),
    ),
    ModelSpec(
        key="dinov2-large",
        title="DINOv2 ViT-L/14",
        task="embedder",
        family="dinov2",
        hub_id="facebook/dinov2-large",
        size_mb=1220,
        licence="Apache-2.0",
        capabilities=("image_embedding",),
    ),
    ModelSpec(
        key="dinov3-small",
        title="DINOv3 ViT-S/16",
        task="embedder",
        family="dinov3",
        hub_id="facebook/dinov3-vits16-pretrain-lvd1689m",
        size_mb=86,
        licence="DINOv3 License",
        capabilities=("image_embedding",),
        note="Gated on the hub: accept the licence there and set SHELFSCOPE_ML_HUB_TOKEN.",
        gated=True,
    ),
    ModelSpec(
        key="dinov3-base",
        title="DINOv3 ViT-B/16",
        task="embedder",
        family="dinov3",
        hub_id="facebook/dinov3-vitb16-pretrain-lvd1689m",
        size_mb=343,
        licence="DINOv3 License",
        capabilities=("image_embedding",),
        note="Gated on the hub: accept the licence there and set SHELFSCOPE_ML_HUB_TOKEN.",
        gated=True,
    ),
)

_BY_KEY = {spec.key: spec for spec in CATALOGUE}


def find_spec(key: str) -> ModelSpec | None:
    return _BY_KEY.get(key)


def get_spec(key: str, *, field: str | None = None) -> ModelSpec:
    """The catalogue entry for `key`. Unknown: ValidationFailed naming `field` when the key came in a
    request body, else NotFound (a key in a path)."""
    spec = _BY_KEY.get(key)
    if spec is not None:
        return spec
    message = f"no model with key {key!r}; known keys: {', '.join(_BY_KEY)}"
    if field is not None:
        raise ValidationFailed.field(field, message)
    raise NotFound(message[0].upper() + message[1:] + ".", key=key)
