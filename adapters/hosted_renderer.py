"""A hosted image API through litellm's image generation, for people without a GPU.

Hosted APIs take no seed, so a hosted design cannot be re-rendered pixel for pixel;
the seed is still recorded for the day the provider accepts one.
"""

from __future__ import annotations

import base64
import urllib.request
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from stylegenie.config.settings import LLMSettings, RenderSettings
from stylegenie.core.domain import Design
from stylegenie.core.ports import RenderProgress

from .image_encoding import ModelRenderer, decode_image, encode_image
from .litellm_client import load_litellm, provider_arguments


class HostedRenderer(ModelRenderer):
    """Renders through ``litellm.image_generation`` (OpenAI-compatible image endpoints)."""

    def __init__(self, settings: RenderSettings, llm: LLMSettings) -> None:
        super().__init__(settings, "hosted")
        self._llm = llm

    def render(
        self, designs: Sequence[Design], progress: RenderProgress | None = None
    ) -> list[bytes]:
        """One request per distinct prompt, asking for as many images as designs share it."""
        litellm = load_litellm()
        size = self._settings.plan().size
        images: dict[str, bytes] = {}
        for prompt, group in groupby(designs, key=lambda d: d.prompt):
            batch = list(group)
            response = litellm.image_generation(
                prompt=prompt,
                model=self._settings.model,
                n=len(batch),
                size=f"{size}x{size}",
                response_format="b64_json",
                drop_params=True,
                **provider_arguments(self._llm),
            )
            for design, item in zip(batch, response.data, strict=True):
                picture = decode_image(_image_bytes(item))
                images[design.id] = encode_image(
                    picture,
                    self._settings.output_format,
                    self._settings.output_quality,
                    max_side=size,
                )
            if progress:
                progress(len(images), len(designs))
        return [images[d.id] for d in designs]


def _image_bytes(item: Any) -> bytes:
    """The image of one response item: inline base64, or fetched from the URL some models return."""
    if item.b64_json:
        return base64.b64decode(item.b64_json)
    with urllib.request.urlopen(item.url, timeout=60) as response:
        return bytes(response.read())
