"""Image prompts from a brief: what a renderer is asked to draw, and what to avoid."""

from __future__ import annotations

import random

from .domain import Design, DesignBrief, new_id, utc_now

NEGATIVE_PROMPT = "text, watermark, logo, deformed hands, extra limbs, blurry, low quality, nsfw"


def prompt_from_brief(brief: DesignBrief) -> str:
    """A fashion-illustration prompt naming every attribute the brief sets."""
    garment = (
        " ".join(
            w
            for w in [*brief.colours, brief.fabric, brief.length, brief.silhouette, brief.garment]
            if w
        ).lower()
        or "outfit"
    )
    details = []
    if brief.sleeves:
        details.append(f"{brief.sleeves} sleeves")
    details += brief.style_notes
    wearer = {"men": "a man", "women": "a woman", "boys": "a boy", "girls": "a girl"}.get(
        brief.gender or "", "a model"
    )
    prompt = f"fashion design illustration of {wearer} wearing a {garment}"
    if details:
        prompt += ", " + ", ".join(details)
    if brief.occasion:
        prompt += f", styled for {brief.occasion}"
    return prompt + ", full body, clean studio background, soft light, high detail"


def designs_for_brief(
    brief: DesignBrief, count: int, model: str, rng: random.Random | None = None
) -> list[Design]:
    """``count`` unrendered designs of one brief, each with its own recorded seed."""
    rng = rng or random.Random()
    prompt = prompt_from_brief(brief)
    return [
        Design(
            brief=brief,
            prompt=prompt,
            negative_prompt=NEGATIVE_PROMPT,
            seed=rng.randrange(2**31),
            model=model,
        )
        for _ in range(count)
    ]


def variations_of(
    design: Design, count: int, strength: float = 0.45, rng: random.Random | None = None
) -> list[Design]:
    """New seeds of a chosen design, drawn from its picture (image-to-image) at ``strength``."""
    rng = rng or random.Random()
    return [
        design.model_copy(
            update={
                "id": new_id("d"),
                "created_at": utc_now(),
                "seed": rng.randrange(2**31),
                "parent_id": design.id,
                "source_image_ref": design.image_ref,
                "strength": strength if design.image_ref else None,
                "image_ref": None,
            }
        )
        for _ in range(count)
    ]
