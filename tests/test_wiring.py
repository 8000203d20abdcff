"""The composition root: defaults live in Settings only, and Celery tasks get their runtime
from the app the root configures, built once per process."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.moderation import BlocklistModerator
from stylegenie.bots.wiring import (
    cipher_for,
    configure_celery,
    engine_options_for,
    image_store_for,
    ranking_weights_for,
)
from stylegenie.config import Settings
from stylegenie.core.conversation.context import EngineOptions
from stylegenie.core.domain import Design, DesignBrief
from stylegenie.core.prompting import designs_for_brief
from stylegenie.core.ranking import RankingWeights
from stylegenie.gpu_workers.client import CeleryWorkers
from stylegenie.gpu_workers.runtime import WorkerRuntime
from tests.fakes.ports import FixedRenderer


@pytest.mark.parametrize("options", [EngineOptions, RankingWeights])
def test_core_options_declare_no_defaults_of_their_own(options: type) -> None:
    """A default belongs in config/settings.py; the root fills these from Settings."""
    assert all(
        field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        for field in dataclasses.fields(options)
    )


def test_engine_options_and_ranking_weights_follow_the_settings() -> None:
    settings = Settings(
        currency="USD",
        render={"designs_per_brief": 2, "variation_strength": 0.3},
        chat={"products_per_search": 6, "atelier_radius_km": 20, "max_message_chars": 500},
        ranking={"alpha": 1, "beta": 0, "gamma": 0, "delta": 0, "epsilon": 0},
    )
    options = engine_options_for(settings)
    assert (options.designs_per_brief, options.variation_strength) == (2, 0.3)
    assert (options.products_per_search, options.atelier_radius_km) == (6, 20)
    assert options.max_message_chars == 500 and options.rates.base == "USD"
    assert ranking_weights_for(settings) == RankingWeights(1, 0, 0, 0, 0)


def test_the_contact_key_file_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = cipher_for(Settings(data_dir=tmp_path))
    token = first.encrypt("hello@atelier.example")
    key_file = tmp_path / "contact.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cipher_for(Settings(data_dir=tmp_path)).decrypt(token) == "hello@atelier.example"


def test_processes_starting_together_agree_on_one_contact_key(tmp_path: Path) -> None:
    script = "import sys; from stylegenie.adapters.contact_cipher import embedded_key as k; "
    script += "from pathlib import Path; print(k(Path(sys.argv[1])))"
    starts = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
        for _ in range(6)
    ]
    keys = {start.communicate(timeout=60)[0].strip() for start in starts}
    assert len(keys) == 1 and keys == {(tmp_path / "contact.key").read_text().strip().encode()}
    assert [p.name for p in tmp_path.iterdir()] == ["contact.key"], "no drafts left behind"


def test_front_ends_store_images_in_the_configured_folder(tmp_path: Path) -> None:
    store = image_store_for(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalImageStore)
    assert store.put("a.png", b"png") == str((tmp_path / "images" / "a.png").resolve())


@pytest.fixture
def eager(tmp_path: Path) -> Iterator[Settings]:
    """Eager-mode settings; the shared Celery app holds no runtime after the test."""
    yield Settings(data_dir=tmp_path)
    configure_celery(Settings(data_dir=tmp_path))


def test_tasks_run_on_the_runtime_the_root_hands_the_app_built_once(eager: Settings) -> None:
    builds: list[WorkerRuntime] = []

    def build() -> WorkerRuntime:
        builds.append(
            WorkerRuntime(
                renderer=FixedRenderer(b"card", model_name="card"),
                images=LocalImageStore(eager.image_dir),
                embedder=None,  # type: ignore[arg-type]
                index=None,  # type: ignore[arg-type]
                searcher=None,  # type: ignore[arg-type]
                moderator=BlocklistModerator(["nsfw"]),
            )
        )
        return builds[-1]

    app = configure_celery(eager, build)
    assert builds == [], "nothing is built before the first task"
    workers = CeleryWorkers(timeout_s=10)
    drawn: list[Design] = []

    def render() -> None:
        drawn.extend(workers.render_designs(designs_for_brief(DesignBrief(garment="dress"), 1, "")))

    threads = [threading.Thread(target=render) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 8 and all(d.model == "card" for d in drawn)
    assert Path(drawn[0].image_ref or "").read_bytes() == b"card"
    assert len(builds) == 1 and app.runtime is builds[0]


def test_a_process_without_a_runtime_says_so_when_a_task_runs_here(eager: Settings) -> None:
    configure_celery(eager)
    designs = designs_for_brief(DesignBrief(garment="dress"), 1, "pending")
    with pytest.raises(Exception, match="worker runtime is not configured"):
        CeleryWorkers(timeout_s=10).render_designs(designs)
