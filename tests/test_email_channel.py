"""The e-mail channel against a real SMTP server on 127.0.0.1 (aiosmtpd), and leads by e-mail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from PIL import Image

from stylegenie.adapters.email_channel import EmailChannel, MailFailed
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.postgres.database import Database
from stylegenie.config.settings import EmailSettings
from stylegenie.core import lead_messages as say
from stylegenie.core.domain import LeadStatus
from stylegenie.core.ports import Unreachable
from stylegenie.core.reply import ImageRef, Reply
from tests.fakes.leads import SHOPPER, LeadWorld, atelier, design, lead_world
from tests.fakes.threaded import free_port

FROM = "leads@stylegenie.example"


class Mailbox:
    """An aiosmtpd handler that keeps every message and refuses some recipients."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mails.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def images(tmp_path: Path) -> LocalImageStore:
    return LocalImageStore(tmp_path / "images")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def channel(port: int, images: LocalImageStore | None = None) -> EmailChannel:
    settings = EmailSettings(host="127.0.0.1", port=port, from_address=FROM, starttls=False)
    return EmailChannel(settings, images.open if images else None)


def test_a_reply_arrives_as_a_mail_with_its_image_and_a_stable_message_id(
    mailbox: tuple[Mailbox, int], images: LocalImageStore
) -> None:
    box, port = mailbox
    picture = png()
    ref = images.put("design.png", picture)
    reply = Reply(text="New request: a green dress\nBudget: under 200", images=[ImageRef(ref=ref)])
    message_id = channel(port, images).deliver("hello@atelier.example", reply, "k" * 32)
    [mail] = box.mails
    assert message_id == f"<{'k' * 32}@stylegenie.example>" == mail["Message-ID"]
    assert (mail["To"], mail["From"]) == ("hello@atelier.example", FROM)
    assert mail["Subject"] == "New request: a green dress"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "Budget: under 200" in body.get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "image/png" and attachment.get_content() == picture


def test_a_refused_address_is_unreachable_and_a_missing_server_is_worth_retrying(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    box.refused.add("gone@atelier.example")
    with pytest.raises(Unreachable) as refused:
        channel(port).deliver("gone@atelier.example", Reply(text="hi"), "k")
    assert "gone@" not in str(refused.value)
    with pytest.raises(MailFailed):
        channel(free_port()).deliver("hello@atelier.example", Reply(text="hi"), "k")
    assert not box.mails


@pytest.fixture
def world(
    pg_url: str, mailbox: tuple[Mailbox, int], images: LocalImageStore
) -> Iterator[LeadWorld]:
    with Database(pg_url, pool_max=10) as db:
        db.apply_migrations()
        world = lead_world(db)
        world.hub.register("email", channel(mailbox[1], images))
        world.repo.upsert_ateliers(
            [
                atelier("mailonly", owner_chat_ids={}, contact="hello@mailonly.example"),
                atelier("gone", owner_chat_ids={}, contact="gone@atelier.example"),
            ]
        )
        world.desk.run_outbox()  # e-mail is live from now on
        yield world


def test_an_atelier_reachable_only_by_e_mail_gets_the_design_and_the_contact(
    world: LeadWorld, mailbox: tuple[Mailbox, int], images: LocalImageStore
) -> None:
    box, _ = mailbox
    picture = png()
    mailonly = world.repo.get_atelier("mailonly")
    assert mailonly is not None and world.desk.route(mailonly) == "email"
    world.submit("mailonly", made=design(image_ref=images.put("d.png", picture)))
    assert world.desk.run_outbox().delivered == 1
    [mail] = box.mails
    assert mail["To"] == "hello@mailonly.example"
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "green dress" in text and "Ana (@ana) https://t.me/ana" in text
    assert [a.get_content() for a in mail.iter_attachments()] == [picture]
    [lead] = world.leads.leads_for_user(SHOPPER)
    assert lead.status is LeadStatus.SENT
    assert world.news() == [say.DELIVERED_BY_EMAIL.format(atelier="Atelier mailonly")]


def test_a_refused_atelier_address_is_undeliverable_and_never_logged(
    world: LeadWorld, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    mailbox[0].refused.add("gone@atelier.example")
    with caplog.at_level(logging.DEBUG):
        world.submit("gone")
        assert world.desk.run_outbox().undeliverable == 1
    assert world.news()[0].startswith(say.UNDELIVERABLE.format(atelier="Atelier gone"))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("stylegenie"))
    assert "can't receive it" in ours, "the failure is logged..."
    assert "gone@" not in ours and "@atelier" not in ours, "...without the address"
