"""OpenClipEncoder with a tiny random-weight open_clip model, offline, on one CPU thread."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stylegenie.adapters.clip_encoder import (
    ImageEncoderError,
    OpenClipEncoder,
    UnreadableImageError,
    decode_images,
)
from stylegenie.config.settings import ImageEncoderSettings
from tests.fakes.tiny_clip import TINY_DIMENSION, photo, tiny_settings

torch = pytest.importorskip("torch")
open_clip = pytest.importorskip("open_clip")

PHOTOS = [photo(c, p) for c, p in [("red", "solid"), ("navy", "stripes"), ("green", "dot"),
          ("yellow", "checks"), ("purple", "solid"), ("white", "stripes")]]  # fmt: skip


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clip_configs")


@pytest.fixture(scope="module")
def encoder(config_dir: Path) -> OpenClipEncoder:
    torch.manual_seed(0)
    built = OpenClipEncoder(tiny_settings(config_dir))
    built.load()
    return built


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def test_the_tokenizer_has_the_full_clip_vocabulary(encoder: OpenClipEncoder) -> None:
    assert encoder.vocabulary_size == 49408
    assert encoder.device == "cpu"


def test_vectors_have_the_configured_size_and_unit_length(encoder: OpenClipEncoder) -> None:
    assert encoder.dimension == TINY_DIMENSION
    for vector in encoder.embed_images(PHOTOS[:2]) + encoder.embed_texts(["red dress", "🤷"]):
        assert len(vector) == TINY_DIMENSION
        assert norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert encoder.embed_images([]) == [] and encoder.embed_texts([]) == []


def test_the_same_image_gives_the_same_vector(encoder: OpenClipEncoder) -> None:
    first, again, other = encoder.embed_images([PHOTOS[0], PHOTOS[0], PHOTOS[1]])
    assert first == pytest.approx(again, abs=1e-6)
    assert first == pytest.approx(encoder.embed_images([PHOTOS[0]])[0], abs=1e-5)
    assert first != pytest.approx(other, abs=1e-3)


def test_batches_equal_single_calls(encoder: OpenClipEncoder) -> None:
    batched = encoder.embed_images(PHOTOS)  # batch size 4: two batches
    singles = [encoder.embed_images([data])[0] for data in PHOTOS]
    for one, many in zip(singles, batched, strict=True):
        assert one == pytest.approx(many, abs=1e-5)
    texts = ["red dress", "navy striped shirt", "green dotted skirt", "a", "b"]
    for one, many in zip([encoder.embed_texts([t])[0] for t in texts],
                         encoder.embed_texts(texts), strict=True):  # fmt: skip
        assert one == pytest.approx(many, abs=1e-5)


def test_jpeg_webp_and_palette_images_are_read(encoder: OpenClipEncoder) -> None:
    kinds = [photo("red", fmt="JPEG"), photo("red", fmt="WEBP"), photo("red", fmt="GIF")]
    assert [len(v) for v in encoder.embed_images(kinds)] == [TINY_DIMENSION] * 3


def test_a_broken_image_is_named_and_nothing_is_embedded(encoder: OpenClipEncoder) -> None:
    truncated = PHOTOS[1][: len(PHOTOS[1]) // 2]
    with pytest.raises(UnreadableImageError, match=r"2 image\(s\).*image 1: .*image 3: ") as error:
        encoder.embed_images([PHOTOS[0], b"not an image", PHOTOS[2], truncated])
    assert set(error.value.reasons) == {1, 3}
    assert isinstance(error.value, ValueError)
    pictures = decode_images([PHOTOS[0], b"", truncated])
    assert pictures[0] is not None and pictures[1:] == [None, None]
    readable = [p for p in pictures if p is not None]
    assert encoder.embed_decoded(readable)[0] == pytest.approx(encoder.embed_images(PHOTOS[:1])[0])


@pytest.mark.parametrize("suffix", ["safetensors", "pt"])
def test_a_local_checkpoint_gives_the_same_vectors_as_the_model_in_memory(
    config_dir: Path, tmp_path: Path, suffix: str
) -> None:
    settings = tiny_settings(config_dir)
    assert settings.model
    torch.manual_seed(7)
    model, _, preprocess = open_clip.create_model_and_transforms(settings.model, pretrained=None)
    model.eval()
    checkpoint = tmp_path / f"tiny.{suffix}"
    if suffix == "safetensors":
        from safetensors.torch import save_file

        save_file(model.state_dict(), str(checkpoint))
    else:
        torch.save(model.state_dict(), checkpoint)
    loaded = OpenClipEncoder(settings.model_copy(update={"pretrained": str(checkpoint)}))
    pictures = [p for p in decode_images(PHOTOS[:3]) if p is not None]
    tokens = open_clip.get_tokenizer(settings.model)(["red dress", "blue jeans"])
    with torch.inference_mode():
        images = model.encode_image(torch.stack([preprocess(p) for p in pictures]), normalize=True)
        texts = model.encode_text(tokens, normalize=True)
    for got, want in zip(loaded.embed_images(PHOTOS[:3]), images.tolist(), strict=True):
        assert got == pytest.approx(want, abs=1e-5)
    for got, want in zip(loaded.embed_texts(["red dress", "blue jeans"]), texts.tolist(),
                         strict=True):  # fmt: skip
        assert got == pytest.approx(want, abs=1e-5)


def test_a_cached_tag_loads_from_the_local_cache_with_its_preprocessing(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    settings = tiny_settings(config_dir, pretrained="tiny_tag")
    assert settings.model
    model = open_clip.create_model(settings.model, pretrained=None)
    from safetensors.torch import save_file

    save_file(model.state_dict(), str(tmp_path / "open_clip_model.safetensors"))
    asked: list[tuple[str, str]] = []

    def cache_lookup(repo: str, filename: str) -> str | None:
        asked.append((repo, filename))
        path = tmp_path / filename
        return str(path) if path.is_file() else None

    tag = {"hf_hub": "org/tiny-clip/", "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5)}
    monkeypatch.setattr(open_clip, "get_pretrained_cfg", lambda name, wanted: tag)
    monkeypatch.setattr(huggingface_hub, "try_to_load_from_cache", cache_lookup)
    cached = OpenClipEncoder(settings)
    vector = cached.embed_images(PHOTOS[:1])[0]
    assert asked == [("org/tiny-clip", "open_clip_model.safetensors")]
    normalise = cached._preprocess.transforms[-1]  # type: ignore[union-attr]
    assert tuple(normalise.mean) == (0.5, 0.5, 0.5)
    assert len(vector) == TINY_DIMENSION


def test_weights_are_never_downloaded(config_dir: Path, tmp_path: Path) -> None:
    uncached = OpenClipEncoder(ImageEncoderSettings(model="ViT-B-32", pretrained="laion400m_e31"))
    assert uncached.dimension == 512  # read from the config, nothing loaded
    with pytest.raises(ImageEncoderError, match="not in the local cache"):
        uncached.load()
    tiny = tiny_settings(config_dir)
    missing = str(tmp_path / "missing.safetensors")
    with pytest.raises(ImageEncoderError, match="neither a file nor an open_clip tag"):
        OpenClipEncoder(tiny.model_copy(update={"pretrained": missing})).load()
    with pytest.raises(ImageEncoderError, match="not an open_clip model"):
        _ = OpenClipEncoder(ImageEncoderSettings(model="no-such-clip")).dimension
    with pytest.raises(ImageEncoderError, match="MODEL is not set"):
        OpenClipEncoder(ImageEncoderSettings())
