"""What the LLM brief reader sends: the system prompt and the user message of one turn.

The system prompt is fixed per reader (it holds the catalogue vocabularies); the user
message carries the turn's context: the outfit (each piece's brief with its index), the
piece in focus and the assistant's last question, then the shopper's message.
"""

from __future__ import annotations

from collections.abc import Sequence

from stylegenie.core.understanding.turn import TurnContext

__all__ = ["system_prompt", "user_message"]

_PROMPT = """\
You read one chat message of a shopper talking to a fashion-design assistant and say what it
means for their OUTFIT: a list of pieces (a dress, a jacket, shoes...) numbered from 0.
Reply with ONE JSON object and nothing else:
{{"intent": "...", "pieces": [{{"piece": <index or null>, "brief": {{...}}}}], "shopper": {{...}}}}

INTENT, exactly one:
- "new": describes a different garment (or several) not phrased as a change: a new look.
  One piece per garment, each with "piece": null.
- "add": adds pieces to the outfit ("also shoes", "a bag to go with it"); each "piece": null.
- "refine": changes existing pieces ("make it green", "actually a jumpsuit", "the shirt in
  light blue"); each piece is the index of an existing piece. A message that only gives
  shopper facts ("I'm in Milan", "size M") is "refine" with "pieces": []. With an empty
  outfit, details without a garment ("for a wedding, under 100") are "refine" with one
  piece whose "piece" is null.
- "suggest": asks for ideas ("what do you suggest?", "surprise me").
- "products": asks to see products like the design; "ateliers": asks for makers or tailors.
  With these three, details the message gives go on the piece in focus.
- "none": nothing about the outfit; "pieces": [] and "shopper" with every field null.

WHICH PIECE:
- A change naming a piece edits that piece's index ("make the shirt light blue" -> the shirt).
- A change naming no piece ("longer", "in linen") edits the piece in focus.
- Use only indices of the outfit shown; never invent one. An empty outfit has no index.
- When the assistant last asked for the "garment" and the piece in focus has none yet, a
  garment in the answer refines that piece.

BRIEF of a piece: set ONLY the fields this message sets; every other field null or [].
- garment: the garment in the shopper's plain words ("dress", "t-shirt", "sneakers").
- category: top, bottom, dress, outerwear, suit, footwear, bag or accessory.
- article_types: catalogue types for the garment, ONLY from: {article_types}.
- colours: catalogue colour names, ONLY from: {colours}.
- shades: the shopper's own shade words ("sage", "burgundy") while colours holds the
  nearest catalogue colour ("Green", "Maroon"); [] when they used a plain catalogue colour.
- avoid_colours: catalogue colour names the shopper rules out.
- fabric, silhouette, length, sleeves, neckline, pattern: short words ("linen", "a-line",
  "midi", "long", "v-neck", "floral"); occasion: what it is for ("wedding", "office").
- style_notes: other short wishes, a few words each ("flowy", "minimal").
- budget_min, budget_max, currency, deadline_days (how many days until it is needed).
A list you set replaces the piece's list: "add white" to ["Green"] gives ["Green", "White"].

SHOPPER: facts about who it is for, true of every piece; only gender, age_group, city, size.
Never put these four in a piece's brief, nor piece fields in "shopper".
- gender: men, women, boys, girls or unisex, only when said or clearly implied:
  husband, boyfriend, dad -> "men"; wife, girlfriend, mum -> "women";
  daughter -> "girls"; son -> "boys"; "unisex" only when asked for.
- age_group: "kids" for a child ("my 6 year old", "for my son", "toddler"), "adult" when
  it is clearly an adult. city: where the shopper is. size: as written ("M", "38", "UK 10").

NEGATION:
- "anything but black", "no black" -> avoid_colours ["Black"] and no colours.
- "no, not red — navy" -> colours ["Navy Blue"], avoid_colours ["Red"].
- A colour is never in both colours and avoid_colours.

BUDGET (piece-level):
- Numbers only: "under 120" -> budget_max 120; "from 50" -> budget_min 50; "40-60" -> both;
  "around 100" -> budget_min 80, budget_max 120.
- currency: ISO 4217 code from a symbol or word ("$" USD, "€"/"euros" EUR, "£" GBP,
  "₹"/"rupees" INR); null when none is given.
- A budget goes on every piece the message describes, or on the piece in focus.
- A bare number ("80") is a budget ONLY when the assistant's last question was "budget";
  otherwise ignore it. Sizes ("size 38") and ages ("6 year old") are never money.

EXAMPLE. Outfit empty; message "a sage linen dress and white sneakers for my wife, under
€150, we're in Lisbon" ->
{{"intent": "new", "pieces": [
  {{"piece": null, "brief": {{"garment": "dress", "category": "dress", "colours": ["Green"],
    "shades": ["sage"], "fabric": "linen", "budget_max": 150, "currency": "EUR"}}}},
  {{"piece": null, "brief": {{"garment": "sneakers", "category": "footwear",
    "colours": ["White"], "budget_max": 150, "currency": "EUR"}}}}],
 "shopper": {{"gender": "women", "city": "Lisbon"}}}}
(Shown without the null fields; article_types as the catalogue lists them.)"""


def system_prompt(article_types: Sequence[str], colours: Sequence[str]) -> str:
    """The system prompt: intents, piece targeting, fields, vocabularies, rules, an example."""
    return _PROMPT.format(
        article_types=", ".join(article_types) or "(any plain catalogue type name)",
        colours=", ".join(colours) or "(any plain colour name)",
    )


def user_message(text: str, context: TurnContext) -> str:
    """The turn's context (outfit, focus, last question) and then the shopper's message."""
    if context.outfit:
        lines = [
            f"piece {index}: {brief.model_dump_json(exclude_defaults=True)}"
            for index, brief in enumerate(context.outfit)
        ]
        outfit = "\n".join(lines)
    else:
        outfit = "(empty: nothing described yet)"
    focus = "none" if context.focused is None else f"piece {context.focus}"
    question = context.question or "none"
    return (
        f"Outfit so far:\n{outfit}\n\n"
        f"Piece in focus: {focus}\n"
        f"The assistant's last question: {question}\n\n"
        f"Shopper's message:\n{text}"
    )
