"""Backbones: the released architectures with random weights, installed folders (pretrained or as the
architecture of a from-scratch run), and the offline errors for a missing or gated model."""

from __future__ import annotations

import pytest
import torch
from pydantic import SecretStr

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml.catalogue import get_spec
from shelfscope.ml.embeddings.backbones import backbone_config, build_backbone
from shelfscope.ml.embeddings.model import EmbeddingModel
from shelfscope.ml.weights import WeightsMissing
from tests.support.tiny_embedders import install_tiny_embedder


@pytest.mark.parametrize(
    ("key", "hidden", "layers", "heads", "patch"),
    [
        ("dinov2-small", 384, 12, 6, 14),
        ("dinov2-base", 768, 12, 12, 14),
        ("dinov2-large", 1024, 24, 16, 14),
        ("dinov3-small", 384, 12, 6, 16),
        ("dinov3-base", 768, 12, 12, 16),
    ],
)
def test_random_weights_use_the_released_architecture(
    ml_settings: Settings, key: str, hidden: int, layers: int, heads: int, patch: int
) -> None:
    config = backbone_config(ml_settings, get_spec(key))
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads, config.patch_size) == (
        hidden, layers, heads, patch,
    )  # fmt: skip


def test_from_scratch_builds_without_any_files(ml_settings: Settings) -> None:
    backbone, hidden = build_backbone(ml_settings, "dinov2-small", pretrained=False)
    assert hidden == 384
    assert sum(p.numel() for p in backbone.parameters()) > 20_000_000
    assert not ml_settings.resolved_models_dir.exists()


def test_installed_folder_is_loaded_pretrained_and_decides_the_scratch_architecture(
    ml_settings: Settings,
) -> None:
    from safetensors.torch import load_file

    folder = install_tiny_embedder(ml_settings, "dinov2-base")
    saved = load_file(str(folder / "model.safetensors"))
    pretrained, hidden = build_backbone(ml_settings, "dinov2-base", pretrained=True)
    assert hidden == 32
    state = pretrained.state_dict()
    shared = [name for name in saved if name in state]
    assert "embeddings.cls_token" in shared and len(shared) >= 5
    assert all(torch.equal(state[name], saved[name]) for name in shared)
    scratch, hidden = build_backbone(ml_settings, "dinov2-base", pretrained=False)
    assert hidden == 32
    assert not torch.equal(scratch.state_dict()["embeddings.cls_token"], saved["embeddings.cls_token"])


def test_missing_pretrained_weights_name_the_folder_and_the_fetch_command(ml_settings: Settings) -> None:
    with pytest.raises(WeightsMissing) as caught:
        build_backbone(ml_settings, "dinov2-base", pretrained=True)
    body = caught.value.to_body()
    folder = ml_settings.resolved_models_dir / "dinov2-base"
    assert body["error"] == "Conflict"
    assert body["folder"] == str(folder)
    assert "shelfscope models fetch dinov2-base" in body["detail"]
    assert str(folder) in body["detail"]
    assert "token_needed" not in body
    assert not folder.exists()


def test_gated_dinov3_without_a_token_says_a_token_is_needed(ml_settings: Settings) -> None:
    with pytest.raises(WeightsMissing) as caught:
        build_backbone(ml_settings, "dinov3-small", pretrained=True)
    body = caught.value.to_body()
    assert body["token_needed"] is True
    assert "SHELFSCOPE_ML_HUB_TOKEN" in body["detail"]
    assert "facebook/dinov3-vits16-pretrain-lvd1689m" in body["detail"]

    with_token = ml_settings.model_copy(update={"ml_hub_token": SecretStr("hf_x")})
    with pytest.raises(WeightsMissing) as caught:
        build_backbone(with_token, "dinov3-small", pretrained=True)
    assert "token_needed" not in caught.value.to_body()
    assert "shelfscope models fetch dinov3-small" in caught.value.detail


def test_installed_dinov3_embeds_without_its_register_tokens(ml_settings: Settings) -> None:
    install_tiny_embedder(ml_settings, "dinov3-small")
    backbone, hidden = build_backbone(ml_settings, "dinov3-small", pretrained=True)
    model = EmbeddingModel(backbone, hidden, 16).eval()
    assert model.register_tokens == 2
    with torch.no_grad():
        out = model(torch.randn(3, 3, 32, 32))
    assert out.shape == (3, 16)
    assert torch.allclose(out.norm(dim=1), torch.ones(3), atol=1e-5)


@pytest.mark.parametrize("key", ["sam2.1-hiera-tiny", "no-such-model"])
def test_a_key_that_is_not_an_embedder_is_refused_naming_backbone(ml_settings: Settings, key: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_backbone(ml_settings, key, pretrained=False)
    assert caught.value.to_body()["fields"][0]["field"] == "backbone"
