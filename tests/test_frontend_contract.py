"""The contract every chat front-end passes, run against each one (terminal, Telegram,
Discord, the web chat).

Each test drives real people's moves through a driver (``tests/fakes/frontends.py``) on
the assembled product: PostgreSQL, Milvus Lite, the real engine and lead desk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from stylegenie.core.conversation import texts
from tests.fakes.discord import FakeDiscord
from tests.fakes.frontends import (
    DiscordDriver,
    Driver,
    TelegramDriver,
    TerminalDriver,
    WebDriver,
)
from tests.fakes.telegram_server import FakeTelegram

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["terminal", "telegram", "discord", "web"])
def driver(request: pytest.FixtureRequest, make_app: Any, redis_prefix: str) -> Iterator[Driver]:
    """Each front-end on an app whose conversations live in Redis (so restarts keep them)."""
    redis = {"url": REDIS_URL, "key_prefix": redis_prefix}
    if request.param == "terminal":
        terminal = TerminalDriver(lambda: make_app(redis=redis))
        yield terminal
        terminal.close()
        return
    if request.param == "web":
        # The driver polls the inbox as fast as a test wants, not as a page does.
        web = WebDriver(lambda: make_app(redis=redis, api={"requests_per_minute": 100_000}))
        yield web
        web.close()
        return
    if request.param == "discord":
        fake = FakeDiscord().start_in_thread()
        discord = {
            "token": fake.token,
            "api_base": fake.api_base,
            "gateway_address": fake.gateway_url,
        }
        bot = DiscordDriver(lambda: make_app(redis=redis, discord=discord), fake)
        yield bot
        bot.close()
        fake.stop_thread()
        return
    server = FakeTelegram().start_in_thread()
    telegram = {"token": "4242:FAKE-token", "api_base": server.api_base, "progress_delay_s": 0.5}
    bot = TelegramDriver(lambda: make_app(redis=redis, telegram=telegram), server)
    yield bot
    bot.close()
    server.stop_thread()


def test_every_kind_of_message_gets_an_answer(driver: Driver) -> None:
    for words in ["🤷", "/teleport", "x" * 5000, "hello", "7"]:
        assert driver.say("ana", words).text.strip(), f"no answer to {words[:20]!r}"
    assert "/leads" in driver.say("ana", "/help").text, "owners learn their command"
    designs = driver.say("ana", "red linen shirt under 50")
    assert designs.images >= 1 and "Pick 1" in designs.buttons
    for kind in driver.kinds:
        assert driver.send("ana", kind).text.strip(), f"no answer to a {kind}"


def test_the_shopper_identity_is_filled_in(driver: Driver) -> None:
    driver.say("ana", "/start")
    sender = driver.spy.seen[-1].sender  # type: ignore[attr-defined]
    assert sender.display_name
    assert sender.user.platform in ("terminal", "telegram", "discord", "web")
    assert sender.contact() != str(sender.user), "the contact is more than a chat key"


def test_a_slow_turn_shows_progress_within_a_second(driver: Driver) -> None:
    assert driver.progress_after("ana", "slow please") < 1.0


def test_lead_buttons_round_trip_and_the_owner_gets_a_usable_contact(driver: Driver) -> None:
    app = driver.app  # type: ignore[attr-defined]
    atelier = app.ateliers.get_atelier("at-lis-moonthread")
    owned = atelier.model_copy(update={"owner_chat_ids": driver.owner_chats("owner")})
    app.ateliers.upsert_ateliers([owned])
    driver.say("ana", "a sage green linen dress for a wedding, under 300, I'm in Lisbon")
    driver.press("ana", "Pick 1")
    found = driver.say("ana", "/ateliers")
    assert "Moonthread" in found.text
    consent = driver.press("ana", "Ask Atelier Moonthread")
    assert "contact" in consent.text.lower()
    queued = driver.press("ana", "Send")
    assert "Moonthread" in queued.text

    lead = driver.last("owner")
    assert "Accept" in lead.buttons and "Decline" in lead.buttons
    accepted = driver.press("owner", "Accept")
    shopper = driver.spy.seen[0].sender  # type: ignore[attr-defined]
    assert shopper.contact() in accepted.text, "the owner gets the contact the shopper saw"
    assert driver.settled("owner"), "the answered lead lost its buttons"
    news = driver.last("ana")
    assert "accepted" in news.text and "hello@moonthread.example" in news.text


def test_an_old_button_after_a_restart_works_or_says_it_expired(driver: Driver) -> None:
    stale = driver.say("ana", "yellow summer dress under 60").buttons["Pick 1"]
    current = driver.say("ana", "make it blue").buttons["Pick 2"]
    driver.restart()
    assert "Lovely choice" in driver.press_id("ana", current).text
    assert driver.press_id("ana", stale).text.startswith(texts.STALE_BUTTON)
