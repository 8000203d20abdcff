"""Brief understanding through any LLM provider via litellm, with a fallback reader.

:class:`LiteLLMBriefReader` asks the model for a JSON brief update constrained by
the :class:`DesignBrief` schema, validates it with pydantic and retries once (by
default) on broken JSON, a timeout or a transient API error.
:class:`FallbackBriefReader` puts a deterministic reader behind it, so a slow or
failing provider never stops the conversation.

litellm takes seconds to import, so it is imported on first use only. A shopper's
message can hold personal data: it is logged at DEBUG level only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from stylegenie.config.settings import LLMSettings
from stylegenie.core.domain import DesignBrief
from stylegenie.core.ports import BriefReader

from .litellm_client import load_litellm, provider_arguments

__all__ = ["BriefReaderError", "FallbackBriefReader", "LiteLLMBriefReader", "system_prompt"]

log = logging.getLogger(__name__)


_FIELDS = """\
- garment: the garment in the shopper's own plain words ("dress", "t-shirt", "sneakers").
- category: the coarse family: top, bottom, dress, outerwear, suit, footwear, bag, accessory.
- article_types: the catalogue types the garment maps to, chosen ONLY from: {article_types}.
- colours: catalogue colour names ONLY, chosen from: {colours}. Map shades to the nearest one
  ("sage" -> "Green", "burgundy" -> "Maroon" when those exist).
- fabric, silhouette, length, sleeves: short words ("linen", "a-line", "midi", "long").
- occasion: what it is for ("wedding", "office", "beach").
- style_notes: other short style wishes, each a few words ("flowy", "minimal").
- budget_min, budget_max: numbers without currency; "under 120" sets only budget_max.
- currency: ISO 4217 code ("EUR", "USD", "INR") when a price or symbol is given.
- size: as written ("M", "38", "UK 10").
- gender: one of men, women, boys, girls, unisex, only when said or clearly implied.
- city: where the shopper is, when they say so."""

_RULES = """\
You turn one message of a shopper into an UPDATE of their fashion design brief.
Reply with one JSON object and nothing else. Its keys are brief fields:
{fields}

Rules:
- Return ONLY the fields this message mentions or changes; leave every other field null
  (or an empty list). Never repeat the current brief's values unless the message changes them.
- The current brief is context for refinements: "make it green" changes colours only;
  "longer" changes length relative to the current one; "in linen" changes fabric only.
- A list field you return replaces the current list, so include every value the shopper wants.
- If the message mentions nothing about the outfit, return an object with every field null."""


class BriefReaderError(RuntimeError):
    """The LLM gave no usable brief update, after every allowed attempt."""


def system_prompt(article_types: Sequence[str], colours: Sequence[str]) -> str:
    """The system prompt that explains the brief fields and the catalogue vocabularies."""
    fields = _FIELDS.format(
        article_types=", ".join(article_types) or "(any plain catalogue type name)",
        colours=", ".join(colours) or "(any plain colour name)",
    )
    return _RULES.format(fields=fields)


class LiteLLMBriefReader:
    """A :class:`BriefReader` that asks an LLM, through litellm, for a structured update."""

    def __init__(
        self,
        settings: LLMSettings,
        article_types: Sequence[str] = (),
        colours: Sequence[str] = (),
    ) -> None:
        if not settings.model:
            raise ValueError("LiteLLMBriefReader needs settings.model (STYLEGENIE_LLM__MODEL)")
        self._settings = settings
        self._system = system_prompt(article_types, colours)

    def read(self, text: str, current: DesignBrief) -> DesignBrief:
        """The update the message asks for: only the fields it mentions are set."""
        litellm = load_litellm()
        from openai import OpenAIError  # litellm's errors all derive from it

        retryable = (
            litellm.Timeout,
            litellm.APIConnectionError,
            litellm.RateLimitError,
            litellm.InternalServerError,
            litellm.ServiceUnavailableError,
            litellm.BadGatewayError,
            litellm.APIError,
        )
        attempts = 1 + self._settings.retries
        problem = ""
        log.debug("LLM brief read of %r (current: %s)", text, current.model_dump_json())
        for attempt in range(1, attempts + 1):
            try:
                return _mentioned_only(self._complete(litellm, text, current))
            except (ValidationError, *retryable) as error:
                problem = _describe(error)
            except OpenAIError as error:  # auth, bad request, unknown model: not transient
                raise BriefReaderError(f"LLM request refused: {_describe(error)}") from error
            log.warning("LLM brief attempt %d/%d failed: %s", attempt, attempts, problem)
        raise BriefReaderError(f"no valid brief from the LLM after {attempts} attempts: {problem}")

    def _complete(self, litellm: Any, text: str, current: DesignBrief) -> str:
        settings = self._settings
        user = (
            "Current brief (JSON):\n"
            f"{current.model_dump_json(exclude_defaults=True)}\n\n"
            f"Shopper's message:\n{text}"
        )
        response = litellm.completion(
            model=settings.model,
            **provider_arguments(settings),
            max_retries=0,  # retries are counted here, not hidden in the OpenAI client
            messages=[
                {"role": "system", "content": self._system},
                {"role": "user", "content": user},
            ],
            response_format=DesignBrief,
            temperature=0,
            drop_params=True,  # e.g. reasoning models that refuse a temperature
        )
        return response.choices[0].message.content or ""


def _mentioned_only(content: str) -> DesignBrief:
    """Validate the reply; only fields given a value count as set (strict schemas send nulls)."""
    brief = DesignBrief.model_validate_json(_strip_code_fence(content))
    mentioned = {name for name in brief.model_fields_set if getattr(brief, name) not in (None, [])}
    return DesignBrief.model_construct(mentioned, **brief.model_dump(include=mentioned))


def _strip_code_fence(content: str) -> str:
    """Some models wrap JSON in a Markdown fence even when asked not to."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _describe(error: Exception) -> str:
    """A short cause for logs: the error type and its first line, never the shopper's text."""
    if isinstance(error, ValidationError):
        return f"invalid brief JSON ({error.error_count()} errors)"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line[:200]}"


class FallbackBriefReader:
    """Reads with the primary reader; when it fails, answers with the fallback's reading."""

    def __init__(self, primary: BriefReader, fallback: BriefReader) -> None:
        self.primary = primary
        self.fallback = fallback

    def read(self, text: str, current: DesignBrief) -> DesignBrief:
        """The primary's update, or the fallback's when the primary raises."""
        try:
            return self.primary.read(text, current)
        except Exception as error:  # any failure of the primary: the chat must go on
            cause = str(error) if isinstance(error, BriefReaderError) else type(error).__name__
            log.warning("primary brief reader failed (%s); using the fallback reader", cause)
            log.debug("fallback used for message %r", text, exc_info=True)
        return self.fallback.read(text, current)
