"""Prometheus' scrape configuration and alert rules, and the Grafana dashboard, as shipped.

promtool (Debian's ``prometheus`` package; ``.ci/run`` installs it) checks the configuration
and the rules and runs the rules' unit tests (``deploy/prometheus/alerts_test.yml``: each alert
fires on the series it is about and stays quiet otherwise). Every expression of the rules and
the dashboard may name only metrics StyleGenie's processes export (or ``up``), read from the
code that exports them, so a renamed metric fails here rather than on a blank panel.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from stylegenie.adapters.observability.metrics import QueueDepth, metrics

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "stylegenie.json"
# The alerts the stack promises, by what they watch.
ALERTS = {
    "StyleGenieWorkerDown",  # a worker replica does not answer
    "StyleGenieNoWorker",  # a queue has no worker at all
    "StyleGenieFrontEndDown",  # the API or a bot does not answer
    "StyleGenieQueueBackingUp",
    "StyleGenieTurnsSlow",  # turn p95 over its target
    "StyleGenieTurnsFailing",
    "StyleGenieRendersFailing",
    "StyleGenieLeadsUndeliverable",  # leads failing
    "StyleGenieLeadsStuck",
}
# What the dashboard must show: turns, latency by stage, renders, queue depth, the lead funnel.
DASHBOARD_METRICS = {
    "stylegenie_turns_total",
    "stylegenie_turn_seconds_bucket",
    "stylegenie_search_stage_seconds_bucket",
    "stylegenie_renders_total",
    "stylegenie_render_seconds_bucket",
    "stylegenie_queue_depth",
    "stylegenie_leads_total",
}
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


@pytest.fixture(scope="module")
def promtool() -> str:
    """The promtool binary; the test fails (not skips) without it."""
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is missing: install Debian's prometheus package "
            "(apt-get install --no-install-recommends prometheus), as .ci/run does"
        )
    return found


def _promtool(promtool: str, *args: str) -> str:
    result = subprocess.run(
        [promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}"
    return output


def test_scrape_configuration_is_valid(promtool: str) -> None:
    """prometheus.yml is valid and finds its rule file."""
    output = _promtool(promtool, "check", "config", "prometheus.yml")
    assert "SUCCESS: 1 rule files found" in output


def test_alert_rules_are_valid(promtool: str) -> None:
    """alerts.yml parses and every expression compiles."""
    output = _promtool(promtool, "check", "rules", "alerts.yml")
    assert f"SUCCESS: {len(ALERTS)} rules found" in output


def test_alert_rules_pass_their_unit_tests(promtool: str) -> None:
    """Each alert fires on its series and stays quiet otherwise (alerts_test.yml)."""
    _promtool(promtool, "test", "rules", "alerts_test.yml")


def _rules() -> list[dict[str, Any]]:
    data = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_every_alert_is_tested_firing_and_quiet() -> None:
    """The promised alerts exist, each with a severity, and the unit tests see each one both
    fire and stay quiet."""
    rules = {rule["alert"]: rule for rule in _rules()}
    assert set(rules) == ALERTS
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
    tests = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8"))
    cases = [case for test in tests["tests"] for case in test["alert_rule_test"]]
    fired = {case["alertname"] for case in cases if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
    assert fired == ALERTS, f"never seen firing: {ALERTS - fired}"
    assert quiet == ALERTS, f"never seen quiet: {ALERTS - quiet}"


@pytest.fixture(scope="module")
def exported() -> set[str]:
    """Every series name StyleGenie's processes can export, from the code, plus ``up``."""
    names = {"up"}
    measured = metrics()
    for field in dataclasses.fields(measured):
        for family in getattr(measured, field.name).describe():
            names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    names.update(family.name for family in QueueDepth(lambda: {"gpu": 0}).collect())
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, keywords, labels left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)  # matchers, ranges (with $__ variables)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables
    text = re.sub(r"(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])?\b", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][\w:]*", text):
        if text[match.end() :].lstrip().startswith("("):
            continue  # a function or an aggregation
        if match.group().lower() not in PROMQL_WORDS:
            names.add(match.group())
    return names


def test_metric_names_are_read_from_expressions() -> None:
    """The reader of expressions finds metrics and nothing else."""
    expr = (
        'histogram_quantile(0.95, sum by (le, kind) (rate(a_seconds_bucket{x="up(1)"}[5m])))'
        " > 10 and on (kind) sum(increase(b_total[$__range])) >= 1e3 or vector(0) or up"
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "up"}


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # collapsed rows hold their panels


def test_dashboard_names_only_exported_metrics(exported: set[str]) -> None:
    """The dashboard parses, every panel's expressions name exported metrics, and it shows
    turns, latency by stage, renders, queue depth and the lead funnel."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    used: set[str] = set()
    ids = [panel["id"] for panel in _panels(dashboard["panels"])]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in _panels(dashboard["panels"]):
        if panel["type"] == "row":
            continue
        assert panel.get("targets"), f"{panel['title']} has no query"
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: {target['expr']}"
            assert names <= exported, f"{panel['title']}: unknown {names - exported}"
            used |= names
    assert used >= DASHBOARD_METRICS, f"not on the dashboard: {DASHBOARD_METRICS - used}"
    funnel = [p for p in _panels(dashboard["panels"]) if "funnel" in p["title"].lower()]
    [panel] = funnel
    states = {re.search(r'state="(\w+)"', t["expr"])[1] for t in panel["targets"]}  # type: ignore[index]
    assert {"new", "sent", "accepted", "declined", "expired", "undeliverable"} == states


def test_alert_rules_name_only_exported_metrics(exported: set[str]) -> None:
    """Every alert expression reads metrics the processes export."""
    for rule in _rules():
        names = metric_names(rule["expr"])
        assert names and names <= exported, f"{rule['alert']}: {names - exported}"
