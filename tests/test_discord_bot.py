"""The Discord bot end to end: the real discord.py against a fake Discord (gateway + REST).

The bot runs on its own event loop thread and connects to the fake's gateway; the fake
(on another) dispatches the people's slash commands and button presses and keeps every
message the bot made. Real-engine tests use ``make_app`` (PostgreSQL, Milvus Lite,
MiniLM, eager workers); tests of one behaviour use a scripted engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest

from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.bots.cli import main as cli_main
from stylegenie.bots.discord import Place
from stylegenie.bots.discord.buttons import ChoiceButton, view_for
from stylegenie.bots.discord.interactions import NOT_YOURS
from stylegenie.bots.discord.rendering import lay_out
from stylegenie.config.settings import DiscordSettings
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.progress import ProgressCallback, drawing
from stylegenie.core.reply import AtelierCard, Choice, ImageRef, ProductCard, Reply
from tests.fakes.discord import (
    ADMIN,
    CHANNEL_ID,
    GUILD_ID,
    OTHER,
    OWNER,
    SHOPPER,
    TOKEN,
    FakeDiscord,
    Message,
)
from tests.fakes.discord_bot import RunningDiscordBot
from tests.fakes.engines import Spy

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    """The fake Discord on 127.0.0.1, on its own thread."""
    server = FakeDiscord().start_in_thread()
    yield server
    server.stop_thread()


def dc_settings(server: FakeDiscord, **overrides: Any) -> dict[str, Any]:
    """Discord settings pointing the bot at the fake."""
    return {
        "token": TOKEN,
        "api_base": server.api_base,
        "gateway_address": server.gateway_url,
        **overrides,
    }


def bot_for(app: Any, engine: Any = None) -> RunningDiscordBot:
    """A bot serving an assembled app (its engine, or ``engine`` wrapping it)."""
    settings = app.settings
    images = LocalImageStore(settings.image_dir)
    return RunningDiscordBot(settings.discord, engine or app.engine, images, app.lead_wiring())


def answered(server: FakeDiscord, interaction_id: int) -> list[Message]:
    """What the person saw for an interaction once the bot is done with it: its last call
    a follow-up, a removed progress message or a direct answer, and nothing new for a
    moment."""

    def done(_: object) -> bool:
        calls = server.calls_for(interaction_id=interaction_id)
        if not calls:
            return False
        last = calls[-1]
        if last.route.endswith("/callback"):
            return bool(last.body and last.body.get("type") == 4)
        return last.method in ("POST", "DELETE")

    while True:
        server.wait_for(done)
        seen = len(server.calls_for(interaction_id=interaction_id))
        time.sleep(0.25)
        if len(server.calls_for(interaction_id=interaction_id)) == seen:
            return server.replies_to(interaction_id)


def slash(server: FakeDiscord, user: int, name: str, **options: Any) -> list[Message]:
    """Run a slash command in the server channel and wait for what the person saw."""
    return answered(server, server.slash(user, name, options or None))


def dm_slash(server: FakeDiscord, user: int, name: str) -> list[Message]:
    """Run a slash command in the person's DMs with the bot."""
    return answered(server, server.slash(user, name, guild_id=None))


def press(server: FakeDiscord, user: int, message: Message, label: str) -> list[Message]:
    """Press the button whose label starts with ``label`` and wait for the answer."""
    return answered(server, server.press(user, message.id, custom_id(message, label)))


def custom_id(message: Message, label: str) -> str:
    """The id of the message's button whose label starts with ``label``."""
    return next(b["custom_id"] for b in message.buttons if b.get("label", "").startswith(label))


def labels(message: Message) -> list[str]:
    return [b.get("label", "") for b in message.buttons]


def text(messages: list[Message]) -> str:
    return "\n".join(m.content for m in messages)


class SlowRenderer:
    """The runtime's renderer, taking ``seconds`` longer per design."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self._inner, self._seconds = inner, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def render(self, designs: list[Any], progress: Any = None) -> list[bytes]:
        time.sleep(self._seconds * len(designs))
        return list(self._inner.render(designs, progress))


def owned(app: Any, atelier_id: str, owner: int, **changes: Any) -> None:
    """Make ``owner`` (a Discord user) the owner of the atelier, or of a copy with changes."""
    atelier = app.ateliers.get_atelier(atelier_id)
    update = {"owner_chat_ids": {"discord": str(owner)}, **changes}
    app.ateliers.upsert_ateliers([atelier.model_copy(update=update)])


def test_journey_from_design_to_an_accepted_lead_in_the_owners_dms(
    make_app: Any, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(discord=dc_settings(fake, progress_after_s=0.5))
    owned(app, "at-lis-moonthread", OWNER)
    worker = app.worker_runtime()
    monkeypatch.setattr(worker, "renderer", SlowRenderer(worker.renderer, 0.4))
    with bot_for(app):
        wish = "a sage green dress for a wedding, under 120, in Lisbon"
        asked = fake.slash(SHOPPER, "design", {"description": wish})
        designs = answered(fake, asked)
        record = fake.interaction(asked)
        assert record.ack_type == 5 and record.acked_at is not None
        assert record.acked_at - record.dispatched_at < 0.5, "acknowledged at once"
        edits = fake.calls_for("PATCH /webhooks/*/messages/@original", interaction_id=asked)
        assert [c.body["content"] for c in edits] == ["Drawing 3 designs…"]
        assert fake.calls_for("DELETE /webhooks/*/messages/@original", interaction_id=asked)
        [drawn] = [m for m in designs if m.filenames]
        assert len(drawn.filenames) == 3 and drawn.filenames[0].startswith("design-1")
        assert labels(designs[-1])[:3] == ["Pick 1", "Pick 2", "Pick 3"]
        assert all(i.startswith(f"sg:{SHOPPER}:") for i in designs[-1].custom_ids)

        picked = press(fake, SHOPPER, designs[-1], "Pick 2")
        assert "Lovely choice" in text(picked)
        products = press(fake, SHOPPER, picked[-1], "Show products")
        cards = [e for m in products for e in m.embeds]
        assert cards and all("EUR" in e["fields"][0]["value"] for e in cards)
        links = [b for m in products for b in m.buttons if b.get("style") == 5]
        assert links and all(b["url"].startswith("https://") for b in links)
        assert labels(products[-1])[0].startswith("Open in shop · 1.")

        found = press(fake, SHOPPER, products[-1], "Find an atelier")
        ateliers = [e for m in found for e in m.embeds]
        assert "Moonthread" in ateliers[0]["title"]
        assert {f["name"] for f in ateliers[0]["fields"]} >= {"Where", "Rating"}
        consent = press(fake, SHOPPER, found[-1], "Ask Atelier Moonthread")
        assert "they'll get your contact" in text(consent)
        sent = press(fake, SHOPPER, consent[-1], "Send to Atelier Moonthread")
        assert "on its way to Atelier Moonthread" in text(sent)

        lead = fake.wait_for(lambda _: [m for m in fake.messages_for(OWNER) if m.buttons])[-1]
        assert "Budget: under 120" in lead.content and "City: Lisbon" in lead.content
        assert labels(lead) == ["Accept", "Decline"] and lead.filenames, "the owner sees the design"
        assert "Open requests (1)" in text(dm_slash(fake, OWNER, "leads"))
        accepted = press(fake, OWNER, lead, "Accept")
        assert accepted[-1].content.startswith("Accepted")
        assert "@shopper" in accepted[-1].content, "the owner gets the shopper's Discord contact"
        settled = fake.message(lead.id)
        assert not settled.buttons and "Accepted" in settled.content

        def news(_: object) -> Message | None:
            posts = fake.messages_for(CHANNEL_ID)
            return next((m for m in posts if "accepted your design" in m.content), None)

        told = fake.wait_for(news)
        assert told.content.startswith(f"<@{SHOPPER}>")
        assert "hello@moonthread.example" in told.content
    assert not fake.failures(), "every call the bot made was one Discord takes"


def test_buttons_from_before_a_restart_still_work_or_say_they_expired(
    make_app: Any, fake: FakeDiscord, redis_prefix: str
) -> None:
    shared = {"redis": {"url": REDIS_URL, "key_prefix": redis_prefix}, "discord": dc_settings(fake)}
    with bot_for(make_app(**shared)):
        first = slash(fake, SHOPPER, "design", description="yellow summer dress under 60")[-1]
        second = slash(fake, SHOPPER, "design", description="make it blue")[-1]
    assert custom_id(first, "Pick 1") != custom_id(second, "Pick 2")

    with bot_for(make_app(**shared)):
        assert "Lovely choice" in text(press(fake, SHOPPER, second, "Pick 2"))
        expired = press(fake, SHOPPER, first, "Pick 1")
        assert expired[0].content.startswith(texts.STALE_BUTTON)


class ScriptedEngine:
    """A fixed Reply per text (with designs' Pick buttons by default), ``seconds`` per turn."""

    may_be_slow = staticmethod(ConversationEngine.may_be_slow)

    def __init__(self, seconds: float = 0.0, replies: dict[str, Reply] | None = None) -> None:
        self._seconds = seconds
        self._replies = replies or {}

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        if progress is not None:
            progress(drawing(3))
        time.sleep(self._seconds)
        if incoming.text in self._replies:
            return self._replies[incoming.text]
        said = incoming.text or incoming.command or incoming.choice_id
        return Reply(text=f"echo {said}", choices=[Choice(id="pick:d-1", label="Pick 1")])


def scripted_bot(
    server: FakeDiscord, tmp_path: Path, engine: Any, **settings: Any
) -> RunningDiscordBot:
    images = LocalImageStore(tmp_path / "images")
    return RunningDiscordBot(DiscordSettings(**dc_settings(server, **settings)), engine, images)


def test_a_press_by_someone_else_gets_a_note_only_they_see(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    engine = Spy(ScriptedEngine())
    with scripted_bot(fake, tmp_path, engine):
        mine = slash(fake, SHOPPER, "design", description="red dress")[-1]
        refused = fake.press(OTHER, mine.id, custom_id(mine, "Pick 1"))
        [note] = answered(fake, refused)
        assert note.ephemeral and note.content == NOT_YOURS
        assert fake.interaction(refused).ack_type == 4
        assert [e.sender.user.id for e in engine.seen] == [str(SHOPPER)], "the engine never saw it"
        assert text(press(fake, SHOPPER, mine, "Pick 1")) == "echo pick:d-1"


def test_a_closed_dm_tells_the_shopper_and_offers_the_next_atelier(
    make_app: Any, fake: FakeDiscord
) -> None:
    app = make_app(discord=dc_settings(fake))
    owned(app, "at-lis-moonthread", OWNER)
    owned(app, "at-lis-moonthread", ADMIN, id="at-lis-second", name="Second Thread (fictional)")
    fake.close_dms(OWNER)
    with bot_for(app):
        designs = slash(fake, SHOPPER, "design", description="a sage linen dress, in Lisbon")
        press(fake, SHOPPER, designs[-1], "Pick 1")
        found = slash(fake, SHOPPER, "ateliers")
        consent = press(fake, SHOPPER, found[-1], "Ask Atelier Moonthread")
        press(fake, SHOPPER, consent[-1], "Send")

        def offered(_: object) -> Message | None:
            posts = fake.messages_for(CHANNEL_ID)
            return next((m for m in posts if "couldn't get your request" in m.content), None)

        told = fake.wait_for(offered)
        assert told.content.startswith(f"<@{SHOPPER}>") and "Atelier Moonthread" in told.content
        assert told.embeds[0]["title"].endswith("Second Thread (fictional)")
        assert labels(told) == ["Ask Second Thread (fictional)"]
        assert fake.failures(50007), "the closed DM was tried once"
        assert not fake.messages_for(OWNER)


def test_a_reply_after_the_token_expired_is_posted_in_the_channel(tmp_path: Path) -> None:
    server = FakeDiscord(token_lifetime=1.5).start_in_thread()
    try:
        engine = ScriptedEngine(seconds=2.0)
        with scripted_bot(
            server, tmp_path, engine, followup_lifetime_s=1.5, progress_after_s=0.3
        ):
            asked = server.slash(SHOPPER, "design", {"description": "a slow one"})

            def in_channel(_: object) -> list[Message]:
                return [m for m in server.messages_for(CHANNEL_ID) if not m.interaction_id]

            [reply] = server.wait_for(in_channel)
            assert reply.content == f"<@{SHOPPER}> echo a slow one"
            assert labels(reply) == ["Pick 1"], "its buttons work like any other"
            assert server.interaction(asked).acked_at is not None
            progress = server.calls_for("PATCH /webhooks/*/messages/@original")
            assert [c.body["content"] for c in progress] == ["Drawing 3 designs…"]
            server.wait_for(lambda _: server.calls_for("DELETE /channels/*/messages/*"))
            assert not server.replies_to(asked), "the progress message was taken away"
            assert not server.failures(50027), "no follow-up was tried on a dead token"
    finally:
        server.stop_thread()


def test_commands_sync_only_when_asked_to_a_dev_server_or_globally(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with scripted_bot(fake, tmp_path, ScriptedEngine()):
        pass
    assert not fake.calls_for("PUT *"), "starting the bot syncs nothing"
    for key, value in dc_settings(fake).items():
        monkeypatch.setenv(f"STYLEGENIE_DISCORD__{key.upper()}", str(value))
    assert cli_main(["discord", "sync-commands", "--guild", str(GUILD_ID)]) == 0
    synced = {c["name"]: c for c in fake.commands(GUILD_ID)}
    assert {"design", "search", "ateliers", "budget", "prefs", "leads", "help"} <= set(synced)
    assert synced["help"]["description"] == "What I can do"
    [text_option, price] = synced["search"]["options"]
    assert (text_option["required"], price["type"], price["min_value"]) == (True, 10, 1)
    assert synced["design"]["contexts"] == [0, 1], "servers and DMs"
    assert not fake.commands(None)
    assert cli_main(["discord", "sync-commands", "--global"]) == 0
    assert {c["name"] for c in fake.commands(None)} == set(synced)


def test_search_budget_and_dms_reach_the_engine_as_its_events(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    engine = Spy(ScriptedEngine())
    with scripted_bot(fake, tmp_path, engine):
        slash(fake, SHOPPER, "search", text="linen shirt", max_price=50.0)
        slash(fake, SHOPPER, "budget", amount="80")
        slash(fake, SHOPPER, "ateliers", city="Porto")
        dm_slash(fake, SHOPPER, "help")
    search, budget, ateliers, help_ = engine.seen
    assert (search.kind, search.text) == (MessageKind.TEXT, "linen shirt, under 50")
    assert (budget.kind, budget.command, budget.text) == (MessageKind.COMMAND, "budget", "80")
    assert (ateliers.command, ateliers.text) == ("ateliers", "Porto")
    assert help_.command == "help"
    assert search.sender.contact() == (
        f"Shopper (@shopper) https://discord.com/users/{SHOPPER}"
    )


def test_the_command_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STYLEGENIE_DISCORD__TOKEN", raising=False)
    assert cli_main(["discord"]) == 2
    assert "STYLEGENIE_DISCORD__TOKEN" in capsys.readouterr().err


def test_rate_limits_are_waited_out_up_to_the_bound_and_apologised_for_beyond_it(
    tmp_path: Path,
) -> None:
    server = FakeDiscord(token_lifetime=1.5).start_in_thread()
    engine = Spy(ScriptedEngine(), slow={"slow one": 2.0})
    try:
        with scripted_bot(server, tmp_path, engine, followup_lifetime_s=1.5, admin_ids=[ADMIN]):
            server.fail_next("POST /webhooks/*", retry_after=0.5)
            started = time.monotonic()
            assert text(slash(server, SHOPPER, "design", description="hi")) == "echo hi"
            assert time.monotonic() - started >= 0.5 and server.failures(429)

            server.fail_next("POST /channels/*/messages", retry_after=60)
            server.slash(SHOPPER, "design", {"description": "slow one"})
            apology = server.wait_for(
                lambda _: [m for m in server.messages_for(CHANNEL_ID) if "Sorry" in m.content]
            )
            assert apology[0].content.startswith(f"<@{SHOPPER}> Sorry, something went wrong")
            notice = server.wait_for(lambda _: server.messages_for(ADMIN))
            assert "RateLimited" in notice[0].content
    finally:
        server.stop_thread()


def test_a_reply_is_laid_out_within_discords_limits() -> None:
    card = {"price": 89.5, "currency": "EUR", "url": "https://shop.example/p", "why": "linen"}
    reply = Reply(
        text="A line about linen and cut. " * 200,
        images=[ImageRef(ref=f"/images/d{n}.webp", caption=f"Design {n}") for n in range(12)],
        products=[
            ProductCard(product_id=f"p{n}", name=f"Dress {n}", image_ref=f"/t/p{n}.jpg", **card)
            for n in range(12)
        ],
        ateliers=[
            AtelierCard(
                atelier_id="a", name="Moonthread", city="Lisbon", price_range="90-650 EUR",
                lead_time_days=21, rating=4.7, distance_km=2.0,
            )
        ],
        choices=[Choice(id=f"pick:d-{n}", label=f"Pick {n}") for n in range(3)],
    )
    messages = lay_out(reply)
    assert all(len(m.content) <= 2000 for m in messages)
    assert sum(len(m.content) for m in messages) > 5000
    assert [len(m.pictures) for m in messages if m.pictures and not m.embeds] == [10, 2]
    assert [len(m.embeds) for m in messages if m.embeds] == [10, 3]
    first = next(m for m in messages if m.embeds)
    assert first.embeds[0].fields[0].value == "89.50 EUR"
    assert first.embeds[0].image.url == f"attachment://{first.pictures[0].filename}"
    assert len(first.links) == 10 and first.links[0][0] == "Open in shop · 1. Dress 0"
    assert messages[-1].choices == reply.choices and len(messages[-1].links) == 2

    only_words = lay_out(Reply(text="Found these", products=reply.products[:2]))
    assert len(only_words) == 1 and only_words[0].content == "Found these", "cards under words"


def test_choice_buttons_carry_their_conversation_and_fit_discord() -> None:
    choices = [Choice(id="relead:lead-1:at-lis-moonthread", label="Ask Moonthread")]
    choices += [Choice(id="x" * 90, label="Too long"), Choice(id="more", label="More")]
    view = view_for(SHOPPER, [("Open in shop · 1", "https://shop.example/p")], choices)
    assert view is not None
    [link, *buttons] = view.children
    assert isinstance(link, discord.ui.Button) and link.url == "https://shop.example/p"
    ids = [b.custom_id for b in buttons if isinstance(b, ChoiceButton)]
    assert ids == [f"sg:{SHOPPER}:relead:lead-1:at-lis-moonthread", f"sg:{SHOPPER}:more"]
    assert all(len(i) <= 100 for i in ids) and [b.row for b in buttons] == [1, 1]
    match = ChoiceButton.__discord_ui_compiled_template__.fullmatch(ids[0])
    assert match and (int(match["user"]), match["choice"]) == (SHOPPER, choices[0].id)


def test_chat_ids_name_a_dm_or_a_person_in_a_channel() -> None:
    dm, channel = Place.parse("456"), Place.parse("123:456")
    assert (dm.user_id, dm.channel_id, str(dm.key)) == (456, None, "discord:456")
    assert (channel.user_id, channel.channel_id, channel.chat_id) == (456, 123, "123:456")
    for wrong in ["", "abc", "1:2:3", ":4", "4:"]:
        with pytest.raises(ValueError):
            Place.parse(wrong)
