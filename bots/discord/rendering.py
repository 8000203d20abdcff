"""A platform-neutral Reply laid out the Discord way, as plain data (no network here).

Layout of one reply, top to bottom:

1. the reply's words, split at Discord's 2,000 characters; the designs are attached
   to the last of these messages as image files, ten at most per message (more go on
   in messages of their own), each with its caption as alt text;
2. the products and ateliers as embeds, ten per message (the first ten under the words
   when no designs are attached there): a product with its photo, price, brand and one
   line of why, and a link button "Open in shop · n" under the message; an atelier with
   where it is, its price range, time and rating;
3. the choices as buttons on the last message, after its shop links; when they do not
   fit beside the links (25 buttons, 5 rows) they get a message of their own.

A stored image (a design, a product thumbnail) is uploaded with its message; a product
photo on the web is shown from its address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import discord

from stylegenie.bots.kit.layout import clip, money, split_text
from stylegenie.core.reply import AtelierCard, Choice, ProductCard, Reply

from .buttons import LABEL_LIMIT, choices_beside

MESSAGE_LIMIT = 2000
FILES_PER_MESSAGE = 10
EMBEDS_PER_MESSAGE = 10
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
CARD_COLOUR = discord.Colour(0x8E7CC3)


@dataclass(frozen=True)
class Picture:
    """An image uploaded with a message: its ImageStore reference, the file name it gets
    on Discord (embeds show it as ``attachment://<name>``) and its alt text."""

    ref: str
    filename: str
    description: str = ""


@dataclass
class Outgoing:
    """One Discord message to send: words, uploaded pictures, embeds, shop links and the
    core's choices as buttons."""

    content: str = ""
    pictures: list[Picture] = field(default_factory=list)
    embeds: list[discord.Embed] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(label, address) of each link button."""
    choices: list[Choice] = field(default_factory=list)


def is_url(ref: str) -> bool:
    """Whether an image reference is a web address Discord can show itself."""
    return ref.startswith(("https://", "http://"))


def upload_name(stem: str, ref: str) -> str:
    """A file name Discord accepts in ``attachment://``: the stem and the ref's extension."""
    suffix = PurePosixPath(ref.replace("\\", "/").split("?")[0]).suffix.lower()
    return f"{stem}{suffix if suffix[1:].isalnum() else '.png'}"


def product_embed(number: int, card: ProductCard) -> tuple[discord.Embed, Picture | None]:
    """A product's embed (title linking to the shop, price, brand, why, photo) and the
    picture to upload with it when its photo is a stored one."""
    url = card.url if is_url(card.url) else None
    embed = discord.Embed(
        title=clip(f"{number}. {card.name}", TITLE_LIMIT),
        url=url,
        description=clip(card.why, DESCRIPTION_LIMIT) or None,
        colour=CARD_COLOUR,
    )
    embed.add_field(name="Price", value=money(card.price, card.currency))
    if card.brand:
        embed.add_field(name="Brand", value=clip(card.brand, FIELD_LIMIT))
    picture = None
    if card.image_ref and is_url(card.image_ref):
        embed.set_image(url=card.image_ref)
    elif card.image_ref:
        picture = Picture(card.image_ref, upload_name(f"product-{number}", card.image_ref))
        embed.set_image(url=f"attachment://{picture.filename}")
    return embed, picture


def atelier_embed(number: int, card: AtelierCard) -> discord.Embed:
    """An atelier's embed: where it is, what it costs, how long it takes, its rating, why."""
    distance = f" ({card.distance_km:.0f} km)" if card.distance_km is not None else ""
    embed = discord.Embed(
        title=clip(f"{number}. {card.name}", TITLE_LIMIT),
        description=clip(card.why, DESCRIPTION_LIMIT) or None,
        colour=CARD_COLOUR,
    )
    embed.add_field(name="Where", value=clip(f"{card.city}{distance}", FIELD_LIMIT))
    embed.add_field(name="Price range", value=clip(card.price_range, FIELD_LIMIT) or "—")
    embed.add_field(name="Time", value=f"~{card.lead_time_days} days")
    embed.add_field(name="Rating", value=f"★{card.rating:.1f}")
    return embed


def lay_out(reply: Reply) -> list[Outgoing]:
    """The reply as the Discord messages to send, in order (never none)."""
    messages = [Outgoing(content=chunk) for chunk in split_text(reply.text, MESSAGE_LIMIT)]
    designs = [
        Picture(image.ref, upload_name(f"design-{n}", image.ref), clip(image.caption, 1024))
        for n, image in enumerate(reply.images, 1)
    ]
    messages[-1].pictures = designs[:FILES_PER_MESSAGE]
    for start in range(FILES_PER_MESSAGE, len(designs), FILES_PER_MESSAGE):
        messages.append(Outgoing(pictures=designs[start : start + FILES_PER_MESSAGE]))
    cards = _card_messages(reply)
    if cards and not messages[-1].pictures:
        first = cards.pop(0)
        first.content = messages.pop().content
        messages.append(first)
    messages += cards
    return _with_choices(messages, reply.choices)


def _card_messages(reply: Reply) -> list[Outgoing]:
    """Products, then ateliers, as embeds ten to a message, shop links under each."""
    cards: list[tuple[discord.Embed, Picture | None, tuple[str, str] | None]] = []
    for number, product in enumerate(reply.products, 1):
        embed, picture = product_embed(number, product)
        label = clip(f"Open in shop · {number}. {product.name}", LABEL_LIMIT)
        cards.append((embed, picture, (label, product.url) if is_url(product.url) else None))
    for number, atelier in enumerate(reply.ateliers, 1):
        cards.append((atelier_embed(number, atelier), None, None))
    messages = []
    for start in range(0, len(cards), EMBEDS_PER_MESSAGE):
        batch = cards[start : start + EMBEDS_PER_MESSAGE]
        messages.append(
            Outgoing(
                embeds=[embed for embed, _, _ in batch],
                pictures=[picture for _, picture, _ in batch if picture],
                links=[link for _, _, link in batch if link],
            )
        )
    return messages


def _with_choices(messages: list[Outgoing], choices: list[Choice]) -> list[Outgoing]:
    """The choices on the last message, or on one of their own when they do not fit there."""
    if not choices:
        return messages
    if len(choices) <= choices_beside(len(messages[-1].links)):
        messages[-1].choices = list(choices)
    else:
        messages.append(Outgoing(content="…", choices=list(choices)))
    return messages
