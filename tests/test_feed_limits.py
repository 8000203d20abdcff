"""Feed rows in bounded memory: a JSON line over the cap is refused unread, never held whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stylegenie.adapters.feed_rows import MAX_ROW_CHARS
from stylegenie.adapters.feeds import ProductFeed

HUGE_DESCRIPTION = 50 * 2**20
"""The 50 MB description that once drove a JSONL ingest past 8 GB."""

# Reads a feed in a fresh process and prints what it read with its memory: the peak RSS
# (VmHWM) once the feed is open and after reading every row. RLIMIT_AS caps the process
# 1 GiB above its size when it starts reading, so a regression fails here instead of
# taking the machine's memory.
CHILD = """
import json, resource, sys
from pathlib import Path
from stylegenie.adapters.feeds import ProductFeed

def status(key):
    line = Path("/proc/self/status").read_text().split(key + ":")[1]
    return int(line.split()[0]) * 1024

feed = ProductFeed(Path(sys.argv[1]))
size = status("VmSize")
resource.setrlimit(resource.RLIMIT_AS, (size + 2**30, resource.RLIM_INFINITY))
before = status("VmHWM")
ids = [item.product.id for item in feed]
print(json.dumps({
    "ids": ids,
    "problems": [str(problem) for problem in feed.problems],
    "grew": status("VmHWM") - before,
}))
"""


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return path


def test_a_50_mb_json_line_is_refused_without_ever_being_held(tmp_path: Path) -> None:
    feed = jsonl(
        tmp_path / "feed.jsonl",
        [
            {"id": "p1", "name": "Tee", "price": 5},
            {"id": "big", "name": "Huge", "price": 5, "description": "x" * HUGE_DESCRIPTION},
            {"id": "p3", "name": "Shirt", "price": 9},
        ],
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(feed)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    read = json.loads(done.stdout.splitlines()[-1])
    assert read["ids"] == ["p1", "p3"]
    assert read["problems"] == ["line 2: longer than 1,000,000 characters: not read"]
    assert read["grew"] < HUGE_DESCRIPTION // 4, f"peak RSS grew {read['grew']:,} bytes"


def test_a_json_line_just_over_the_cap_is_refused_and_the_lines_after_it_keep_their_numbers(
    tmp_path: Path,
) -> None:
    feed = ProductFeed(
        jsonl(
            tmp_path / "feed.jsonl",
            [
                {"id": "p1", "name": "Tee", "price": 5, "description": "x" * MAX_ROW_CHARS},
                {"id": "p2", "name": "Tee", "price": 5, "description": "x" * 1000},
                {"id": "p3", "name": "Tee", "price": "N/A"},
            ],
        )
    )
    assert [(item.line, item.product.id) for item in feed] == [(2, "p2")]
    assert [str(problem) for problem in feed.problems] == [
        "line 1: longer than 1,000,000 characters: not read",
        "line 3: price 'N/A' is not a number",
    ]
