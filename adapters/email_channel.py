"""The e-mail channel: leads to ateliers that take requests by e-mail, over SMTP (stdlib).

It serves the platform ``email``: the chat id is the atelier's address (decrypted from
its contact only for the send). A message is the Reply's text, with its images attached
when the image store can open them; its Message-ID comes from the idempotency key, so a
resent lead is recognisably the same mail. A refused recipient is ``Unreachable``; any
other failure is worth retrying. Errors never carry the address onward, and nothing is
logged here.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate

from stylegenie.config.settings import EmailSettings
from stylegenie.core.ports import Unreachable
from stylegenie.core.reply import Reply

SUBJECT_CHARS = 120

ImageOpener = Callable[[str], bytes]
"""Reads an image by its ImageStore reference (``ImageStore.open``)."""

_KINDS = (
    (b"\x89PNG", "png"),
    (b"\xff\xd8", "jpeg"),
    (b"GIF8", "gif"),
)


class MailFailed(Exception):
    """The mail server did not take the message this time (worth retrying)."""


def _image_kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in _KINDS if data.startswith(magic)), None)


class EmailChannel:
    """A Channel that sends each Reply as one e-mail through the configured SMTP server."""

    def __init__(
        self,
        settings: EmailSettings,
        open_image: ImageOpener | None = None,
        smtp: Callable[..., smtplib.SMTP] = smtplib.SMTP,
    ) -> None:
        if not settings.configured:
            raise ValueError("the e-mail channel needs EMAIL__HOST and EMAIL__FROM_ADDRESS")
        self._settings = settings
        self._open_image = open_image
        self._smtp = smtp

    def message(self, to: str, reply: Reply, idempotency_key: str) -> EmailMessage:
        """The e-mail for ``reply``: its first line as subject, its text, its images."""
        sender = self._settings.from_address or ""
        domain = sender.rpartition("@")[2] or "stylegenie.invalid"
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = to
        mail["Subject"] = reply.text.splitlines()[0][:SUBJECT_CHARS] if reply.text else "StyleGenie"
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        if idempotency_key:
            mail["Message-ID"] = f"<{idempotency_key}@{domain}>"
        mail.set_content(reply.text)
        for number, image in enumerate(reply.images, start=1):
            data = self._image(image.ref)
            kind = _image_kind(data) if data else None
            if data and kind:
                mail.add_attachment(
                    data, maintype="image", subtype=kind, filename=f"design-{number}.{kind}"
                )
        return mail

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Send the e-mail; its Message-ID once the server accepted it."""
        mail = self.message(chat_id, reply, idempotency_key)
        try:
            self._send(mail)
        except smtplib.SMTPRecipientsRefused as error:
            if all(500 <= code < 600 for code, _ in error.recipients.values()):
                raise Unreachable("the atelier's e-mail address was refused") from None
            raise MailFailed("the mail server asked to try the address later") from None
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise Unreachable("the mail server refused the message for good") from None
            raise MailFailed(f"the mail server answered {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailFailed(
                f"the mail server could not take it ({type(error).__name__})"
            ) from None
        return str(mail["Message-ID"] or "")

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """A sent e-mail cannot be edited: nothing to do."""

    def _send(self, mail: EmailMessage) -> None:
        settings = self._settings
        with self._smtp(settings.host or "", settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.username, password)
            smtp.send_message(mail)

    def _image(self, ref: str) -> bytes | None:
        if self._open_image is None:
            return None
        try:
            return self._open_image(ref)
        except Exception:
            return None
