"""The offline brief reader: a shopper's message → a ``TurnUpdate``, by rules alone.

Deterministic, no model, about a millisecond for a chat message. It runs in stages:

1. fold the text (accents, apostrophes) and cap it at ``MAX_CHARS``;
2. blank out sizes and ages (``amounts``), so their numbers are never read as money;
3. find every vocabulary phrase with its position and negation (``phrases``);
4. split the message into one segment per garment it names ("navy chinos | and a white
   linen shirt"): colours, fabric, sleeves, length, silhouette, neckline, pattern and style
   belong to their segment's garment; the occasion and the budget belong to every piece
   the message names; who it is for, the size and the city are shopper-level facts;
5. decide the intent (``cues`` and the outfit so far): a garment the outfit already has
   is refined ("straight leg jeans please"); a garment named with a change cue, or in
   place of a negated one ("trousers, not shorts"), replaces the focused piece's garment;
   "also…" adds pieces; any other garment starts a new look. Without a garment, the
   message refines the focused piece (every piece with "each", "both"...), or asks for
   ideas, products or ateliers.

Negated colours become ``avoid_colours``; a shade word ("sage") is kept in ``shades``
beside its catalogue colour; "shorter"/"longer" step along the hem ladder from the
piece's current length; a bare number is a budget only when the last question asked for
one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain import DesignBrief
from ..geo import find_city
from ..ports import Geocoder
from . import cues
from . import vocabulary as vocab
from .amounts import blank_budget_words, blank_sizes_and_ages, read_budget
from .phrases import Mention, Scan, scan
from .turn import Intent, PieceUpdate, TurnContext, TurnUpdate

__all__ = ["MAX_CHARS", "RuleBasedBriefReader", "read_brief"]

MAX_CHARS = 4000
"""Only this many leading characters of a message are read; the rest is ignored."""

_CITY_CUE = re.compile(
    r"\b(?:i'?m|i am|we'?re|we are|i live|we live|living|based|located|staying|moving|moved)"
    r"\s+(?:in|to|near|at|from|out of)\s+"
    r"(?P<place>[^\W\d_][\w'-]+(?:\s+[^\W\d_][\w'-]+){0,2})",
    re.IGNORECASE,
)
_NOT_PLACES = frozenset({"a", "an", "the", "my", "our", "this", "that", "love", "need", "search"})
_CHILD_GENDER = {"men": "boys", "women": "girls"}
_SEPARATORS = frozenset({"and", "plus", "with", "or"})
_PIECE_FIELDS = ("fabric", "sleeves", "length", "silhouette", "neckline", "pattern")


@dataclass(frozen=True)
class _Segment:
    """The words of a message that describe one garment, and that garment."""

    garment: vocab.Garment
    start: int
    end: int


def _garments(found: Scan) -> list[tuple[vocab.Garment, int, int]]:
    """The garments wished for, adjacent ones joined ("crossbody bag" is one bag): not the
    negated ones, nor those told as the past ("last year I was in a hoodie")."""
    words = found.words
    past = {
        found.clauses[i]
        for i, word in enumerate(words)
        if word in vocab.PAST_WORDS
        and (i + 1 == len(words) or words[i + 1] not in vocab.WISH_VERBS)
    }
    joined: list[tuple[vocab.Garment, int, int]] = []
    for m in found.mentions:
        if m.kind != "garment" or m.negated or not isinstance(m.value, vocab.Garment):
            continue
        if found.clauses[m.start] in past:
            continue
        if joined and joined[-1][2] == m.start:
            head, start, _ = joined[-1]
            types = tuple(dict.fromkeys((*head.article_types, *m.value.article_types)))
            joined[-1] = (m.value._replace(article_types=types), start, m.end)
        else:
            joined.append((m.value, m.start, m.end))
    return joined


def _segments(found: Scan, garments: list[tuple[vocab.Garment, int, int]]) -> list[_Segment]:
    """One segment per garment, split at the last "and" / comma between two garments."""
    segments = []
    start = 0
    for i, (garment, _, end) in enumerate(garments):
        if i + 1 == len(garments):
            segments.append(_Segment(garment, start, len(found.words)))
            break
        next_start = garments[i + 1][1]
        split = end
        for j in range(end, next_start):
            clause_break = j > 0 and found.clauses[j] != found.clauses[j - 1]
            if found.words[j] in _SEPARATORS or clause_break:
                split = j
        segments.append(_Segment(garment, start, split))
        start = split
    return segments


def _with_details(found: Scan) -> Scan:
    """Colours of hardware ("a silver buckle", "gold zips") become style notes, not colours."""
    mentions = []
    for m in found.mentions:
        after = found.words[m.end] if m.end < len(found.words) else ""
        if m.kind == "colour" and after in vocab.HARDWARE:
            m = Mention("style", f"{m.words} {after}", m.start, m.end + 1, m.negated, m.words)
        mentions.append(m)
    return Scan(found.words, found.clauses, mentions)


def _matches(found: Scan, segment: _Segment) -> bool:
    """Whether the segment asks for a piece "matching" the one it goes with."""
    text = " ".join(found.words[segment.start : segment.end])
    return any(f" {phrase} " in f" {text} " for phrase in vocab.MATCHING)


def _step_length(current: str | None, step: int) -> str:
    """One step along the hem ladder from ``current``; mini or maxi when it is off the ladder."""
    ladder = vocab.LENGTH_LADDER
    if current not in ladder:
        return ladder[0] if step < 0 else ladder[-2]
    return ladder[min(max(ladder.index(current) + step, 0), len(ladder) - 1)]


def _piece_fields(mentions: list[Mention], current: DesignBrief | None) -> dict[str, Any]:
    """The piece-level fields (colours, fabric, sleeves...) that these mentions set."""
    fields: dict[str, Any] = {}
    colours: list[str] = []
    shades: list[str] = []
    avoid: list[str] = []
    styles: list[str] = []
    for m in mentions:
        if m.kind == "colour" and isinstance(m.value, str):
            if m.negated:
                avoid += [] if m.value in avoid else [m.value]
            elif m.value not in colours:
                colours.append(m.value)
                if m.words != m.value.lower():
                    shades.append(m.words)
        elif m.negated:
            continue
        elif m.kind == "style" and isinstance(m.value, str):
            styles += [] if m.value in styles else [m.value]
        elif m.kind in _PIECE_FIELDS:
            fields.setdefault(m.kind, m.value)
        elif m.kind == "step" and isinstance(m.value, int):
            fields.setdefault("step", m.value)
    step = fields.pop("step", None)
    if step is not None and "length" not in fields:
        fields["length"] = _step_length(current.length if current else None, step)
    wanted = [c for c in colours if c not in avoid]  # "pink, but I look awful in pink"
    if wanted:
        fields["colours"] = wanted
    if shades := [s for s, c in zip(shades, colours, strict=False) if c in wanted]:
        fields["shades"] = shades
    if avoid:
        fields["avoid_colours"] = avoid
    if styles:
        fields["style_notes"] = styles
    return fields


def _garment_fields(garment: vocab.Garment) -> dict[str, Any]:
    return {
        "garment": garment.word,
        "category": garment.category,
        "article_types": list(garment.article_types),
    }


def _city(folded: str, geocoder: Geocoder | None) -> str | None:
    """The city named: from the built-in table anywhere, or any city the geocoder knows
    after "I'm in", "I live in", "based in"... ("I'm in Denver")."""
    if city := find_city(folded):
        return city.name
    if geocoder is None:
        return None
    for cue in _CITY_CUE.finditer(folded):
        words = cue["place"].split()
        if words[0].lower() in _NOT_PLACES:
            continue
        for size in range(len(words), 0, -1):
            name = " ".join(words[:size])
            if not scan(name).mentions and (place := geocoder.locate(name)):
                return place.name
    return None


def _shopper_facts(
    found: Scan, folded: str, size: str | None, child: bool | None, context: TurnContext
) -> DesignBrief:
    """Who it is for, their size and city: facts that carry over to every piece.

    A noun ("my son", "my wife") says the gender and whether it is for a child; a pronoun
    ("she loves pink") only the gender, a child's when the outfit is for a child.
    """
    first = {m.kind: m.value for m in reversed(found.mentions) if not m.negated}
    fields: dict[str, Any] = {}
    gender = first.get("gender")
    kids = gender in ("boys", "girls") or bool(first.get("age_group")) or bool(child)
    if gender is None and "pronoun" in first:
        focused = context.focused
        for_kids = kids or (focused is not None and focused.age_group == "kids")
        gender = _CHILD_GENDER.get(str(first["pronoun"])) if for_kids else first["pronoun"]
    elif (gender in ("men", "women") or child is False) and not kids:
        fields["age_group"] = "adult"
    if kids:
        fields["age_group"] = "kids"
        gender = _CHILD_GENDER.get(str(gender), gender)  # "my lad, he's 10"
    if gender:
        fields["gender"] = gender
    if size:
        fields["size"] = size
    return DesignBrief(**fields)


def _matching_piece(garment: vocab.Garment, context: TurnContext) -> int | None:
    """The piece of the outfit this garment names (the focused one first), if any: the same
    garment word, or the same catalogue types ("hoodie" names a sweatshirt; a raincoat is
    not a jacket)."""
    order = sorted(range(len(context.outfit)), key=lambda i: i != context.focus)
    for i in order:
        piece = context.outfit[i]
        if piece.garment == garment.word or set(piece.article_types) == set(garment.article_types):
            return i
    return None


def _intent_without_garment(lower: str, has_fields: bool) -> Intent:
    if cues.PRODUCTS.search(lower):
        return "products"
    if cues.ATELIERS.search(lower):
        return "ateliers"
    if cues.SUGGEST.search(lower):
        return "suggest"
    return "refine" if has_fields else "none"


class RuleBasedBriefReader:
    """Reads a ``TurnUpdate`` with tables and regular expressions (a ``BriefReader``).

    Thread-safe; the embedded default and the fallback of the LLM reader. With a
    ``geocoder`` it knows every city the geocoder knows when the shopper says where they
    are; without one, the cities of ``core.geo``'s table.
    """

    def __init__(self, geocoder: Geocoder | None = None) -> None:
        self._geocoder = geocoder

    def read(self, text: str, context: TurnContext) -> TurnUpdate:
        """What the message means for the outfit in ``context``."""
        folded = vocab.fold(text[:MAX_CHARS])
        lower = folded.lower()
        masked, size, child = blank_sizes_and_ages(folded)
        found = _with_details(scan(blank_budget_words(masked)))
        shopper = _shopper_facts(found, folded, size, child, context)
        if city := _city(folded, self._geocoder):
            shopper = shopper.model_copy(update={"city": city})
        shared: dict[str, Any] = read_budget(masked, bare_number=context.question == "budget")
        occasion = next(
            (m.value for m in found.mentions if m.kind == "occasion" and not m.negated), None
        )
        if occasion:
            shared["occasion"] = occasion
        garments = _garments(found)
        if not garments:
            return self._refinement(found, lower, context, shared, shopper)
        pieces: list[PieceUpdate] = []
        for segment in _segments(found, garments):
            target = _matching_piece(segment.garment, context)
            current = context.outfit[target] if target is not None else None
            fields = _piece_fields(found.within(segment.start, segment.end), current)
            if "colours" not in fields and _matches(found, segment):
                goes_with = pieces[-1].brief if pieces else context.focused
                if goes_with is not None and goes_with.colours:
                    fields.update(colours=goes_with.colours, shades=goes_with.shades)
            brief = DesignBrief(**_garment_fields(segment.garment), **fields, **shared)
            pieces.append(PieceUpdate(piece=target, brief=brief))
        return TurnUpdate(
            intent=self._garment_intent(found, lower, context, pieces),
            pieces=pieces,
            shopper=shopper,
        )

    def _refinement(
        self,
        found: Scan,
        lower: str,
        context: TurnContext,
        shared: dict[str, Any],
        shopper: DesignBrief,
    ) -> TurnUpdate:
        """A message naming no garment: it refines the focused piece (or every piece)."""
        fields = {**_piece_fields(found.mentions, context.focused), **shared}
        has_shopper_facts = bool(shopper.model_fields_set)
        intent = _intent_without_garment(lower, bool(fields) or has_shopper_facts)
        if not fields:
            return TurnUpdate(intent=intent, shopper=shopper)
        every = len(context.outfit) > 1 and cues.EVERY_PIECE.search(lower)
        targets = list(range(len(context.outfit))) if every else [context.focus]
        brief = DesignBrief(**fields)
        return TurnUpdate(
            intent=intent,
            pieces=[PieceUpdate(piece=t, brief=brief) for t in targets],
            shopper=shopper,
        )

    @staticmethod
    def _garment_intent(
        found: Scan, lower: str, context: TurnContext, pieces: list[PieceUpdate]
    ) -> Intent:
        """New look, added pieces or a refinement; retargets a changed garment in place."""
        if not context.outfit:
            return "new"
        if all(p.piece is not None for p in pieces):
            return "refine"
        replaced = next(
            (
                _matching_piece(m.value, context)
                for m in found.mentions
                if m.kind == "garment" and m.negated and isinstance(m.value, vocab.Garment)
            ),
            None,
        )
        if cues.ADD.search(lower) and replaced is None:
            return "add"
        new = [p for p in pieces if p.piece is None]
        named = [p for p in pieces if p.piece is not None]
        changing = replaced is not None or cues.CHANGE.search(lower)
        if len(new) == 1 and len(named) <= 1 and changing:
            # "actually a jumpsuit", "trousers, not shorts", "make the dress a jumpsuit"
            target = replaced if replaced is not None else context.focus
            if named:
                target = named[0].piece
                pieces.remove(named[0])
            new[0].piece = target
            return "refine"
        return "new"


def read_brief(text: str) -> DesignBrief:
    """The brief a single message describes, read with no earlier context."""
    return RuleBasedBriefReader().read(text, TurnContext()).first_brief()
