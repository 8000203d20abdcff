"""Body geometry shared by the clothing sketches: fit, neckline, sleeves, skirts, legs.

Coordinates are garment units: the centre line is x = 0.5, the neck sits at y ≈ 0.04,
the armpits at y ≈ 0.27 and the natural waist at y = 0.42. Shapes are built for the
right-hand side and mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stylegenie.adapters.sketch_canvas import Line, Piece, Point, Sketch, curve, mirror, rect
from stylegenie.core.domain import DesignBrief

NECK_Y, NECK = 0.04, 0.075
SHOULDER_Y, ARMPIT_Y, WAIST_Y = 0.085, 0.27, 0.42
ARM = (0.5, 0.866)
"""The direction a sleeve hangs: 30° out from the body."""

SLEEVES: dict[str, tuple[float, float, float]] = {
    "cap": (0.07, 0.16, 0.0),
    "short": (0.17, 0.14, 0.0),
    "puff": (0.16, 0.12, 0.05),
    "three-quarter": (0.34, 0.11, 0.0),
    "bell": (0.36, 0.25, 0.0),
    "long": (0.52, 0.09, 0.0),
}
"""Sleeve style → (length along the arm, cuff width, how far it puffs out)."""

FLARES = {
    "a-line": 0.38, "fit-and-flare": 0.62, "flowy": 0.5, "wrap": 0.3, "empire": 0.32,
    "flared": 0.45, "wide-leg": 0.35, "peplum": 0.04, "shift": 0.06, "straight": 0.03,
    "relaxed": 0.12, "oversized": 0.12, "fitted": 0.08, "slim fit": 0.05,
}  # fmt: skip
"""Silhouette → how much a skirt widens per unit of length."""

_CLOSE = ("bodycon", "fitted", "slim fit", "pencil", "mermaid", "fit-and-flare", "peplum")
_SHAPED = ("wrap", "empire", "a-line", "flared")
_LOOSE = ("relaxed", "straight", "shift", "flowy", "wide-leg")


@dataclass(frozen=True)
class Fit:
    """Half-widths at the shoulder, chest and waist; ``drop`` lowers the shoulder seam."""

    shoulder: float
    chest: float
    waist: float
    drop: float = 0.0


def fit_for(silhouette: str | None) -> Fit:
    """How close the garment sits, from its silhouette."""
    if silhouette == "oversized":
        return Fit(0.25, 0.22, 0.22, 0.045)
    if silhouette in _LOOSE:
        return Fit(0.205, 0.19, 0.185)
    if silhouette in _CLOSE or silhouette in _SHAPED:
        return Fit(0.195, 0.17, 0.13)
    return Fit(0.2, 0.18, 0.155)


@dataclass
class Torso:
    """A garment's top: the neckline across, the right side down to the armpit, what is
    drawn behind the body (inside back, sleeves) and over it (collar, band)."""

    neck: list[Point]
    right: list[Point] = field(default_factory=list)
    behind: list[Piece] = field(default_factory=list)
    over: list[Piece] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def draw(self, sketch: Sketch, lower: list[Point], hem: list[Point]) -> list[Point]:
        """Adds the torso to ``sketch`` with ``lower`` (the right side below the armpit, top
        to bottom) and ``hem`` (points between the right and left hem corners); returns
        the body's whole right side, top to bottom."""
        side = self.right + lower
        sketch.pieces += self.behind
        sketch.add([*self.neck, *side, *hem, *reversed(mirror(side))])
        sketch.pieces += self.over
        sketch.lines += self.lines
        return side


def torso(
    brief: DesignBrief, fit: Fit, neckline: str, sleeves: str, *, cuffed: bool = False,
    quilted: bool = False,
) -> Torso:  # fmt: skip
    """The top of a garment with the brief's neckline and sleeves, else the defaults given."""
    style, sleeve = brief.neckline or neckline, brief.sleeves or sleeves
    if style == "halter":
        return _halter(fit)
    top = _off_shoulder(fit) if style == "off-shoulder" else _neckline(style)
    if style != "off-shoulder" and sleeve == "sleeveless":
        strap = (top.neck[-1][0] + 0.05, NECK_Y + 0.005)
        armpit = (0.5 + fit.chest, ARMPIT_Y)
        top.right = curve(strap, (strap[0] + 0.01, ARMPIT_Y - 0.05), armpit, 8)
    elif style != "off-shoulder":
        top.right = [
            (0.5 + fit.shoulder, SHOULDER_Y + fit.drop),
            (0.5 + fit.chest, ARMPIT_Y + fit.drop),
        ]
    if sleeve != "sleeveless":
        pieces, lines = _sleeve(sleeve, top.right[0], top.right[1], cuffed, quilted)
        top.behind += pieces + [Piece(tuple(mirror(p.points)), p.role) for p in pieces]
        top.lines += lines + [Line(tuple(mirror(line.points)), line.style) for line in lines]
    return top


def half_width(side: list[Point], y: float) -> float:
    """How far a side (points top to bottom) is from the centre line at height ``y``."""
    for (x0, y0), (x1, y1) in zip(side, side[1:], strict=False):
        if y0 <= y <= y1 and y1 > y0:
            return x0 - 0.5 + (x1 - x0) * (y - y0) / (y1 - y0)
    return side[-1][0] - 0.5


def skirt_side(
    sil: str, waist: float, waist_y: float, hem_y: float
) -> tuple[list[Point], float, float]:
    """A skirt's right side from the waist down to the hem corner, the hem's half-width and
    how far the hem curves down."""
    if sil in ("bodycon", "pencil", "mermaid"):
        knee = hem_y - 0.16 if sil == "mermaid" else hem_y
        hip = (0.5 + waist + 0.045, waist_y + 0.14)
        side = curve((0.5 + waist, waist_y), (hip[0] + 0.005, hip[1] - 0.06), hip, 5)
        side += curve(hip, (hip[0], hip[1] + 0.1), (0.5 + waist + 0.02, knee), 5)[1:]
        if sil != "mermaid":
            return side, waist + 0.02, 0.0
        return [*side, (0.5 + waist + 0.17, hem_y)], waist + 0.17, 0.03
    hem_half = waist + FLARES.get(sil, 0.3) * (hem_y - waist_y)
    sag = min(0.06, (hem_half - waist) * 0.25)
    return [(0.5 + waist, waist_y), (0.5 + hem_half, hem_y)], hem_half, sag


def legs(
    top_y: float, hem_y: float, leg: float, waist: float, *, flared: bool
) -> tuple[list[Point], Point]:
    """The right leg from the waist (outer side down, then inner side up) and the crotch."""
    centre = max(0.1, leg + 0.02)
    if flared:
        knee_y, knee, centre, leg = top_y + (hem_y - top_y) * 0.55, 0.06, 0.14, 0.13
        outer = [(0.5 + 0.1 + knee, knee_y), (0.5 + centre + leg, hem_y)]
        inner = [(0.5 + centre - leg, hem_y), (0.5 + 0.1 - knee, knee_y)]
    else:
        outer, inner = [(0.5 + centre + leg, hem_y)], [(0.5 + centre - leg, hem_y)]
    hip = (0.5 + waist + 0.03, top_y + 0.16)
    return [(0.5 + waist, top_y), hip, *outer, *inner], (0.5, top_y + 0.31)


def hem(half: float, y: float, sag: float) -> list[Point]:
    """A hem from the right corner across to the left, curving down by ``sag``."""
    return curve((0.5 + half, y), (0.5, y + 2 * sag), (0.5 - half, y))[1:-1]


def band(sketch: Sketch, top_half: float, bottom_half: float, top: float, bottom: float) -> None:
    """A ribbed band at a hem, in the trim colour."""
    corners = [(0.5 - top_half, top), (0.5 + top_half, top)]
    sketch.add([*corners, (0.5 + bottom_half, bottom), (0.5 - bottom_half, bottom)], "trim")
    for x in steps(0.5 - bottom_half + 0.02, 0.5 + bottom_half - 0.01, 0.03):
        sketch.line([(x, top + 0.008), (x, bottom - 0.008)], "fold")


def flounce(sketch: Sketch, half: float, y: float, depth: float) -> None:
    """A peplum flounce flaring out below the waist."""
    flare = half + 0.08
    sketch.add([(0.5 - half, y), (0.5 + half, y), (0.5 + flare, y + depth),
                *hem(flare, y + depth, 0.01), (0.5 - flare, y + depth)])  # fmt: skip
    sketch.line(
        [(0.5 - half * 0.4, y + 0.02), (0.5 - half * 0.6, y + depth)], "fold", mirrored=True
    )


def steps(start: float, stop: float, step: float) -> list[float]:
    """Evenly spaced values from ``start`` up to ``stop``."""
    return [start + i * step for i in range(max(1, int((stop - start) / step) + 1))]


def _neckline(style: str) -> Torso:
    """A neckline cut between the two neck points, the inside back showing through it."""
    wide = 0.1 if style in ("scoop", "cowl", "square") else NECK
    left, right = (0.5 - wide, NECK_Y), (0.5 + wide, NECK_Y)
    top = Torso(neck=curve(left, (0.5, NECK_Y + 0.075), right))  # crew, and unknown ones
    if style in ("v-neck", "lapels"):
        top.neck = [left, (0.5, 0.4 if style == "lapels" else NECK_Y + 0.17), right]
    elif style in ("scoop", "cowl"):
        top.neck = curve(left, (0.5, NECK_Y + (0.22 if style == "scoop" else 0.16)), right)
    elif style == "square":
        top.neck = [left, (left[0], NECK_Y + 0.1), (right[0], NECK_Y + 0.1), right]
    elif style == "collared":
        top.neck = [left, (0.5, NECK_Y + 0.07), right]
        collar = [(0.5, NECK_Y + 0.055), (0.5 + NECK - 0.01, NECK_Y - 0.02),
                  (0.5 + NECK + 0.035, NECK_Y + 0.015), (0.5 + 0.06, NECK_Y + 0.13)]  # fmt: skip
        top.over += [Piece(tuple(collar)), Piece(tuple(mirror(collar)))]
    elif style == "turtleneck":
        top.neck = curve(left, (0.5, NECK_Y + 0.05), right)
        under = curve((0.58, NECK_Y + 0.01), (0.5, NECK_Y + 0.08), (0.42, NECK_Y + 0.01))
        top.over.append(Piece(((0.43, NECK_Y - 0.07), (0.57, NECK_Y - 0.07), *under), "trim"))
        top.lines += [
            Line(((x, NECK_Y - 0.06), (x, NECK_Y + 0.02)), "fold") for x in (0.46, 0.5, 0.54)
        ]
    if style == "cowl":
        for depth in (0.24, 0.32):
            drape = curve((0.42, NECK_Y + 0.03), (0.5, depth), (0.58, NECK_Y + 0.03))
            top.lines.append(Line(tuple(drape), "fold"))
    back = curve(left, (0.5, NECK_Y + 0.03), right)
    top.behind.append(Piece((*top.neck, *reversed(back)), "lining"))
    return top


def _halter(fit: Fit) -> Torso:
    """A halter: straps from the neck to the underarm, a band round the neck, no sleeves."""
    neck = [(0.45, NECK_Y - 0.03), (0.5, NECK_Y + 0.12), (0.55, NECK_Y - 0.03)]
    right = curve(neck[-1], (0.57, ARMPIT_Y - 0.04), (0.5 + fit.chest, ARMPIT_Y + 0.01), 8)
    collar = Piece(tuple(rect(0.44, NECK_Y - 0.05, 0.56, NECK_Y - 0.025)), "trim")
    return Torso(neck=neck, right=right[1:], over=[collar])


def _off_shoulder(fit: Fit) -> Torso:
    """A straight band across the upper arms, the sleeves starting below it."""
    width, top = fit.shoulder + 0.02, 0.15
    ruffle = [
        Line(((x, top + 0.035), (x - 0.005, top + 0.05)), "fold") for x in (0.36, 0.44, 0.52, 0.6)
    ]
    return Torso(
        neck=[(0.5 - width, top), (0.5 + width, top)],
        right=[(0.5 + width, top + 0.01), (0.5 + fit.chest, ARMPIT_Y + 0.03)],
        over=[Piece(tuple(rect(0.49 - width, top - 0.02, 0.51 + width, top + 0.035)))],
        lines=ruffle,
    )


def _sleeve(
    style: str, shoulder: Point, armpit: Point, cuffed: bool, quilted: bool
) -> tuple[list[Piece], list[Line]]:
    """The right sleeve hanging from the shoulder: its pieces, and folds or quilting."""
    length, cuff, puff = SLEEVES.get(style, SLEEVES["long"])
    (dx, dy), (nx, ny) = ARM, (-ARM[1], ARM[0])

    def along(point: Point, t: float) -> Point:
        return (point[0] + dx * t, point[1] + dy * t)

    outer = along(shoulder, length)
    inner = (outer[0] + nx * cuff, outer[1] + ny * cuff)
    if puff:
        middle = along(shoulder, length / 2)
        points = [
            *curve(shoulder, (middle[0] - nx * puff, middle[1] - ny * puff), outer),
            inner,
            armpit,
        ]
    else:
        points = [shoulder, outer, inner, armpit]
    pieces, lines = [Piece(tuple(points))], []
    if cuffed or puff:
        back = -0.045 if cuffed else -0.025
        pieces.append(Piece((outer, inner, along(inner, back), along(outer, back)), "trim"))
    if style == "bell":
        for t in (0.3, 0.6):
            start = along(
                (outer[0] + nx * cuff * t * 0.4, outer[1] + ny * cuff * t * 0.4), -length / 2
            )
            lines.append(
                Line((start, (outer[0] + nx * cuff * t, outer[1] + ny * cuff * t)), "fold")
            )
    if quilted:
        for t in (0.25, 0.5, 0.75):
            a = (
                shoulder[0] + (outer[0] - shoulder[0]) * t,
                shoulder[1] + (outer[1] - shoulder[1]) * t,
            )
            b = (armpit[0] + (inner[0] - armpit[0]) * t, armpit[1] + (inner[1] - armpit[1]) * t)
            lines.append(Line((a, b)))
    return pieces, lines
