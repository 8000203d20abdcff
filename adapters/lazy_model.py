"""Models that load once per process, lazily, behind a lock, and the device they run on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LazyModel(Generic[T]):
    """A model built on first use by whichever thread needs it first; later calls share it."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory already."""
        return self._value is not None

    def get(self) -> T:
        """The model, built now if this is the first use."""
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value


def pick_device(wanted: str) -> str:
    """ "cpu" or "cuda" as configured; "auto" means CUDA when a device is available."""
    import torch

    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return wanted
