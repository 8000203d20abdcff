"""Turning PIL images into the bytes that are stored and sent: resized, WebP / JPEG / PNG."""

from __future__ import annotations

import io

from PIL import Image

from stylegenie.config.settings import RenderSettings

EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}


class ModelRenderer:
    """What the renderers that run a named model share: its name and the output format."""

    def __init__(self, settings: RenderSettings, kind: str) -> None:
        if not settings.model:
            raise ValueError(f"the {kind} renderer needs STYLEGENIE_RENDER__MODEL")
        self._settings = settings

    @property
    def model_name(self) -> str:
        """The model id or folder recorded in every design this renderer draws."""
        return str(self._settings.model)

    @property
    def extension(self) -> str:
        """The file extension of the encoded images."""
        return EXTENSIONS[self._settings.output_format]


def encode_image(
    image: Image.Image, fmt: str, quality: int, max_side: int | None = None
) -> bytes:
    """Encode an image, first shrinking it so its longest side is at most ``max_side``."""
    if max_side and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if fmt in ("jpeg", "webp") and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": quality} if fmt in ("jpeg", "webp") else {}
    image.save(buffer, format=fmt.upper(), **options)
    return buffer.getvalue()


def decode_image(data: bytes) -> Image.Image:
    """Open encoded image bytes as an RGB image; raises ValueError when they are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return opened.convert("RGB")
    except (OSError, Image.DecompressionBombError) as error:
        raise ValueError(f"not a readable image ({error})") from error
