"""Buttons that outlive the bot: the core's choices as dynamic items, and shop links.

A choice button's ``custom_id`` is ``sg:<user id>:<choice id>``: whose conversation the
message belongs to, and the core's choice. ``ChoiceButton`` is registered with the
client at start (``add_dynamic_items``), so discord.py rebuilds it from the id of any
press, on a message from before a restart too, and hands the press to the client's
``press``. Views go out stopped: a view kept in discord.py's store would answer a press
a second time beside the dynamic item, and keep every message's view in memory.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, cast

import discord

from stylegenie.bots.kit.layout import clip
from stylegenie.core.reply import Choice

log = logging.getLogger(__name__)

CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
ROW_WIDTH = 5
ROWS = 5
TEMPLATE = re.compile(r"sg:(?P<user>[0-9]{1,20}):(?P<choice>.+)", re.DOTALL)
STYLES = {
    "lead-accept": discord.ButtonStyle.success,
    "lead-send": discord.ButtonStyle.success,
    "relead-send": discord.ButtonStyle.success,
    "lead-decline": discord.ButtonStyle.danger,
}
"""Colours of the buttons that answer or send a lead; every other choice is grey."""


def custom_id(owner_id: int, choice_id: str) -> str:
    """The button id of a choice in ``owner_id``'s conversation."""
    return f"sg:{owner_id}:{choice_id}"


def fits(owner_id: int, choice_id: str) -> bool:
    """Whether Discord takes the button id (1-100 characters)."""
    return bool(choice_id) and len(custom_id(owner_id, choice_id)) <= CUSTOM_ID_LIMIT


def choices_beside(links: int) -> int:
    """How many choice buttons fit on a message under ``links`` link buttons (a row each
    five, choices starting on a row of their own)."""
    return max(0, ROWS - -(-links // ROW_WIDTH)) * ROW_WIDTH


class ButtonHost(Protocol):
    """The client a pressed choice button hands its press to."""

    async def press(self, interaction: discord.Interaction, owner_id: int, choice_id: str) -> None:
        """Answer a press of ``choice_id`` on a message of ``owner_id``'s conversation."""
        ...


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """One of the core's choices, pressable for as long as the message exists."""

    def __init__(self, owner_id: int, choice_id: str, label: str, row: int | None = None) -> None:
        action = choice_id.partition(":")[0]
        super().__init__(
            discord.ui.Button(
                label=clip(label, LABEL_LIMIT),
                custom_id=custom_id(owner_id, choice_id),
                style=STYLES.get(action, discord.ButtonStyle.secondary),
            ),
            row=row,
        )
        self.owner_id = owner_id
        self.choice_id = choice_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChoiceButton:
        """The button rebuilt from a press (discord.py calls this)."""
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["user"]), match["choice"], label or match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the press to the client."""
        await cast(ButtonHost, interaction.client).press(
            interaction, self.owner_id, self.choice_id
        )


def view_for(
    owner_id: int, links: list[tuple[str, str]], choices: list[Choice]
) -> discord.ui.View | None:
    """Link buttons, then choice buttons on rows of their own; None when there are none.

    A choice whose id would make the button id too long, or that finds no room, is left
    out and logged: a cut id would route the press to the wrong place.
    """
    if not links and not choices:
        return None
    view = discord.ui.View(timeout=None)
    for n, (label, url) in enumerate(links[: ROWS * ROW_WIDTH]):
        view.add_item(discord.ui.Button(label=label, url=url, row=n // ROW_WIDTH))
    first_row = -(-min(len(links), ROWS * ROW_WIDTH) // ROW_WIDTH)
    room = choices_beside(len(links))
    fitting = [choice for choice in choices if fits(owner_id, choice.id)]
    for skipped in [c for c in choices if c not in fitting] + fitting[room:]:
        log.warning("a choice was left off a Discord message: %r", skipped.id[:80])
    for n, choice in enumerate(fitting[:room]):
        view.add_item(ChoiceButton(owner_id, choice.id, choice.label, first_row + n // ROW_WIDTH))
    view.stop()
    return view
