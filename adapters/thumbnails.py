"""Product photos for chat cards: read from disk, checked, shrunk to a JPEG thumbnail (Pillow).

Implements the ingestor's ``PhotoReader``. A photo that Pillow cannot decode (truncated,
not an image, a decompression bomb) raises ``ValueError`` with the reason, so the ingestor
reports it and loads the product without a photo.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

__all__ = ["PillowPhotos"]


class PillowPhotos:
    """Reads photo files and makes JPEG thumbnails whose longest side is ``max_px``."""

    def __init__(self, max_px: int, quality: int = 85) -> None:
        self._max_px = max_px
        self._quality = quality

    def read(self, location: str) -> bytes:
        """The bytes of a photo file; OSError when it is missing or unreadable."""
        return Path(location).read_bytes()

    def thumbnail(self, data: bytes) -> bytes:
        """A JPEG no larger than ``max_px`` on its longest side; a small JPEG is kept as is."""
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                if image.format == "JPEG" and max(image.size) <= self._max_px:
                    return data
                picture = ImageOps.exif_transpose(image).convert("RGB")
        except (OSError, SyntaxError, Image.DecompressionBombError) as error:
            raise ValueError(f"not a readable image ({error})") from error
        picture.thumbnail((self._max_px, self._max_px))
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=self._quality, optimize=True)
        return out.getvalue()
