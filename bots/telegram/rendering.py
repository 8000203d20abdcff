"""A platform-neutral Reply laid out the Telegram way, as plain data (no network here).

Layout of one reply, top to bottom:

1. designs as one album (``sendMediaGroup``; a single image is a ``sendPhoto``);
2. product photos as one album, each captioned with number, name, price and why;
3. the text: the reply's words, then a numbered compact list of products and ateliers
   (the kit's neutral layout, ``bots.kit.layout.reply_text``); under it one inline
   keyboard: an "Open in shop" URL button per product, then the
   choices (``callback_data`` = the choice id).

Products are an album plus a compact list rather than one photo message each: an album
item cannot carry a button, N photo messages cost N requests under Telegram's flood
limits, and the choice buttons would end up far above the last card. Products without a
photo appear in the list only. Telegram counts text limits in UTF-16 code units.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from stylegenie.bots.kit import layout
from stylegenie.bots.kit.layout import money
from stylegenie.core.reply import Choice, ProductCard, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
"""Bytes of UTF-8 Telegram accepts in ``callback_data``."""
LABEL_LIMIT = 40
ROW_CHARS = 28
ROW_BUTTONS = 4


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` UTF-16 units, with an ellipsis when something was cut."""
    return layout.clip(text, limit, tg_len)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Text in messages of at most ``limit`` units, cut at paragraphs, lines or spaces."""
    return layout.split_text(text, limit, tg_len)


def product_caption(number: int, card: ProductCard) -> str:
    """The caption under a product photo: number, name, price and why."""
    why = f"\n{card.why}" if card.why else ""
    return clip(f"{number}. {card.name} — {money(card.price, card.currency)}{why}", CAPTION_LIMIT)


def fits_callback(choice_id: str) -> bool:
    """Whether Telegram accepts the id as ``callback_data`` (1-64 bytes of UTF-8)."""
    return 0 < len(choice_id.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def _rows(buttons: Iterable[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Buttons packed into rows of short labels, keeping their order."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        if (
            row is not None
            and len(row) < ROW_BUTTONS
            and sum(len(b.text) for b in row) + len(button.text) <= ROW_CHARS
        ):
            row.append(button)
        else:
            rows.append([button])
    return rows


def choice_buttons(choices: Iterable[Choice]) -> list[InlineKeyboardButton]:
    """One callback button per choice; an id too long for Telegram is left out and logged.

    A cut id would route the press to the wrong place, so it is refused instead.
    """
    buttons = []
    for choice in choices:
        if not fits_callback(choice.id):
            log.warning("choice id too long for a Telegram button, left out: %r", choice.id[:80])
            continue
        buttons.append(
            InlineKeyboardButton(clip(choice.label, LABEL_LIMIT), callback_data=choice.id)
        )
    return buttons


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Shop links, one row each, then the choices; None when there is nothing to press."""
    rows = [
        [InlineKeyboardButton(clip(f"Open in shop · {n}. {card.name}", LABEL_LIMIT), url=card.url)]
        for n, card in enumerate(reply.products, 1)
        if card.url.startswith(("https://", "http://"))
    ]
    rows += _rows(choice_buttons(reply.choices))
    return InlineKeyboardMarkup(rows) if rows else None
