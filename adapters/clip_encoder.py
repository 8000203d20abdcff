"""CLIP image and text towers from open_clip (the ImageEmbedder port).

``ImageEncoderSettings.model`` names an open_clip architecture ("ViT-B-32", or a config
registered with ``open_clip.add_model_config``); ``pretrained`` chooses its weights:

- a local checkpoint file (``.safetensors``, ``.pt``, ``.bin``): loaded as is (OpenAI's
  weights need the matching activation: name the model "ViT-B-32-quickgelu");
- an open_clip tag ("laion2b_s34b_b79k"): used only when its weights are already in the
  local Hugging Face or ``~/.cache/clip`` cache, with the tag's own preprocessing and
  activation. Nothing is ever downloaded: a tag that is not cached is refused with a
  message saying where to put the file;
- none: random weights (tests and throughput benchmarks; same cost as real ones).

The tokenizer is open_clip's bundled BPE (49,408 tokens), so texts need no download either.
torch and open_clip are imported only when needed; the model loads once per process,
under a lock, on first use or on ``load()``. On CUDA it runs in fp16.

Broken images: ``embed_images`` checks every image before any model work and raises
``UnreadableImageError`` naming each unreadable item (position and reason). Callers that
must keep going (catalogue ingestion) split the two stages: ``decode_images`` gives
``None`` for each unreadable item, and ``embed_decoded`` embeds the readable ones.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from stylegenie.config.settings import ImageEncoderSettings

from .lazy_model import LazyModel, pick_device

if TYPE_CHECKING:
    import torch

__all__ = [
    "ImageEncoderError",
    "OpenClipEncoder",
    "UnreadableImageError",
    "decode_images",
]


class ImageEncoderError(RuntimeError):
    """The CLIP model cannot be found or loaded; the message says what to install or set."""


class UnreadableImageError(ValueError):
    """Some images cannot be decoded; ``reasons`` maps each one's position to why."""

    def __init__(self, reasons: dict[int, str]) -> None:
        self.reasons = reasons
        listed = "; ".join(f"image {i}: {why}" for i, why in sorted(reasons.items()))
        super().__init__(f"{len(reasons)} image(s) cannot be read: {listed}")


def _decode(data: bytes) -> Image.Image | str:
    """The picture in RGB, or why the bytes are not a readable image."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        return str(error) or type(error).__name__


def decode_images(images: Sequence[bytes]) -> list[Image.Image | None]:
    """Each item decoded to RGB, or None where the bytes are not a readable image."""
    return [p if isinstance(p, Image.Image) else None for p in map(_decode, images)]


HF_WEIGHTS = "open_clip_pytorch_model.bin"
"""open_clip's default weights file in a Hugging Face repository."""


def _weight_files(filename: str) -> list[str]:
    """The file names open_clip would fetch for a tag, safetensors first (as open_clip does)."""
    if filename == HF_WEIGHTS:
        return ["open_clip_model.safetensors", filename]
    if filename.endswith((".bin", ".pth")):
        return [filename[:-4] + ".safetensors", filename]
    return [filename]


@dataclass(frozen=True)
class _Weights:
    """Where the weights come from and the preprocessing/activation they were trained with."""

    checkpoint: str | None
    options: dict[str, Any]


def _cached_tag(model: str, tag: str) -> _Weights:
    """The local file of an open_clip pretrained tag, found without touching the network."""
    import open_clip

    cfg = open_clip.get_pretrained_cfg(model, tag)
    if not cfg:
        known = ", ".join(open_clip.list_pretrained_tags_by_model(model)) or "none"
        raise ImageEncoderError(
            f"STYLEGENIE_IMAGE_ENCODER__PRETRAINED={tag!r} is neither a file nor an open_clip "
            f"tag of {model} (its tags: {known})"
        )
    found: str | None = None
    if cfg.get("hf_hub"):
        from huggingface_hub import try_to_load_from_cache

        repo, filename = cfg["hf_hub"].rsplit("/", 1)
        for name in _weight_files(filename or HF_WEIGHTS):
            hit = try_to_load_from_cache(repo, name)
            if isinstance(hit, str):
                found = hit
                break
    if found is None and cfg.get("url"):
        candidate = Path("~/.cache/clip").expanduser() / Path(cfg["url"]).name
        found = str(candidate) if candidate.is_file() else None
    if found is None:
        raise ImageEncoderError(
            f"the weights of {model}/{tag} are not in the local cache and are never downloaded: "
            "put the checkpoint file on this machine and set "
            "STYLEGENIE_IMAGE_ENCODER__PRETRAINED to its path"
        )
    options = {
        "force_quick_gelu": bool(cfg.get("quick_gelu", False)),
        "image_mean": cfg.get("mean"),
        "image_std": cfg.get("std"),
        "image_interpolation": cfg.get("interpolation"),
        "image_resize_mode": cfg.get("resize_mode"),
    }
    return _Weights(found, options)


def _weights(model: str, pretrained: str | None) -> _Weights:
    if pretrained is None:
        return _Weights(None, {})
    if Path(pretrained).expanduser().is_file():
        return _Weights(str(Path(pretrained).expanduser()), {})
    return _cached_tag(model, pretrained)


class OpenClipEncoder:
    """Images and texts into one space of unit-length vectors with an open_clip model.

    Thread-safe: the model loads once, under a lock, by whichever thread needs it first.
    """

    def __init__(self, settings: ImageEncoderSettings) -> None:
        if not settings.model:
            raise ImageEncoderError("STYLEGENIE_IMAGE_ENCODER__MODEL is not set")
        self._settings = settings
        self._name: str = settings.model
        self._model: LazyModel[Any] = LazyModel(self._build)
        self._preprocess: Callable[[Image.Image], torch.Tensor] | None = None
        self._tokenizer: Callable[[list[str]], torch.Tensor] | None = None
        self._device = "cpu"
        self._dimension: int | None = None
        self._vocabulary = 0

    @property
    def dimension(self) -> int:
        """The size of every vector, read from the model's config (no weights loaded)."""
        if self._dimension is None:
            import open_clip

            config = open_clip.get_model_config(self._name)
            if config is None:
                raise ImageEncoderError(
                    f"STYLEGENIE_IMAGE_ENCODER__MODEL={self._name!r} is not an open_clip model; "
                    f"known: {', '.join(open_clip.list_models())}"
                )
            self._dimension = int(config["embed_dim"])
        return self._dimension

    @property
    def vocabulary_size(self) -> int:
        """How many tokens the tokenizer knows (49,408 for CLIP's BPE); loads the model.

        Checked against the model's token table on load, so a truncated tokenizer is refused.
        """
        self._model.get()
        return self._vocabulary

    @property
    def device(self) -> str:
        """The device the model runs on ("cpu", "cuda"); "cpu" until it loads."""
        return self._device

    def load(self) -> None:
        """Load the model now (a warm-up); later calls return at once."""
        self._model.get()

    def embed_images(self, images: Sequence[bytes]) -> list[list[float]]:
        """One unit vector per image, in order; UnreadableImageError names any broken one."""
        decoded = [_decode(data) for data in images]
        broken = {i: p for i, p in enumerate(decoded) if isinstance(p, str)}
        if broken:
            raise UnreadableImageError(broken)
        return self.embed_decoded([p for p in decoded if isinstance(p, Image.Image)])

    def embed_decoded(self, pictures: Sequence[Image.Image]) -> list[list[float]]:
        """One unit vector per decoded picture, computed in batches of ``batch_size``."""
        if not pictures:
            return []
        model = self._model.get()
        import torch

        assert self._preprocess is not None
        vectors: list[list[float]] = []
        size = self._settings.batch_size
        for start in range(0, len(pictures), size):
            batch = torch.stack([self._preprocess(p) for p in pictures[start : start + size]])
            vectors += self._run(model.encode_image, batch.to(self._device, self._dtype(model)))
        return vectors

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in the same space as the images."""
        if not texts:
            return []
        model = self._model.get()
        assert self._tokenizer is not None
        vectors: list[list[float]] = []
        size = self._settings.batch_size
        for start in range(0, len(texts), size):
            tokens = self._tokenizer(list(texts[start : start + size]))
            vectors += self._run(model.encode_text, tokens.to(self._device))
        return vectors

    @staticmethod
    def _dtype(model: Any) -> torch.dtype:
        return next(model.parameters()).dtype

    @staticmethod
    def _run(
        encode: Callable[[torch.Tensor], torch.Tensor], batch: torch.Tensor
    ) -> list[list[float]]:
        import torch

        with torch.inference_mode():
            features = encode(batch).float()
            features = torch.nn.functional.normalize(features, dim=-1)
        return features.cpu().tolist()

    def _build(self) -> Any:
        try:
            import open_clip
        except ImportError as error:
            raise ImageEncoderError(
                "CLIP image search needs open_clip_torch: pip install 'stylegenie[ml]'"
            ) from error
        device = pick_device(self._settings.device)
        weights = _weights(self._name, self._settings.pretrained)
        options = {k: v for k, v in weights.options.items() if v is not None}
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                self._name,
                pretrained=weights.checkpoint,
                precision="fp16" if device == "cuda" else "fp32",
                device=device,
                **options,
            )
        except RuntimeError as error:
            raise ImageEncoderError(f"cannot build CLIP model {self._name!r}: {error}") from error
        model.eval()
        tokenizer = open_clip.get_tokenizer(self._name)
        vocabulary = int(getattr(tokenizer, "vocab_size", 0) or model.vocab_size)
        if vocabulary != model.vocab_size:
            raise ImageEncoderError(
                f"the tokenizer of {self._name!r} knows {vocabulary} tokens but the model "
                f"expects {model.vocab_size}"
            )
        self._preprocess = preprocess
        self._tokenizer = tokenizer
        self._vocabulary = vocabulary
        self._device = device
        return model
