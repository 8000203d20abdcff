"""Product photos for chat cards: found inside one folder, read safely, shrunk to a JPEG thumbnail.

A feed names its photos, and a feed comes from outside: it may name ``/etc/passwd``,
``../../home/me/private.jpg``, a link that leads out of the images folder, ``/dev/zero`` or
a FIFO that blocks whoever opens it. So a photo is found in two steps:

- ``photo_inside(folder, name)`` (the feed's step) resolves the name inside the images
  folder, following links, and refuses absolute paths and anything that ends up outside;
- ``PillowPhotos.read`` (the ingestor's) looks at what the path is before opening it: only a
  regular file of at most ``MAX_PHOTO_BYTES`` is opened (non-blocking, not through a link)
  and read, and its size is checked again on the open file, so a device, a FIFO or a file
  that grows can neither hang the ingest nor fill its memory.

A photo that Pillow cannot decode (truncated, not an image, a decompression bomb) raises
``ValueError`` with the reason, so the ingestor reports it and loads the product without a
photo. Implements the ingestor's ``PhotoReader``.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from PIL import Image, ImageOps

__all__ = ["MAX_PHOTO_BYTES", "PhotoRefused", "PillowPhotos", "photo_inside"]

MAX_PHOTO_BYTES = 20 * 2**20
"""The largest photo file read (20 MiB): product photos are a few hundred KiB."""
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a link",
}


class PhotoRefused(ValueError):
    """A photo path that may not be read; the message says why."""


def photo_inside(folder: Path, name: str) -> Path:
    """The file ``name`` (relative, as a feed writes it) inside ``folder``, links resolved.

    Raises PhotoRefused for an absolute path, and for a name that leads outside the folder
    through ``..`` or a link. The file need not exist: reading it is the reader's step.
    """
    if Path(name).is_absolute():
        raise PhotoRefused("an absolute path: name a file inside the images folder")
    root = folder.resolve()
    if not Path(os.path.normpath(root / name)).is_relative_to(root):
        raise PhotoRefused(f"'..' leads outside the images folder {root}")
    try:
        path = (root / name).resolve()
    except (OSError, ValueError) as error:  # a NUL byte, a loop of links
        raise PhotoRefused(f"not a usable path ({error})") from error
    if not path.is_relative_to(root):
        raise PhotoRefused(f"a link that leads outside the images folder {root}")
    return path


def _regular_size(info: os.stat_result, limit: int) -> int:
    """The size of a regular file; PhotoRefused for anything else or a file over ``limit``."""
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise PhotoRefused(f"{kind}, not a photo file")
    if info.st_size > limit:
        raise PhotoRefused(f"{info.st_size:,} bytes, over the {limit:,}-byte limit for a photo")
    return info.st_size


class PillowPhotos:
    """Reads photo files and makes JPEG thumbnails whose longest side is ``max_px``."""

    def __init__(self, max_px: int, quality: int = 85, max_bytes: int = MAX_PHOTO_BYTES) -> None:
        self._max_px = max_px
        self._quality = quality
        self._max_bytes = max_bytes

    def read(self, location: str) -> bytes:
        """The bytes of a regular photo file of at most ``max_bytes``.

        OSError when it is missing or unreadable; PhotoRefused (a ValueError) for a folder,
        device, FIFO, socket or link, and for a file over the limit: nothing of those is read.
        """
        _regular_size(os.lstat(location), self._max_bytes)  # before opening: a FIFO would block
        descriptor = os.open(location, _OPEN_FLAGS)
        with os.fdopen(descriptor, "rb") as handle:
            _regular_size(os.fstat(handle.fileno()), self._max_bytes)  # swapped since?
            data = handle.read(self._max_bytes + 1)
        if len(data) > self._max_bytes:
            raise PhotoRefused(f"grew over the {self._max_bytes:,}-byte limit while read")
        return data

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
