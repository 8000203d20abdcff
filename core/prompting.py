"""Image prompts from a brief: what a renderer is asked to draw, and what to avoid."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .domain import Design, DesignBrief, new_id, utc_now
from .variants import caption, variant_briefs

NEGATIVE_PROMPT = "text, watermark, logo, deformed hands, extra limbs, blurry, low quality, nsfw"

_WEARERS = {"men": "a man", "women": "a woman", "boys": "a boy", "girls": "a girl"}


def garment_words(brief: DesignBrief) -> str:
    """The piece in a few words: "sage striped linen midi a-line dress"."""
    colours = brief.shades or brief.colours
    pattern = brief.pattern if brief.pattern != "plain" else None
    words = [*colours, pattern, brief.fabric, brief.length, brief.silhouette, brief.garment]
    return " ".join(w for w in words if w).lower() or "outfit"


def prompt_from_brief(brief: DesignBrief, companions: Sequence[DesignBrief] = ()) -> str:
    """A fashion-illustration prompt naming every attribute the brief (and its outfit) sets."""
    details = [words for words in (brief.sleeve_words(), brief.neckline_words()) if words]
    details += brief.style_notes
    if brief.avoid_colours:
        details.append("no " + " or ".join(c.lower() for c in brief.avoid_colours))
    wearer = _WEARERS.get(brief.gender or "", "a child" if brief.age_group == "kids" else "a model")
    prompt = f"fashion design illustration of {wearer} wearing a {garment_words(brief)}"
    if details:
        prompt += ", " + ", ".join(details)
    if companions:
        prompt += ", worn with " + " and ".join(garment_words(c) for c in companions)
    if brief.occasion:
        prompt += f", styled for {brief.occasion}"
    return prompt + ", full body, clean studio background, soft light, high detail"


def designs_for_brief(
    brief: DesignBrief,
    count: int,
    model: str,
    companions: Sequence[DesignBrief] = (),
    rng: random.Random | None = None,
) -> list[Design]:
    """``count`` unrendered variants of one piece (worn with ``companions``), each with its
    own open-dimension choices, caption and recorded seed."""
    rng = rng or random.Random()
    return [
        Design(
            brief=variant,
            companions=list(companions),
            caption=caption(variant),
            prompt=prompt_from_brief(variant, companions),
            negative_prompt=NEGATIVE_PROMPT,
            seed=rng.randrange(2**31),
            model=model,
        )
        for variant in variant_briefs(brief, count, rng)
    ]


def variations_of(
    design: Design, count: int, strength: float, rng: random.Random | None = None
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
