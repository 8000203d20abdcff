"""Applying a read message to the outfit: new looks, added pieces, refinements, shopper facts.

The rules of merging one piece update into a piece:
- a garment replaces the piece's garment, category and article types, and keeps the rest
  ("actually a jumpsuit");
- colours replace the colours (and shades), and leave the avoided colours; avoided colours
  add to the avoided ones and leave the colours;
- style notes add to the notes;
- a budget replaces the whole budget (a new "under 80" drops an earlier "from 40");
- every other field replaces its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..domain import DesignBrief
from ..understanding import vocabulary as vocab
from ..understanding.turn import SHOPPER_FIELDS, TurnUpdate, set_fields
from .state import ConversationState

__all__ = ["VISUAL_FIELDS", "Applied", "apply_update", "merge_piece"]

VISUAL_FIELDS = frozenset(
    {
        "garment",
        "category",
        "article_types",
        "colours",
        "shades",
        "avoid_colours",
        "fabric",
        "silhouette",
        "length",
        "sleeves",
        "neckline",
        "pattern",
        "occasion",
        "style_notes",
        "gender",
        "age_group",
    }
)
"""Fields whose change calls for new designs (a new budget, city or size does not)."""

_BUDGET_FIELDS = ("budget_min", "budget_max")


@dataclass
class Applied:
    """What applying a message changed: the fields set, and whether a look began or grew."""

    fields: set[str] = field(default_factory=set)
    new_look: bool = False
    added: int = 0

    @property
    def visual(self) -> bool:
        """Whether the change calls for new designs."""
        return bool(self.fields & VISUAL_FIELDS)


def _shade_colour(shade: str) -> str | None:
    return vocab.COLOURS.get(vocab.phrase_key(shade))


def merge_piece(piece: DesignBrief, update: DesignBrief) -> DesignBrief:
    """``piece`` with ``update`` merged in by the rules of this module."""
    changes: dict[str, Any] = {
        name: getattr(update, name) for name in set_fields(update) - SHOPPER_FIELDS
    }
    if "colours" in changes:
        changes.setdefault("shades", [])
        avoid = [c for c in piece.avoid_colours if c not in changes["colours"]]
        changes.setdefault("avoid_colours", avoid)
    if "avoid_colours" in changes and "colours" not in changes:
        changes["avoid_colours"] = list(
            dict.fromkeys([*piece.avoid_colours, *changes["avoid_colours"]])
        )
        kept = [c for c in piece.colours if c not in changes["avoid_colours"]]
        changes["colours"] = kept
        changes["shades"] = [s for s in piece.shades if _shade_colour(s) in kept]
    if "style_notes" in changes:
        changes["style_notes"] = list(dict.fromkeys([*piece.style_notes, *update.style_notes]))
    if changes.keys() & set(_BUDGET_FIELDS):
        changes = {"budget_min": None, "budget_max": None, **changes}
    merged = {**piece.model_dump(exclude_unset=True), **changes}
    return DesignBrief.model_validate(merged)


def _piece_only(brief: DesignBrief) -> DesignBrief:
    """The piece-level fields a brief sets."""
    return DesignBrief(
        **{name: getattr(brief, name) for name in set_fields(brief) - SHOPPER_FIELDS}
    )


def _with_shopper_facts(state: ConversationState, update: TurnUpdate) -> set[str]:
    """Merge shopper-level facts (also those a reader put on a piece); the fields changed."""
    facts = {n: getattr(update.shopper, n) for n in set_fields(update.shopper) & SHOPPER_FIELDS}
    for piece in update.pieces:
        for name in set_fields(piece.brief) & SHOPPER_FIELDS:
            facts.setdefault(name, getattr(piece.brief, name))
    changed = {n for n, v in facts.items() if getattr(state.shopper, n) != v}
    if changed:
        state.shopper = state.shopper.model_copy(update=facts)
    return changed


def apply_update(state: ConversationState, update: TurnUpdate) -> Applied:
    """Apply a read message to the chat's outfit and say what changed."""
    applied = Applied(fields=_with_shopper_facts(state, update))
    new = [_piece_only(p.brief) for p in update.pieces if p.piece is None]
    edits = [(p.piece, p.brief) for p in update.pieces if p.piece is not None]
    for index, brief in edits:
        if index >= len(state.pieces):
            continue
        before = state.pieces[index]
        state.pieces[index] = merge_piece(before, brief)
        applied.fields |= _changed(before, state.pieces[index])
    if len(edits) == 1 and edits[0][0] < len(state.pieces):
        state.focus = edits[0][0]
    if not new:
        return applied
    if not any(set_fields(p) & {"garment"} for p in new):
        state.draft = merge_piece(state.draft, new[0])
        applied.fields |= set_fields(new[0])
        return applied
    if update.intent == "add" and state.pieces:
        state.focus = len(state.pieces)
        state.pieces += new
        applied.added = len(new)
    else:
        state.pieces = [merge_piece(state.draft, new[0]), *new[1:]]
        state.focus = 0
        applied.new_look = True
    state.draft = DesignBrief()
    applied.fields |= {f for p in new for f in set_fields(p)}
    return applied


def _changed(before: DesignBrief, after: DesignBrief) -> set[str]:
    return {
        name for name in type(after).model_fields if getattr(before, name) != getattr(after, name)
    }
