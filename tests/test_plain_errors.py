"""Plain errors for plain mistakes: one line on stderr and a non-zero exit, no traceback
(unless ``--debug``).

Each fault is reproduced as an operator meets it: a Milvus Lite file held by another
running process, a script or feed that is not there, a catalogue nothing was loaded into,
a command that does not exist.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from stylegenie.adapters.milvus_index import MilvusProductIndex
from stylegenie.adapters.milvus_server import MilvusLiteInUse
from stylegenie.bots.cli import main
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.conversation import texts
from stylegenie.core.ports import Embedder
from tests.fakes.ports import FixedEmbedder

Capture = pytest.CaptureFixture[str]
HOLDER = """\
import os, sys
from pymilvus import MilvusClient

client = MilvusClient(os.environ["LITE_FILE"])
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_url: str) -> Path:
    """The command's environment on a fresh database; returns its data folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("STYLEGENIE_DATA_DIR", str(data))
    monkeypatch.setenv("STYLEGENIE_DATABASE__URL", pg_url)
    return data


@pytest.fixture
def held_lite_file(env: Path, tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """The data folder's Milvus Lite file, opened by another process (as a worker would);
    yields the file and that process's id."""
    lite = (env / "products.db").resolve()
    env.mkdir(parents=True)
    script = tmp_path / "hold_lite.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, script.name],
        cwd=tmp_path,
        env={"LITE_FILE": str(lite), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield lite, holder.pid
    finally:
        holder.kill()
        holder.wait(10)


def in_use_line(lite: Path, pid: int) -> str:
    return (
        f"The Milvus Lite file {lite} is in use by process {pid} "
        f"({Path(sys.executable).name} hold_lite.py), and only one process can open it: "
        "stop that process, or share the index through a Milvus server "
        "(STYLEGENIE_MILVUS__MANAGED_SERVER=true, or STYLEGENIE_MILVUS__URI=http://HOST:19530)."
    )


@pytest.mark.parametrize(
    "argv", [["search", "red dress"], ["catalog", "ingest", "feed.csv", "--quiet"]]
)
def test_a_lite_file_held_by_another_process_is_named_in_one_line(
    argv: list[str], held_lite_file: tuple[Path, int], capsys: Capture
) -> None:
    lite, pid = held_lite_file
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [in_use_line(lite, pid)]
    assert captured.out == ""


def test_the_index_names_the_holder_when_the_file_is_taken_after_start(
    held_lite_file: tuple[Path, int], caplog: pytest.LogCaptureFixture
) -> None:
    """A bot that started first meets the held file at its first search: the error names
    the holder, and Milvus Lite's own 60-line traceback stays out of the log."""
    lite, pid = held_lite_file
    embedder: Embedder = FixedEmbedder(dimension_only=True)
    with caplog.at_level(logging.DEBUG), pytest.raises(MilvusLiteInUse) as raised:
        MilvusProductIndex(MilvusSettings(), embedder, lite.parent)
    assert str(raised.value) == in_use_line(lite, pid)
    assert "DataDirLockedError" not in caplog.text and "Traceback" not in caplog.text


def test_a_missing_script_is_one_line(env: Path, tmp_path: Path, capsys: Capture) -> None:
    missing = tmp_path / "absent.txt"
    assert main(["chat", "--script", str(missing)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"stylegenie chat: can't read the script {missing}: no such file or directory"
    ]


def test_any_other_failure_is_one_line_and_its_traceback_is_behind_debug(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """A server lost in the middle of a command, say: its type and first line only."""
    lost = psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly\n"
        "\tThis probably means the server terminated abnormally"
    )

    def migrate(*_: object) -> int:
        raise lost

    monkeypatch.setattr("stylegenie.bots.commands.migrate.run", migrate)
    assert main(["migrate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "stylegenie migrate: OperationalError: consuming input failed: server closed the "
        "connection unexpectedly (run with --debug for the traceback)"
    ]
    with pytest.raises(psycopg.OperationalError):
        main(["--debug", "migrate"])


def test_searching_an_empty_catalogue_says_so(env: Path, capsys: Capture) -> None:
    assert main(["search", "red dress"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "stylegenie search: the catalogue is empty: "
        "load products with `stylegenie catalog ingest FILE` first."
    ]


def test_a_shopper_hears_the_catalogue_is_empty_and_the_operator_how_to_fill_it(
    env: Path,
    tmp_path: Path,
    minilm: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Capture,
) -> None:
    monkeypatch.setattr(
        "stylegenie.adapters.text_embedder.SentenceTransformerEmbedder", lambda *_: minilm
    )
    script = tmp_path / "script.txt"
    script.write_text("a red linen dress under 80\n/products\n")
    assert main(["chat", "--script", str(script)]) == 0
    captured = capsys.readouterr()
    assert texts.CATALOGUE_EMPTY in captured.out
    assert "Nothing in the catalogue fits" not in captured.out
    assert "`stylegenie catalog ingest FILE`" in captured.err
    assert "Traceback" not in captured.err


def test_an_unknown_command_is_one_line(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["nosuch"])
    assert exited.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("stylegenie: argument COMMAND: invalid choice: 'nosuch' (choose")
    assert line.endswith("(see stylegenie --help)")
