"""What the engine remembers about one chat between turns, and what arrives each turn."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from ..domain import Design, DesignBrief


class Stage(StrEnum):
    """Where a conversation stands."""

    NEW = "new"
    GATHERING = "gathering"
    DESIGNS = "designs"
    PICKED = "picked"


class ConversationState(BaseModel):
    """The state of one chat; stored as JSON in the SessionStore after every turn."""

    stage: Stage = Stage.NEW
    brief: DesignBrief = Field(default_factory=DesignBrief)
    designs: list[Design] = Field(default_factory=list)
    chosen_id: str | None = None
    atelier_ids: list[str] = Field(default_factory=list)
    awaiting: Literal["budget", "city"] | None = None
    handle: str = ""
    turns: int = 0

    def reset(self) -> None:
        """Forget the current request (brief, designs, questions); the turn count stays."""
        fresh = ConversationState(turns=self.turns)
        for name in type(self).model_fields:
            setattr(self, name, getattr(fresh, name))

    def design(self, design_id: str) -> Design | None:
        """The current design with this id, or None when it is from an earlier set."""
        return next((d for d in self.designs if d.id == design_id), None)

    @property
    def chosen(self) -> Design | None:
        """The design the shopper picked, if any."""
        return self.design(self.chosen_id) if self.chosen_id else None


class MessageKind(StrEnum):
    """The kinds of thing a person can send, whatever the platform."""

    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"
    PHOTO = "photo"
    STICKER = "sticker"
    OTHER = "other"


COMMANDS = (
    "start",
    "new",
    "help",
    "saved",
    "save",
    "budget",
    "prefs",
    "products",
    "ateliers",
    "cancel",
    "leads",
)
"""Commands every front-end maps (Telegram /commands, Discord slash commands, terminal)."""


class Incoming(BaseModel):
    """One event from a person: text, a command and its argument, a button press or media."""

    kind: MessageKind
    text: str = ""
    command: str | None = None
    choice_id: str | None = None
    image_ref: str | None = None
    """A PHOTO's ImageStore reference (the front-end stores the photo first)."""
    handle: str = ""
    """How others reach this person on their platform ("@ana"); given to an atelier on accept."""

    @classmethod
    def from_text(cls, text: str) -> Incoming:
        """A typed line: "/budget 80" becomes a command, anything else is text."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, argument = stripped[1:].partition(" ")
            return cls(
                kind=MessageKind.COMMAND, command=name.split("@")[0].lower(), text=argument.strip()
            )
        return cls(kind=MessageKind.TEXT, text=text)

    @classmethod
    def choice(cls, choice_id: str) -> Incoming:
        """A button press."""
        return cls(kind=MessageKind.CHOICE, choice_id=choice_id)
