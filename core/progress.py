"""What a running turn tells its front-end: typed progress events, not strings to grep.

The engine and the workers report what they are doing; each front-end decides how to
show it (Telegram: an ``upload_photo`` action while drawing and a progress message;
Discord: an edited response; the terminal: a line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Activity(StrEnum):
    """What a turn is busy with."""

    THINKING = "thinking"
    SEARCHING = "searching"
    DRAWING = "drawing"
    MATCHING = "matching"


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One step of a slow turn: the activity, a short line for people, and a count if known."""

    activity: Activity
    text: str
    done: int | None = None
    total: int | None = None

    @property
    def makes_images(self) -> bool:
        """Whether the turn is drawing (front-ends show an upload-photo indicator)."""
        return self.activity is Activity.DRAWING


ProgressCallback = Callable[[ProgressEvent], None]
"""Hears a turn's progress events; called from the thread the turn runs in."""


def drawing(count: int) -> ProgressEvent:
    """Designs were handed to the renderer."""
    return ProgressEvent(Activity.DRAWING, f"Drawing {count} design{'s' if count != 1 else ''}…")


def rendering(done: int, total: int) -> ProgressEvent:
    """The renderer finished ``done`` of ``total`` steps."""
    return ProgressEvent(Activity.DRAWING, f"Rendering {done}/{total}…", done, total)


def still_drawing() -> ProgressEvent:
    """A render has reported nothing new for a while (it waits for a worker, or its worker
    stopped and it is being handed to another) and the turn is still waiting for it."""
    return ProgressEvent(Activity.DRAWING, "Still working on your designs, it is taking a while…")


def searching(text: str = "Looking through the catalogue…") -> ProgressEvent:
    """A product search is running."""
    return ProgressEvent(Activity.SEARCHING, text)


def matching() -> ProgressEvent:
    """Ateliers are being matched."""
    return ProgressEvent(Activity.MATCHING, "Finding ateliers that can make it…")
