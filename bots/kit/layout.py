"""A Reply laid out as plain text: the words, then numbered products and ateliers.

Telegram puts this text under its photo albums and above its buttons; the terminal
prints it with image paths and buttons (``plain_reply``); every text surface reads the
same lines. ``clip`` and ``split_text`` fit words to a platform's message limits, counted
the platform's way (characters by default).
"""

from __future__ import annotations

from collections.abc import Callable

from stylegenie.core.reply import AtelierCard, Choice, ProductCard, Reply

Measure = Callable[[str], int]
"""How a platform counts a text's length (Discord: characters; Telegram: UTF-16 units)."""


def _prefix_within(text: str, limit: int, measure: Measure) -> int:
    """The largest n such that ``text[:n]`` measures at most ``limit``."""
    n = min(len(text), limit)
    while (excess := measure(text[:n]) - limit) > 0:
        n -= excess
    return n


def clip(text: str, limit: int, measure: Measure = len) -> str:
    """Text cut to ``limit``, with an ellipsis when something was cut."""
    if measure(text) <= limit:
        return text
    return text[: _prefix_within(text, limit - 1, measure)].rstrip() + "…"


def split_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Text in messages of at most ``limit``, cut at paragraphs, lines or spaces ("…" for
    an empty text)."""
    chunks: list[str] = []
    rest = text.strip()
    while measure(rest) > limit:
        window = rest[: _prefix_within(rest, limit, measure)]
        cut = next(
            (i for sep in ("\n\n", "\n", " ") if (i := window.rfind(sep)) > len(window) // 2),
            len(window),
        )
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest)
    return [chunk for chunk in chunks if chunk] or ["…"]


def money(price: float, currency: str) -> str:
    """``89.0, "EUR"`` -> ``"89 EUR"``; ``89.5`` -> ``"89.50 EUR"``."""
    return f"{price:,.2f}".removesuffix(".00") + f" {currency}"


def product_line(number: int, card: ProductCard) -> str:
    """One product of the numbered list: name, brand, price and why on the next line."""
    brand = f" by {card.brand}" if card.brand else ""
    why = f"\n   {card.why}" if card.why else ""
    return f"{number}. {card.name}{brand} — {money(card.price, card.currency)}{why}"


def atelier_line(number: int, card: AtelierCard) -> str:
    """One atelier of the numbered list: where, what it costs, how long, rating and why."""
    distance = f", {card.distance_km:.0f} km" if card.distance_km is not None else ""
    why = f"\n   {card.why}" if card.why else ""
    return (
        f"{number}. {card.name} — {card.city}{distance} · {card.price_range} · "
        f"~{card.lead_time_days} days · ★{card.rating:.1f}{why}"
    )


def reply_text(reply: Reply) -> str:
    """The reply's words followed by its product and atelier lists."""
    parts = [reply.text.strip()]
    if reply.products:
        parts.append("\n".join(product_line(n, c) for n, c in enumerate(reply.products, 1)))
    if reply.ateliers:
        parts.append("\n".join(atelier_line(n, c) for n, c in enumerate(reply.ateliers, 1)))
    return "\n\n".join(part for part in parts if part)


def button_line(choices: list[Choice]) -> str:
    """Buttons as "[1] Pick 1  [2] Show products" (a typed number presses one)."""
    return "  ".join(f"[{n}] {choice.label}" for n, choice in enumerate(choices, start=1))


def plain_reply(reply: Reply) -> str:
    """The whole reply for a text-only surface: images as paths, shop links, buttons."""
    lines = [reply_text(reply)]
    lines += [f"  [image] {image.ref}  ({image.caption})" for image in reply.images]
    lines += [f"  [shop {n}] {card.url}" for n, card in enumerate(reply.products, 1) if card.url]
    if reply.choices:
        lines.append(f"  buttons: {button_line(reply.choices)}")
    return "\n".join(lines)
