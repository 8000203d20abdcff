"""Flat sketches of things not shaped by the body's frame: shoes, bags and accessories.

Shoes are drawn side on, toe to the right, as a pair (the far one in shadow); bags and
accessories face front. The kind (boot or sneaker, backpack or clutch, beanie or
watch...) comes from the brief's garment words, article types and category.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from stylegenie.adapters.sketch_canvas import Line, Piece, Sketch, curve, ellipse, rect, strap
from stylegenie.adapters.sketch_fabrics import Role
from stylegenie.core.domain import DesignBrief

Shoe = Callable[[Sketch], None]


def footwear(brief: DesignBrief) -> Sketch:
    """A pair of shoes of the brief's kind: boot, heel, sandal, sneaker or a low shoe."""
    text = _words(brief)
    kinds: list[tuple[str, Shoe]] = [
        (r"boot", _boot),
        (r"heel|pump|stiletto|wedge", _heel),
        (r"sandal|flip|slide|floater|chappal", _sandal),
        (r"sneaker|trainer|sport|running", _sneaker),
    ]
    kind = next((shoe for pattern, shoe in kinds if re.search(pattern, text)), _shoe)
    near, far = Sketch(min_height=0.9), Sketch()
    kind(near)
    kind(far)
    sketch = Sketch(min_height=0.9)
    for piece in far.pieces:  # the far shoe, behind and up a little, in shadow
        role: Role = "lining" if piece.role == "body" else piece.role
        sketch.pieces.append(Piece(tuple((x + 0.2, y - 0.08) for x, y in piece.points), role))
    sketch.pieces += near.pieces
    sketch.lines, sketch.buttons = near.lines, near.buttons
    return sketch


def bag(brief: DesignBrief) -> Sketch:
    """A bag of the brief's kind: backpack, clutch, tote, crossbody or handbag."""
    text, sketch = _words(brief), Sketch()
    flap: Role = "trim" if len(brief.colours) > 1 else "body"
    if re.search(r"backpack|rucksack", text):
        sketch.add([(0.12, 0.32), (0.04, 0.36), (0.04, 0.9), (0.12, 0.95)], "lining", mirrored=True)
        sketch.add(strap(curve((0.38, 0.2), (0.5, -0.04), (0.62, 0.2)), 0.035))
        body = curve((0.1, 0.35), (0.1, 0.12), (0.5, 0.12)) + curve(
            (0.5, 0.12), (0.9, 0.12), (0.9, 0.35)
        )
        sketch.add([*body, (0.9, 0.98), (0.1, 0.98)])
        sketch.add(rect(0.2, 0.6, 0.8, 0.9), flap)
        sketch.line([(0.2, 0.68), (0.8, 0.68)], "stitch")
    elif re.search(r"clutch|wallet|evening", text):
        sketch.add(rect(0.0, 0.3, 1.0, 0.82))
        sketch.add([(0.0, 0.3), (1.0, 0.3), (0.5, 0.64)], flap)
        sketch.buttons.append((0.5, 0.6))
    elif re.search(r"tote|laptop|duffel|shopper", text):
        for x in (0.2, 0.56):
            sketch.add(strap(curve((x, 0.3), (x + 0.12, -0.3), (x + 0.24, 0.3)), 0.03))
        sketch.add([(0.05, 0.3), (0.95, 0.3), (1.0, 1.0), (0.0, 1.0)])
        sketch.add([(0.05, 0.3), (0.95, 0.3), (0.955, 0.38), (0.045, 0.38)], flap)
    else:
        crossbody = re.search(r"cross|sling|messenger|satchel", text)
        handle = (
            curve((0.12, 0.4), (0.5, -0.9), (0.88, 0.4), 16)
            if crossbody
            else curve((0.24, 0.38), (0.5, -0.12), (0.76, 0.38))
        )
        sketch.add(strap(handle, 0.025 if crossbody else 0.045))
        bottom = curve((1.0, 0.9), (1.0, 1.0), (0.9, 1.0)) + curve(
            (0.1, 1.0), (0.0, 1.0), (0.0, 0.9)
        )
        sketch.add([(0.1, 0.38), (0.9, 0.38), *bottom])
        sketch.add([(0.1, 0.38), (0.9, 0.38), (0.88, 0.6), (0.5, 0.7), (0.12, 0.6)], flap)
        sketch.add(ellipse(0.5, 0.66, 0.04, 0.04, 12), "metal")
    return sketch


def accessory(brief: DesignBrief) -> Sketch:
    """Hats, eyewear, a watch, a belt, jewellery, a tie, lipstick; a scarf for the rest."""
    text, category, sketch = _words(brief), brief.category or "", Sketch()
    if re.search(r"beanie|\bcaps?\b|hat", text):
        _hat(sketch, text)
    elif category == "eyewear" or re.search(r"glasses|eyewear|sunnies|aviator", text):
        for cx in (0.27, 0.73):
            sketch.add(ellipse(cx, 0.5, 0.23, 0.17))
            sketch.add(ellipse(cx, 0.5, 0.19, 0.135), "lining")
        sketch.add(rect(0.48, 0.42, 0.52, 0.46))
        sketch.line([(0.04, 0.45), (-0.06, 0.38)], mirrored=True)
    elif category == "watch" or "watch" in text:
        sketch.add(rect(0.38, 0.0, 0.62, 1.0))
        sketch.add(rect(0.7, 0.47, 0.75, 0.53), "metal")
        sketch.add(ellipse(0.5, 0.5, 0.22, 0.22), "metal")
        sketch.add(ellipse(0.5, 0.5, 0.17, 0.17), "light")
        sketch.lines += [Line(((0.5, 0.5), (0.5, 0.38))), Line(((0.5, 0.5), (0.59, 0.53)))]
        sketch.lines += [Line(((0.38, y), (0.62, y)), "fold") for y in (0.12, 0.2, 0.8, 0.88)]
    elif "belt" in text:
        sketch.add([(0.2, 0.4), (1.3, 0.4), (1.4, 0.475), (1.3, 0.55), (0.2, 0.55)])
        sketch.add(rect(0.0, 0.32, 0.22, 0.63), "metal")
        sketch.add(rect(0.04, 0.38, 0.18, 0.57), "lining")
        sketch.line([(0.04, 0.475), (0.26, 0.475)])
        sketch.buttons += [(x, 0.475) for x in (0.9, 1.0, 1.1)]
    elif category == "jewellery" or re.search(r"necklace|chain|pendant|earring", text):
        _jewellery(sketch, text)
    elif re.search(r"\btie|necktie", text):
        sketch.add([(0.4, 0.0), (0.6, 0.0), (0.56, 0.14), (0.44, 0.14)], "trim")
        sketch.add([(0.44, 0.14), (0.56, 0.14), (0.66, 0.88), (0.5, 1.0), (0.34, 0.88)])
    elif category == "beauty":
        sketch.add(rect(0.36, 0.5, 0.64, 1.0), "metal")
        sketch.add([(0.4, 0.5), (0.4, 0.15), (0.6, 0.0), (0.6, 0.5)])
    else:
        _scarf(sketch)
    return sketch


def _boot(sketch: Sketch) -> None:
    """An ankle boot: shaft, instep, rounded toe, thin sole, block heel, side panel, tab."""
    instep = curve((0.36, 0.3), (0.4, 0.44), (0.62, 0.46))
    toe = curve((0.62, 0.46), (0.97, 0.48), (0.98, 0.62))
    sketch.add(rect(0.09, -0.05, 0.16, 0.04), "trim")
    sketch.add([(0.05, 0.62), (0.04, 0.3), (0.07, 0.02), (0.34, 0.02), *instep, *toe[1:]])
    sketch.add([(0.17, 0.04), (0.25, 0.04), (0.22, 0.26)], "lining")
    sketch.add([(0.03, 0.61), (0.99, 0.61), (0.98, 0.66), (0.03, 0.66)], "trim")
    sketch.add([(0.04, 0.66), (0.22, 0.66), (0.21, 0.72), (0.05, 0.72)], "trim")


def _heel(sketch: Sketch) -> None:
    """A pump: a low-cut upper on a stiletto, the sole curving down to the toe."""
    top = curve((0.07, 0.2), (0.3, 0.34), (0.56, 0.38))
    toe = curve((0.56, 0.38), (0.96, 0.42), (1.0, 0.6))
    sole = curve((0.95, 0.62), (0.45, 0.62), (0.08, 0.4))
    sketch.add([(0.07, 0.4), (0.12, 0.4), (0.12, 0.7), (0.1, 0.7)], "trim")
    sketch.add([(0.06, 0.4), *top, *toe[1:], *sole])
    opening = curve((0.1, 0.24), (0.3, 0.37), (0.58, 0.41)) + curve(
        (0.58, 0.41), (0.35, 0.5), (0.1, 0.38)
    )
    sketch.add(opening, "lining")


def _sandal(sketch: Sketch) -> None:
    """A flat sandal: footbed, two straps over the foot and one round the ankle."""
    sketch.add([(0.02, 0.5), (0.98, 0.48), (1.0, 0.56), (0.03, 0.58)], "trim")
    sketch.add(strap(curve((0.66, 0.49), (0.78, 0.22), (0.92, 0.48)), 0.04))
    sketch.add(strap(curve((0.4, 0.5), (0.52, 0.14), (0.66, 0.49)), 0.04))
    sketch.add(strap(curve((0.08, 0.5), (0.02, 0.12), (0.3, 0.16)), 0.035))


def _sneaker(sketch: Sketch) -> None:
    """A trainer: light cupsole, padded collar, tongue and laces, a side stripe."""
    toe = curve((0.64, 0.16), (0.98, 0.17), (0.99, 0.34))
    collar = curve((0.04, 0.1), (0.16, 0.06), (0.27, 0.13))
    sketch.add([(0.03, 0.34), (0.0, 0.2), *collar, (0.32, 0.03), (0.4, 0.02), (0.44, 0.08), *toe])
    sketch.add([(0.2, 0.31), (0.52, 0.14), (0.58, 0.17), (0.3, 0.31)], "trim")
    sketch.add(
        [(-0.01, 0.33), (1.0, 0.33), (1.01, 0.38), (0.96, 0.42), (0.03, 0.42), (-0.01, 0.38)],
        "light",
    )
    sketch.line(curve((0.76, 0.33), (0.78, 0.2), (0.9, 0.18)))
    for i in range(4):
        x, y = 0.45 + i * 0.05, 0.09 + i * 0.022
        sketch.line([(x - 0.025, y + 0.03), (x + 0.025, y - 0.01)])


def _shoe(sketch: Sketch) -> None:
    """A low shoe (loafer, oxford, flat): slim sole, small heel, apron stitching."""
    toe = curve((0.5, 0.16), (0.97, 0.18), (0.99, 0.36))
    sketch.add([(0.03, 0.36), (0.03, 0.14), (0.28, 0.18), (0.5, 0.16), *toe])
    sketch.add([(0.02, 0.35), (1.0, 0.35), (0.99, 0.39), (0.03, 0.39)], "trim")
    sketch.add([(0.03, 0.39), (0.2, 0.39), (0.19, 0.44), (0.04, 0.44)], "trim")
    sketch.line(curve((0.52, 0.2), (0.7, 0.3), (0.88, 0.22)), "stitch")


def _hat(sketch: Sketch, text: str) -> None:
    """A beanie (dome and ribbed cuff), a cap (dome and brim) or a brimmed hat."""
    turns = [math.pi * i / 16 for i in range(17)]
    dome = [(0.5 - 0.45 * math.cos(t), 0.62 - 0.58 * math.sin(t)) for t in turns]
    if "beanie" in text:
        sketch.add(dome)
        sketch.add(rect(0.02, 0.55, 0.98, 0.82), "trim")
        sketch.lines += [Line(((x / 10, 0.58), (x / 10, 0.79)), "fold") for x in range(1, 10)]
    elif re.search(r"\bcaps?\b", text):
        sketch.add([(0.55, 0.6), (1.3, 0.64), (1.25, 0.72), (0.55, 0.7)], "trim")
        sketch.add(dome)
        sketch.line(curve((0.5, 0.05), (0.3, 0.3), (0.28, 0.62)))
        sketch.buttons.append((0.5, 0.05))
    else:
        sketch.add(ellipse(0.5, 0.7, 0.7, 0.14))
        crown = curve((0.2, 0.7), (0.2, 0.05), (0.5, 0.1)) + curve(
            (0.5, 0.1), (0.8, 0.05), (0.8, 0.7)
        )
        sketch.add(crown)
        sketch.add(rect(0.2, 0.55, 0.8, 0.68), "trim")


def _jewellery(sketch: Sketch, text: str) -> None:
    """Earrings (drops on small hoops) or a necklace (a chain with a pendant)."""
    if re.search(r"earring|stud|hoop|jhumka", text):
        for cx in (0.3, 0.7):
            sketch.add(strap(ellipse(cx, 0.3, 0.07, 0.07, 20) + [(cx + 0.07, 0.3)], 0.015), "metal")
            sketch.add([(cx, 0.38), (cx + 0.08, 0.58), (cx, 0.8), (cx - 0.08, 0.58)])
        return
    sketch.add(strap(curve((0.05, 0.0), (0.5, 1.3), (0.95, 0.0), 16), 0.015), "metal")
    sketch.add([(0.5, 0.6), (0.58, 0.72), (0.5, 0.86), (0.42, 0.72)])


def _scarf(sketch: Sketch) -> None:
    """A scarf hanging in two tails from a knot, with fringed ends."""
    sketch.add([(0.28, 0.1), (0.48, 0.1), (0.5, 1.0), (0.3, 1.0)])
    sketch.add([(0.46, 0.12), (0.66, 0.12), (0.74, 0.86), (0.54, 0.86)])
    sketch.add(ellipse(0.48, 0.12, 0.14, 0.09))
    sketch.lines += [Line(((x, 1.0), (x, 1.06))) for x in (0.33, 0.38, 0.43, 0.48)]
    sketch.lines += [Line(((x, 0.86), (x + 0.005, 0.92))) for x in (0.57, 0.62, 0.67, 0.72)]


def _words(brief: DesignBrief) -> str:
    """The brief's garment words, article types and category, lower case."""
    return " ".join([brief.garment or "", *brief.article_types, brief.category or ""]).lower()
