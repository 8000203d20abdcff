"""Renderers and their surroundings: diffusers (tiny random weights), hosted API, moderation.

The S3 image store is tested in test_s3_images.py.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fakes.openai_server import FakeOpenAIServer, Reply
from PIL import Image

from stylegenie.adapters.diffusers_renderer import DiffusersRenderer
from stylegenie.adapters.hosted_renderer import HostedRenderer
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.moderation import BlocklistModerator
from stylegenie.adapters.random_pipelines import CLIP_VOCAB_SIZE, clip_tokenizer
from stylegenie.bots.wiring import configure_celery, moderator_for
from stylegenie.config import Settings
from stylegenie.config.settings import (
    LLMSettings,
    ModerationSettings,
    RenderSettings,
)
from stylegenie.core.domain import DesignBrief
from stylegenie.core.prompting import designs_for_brief, variations_of
from tests.fakes.ports import FixedRenderer


def test_the_clip_tokenizer_is_rebuilt_with_the_real_vocabulary(tmp_path: Path) -> None:
    tokenizer = clip_tokenizer(tmp_path)
    assert len(tokenizer) == CLIP_VOCAB_SIZE
    assert tokenizer("a red dress").input_ids == [49406, 320, 736, 2595, 49407]


@pytest.fixture
def renderer(tiny_pipeline_dir: Path, tmp_path: Path) -> tuple[DiffusersRenderer, LocalImageStore]:
    store = LocalImageStore(tmp_path / "images")
    settings = RenderSettings(
        backend="diffusers",
        model=str(tiny_pipeline_dir),
        preset="custom",
        steps=2,
        image_size=64,
        device="cpu",
    )
    return DiffusersRenderer(settings, store.open), store


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def test_diffusers_renders_a_batch_and_the_same_seed_gives_the_same_bytes(renderer) -> None:  # type: ignore[no-untyped-def]
    diffusers, _ = renderer
    designs = designs_for_brief(
        DesignBrief(garment="dress", colours=["Red"]), 3, diffusers.model_name
    )
    batch = diffusers.render(designs)
    assert len(batch) == 3 and len(set(batch)) == 3, "each seed draws its own image"
    image = Image.open(io.BytesIO(batch[1]))
    assert image.format == "WEBP" and image.size == (64, 64)
    assert diffusers.render(designs) == batch, "the same designs re-render to the same bytes"
    alone = diffusers.render([designs[1]])
    assert diffusers.render([designs[1]]) == alone
    # Alone or in a batch the pixels agree up to float rounding (kernels differ by batch size),
    # which lossy WebP can amplify at a few pixels; another seed's picture is far away.
    rounding = np.abs(pixels(alone[0]) - pixels(batch[1]))
    other_seed = np.abs(pixels(alone[0]) - pixels(batch[0]))
    assert rounding.mean() < 1 and rounding.max() <= 32
    assert other_seed.mean() > 10 * max(rounding.mean(), 0.1)


def test_a_variation_is_drawn_from_the_picked_image(renderer) -> None:  # type: ignore[no-untyped-def]
    diffusers, store = renderer
    [parent] = designs_for_brief(DesignBrief(garment="coat"), 1, diffusers.model_name)
    parent = parent.model_copy(
        update={"image_ref": store.put(f"{parent.id}.webp", diffusers.render([parent])[0])}
    )
    children = variations_of(parent, 2, strength=0.5)
    assert all(c.source_image_ref == parent.image_ref and c.strength == 0.5 for c in children)
    drawn = diffusers.render(children)
    assert len(drawn) == 2 and drawn[0] != drawn[1]
    assert diffusers.render(children) == drawn
    source = pixels(store.open(parent.image_ref))
    assert np.abs(pixels(drawn[0]) - source).mean() > 0, "a variation is a new picture, not a copy"


def png_b64(colour: tuple[int, int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def test_the_hosted_renderer_asks_once_per_prompt_for_n_images(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.enqueue(
        Reply.raw(
            {
                "created": 1,
                "data": [{"b64_json": png_b64((200, 0, 0))}, {"b64_json": png_b64((0, 200, 0))}],
            }
        )
    )
    llm = LLMSettings(api_base=fake_openai.api_base, api_key="test", timeout_s=5)
    hosted = HostedRenderer(
        RenderSettings(
            backend="hosted", model="openai/dall-e-3", image_size=256, output_format="jpeg"
        ),
        llm,
    )
    designs = designs_for_brief(DesignBrief(garment="scarf"), 2, hosted.model_name)
    images = hosted.render(designs)
    [request] = fake_openai.requests
    assert request["n"] == 2 and request["size"] == "256x256" and "scarf" in request["prompt"]
    assert [Image.open(io.BytesIO(i)).format for i in images] == ["JPEG", "JPEG"]


def test_the_blocklist_refuses_in_plain_words_and_allows_the_rest() -> None:
    moderator = BlocklistModerator(["nude", "see-through top"])
    assert "nude" in (moderator.refusal("A NUDE portrait in a dress") or "")
    assert "see-through top" in (moderator.refusal("a see-through top for the beach") or "")
    assert moderator.refusal("a nude-coloured dress") is not None, "whole words, hyphen included"
    assert moderator.refusal("denuded forest print dress") is None
    assert BlocklistModerator([]).refusal("anything") is None


def test_the_llm_moderator_follows_the_blocklist(fake_openai: FakeOpenAIServer) -> None:
    llm = LLMSettings(api_base=fake_openai.api_base, api_key="test")
    moderation = ModerationSettings(llm_model="omni-moderation-latest")
    moderator = moderator_for(Settings(llm=llm, moderation=moderation))
    result = {
        "flagged": True,
        "categories": {"violence/graphic": True, "hate": False},
        "category_scores": {"violence/graphic": 0.9, "hate": 0.0},
    }
    fake_openai.enqueue(
        Reply.raw({"id": "m1", "model": "omni", "results": [result]}),
        Reply.raw({"id": "m2", "model": "omni", "results": [{**result, "flagged": False}]}),
    )
    assert "violence graphic" in (moderator.refusal("a dress stained with blood") or "")
    assert moderator.refusal("a blue dress") is None
    assert "naked" in (moderator.refusal("a naked model") or ""), "the blocklist answers first"
    assert len(fake_openai.requests) == 2


def test_the_image_safety_hook_refuses_a_flagged_batch(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from stylegenie.adapters.diffusers_renderer import check_safety
    from stylegenie.core.ports import RenderRefused

    check_safety(SimpleNamespace(images=[], nsfw_content_detected=[False, False]))
    check_safety(SimpleNamespace(images=[]))  # pipelines without a checker pass
    with pytest.raises(RenderRefused, match="can't show"):
        check_safety(SimpleNamespace(images=[], nsfw_content_detected=[False, True]))


def test_a_render_the_safety_hook_refuses_is_not_stored(tmp_path: Path) -> None:
    from stylegenie.adapters.moderation import BlocklistModerator
    from stylegenie.core.ports import RenderRefused
    from stylegenie.gpu_workers.client import CeleryWorkers
    from stylegenie.gpu_workers.runtime import WorkerRuntime

    store = LocalImageStore(tmp_path / "images")
    flagging = WorkerRuntime(
        renderer=FixedRenderer(
            refusal="The picture came out as something I can't show", model_name="flagging"
        ),
        images=store,
        embedder=None,
        index=None,  # type: ignore[arg-type]
        searcher=None,
        moderator=BlocklistModerator([]),  # type: ignore[arg-type]
    )
    configure_celery(Settings(data_dir=tmp_path), lambda: flagging)  # eager
    with pytest.raises(RenderRefused, match="can't show"):
        CeleryWorkers(timeout_s=10).render_designs(
            designs_for_brief(DesignBrief(garment="dress"), 2, "x")
        )
    assert list((tmp_path / "images").iterdir()) == []
