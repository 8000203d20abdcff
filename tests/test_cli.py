"""The stylegenie command: subcommands, settings errors, and the demo script's whole journey."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from stylegenie.bots.cli import build_parser, main
from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.terminal import TerminalChat, find_choice
from stylegenie.config import SettingsError, load_settings
from stylegenie.core.reply import Choice

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.txt"


def test_help_lists_every_capability() -> None:
    text = build_parser().format_help()
    for command in ("chat", "catalog", "ateliers", "search", "worker"):
        assert command in text


def test_a_wrong_setting_stops_start_up_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STYLEGENIE_WORKERS__MODE", "turbo")
    assert main(["chat"]) == 2
    message = capsys.readouterr().err
    assert "STYLEGENIE_WORKERS__MODE" in message and "'eager' or 'celery'" in message
    monkeypatch.setenv("STYLEGENIE_WORKERS__MODE", "eager")
    monkeypatch.setenv("STYLEGENIE_RANKING__ALPHA", "-1")
    with pytest.raises(SettingsError, match="STYLEGENIE_RANKING__ALPHA"):
        load_settings()


def test_buttons_are_found_by_id_number_or_label() -> None:
    choices = [Choice(id="pick:d-1", label="Pick 1"), Choice(id="products", label="Show products")]
    assert find_choice(choices, "products") == choices[1]
    assert find_choice(choices, "1") == choices[0]
    assert find_choice(choices, "show products") == choices[1]
    assert find_choice(choices, "3") is None and find_choice(choices, "nothing") is None


def test_the_demo_script_shows_the_whole_journey(make_app: Any) -> None:
    out = io.StringIO()
    app = make_app()
    chat = TerminalChat(
        app.engine, "demo", out, pacing=Pacing(message_after_s=1.0), leads=app.lead_wiring()
    )
    chat.start()
    chat.replay(DEMO.read_text().splitlines())
    chat.close()
    transcript = out.getvalue()
    assert "What should it be" in transcript
    assert transcript.count("[image]") >= 6
    assert "Products like your design, under 120" in transcript
    assert re.search(r" — \d+ EUR\n", transcript), "product lines show their prices"
    assert "Ateliers that can make your dress near Lisbon" in transcript
    assert "If Atelier Moonthread (fictional) accepts, they'll get your contact: demo" in transcript
    assert "Your request is on its way to Atelier Moonthread" in transcript
    assert "[to owner-moonthread] New request for Atelier Moonthread" in transcript
    assert "[to demo] Atelier Moonthread (fictional) has your request" in transcript
    assert "Accepted. The shopper's contact: demo." in transcript
    assert "[to demo] Good news: Atelier Moonthread (fictional) accepted" in transcript
    assert "hello@moonthread.example" in transcript
    assert "no button" not in transcript


def test_with_an_llm_configured_the_parser_is_its_fallback() -> None:
    from stylegenie.adapters.llm_reader import FallbackBriefReader
    from stylegenie.bots.wiring import brief_reader_for
    from stylegenie.config import Settings
    from stylegenie.core.understanding.rules import RuleBasedBriefReader
    from stylegenie.core.understanding.turn import TurnContext

    assert isinstance(brief_reader_for(Settings()), RuleBasedBriefReader)
    unreachable = Settings(llm={"model": "openai/none", "api_base": "http://127.0.0.1:9/v1",
                                "api_key": "x", "timeout_s": 0.5, "retries": 0})
    reader = brief_reader_for(unreachable)
    assert isinstance(reader, FallbackBriefReader)
    update = reader.read("red trainers under 60", TurnContext())
    [piece] = update.pieces
    assert (update.intent, piece.brief.colours, piece.brief.budget_max) == ("new", ["Red"], 60)
