"""Regular-expression helpers shared by the rule-based readers."""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(phrases: str | Iterable[str]) -> str:
    """A regex alternation of literal phrases ("a|b c" or an iterable), longest first;
    a space in a phrase matches any spacing or a hyphen."""
    if isinstance(phrases, str):
        phrases = phrases.split("|")
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]*") for p in ordered)
