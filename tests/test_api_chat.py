"""The web chat API end to end: sessions, turns as JSON and as server-sent events, photos,
the inbox of messages sent outside a turn, and old buttons.

Every test runs the real app (PostgreSQL, Milvus Lite, MiniLM, the real engine) behind the
FastAPI app, in-process through httpx (``api_client``) or served by uvicorn
(``RunningApi``) where turns run side by side.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from stylegenie.bots.api.inbox import WebChannel
from stylegenie.bots.api.routes.chat import NOT_A_PHOTO
from stylegenie.bots.kit.turns import APOLOGY, TurnEngine
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.ports import Unreachable
from stylegenie.core.progress import ProgressCallback
from stylegenie.core.reply import Choice, Reply
from tests.fakes.api import RunningApi, api_client, api_key
from tests.fakes.engines import Spy
from tests.fakes.frontends import photograph_products
from tests.fakes.telegram_bot import png

CHAT = "/api/v1/chat"


def session(client: TestClient | httpx.Client) -> tuple[str, dict[str, str]]:
    """A new web session: its id and the headers that carry its token."""
    opened = client.post(f"{CHAT}/sessions")
    assert opened.status_code == 201, opened.text
    body = opened.json()
    return body["session_id"], {"Authorization": f"Bearer {body['token']}"}


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """The server-sent events of a response: (event, decoded data), in order."""
    found = []
    for block in response.text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        found.append((fields["event"], json.loads(fields["data"])))
    return found


def say(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """One JSON turn; its reply."""
    response = client.post(CHAT, json=body, headers=headers)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def button(reply: dict[str, Any], label: str) -> str:
    """The id of the reply's button with this label."""
    return next(c["id"] for c in reply["choices"] if c["label"] == label)


def test_sessions_open_without_a_key_are_limited_per_address_and_tokens_are_checked(
    make_app: Any,
) -> None:
    app = make_app(api={"sessions_per_minute": 2})
    with api_client(app) as client:
        _, headers = session(client)
        session(client)
        refused = client.post(f"{CHAT}/sessions")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.headers["content-type"] == "application/problem+json"

        assert client.get(f"{CHAT}/inbox", headers=headers).json()["messages"] == []
        forged = {"Authorization": "Bearer s123.not-signed-here"}
        bad = client.post(CHAT, json={"message": "hi"}, headers=forged)
        assert bad.status_code == 401 and "open a new session" in bad.json()["detail"]
        assert client.post(CHAT, json={"message": "hi"}).status_code == 401

        keyed = {"X-API-Key": api_key(app)}
        missing = client.post(CHAT, json={"message": "hi"}, headers=keyed)
        assert missing.status_code == 422 and "session_id" in missing.json()["detail"]
        assert say(client, keyed, session_id="shop-7", message="hi")["text"]
        both = client.post(CHAT, json={"message": "hi", "choice": "more"}, headers=headers)
        assert both.status_code == 422 and "either" in both.json()["detail"]
        email = client.post(CHAT, json={"message": "hi", "contact": "nope"}, headers=headers)
        assert email.status_code == 422 and "contact" in email.json()["detail"]

        documented = client.get("/openapi.json").json()["paths"][CHAT]["post"]
        assert {"application/json", "multipart/form-data"} <= set(
            documented["requestBody"]["content"]
        )


def test_a_whole_turn_as_json_then_streamed_with_progress(make_app: Any) -> None:
    app = make_app()
    photograph_products(app)
    spy = Spy(app.engine)
    with api_client(app, spy) as client:
        _, headers = session(client)
        assert say(client, headers, message="")["text"].strip(), "an empty message is answered"
        designs = say(
            client, headers, message="red linen shirt under 50", name="Ana", contact="a@b.example"
        )
        assert len(designs["images"]) >= 1 and "Pick 1" in [c["label"] for c in designs["choices"]]
        image = client.get(designs["images"][0]["url"])
        assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
        sender = spy.seen[-1].sender
        assert sender.user.platform == "web" and sender.contact() == "Ana (a@b.example)"

        stream_headers = headers | {"Accept": "text/event-stream"}
        body = {"choice": button(designs, "Pick 1")}
        picked = client.post(CHAT, json=body, headers=stream_headers)
        assert picked.headers["content-type"].startswith("text/event-stream")
        kinds = [kind for kind, _ in events(picked)]
        assert kinds[-1] == "reply" and kinds.count("reply") == 1
        reply = events(picked)[-1][1]
        assert "Lovely choice" in reply["text"]

        shown = client.post(CHAT, json={"choice": "products"}, headers=stream_headers)
        progress = [data for kind, data in events(shown) if kind == "progress"]
        assert progress and progress[0]["activity"] in ("thinking", "searching")
        products = events(shown)[-1][1]["products"]
        assert products and all(p["price"] > 0 and p["currency"] for p in products)
        assert all("image_ref" not in p for p in products)
        photo = client.get(products[0]["image_url"])
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"


def test_a_photo_is_stored_and_answered_and_other_files_are_refused(make_app: Any) -> None:
    app = make_app()
    spy = Spy(app.engine)
    with api_client(app, spy) as client:
        _, headers = session(client)
        files = {"photo": ("look.png", png("navy"), "image/png")}
        answered = client.post(CHAT, files=files, data={"caption": "like this"}, headers=headers)
        assert answered.status_code == 200 and answered.json()["text"].strip()
        photo = spy.seen[-1]
        assert photo.kind is MessageKind.PHOTO and photo.text == "like this"
        assert photo.image_ref and Path(photo.image_ref).read_bytes() == png("navy")

        text = {"photo": ("notes.png", b"not a picture at all", "image/png")}
        refused = client.post(CHAT, files=text, headers=headers)
        assert refused.status_code == 422 and refused.json()["detail"] == NOT_A_PHOTO
        unnamed = {"x": ("look.png", png(), "image/png")}
        nothing = client.post(CHAT, data={"caption": "hi"}, files=unnamed, headers=headers)
        assert nothing.status_code == 422 and "photo" in nothing.json()["detail"]


def test_inbox_delivery_is_idempotent_and_settling_shows_the_outcome(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        mine, headers = session(client)
        _, other = session(client)
        channel = WebChannel(client.app.state.services.inbox)  # type: ignore[attr-defined]
        lead = Reply(text="A new request", choices=[Choice(id="lead-accept:x", label="Accept")])
        ref = channel.deliver(mine, lead, "lead-1:web")
        assert channel.deliver(mine, lead, "lead-1:web") == ref, "a retry is not sent twice"
        channel.deliver(mine, Reply(text="news"), "")
        channel.deliver(mine, Reply(text="news"), "")

        first = client.get(f"{CHAT}/inbox", headers=headers).json()
        assert [m["reply"]["text"] for m in first["messages"]] == ["A new request", "news", "news"]
        assert first["messages"][0]["id"] == int(ref) and first["messages"][0]["outcome"] is None
        assert client.get(f"{CHAT}/inbox", headers=other).json()["messages"] == []

        channel.settle(mine, ref, "✓ Accepted")
        channel.settle("someone-else", ref, "✗ Declined")
        later = client.get(f"{CHAT}/inbox", params={"after": first["after"]}, headers=headers)
        [settled] = later.json()["messages"]
        assert settled["id"] == int(ref) and settled["outcome"] == "✓ Accepted"
        with pytest.raises(Unreachable):
            channel.deliver("no such chat!", lead, "lead-2:web")
        cursor = {"after": later.json()["after"]}
        assert client.get(f"{CHAT}/inbox", params=cursor, headers=headers).json()["messages"] == []


def test_a_button_from_an_old_message_works_or_says_it_expired(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        _, headers = session(client)
        stale = button(say(client, headers, message="yellow summer dress under 60"), "Pick 1")
        current = button(say(client, headers, message="make it blue"), "Pick 2")
        assert say(client, headers, choice=stale)["text"].startswith(texts.STALE_BUTTON)
        assert "Lovely choice" in say(client, headers, choice=current)["text"]


class Failing:
    """The real engine, except that "boom" fails."""

    def __init__(self, inner: TurnEngine) -> None:
        self._inner = inner
        self.may_be_slow = inner.may_be_slow

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        """Fail on "boom"; otherwise as the engine says."""
        if incoming.text == "boom":
            raise RuntimeError("boom")
        return self._inner.handle(chat, incoming, progress)


def test_a_failed_turn_gets_the_apology_never_a_traceback(make_app: Any) -> None:
    app = make_app()
    with api_client(app, Failing(app.engine)) as client:
        _, headers = session(client)
        assert say(client, headers, message="boom")["text"] == APOLOGY
        streamed = client.post(
            CHAT, json={"message": "boom"}, headers=headers | {"Accept": "text/event-stream"}
        )
        kind, reply = events(streamed)[-1]
        assert kind == "reply" and reply["text"] == APOLOGY
        assert say(client, headers, message="/help")["text"] == texts.HELP


class Gated:
    """The real engine, with "wait for me" held until ``release`` is set; notes when each
    turn starts and ends, by chat."""

    def __init__(self, inner: TurnEngine) -> None:
        self._inner = inner
        self.may_be_slow = inner.may_be_slow
        self.release = threading.Event()
        self.entered = threading.Event()
        self.log: list[tuple[str, str, str]] = []

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        """Note the turn; hold "wait for me" until released."""
        what = incoming.command or incoming.text
        self.log.append(("start", chat.id, what))
        if what == "wait for me":
            self.entered.set()
            assert self.release.wait(30)
        reply = self._inner.handle(chat, incoming, progress)
        self.log.append(("end", chat.id, what))
        return reply


def test_one_chat_runs_its_turns_in_order_while_other_chats_go_on(make_app: Any) -> None:
    app = make_app()
    engine = Gated(app.engine)
    with RunningApi(app, engine) as api, httpx.Client(base_url=api.url, timeout=60) as http:
        slow_id, slow = session(http)
        _, quick = session(http)
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(http.post, CHAT, json={"message": "wait for me"}, headers=slow)
            assert engine.entered.wait(30)
            second = pool.submit(http.post, CHAT, json={"message": "/help"}, headers=slow)
            other = http.post(CHAT, json={"message": "/start"}, headers=quick)
            assert other.status_code == 200, "another chat is answered while the first waits"
            assert ("start", slow_id, "help") not in engine.log, "the chat's next turn waits"
            engine.release.set()
            assert first.result().status_code == second.result().status_code == 200
        mine = [(step, what) for step, chat, what in engine.log if chat == slow_id]
        assert mine == [
            ("start", "wait for me"),
            ("end", "wait for me"),
            ("start", "help"),
            ("end", "help"),
        ]
