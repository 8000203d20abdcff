"""The Telegram bot end to end: the real python-telegram-bot against a fake Bot API server.

The bot runs by long polling on its own event loop thread; the fake server (on another)
queues the shoppers' updates and records every call the bot makes. Real-engine tests
use ``make_app`` (PostgreSQL, Milvus Lite, MiniLM, eager workers); tests of layout,
flood control and failures use a scripted engine.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.bots.cli import main as cli_main
from stylegenie.bots.kit.turns import TurnEngine
from stylegenie.bots.telegram import chat_key, use_fast_event_loop
from stylegenie.config.settings import TelegramSettings
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.ports import ImageStore
from stylegenie.core.progress import ProgressCallback
from stylegenie.core.reply import Choice, ImageRef, ProductCard, Reply
from tests.fakes.engines import Spy
from tests.fakes.telegram_bot import RunningBot, png
from tests.fakes.telegram_server import TOKEN, Call, FakeTelegram

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHOPPER, OTHER = 1001, 1002


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API on 127.0.0.1, on its own thread."""
    server = FakeTelegram().start_in_thread()
    yield server
    server.stop_thread()


def tg_settings(server: FakeTelegram, **overrides: Any) -> dict[str, Any]:
    """Telegram settings pointing the bot at the fake server."""
    return {"token": TOKEN, "api_base": server.api_base, **overrides}


def bot_for(app: Any) -> RunningBot:
    """A bot serving an assembled app (engine and image folder of its settings)."""
    settings = app.settings
    images = LocalImageStore(settings.image_dir)
    return RunningBot(settings.telegram, app.engine, images, app.lead_wiring())


def replies(server: FakeTelegram, chat_id: int, after: int = 0) -> list[Call]:
    """The chat's final messages (progress messages are silent), in order."""
    return [
        c
        for c in server.calls_for(chat_id, "sendMessage")[after:]
        if not c.params.get("disable_notification")
    ]


def answer_to(server: FakeTelegram, chat_id: int, act: Callable[[], object]) -> Call:
    """Do something as the shopper and wait for the bot's final reply to it."""
    before = len(server.calls_for(chat_id, "sendMessage"))
    act()
    return server.wait_for(lambda _: (r := replies(server, chat_id, before)) and r[-1])


def say(server: FakeTelegram, chat_id: int, text: str = "", press: str = "") -> Call:
    """Send a message (or press a button) and wait for the bot's final reply to it."""
    if press:
        return answer_to(server, chat_id, lambda: server.press(chat_id, press))
    return answer_to(server, chat_id, lambda: server.send_text(chat_id, text))


def buttons(call: Call) -> list[dict[str, str]]:
    """Every inline button of a sendMessage call."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def choice(call: Call, label: str) -> str:
    """The callback data of the button labelled ``label``."""
    return next(b["callback_data"] for b in buttons(call) if b["text"] == label)


class SlowRenderer:
    """The runtime's renderer, taking ``seconds`` longer per design."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self._inner, self._seconds = inner, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def render(self, designs: list[Any], progress: Any = None) -> list[bytes]:
        time.sleep(self._seconds * len(designs))
        return list(self._inner.render(designs, progress))


def test_journey_from_start_to_products_ateliers_and_an_accepted_lead(
    make_app: Any, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(telegram=tg_settings(telegram, progress_delay_s=0.5))
    atelier = app.ateliers.get_atelier("at-lis-moonthread")
    owned = atelier.model_copy(update={"owner_chat_ids": {"telegram": "555"}})
    app.ateliers.upsert_ateliers([owned])
    worker = app.worker_runtime()
    monkeypatch.setattr(worker, "renderer", SlowRenderer(worker.renderer, 0.4))
    with bot_for(app):
        commands = telegram.wait_for(lambda _: telegram.calls_for(method="setMyCommands"))
        assert {"budget", "leads"} <= {c["command"] for c in commands[0].params["commands"]}
        assert "StyleGenie" in say(telegram, SHOPPER, "/start").params["text"]

        before = len(telegram.calls_for(SHOPPER))
        designs = say(telegram, SHOPPER, "a sage green dress for a wedding, under 120, in Lisbon")
        album = telegram.calls_for(SHOPPER, "sendMediaGroup")[-1]
        assert len(album.params["media"]) == 3 and len(album.files) == 3
        assert album.at < designs.at
        assert [b["text"] for b in buttons(designs)][:3] == ["Pick 1", "Pick 2", "Pick 3"]
        turn = telegram.calls_for(SHOPPER)[before:]
        actions = [c.params["action"] for c in turn if c.method == "sendChatAction"]
        assert turn[0].method == "sendChatAction" and actions[0] == "typing", "free text: at once"
        assert "upload_photo" in actions[1:], "then the drawing is shown"
        silent = [
            c
            for c in telegram.calls_for(SHOPPER, "sendMessage")
            if c.params.get("disable_notification")
        ]
        assert [c.params["text"] for c in silent] == ["Drawing 3 designs…"]
        deleted = telegram.wait_for(lambda _: telegram.calls_for(SHOPPER, "deleteMessage"))
        assert deleted[0].params["message_id"] == silent[0].result["message_id"]

        picked = say(telegram, SHOPPER, press=choice(designs, "Pick 2"))
        assert "Lovely choice" in picked.params["text"]
        products = say(telegram, SHOPPER, press=choice(picked, "Show products"))
        shop = [b for b in buttons(products) if "url" in b]
        assert shop and all(b["url"].startswith("https://") for b in shop)
        assert "1. " in products.params["text"] and "EUR" in products.params["text"]

        found = say(telegram, SHOPPER, press=choice(products, "Find an atelier"))
        assert "Moonthread" in found.params["text"] and "★" in found.params["text"]
        consent = say(telegram, SHOPPER, press="lead:at-lis-moonthread")
        assert "they'll get your contact" in consent.params["text"]
        send = choice(consent, "Send to Atelier Moonthread (fictional)")
        sent = say(telegram, SHOPPER, press=send)
        assert "on its way to Atelier Moonthread" in sent.params["text"]

        lead = telegram.wait_for(lambda _: replies(telegram, 555))[-1]
        assert "Budget: under 120" in lead.params["text"] and "City: Lisbon" in lead.params["text"]
        assert [b["text"] for b in buttons(lead)] == ["Accept", "Decline"]
        assert telegram.calls_for(555, "sendPhoto"), "the owner sees the design"
        listed = say(telegram, 555, "/leads")
        assert "Open requests (1)" in listed.params["text"]
        accepted = say(telegram, 555, press=choice(lead, "Accept"))
        assert accepted.params["text"].startswith("Accepted")
        news = telegram.wait_for(
            lambda _: "accepted" in (text := replies(telegram, SHOPPER)[-1].params["text"]) and text
        )
        assert "hello@moonthread.example" in news
    assert len(telegram.calls_for(method="answerCallbackQuery")) == 6


def recorded_bot(make_app: Any, telegram: FakeTelegram) -> tuple[Any, Spy, RunningBot]:
    """An app, its engine keeping every event it is given, and a bot on that engine."""
    app = make_app(telegram=tg_settings(telegram))
    engine = Spy(app.engine)
    images = LocalImageStore(app.settings.image_dir)
    return app, engine, RunningBot(app.settings.telegram, engine, images)


def test_photos_stickers_other_media_and_huge_messages(
    make_app: Any, telegram: FakeTelegram
) -> None:
    app, engine, bot = recorded_bot(make_app, telegram)
    with bot:
        with_caption = lambda: telegram.send_photo(SHOPPER, png(), "white sneakers")  # noqa: E731
        answer_to(telegram, SHOPPER, with_caption)
        assert telegram.calls_for(method="getFile")
        stored = list(Path(app.settings.image_dir).glob("tg-1001-*.jpg"))
        assert len(stored) == 1 and stored[0].read_bytes() == png()
        photo = engine.seen[-1]
        assert (photo.kind, photo.text) == (MessageKind.PHOTO, "white sneakers")
        assert photo.image_ref == str(stored[0])

        answer_to(telegram, SHOPPER, lambda: telegram.send_photo(SHOPPER, png("red")))
        assert engine.seen[-1].kind is MessageKind.PHOTO and engine.seen[-1].text == ""
        assert engine.seen[-1].image_ref and engine.seen[-1].image_ref != photo.image_ref

        for send, expected in [
            (telegram.send_sticker, texts.STICKER),
            (telegram.send_voice, texts.OTHER_MEDIA),
            (telegram.send_location, texts.LOCATION_WHICH_CITY),
        ]:
            reply = answer_to(telegram, SHOPPER, lambda send=send: send(SHOPPER))
            assert reply.params["text"] == expected

        huge = say(telegram, SHOPPER, "blue cotton shirt " + "x" * 6000)
        assert huge.params["text"].startswith("That's a long message")


def test_buttons_still_work_after_a_restart_or_say_they_expired(
    make_app: Any, telegram: FakeTelegram, redis_prefix: str
) -> None:
    shared = {
        "redis": {"url": REDIS_URL, "key_prefix": redis_prefix},
        "telegram": tg_settings(telegram),
    }
    with bot_for(make_app(**shared)):
        first = say(telegram, SHOPPER, "yellow summer dress under 60")
        second = say(telegram, SHOPPER, "make it blue")
    stale, current = choice(first, "Pick 1"), choice(second, "Pick 2")
    assert stale != current

    with bot_for(make_app(**shared)):
        picked = say(telegram, SHOPPER, press=current)
        assert "Lovely choice" in picked.params["text"]
        expired = say(telegram, SHOPPER, press=stale)
        assert expired.params["text"].startswith(texts.STALE_BUTTON)
    assert len(telegram.calls_for(method="answerCallbackQuery")) == 2


class SlowChat:
    """Wraps an engine so that one chat's turns take ``seconds`` longer."""

    may_be_slow = staticmethod(ConversationEngine.may_be_slow)

    def __init__(self, inner: TurnEngine, slow_chat: int, seconds: float) -> None:
        self._inner, self._slow, self._seconds = inner, chat_key(slow_chat), seconds

    def handle(
        self, key: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        if key == self._slow and incoming.command != "help":
            time.sleep(self._seconds)
        return self._inner.handle(key, incoming, progress)


def test_a_slow_chat_does_not_hold_up_others_and_each_chat_stays_in_order(
    make_app: Any, telegram: FakeTelegram
) -> None:
    app = make_app(telegram=tg_settings(telegram))
    engine = SlowChat(app.engine, SHOPPER, 2.0)
    with RunningBot(app.settings.telegram, engine, LocalImageStore(app.settings.image_dir)):
        started = time.monotonic()
        telegram.send_text(SHOPPER, "black leather jacket")
        telegram.send_text(SHOPPER, "/help")
        other = say(telegram, OTHER, "/help")
        assert other.at - started < 1.0, "the other chat waited for the slow one"
        mine = telegram.wait_for(lambda _: (r := replies(telegram, SHOPPER)) and len(r) >= 2 and r)
        assert mine[0].at - started >= 2.0 and "designs" in mine[0].params["text"]
        assert mine[1].params["text"] == texts.HELP, "the second message overtook the first"


class ScriptedEngine:
    """A test double engine: a fixed Reply per text, and an error for "boom"."""

    may_be_slow = staticmethod(ConversationEngine.may_be_slow)

    def __init__(self, replies_by_text: dict[str, Reply]) -> None:
        self._replies = replies_by_text

    def handle(
        self, key: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        if incoming.text == "boom":
            raise RuntimeError("boom")
        return self._replies.get(incoming.text, Reply(text=f"echo {incoming.text}"))


def scripted_bot(
    server: FakeTelegram, images: ImageStore, replies_by_text: dict[str, Reply], **settings: Any
) -> RunningBot:
    """A bot on a scripted engine."""
    engine = ScriptedEngine(replies_by_text)
    return RunningBot(TelegramSettings(**tg_settings(server, **settings)), engine, images)


def test_long_replies_albums_and_buttons_follow_telegram_limits(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    images = LocalImageStore(tmp_path / "images")
    paragraph = "A long line about linen, colour and cut. " * 20
    long_reply = Reply(
        text="\n\n".join([paragraph] * 11),
        products=[
            ProductCard(
                product_id="p1",
                name="Sage dress",
                price=89,
                currency="EUR",
                url="https://shop.example/p1",
                image_ref="https://img.example/p1.jpg",
                why="same sage linen",
            ),
            ProductCard(
                product_id="p2",
                name="Wrap skirt",
                price=45.5,
                currency="EUR",
                url="https://shop.example/p2",
            ),
        ],
        choices=[Choice(id="more", label="New designs"), Choice(id="x" * 65, label="Too long")],
    )
    designs = Reply(
        text="Two designs",
        images=[
            ImageRef(ref=images.put(f"d{n}.png", png(colour)), caption=f"Design {n}")
            for n, colour in ((1, "green"), (2, "blue"))
        ]
        + [ImageRef(ref="/etc/passwd", caption="not a stored image")],
        choices=[Choice(id="pick:d1", label="Pick 1"), Choice(id="pick:d2", label="Pick 2")],
    )
    with scripted_bot(telegram, images, {"long": long_reply, "designs": designs}):
        before = len(telegram.calls_for(SHOPPER, "sendMessage"))
        telegram.send_text(SHOPPER, "long")
        sent = telegram.wait_for(
            lambda _: (r := replies(telegram, SHOPPER, before)) and buttons(r[-1]) and r
        )
        assert len(sent) >= 3 and all(len(c.params["text"]) <= 4096 for c in sent)
        assert "".join(c.params["text"] for c in sent).count("colour") == 11 * 20
        assert [bool(buttons(c)) for c in sent] == [False] * (len(sent) - 1) + [True]
        labels = [b["text"] for b in buttons(sent[-1])]
        assert labels == [
            "Open in shop · 1. Sage dress",
            "Open in shop · 2. Wrap skirt",
            "New designs",
        ]
        assert "2. Wrap skirt by" not in sent[-1].params["text"]
        assert "2. Wrap skirt — 45.50 EUR" in sent[-1].params["text"]
        photo = telegram.calls_for(SHOPPER, "sendPhoto")[0]
        assert photo.params["photo"] == "https://img.example/p1.jpg"
        assert photo.params["caption"] == "1. Sage dress — 89 EUR\nsame sage linen"

        reply = say(telegram, SHOPPER, "designs")
        album = telegram.calls_for(SHOPPER, "sendMediaGroup")[0]
        assert [m["caption"] for m in album.params["media"]] == ["Design 1", "Design 2"]
        assert sorted(album.files.values()) == sorted([png("green"), png("blue")])
        assert [b["text"] for b in buttons(reply)] == ["Pick 1", "Pick 2"]


def test_flood_control_is_waited_out_and_retried(telegram: FakeTelegram, tmp_path: Path) -> None:
    with scripted_bot(telegram, LocalImageStore(tmp_path), {}):
        telegram.fail_next("sendMessage", retry_after=1)
        reply = say(telegram, SHOPPER, "hello")
    assert reply.params["text"] == "echo hello"
    refused = [c for c in telegram.calls if c.method == "sendMessage" and c.status == 429]
    assert len(refused) == 1 and reply.at - refused[0].at >= 1.0


def test_strangers_are_refused_and_failures_get_an_apology(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    admin = 77
    with scripted_bot(
        telegram, LocalImageStore(tmp_path), {}, allowed_chat_ids=[SHOPPER], admin_ids=[admin]
    ):
        refused = say(telegram, OTHER, "hello")
        assert "private" in refused.params["text"] and str(OTHER) in refused.params["text"]
        say(telegram, OTHER, press="pick:d1")
        assert telegram.calls_for(method="answerCallbackQuery")
        assert say(telegram, admin, "hello").params["text"] == "echo hello"

        apology = say(telegram, SHOPPER, "boom")
        assert apology.params["text"].startswith("Sorry, something went wrong")
        notice = telegram.wait_for(lambda _: replies(telegram, admin)[1:])[0]
        assert "RuntimeError" in notice.params["text"]
        assert say(telegram, SHOPPER, "still there?").params["text"] == "echo still there?"


def test_the_command_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STYLEGENIE_TELEGRAM__TOKEN", raising=False)
    assert cli_main(["telegram"]) == 2
    assert "STYLEGENIE_TELEGRAM__TOKEN" in capsys.readouterr().err


def test_webhook_mode_serves_updates_posted_with_the_secret(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}/telegram"
    webhook = {
        "mode": "webhook",
        "webhook_address": address,
        "webhook_secret": "s3cret",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }
    with scripted_bot(telegram, LocalImageStore(tmp_path), {}, **webhook):
        registered = telegram.calls_for(method="setWebhook")[0].params
        assert (registered["url"], registered["secret_token"]) == (address, "s3cret")
        update = {"update_id": 1, **telegram.text_update(SHOPPER, "hi")}
        forged = httpx.post(address, json=update, headers={SECRET_HEADER: "guess"})
        assert forged.status_code == 403
        assert httpx.post(address, json=update, headers={SECRET_HEADER: "s3cret"}).is_success
        reply = telegram.wait_for(lambda _: replies(telegram, SHOPPER))[-1]
        assert reply.params["text"] == "echo hi"
    assert not telegram.calls_for(method="getUpdates")


def test_the_bot_runs_on_uvloop_once_asked() -> None:
    before = asyncio.get_event_loop_policy()
    try:
        assert use_fast_event_loop()
        loop = asyncio.new_event_loop()
        assert type(loop).__module__.startswith("uvloop")
        loop.close()
    finally:
        asyncio.set_event_loop_policy(before)


def test_commands_for_another_bot_are_ignored_and_ours_are_answered(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    with scripted_bot(telegram, LocalImageStore(tmp_path), {}):
        telegram.send_text(SHOPPER, "/help@OtherBot")
        ours = say(telegram, SHOPPER, "/help@stylegenie_bot")
        assert ours.params["text"].startswith("echo")
        assert len(replies(telegram, SHOPPER)) == 1, "the other bot's command got no answer"


def test_an_image_file_is_a_photo_an_album_is_one_turn_and_a_pin_asks_the_city(
    make_app: Any, telegram: FakeTelegram
) -> None:
    _, engine, bot = recorded_bot(make_app, telegram)
    with bot:
        answer_to(telegram, SHOPPER, lambda: telegram.send_image_file(SHOPPER, png(), "like this"))
        photo = engine.seen[-1]
        assert (photo.kind, photo.text) == (MessageKind.PHOTO, "like this") and photo.image_ref

        before = len(engine.seen)
        answer_to(
            telegram,
            SHOPPER,
            lambda: telegram.send_album(SHOPPER, [png("red"), png("blue"), png()], "these"),
        )
        time.sleep(1.0)  # the album's other photos have come and gone
        album = engine.seen[before:]
        assert [(e.kind, e.text) for e in album] == [(MessageKind.PHOTO, "these")]
        assert len(replies(telegram, SHOPPER)) == 2

        pin = answer_to(telegram, SHOPPER, lambda: telegram.send_location(SHOPPER))
        assert pin.params["text"] == texts.LOCATION_WHICH_CITY


def test_the_shopper_identity_comes_from_their_telegram_account(
    make_app: Any, telegram: FakeTelegram
) -> None:
    _, engine, bot = recorded_bot(make_app, telegram)
    with bot:
        say(telegram, SHOPPER, "/start")
        say(telegram, 1007, "/start")
    named, anonymous = engine.seen[0].sender, engine.seen[1].sender
    assert named.contact() == "shopper1001 (@shopper1001) https://t.me/shopper1001"
    assert anonymous.contact() == "shopper1007 tg://user?id=1007"


def test_sends_to_one_chat_are_paced_and_other_chats_are_not_held_up(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    many = Reply(text="\n\n".join(["word " * 800] * 6))  # six messages' worth of text
    with scripted_bot(
        telegram, LocalImageStore(tmp_path), {"many": many}, per_chat_burst=2, per_chat_per_second=4
    ):
        telegram.send_text(SHOPPER, "many")
        other = say(telegram, OTHER, "hello")
        sent = telegram.wait_for(lambda _: len(r := replies(telegram, SHOPPER)) >= 6 and r)
    gaps = [b.at - a.at for a, b in zip(sent[2:], sent[3:], strict=False)]
    assert min(gaps) >= 0.2, "after a burst of two, one send per quarter second"
    assert other.at < sent[-1].at, "the other chat was answered meanwhile"


def test_webhook_mode_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        TelegramSettings(token=TOKEN, mode="webhook", webhook_address="https://bot.example/tg")
    monkeypatch.setenv("STYLEGENIE_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setenv("STYLEGENIE_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("STYLEGENIE_TELEGRAM__WEBHOOK_ADDRESS", "https://bot.example/tg")
    assert cli_main(["telegram"]) != 0
    assert "STYLEGENIE_TELEGRAM__WEBHOOK_SECRET" in capsys.readouterr().err
