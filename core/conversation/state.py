"""What the engine remembers about one chat between turns, and what arrives each turn."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from ..chats import Sender
from ..domain import Design, DesignBrief
from ..understanding.turn import Question, TurnContext


class Stage(StrEnum):
    """Where a conversation stands."""

    NEW = "new"
    GATHERING = "gathering"
    DESIGNS = "designs"
    PICKED = "picked"


class ConversationState(BaseModel):
    """The state of one chat; stored as JSON in the SessionStore after every turn.

    The outfit is ``pieces`` (piece-level facts only, one brief each) with one piece in
    ``focus``; ``shopper`` holds the shopper-level facts every piece shares (who it is for,
    city, size); ``draft`` holds piece-level facts said before any garment was named
    ("for a date"), given to the first piece. ``designs`` are the last set drawn, of the
    piece ``designs_for`` with the rest of the outfit; ``last_choices`` are the ids of the
    buttons the last reply showed, so a typed number can press one.
    """

    stage: Stage = Stage.NEW
    shopper: DesignBrief = Field(default_factory=DesignBrief)
    draft: DesignBrief = Field(default_factory=DesignBrief)
    pieces: list[DesignBrief] = Field(default_factory=list)
    focus: int | None = None
    designs: list[Design] = Field(default_factory=list)
    designs_for: int | None = None
    chosen_id: str | None = None
    atelier_ids: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    last_choices: list[str] = Field(default_factory=list)
    awaiting: Question | None = None
    sender: Sender | None = None
    """Who sent the last event (their name and contact, for a lead they consent to)."""
    turns: int = 0

    @model_validator(mode="before")
    @classmethod
    def _from_single_brief(cls, data: Any) -> Any:
        """A state saved before outfits (one ``brief``) becomes a one-piece outfit."""
        if isinstance(data, dict) and "brief" in data and "pieces" not in data:
            brief = data.pop("brief") or {}
            data = {**data, "pieces": [brief] if brief.get("garment") else [], "focus": 0}
            if not data["pieces"]:
                data.update(draft=brief, focus=None)
        return data

    def reset(self) -> None:
        """Forget the current request (outfit, designs, questions); the turn count stays."""
        fresh = ConversationState(turns=self.turns, sender=self.sender)
        for name in type(self).model_fields:
            setattr(self, name, getattr(fresh, name))

    def full_brief(self, index: int) -> DesignBrief:
        """Piece ``index`` with the shopper-level facts filled in."""
        facts = self.shopper.model_dump(exclude_defaults=True)
        return self.pieces[index].model_copy(update=facts)

    @property
    def outfit(self) -> list[DesignBrief]:
        """Every piece's full brief, in order (empty before anything was described)."""
        return [self.full_brief(i) for i in range(len(self.pieces))]

    @property
    def brief(self) -> DesignBrief:
        """The focused piece's full brief; before any garment, what is known so far."""
        if self.focus is not None and 0 <= self.focus < len(self.pieces):
            return self.full_brief(self.focus)
        return self.draft.model_copy(update=self.shopper.model_dump(exclude_defaults=True))

    def context(self) -> TurnContext:
        """What a brief reader needs to know before reading the next message."""
        return TurnContext(outfit=self.outfit, focus=self.focus, question=self.awaiting)

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
    LOCATION = "location"
    OTHER = "other"


class Incoming(BaseModel):
    """One event from a person: text, a command and its argument, a button press or media.

    ``sender`` is required: every front-end says who sent the event (their name, and how
    to reach them where the platform allows), so a lead never carries a bare chat id.
    """

    kind: MessageKind
    sender: Sender
    text: str = ""
    command: str | None = None
    choice_id: str | None = None
    image_ref: str | None = None
    """A PHOTO's ImageStore reference (the front-end stores the photo first)."""

    @classmethod
    def from_text(cls, text: str, sender: Sender) -> Incoming:
        """A typed line: "/budget 80" becomes a command, anything else is text."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, argument = stripped[1:].partition(" ")
            return cls(
                kind=MessageKind.COMMAND,
                sender=sender,
                command=name.split("@")[0].lower(),
                text=argument.strip(),
            )
        return cls(kind=MessageKind.TEXT, sender=sender, text=text)

    @classmethod
    def choice(cls, choice_id: str, sender: Sender) -> Incoming:
        """A button press."""
        return cls(kind=MessageKind.CHOICE, sender=sender, choice_id=choice_id)
