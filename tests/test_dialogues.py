"""Scored shopper dialogues replayed through the terminal's JSON-lines transcript.

``tests/dialogues/*.jsonl`` are our own dialogues (every check must pass); the shared
development dialogues (``../shared/data/eval/dev_dialogues.jsonl``) must score at least
0.95, as ``../shared/eval/run_dialogues.py`` measures them. Both use the shared scorer,
whose docstring defines every check; they are skipped where ``../shared`` is absent.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.terminal import TerminalChat

SHARED = Path(__file__).resolve().parents[2] / "shared"
OWN_DIALOGUES = sorted((Path(__file__).parent / "dialogues").glob("*.jsonl"))
DEV_DIALOGUES = SHARED / "data" / "eval" / "dev_dialogues.jsonl"


def scorer() -> ModuleType:
    """The shared dialogue scorer, or a skip when ../shared is not there."""
    path = SHARED / "eval" / "score_dialogues.py"
    if not path.exists():
        pytest.skip(f"the shared dialogue scorer is not at {path}")
    spec = importlib.util.spec_from_file_location("score_dialogues", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PACING = Pacing(message_after_s=1.0)


def replay(app: Any, path: Path) -> list[tuple[str, bool, str]]:
    """Every check of every dialogue in ``path``: (where, passed, why)."""
    score = scorer()
    results = []
    for line in path.read_text().splitlines():
        dialogue = json.loads(line)
        out = io.StringIO()
        chat = TerminalChat(
            app.engine, dialogue["id"], out, pacing=PACING, jsonl=True, notes=io.StringIO()
        )
        chat.replay(turn["say"] for turn in dialogue["turns"])
        chat.close()
        records = [json.loads(x) for x in out.getvalue().splitlines()]
        sending = [t for t in dialogue["turns"] if not t["say"].startswith(("@as", "#"))]
        assert len(records) == len(sending), f"{dialogue['id']}: one record per line sent"
        for n, (turn, record) in enumerate(zip(sending, records, strict=True), start=1):
            for name, ok, why in score.check_turn(turn.get("expect") or {}, record):
                results.append((f"{dialogue['id']} turn {n} {turn['say'][:60]!r}: {name}", ok, why))
    return results


@pytest.mark.parametrize("path", OWN_DIALOGUES, ids=lambda p: p.stem)
def test_our_dialogues_pass_every_check(make_app: Any, path: Path) -> None:
    failures = [f"{where} -> {why}" for where, ok, why in replay(make_app(), path) if not ok]
    assert not failures, "\n".join(failures)


def test_the_development_dialogues_score_at_least_095(make_app: Any) -> None:
    if not DEV_DIALOGUES.exists():
        pytest.skip(f"the development dialogues are not at {DEV_DIALOGUES}")
    results = replay(make_app(), DEV_DIALOGUES)
    share = sum(ok for _, ok, _ in results) / len(results)
    failures = [f"{where} -> {why}" for where, ok, why in results if not ok]
    assert share >= 0.95, f"{share:.3f}\n" + "\n".join(failures)
