"""The conversation engine: one platform-free turn at a time.

greet → gather the brief (ask only what is essential) → designs → pick / refine /
vary / save → products → ateliers → lead. Every turn loads the chat's state from
the SessionStore, returns a Reply and saves the state, so any process can continue
any conversation. Nothing here knows which platform the shopper is on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from pydantic import ValidationError

from ..chats import ChatKey
from ..commands import COMMAND_NAMES
from ..domain import DesignBrief
from ..ports import ProgressCallback, RenderFailed, RenderRefused
from ..reply import Reply
from . import texts
from .context import EngineOptions, EngineServices
from .designing import DesignFlow
from .handoff import HandoffFlow
from .outfit import apply_update
from .profile import ProfileFlow
from .shopping import ShoppingFlow
from .state import ConversationState, Incoming, MessageKind

log = logging.getLogger(__name__)


Handler = Callable[[str, ConversationState, str, ProgressCallback | None], Reply]

SLOW_ACTIONS = frozenset({"vary", "more", "products", "ateliers", "idea", "start", "new"})
"""Button actions and commands that may search, render or match (free text always may)."""

_BARE_NUMBER = re.compile(r"\s*#?(\d{1,6})\s*[.)!]?\s*")
"""A message that is only a number: a button's number, or a budget when one was asked for."""


class ConversationEngine:
    """Turns one incoming event of a chat into a Reply, keeping the chat's state."""

    def __init__(self, services: EngineServices, options: EngineOptions) -> None:
        self._services = services
        self._options = options
        self._designs = DesignFlow(services, self._options)
        self._shopping = ShoppingFlow(services, self._options, self._designs)
        self._profile = ProfileFlow(services, self._designs)
        self._handoff = HandoffFlow(services, self._designs, self._shopping)
        self._commands: dict[str, Handler] = {
            "start": self._start,
            "new": self._start,
            "help": lambda *_: Reply(text=texts.HELP),
            "cancel": self._cancel,
            "budget": self._designs.budget_command,
            "products": self._shopping.products,
            "ateliers": self._shopping.ateliers,
            "save": self._profile.save_chosen,
            "saved": self._profile.saved,
            "prefs": self._profile.prefs,
            "leads": lambda key, *_: services.leads.open_leads(key),
        }
        assert set(self._commands) == COMMAND_NAMES, "every listed command needs a handler"

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        """Answer one event of the chat ``chat``; ``progress`` hears a slow turn's steps."""
        chat_key = str(chat)
        if not self._services.rate_limiter.allow(chat_key):
            return Reply(text=texts.SLOW_DOWN)
        state, reset = self._load(chat_key)
        before = state.model_dump(mode="json")
        state.sender = incoming.sender
        try:
            reply = self._dispatch(chat_key, state, incoming, progress)
        except RenderRefused as refusal:
            self._services.sessions.save(chat_key, before)
            return Reply(text=str(refusal))
        except RenderFailed as failure:
            log.warning("render failed: %s", failure)
            self._services.sessions.save(chat_key, before)
            return Reply(text=texts.RENDER_FAILED)
        except Exception:
            log.exception("turn failed for a %s event", incoming.kind)
            self._services.sessions.save(chat_key, before)
            return Reply(text=texts.SOMETHING_WENT_WRONG.format(doing="answering that"))
        state.turns += 1
        state.last_choices = [choice.id for choice in reply.choices]
        self._services.sessions.save(chat_key, state.model_dump(mode="json"))
        if reset:
            reply.text = texts.STATE_RESET + "\n\n" + reply.text
        return reply

    @staticmethod
    def may_be_slow(incoming: Incoming) -> bool:
        """Whether answering may take a second or more (a read by the LLM, a search, a
        render, a match): front-ends show progress for such a turn at once."""
        if incoming.kind is MessageKind.PHOTO:
            return True
        if incoming.kind is MessageKind.TEXT:
            return bool(incoming.text.strip())
        if incoming.kind is MessageKind.COMMAND:
            return incoming.command in SLOW_ACTIONS and (
                incoming.command not in ("start", "new") or bool(incoming.text.strip())
            )
        if incoming.kind is MessageKind.CHOICE:
            return (incoming.choice_id or "").partition(":")[0] in SLOW_ACTIONS - {"start", "new"}
        return False

    def outfit(self, chat: ChatKey) -> list[DesignBrief]:
        """The full brief of every piece the chat is designing (empty before any garment)."""
        return self._load(str(chat))[0].outfit

    def _load(self, chat_key: str) -> tuple[ConversationState, bool]:
        raw = self._services.sessions.load(chat_key)
        if raw is None:
            return ConversationState(), False
        try:
            return ConversationState.model_validate(raw), False
        except ValidationError:
            log.warning("discarding an unreadable conversation state")
            return ConversationState(), True

    def _dispatch(
        self,
        chat_key: str,
        state: ConversationState,
        incoming: Incoming,
        progress: ProgressCallback | None,
    ) -> Reply:
        if incoming.kind is MessageKind.COMMAND:
            handler = self._commands.get(incoming.command or "")
            if handler is None:
                return Reply(text=texts.UNKNOWN_COMMAND.format(name=(incoming.command or "")[:30]))
            return handler(chat_key, state, self._clip(incoming.text)[1], progress)
        if incoming.kind is MessageKind.CHOICE:
            return self._press(chat_key, state, incoming.choice_id or "", progress)
        if incoming.kind is MessageKind.STICKER:
            return Reply(text=texts.STICKER)
        if incoming.kind is MessageKind.PHOTO:
            if incoming.image_ref:
                caption = self._clip(incoming.text)[1]
                found = self._shopping.photo(incoming.image_ref, caption, progress)
                if found is not None:
                    return found
            if not incoming.text.strip():
                return Reply(text=texts.PHOTO_NO_CAPTION)
            reply = self._text(chat_key, state, incoming.text, progress)
            reply.text = texts.PHOTO_WITH_CAPTION + reply.text
            return reply
        if incoming.kind is MessageKind.LOCATION:
            state.awaiting = "city"
            return Reply(text=texts.LOCATION_WHICH_CITY)
        if incoming.kind is MessageKind.OTHER:
            return Reply(text=texts.OTHER_MEDIA)
        return self._text(chat_key, state, incoming.text, progress)

    def _clip(self, text: str) -> tuple[str, str]:
        """A note for the reply (empty unless cut) and the text cut to the configured length."""
        limit = self._options.max_message_chars
        if len(text) <= limit:
            return "", text
        return texts.TRUNCATED.format(limit=limit), text[:limit]

    def _text(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        if not text.strip():
            return Reply(text=texts.EMPTY_MESSAGE)
        note, text = self._clip(text)
        reply = self._read(chat_key, state, text, progress)
        reply.text = note + reply.text
        return reply

    def _read(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """A typed message: a button's number, an answer to the last question, or what the
        reader makes of it (a description, a refinement, a request for ideas or products)."""
        number = _BARE_NUMBER.fullmatch(text)
        if number and state.awaiting != "budget":
            return self._number(chat_key, state, int(number[1]), progress)
        refusal = self._services.moderator.refusal(text)
        if refusal:
            return Reply(text=refusal)
        update = self._services.brief_reader.read(text, state.context())
        if state.awaiting == "budget" and update.budget_only():
            return self._designs.set_budget(state, update)
        if state.awaiting == "budget" and update.intent == "none":
            return Reply(text=texts.BAD_BUDGET)
        if state.awaiting == "city":
            city = update.shopper.city or (text if update.intent == "none" else None)
            if city:
                return self._shopping.set_city(chat_key, state, city, progress)
        state.awaiting = None
        if update.intent in ("products", "ateliers", "suggest"):
            apply_update(state, update)
            if update.intent == "suggest":
                return self._designs.ideas(state)
            return self._commands[update.intent](chat_key, state, "", progress)
        if update.intent == "none":
            current = self._designs.current_choices(state)
            text = texts.NOTHING_UNDERSTOOD if state.pieces else current.text
            return Reply(text=text, choices=current.choices)
        return self._designs.understood(chat_key, state, update, progress)

    def _number(
        self,
        chat_key: str,
        state: ConversationState,
        number: int,
        progress: ProgressCallback | None,
    ) -> Reply:
        """A bare number presses that button of the last reply; otherwise it is asked about."""
        if 1 <= number <= len(state.last_choices):
            return self._press(chat_key, state, state.last_choices[number - 1], progress)
        if not state.last_choices:
            return Reply(text=texts.NUMBER_UNCLEAR.format(number=number))
        current = self._designs.current_choices(state)
        return Reply(
            text=texts.NO_SUCH_BUTTON.format(number=number, where=current.text),
            choices=current.choices,
        )

    def _press(
        self,
        chat_key: str,
        state: ConversationState,
        choice_id: str,
        progress: ProgressCallback | None,
    ) -> Reply:
        action, _, argument = choice_id.partition(":")
        if action in ("pick", "vary", "save") and state.design(argument) is None:
            return self._stale(state)
        if action in ("lead", "lead-send") and argument not in state.atelier_ids:
            return self._stale(state)
        if action == "idea":
            if not argument.isdigit() or int(argument) >= len(state.suggestions):
                return self._stale(state)
            return self._read(chat_key, state, state.suggestions[int(argument)], progress)
        if action == "pick":
            return self._designs.pick(state, argument)
        if action == "vary":
            return self._designs.vary(state, argument, progress)
        if action == "more":
            return self._designs.more(state, progress)
        if action == "save":
            return self._profile.save(chat_key, state, argument)
        if action == "lead":
            return self._handoff.ask(chat_key, state, argument)
        if action == "lead-send":
            return self._handoff.send(chat_key, state, argument)
        if action == "lead-cancel":
            return self._handoff.not_now(state)
        if action in ("lead-accept", "lead-decline") and state.sender is not None:
            chat, accept = ChatKey.parse(chat_key), action == "lead-accept"
            return self._services.leads.respond(argument, chat, state.sender, accept)
        if action == "relead":
            return self._handoff.ask_again(chat_key, state, argument) or self._stale(state)
        if action == "relead-send":
            return self._handoff.send_again(chat_key, state, argument) or self._stale(state)
        if action in self._commands:
            return self._commands[action](chat_key, state, "", progress)
        return self._stale(state)

    def _stale(self, state: ConversationState) -> Reply:
        current = self._designs.current_choices(state)
        return Reply(text=texts.STALE_BUTTON + " " + current.text, choices=current.choices)

    def _start(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        state.reset()
        if text.strip():
            return self._read(chat_key, state, text, progress)
        return self._services.leads.owner_menu(chat_key) or Reply(text=texts.GREETING)

    def _cancel(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        state.reset()
        return Reply(text=texts.CANCELLED)


__all__ = ["ConversationEngine", "EngineOptions", "EngineServices"]
