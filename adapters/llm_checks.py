"""Checks on an LLM's reading of a turn, beyond what the pydantic schema can say.

:func:`parse_turn` validates the reply with ``TurnUpdate.model_validate_json`` (a
``ValidationError`` for broken JSON or a field outside the schema), keeps only the fields
given a value, then checks it against the turn's context and the catalogue:

- every ``piece`` index is a piece of the outfit, and no piece is updated twice;
- "refine" targets existing pieces only (with an empty outfit, one null piece: the facts said
  before any garment); "new" and "add" add pieces (``piece`` null) and
  name at least one; "none" sets nothing;
- ``shopper`` holds shopper-level fields only (a shopper field found in a piece is moved
  to ``shopper``, unless it disagrees with a value already there);
- article types and colours (and avoid_colours) come from the catalogue lists, matched
  without regard to case and returned in the catalogue's spelling; no colour is both
  wanted and avoided;
- a currency is an ISO 4217 code; a bare number is a budget only when the assistant
  asked for the budget.

Any failed check raises :class:`TurnRejected` with every problem found. Problems name the
field and the rule, never a value: the shopper's words may be in the values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from stylegenie.core.domain import DesignBrief
from stylegenie.core.understanding.turn import (
    SHOPPER_FIELDS,
    PieceUpdate,
    TurnContext,
    TurnUpdate,
    set_fields,
)

__all__ = ["Vocabulary", "TurnRejected", "parse_turn", "strip_code_fence"]

_BARE_NUMBER = re.compile(r"\s*\d[\d\s.,]*\s*")
_ISO_CURRENCY = re.compile(r"[A-Z]{3}")


class TurnRejected(Exception):
    """A reply that is valid JSON of the schema but not a usable reading of this turn."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class Vocabulary:
    """The catalogue's article types and colours; an empty list accepts any name."""

    def __init__(self, article_types: Sequence[str] = (), colours: Sequence[str] = ()) -> None:
        self.article_types = {name.casefold(): name for name in article_types}
        self.colours = {name.casefold(): name for name in colours}


def strip_code_fence(content: str) -> str:
    """Some models wrap JSON in a Markdown fence even when asked not to."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def parse_turn(content: str, text: str, context: TurnContext, vocabulary: Vocabulary) -> TurnUpdate:
    """The checked reading of a reply; ``ValidationError`` or :class:`TurnRejected` if unusable."""
    raw = TurnUpdate.model_validate_json(strip_code_fence(content))
    problems: list[str] = []
    shopper = _values(raw.shopper)
    for name in sorted(shopper.keys() - SHOPPER_FIELDS):
        problems.append(f"shopper.{name}: a piece field, not a shopper fact")
    pieces = []
    for i, piece in enumerate(raw.pieces):
        where = f"pieces[{i}]"
        fields = _values(piece.brief)
        for name in sorted(fields.keys() & SHOPPER_FIELDS):
            value = fields.pop(name)
            if shopper.setdefault(name, value) != value:
                problems.append(f"{where}.brief.{name}: disagrees with shopper.{name}")
        problems += _vocabulary_problems(fields, vocabulary, where)
        pieces.append((piece.piece, fields))
    problems += _piece_problems(raw, context)
    problems += _money_problems([shopper, *(f for _, f in pieces)], text, context)
    kept = [(index, fields) for index, fields in pieces if fields]
    if raw.intent in ("new", "add") and not kept:
        problems.append(f"pieces: intent {raw.intent!r} adds no piece")
    if raw.intent == "none" and (kept or shopper):
        problems.append("intent 'none' sets fields")
    if problems:
        raise TurnRejected(problems)
    return TurnUpdate(
        intent=raw.intent,
        pieces=[PieceUpdate(piece=index, brief=_brief(fields)) for index, fields in kept],
        shopper=_brief(shopper),
    )


def _values(brief: DesignBrief) -> dict[str, Any]:
    """The fields given a value (strict schemas make models send null for every other)."""
    return {name: getattr(brief, name) for name in set_fields(brief)}


def _brief(fields: dict[str, Any]) -> DesignBrief:
    """A brief whose ``model_fields_set`` is exactly these fields (for ``merged``)."""
    return DesignBrief.model_construct(set(fields), **fields)


def _piece_problems(update: TurnUpdate, context: TurnContext) -> list[str]:
    problems = []
    size = len(context.outfit)
    seen: set[int] = set()
    for i, piece in enumerate(update.pieces):
        where = f"pieces[{i}].piece"
        if piece.piece is None:
            if update.intent == "refine" and size:
                problems.append(f"{where}: intent 'refine' needs an existing piece, not null")
            continue
        if update.intent in ("new", "add"):
            problems.append(f"{where}: intent {update.intent!r} adds pieces: piece must be null")
        if not 0 <= piece.piece < size:
            problems.append(f"{where}: no piece {piece.piece} in an outfit of {size}")
        elif piece.piece in seen:
            problems.append(f"{where}: piece {piece.piece} updated twice")
        seen.add(piece.piece)
    return problems


def _vocabulary_problems(fields: dict[str, Any], vocabulary: Vocabulary, where: str) -> list[str]:
    """Check catalogue names, rewriting ``fields`` in the catalogue's spelling."""
    problems = []
    for name, allowed, kind in (
        ("article_types", vocabulary.article_types, "article type"),
        ("colours", vocabulary.colours, "colour"),
        ("avoid_colours", vocabulary.colours, "colour"),
    ):
        if name not in fields or not allowed:
            continue
        unknown = [v for v in fields[name] if v.casefold() not in allowed]
        if unknown:
            problems.append(f"{where}.brief.{name}: {len(unknown)} value(s) not a catalogue {kind}")
        else:
            fields[name] = list(dict.fromkeys(allowed[v.casefold()] for v in fields[name]))
    both = {c.casefold() for c in fields.get("colours", [])}
    if both & {c.casefold() for c in fields.get("avoid_colours", [])}:
        problems.append(f"{where}.brief: a colour both wanted and avoided")
    return problems


def _money_problems(briefs: list[dict[str, Any]], text: str, context: TurnContext) -> list[str]:
    """ISO currencies (upper-cased in place); a bare number is money only when asked."""
    problems = []
    for fields in briefs:
        if "currency" in fields:
            fields["currency"] = fields["currency"].strip().upper()
            if not _ISO_CURRENCY.fullmatch(fields["currency"]):
                problems.append("currency: not an ISO 4217 code")
    budget = any({"budget_min", "budget_max"} & fields.keys() for fields in briefs)
    if budget and context.question != "budget" and _BARE_NUMBER.fullmatch(text):
        problems.append("budget: a bare number, but the assistant did not ask for the budget")
    return problems
