"""What a sketched piece is made of: its colours, pattern and fabric texture.

``Look`` says how a piece looks; ``swatch`` paints a rectangle of that cloth (colour,
then pattern in the second or a contrasting colour, then a texture hint for the fabric,
then sequins), which the painter shows through each body piece. Every random choice
here uses a fixed seed, so the same look always paints the same pixels.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]
Role = Literal["body", "trim", "lining", "light", "metal"]


@dataclass(frozen=True)
class Look:
    """How a piece looks: main colour, second colour, pattern, fabric and sparkle."""

    colour: RGB
    second: RGB | None = None
    pattern: str | None = None
    fabric: str | None = None
    sparkle: bool = False

    def fill(self, role: Role) -> RGB:
        """The flat fill of a piece of this role (body pieces get the whole swatch)."""
        if role == "body":
            return self.colour
        if role == "trim":
            return self.second or tone(self.colour, 0.2)
        if role == "lining":
            return shade(self.colour, 0.7)
        if role == "light":
            return self.second or (244, 242, 236)
        return (204, 178, 104)

    @property
    def accent(self) -> RGB:
        """The pattern's colour: the second colour, else one that stands out on the first."""
        if self.second:
            return self.second
        return (238, 232, 218) if luminance(self.colour) < 150 else (48, 62, 110)


def luminance(rgb: RGB) -> float:
    """Perceived brightness, 0 (black) to 255 (white)."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def shade(rgb: RGB, factor: float) -> RGB:
    """The colour darkened (factor < 1) or lightened (factor > 1)."""
    r, g, b = (min(255, int(c * factor)) for c in rgb)
    return (r, g, b)


def mix(rgb: RGB, other: RGB, amount: float) -> RGB:
    """The colour moved ``amount`` (0…1) of the way towards ``other``."""
    r, g, b = (int(c + (o - c) * amount) for c, o in zip(rgb, other, strict=True))
    return (r, g, b)


def tone(rgb: RGB, amount: float) -> RGB:
    """A visible variation of the colour: darker on light colours, lighter on dark ones."""
    if luminance(rgb) > 90:
        return shade(rgb, 1 - amount)
    return mix(rgb, (255, 255, 255), amount)


def swatch(look: Look, size: tuple[int, int], unit: float, vertical: bool) -> Image.Image:
    """A rectangle of the cloth; ``unit`` is pixels per garment unit (sets the scale of
    stripes, dots and texture), ``vertical`` turns stripes upright (shirts, trousers)."""
    cloth = _Cloth(Image.new("RGB", size, look.colour), unit, look, vertical)
    pattern = (look.pattern or "").lower()
    fabric = (look.fabric or "").lower()
    for name, draw in _PATTERNS.items():
        if name in pattern:
            draw(cloth)
            break
    for names, texture in _TEXTURES:
        if any(name in fabric for name in names):
            texture(cloth)
            break
    if look.sparkle:
        _sequins(cloth)
    return cloth.image


@dataclass(frozen=True)
class _Cloth:
    """A swatch being painted: the image, pixels per garment unit, the look."""

    image: Image.Image
    unit: float
    look: Look
    vertical: bool

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)

    def step(self, units: float, least: int = 3) -> int:
        """A length in pixels: ``units`` of the garment, never under ``least``."""
        return max(least, round(self.unit * units))

    def grid(self, units: float, jitter: float = 0.0) -> Iterator[tuple[float, float]]:
        """Points of a staggered grid over the swatch, jittered the same way every time."""
        step, rng = self.step(units, 4), random.Random(17)
        w, h = self.image.size
        for row, y in enumerate(range(-step, h + step, step)):
            for x in range(-step + (step // 2) * (row % 2), w + step, step):
                yield (
                    x + rng.uniform(-jitter, jitter) * step,
                    y + rng.uniform(-1, 1) * jitter * step,
                )

    def blend(self, rgb: RGB, mask: Image.Image) -> None:
        """Lays ``rgb`` over the swatch through ``mask`` (0 clear … 255 opaque)."""
        self.image.paste(Image.new("RGB", self.image.size, rgb), (0, 0), mask)


def _stripes(cloth: _Cloth) -> None:
    step, (w, h) = cloth.step(0.045 if cloth.vertical else 0.055), cloth.image.size
    width = step // 3 if cloth.vertical else step * 2 // 5
    for at in range(0, w if cloth.vertical else h, step):
        band = (at, 0, at + width, h) if cloth.vertical else (0, at, w, at + width)
        cloth.draw.rectangle(band, fill=cloth.look.accent)


def _checks(cloth: _Cloth) -> None:
    step, (w, h) = cloth.step(0.07), cloth.image.size
    across, down = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    for at in range(0, max(w, h), step):
        ImageDraw.Draw(across).rectangle((0, at, w, at + step // 2), fill=110)
        ImageDraw.Draw(down).rectangle((at, 0, at + step // 2, h), fill=110)
    cloth.blend(cloth.look.accent, ImageChops.add(across, down))


def _dots(cloth: _Cloth) -> None:
    r = cloth.step(0.018, 2)
    for x, y in cloth.grid(0.08):
        cloth.draw.ellipse((x - r, y - r, x + r, y + r), fill=cloth.look.accent)


def _florals(cloth: _Cloth) -> None:
    r, draw = cloth.step(0.016, 2), cloth.draw
    centre = (245, 206, 80) if cloth.look.accent != (245, 206, 80) else (250, 250, 245)
    leaf = tone(cloth.look.colour, 0.45)
    for x, y in cloth.grid(0.13, jitter=0.2):
        for dx, dy in ((0, -1), (0.95, -0.31), (0.59, 0.81), (-0.59, 0.81), (-0.95, -0.31)):
            cx, cy = x + dx * r * 1.3, y + dy * r * 1.3
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=cloth.look.accent)
        draw.ellipse((x - r * 0.6, y - r * 0.6, x + r * 0.6, y + r * 0.6), fill=centre)
        draw.ellipse((x + r * 2.2, y + r * 1.2, x + r * 3.6, y + r * 2.1), fill=leaf)


def _animal(cloth: _Cloth) -> None:
    r, draw, rng = cloth.step(0.028, 3), cloth.draw, random.Random(5)
    dark = (46, 32, 22) if luminance(cloth.look.colour) > 80 else (222, 196, 150)
    for x, y in cloth.grid(0.11, jitter=0.3):
        rx, ry = r * rng.uniform(0.8, 1.3), r * rng.uniform(0.6, 1.0)
        spot = (x - rx, y - ry, x + rx, y + ry)
        draw.ellipse(spot, fill=shade(cloth.look.colour, 0.78))
        for start in (20, 140, 250):
            draw.arc(spot, start, start + 80, fill=dark, width=max(2, r // 3))


def _twill(cloth: _Cloth) -> None:
    step, (w, h), rgb = cloth.step(0.016), cloth.image.size, tone(cloth.look.colour, 0.14)
    for x in range(-h, w, step):
        cloth.draw.line((x, h, x + h, 0), fill=rgb, width=1)


def _ribs(cloth: _Cloth) -> None:
    step, (w, h), rgb = cloth.step(0.025), cloth.image.size, tone(cloth.look.colour, 0.16)
    for x in range(0, w, step):
        cloth.draw.line((x, 0, x, h), fill=rgb, width=max(1, step // 3))


def _cords(cloth: _Cloth) -> None:
    step, (w, h) = cloth.step(0.03), cloth.image.size
    for x in range(0, w, step):
        cloth.draw.rectangle((x, 0, x + step // 3, h), fill=tone(cloth.look.colour, 0.2))
        cloth.draw.line((x + step // 2, 0, x + step // 2, h), fill=shade(cloth.look.colour, 1.12))


def _slubs(cloth: _Cloth) -> None:
    rng, length = random.Random(3), cloth.step(0.03)
    for x, y in cloth.grid(0.045, jitter=0.5):
        rgb = tone(cloth.look.colour, rng.choice((0.1, 0.16, -0.08)))
        cloth.draw.line((x, y, x + length * rng.uniform(0.5, 1.2), y), fill=rgb, width=1)


def _sheen(cloth: _Cloth, blur: float = 0.04, strength: int = 170) -> None:
    """Diagonal highlights: sharp on leather, broad on satin, faint on silk."""
    (w, h), mask = cloth.image.size, Image.new("L", cloth.image.size, 0)
    for shift, alpha in ((0.12, strength), (0.5, strength // 2)):
        x = w * shift
        band = [(x, 0), (x + w * 0.14, 0), (x + w * 0.14 - h * 0.4, h), (x - h * 0.4, h)]
        ImageDraw.Draw(mask).polygon(band, fill=alpha)
    glow = mask.filter(ImageFilter.GaussianBlur(max(2, cloth.unit * blur)))
    cloth.blend(mix(cloth.look.colour, (255, 255, 255), 0.55), glow)


def _velvet(cloth: _Cloth) -> None:
    """Crushed pile: soft darker and lighter vertical waves."""
    step, (w, h) = cloth.step(0.06), cloth.image.size
    dark, light = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    for x in range(0, w, step):
        ImageDraw.Draw(dark).rectangle((x, 0, x + step // 3, h), fill=120)
        ImageDraw.Draw(light).rectangle((x + step // 2, 0, x + step * 2 // 3, h), fill=90)
    blur = ImageFilter.GaussianBlur(max(1, step // 4))
    cloth.blend(shade(cloth.look.colour, 0.6), dark.filter(blur))
    cloth.blend(mix(cloth.look.colour, (255, 255, 255), 0.35), light.filter(blur))


def _scallops(cloth: _Cloth) -> None:
    step, (w, h), rgb = cloth.step(0.05, 4), cloth.image.size, tone(cloth.look.colour, 0.25)
    for row, y in enumerate(range(0, h, step)):
        for x in range(-step + (step // 2) * (row % 2), w, step):
            cloth.draw.arc((x, y - step // 2, x + step, y + step // 2), 0, 180, fill=rgb, width=1)
            cloth.draw.point((x + step // 2, y), fill=rgb)


def _stipple(cloth: _Cloth) -> None:
    rng, r = random.Random(11), cloth.step(0.003, 1)
    for x, y in cloth.grid(0.02, jitter=0.5):
        rgb = tone(cloth.look.colour, rng.choice((0.07, 0.12)))
        cloth.draw.ellipse((x - r, y - r, x + r, y + r), fill=rgb)


def _flecks(cloth: _Cloth) -> None:
    rng, r = random.Random(13), cloth.step(0.006, 1)
    for x, y in cloth.grid(0.03, jitter=0.5):
        rgb = rng.choice((tone(cloth.look.colour, 0.3), (230, 225, 210), (120, 60, 50)))
        cloth.draw.ellipse((x - r, y - r, x + r, y + r), fill=rgb)


def _mesh(cloth: _Cloth) -> None:
    step, (w, h), rgb = cloth.step(0.02), cloth.image.size, tone(cloth.look.colour, 0.1)
    for at in range(0, max(w, h), step):
        cloth.draw.line((at, 0, at, h), fill=rgb)
        cloth.draw.line((0, at, w, at), fill=rgb)


def _sequins(cloth: _Cloth) -> None:
    r = cloth.step(0.008, 1)
    for i, (x, y) in enumerate(cloth.grid(0.035, jitter=0.3)):
        rgb = (255, 255, 255) if i % 3 == 0 else shade(cloth.look.colour, 1.35)
        cloth.draw.ellipse((x - r, y - r, x + r, y + r), fill=rgb)


_PATTERNS: dict[str, Callable[[_Cloth], None]] = {
    "stripe": _stripes, "check": _checks, "plaid": _checks, "gingham": _checks,
    "polka": _dots, "dot": _dots, "floral": _florals, "flower": _florals,
    "animal": _animal, "leopard": _animal,
}  # fmt: skip
"""Pattern words → how to paint them."""

_TEXTURES: list[tuple[tuple[str, ...], Callable[[_Cloth], None]]] = [
    (("denim", "chambray"), _twill),
    (("corduroy",), _cords),
    (("velvet", "velour"), _velvet),
    (("knit", "cashmere", "seersucker"), _ribs),
    (("linen", "khadi", "muslin"), _slubs),
    (("leather", "patent", "nylon"), lambda cloth: _sheen(cloth, 0.015, 200)),
    (("satin",), lambda cloth: _sheen(cloth, 0.06, 190)),
    (("silk",), lambda cloth: _sheen(cloth, 0.05, 110)),
    (("lace",), _scallops),
    (("suede", "fleece", "flannel", "wool"), _stipple),
    (("tweed",), _flecks),
    (("tulle", "mesh", "organza", "chiffon", "georgette"), _mesh),
    (("sequin", "brocade"), _sequins),
]
"""Fabric words → a texture hint, first match wins (so "knit wool" is ribbed)."""
