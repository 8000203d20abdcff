"""What one message means for the outfit: the contract every brief reader speaks.

A reader (rules or an LLM) receives the message and a ``TurnContext`` (the outfit so far,
the piece in focus, the assistant's last question) and returns a ``TurnUpdate``: the
shopper's intent, and for each piece it touches, the fields the message sets.

Shopper-level facts (who it is for, city, size) go in ``TurnUpdate.shopper`` and apply to
every piece; piece-level facts (garment, colours, fabric, silhouette, length, sleeves,
neckline, pattern, occasion, budget, style notes) go in one ``PieceUpdate`` each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..domain import DesignBrief

Intent = Literal["new", "add", "refine", "suggest", "products", "ateliers", "none"]
"""What the shopper is doing with this message.

- ``new``: describes a different garment (or several): a new look; pieces inherit nothing
  piece-level from the old ones.
- ``add``: adds pieces to the outfit ("also shoes", "a bag to go with it").
- ``refine``: changes existing pieces ("make it green", "actually a jumpsuit",
  "the shirt in light blue") or only shopper-level facts ("I'm in Milan", "size M").
- ``suggest``: asks for ideas ("what do you suggest?", "surprise me").
- ``products`` / ``ateliers``: asks to see products like the design / makers for it.
- ``none``: nothing about the outfit was understood.
"""

Question = Literal["budget", "city", "garment"]
"""What the assistant asked last, so a short answer can be read as its answer."""

SHOPPER_FIELDS = frozenset({"gender", "age_group", "city", "size"})
"""Facts about the shopper (or who they dress): they carry over to every piece."""


class PieceUpdate(BaseModel):
    """What a message sets on one piece.

    ``piece`` is the index of an existing piece of the outfit, or None for a piece the
    message adds (intents ``new`` and ``add``). ``brief`` holds only the fields the
    message sets; lists it sets replace the piece's lists.
    """

    piece: int | None = None
    brief: DesignBrief = Field(default_factory=DesignBrief)


class TurnUpdate(BaseModel):
    """A message read: the intent, one update per piece it touches, and shopper-level facts."""

    intent: Intent = "none"
    pieces: list[PieceUpdate] = Field(default_factory=list)
    shopper: DesignBrief = Field(default_factory=DesignBrief)

    def first_brief(self) -> DesignBrief:
        """The first piece the message describes (or the facts it gives without a garment),
        with the shopper-level facts: what a message read on its own asks for."""
        piece = self.pieces[0].brief if self.pieces else DesignBrief()
        return piece.model_copy(update=self.shopper.model_dump(exclude_unset=True))

    def budget_only(self) -> bool:
        """Whether the message set nothing but a budget (an answer to "your budget?")."""
        fields = {f for p in self.pieces for f in p.brief.model_fields_set}
        fields |= self.shopper.model_fields_set
        return bool(fields) and fields <= {"budget_min", "budget_max", "currency"}


class TurnContext(BaseModel):
    """What a reader knows before the message: the outfit, the focus, the last question."""

    outfit: list[DesignBrief] = Field(default_factory=list)
    focus: int | None = None
    question: Question | None = None

    @property
    def focused(self) -> DesignBrief | None:
        """The piece in focus, or None before anything was described."""
        if self.focus is None or not 0 <= self.focus < len(self.outfit):
            return None
        return self.outfit[self.focus]


def set_fields(brief: DesignBrief) -> set[str]:
    """The fields a brief update sets to a value (not None, not an empty list)."""
    return {name for name in brief.model_fields_set if getattr(brief, name) not in (None, [], "")}
