"""Flat fashion sketches, one function per garment family, drawn from a design brief.

``garment_family`` reads the family from the brief's category (or, for mixed categories
like activewear, from its garment words and article types); ``sketch_for`` draws it.
Each family turns length, silhouette, sleeves and neckline into shapes (``sketch_body``
holds the shared geometry); colour, pattern and fabric are the painter's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from stylegenie.adapters import sketch_body as body
from stylegenie.adapters import sketch_items
from stylegenie.adapters.sketch_body import NECK_Y, WAIST_Y, Fit, fit_for, half_width, torso
from stylegenie.adapters.sketch_canvas import Piece, Sketch, curve, mirror, rect
from stylegenie.core.domain import DesignBrief

Family = Literal[
    "dress", "top", "shirt", "trousers", "skirt", "shorts", "jacket", "jumpsuit",
    "footwear", "bag", "accessory",
]  # fmt: skip

_BY_CATEGORY: dict[str, Family] = {
    "dress": "dress", "top": "top", "knitwear": "top", "shirt": "shirt",
    "trousers": "trousers", "jeans": "trousers", "skirt": "skirt", "shorts": "shorts",
    "outerwear": "jacket", "suit": "jacket", "jumpsuit": "jumpsuit", "footwear": "footwear",
    "bag": "bag", "accessory": "accessory", "eyewear": "accessory", "watch": "accessory",
    "jewellery": "accessory", "beauty": "accessory",
}  # fmt: skip
"""Categories that name one family outright."""

_MIXED: dict[str, Family] = {
    "activewear": "top", "ethnic": "dress", "swimwear": "top", "innerwear": "top",
    "nightwear": "dress",
}  # fmt: skip
"""Categories whose pieces differ (leggings, sports bras): the words decide, else this."""

_WORDS: tuple[tuple[Family, str], ...] = (
    ("dress", r"(?:shirt|t-shirt|sweater|slip|sun) dress"),
    ("jacket", r"jacket|blazer|coat|parka|anorak|windbreaker|waistcoat|gilet|tracksuit|sherwani"),
    ("jumpsuit", r"jumpsuit|romper|playsuit|overalls|dungarees|boilersuit"),
    ("trousers", r"trousers|pants|jeans|jeggings|leggings|joggers|capris|chinos|slacks"
                 r"|pyjamas|pajamas|night suit|salwar|churidar|palazzos"),
    ("shorts", r"shorts|trunks?|briefs|boxers|knickers"),
    ("top", r"t-?shirt|tee|sweatshirt|polo|tank|cami|camisole|blouse|tunic|sweater|jumper"
            r"|hoodie|cardigan|bra|bralette|bikini|kurti|kurta|vest|top"),
    ("shirt", r"shirt"),
    ("skirt", r"skirt"),
    ("dress", r"dress|gown|frock|saree|sari|lehenga|nightdress|nightie|robe|kaftan"),
    ("accessory", r"dupatta|scarf|stole|shawl"),
)  # fmt: skip
"""Garment words and article types → family, most specific first."""

_DRESS_HEMS = {"cropped": 0.64, "mini": 0.66, "knee-length": 0.82, "midi": 0.98,
               "ankle-length": 1.12, "maxi": 1.16, "floor-length": 1.24}  # fmt: skip
_SKIRT_HEMS = {"cropped": 0.38, "mini": 0.38, "knee-length": 0.6, "midi": 0.8,
               "ankle-length": 0.96, "maxi": 1.0, "floor-length": 1.08}  # fmt: skip
_TROUSER_HEMS = {"mini": 0.45, "knee-length": 0.62, "cropped": 0.78, "midi": 0.78,
                 "ankle-length": 0.9, "maxi": 1.02, "floor-length": 1.05}  # fmt: skip
_SHORTS_HEMS = {"mini": 0.37, "cropped": 0.37, "knee-length": 0.6, "midi": 0.6}
_JUMPSUIT_HEMS = {"mini": 0.86, "cropped": 1.16, "knee-length": 1.02, "midi": 1.16,
                  "ankle-length": 1.28, "maxi": 1.38, "floor-length": 1.4}  # fmt: skip
_LEGS = {"slim fit": 0.045, "bodycon": 0.04, "pencil": 0.045, "fitted": 0.05,
         "straight": 0.075, "relaxed": 0.095, "oversized": 0.11, "wide-leg": 0.14,
         "flowy": 0.14, "a-line": 0.1}  # fmt: skip
"""Silhouette → a trouser leg's half-width at the hem."""
_LONG = ("knee-length", "midi", "ankle-length", "maxi", "floor-length")
_UNWAISTED = ("shift", "straight", "relaxed", "oversized", "bodycon")


def garment_family(brief: DesignBrief) -> Family:
    """The family a brief draws as: its category's, else its words', else a dress."""
    category = (brief.category or "").lower()
    if category in _BY_CATEGORY:
        return _BY_CATEGORY[category]
    text = words(brief)
    for family, pattern in _WORDS:
        if re.search(rf"\b(?:{pattern})s?\b", text):
            return family
    return _MIXED.get(category, "dress")


def words(brief: DesignBrief) -> str:
    """The brief's garment words and article types, lower case, for matching."""
    return " ".join([brief.garment or "", *brief.article_types]).lower()


def sketch_for(brief: DesignBrief) -> Sketch:
    """The brief drawn as a flat sketch of its family."""
    return _SKETCHES[garment_family(brief)](brief)


def dress(brief: DesignBrief) -> Sketch:
    """Bodice, waist and a skirt whose hem falls at the length and flares by silhouette."""
    sil, sketch = brief.silhouette or "a-line", Sketch(min_height=1.25)
    fit = fit_for(sil)
    shape = torso(brief, fit, "scoop", "sleeveless")
    waist_y = 0.3 if sil == "empire" else WAIST_Y
    hem_y = _DRESS_HEMS.get(brief.length or "", 0.82)
    waist = fit.waist if sil != "empire" else fit.chest - 0.01
    lower, hem_half, sag = body.skirt_side(sil, waist, waist_y, hem_y)
    side = shape.draw(sketch, lower, body.hem(hem_half, hem_y, sag))
    _waist(sketch, brief, sil, half_width(side, waist_y), waist_y)
    _skirt_details(sketch, brief, sil, (half_width(side, waist_y), waist_y), (hem_half, hem_y))
    return sketch


def top(brief: DesignBrief) -> Sketch:
    """A top from tee to tunic: cropped or long, ribbed bands on knits, a hood on hoodies."""
    sil, text, sketch = brief.silhouette or "", words(brief), Sketch(min_height=0.95)
    fit = fit_for(sil)
    knit = brief.category == "knitwear" or "knit" in (brief.fabric or "")
    bare = brief.category in ("swimwear", "innerwear") or re.search(
        r"\b(bra|bikini|cami|tank)", text
    )
    sleeves = "sleeveless" if bare else "long" if knit or "hoodie" in text else "short"
    hem_y = 0.66
    if brief.length == "cropped" or re.search(r"\b(bra|bikini)", text):
        hem_y = 0.46
    elif brief.length in _LONG or re.search(r"\b(tunic|kurt)", text):
        hem_y = 0.86
    banded = knit or len(brief.colours) > 1
    shape = torso(brief, fit, "crew", sleeves, cuffed=banded)
    hem_half = fit.waist + (0.06 if sil in ("flowy", "a-line", "fit-and-flare") else 0.01)
    lower = [(0.5 + fit.waist, WAIST_Y)] if hem_y > WAIST_Y + 0.06 else []
    if "hoodie" in text:
        sketch.add(curve((0.35, NECK_Y + 0.06), (0.5, NECK_Y - 0.42), (0.65, NECK_Y + 0.06)))
    side = shape.draw(sketch, [*lower, (0.5 + hem_half, hem_y)], [])
    if "hoodie" in text:
        sketch.line([(0.47, NECK_Y + 0.05), (0.465, NECK_Y + 0.2)], mirrored=True)
        sketch.line(
            [(0.38, hem_y - 0.06), (0.4, hem_y - 0.2), (0.6, hem_y - 0.2), (0.62, hem_y - 0.06)]
        )
    if banded:
        body.band(sketch, half_width(side, hem_y - 0.05), hem_half, hem_y - 0.05, hem_y)
    if sil == "peplum":
        body.flounce(sketch, fit.waist, WAIST_Y, 0.1)
    if sil == "wrap":
        sketch.line([(0.44, NECK_Y + 0.06), (0.5 + fit.waist, WAIST_Y)])
    return sketch


def shirt(brief: DesignBrief) -> Sketch:
    """A collared shirt: placket and buttons, cuffed sleeves, a chest pocket, curved hem."""
    sketch = Sketch(min_height=0.95, vertical_stripes=True)
    fit = fit_for(brief.silhouette)
    shape = torso(brief, fit, "collared", "long", cuffed=True)
    hem_y, hem_half = (0.5 if brief.length == "cropped" else 0.7), fit.waist + 0.015
    shape.draw(
        sketch,
        [(0.5 + fit.waist, WAIST_Y), (0.5 + hem_half, hem_y)],
        body.hem(hem_half, hem_y, 0.05),
    )
    sketch.line([(0.5, NECK_Y + 0.06), (0.5, hem_y + 0.045)])
    sketch.buttons += [(0.5, y) for y in body.steps(NECK_Y + 0.1, hem_y - 0.04, 0.1)]
    sketch.line([(0.56, 0.17), (0.56, 0.25), (0.6, 0.27), (0.64, 0.25), (0.64, 0.17), (0.56, 0.17)])
    return sketch


def jacket(brief: DesignBrief) -> Sketch:
    """Jackets and coats: lapels on tailored pieces, quilting on puffers, a zip and stand
    collar otherwise; the length runs from cropped to a long coat."""
    text, sketch = words(brief), Sketch(min_height=1.05)
    puffer = bool(re.search(r"puff|quilt|parka|down", text))
    tailored = not puffer and bool(
        re.search(r"blazer|suit|tux|coat|trench|sherwani|waistcoat|gilet", text)
    )
    fit = fit_for(brief.silhouette or ("relaxed" if puffer else None))
    if puffer:
        fit = Fit(fit.shoulder + 0.02, fit.chest + 0.035, fit.chest + 0.03, fit.drop)
    coat = bool(re.search(r"\bcoat|trench|parka", text))
    hems = {"cropped": 0.5, "mini": 0.72, "knee-length": 0.92, "midi": 1.02}
    hem_y = hems.get(brief.length or "", 1.15 if brief.length else 0.96 if coat else 0.72)
    sleeves = "sleeveless" if re.search(r"waistcoat|gilet", text) else "long"
    neck = "lapels" if tailored else "crew"
    shape = torso(brief.model_copy(update={"neckline": neck}), fit, neck, sleeves,
                 cuffed=not tailored, quilted=puffer)  # fmt: skip
    if tailored:  # the shirt underneath shows in the V
        shape.behind = [
            Piece(p.points, "light" if p.role == "lining" else p.role) for p in shape.behind
        ]
    hem_half = fit.waist + (0.03 if hem_y > 0.8 else 0.0)
    side = shape.draw(sketch, [(0.5 + fit.waist, WAIST_Y), (0.5 + hem_half, hem_y)], [])
    if tailored:
        sketch.add([(0.575, NECK_Y), (0.63, 0.15), (0.6, 0.165), (0.64, 0.2), (0.505, 0.4),
                    (0.565, NECK_Y + 0.03)], mirrored=True)  # fmt: skip
        sketch.line([(0.5, 0.4), (0.5, hem_y)])
        sketch.buttons += [(0.52, y) for y in body.steps(0.46, min(hem_y - 0.05, 0.7), 0.11)]
        if hem_y > 0.8:
            half = fit.waist + 0.01
            sketch.add(rect(0.5 - half, WAIST_Y - 0.02, 0.5 + half, WAIST_Y + 0.025), "trim")
    else:
        sketch.add(rect(0.415, NECK_Y - 0.06, 0.585, NECK_Y + 0.035), "trim")
        sketch.line([(0.5, NECK_Y + 0.035), (0.5, hem_y)], "seam" if puffer else "stitch")
    if hem_y > 0.62:
        sketch.line(
            [(0.6, 0.5), (0.63, 0.6)] if not tailored else [(0.58, 0.56), (0.68, 0.56)],
            mirrored=True,
        )
    if not tailored and not puffer:
        body.band(sketch, half_width(side, hem_y - 0.05), hem_half, hem_y - 0.05, hem_y)
    if puffer:
        for y in body.steps(0.16, hem_y - 0.04, 0.09):
            width = half_width(side, y)
            sketch.line([(0.5 - width, y), (0.5 + width, y)])
    return sketch


def trousers(
    brief: DesignBrief, hems: dict[str, float] = _TROUSER_HEMS, default: float = 1.0
) -> Sketch:
    """Trousers by kind: tailored (slant pockets, fly, crease), jeans (stitching, rivet),
    leggings (a tall waistband, nothing else) and track pants (cuffs, side stripe)."""
    text, sil = words(brief), brief.silhouette or ""
    sketch = Sketch(min_height=1.05 if default > 0.5 else 0.75, vertical_stripes=True)
    leggings = bool(re.search(r"legging|yoga", text))
    track = bool(re.search(r"track|jogger|sweatpant|lounge|pyjama|pajama|night suit", text))
    jeans = brief.category == "jeans" or "denim" in (brief.fabric or "") or "jean" in text
    leg = _LEGS.get(sil, 0.045 if leggings else 0.075 if default > 0.5 else 0.1)
    hem_y = hems.get(brief.length or "", default)
    lower, crotch = body.legs(0.0, hem_y, leg, 0.155, flared=sil == "flared")
    sketch.add([*lower, crotch, *reversed(mirror(lower))])
    top = 0.08 if leggings else 0.055
    sketch.add(rect(0.343, -0.005, 0.657, top), "trim")
    outer, inner = (
        lower[-2] if sil != "flared" else lower[-3],
        lower[-1] if sil != "flared" else lower[-2],
    )
    if track and hem_y > 0.7 and sil not in ("wide-leg", "flared"):
        sketch.add(rect(inner[0], hem_y - 0.05, outer[0], hem_y), "trim", mirrored=True)
    if track:
        stripe = [
            (0.685, 0.16),
            (outer[0], hem_y - 0.05),
            (outer[0] - 0.025, hem_y - 0.05),
            (0.66, 0.16),
        ]
        sketch.add(stripe, "trim", mirrored=True)
        sketch.line([(0.49, top), (0.48, top + 0.09)], mirrored=True)
    elif not leggings:
        style = "stitch" if jeans else "seam"
        sketch.line([(0.5, top), (0.5, 0.24)])
        sketch.line([(0.535, top), (0.535, 0.19), (0.5, 0.24)], style)
        pocket = (
            curve((0.58, top), (0.6, 0.12), (0.675, 0.12)) if jeans else [(0.6, top), (0.68, 0.16)]
        )
        sketch.line(pocket, style, mirrored=True)
        sketch.buttons.append((0.5, top / 2))
        if jeans:
            sketch.line(
                [(outer[0] - 0.005, hem_y - 0.03), (inner[0] + 0.005, hem_y - 0.03)],
                "stitch",
                mirrored=True,
            )
        elif hem_y > 0.5:
            sketch.line([(0.6, 0.2), ((outer[0] + inner[0]) / 2, hem_y)], "fold", mirrored=True)
    return sketch


def shorts(brief: DesignBrief) -> Sketch:
    """Trousers cut short: mini, mid-thigh or to the knee."""
    return trousers(brief, _SHORTS_HEMS, 0.45)


def skirt(brief: DesignBrief) -> Sketch:
    """A waistband and a skirt whose hem falls at the length and flares by silhouette."""
    sil, sketch = brief.silhouette or "a-line", Sketch(min_height=1.1)
    hem_y = _SKIRT_HEMS.get(brief.length or "", 0.6)
    lower, hem_half, sag = body.skirt_side(sil, 0.15, 0.0, hem_y)
    sketch.add([*lower, *body.hem(hem_half, hem_y, sag), *reversed(mirror(lower))])
    sketch.add(rect(0.347, -0.01, 0.653, 0.05), "trim")
    _skirt_details(sketch, brief, sil, (0.15, 0.05), (hem_half, hem_y))
    return sketch


def jumpsuit(brief: DesignBrief) -> Sketch:
    """A bodice joined at the waist to trouser legs; a romper when the length is mini."""
    sil, sketch = brief.silhouette or "", Sketch(min_height=1.4)
    fit = fit_for(sil)
    shape = torso(brief, fit, "v-neck", "short")
    hem_y = _JUMPSUIT_HEMS.get(brief.length or "", 1.36)
    leg = _LEGS.get(sil, 0.1 if hem_y < 1 else 0.085)
    lower, crotch = body.legs(WAIST_Y, hem_y, leg, fit.waist, flared=sil == "flared")
    shape.draw(sketch, lower, [crotch])
    _waist(sketch, brief, "", fit.waist, WAIST_Y)
    sketch.line([(0.6, WAIST_Y + 0.05), (0.67, WAIST_Y + 0.14)], mirrored=True)
    return sketch


def _skirt_details(
    sketch: Sketch,
    brief: DesignBrief,
    sil: str,
    waist: tuple[float, float],
    hem_at: tuple[float, float],
) -> None:
    """Folds on flared skirts, pleats, a wrap's overlap, a pencil's vent, a mermaid's seam."""
    (w, waist_y), (h, hem_y) = waist, hem_at
    if "pleated" in brief.style_notes:
        for k in (-0.75, -0.45, -0.15, 0.15, 0.45, 0.75):
            sketch.line([(0.5 + k * w, waist_y), (0.5 + k * h, hem_y)])
    elif h - w > 0.1:
        for k in (-0.55, 0.0, 0.55):
            sketch.line([(0.5 + k * w, waist_y + 0.1), (0.5 + k * h * 0.9, hem_y)], "fold")
    if sil == "wrap":
        sketch.line(
            curve(
                (0.5 + w * 0.7, waist_y),
                (0.5 + h * 0.1, hem_y * 0.7),
                (0.5 + h * 0.35, hem_y + 0.02),
            )
        )
    if sil in ("pencil", "bodycon"):
        sketch.line([(0.5, hem_y), (0.5, hem_y - 0.09)])
    if sil == "mermaid":
        sketch.line(
            curve(
                (0.5 - w - 0.02, hem_y - 0.16), (0.5, hem_y - 0.13), (0.5 + w + 0.02, hem_y - 0.16)
            )
        )
    if sil == "peplum":
        body.flounce(sketch, w, waist_y, 0.1)


def _waist(sketch: Sketch, brief: DesignBrief, sil: str, half: float, y: float) -> None:
    """A sash in the second colour at the waist, else a waist seam (none when unwaisted)."""
    if len(brief.colours) > 1:
        sketch.add([(0.492 - half, y - 0.02), (0.508 + half, y - 0.02), (0.512 + half, y + 0.025),
                    (0.488 - half, y + 0.025)], "trim")  # fmt: skip
    elif sil not in _UNWAISTED:
        sketch.line([(0.5 - half, y), (0.5 + half, y)])
    if sil == "wrap":
        sketch.line([(0.43, NECK_Y + 0.08), (0.5 + half, y)])


_SKETCHES: dict[Family, Callable[[DesignBrief], Sketch]] = {
    "dress": dress, "top": top, "shirt": shirt, "trousers": trousers, "skirt": skirt,
    "shorts": shorts, "jacket": jacket, "jumpsuit": jumpsuit, "footwear": sketch_items.footwear,
    "bag": sketch_items.bag, "accessory": sketch_items.accessory,
}  # fmt: skip
