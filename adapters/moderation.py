"""Moderators: what a design request must not ask for, checked before anything renders.

The blocklist is always on; an LLM moderation model (through litellm) is added when
configured. A refusal is a plain-words reason the shopper can read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from stylegenie.config.settings import LLMSettings
from stylegenie.core.ports import Moderator

from .litellm_client import load_litellm, provider_arguments

log = logging.getLogger(__name__)

BLOCKED = (
    "I can't design that: it asks for something I don't draw ({what}). "
    "Try describing the outfit itself."
)
FLAGGED = (
    "I can't design that: the request was flagged as {what}. Try describing the outfit itself."
)


class BlocklistModerator:
    """Refuses requests that contain a blocked word or phrase (whole words, any case)."""

    def __init__(self, blocklist: Sequence[str]) -> None:
        words = sorted((w.strip().lower() for w in blocklist if w.strip()), key=len, reverse=True)
        self._pattern = (
            re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.I) if words else None
        )

    def refusal(self, text: str) -> str | None:
        """The reason to refuse, naming the blocked phrase, or None."""
        if self._pattern is None:
            return None
        found = self._pattern.search(text)
        return BLOCKED.format(what=found.group(1).lower()) if found else None


class LiteLLMModerator:
    """Asks a moderation model (OpenAI-compatible ``/moderations``) whether a request is allowed."""

    def __init__(self, model: str, llm: LLMSettings) -> None:
        self._model = model
        self._llm = llm

    def refusal(self, text: str) -> str | None:
        """The flagged categories in words, or None when the model allows the text."""
        litellm = load_litellm()
        arguments = provider_arguments(self._llm)
        arguments.pop("timeout")
        response = litellm.moderation(input=text, model=self._model, **arguments)
        result = response.results[0]
        if not result.flagged:
            return None
        categories = (
            result.categories
            if isinstance(result.categories, dict)
            else result.categories.model_dump()
        )
        flagged = [
            name.replace("/", " ").replace("_", " ") for name, hit in categories.items() if hit
        ]
        return FLAGGED.format(what=", ".join(flagged) or "unsafe")


class ChainModerator:
    """The first refusal of several moderators, in order."""

    def __init__(self, moderators: Sequence[Moderator]) -> None:
        self._moderators = list(moderators)

    def refusal(self, text: str) -> str | None:
        """The first moderator's reason to refuse, or None when all allow the text."""
        for moderator in self._moderators:
            reason = moderator.refusal(text)
            if reason:
                return reason
        return None
