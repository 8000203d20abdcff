"""What the chat API takes and gives: a turn's request, the reply with image URLs, the inbox."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator, model_validator

from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import AtelierCard, Choice, ProductCard, Reply

from .routes.images import image_url

DEFAULT_NAME = "Web shopper"
"""What an atelier owner calls a shopper who gave no name."""
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ChatRequest(BaseModel):
    """One turn: ``message`` (words; a photo's caption) or ``choice`` (a button's id).

    ``session_id`` names the conversation for an API key; a session token names its own.
    ``message_id`` is the inbox message whose button was pressed, if it came from there.
    ``name`` and ``contact`` (an e-mail address) are what an atelier gets if the shopper
    asks one to make a design.
    """

    session_id: str | None = None
    message: str | None = None
    choice: str | None = Field(default=None, min_length=1, max_length=200)
    message_id: int | None = None
    name: str | None = Field(default=None, max_length=80)
    contact: str | None = Field(default=None, max_length=254)

    @field_validator("name", "contact")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("contact")
    @classmethod
    def _an_email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError("an e-mail address like ana@example.com is needed")
        return value

    @model_validator(mode="after")
    def _words_or_button(self) -> ChatRequest:
        if (self.message is None) == (self.choice is None):
            raise ValueError("send either 'message' (words) or 'choice' (a button's id)")
        return self

    def incoming(self, chat: ChatKey, photo_ref: str | None = None) -> Incoming:
        """The core's event: a stored photo with its caption, a button press, or words;
        from the person at the page (the name they gave and their e-mail address)."""
        name, words = self.name or DEFAULT_NAME, self.message or ""
        sender = Sender(user=chat, display_name=name, handle=self.contact or "")
        if photo_ref is not None:
            return Incoming(kind=MessageKind.PHOTO, sender=sender, text=words, image_ref=photo_ref)
        if self.choice is not None:
            return Incoming.choice(self.choice, sender)
        return Incoming.from_text(words, sender)


class ImageView(BaseModel):
    """An image of the reply (a design, a photo) and its caption."""

    url: str
    caption: str = ""


class ProductView(ProductCard):
    """A product card with its photo's URL (the store reference is not shown)."""

    image_ref: str | None = Field(default=None, exclude=True)
    image_url: str | None = None


class ReplyView(BaseModel):
    """The core's Reply with every image reference turned into a URL."""

    text: str
    images: list[ImageView] = []
    products: list[ProductView] = []
    ateliers: list[AtelierCard] = []
    choices: list[Choice] = []
    pressed_outcome: str | None = None

    @classmethod
    def of(cls, reply: Reply, images: ImageStore) -> ReplyView:
        """The view of a Reply, its image URLs made now by ``images``."""
        return cls(
            text=reply.text,
            images=[
                ImageView(url=image_url(i.ref, images) or "", caption=i.caption)
                for i in reply.images
            ],
            products=[
                ProductView(**card.model_dump(), image_url=image_url(card.image_ref, images))
                for card in reply.products
            ],
            ateliers=reply.ateliers,
            choices=reply.choices,
            pressed_outcome=reply.pressed_outcome,
        )


class InboxEntry(BaseModel):
    """A message sent outside a turn; ``outcome`` once it was answered (no buttons then)."""

    id: int
    reply: ReplyView
    outcome: str | None = None


class InboxView(BaseModel):
    """Messages new or answered since ``after``; ask next time with the ``after`` given."""

    messages: list[InboxEntry]
    after: int
