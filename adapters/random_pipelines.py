"""Random-weight diffusion pipelines built from configs: no hub, no downloads.

Tests and CPU benchmarks use a tiny Stable Diffusion pipeline; the GPU benchmark
uses a same-architecture pipeline (same FLOPs, random weights) when the real
weights are not on the machine. The CLIP tokenizer is rebuilt from the BPE merges
that open_clip ships, so it is the real 49,408-token vocabulary.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

CLIP_VOCAB_SIZE = 49408
_MERGES = CLIP_VOCAB_SIZE - 256 * 2 - 2
"""The real CLIP vocabulary: 256 byte symbols, each again with "</w>", the merges, 2 specials."""


@lru_cache(maxsize=1)
def _byte_symbols() -> list[str]:
    """GPT-2/CLIP's reversible byte → printable-character table."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def write_clip_tokenizer(folder: Path) -> Path:
    """Write CLIP's vocab.json and merges.txt, rebuilt from open_clip's bundled BPE file."""
    import open_clip

    bpe = Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz"
    with gzip.open(bpe) as handle:
        merges = handle.read().decode("utf-8").split("\n")[1 : _MERGES + 1]
    symbols = _byte_symbols()
    vocab = [
        *symbols,
        *(s + "</w>" for s in symbols),
        *("".join(m.split()) for m in merges),
        "<|startoftext|>",
        "<|endoftext|>",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(vocab)}))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return folder


def clip_tokenizer(folder: Path) -> Any:
    """A transformers CLIPTokenizer with the full vocabulary (asserted: a fallback is useless)."""
    from transformers import CLIPTokenizer

    write_clip_tokenizer(folder)
    tokenizer = CLIPTokenizer(
        str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77
    )
    if len(tokenizer) != CLIP_VOCAB_SIZE:
        raise RuntimeError(
            f"CLIP tokenizer has {len(tokenizer)} tokens, expected {CLIP_VOCAB_SIZE}"
        )
    return tokenizer


def save_tiny_pipeline(folder: Path) -> Path:
    """Save a tiny random-weight Stable Diffusion pipeline (64 px, ~0.1 s a step on a CPU)."""
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    tokenizer = clip_tokenizer(folder / "tokenizer-source")
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=CLIP_VOCAB_SIZE,
            max_position_embeddings=77,
            projection_dim=32,
        )
    )
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
    )
    vae = AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=["DownEncoderBlock2D"] * 2,
        up_block_types=["UpDecoderBlock2D"] * 2,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        timestep_spacing="trailing",
        steps_offset=1,
    )
    pipeline = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    target = folder / "pipeline"
    pipeline.save_pretrained(target)
    return target
