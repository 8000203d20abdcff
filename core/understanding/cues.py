"""Cue phrases that say what a shopper is doing, not what they want to wear.

Each cue is a regular expression over the folded, lower-case message:

- ``SUGGEST``: asking for ideas ("what do you suggest?", "you pick", "surprise me");
- ``PRODUCTS`` / ``ATELIERS``: asking to see products or makers in words;
- ``ADD``: a garment joins the outfit ("also shoes", "and a bag to go with it");
- ``CHANGE``: the garment of a piece changes ("actually a jumpsuit", "make that a skirt");
- ``EVERY_PIECE``: a refinement for every piece ("each one under 78", "in both").
"""

from __future__ import annotations

import re

__all__ = ["ADD", "ATELIERS", "CHANGE", "EVERY_PIECE", "PRODUCTS", "SUGGEST"]


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:{p})" for p in patterns))


SUGGEST = _cue(
    r"\bwhat (?:do|would|should|could|can) you (?:suggest|recommend|propose|think)",
    r"\byou (?:tell me|pick|choose|decide|decide for me)\b",
    r"\b(?:surprise|inspire) me\b",
    r"\b(?:any|some|a few|your|give me|got any|show me some) (?:ideas|options|suggestions"
    r"|inspiration|recommendations|proposals)\b",
    r"^\W*(?:ideas|suggestions|options|recommendations)\W*$",
    r"\bno (?:idea|clue)\b|\bclueless\b|\bnot sure what\b|\bdunno\b|\bup to you\b",
    r"\bhelp me (?:choose|decide|pick)\b|\bwhat (?:should|shall|could|do) i wear\b",
    r"\brecommend (?:something|me something|an outfit)\b",
)
PRODUCTS = _cue(
    r"\b(?:show|find|see|get|list)(?: me)?(?: some| the| any)? (?:products|items|shops?"
    r"|things to buy|buying options|what's in the shops)\b",
    r"\bwhere (?:can|could|do) i (?:buy|get|find|shop)\b",
    r"\b(?:shop|buy) (?:it|this|that|the look|one)\b",
    r"^\W*(?:any )?products\W*$",
)
ATELIERS = _cue(
    r"\b(?:find|show|see|get)(?: me)?(?: an?| some| the)? (?:atelier|ateliers|tailor|tailors"
    r"|dressmaker|dressmakers|seamstress|maker|makers)\b",
    r"\bwho (?:can|could) (?:make|sew|tailor) (?:it|this|that|one|them)\b",
    r"\b(?:have|get) (?:it|this|one) (?:made|custom made|tailored|made to measure)\b",
)
ADD = _cue(
    r"\balso\b|\btoo\b|\bas well\b|\bplus\b|\bin addition\b|\banother\b",
    r"\bto (?:go|wear|pair|match) (?:it )?(?:with|under|over)\b|\bwith it\b|\bto match\b",
    r"^\W*(?:and|&|\+)\s",
    r"\badd (?:a|an|some|the)\b",
)
CHANGE = _cue(
    r"\bactually\b|\binstead\b|\brather\b|\bon second thoughts?\b|\bchanged my mind\b",
    r"\bon reflection\b|\bwould be better\b|\bi'?d prefer\b|\bbetter idea\b",
    r"\bmake (?:it|that|this|them|those) (?:an?\s+)?",
    r"\b(?:swap|switch|change|replace|trade)\b",
    r"^\W*(?:hmm+\W+)?(?:no|nah|nope|wait)\s*[,.!—–-]|^\W*(?:hmm+|no wait|oh wait)\b",
    r"\bturn (?:it|that) into\b",
)
EVERY_PIECE = _cue(
    r"\b(?:each|every|all)(?: one| of them| of those| pieces?| items?)?\b",
    r"\bper (?:piece|item|thing)\b|\bapiece\b|\bany of them\b|\ball of it\b",
    r"\bboth\b|\bthe whole (?:outfit|look)\b|\beverything\b",
)
