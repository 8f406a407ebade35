"""The training loop on tiny random-weight backbones and synthetic products: it learns (held-out test
products retrieved better than by the same model at random init), its checkpoints are FP16 and load
back, it resumes, skips broken images, stops early, cancels, and builds its batches and learning
rates as documented."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml.embeddings.backbones import build_backbone
from shelfscope.ml.embeddings.checkpoint import FORMAT, Embedder, embed_paths, load_embedder, read_checkpoint
from shelfscope.ml.embeddings.config import EmbedTrainConfig
from shelfscope.ml.embeddings.model import PREPROCESSING, EmbeddingModel
from shelfscope.ml.embeddings.train import (
    Sample,
    TrainingCancelled,
    domain_alignment,
    lr_factor,
    parameter_groups,
    pk_batches,
    train,
)
from shelfscope.ml.metrics.retrieval import retrieval_metrics
from tests.ml_embeddings.conftest import RecordingSink
from tests.ml_embeddings.synthetic import write_products
from tests.support.tiny_embedders import install_tiny_embedder

KEY = "dinov2-small"
# From scratch on 32 px shapes: no backbone rate reduction, ArcFace with a scale and margin a tiny
# random network can meet (64 / 28.6 degrees are for fine-tuning a pretrained one), all triplets.
TINY = EmbedTrainConfig(
    backbone=KEY, pretrained=False, embedding_dim=32, image_size=32, epochs=2, products_per_batch=8,
    images_per_product=3, learning_rate=3e-3, backbone_lr_scale=1.0, llrd=1.0, arcface_scale=16.0,
    arcface_margin=10.0, triplet_weight=1.0, miner="all", batches_per_epoch=4, patience=0, device="cpu",
)  # fmt: skip


@pytest.fixture
def installed(ml_settings: Settings) -> Settings:
    install_tiny_embedder(ml_settings, KEY)
    return ml_settings


def _recall_at_1(embedder: Embedder, samples: list[Sample]) -> float:
    embeddings, skipped = embed_paths(embedder, [s.path for s in samples], batch_size=16)
    assert skipped == []
    labels = np.array([s.product_id for s in samples])
    return retrieval_metrics(embeddings, labels, embeddings, labels, exclude_self=True)["recall_at_1"]


def test_a_tiny_model_learns_products_it_never_saw(
    installed: Settings, tmp_path: Path, sink: RecordingSink
) -> None:
    images = tmp_path / "images"
    train_set = write_products(images, 24, 6, seed=1)
    val_set = write_products(images, 6, 6, seed=2, first_id=25)
    test_set = write_products(images, 10, 8, seed=3, first_id=31)
    config = dataclasses.replace(TINY, epochs=40, batches_per_epoch=10)

    # The same random init train() starts from (it seeds torch with config.seed before building).
    torch.manual_seed(config.seed)
    backbone, hidden = build_backbone(installed, KEY, pretrained=False)
    start = EmbeddingModel(backbone, hidden, config.embedding_dim).eval()
    before = _recall_at_1(Embedder(start, torch.device("cpu"), 32, 32, PREPROCESSING, KEY, 0), test_set)

    result = train(config, installed, train_set, val_set, tmp_path / "work", sink)
    after = _recall_at_1(load_embedder(tmp_path / "work" / f"epoch-{result.best_epoch:03d}.pt"), test_set)

    losses = [metrics["loss"] for _, metrics, _ in sink.epochs]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])
    assert result.best_metrics["val_recall_at_1"] > result.initial_metrics["val_recall_at_1"]
    # Chance on 10 products x 8 images is 7/79 = 0.09 a query.
    assert after >= before + 0.1, (before, after)


def test_every_epoch_reports_the_documented_metrics_and_an_fp16_checkpoint(
    installed: Settings, tmp_path: Path, sink: RecordingSink
) -> None:
    train_set = write_products(tmp_path / "i", 8, 4, seed=1, domains=("synthetic", "real"))
    val_set = write_products(tmp_path / "i", 3, 3, seed=2, first_id=9)
    config = dataclasses.replace(TINY, domain_weight=0.5)
    result = train(config, installed, train_set, val_set, tmp_path / "work", sink)

    assert [e for e, _, _ in sink.epochs] == [1, 2]
    assert result.epochs_run == 2 and not result.stopped_early
    assert [b[:3] for b in sink.batches] == [(e, b, 4) for e in (1, 2) for b in (1, 2, 3, 4)]
    metrics = sink.epochs[-1][1]
    assert set(metrics) == {
        "loss", "loss_arcface", "loss_triplet", "loss_domain", "lr", "backbone_lr", "val_recall_at_1",
        "val_recall_at_5", "val_map_at_r", "seconds", "images_per_second", "mixed_precision",
    }  # fmt: skip
    assert metrics["loss_domain"] > 0 and metrics["mixed_precision"] == 0.0
    assert metrics["loss"] == pytest.approx(
        metrics["loss_arcface"] + metrics["loss_triplet"] + 0.5 * metrics["loss_domain"], rel=1e-4
    )

    path = sink.epochs[-1][2]
    payload = read_checkpoint(path)
    assert payload["format"] == FORMAT and payload["epoch"] == 2 and payload["backbone"] == KEY
    assert payload["family"] == "dinov2" and payload["embedding_dim"] == 32 and payload["image_size"] == 32
    assert payload["preprocessing"] == {**PREPROCESSING, "image_size": 32}
    assert payload["products"] == list(range(1, 9))
    assert payload["train_config"] == config.to_dict()
    assert payload["metrics"] == metrics
    floats = [
        t
        for t in [*payload["state_dict"].values(), *payload["arcface_state"].values()]
        if t.is_floating_point()
    ]
    assert floats and all(t.dtype == torch.float16 for t in floats)
    assert "optimizer" not in payload

    # The embedder rebuilds the model from the file alone (no backbone folder needed).
    for child in installed.resolved_models_dir.iterdir():
        for file in child.iterdir():
            file.unlink()
    embedder = load_embedder(path)
    assert (embedder.embedding_dim, embedder.image_size, embedder.epoch) == (32, 32, 2)
    vectors, skipped = embed_paths(embedder, [s.path for s in val_set])
    assert vectors.shape == (9, 32) and vectors.dtype == np.float32 and skipped == []
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # FP16 weights run in FP32: the reloaded model gives the same retrieval the run measured.
    labels = np.array([s.product_id for s in val_set])
    again = retrieval_metrics(vectors, labels, vectors, labels, ks=(1, 5), exclude_self=True)
    assert again["recall_at_1"] == pytest.approx(metrics["val_recall_at_1"], abs=0.12)


def test_resume_continues_the_schedule_from_the_checkpoint(installed: Settings, tmp_path: Path) -> None:
    train_set = write_products(tmp_path / "i", 8, 4, seed=1)
    val_set = write_products(tmp_path / "i", 3, 3, seed=2, first_id=9)
    config = dataclasses.replace(TINY, epochs=3, warmup_epochs=1)
    whole = RecordingSink()
    train(config, installed, train_set, val_set, tmp_path / "whole", whole)

    resumed = RecordingSink()
    result = train(config, installed, train_set, val_set, tmp_path / "resumed", resumed,
                   resume_from=whole.epochs[1][2], start_epoch=3)  # fmt: skip
    assert [e for e, _, _ in resumed.epochs] == [3]
    assert result.epochs_run == 1 and result.initial_metrics == {}
    assert resumed.epochs[0][1]["lr"] == pytest.approx(whole.epochs[2][1]["lr"])
    assert read_checkpoint(resumed.epochs[0][2])["epoch"] == 3
    # The resumed run started from epoch 2's weights, not from a fresh init: its first loss is far
    # below epoch 1's.
    assert resumed.batches[0][3] < whole.batches[0][3]


def test_broken_images_are_skipped_and_reported(
    installed: Settings, tmp_path: Path, sink: RecordingSink
) -> None:
    train_set = write_products(tmp_path / "i", 6, 3, seed=1)
    val_set = write_products(tmp_path / "i", 3, 2, seed=2, first_id=7)
    garbage = tmp_path / "i" / "garbage.png"
    garbage.write_bytes(b"not an image")
    truncated = tmp_path / "i" / "truncated.png"
    truncated.write_bytes(train_set[0].path.read_bytes()[:60])
    broken = [
        Sample(9001, 1, "real", garbage),
        Sample(9002, 2, "real", truncated),
        Sample(9003, 3, "real", tmp_path / "missing.jpg"),
    ]
    # Product 99 has one image left after its second is broken: it leaves the val split.
    val_set += [Sample(9004, 99, "real", val_set[0].path), Sample(9005, 99, "real", garbage)]
    result = train(TINY, installed, train_set + broken, val_set, tmp_path / "work", sink)

    assert sorted(image_id for image_id, _ in result.skipped) == [9001, 9002, 9003, 9005]
    assert all(reason for _, reason in result.skipped)
    assert any("9001" in line for line in sink.logs)
    assert any("val: dropped 1 product" in line for line in sink.logs)
    assert read_checkpoint(sink.epochs[-1][2])["products"] == [1, 2, 3, 4, 5, 6]


def test_early_stopping_after_patience_epochs_without_a_better_val_recall(
    installed: Settings, tmp_path: Path, sink: RecordingSink
) -> None:
    train_set = write_products(tmp_path / "i", 6, 3, seed=1)
    # Two copies of one picture per val product: recall@1 is 1.0 from the first epoch on.
    val_set = [s for s in write_products(tmp_path / "i", 3, 1, seed=2, first_id=7) for _ in range(2)]
    config = dataclasses.replace(TINY, epochs=6, patience=2)
    result = train(config, installed, train_set, val_set, tmp_path / "work", sink)
    assert result.stopped_early and result.epochs_run == 3 and result.best_epoch == 1
    assert result.best_metrics["val_recall_at_1"] == 1.0
    assert any("early stop" in line for line in sink.logs)


def test_cancel_stops_before_the_next_batch(installed: Settings, tmp_path: Path) -> None:
    train_set = write_products(tmp_path / "i", 6, 3, seed=1)
    val_set = write_products(tmp_path / "i", 3, 2, seed=2, first_id=7)
    sink = RecordingSink(cancel_after_batches=5)
    with pytest.raises(TrainingCancelled):
        train(TINY, installed, train_set, val_set, tmp_path / "work", sink)
    assert len(sink.batches) == 5
    assert [e for e, _, _ in sink.epochs] == [1]


def test_a_split_without_two_products_is_refused_and_nothing_is_written(
    installed: Settings, tmp_path: Path, sink: RecordingSink
) -> None:
    train_set = write_products(tmp_path / "i", 6, 3, seed=1)
    val_set = write_products(tmp_path / "i", 1, 3, seed=2, first_id=7)
    with pytest.raises(ValidationFailed) as caught:
        train(TINY, installed, train_set, val_set, tmp_path / "work", sink)
    assert caught.value.to_body()["fields"][0]["field"] == "data"
    assert "val split has 1 product" in caught.value.detail
    assert not (tmp_path / "work").exists() and sink.epochs == []


def test_layer_wise_learning_rate_decay_groups(installed: Settings) -> None:
    built, hidden = build_backbone(installed, KEY, pretrained=False)  # 2 layers
    model = EmbeddingModel(built, hidden, 16)
    backbone: Any = built
    from pytorch_metric_learning.losses import ArcFaceLoss  # type: ignore[import-untyped]

    arcface = ArcFaceLoss(4, 16)
    config = EmbedTrainConfig(learning_rate=1e-3, backbone_lr_scale=0.1, llrd=0.5, weight_decay=0.05)
    groups = parameter_groups(model, arcface, config)
    lr = {(g["name"], g["weight_decay"] > 0): g["base_lr"] for g in groups}
    assert lr[("head", True)] == lr[("head", False)] == pytest.approx(1e-3)
    assert lr[("backbone.0", True)] == pytest.approx(1e-4)  # top layer (and the final norm)
    assert lr[("backbone.1", True)] == pytest.approx(5e-5)
    assert lr[("backbone.2", True)] == pytest.approx(2.5e-5)  # patch embedding, tokens, positions

    def group_of(param: torch.nn.Parameter) -> dict[str, object]:
        return next(g for g in groups if any(p is param for p in g["params"]))

    assert group_of(backbone.encoder.layer[1].mlp.fc1.weight)["name"] == "backbone.0"
    assert group_of(backbone.encoder.layer[0].mlp.fc1.weight)["name"] == "backbone.1"
    assert group_of(backbone.layernorm.weight)["name"] == "backbone.0"
    assert group_of(backbone.embeddings.cls_token)["weight_decay"] == 0.0
    assert group_of(backbone.encoder.layer[0].mlp.fc1.bias)["weight_decay"] == 0.0
    assert group_of(arcface.W)["name"] == "head" and group_of(arcface.W)["weight_decay"] == 0.0
    every = [p for g in groups for p in g["params"]]
    assert len(every) == len({id(p) for p in every}) == len(list(model.parameters())) + 1


def test_p_k_batches_hold_p_products_with_k_images_each() -> None:
    labels = [i // 5 for i in range(50)] + [10, 10]  # 10 products of 5 images and one of 2
    batches = pk_batches(labels, 4, 3, 6, seed=1)
    assert len(batches) == 6
    for batch in batches:
        products = [labels[i] for i in batch]
        assert len(batch) == 12 and len(set(products)) == 4
        assert all(products.count(p) == 3 for p in set(products))
    assert pk_batches(labels, 4, 3, 6, seed=1) == batches
    assert pk_batches(labels, 4, 3, 6, seed=2) != batches
    # Fewer products than P: every product in every batch.
    assert all(len(b) == 6 for b in pk_batches([0, 0, 1, 1], 8, 3, 2, seed=0))


def test_warmup_then_cosine_to_zero() -> None:
    assert [lr_factor(s, 10, 4) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert lr_factor(4, 10, 4) == 1.0
    assert lr_factor(7, 10, 4) == pytest.approx(0.5)
    assert lr_factor(10, 10, 4) == pytest.approx(0.0)
    assert lr_factor(0, 10, 0) == 1.0


def test_domain_alignment_is_the_squared_distance_between_domain_centroids() -> None:
    embeddings = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    labels = torch.tensor([0, 0, 0, 1, 1])
    domains = ["synthetic", "real", "real", "real", "real"]
    # Product 0: centroids (1, 0) and (0, 1), squared distance 2; product 1 has one domain only.
    assert domain_alignment(embeddings, labels, domains).item() == pytest.approx(2.0)
    assert domain_alignment(embeddings, labels, ["real"] * 5).item() == 0.0
    three = domain_alignment(embeddings[:3], labels[:3], ["synthetic", "real", "cutout"])
    assert three.item() == pytest.approx((2 + 2 + 0) / 3)
    assert math.isfinite(three.item())
