"""The terminal front-end: chat interactively, or replay a script and print the transcript.

A script has one message per line; ``#`` starts a comment; ``@choice X`` presses a
button of the last reply, where X is the button's id ("products"), its number as
printed ("2") or its label ("Pick 2"); ``@as NAME`` goes on as another terminal
user (an atelier owner answering a lead, say) and a bare ``@as`` comes back. Messages
sent outside a turn (a lead to an owner, an owner's answer to a shopper) print as
"[to NAME] …".

With ``jsonl=True`` every line that sends something prints one JSON object instead
(``transcript_record``), and everything else goes to standard error, so the output is a
transcript a program can score.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.domain import Atelier, DesignBrief, Lead
from stylegenie.core.leads import lead_summary
from stylegenie.core.reply import Choice, Reply


def format_reply(reply: Reply) -> str:
    """A Reply as plain text: message, image paths, product and atelier lines, buttons."""
    lines = [reply.text]
    lines += [f"  [image] {image.ref}  ({image.caption})" for image in reply.images]
    for card in reply.products:
        brand = f" by {card.brand}" if card.brand else ""
        lines.append(f"  • {card.name}{brand} — {card.price:g} {card.currency} — {card.why}")
        if card.url:
            lines.append(f"    {card.url}")
    for atelier in reply.ateliers:
        distance = f", {atelier.distance_km:g} km" if atelier.distance_km is not None else ""
        lines.append(
            f"  • {atelier.name} ({atelier.city}{distance}) — {atelier.price_range}, "
            f"~{atelier.lead_time_days} days, ★{atelier.rating:.1f} — {atelier.why}"
        )
    if reply.choices:
        buttons = "  ".join(f"[{n}] {c.label}" for n, c in enumerate(reply.choices, start=1))
        lines.append(f"  buttons: {buttons}")
    return "\n".join(lines)


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


class TerminalChat:
    """One terminal conversation with the engine."""

    def __init__(
        self,
        engine: ConversationEngine,
        chat_key: str,
        out: TextIO = sys.stdout,
        *,
        jsonl: bool = False,
        notes: TextIO = sys.stderr,
    ) -> None:
        self._engine = engine
        self._chat_key = self._home = chat_key
        self._out = out
        self._jsonl = jsonl
        self._notes = notes if jsonl else out
        self._choices: list[Choice] = []
        self._turn = 0

    def receive_notifications(self, hub: NotifierHub) -> None:
        """Print lead messages and shopper news addressed to terminal users."""
        hub.register("terminal", self._owner_message, self._shopper_message)

    def _owner_message(self, chat_id: str, lead: Lead, atelier: Atelier) -> None:
        self._print(
            f"[to {chat_id}] New request for {atelier.name}: {lead_summary(lead, atelier)}"
            " (answer with /leads)\n"
        )

    def _shopper_message(self, chat_id: str, reply: Reply) -> None:
        self._print(f"[to {chat_id}] " + format_reply(reply) + "\n")
        if f"terminal:{chat_id}" == self._chat_key:
            self._choices = reply.choices

    def say(self, line: str) -> None:
        """Send one line as the current user and print the assistant's reply."""
        if line == "@as" or line.startswith("@as "):
            name = line[3:].strip()
            self._chat_key = f"terminal:{name}" if name else self._home
            self._print(f"(now chatting as {self._chat_key.partition(':')[2]})")
            return
        if line.startswith("@choice"):
            wanted = line[len("@choice") :].strip()
            choice = find_choice(self._choices, wanted)
            if choice is None:
                self._answer(line, Reply(text=f"(no button {wanted!r} on the last reply)"))
                return
            self._print(f"> [{choice.label}]")
            incoming = Incoming.choice(choice.id)
        else:
            self._print(f"> {line}")
            incoming = Incoming.from_text(line)
        reply = self._engine.handle(
            self._chat_key, incoming, progress=lambda note: self._print(f"  … {note}")
        )
        self._choices = reply.choices
        self._answer(line, reply)

    def _answer(self, line: str, reply: Reply) -> None:
        """Print a reply: as text, or as one transcript record in JSON-lines mode."""
        self._turn += 1
        if not self._jsonl:
            self._print(format_reply(reply) + "\n")
            return
        user = self._chat_key.partition(":")[2]
        outfit = self._engine.outfit(self._chat_key)
        record = transcript_record(self._turn, user, line, outfit, reply)
        print(json.dumps(record, ensure_ascii=False), file=self._out, flush=True)

    def replay(self, lines: Iterable[str]) -> None:
        """Play a script: every non-empty, non-comment line is a message or a button press."""
        for raw in lines:
            line = raw.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                self.say(line.strip())

    def interactive(self, stdin: TextIO = sys.stdin) -> None:
        """Read lines until end of input or /quit; a bare number presses that button."""
        self._print("StyleGenie — type a message, a number to press a button, /quit to leave.\n")
        self.say("/start")
        for line in stdin:
            text = line.strip()
            if text in ("/quit", "/exit"):
                break
            self.say(f"@choice {text}" if text.isdigit() and self._choices else text)

    def _print(self, text: str) -> None:
        print(text, file=self._notes, flush=True)
