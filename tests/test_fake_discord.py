"""The fake Discord against the real discord.py 2.7 client.

A tiny ``discord.Client`` with an app-command tree runs on its own event loop thread;
the fake (on another) dispatches slash commands and button presses over its gateway and
records what the client sends back: acknowledgements, follow-ups with buttons and files,
message updates, DMs, rate-limited retries, and the failures of late interactions.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from tests.fakes.discord import (
    APPLICATION_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    OTHER,
    OWNER,
    SHOPPER,
    TOKEN,
    FakeDiscord,
    Message,
)

PNG = b"\x89PNG\r\n\x1a\nfake-look"


class LikeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"like:(?P<look>\w+)"):
    """A button that survives restarts: its custom_id carries the look it likes."""

    def __init__(self, look: str) -> None:
        button = discord.ui.Button[Any](label="Like", custom_id=f"like:{look}")
        super().__init__(button)
        self.look = look

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> LikeButton:
        return cls(match["look"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"liked {self.look}", view=None)


@app_commands.command()
@app_commands.describe(text="what to look for", max_price="the most to pay")
async def look(
    interaction: discord.Interaction,
    text: str,
    max_price: app_commands.Range[int, 1, 5000] = 100,
) -> None:
    """Find a look."""
    await interaction.response.defer(thinking=True)
    view = discord.ui.View(timeout=None)
    view.add_item(LikeButton("l1"))
    picture = discord.File(io.BytesIO(PNG), "look.png")
    await interaction.followup.send(f"{text} under {max_price}", view=view, file=picture)


@app_commands.command()
async def wait(interaction: discord.Interaction, before: float = 0.0, after: float = 0.0) -> None:
    """Wait, acknowledge, wait, answer."""
    client = interaction.client
    assert isinstance(client, TinyBot)
    try:
        await asyncio.sleep(before)
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(after)
        await interaction.edit_original_response(content="still working")
        await interaction.followup.send("done")
    except discord.HTTPException as error:
        client.errors.append(error)


@app_commands.command()
async def card(interaction: discord.Interaction) -> None:
    """Answer at once, privately, with an embed and a file."""
    embed = discord.Embed(title="Linen dress", description="cool in summer")
    picture = discord.File(io.BytesIO(PNG), "card.png")
    await interaction.response.send_message(embed=embed, file=picture, ephemeral=True)


leads = app_commands.Group(name="leads", description="Leads for atelier owners.")


@leads.command(name="show")
async def show_lead(
    interaction: discord.Interaction, number: int, photo: discord.Attachment, shopper: discord.User
) -> None:
    """Show a lead with its photo."""
    data = await photo.read()
    text = f"lead {number} for {shopper.name}: {photo.filename}, {len(data)} bytes"
    await interaction.response.send_message(text)


class TinyBot(discord.Client):
    """A client owning its command tree, finding the gateway through /gateway/bot."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(look)
        self.tree.add_command(wait)
        self.tree.add_command(card)
        self.tree.add_command(leads)
        self.errors: list[discord.HTTPException] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(LikeButton)
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


class RunningBot:
    """A TinyBot logged in to the fake on its own event loop thread."""

    def __init__(self) -> None:
        self.bot = TinyBot()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="tiny-bot", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.bot.is_ready():
            assert self.thread.is_alive() and time.monotonic() < deadline, "the bot never got ready"
            time.sleep(0.01)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(self.bot.start(TOKEN))
        self.loop.run_forever()

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        """Run a coroutine on the bot's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.call(self.bot.close())
        self.call(asyncio.wait_for(self.task, 5))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    """The fake Discord on its own thread, discord.py pointed at it (undone after)."""
    server = FakeDiscord().start_in_thread()
    monkeypatch.setattr(discord.http.Route, "BASE", f"{server.api_base}/api/v10")
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    yield server
    server.stop_thread()


@pytest.fixture
def running(fake: FakeDiscord) -> Iterator[RunningBot]:
    """The tiny bot, ready, its commands synced to the fake guild."""
    bot = RunningBot()
    guild = discord.Object(GUILD_ID)
    bot.bot.tree.copy_global_to(guild=guild)
    bot.call(bot.bot.tree.sync(guild=guild))
    yield bot
    bot.stop()


def final_reply(fake: FakeDiscord, interaction_id: int) -> Message:
    """Wait until the interaction's response is more than "thinking"; return it."""
    return fake.wait_for(
        lambda _: (r := fake.replies_to(interaction_id)) and not r[-1].loading and r[-1],
        timeout=5,
    )


def test_the_client_logs_in_gets_ready_and_syncs_commands(
    fake: FakeDiscord, running: RunningBot
) -> None:
    bot = running.bot
    assert bot.user is not None and bot.user.id == BOT_USER_ID
    assert bot.application_id == APPLICATION_ID
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None and guild.get_channel(CHANNEL_ID) is not None
    assert [c.route for c in fake.calls_for()][:3] == [
        "GET /users/@me",
        "GET /oauth2/applications/@me",
        "GET /gateway/bot",
    ]
    assert fake.identifies[0]["token"] == TOKEN
    synced = fake.commands(GUILD_ID)
    assert [c["name"] for c in synced] == ["look", "wait", "card", "leads"]
    assert {o["name"]: o["type"] for o in synced[0]["options"]} == {"text": 3, "max_price": 4}
    # the ids the fake gave are the ones discord.py returned
    fetched = running.call(bot.tree.fetch_commands(guild=discord.Object(GUILD_ID)))
    assert {c.id for c in fetched} == {int(c["id"]) for c in synced}


def test_a_slash_command_is_deferred_then_answered_with_a_button_and_a_file(
    fake: FakeDiscord, running: RunningBot
) -> None:
    iid = fake.slash(SHOPPER, "look", {"text": "red linen dress", "max_price": 80})

    reply = final_reply(fake, iid)
    record = fake.interaction(iid)
    assert record.ack_type == 5 and record.acked_at is not None
    assert fake.acked_at[iid] - fake.dispatched_at[iid] < 1.0
    assert reply.id == record.original_id  # the first follow-up replaced "thinking..."
    assert reply.content == "red linen dress under 80"
    assert reply.custom_ids == ["like:l1"]
    assert reply.files == {"look.png": PNG}
    assert [m.id for m in fake.messages_for(CHANNEL_ID)] == [reply.id]
    callback = fake.calls_for("POST /interactions/*/callback", interaction_id=iid)[0]
    assert callback.query["with_response"] == "1"


def test_a_button_press_updates_its_message_even_after_a_restart(
    fake: FakeDiscord, running: RunningBot
) -> None:
    asked = fake.slash(SHOPPER, "look", {"text": "blazer"})
    message = final_reply(fake, asked)
    running.stop()
    restarted = RunningBot()  # nothing in memory: the dynamic item is rebuilt from its id
    try:
        pressed = fake.press(OTHER, message.id, "like:l1")
        fake.wait_for(lambda _: fake.message(message.id).content == "liked l1")
    finally:
        restarted.stop()
    assert fake.interaction(pressed).ack_type == 7
    assert fake.message(message.id).custom_ids == []
    assert fake.message(message.id).history == ["", "blazer under 100"]  # thinking, answer
    assert [m.id for m in fake.replies_to(pressed)] == [message.id]
    assert len(fake.identifies) == 2


def test_a_slash_command_in_a_dm_is_answered_in_the_dm(
    fake: FakeDiscord, running: RunningBot
) -> None:
    running.call(running.bot.tree.sync())  # DMs only see global commands
    iid = fake.slash(SHOPPER, "look", {"text": "sandals"}, guild_id=None)

    reply = final_reply(fake, iid)
    assert reply.channel_id == fake.dm_channel_of(SHOPPER) and reply.guild_id is None
    assert fake.messages_for(SHOPPER)[0].content == "sandals under 100"


def test_dms_arrive_and_a_closed_dm_fails_with_50007(
    fake: FakeDiscord, running: RunningBot
) -> None:
    async def dm(user_id: int, text: str) -> discord.Message:
        user = await running.bot.fetch_user(user_id)
        return await user.send(text)

    sent = running.call(dm(OWNER, "a new lead"))
    assert [m.content for m in fake.messages_for(OWNER)] == ["a new lead"]
    assert sent.channel.id == fake.dm_channel_of(OWNER)

    fake.close_dms(OTHER)
    with pytest.raises(discord.Forbidden) as refused:
        running.call(dm(OTHER, "a new lead"))
    assert refused.value.code == 50007
    assert fake.messages_for(OTHER) == []
    assert [c.route for c in fake.failures(50007)] == ["POST /channels/{channel_id}/messages"]


def test_a_429_is_waited_out_and_retried(fake: FakeDiscord, running: RunningBot) -> None:
    channel = running.bot.get_channel(CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    fake.fail_next("POST /channels/*/messages", retry_after=0.3)

    started = time.monotonic()
    running.call(channel.send("new arrivals"))
    assert time.monotonic() - started >= 0.3
    limited = fake.calls_for("POST /channels/*/messages", status=429)
    posted = fake.calls_for("POST /channels/*/messages")
    assert len(limited) == 1 and len(posted) == 1
    assert posted[0].at - limited[0].at >= 0.3
    assert [m.content for m in fake.messages_for(CHANNEL_ID)] == ["new arrivals"]


def test_a_late_acknowledgement_gets_10062(fake: FakeDiscord, running: RunningBot) -> None:
    fake.ack_window = 0.2
    iid = fake.slash(SHOPPER, "wait", {"before": 0.4})

    fake.wait_for(lambda _: running.bot.errors, timeout=5)
    assert isinstance(running.bot.errors[0], discord.NotFound)
    assert running.bot.errors[0].code == 10062
    assert fake.interaction(iid).late and iid not in fake.acked_at
    assert [c.interaction_id for c in fake.failures(10062)] == [iid]


def test_a_follow_up_after_the_token_expired_gets_50027(
    fake: FakeDiscord, running: RunningBot
) -> None:
    fake.token_lifetime = 0.3
    iid = fake.slash(SHOPPER, "wait", {"after": 0.5})

    fake.wait_for(lambda _: running.bot.errors, timeout=5)
    assert running.bot.errors[0].status == 401 and running.bot.errors[0].code == 50027
    assert fake.interaction(iid).expired_calls == 1
    original = fake.original_response(iid)
    assert original is not None and original.loading


def test_progress_edits_the_original_and_results_come_as_follow_ups(
    fake: FakeDiscord, running: RunningBot
) -> None:
    iid = fake.slash(SHOPPER, "wait")

    replies = fake.wait_for(lambda _: len(r := fake.replies_to(iid)) == 2 and r)
    assert [m.content for m in replies] == ["still working", "done"]
    assert replies[0].id == fake.interaction(iid).original_id and replies[0].history == [""]
    edits = fake.calls_for("PATCH /webhooks/{application_id}/{token}/messages/{message_id}")
    assert [c.path.rsplit("/", 1)[1] for c in edits] == ["@original"]
    assert fake.calls_for(interaction_id=iid)[-1].route == "POST /webhooks/{application_id}/{token}"


def test_an_immediate_answer_is_one_multipart_callback(
    fake: FakeDiscord, running: RunningBot
) -> None:
    iid = fake.slash(OTHER, "card")

    reply = final_reply(fake, iid)
    assert fake.interaction(iid).ack_type == 4 and reply.ephemeral
    assert reply.embeds[0]["title"] == "Linen dress" and reply.files == {"card.png": PNG}
    # the fake records a call just after storing the reply it made
    [callback] = fake.wait_for(
        lambda _: fake.calls_for("POST /interactions/*/callback", interaction_id=iid), timeout=5
    )
    assert list(callback.files) == ["files[0]"] and callback.body["type"] == 4


def test_the_gateway_resumes_after_a_reconnect(fake: FakeDiscord, running: RunningBot) -> None:
    session = fake.wait_connected()
    fake.reconnect()
    fake.wait_for(lambda _: fake.resumes, timeout=5)
    assert fake.wait_connected() == session and fake.resumes[0]["session_id"] == session

    iid = fake.slash(SHOPPER, "look", {"text": "coat"})
    assert final_reply(fake, iid).content == "coat under 100"
    assert len(fake.identifies) == 1


def test_a_subcommand_gets_its_user_and_attachment_options_resolved(
    fake: FakeDiscord, running: RunningBot
) -> None:
    options = {"number": 7, "photo": ("dress.png", PNG), "shopper": SHOPPER}
    iid = fake.slash(OWNER, "leads show", options)

    reply = final_reply(fake, iid)
    assert reply.content == f"lead 7 for shopper: dress.png, {len(PNG)} bytes"


def test_the_fake_refuses_what_discord_refuses(fake: FakeDiscord, running: RunningBot) -> None:
    channel = running.bot.get_channel(CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    fake.attachment_size_limit = 8

    with pytest.raises(discord.HTTPException) as too_long:
        running.call(channel.send("x" * 2001))
    with pytest.raises(discord.HTTPException) as too_big:
        running.call(channel.send(file=discord.File(io.BytesIO(PNG), "big.png")))
    with pytest.raises(discord.HTTPException) as empty:
        running.call(channel.send(embeds=[]))

    assert (too_long.value.code, too_big.value.status, empty.value.code) == (50035, 413, 50006)
    assert fake.messages_for(CHANNEL_ID) == []
