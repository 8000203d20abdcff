"""The terminal front-end: chat interactively, or replay a script and print the transcript.

A script has one message per line; ``#`` starts a comment; ``@choice X`` presses a
button of the last reply the current user saw, where X is the button's id ("products"),
its number as printed ("2") or its label ("Pick 2"); ``@as NAME`` goes on as another
terminal user (an atelier owner answering a lead, say) and a bare ``@as`` comes back.
Messages sent outside a turn (a lead to an owner, news to a shopper) print as
"[to NAME] …", and their buttons can be pressed once chatting as NAME. An id that is on
no current button ("@choice pick:d-1a2b") presses a button of an earlier message.

Turns run through the front-end kit like on every other surface (``TurnRunner``, the
progress pacer, the lead outbox, the neutral layout); the lead outbox runs after every
turn that stored a lead, so a script reads in order. With ``jsonl=True`` every line that
sends something prints one JSON object instead (``transcript_record``), and everything
else goes to standard error, so the output is a transcript a program can score.

A turn that fails (a store lost mid-run, say) prints the kit's apology, in either mode, and
the next line is a fresh turn: when the store is back, the conversation goes on.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TextIO

from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.domain import DesignBrief
from stylegenie.core.progress import Activity
from stylegenie.core.reply import Choice, Reply

from .kit.layout import plain_reply
from .kit.outbox import LeadWiring, OutboxLoop
from .kit.progress import Pacing
from .kit.turns import TurnEngine, TurnRunner

PLATFORM = "terminal"

log = logging.getLogger(__name__)


class TranscriptEngine(TurnEngine, Protocol):
    """The engine as the terminal needs it: turns, and each piece's brief for transcripts."""

    def outfit(self, chat: ChatKey) -> list[DesignBrief]: ...


def transcript_record(
    turn: int, user: str, line: str, outfit: list[DesignBrief], reply: Reply
) -> dict[str, Any]:
    """One turn as data: who said what, every piece's full brief after it, and the reply."""
    return {
        "turn": turn,
        "as": user,
        "user": line,
        "outfit": [brief.model_dump(mode="json") for brief in outfit],
        "reply": {
            "text": reply.text,
            "images": [{"ref": i.ref, "caption": i.caption} for i in reply.images],
            "choices": [{"id": c.id, "label": c.label} for c in reply.choices],
            "products": [
                {
                    "product_id": p.product_id,
                    "name": p.name,
                    "price": p.price,
                    "currency": p.currency,
                }
                for p in reply.products
            ],
            "ateliers": [
                {"id": a.atelier_id, "name": a.name, "city": a.city} for a in reply.ateliers
            ],
        },
    }


def find_choice(choices: list[Choice], wanted: str) -> Choice | None:
    """The button a person means by an id, a number or a label; None if there is none."""
    wanted = wanted.strip()
    for choice in choices:
        if choice.id == wanted or choice.label.lower() == wanted.lower():
            return choice
    if wanted.isdigit() and 1 <= int(wanted) <= len(choices):
        return choices[int(wanted) - 1]
    return None


def old_button(wanted: str) -> Choice | None:
    """A button id from an earlier message ("pick:d-1a2b"): pressed as it is, so the engine
    continues from it or says it has expired; None for anything with spaces (a label)."""
    return Choice(id=wanted, label=wanted) if wanted and " " not in wanted else None


def terminal_key(user: str) -> ChatKey:
    """The chat key of a terminal user."""
    return ChatKey(platform=PLATFORM, id=user)


class TerminalProgress:
    """The kit's ProgressView on a terminal: progress lines, no indicator."""

    def __init__(self, print_line: Any) -> None:
        self._print = print_line

    async def indicate(self, activity: Activity) -> None:
        """A terminal has no typing indicator."""

    async def post(self, text: str) -> None:
        """Print the progress line."""
        self._print(f"  … {text}")

    async def edit(self, text: str) -> None:
        """Print the new progress line."""
        self._print(f"  … {text}")

    async def remove(self) -> None:
        """Printed lines stay."""


class TerminalChat:
    """Terminal conversations with the engine, one user at a time, on the front-end kit."""

    def __init__(
        self,
        engine: TranscriptEngine,
        user: str,
        out: TextIO | None = None,
        *,
        pacing: Pacing,
        jsonl: bool = False,
        notes: TextIO | None = None,
        leads: LeadWiring | None = None,
    ) -> None:
        """``out`` (default: standard output) gets replies; ``notes`` (default: standard
        error) gets everything else in JSON-lines mode."""
        self._engine = engine
        self._home = self._user = user
        self._out = out or sys.stdout
        self._jsonl = jsonl
        self._notes = (notes or sys.stderr) if jsonl else self._out
        self._choices: dict[str, list[Choice]] = {}
        self._turn = 0
        self._refs = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="terminal-turn")
        self._runner = TurnRunner(engine, self, self._executor, pacing)
        self._outbox: OutboxLoop | None = None
        self._lead_stored = False
        if leads is not None:
            self._outbox = OutboxLoop(leads, self._executor)
            leads.hub.register(PLATFORM, self)
            leads.listen(self._heard_lead)

    # -- the Surface the turn runner uses --------------------------------------------
    def progress_view(self, chat: ChatKey, event: object) -> TerminalProgress:
        """Progress lines in the notes stream."""
        return TerminalProgress(self._print)

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Print the reply (or its transcript record) and remember its buttons."""
        self._choices[chat.id] = reply.choices
        self._answer(str(event or ""), reply)

    async def tell_admins(self, text: str) -> None:
        """The person at the terminal runs the bot: tell them."""
        self._print(f"[admin] {text}")

    # -- the Channel the notifier hub uses -----------------------------------------
    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Print a message sent outside a turn; its buttons belong to that user."""
        self._print(f"[to {chat_id}] " + plain_reply(reply) + "\n")
        self._choices[chat_id] = reply.choices
        return str(next(self._refs))

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """An earlier message to that user is answered."""
        self._print(f"[to {chat_id}] (message {message_ref} now reads: {outcome})")
        self._choices.pop(chat_id, None)

    # -- reading lines -------------------------------------------------------------
    def start(self) -> None:
        """Deliver leads waiting from before (call once, before the first line)."""
        if self._outbox is not None:
            self._loop.run_until_complete(self._outbox.run_once())

    def say(self, line: str) -> None:
        """Send one line as the current user and print the assistant's reply."""
        if line == "@as" or line.startswith("@as "):
            self._user = line[3:].strip() or self._home
            self._print(f"(now chatting as {self._user})")
            return
        sender = Sender(user=terminal_key(self._user), display_name=self._user)
        if line.startswith("@choice"):
            wanted = line[len("@choice") :].strip()
            choice = find_choice(self.buttons(self._user), wanted) or old_button(wanted)
            if choice is None:
                self._answer(line, Reply(text=f"(no button {wanted!r} on the last reply)"))
                return
            self._print(f"> [{choice.label}]")
            incoming = Incoming.choice(choice.id, sender)
        else:
            self._print(f"> {line}")
            incoming = Incoming.from_text(line, sender)
        self._loop.run_until_complete(self._one_turn(incoming, line))

    async def _one_turn(self, incoming: Incoming, line: str) -> None:
        await self._runner.run(terminal_key(self._user), incoming, line)
        if self._outbox is not None and self._lead_stored:
            self._lead_stored = False
            await self._outbox.run_once()

    def buttons(self, user: str) -> list[Choice]:
        """The buttons of the last message ``user`` saw (a reply or a message to them)."""
        return self._choices.get(user, [])

    def _heard_lead(self) -> None:
        self._lead_stored = True

    def _answer(self, line: str, reply: Reply) -> None:
        """Print a reply: as text, or as one transcript record in JSON-lines mode."""
        self._turn += 1
        if not self._jsonl:
            self._print(plain_reply(reply) + "\n")
            return
        record = transcript_record(self._turn, self._user, line, self._outfit(), reply)
        print(json.dumps(record, ensure_ascii=False), file=self._out, flush=True)

    def _outfit(self) -> list[DesignBrief]:
        """The current user's outfit for a transcript record; empty when the session store
        cannot be read, so that the record of an apology for that failure still prints."""
        try:
            return self._engine.outfit(terminal_key(self._user))
        except Exception as error:
            log.warning("the outfit of this turn could not be read: %r", error)
            return []

    def replay(self, lines: Iterable[str]) -> None:
        """Play a script: every non-empty, non-comment line is a message or a button press."""
        for raw in lines:
            line = raw.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                self.say(line.strip())

    def interactive(self, stdin: TextIO | None = None) -> None:
        """Read lines (default: standard input) until end of input or /quit; a bare number
        presses that button."""
        stdin = stdin or sys.stdin
        self._print("StyleGenie — type a message, a number to press a button, /quit to leave.\n")
        self.say("/start")
        for line in stdin:
            text = line.strip()
            if text in ("/quit", "/exit"):
                break
            pressable = text.isdigit() and self.buttons(self._user)
            self.say(f"@choice {text}" if pressable else text)

    def close(self) -> None:
        """Withdraw from delivering leads, then release the terminal's loop and turn thread."""
        if self._outbox is not None:
            self._loop.run_until_complete(self._outbox.stop())
        self._executor.shutdown(wait=True)
        self._loop.close()

    def _print(self, text: str) -> None:
        print(text, file=self._notes, flush=True)
