"""The commands every front-end offers, with the descriptions clients show in their menus.

Telegram registers them with ``setMyCommands``, Discord as slash commands, the terminal
and the web read them for /help. The engine answers exactly these names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name (without the slash), what it does, and an example argument."""

    name: str
    description: str
    example: str = ""
    owners: bool = False
    """Meant for atelier owners (everyone may send it; it answers plainly when not an owner)."""


COMMANDS: tuple[Command, ...] = (
    Command("start", "Start a new design conversation"),
    Command("help", "What I can do"),
    Command("new", "Start over"),
    Command("saved", "Your saved designs"),
    Command("save", "Save the design you picked"),
    Command("prefs", "Your size, city and style", "size M, Lisbon"),
    Command("budget", "Set a budget", "80"),
    Command("products", "Shop items like your design"),
    Command("ateliers", "Ateliers that can make your design"),
    Command("cancel", "Drop the current request"),
    Command("leads", "Open requests for your atelier (owners)", owners=True),
)

COMMAND_NAMES = frozenset(command.name for command in COMMANDS)


def command_lines(*, owners: bool) -> list[str]:
    """One "/name — description" line per command, the owners' only when ``owners``."""
    return [
        f"/{c.name}{' ' + c.example if c.example else ''} — {c.description}"
        for c in COMMANDS
        if owners or not c.owners
    ]
