"""Reading a turn through any LLM provider via litellm, with a fallback reader.

:class:`LiteLLMBriefReader` sends the model the turn's context (the outfit, the piece in
focus, the assistant's last question) and the message, and asks for a JSON
:class:`TurnUpdate` constrained by its schema (``llm_prompt`` holds the words).
The reply is validated by pydantic and then checked against the context and the
catalogue (``llm_checks``):

- broken JSON, a reply outside the schema, a timeout or a transient API error is tried
  again, ``settings.retries`` times (1 by default), then raises :class:`BriefReaderError`;
- a reply that fits the schema but not the turn (a piece index outside the outfit, an
  intent that does not match its pieces, a colour not in the catalogue...) raises
  :class:`InvalidTurnError` at once: at temperature 0 the same prompt gets the same
  answer, and a second call would only double the shopper's wait.

:class:`FallbackBriefReader` answers any such turn with a deterministic reader (the
rule-based one), and asks the LLM again on the next turn.

litellm takes seconds to import, so it is imported on first use only. A shopper's
message can hold personal data: it, the context and the model's reply are logged at
DEBUG level only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from stylegenie.config.settings import LLMSettings
from stylegenie.core.ports import BriefReader
from stylegenie.core.understanding.turn import TurnContext, TurnUpdate

from .litellm_client import load_litellm, provider_arguments
from .llm_checks import TurnRejected, Vocabulary, parse_turn
from .llm_prompt import system_prompt, user_message

__all__ = [
    "BriefReaderError",
    "FallbackBriefReader",
    "InvalidTurnError",
    "LiteLLMBriefReader",
    "system_prompt",
]

log = logging.getLogger(__name__)


class BriefReaderError(RuntimeError):
    """The LLM gave no usable reading of the turn, after every allowed attempt."""


class InvalidTurnError(BriefReaderError):
    """The LLM's reply fits the schema but not the turn; ``problems`` says where."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(f"invalid reading of the turn: {'; '.join(problems)}")
        self.problems = list(problems)


class LiteLLMBriefReader:
    """A :class:`BriefReader` that asks an LLM, through litellm, for a checked TurnUpdate."""

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
        self._vocabulary = Vocabulary(article_types, colours)

    def read(self, text: str, context: TurnContext) -> TurnUpdate:
        """The intent and the pieces the message touches; only fields it sets are set."""
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
        log.debug("LLM turn read of %r (context: %s)", text, context.model_dump_json())
        for attempt in range(1, attempts + 1):
            try:
                content = self._complete(litellm, text, context)
                log.debug("LLM reply: %s", content)
                return parse_turn(content, text, context, self._vocabulary)
            except TurnRejected as error:  # same prompt, same answer: not worth a retry
                raise InvalidTurnError(error.problems) from error
            except (ValidationError, *retryable) as error:
                problem = _describe(error)
            except OpenAIError as error:  # auth, bad request, unknown model: not transient
                raise BriefReaderError(f"LLM request refused: {_describe(error)}") from error
            log.warning("LLM turn attempt %d/%d failed: %s", attempt, attempts, problem)
        message = f"no valid reading from the LLM after {attempts} attempts: {problem}"
        raise BriefReaderError(message)

    def _complete(self, litellm: Any, text: str, context: TurnContext) -> str:
        settings = self._settings
        response = litellm.completion(
            model=settings.model,
            **provider_arguments(settings),
            max_retries=0,  # retries are counted here, not hidden in the OpenAI client
            messages=[
                {"role": "system", "content": self._system},
                {"role": "user", "content": user_message(text, context)},
            ],
            response_format=TurnUpdate,
            temperature=0,
            drop_params=True,  # e.g. reasoning models that refuse a temperature
        )
        return response.choices[0].message.content or ""


def _describe(error: Exception) -> str:
    """A short cause for logs: the error type and its first line, never the shopper's text."""
    if isinstance(error, ValidationError):
        return f"reply not a TurnUpdate ({error.error_count()} errors)"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line[:200]}"


class FallbackBriefReader:
    """Reads with the primary reader; for a turn it cannot read, asks the fallback.

    The choice is made per turn: a failure (an invalid reply, a timeout, an outage)
    sends that one message to the fallback, and the next message goes to the primary.
    """

    def __init__(self, primary: BriefReader, fallback: BriefReader) -> None:
        self.primary = primary
        self.fallback = fallback

    def read(self, text: str, context: TurnContext) -> TurnUpdate:
        """The primary's reading, or the fallback's when the primary raises."""
        try:
            return self.primary.read(text, context)
        except InvalidTurnError as error:
            log.warning("LLM reading rejected (%s); the fallback reads this turn", error.problems)
        except Exception as error:  # any failure of the primary: the chat must go on
            cause = str(error) if isinstance(error, BriefReaderError) else type(error).__name__
            log.warning("primary brief reader failed (%s); the fallback reads this turn", cause)
            log.debug("fallback used for message %r", text, exc_info=True)
        return self.fallback.read(text, context)
