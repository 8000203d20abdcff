"""The embedded ImageStore: image files in a local folder."""

from __future__ import annotations

import re
from pathlib import Path

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def check_name(name: str) -> None:
    """Refuse image names that are not plain file names (no folders, no tricks)."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe image name: {name!r}")


def is_web_address(ref: str) -> bool:
    """Whether a reference is an http(s) URL rather than a stored image's name or path."""
    return ref.startswith(("https://", "http://"))


class LocalImageStore:
    """Writes images under one folder; a reference is the file's absolute path."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder.resolve()
        self._folder.mkdir(parents=True, exist_ok=True)

    def put(self, name: str, data: bytes) -> str:
        """Store bytes under a plain file name (no folders) and return its reference."""
        check_name(name)
        path = self._folder / name
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)
        return str(path)

    def open(self, ref: str) -> bytes:
        """The bytes of a stored image; only references inside the folder are served."""
        path = Path(ref).resolve()
        if self._folder not in path.parents:
            raise ValueError(f"not an image of this store: {ref!r}")
        return path.read_bytes()

    def url(self, ref: str) -> str | None:
        """A web address given as a reference, as it is; None for a file of this folder."""
        return ref if is_web_address(ref) else None
