"""The embedded renderer: a clearly labelled preview card drawn from the brief.

No model and no GPU: the card shows the garment, a palette of the brief's colours
and its key attributes, so the conversation can go on until a real renderer
(diffusers on a GPU worker) is configured. The seed varies the card's layout, so
the same design always draws the same bytes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from stylegenie.core.domain import Design
from stylegenie.core.ports import RenderProgress

PALETTE = {
    "Black": (20, 20, 20),
    "White": (248, 248, 246),
    "Off White": (240, 236, 224),
    "Cream": (243, 229, 196),
    "Beige": (222, 203, 164),
    "Grey": (140, 140, 140),
    "Charcoal": (60, 63, 66),
    "Silver": (192, 192, 196),
    "Blue": (44, 98, 196),
    "Navy Blue": (25, 35, 80),
    "Teal": (0, 118, 118),
    "Turquoise Blue": (48, 196, 200),
    "Green": (60, 140, 80),
    "Olive": (110, 112, 50),
    "Sea Green": (46, 139, 87),
    "Red": (200, 30, 45),
    "Maroon": (110, 20, 35),
    "Burgundy": (120, 25, 50),
    "Pink": (240, 150, 180),
    "Magenta": (200, 30, 140),
    "Purple": (110, 50, 150),
    "Lavender": (190, 170, 230),
    "Mauve": (180, 130, 160),
    "Yellow": (245, 210, 60),
    "Mustard": (210, 165, 40),
    "Orange": (240, 130, 40),
    "Peach": (250, 190, 160),
    "Rust": (180, 80, 40),
    "Brown": (110, 70, 40),
    "Tan": (200, 160, 110),
    "Khaki": (190, 175, 120),
    "Gold": (212, 175, 55),
    "Bronze": (170, 110, 50),
}
NEUTRAL = (200, 195, 190)
LABEL = "PREVIEW CARD - not a rendered image"


class PreviewCardRenderer:
    """Draws a labelled design card (PNG) from a design's brief; deterministic per seed."""

    model_name = "preview-card"
    extension = "png"

    def __init__(self, size: int = 512) -> None:
        self._size = size

    def render(
        self, designs: Sequence[Design], progress: RenderProgress | None = None
    ) -> list[bytes]:
        """One card per design, reporting each card drawn."""
        cards = []
        for done, design in enumerate(designs, start=1):
            cards.append(self.card(design))
            if progress:
                progress(done, len(designs))
        return cards

    def card(self, design: Design) -> bytes:
        """The card as PNG bytes: label, garment, palette swatches and attributes."""
        size = self._size
        rng = random.Random(design.seed)
        brief = design.brief
        colours = [PALETTE.get(c, NEUTRAL) for c in brief.colours] or [NEUTRAL]
        background = tuple(245 - rng.randrange(20) for _ in range(3))
        image = Image.new("RGB", (size, size), background)
        draw = ImageDraw.Draw(image)
        title = ImageFont.load_default(size=max(12, size // 16))
        body = ImageFont.load_default(size=max(10, size // 28))

        draw.rectangle((0, 0, size, size // 12), fill=(30, 30, 30))
        draw.text((size // 40, size // 48), LABEL, fill=(255, 255, 255), font=body)
        draw.text(
            (size // 20, size // 8),
            (brief.garment or "outfit").title(),
            fill=(20, 20, 20),
            font=title,
        )

        swatch = size // 6
        top = size // 4
        for i, rgb in enumerate(colours[:4]):
            left = size // 20 + i * (swatch + size // 40)
            draw.rounded_rectangle(
                (left, top, left + swatch, top + swatch),
                radius=swatch // 6,
                fill=rgb,
                outline=(0, 0, 0),
            )

        self._draw_silhouette(draw, colours[0], rng)
        lines = [line for line in _attribute_lines(design) if line]
        for i, line in enumerate(lines[:8]):
            draw.text(
                (size // 20, top + swatch + size // 20 + i * size // 22),
                line,
                fill=(40, 40, 40),
                font=body,
            )
        draw.text(
            (size // 20, size - size // 14), f"seed {design.seed}", fill=(120, 120, 120), font=body
        )

        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()

    def _draw_silhouette(
        self, draw: ImageDraw.ImageDraw, rgb: tuple[int, int, int], rng: random.Random
    ) -> None:
        """A simple dress-form shape on the right; its width varies with the seed."""
        size = self._size
        centre = int(size * 0.75)
        shoulder = size // 10 + rng.randrange(size // 40 + 1)
        hem = size // 6 + rng.randrange(size // 12 + 1)
        top, waist, bottom = size // 4, int(size * 0.45), int(size * 0.85)
        draw.polygon(
            [
                (centre - shoulder, top),
                (centre + shoulder, top),
                (centre + shoulder // 2, waist),
                (centre + hem, bottom),
                (centre - hem, bottom),
                (centre - shoulder // 2, waist),
            ],
            fill=rgb,
            outline=(0, 0, 0),
        )


def _attribute_lines(design: Design) -> list[str]:
    brief = design.brief
    return [
        ", ".join(brief.colours) and f"Colours: {', '.join(brief.colours)}",
        brief.fabric and f"Fabric: {brief.fabric}",
        brief.sleeves and f"Sleeves: {brief.sleeves}",
        brief.length and f"Length: {brief.length}",
        brief.silhouette and f"Silhouette: {brief.silhouette}",
        brief.occasion and f"Occasion: {brief.occasion}",
        brief.style_notes and f"Style: {', '.join(brief.style_notes)}",
        brief.budget_text() and f"Budget: {brief.budget_text()}",
    ]
