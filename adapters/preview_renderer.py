"""The embedded renderer: a clearly labelled sketch card drawn from the design's brief.

No model and no GPU: while no image model is configured, each design is drawn as a flat
fashion sketch of its garment family (``garment_sketches``) in its colours, length,
sleeves, silhouette, neckline, pattern and fabric, with the outfit's other pieces drawn
smaller beside it, its name, its caption and a palette. The same design always draws the
same bytes; the seed only tints the paper, never the shape.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from stylegenie.adapters.garment_sketches import garment_family, sketch_for
from stylegenie.adapters.sketch_canvas import paint
from stylegenie.adapters.sketch_fabrics import RGB, Look
from stylegenie.core.domain import Design, DesignBrief
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
    "Copper": (184, 115, 51),
    "Nude": (227, 188, 160),
    "Skin": (232, 190, 160),
    "Rose": (226, 120, 140),
    "Taupe": (150, 130, 115),
    "Steel": (110, 120, 130),
    "Lime Green": (160, 200, 60),
    "Fluorescent Green": (120, 240, 60),
    "Grey Melange": (170, 170, 168),
    "Coffee Brown": (90, 60, 40),
    "Mushroom Brown": (160, 140, 120),
    "Metallic": (180, 180, 188),
    "Multi": (200, 80, 130),
}
NEUTRAL = (200, 195, 190)
LABEL = "SKETCH PREVIEW - not a rendered image"

SHADES: dict[str, tuple[str, RGB]] = {
    "sage": ("Green", (156, 175, 136)), "sage green": ("Green", (156, 175, 136)),
    "mint": ("Green", (170, 220, 190)), "emerald": ("Green", (20, 130, 90)),
    "forest green": ("Green", (34, 85, 50)), "bottle green": ("Green", (20, 80, 50)),
    "blush": ("Pink", (236, 190, 185)), "dusty pink": ("Pink", (214, 160, 165)),
    "hot pink": ("Pink", (230, 60, 140)), "baby blue": ("Blue", (170, 200, 235)),
    "sky blue": ("Blue", (135, 190, 235)), "royal blue": ("Blue", (50, 80, 190)),
    "cobalt": ("Blue", (0, 71, 171)), "ivory": ("Off White", (250, 245, 230)),
    "camel": ("Tan", (193, 154, 107)), "terracotta": ("Rust", (200, 100, 70)),
    "lilac": ("Lavender", (200, 162, 200)), "coral": ("Peach", (248, 128, 114)),
    "wine": ("Burgundy", (114, 47, 55)), "chocolate": ("Brown", (80, 45, 25)),
    "denim blue": ("Blue", (80, 110, 150)), "indigo": ("Blue", (50, 60, 120)),
}  # fmt: skip
"""The shopper's own shade words that draw truer than their catalogue colour."""

_SCALE = 2
"""The card is drawn at twice its size and scaled down, for smooth edges."""
_HEADER, _TEXT, _MUTED = (30, 30, 30), (28, 28, 30), (88, 88, 92)


class PreviewCardRenderer:
    """Draws a labelled sketch card (PNG) per design; the same design gives the same bytes."""

    model_name = "preview-card"
    extension = "png"

    def __init__(self, size: int) -> None:
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
        """The card as PNG bytes: label, name, caption, the sketched outfit and a palette."""
        size = self._size * _SCALE
        rng = random.Random(design.seed)
        paper = (248 - rng.randrange(12), 247 - rng.randrange(12), 244 - rng.randrange(12))
        image = Image.new("RGB", (size, size), paper)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, size, round(size * 0.075)), fill=_HEADER)
        label = _font(size * 0.034)
        draw.text((size * 0.03, size * 0.0375), _clip(draw, LABEL, label, size * 0.94),
                  fill=(255, 255, 255), font=label, anchor="lm")  # fmt: skip
        brief = design.brief
        title = _font(size * 0.058)
        name = (brief.garment or garment_family(brief)).capitalize()
        draw.text(
            (size * 0.05, size * 0.095),
            _clip(draw, name, title, size * 0.9),
            fill=_TEXT,
            font=title,
        )
        caption = _font(size * 0.036)
        lines = _wrap(draw, design.caption or describe(brief), caption, size * 0.9)
        for i, line in enumerate(lines):
            draw.text((size * 0.05, size * (0.175 + i * 0.045)), line, fill=_MUTED, font=caption)
        self._outfit(image, design, paper)
        self._palette(draw, brief)
        small = image.resize((self._size, self._size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()

    def _outfit(self, image: Image.Image, design: Design, paper: RGB) -> None:
        """The main piece large; the outfit's other pieces in a column beside it."""
        size = image.width
        top, bottom = round(size * 0.28), round(size * 0.87)
        companions = design.companions[:3]
        right = round(size * (0.64 if companions else 0.95))
        paint(
            image,
            sketch_for(design.brief),
            look(design.brief),
            (round(size * 0.05), top, right, bottom),
        )
        if not companions:
            return
        draw, font = ImageDraw.Draw(image), _font(size * 0.03)
        cell = (bottom - top) / len(companions)
        left, edge = round(size * 0.68), round(size * 0.96)
        for i, piece in enumerate(companions):
            y0, y1 = round(top + i * cell), round(top + (i + 1) * cell - size * 0.015)
            tint = (paper[0] - 10, paper[1] - 10, paper[2] - 10)
            draw.rounded_rectangle((left, y0, edge, y1), radius=size // 60, fill=tint)
            name = _clip(
                draw, (piece.garment or garment_family(piece)).capitalize(), font, edge - left
            )
            draw.text(
                ((left + edge) / 2, y1 - size * 0.008), name, fill=_MUTED, font=font, anchor="md"
            )
            box = (left + size // 40, y0 + size // 50, edge - size // 40, round(y1 - size * 0.045))
            paint(image, sketch_for(piece), look(piece), box)

    def _palette(self, draw: ImageDraw.ImageDraw, brief: DesignBrief) -> None:
        """Swatches of the main piece's colours, named in the shopper's words."""
        size = draw.im.size[0]
        side, x, y = round(size * 0.06), round(size * 0.05), round(size * 0.9)
        font = _font(size * 0.032)
        for rgb, name in list(zip(colours(brief), colour_names(brief), strict=False))[:4]:
            draw.rounded_rectangle(
                (x, y, x + side, y + side), radius=side // 6, fill=rgb, outline=_TEXT, width=2
            )
            draw.text((x + side * 1.25, y + side / 2), name, fill=_MUTED, font=font, anchor="lm")
            x += round(side * 1.5 + draw.textlength(name, font=font) + size * 0.03)


def look(brief: DesignBrief) -> Look:
    """How the brief's piece looks: its colours, pattern, fabric and any sequins."""
    rgb = colours(brief)
    sparkle = any("sequin" in note for note in brief.style_notes)
    fabric = f"knit {brief.fabric or ''}" if brief.category == "knitwear" else brief.fabric
    return Look(rgb[0], rgb[1] if len(rgb) > 1 else None, brief.pattern, fabric, sparkle)


def colours(brief: DesignBrief) -> list[RGB]:
    """The brief's colours as RGB, a known shade word before its catalogue colour."""
    drawn = []
    for colour in brief.colours:
        shade = next(
            (
                SHADES[s.lower()][1]
                for s in brief.shades
                if SHADES.get(s.lower(), ("",))[0] == colour
            ),
            None,
        )
        drawn.append(shade or PALETTE.get(colour, NEUTRAL))
    return drawn or [NEUTRAL]


def colour_names(brief: DesignBrief) -> list[str]:
    """The colours' names: the shopper's shade word where there is one."""
    names = []
    for colour in brief.colours:
        shade = next((s for s in brief.shades if SHADES.get(s.lower(), ("",))[0] == colour), None)
        names.append(shade or colour.lower())
    return names or ["undecided colour"]


def describe(brief: DesignBrief) -> str:
    """A caption from the brief when the design has none: "Midi, a-line, bell sleeves, linen"."""
    words = [brief.length, brief.silhouette, brief.sleeves and f"{brief.sleeves} sleeves",
             brief.neckline, brief.pattern, brief.fabric]  # fmt: skip
    return ", ".join(w for w in words if w).capitalize()


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, round(size)))


def _clip(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: float,
) -> str:
    """The text, cut with an ellipsis where it would run past ``width``."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: float,
) -> list[str]:
    """The text in at most two lines of ``width``, the second clipped."""
    first: list[str] = []
    words = text.split()
    while words and draw.textlength(" ".join([*first, words[0]]), font=font) <= width:
        first.append(words.pop(0))
    lines = [" ".join(first)] if first else []
    if words:
        lines.append(_clip(draw, " ".join(words), font, width))
    return lines
