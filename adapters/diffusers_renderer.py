"""The diffusers renderer: designs drawn by a text-to-image model on a GPU worker.

The model is loaded once per process, lazily, behind a lock: a model id already in the
local Hugging Face cache or a local folder (no downloads at run time). All designs of
one call render in one batch; each image has its own seeded generator, so rendering the
same designs again gives the same bytes (a design rendered alone instead of in a batch
agrees up to float rounding: kernels differ by batch size). A design with a
``source_image_ref`` is a variation: image-to-image from that picture at its strength.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from stylegenie.config.settings import RenderSettings
from stylegenie.core.domain import Design
from stylegenie.core.ports import RenderProgress, RenderRefused

from .image_encoding import ModelRenderer, decode_image, encode_image
from .lazy_model import LazyModel, pick_device

log = logging.getLogger(__name__)


class DiffusersRenderer(ModelRenderer):
    """Renders designs with ``AutoPipelineForText2Image`` (and its image-to-image sibling)."""

    def __init__(self, settings: RenderSettings, read_image: Callable[[str], bytes]) -> None:
        super().__init__(settings, "diffusers")
        self._read_image = read_image
        self._pipelines: LazyModel[tuple[Any, Any]] = LazyModel(self._build)
        self._device = "cpu"

    @property
    def device(self) -> str:
        """Where the model runs ("cuda" or "cpu"); meaningful after load()."""
        return self._device

    def load(self) -> None:
        """Load the pipelines now (a worker's warm-up); later calls return at once."""
        self._pipelines.get()

    def _build(self) -> tuple[Any, Any]:
        """The text-to-image pipeline and its image-to-image sibling (same weights)."""
        import torch
        from diffusers import AutoPipelineForImage2Image, AutoPipelineForText2Image

        self._device = pick_device(self._settings.device)
        dtype = torch.float32
        if self._device == "cuda":
            dtype = torch.bfloat16 if self._settings.preset == "flux-schnell" else torch.float16
        text2img = AutoPipelineForText2Image.from_pretrained(
            self._settings.model, dtype=dtype, local_files_only=True
        ).to(self._device)
        text2img.set_progress_bar_config(disable=True)
        img2img = AutoPipelineForImage2Image.from_pipe(text2img)
        img2img.set_progress_bar_config(disable=True)
        log.info("loaded %s on %s (%s)", self._settings.model, self._device, dtype)
        return text2img, img2img

    def render(
        self, designs: Sequence[Design], progress: RenderProgress | None = None
    ) -> list[bytes]:
        """Encoded images, one per design, in order; fresh designs share one batch.

        ``progress`` hears (step, steps) of each batch's denoising loop.
        """
        text2img, img2img = self._pipelines.get()
        images: dict[str, bytes] = {}
        fresh = [d for d in designs if not d.source_image_ref]
        if fresh:
            drawn = self._batch(text2img, fresh, progress)
            images.update(zip((d.id for d in fresh), drawn, strict=True))
        variations = sorted((d for d in designs if d.source_image_ref), key=_source_key)
        for (source, strength), group in groupby(variations, key=_source_key):
            batch = list(group)
            init = decode_image(self._read_image(source))
            extra = {"image": [init] * len(batch), "strength": strength}
            drawn = self._batch(img2img, batch, progress, extra)
            images.update(zip((d.id for d in batch), drawn, strict=True))
        return [images[d.id] for d in designs]

    def _batch(
        self,
        pipeline: Any,
        designs: list[Design],
        progress: RenderProgress | None,
        extra: dict[str, Any] | None = None,
    ) -> list[bytes]:
        import torch

        plan = self._settings.plan()
        steps = plan.steps
        if extra:  # image-to-image runs steps × strength denoising steps: keep at least one
            steps = max(steps, math.ceil(1 / extra["strength"]))
        arguments: dict[str, Any] = {
            "prompt": [d.prompt for d in designs],
            "num_inference_steps": steps,
            "guidance_scale": plan.guidance,
            "generator": [torch.Generator(self._device).manual_seed(d.seed) for d in designs],
            **(extra or {}),
        }
        accepted = inspect.signature(pipeline.__call__).parameters
        if "negative_prompt" in accepted:
            arguments["negative_prompt"] = [d.negative_prompt for d in designs]
        if not extra:
            arguments.update(height=plan.size, width=plan.size)
        if progress and "callback_on_step_end" in accepted:

            def on_step(
                pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]
            ) -> dict[str, Any]:
                progress(step + 1, getattr(pipe, "num_timesteps", steps) or steps)
                return tensors

            arguments["callback_on_step_end"] = on_step
        with torch.inference_mode():
            output = pipeline(**arguments)
        check_safety(output)
        fmt, quality = self._settings.output_format, self._settings.output_quality
        return [encode_image(image, fmt, quality, max_side=plan.size) for image in output.images]


UNSAFE = (
    "The picture came out as something I can't show, so I didn't keep it. "
    "Try describing the outfit a little differently."
)


def check_safety(output: Any) -> None:
    """The image safety hook: refuse the whole batch when the pipeline's checker flags an image.

    Pipelines with a safety checker report ``nsfw_content_detected``; others report nothing
    and pass. A refusal stores nothing.
    """
    flags = getattr(output, "nsfw_content_detected", None) or []
    if any(flags):
        raise RenderRefused(UNSAFE)


def _source_key(design: Design) -> tuple[str, float]:
    return (design.source_image_ref or "", design.strength or 0.45)
