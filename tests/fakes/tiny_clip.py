"""A tiny random-weight open_clip model for tests: built offline from a registered config.

The config keeps the real text interface (77-token context, the full 49,408-token BPE
vocabulary bundled with open_clip) and shrinks everything else, so a model builds in a
fraction of a second and embeds on one CPU thread in milliseconds. Nothing is downloaded:
``pretrained=None`` gives random weights.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

from PIL import Image, ImageDraw

from stylegenie.config.settings import ImageEncoderSettings

__all__ = ["TINY_CLIP", "TINY_DIMENSION", "photo", "register_tiny_clip", "tiny_settings"]

TINY_CLIP = "stylegenie-tiny-clip"
"""The model name the tiny config is registered under."""

TINY_DIMENSION = 32
"""The size of the shared image/text embedding space of the tiny model."""

_CONFIG = {
    "embed_dim": TINY_DIMENSION,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {
        "context_length": 77,
        "vocab_size": 49408,
        "width": 64,
        "heads": 2,
        "layers": 2,
    },
}
_lock = threading.Lock()
_registered: list[Path] = []


def register_tiny_clip(folder: Path) -> str:
    """Register the tiny config with open_clip (once per process) and return its model name."""
    import open_clip

    with _lock:
        if not _registered:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{TINY_CLIP}.json").write_text(json.dumps(_CONFIG))
            open_clip.add_model_config(folder)
            _registered.append(folder)
    return TINY_CLIP


def tiny_settings(folder: Path, pretrained: str | None = None) -> ImageEncoderSettings:
    """ImageEncoderSettings for the tiny model on CPU (registering its config first)."""
    name = register_tiny_clip(folder)
    return ImageEncoderSettings(model=name, pretrained=pretrained, device="cpu", batch_size=4)


def photo(colour: str, pattern: str = "solid", size: int = 96, fmt: str = "PNG") -> bytes:
    """A small synthetic product photo: a solid colour, or stripes / a dot / a checkerboard."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    step = size // 6
    if pattern == "stripes":
        for x in range(0, size, 2 * step):
            draw.rectangle((x, 0, x + step - 1, size), fill="white")
    elif pattern == "dot":
        draw.ellipse((size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill="black")
    elif pattern == "checks":
        for x in range(0, size, step):
            for y in range(0, size, step):
                if (x // step + y // step) % 2:
                    draw.rectangle((x, y, x + step - 1, y + step - 1), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
