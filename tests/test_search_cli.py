"""`stylegenie search`: one query, a batch of JSON lines, and refusals of absurd input.

Runs the real command (argument parser → ``run``) on the assembled product: PostgreSQL,
Milvus Lite with the sample catalogue and MiniLM.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from stylegenie.bots.cli import build_parser
from stylegenie.bots.commands.search import run_batch

Capture = pytest.CaptureFixture[str]


def search(app: object, *argv: str) -> int:
    """Run ``stylegenie search ARGV`` with the test app's settings; return the exit code."""
    args = build_parser().parse_args(["search", *argv])
    return int(args.run(args, app.settings))  # type: ignore[attr-defined]


def test_a_single_query_prints_products_with_catalogue_ids(
    make_app: object, capsys: Capture
) -> None:
    """Plain output: one product a line with its id; the budget holds."""
    app = make_app()  # type: ignore[operator]
    assert search(app, "white tee for men", "--max-price", "20", "--top", "3") == 0
    lines = capsys.readouterr().out.splitlines()
    assert 1 <= len(lines) <= 3 and "[sg-0014]" in lines[0]


def test_json_output_has_results_and_latency(make_app: object, capsys: Capture) -> None:
    """--json: one object with the product id, name, price, score and breakdown of each."""
    app = make_app()  # type: ignore[operator]
    assert search(app, "black jeans", "--json", "--top", "2") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["latency_ms"] > 0 and answer["results"][0]["product_id"] == "sg-0037"
    assert set(answer["results"][0]) == {"product_id", "name", "price", "score", "breakdown"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("",), "say what to look for"),
        (("🤷",), "no words"),
        (("red dress " * 500,), "5,000 characters"),
        (("red dress", "--max-price", "0"), "above 0"),
        (("red dress", "--max-price", "-10"), "above 0"),
        ((), 'give either "TEXT" or --batch'),
    ],
)
def test_absurd_single_queries_exit_2_with_a_message(
    argv: tuple[str, ...], message: str, capsys: Capture
) -> None:
    """Refused before any backend opens: stderr explains, nothing on stdout."""
    args = build_parser().parse_args(["search", *argv])
    assert args.run(args, None) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


@pytest.mark.parametrize("top", ["0", "101", "ten"])
def test_top_must_be_between_1_and_100(top: str, capsys: Capture) -> None:
    """--top is checked by the argument parser."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["search", "tee", "--top", top])
    assert "--top" in capsys.readouterr().err


def test_a_batch_answers_every_line_and_goes_on_after_bad_ones(
    make_app: object, tmp_path: Path, capsys: Capture
) -> None:
    """One JSON line per input line, in order; bad lines get an "error" field."""
    app = make_app()  # type: ignore[operator]
    lines = [
        {"id": "q1", "text": "black jeans", "max_price": 60},
        {"id": "q2", "text": ""},
        {"id": "q3", "text": "🤷"},
        {"id": "q4", "text": "x" * 5000},
        {"id": "q5", "text": "red dress", "max_price": 0},
        {"id": "q6", "text": "sage green dress", "max_price": "cheap"},
        {"id": "q7"},
    ]
    feed = tmp_path / "queries.jsonl"
    feed.write_text("\n".join(map(json.dumps, lines)) + "\nnot json\n\n" + json.dumps(lines[0]))
    assert search(app, "--batch", str(feed), "--top", "3") == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["id"] for a in answers] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7", None, "q1"]
    first = answers[0]
    assert first["results"] and all(r["price"] <= 60 for r in first["results"])
    assert first["results"][0]["product_id"] == "sg-0037" and first["latency_ms"] > 0
    assert all("error" in a and "results" not in a for a in answers[1:8])
    assert answers[7]["line"] == 8 and answers[8]["results"] == first["results"]


def test_run_batch_reads_any_stream(make_app: object) -> None:
    """The batch runner takes a text stream (stdin with ``--batch -``)."""
    app = make_app()  # type: ignore[operator]
    from stylegenie.bots.wiring import currency_rates_for, workers_for

    out = io.StringIO()
    refused = run_batch(
        workers_for(app.settings, app.catalog),
        io.StringIO('{"id": 1, "text": "a tee"}\n{"id": 2, "text": ""}\n'),
        2,
        out,
        currency_rates_for(app.settings),  # type: ignore[attr-defined]
    )
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert refused == 1 and [a["id"] for a in answers] == [1, 2]
    assert len(answers[0]["results"]) == 2


def test_a_missing_batch_file_exits_2(capsys: Capture, tmp_path: Path) -> None:
    """A batch file that does not exist is refused before anything opens."""
    args = build_parser().parse_args(["search", "--batch", str(tmp_path / "nope.jsonl")])
    assert args.run(args, None) == 2
    assert "no such file" in capsys.readouterr().err
