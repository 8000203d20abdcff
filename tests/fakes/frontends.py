"""Every chat front-end behind one driver, so one contract suite runs against each.

A driver plays people on its platform: it sends what they type or press, and reads back
what they saw (texts, buttons, images, and progress), the platform's own way. Users are
names ("ana", "owner"); each driver maps them to its platform's chats.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from PIL import Image, ImageColor, ImageDraw

from stylegenie.adapters.feeds import read_products
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.bots.kit.layout import reply_text
from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.terminal import TerminalChat
from stylegenie.core.commands import COMMAND_NAMES
from stylegenie.core.reply import Reply
from tests.fakes.api import RunningApi
from tests.fakes.discord import OTHER, OWNER, SHOPPER, FakeDiscord
from tests.fakes.discord import Message as DiscordMessage
from tests.fakes.discord_bot import RunningDiscordBot
from tests.fakes.engines import Spy
from tests.fakes.telegram_bot import RunningBot, png
from tests.fakes.telegram_server import Call, FakeTelegram


@dataclass
class Seen:
    """What a person saw as an answer: the words, the buttons (label → id) and images."""

    text: str
    buttons: dict[str, str] = field(default_factory=dict)
    images: int = 0

    def button(self, label_start: str) -> str:
        """The label of the first button whose label starts with ``label_start``."""
        return next(label for label in self.buttons if label.startswith(label_start))


class Driver(Protocol):
    """One front-end as the contract suite drives it."""

    kinds: tuple[str, ...]
    """Message kinds a person can send on this platform besides text and buttons."""

    def owner_chats(self, user: str) -> dict[str, str]:
        """The ``owner_chat_ids`` of an atelier whose owner is ``user`` here."""
        ...

    def say(self, user: str, words: str) -> Seen: ...

    def send(self, user: str, kind: str) -> Seen:
        """Send a non-text message (one of ``kinds``)."""
        ...

    def press(self, user: str, label_start: str) -> Seen:
        """Press the button starting with ``label_start`` on the last message ``user`` saw."""
        ...

    def press_id(self, user: str, choice_id: str) -> Seen:
        """Press the button with this id, even one from an earlier message."""
        ...

    def last(self, user: str) -> Seen:
        """The last message ``user`` saw (a reply, or a message sent outside a turn)."""
        ...

    def progress_after(self, user: str, words: str) -> float:
        """Say ``words``; seconds until the first sign of progress (or the reply)."""
        ...

    def settled(self, user: str) -> bool:
        """Whether the last message with buttons ``user`` answered lost its buttons."""
        ...

    def restart(self) -> None:
        """Stop the front-end and start a new one on a fresh app (same stores)."""
        ...


class TimedOut(io.StringIO):
    """A text stream that remembers when each line was written."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.lines += [(time.monotonic(), line) for line in text.splitlines() if line]
        return super().write(text)


class TerminalDriver:
    """The terminal front-end (``stylegenie chat``) with its printed lines read back."""

    kinds: tuple[str, ...] = ()

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self.out = TimedOut()
        self._open()

    def _open(self) -> None:
        self.app = self._make()
        self.spy = Spy(self.app.engine, slow={"slow please": 1.5})
        self._chat = TerminalChat(
            self.spy,
            "ana",
            self.out,
            pacing=Pacing(message_after_s=0.5),
            leads=self.app.lead_wiring(),
        )
        self._chat.start()

    def owner_chats(self, user: str) -> dict[str, str]:
        return {"terminal": user}

    def _line(self, user: str, line: str) -> Seen:
        self._chat.say(f"@as {user}")
        self._chat.say(line)
        return self.last(user)

    def say(self, user: str, words: str) -> Seen:
        return self._line(user, words)

    def send(self, user: str, kind: str) -> Seen:
        raise NotImplementedError("a terminal sends only text")

    def press(self, user: str, label_start: str) -> Seen:
        seen = self.last(user)
        return self.press_id(user, seen.buttons[seen.button(label_start)])

    def press_id(self, user: str, choice_id: str) -> Seen:
        return self._line(user, f"@choice {choice_id}")

    def last(self, user: str) -> Seen:
        """The last block printed to ``user``: a reply to them, or a "[to user]" message."""
        lines = [line for _, line in self.out.lines]
        start = max(
            (i for i, line in enumerate(lines) if line.startswith((f"[to {user}] ", "> "))),
            default=0,
        )
        block = []
        for line in lines[start:]:
            if line.startswith(("> ", "(now chatting")) and block:
                break
            if not line.startswith(("> ", "  … ")):
                block.append(line.removeprefix(f"[to {user}] "))
        words = [line for line in block if not line.startswith(("  [", "  buttons:"))]
        buttons = {c.label: c.id for c in self._chat.buttons(user)}
        images = sum(line.startswith("  [image]") for line in block)
        return Seen("\n".join(words), buttons, images)

    def progress_after(self, user: str, words: str) -> float:
        self._chat.say(f"@as {user}")
        started, before = time.monotonic(), len(self.out.lines)
        self._chat.say(words)
        shown = [at for at, line in self.out.lines[before:] if not line.startswith("> ")]
        return min(shown) - started

    def settled(self, user: str) -> bool:
        return any("now reads" in line and "Accepted" in line for _, line in self.out.lines)

    def restart(self) -> None:
        self._chat.close()
        self._open()

    def close(self) -> None:
        self._chat.close()


class TelegramDriver:
    """The Telegram bot against the fake Bot API; users are private chats."""

    kinds = ("sticker", "photo", "location", "voice")
    USERS = {"ana": 1001, "ben": 1002, "owner": 555}

    def __init__(self, make: Callable[[], Any], server: FakeTelegram) -> None:
        self._make = make
        self.server = server
        self._start()

    def _start(self) -> None:
        self.app = self._make()
        self.spy = Spy(self.app.engine, slow={"slow please": 1.5})
        settings = self.app.settings
        images = LocalImageStore(settings.image_dir)
        self._bot = RunningBot(settings.telegram, self.spy, images, self.app.lead_wiring())
        self._bot.__enter__()

    def owner_chats(self, user: str) -> dict[str, str]:
        return {"telegram": str(self.USERS[user])}

    def _finals(self, chat: int) -> list[Call]:
        return [
            c
            for c in self.server.calls_for(chat, "sendMessage")
            if not c.params.get("disable_notification")
        ]

    def _seen(self, call: Call, chat: int, since: float) -> Seen:
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = {b["text"]: b.get("callback_data", "") for row in rows for b in row}
        photos = [
            c
            for c in self.server.calls_for(chat)
            if c.at >= since and c.method in ("sendPhoto", "sendMediaGroup")
        ]
        count = sum(len(c.params.get("media", [])) or 1 for c in photos)
        return Seen(call.params["text"], buttons, count)

    def _answer(self, user: str, act: Callable[[], object]) -> Seen:
        chat = self.USERS[user]
        before, since = len(self._finals(chat)), time.monotonic()
        act()
        self.server.wait_for(lambda _: self._finals(chat)[before:])
        finals = self._quiet(chat)[before:]
        return self._seen(finals[-1], chat, since)

    def _quiet(self, chat: int) -> list[Call]:
        """The chat's final messages once nothing new came for a moment (a long reply
        arrives as several messages, the buttons on the last)."""
        finals = self._finals(chat)
        while True:
            time.sleep(0.2)
            again = self._finals(chat)
            if len(again) == len(finals):
                return again
            finals = again

    def say(self, user: str, words: str) -> Seen:
        return self._answer(user, lambda: self.server.send_text(self.USERS[user], words))

    def send(self, user: str, kind: str) -> Seen:
        chat = self.USERS[user]
        act = {
            "sticker": lambda: self.server.send_sticker(chat),
            "photo": lambda: self.server.send_photo(chat, png()),
            "location": lambda: self.server.send_location(chat),
            "voice": lambda: self.server.send_voice(chat),
        }[kind]
        return self._answer(user, act)

    def press(self, user: str, label_start: str) -> Seen:
        seen = self.last(user)
        return self.press_id(user, seen.buttons[seen.button(label_start)])

    def press_id(self, user: str, choice_id: str) -> Seen:
        """Press a button with this callback data on the chat's last message that has it."""
        chat = self.USERS[user]
        carrying = [
            c for c in self._finals(chat) if choice_id in self._seen(c, chat, 0).buttons.values()
        ]
        message_id = carrying[-1].result["message_id"] if carrying else 1
        return self._answer(user, lambda: self.server.press(chat, choice_id, message_id))

    def last(self, user: str) -> Seen:
        chat = self.USERS[user]
        self.server.wait_for(lambda _: self._finals(chat))
        call = self._quiet(chat)[-1]
        return self._seen(call, chat, call.at - 5)

    def progress_after(self, user: str, words: str) -> float:
        chat = self.USERS[user]
        before = len(self.server.calls_for(chat))
        update = self.server.send_text(chat, words)
        first = self.server.wait_for(lambda _: self.server.calls_for(chat)[before:])[0]
        self._answer(user, lambda: None)
        return first.at - self.server.pushed_at[update]

    def settled(self, user: str) -> bool:
        chat = self.USERS[user]
        return any(
            not (c.params.get("reply_markup") or {}).get("inline_keyboard")
            and "Accepted" in c.params["text"]
            for c in self.server.calls_for(chat, "editMessageText")
        )

    def restart(self) -> None:
        self._bot.__exit__()
        self._start()

    def close(self) -> None:
        self._bot.__exit__()


class DiscordDriver:
    """The Discord bot against the fake Discord; each user talks to it in their DMs.

    Words go in as Discord offers them: a command of the bot's as that slash command with
    its argument, anything else (a description, a number, a command Discord would not
    offer) as ``/design``'s description. Buttons are named by the core's choice ids.
    """

    kinds: tuple[str, ...] = ()
    USERS = {"ana": SHOPPER, "ben": OTHER, "owner": OWNER}
    ARGUMENTS = {"ateliers": "city", "budget": "amount", "prefs": "text"}

    def __init__(self, make: Callable[[], Any], server: FakeDiscord) -> None:
        self._make = make
        self.server = server
        self._start()

    def _start(self) -> None:
        self.app = self._make()
        self.spy = Spy(self.app.engine, slow={"slow please": 1.5})
        settings = self.app.settings
        images = LocalImageStore(settings.image_dir)
        self._bot = RunningDiscordBot(settings.discord, self.spy, images, self.app.lead_wiring())
        self._bot.__enter__()

    def owner_chats(self, user: str) -> dict[str, str]:
        return {"discord": str(self.USERS[user])}

    def _seen(self, messages: list[DiscordMessage]) -> Seen:
        words = [m.content for m in messages if m.content]
        words += [e.get("title", "") for m in messages for e in m.embeds]
        buttons = {
            b["label"]: b["custom_id"].split(":", 2)[2]
            for m in messages
            for b in m.buttons
            if "custom_id" in b
        }
        return Seen("\n".join(words), buttons, sum(len(m.filenames) for m in messages))

    def _act(self, user: str, act: Callable[[int], int]) -> Seen:
        """Dispatch an interaction as ``user`` and read what the bot answered to it."""
        interaction = act(self.USERS[user])

        def done(_: object) -> bool:
            calls = self.server.calls_for(interaction_id=interaction)
            last = calls[-1] if calls else None
            if last is None or last.route.endswith("/callback"):
                return bool(last and last.body and last.body.get("type") == 4)
            return last.method in ("POST", "DELETE")

        self.server.wait_for(done)
        self._quiet(self.USERS[user])
        return self._seen(self.server.replies_to(interaction))

    def _quiet(self, uid: int) -> list[DiscordMessage]:
        """The user's DM once nothing changed there for a moment."""
        seen = self.server.messages_for(uid)
        while True:
            time.sleep(0.2)
            again = self.server.messages_for(uid)
            if [(m.id, m.content, len(m.edits)) for m in again] == [
                (m.id, m.content, len(m.edits)) for m in seen
            ]:
                return again
            seen = again

    def say(self, user: str, words: str) -> Seen:
        name, _, argument = words.removeprefix("/").partition(" ")
        options: dict[str, Any] = {"description": words}
        if words.startswith("/") and name in COMMAND_NAMES:
            option = self.ARGUMENTS.get(name)
            options = {option: argument} if option and argument else {}
        else:
            name = "design"
        return self._act(user, lambda uid: self.server.slash(uid, name, options, guild_id=None))

    def send(self, user: str, kind: str) -> Seen:
        raise NotImplementedError("slash commands carry words only")

    def press(self, user: str, label_start: str) -> Seen:
        seen = self.last(user)
        return self.press_id(user, seen.buttons[seen.button(label_start)])

    def press_id(self, user: str, choice_id: str) -> Seen:
        """Press the button of this choice on the user's last message that has it."""
        uid = self.USERS[user]
        wanted = f"sg:{uid}:{choice_id}"
        [*_, carrying] = [m for m in self.server.messages_for(uid) if wanted in m.custom_ids]
        return self._act(user, lambda _: self.server.press(uid, carrying.id, wanted))

    def last(self, user: str) -> Seen:
        uid = self.USERS[user]
        self.server.wait_for(lambda _: self.server.messages_for(uid))
        return self._seen(self._quiet(uid)[-1:])

    def progress_after(self, user: str, words: str) -> float:
        uid = self.USERS[user]
        described = {"description": words}
        interaction = self.server.slash(uid, "design", described, guild_id=None)
        record = self.server.wait_for(
            lambda _: (r := self.server.interaction(interaction)).acked_at and r
        )
        self._act(user, lambda _: interaction)
        return record.acked_at - record.dispatched_at

    def settled(self, user: str) -> bool:
        return any(
            "Accepted" in m.content and not m.buttons and any(m.history)
            for m in self.server.messages_for(self.USERS[user])
        )

    def restart(self) -> None:
        self._bot.__exit__()
        self._start()

    def close(self) -> None:
        self._bot.__exit__()


SAMPLE_PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "sample_products.csv"


def product_photo(colour: str) -> bytes:
    """A small product photo: a garment-like shape in the product's colour on linen."""
    linen = (240, 235, 226)
    try:
        named = ImageColor.getrgb(colour.lower().replace(" ", ""))
    except ValueError:
        named = (150, 140, 128)
    fill = tuple((3 * c + b) // 4 for c, b in zip(named, linen, strict=True))
    image = Image.new("RGB", (160, 160), linen)
    draw = ImageDraw.Draw(image)
    draw.polygon([(62, 22), (98, 22), (92, 70), (128, 146), (32, 146), (68, 70)], fill=fill)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def photograph_products(app: Any) -> None:
    """Give every sample product a stored photo, as a shop feed with images has (the
    sample feed has none), so product cards show one."""
    images = LocalImageStore(app.settings.image_dir)
    products, _ = read_products(SAMPLE_PRODUCTS)
    photographed = [
        p.model_copy(update={"image_ref": images.put(f"{p.id}.png", product_photo(p.colour))})
        for p in products
    ]
    app.catalog.upsert_products(photographed)


@dataclass
class WebMessage:
    """What a web chat page shows: a turn's reply, or an inbox message (``inbox`` is its id)."""

    reply: dict[str, Any]
    inbox: int | None = None
    outcome: str | None = None

    def seen(self) -> Seen:
        """The words (cards included, as the page lists them), buttons and images."""
        words = reply_text(Reply.model_validate({**self.reply, "images": []}))
        buttons = {} if self.outcome else {c["label"]: c["id"] for c in self.reply["choices"]}
        return Seen(words, buttons, len(self.reply["images"]))


class WebDriver:
    """The web chat over HTTP, as its page uses it: the API served by uvicorn, each user a
    web session (with a name and an e-mail), turns posted, the inbox polled."""

    kinds = ("photo",)
    USERS = ("ana", "ben", "owner")
    POLL_S = 0.2

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._start()
        self._http = httpx.Client(base_url=self._api.url, timeout=60)
        self._sessions = {user: self._open_session() for user in self.USERS}
        self._shown: dict[str, list[WebMessage]] = {user: [] for user in self.USERS}
        self._after = dict.fromkeys(self.USERS, 0)

    def _start(self) -> None:
        self.app = self._make()
        self.spy = Spy(self.app.engine, slow={"slow please": 1.5})
        self._api = RunningApi(self.app, self.spy).__enter__()

    def _open_session(self) -> dict[str, str]:
        response = self._http.post("/api/v1/chat/sessions")
        response.raise_for_status()
        opened: dict[str, str] = response.json()
        return opened

    def _headers(self, user: str, stream: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._sessions[user]['token']}"}
        return headers | ({"Accept": "text/event-stream"} if stream else {})

    def _profile(self, user: str) -> dict[str, str]:
        return {"name": user.capitalize(), "contact": f"{user}@example.com"}

    def owner_chats(self, user: str) -> dict[str, str]:
        return {"web": self._sessions[user]["session_id"]}

    def _turn(self, user: str, **fields: Any) -> Seen:
        """Post one turn as ``user`` (their inbox read first, as the page has it)."""
        self._absorb(user)
        body = {**fields, **self._profile(user)}
        response = self._http.post("/api/v1/chat", json=body, headers=self._headers(user))
        response.raise_for_status()
        return self._keep(user, WebMessage(response.json()))

    def _keep(self, user: str, message: WebMessage) -> Seen:
        self._shown[user].append(message)
        return message.seen()

    def _absorb(self, user: str) -> int:
        """Read the user's inbox: new messages shown, answered ones settled; how many new."""
        response = self._http.get(
            "/api/v1/chat/inbox", params={"after": self._after[user]}, headers=self._headers(user)
        )
        response.raise_for_status()
        page = response.json()
        by_id = {m.inbox: m for m in self._shown[user] if m.inbox is not None}
        new = 0
        for item in page["messages"]:
            if item["id"] in by_id:
                by_id[item["id"]].outcome = item["outcome"]
            else:
                self._shown[user].append(WebMessage(item["reply"], item["id"], item["outcome"]))
                new += 1
        self._after[user] = page["after"]
        return new

    def say(self, user: str, words: str) -> Seen:
        return self._turn(user, message=words)

    def send(self, user: str, kind: str) -> Seen:
        if kind != "photo":
            raise NotImplementedError(f"a web page sends no {kind}")
        self._absorb(user)
        response = self._http.post(
            "/api/v1/chat",
            data=self._profile(user),
            files={"photo": ("look.png", png(), "image/png")},
            headers=self._headers(user),
        )
        response.raise_for_status()
        return self._keep(user, WebMessage(response.json()))

    def press(self, user: str, label_start: str) -> Seen:
        seen = self.last(user)
        return self.press_id(user, seen.buttons[seen.button(label_start)])

    def press_id(self, user: str, choice_id: str) -> Seen:
        """Press the button with this id on the newest message that has it (any id works)."""
        carrying = [
            m for m in self._shown[user] if any(c["id"] == choice_id for c in m.reply["choices"])
        ]
        pressed = carrying[-1].inbox if carrying else None
        return self._turn(user, choice=choice_id, message_id=pressed)

    def last(self, user: str) -> Seen:
        """The newest message: once there is one, and the inbox brought nothing new lately."""
        deadline = time.monotonic() + 20
        while not self._shown[user] and time.monotonic() < deadline:
            self._absorb(user)
            time.sleep(self.POLL_S)
        while self._absorb(user):
            time.sleep(self.POLL_S)
        return self._shown[user][-1].seen()

    def progress_after(self, user: str, words: str) -> float:
        self._absorb(user)
        body = {"message": words, **self._profile(user)}
        started, first = time.monotonic(), None
        headers = self._headers(user, stream=True)
        with self._http.stream("POST", "/api/v1/chat", json=body, headers=headers) as response:
            event = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                    first = first or time.monotonic()
                elif line.startswith("data: ") and event == "reply":
                    self._keep(user, WebMessage(json.loads(line.removeprefix("data: "))))
        assert first is not None, "the stream carried no event"
        return first - started

    def settled(self, user: str) -> bool:
        self._absorb(user)
        return any(m.inbox and m.outcome and "Accepted" in m.outcome for m in self._shown[user])

    def restart(self) -> None:
        self._api.__exit__()
        self._start()
        self._http.base_url = httpx.URL(self._api.url)

    def close(self) -> None:
        self._http.close()
        self._api.__exit__()
