"""Flat-sketch drawing: the pieces a garment is made of and the painter that fills them.

A sketch is a technical flat: ``Piece`` polygons back to front, then ink lines (seams,
soft folds, dashed stitching) and buttons, all in units of a garment about one unit tall
(x grows to the right, y downwards, the centre line at x = 0.5). The painter fits a
sketch into a box of the card, shows the cloth (``sketch_fabrics.swatch``) through each
body piece, fills every other piece by its role and outlines everything in ink.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageDraw

from stylegenie.adapters.sketch_fabrics import RGB, Look, Role, swatch, tone

Point = tuple[float, float]
LineStyle = Literal["seam", "fold", "stitch"]

INK = (38, 38, 44)
THREAD = (214, 160, 70)


@dataclass(frozen=True)
class Piece:
    """One filled shape; ``role`` picks its fill (cloth, trim, lining, light, metal)."""

    points: tuple[Point, ...]
    role: Role = "body"


@dataclass(frozen=True)
class Line:
    """An ink line inside a sketch: a seam, a soft fold or a dashed stitch."""

    points: tuple[Point, ...]
    style: LineStyle = "seam"


@dataclass
class Sketch:
    """A garment as a flat: pieces back to front, then lines and buttons on top.

    The painter fits the sketch into its box as if it were at least ``min_height`` units
    tall, so a mini skirt is drawn shorter than a maxi rather than blown up to its size.
    """

    pieces: list[Piece] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    buttons: list[Point] = field(default_factory=list)
    min_height: float = 0.0
    vertical_stripes: bool = False

    def add(self, points: Iterable[Point], role: Role = "body", *, mirrored: bool = False) -> None:
        """A piece, and with ``mirrored`` its mirror image across the centre line too."""
        points = tuple(points)
        self.pieces.append(Piece(points, role))
        if mirrored:
            self.pieces.append(Piece(tuple(mirror(points)), role))

    def line(
        self, points: Iterable[Point], style: LineStyle = "seam", *, mirrored: bool = False
    ) -> None:
        """An ink line, and with ``mirrored`` its mirror image too."""
        points = tuple(points)
        self.lines.append(Line(points, style))
        if mirrored:
            self.lines.append(Line(tuple(mirror(points)), style))


def mirror(points: Iterable[Point]) -> list[Point]:
    """The points reflected across the centre line x = 0.5."""
    return [(1 - x, y) for x, y in points]


def rect(left: float, top: float, right: float, bottom: float) -> list[Point]:
    """A rectangle's corners, clockwise from the top left."""
    return [(left, top), (right, top), (right, bottom), (left, bottom)]


def curve(start: Point, control: Point, end: Point, steps: int = 10) -> list[Point]:
    """A quadratic Bézier curve from ``start`` to ``end``, both included."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * t * (1 - t), t * t
        x = a * start[0] + b * control[0] + c * end[0]
        points.append((x, a * start[1] + b * control[1] + c * end[1]))
    return points


def ellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 28) -> list[Point]:
    """An ellipse as a polygon."""
    turns = [2 * math.pi * i / steps for i in range(steps)]
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in turns]


def strap(path: list[Point], width: float) -> list[Point]:
    """A strap ``width`` wide along ``path``: out along it, back on its right-hand side."""
    inside = []
    for i, (x, y) in enumerate(path):
        (ax, ay), (bx, by) = path[max(i - 1, 0)], path[min(i + 1, len(path) - 1)]
        length = math.hypot(bx - ax, by - ay) or 1.0
        inside.append((x - (by - ay) / length * width, y + (bx - ax) / length * width))
    return [*path, *reversed(inside)]


def paint(canvas: Image.Image, sketch: Sketch, look: Look, box: tuple[int, int, int, int]) -> None:
    """Draws ``sketch`` fitted and centred in ``box`` (left, top, right, bottom) of ``canvas``."""
    every = [p for piece in sketch.pieces for p in piece.points]
    every += [p for line in sketch.lines for p in line.points] + sketch.buttons
    x0, y0 = min(x for x, _ in every), min(y for _, y in every)
    x1, y1 = max(x for x, _ in every), max(y for _, y in every)
    unit = min((box[2] - box[0]) / (x1 - x0), (box[3] - box[1]) / max(y1 - y0, sketch.min_height))
    ox = (box[0] + box[2] - (x1 - x0) * unit) / 2 - x0 * unit
    oy = (box[1] + box[3] - (y1 - y0) * unit) / 2 - y0 * unit

    def px(points: Iterable[Point]) -> list[Point]:
        return [(ox + x * unit, oy + y * unit) for x, y in points]

    left, top = int(ox + x0 * unit) - 1, int(oy + y0 * unit) - 1
    size = (int((x1 - x0) * unit) + 4, int((y1 - y0) * unit) + 4)
    cloth = swatch(look, size, unit, sketch.vertical_stripes)
    draw = ImageDraw.Draw(canvas)
    ink = max(2, round(unit * 0.008))
    for piece in sketch.pieces:
        points = px(piece.points)
        if piece.role == "body":
            mask = Image.new("L", size, 0)
            ImageDraw.Draw(mask).polygon([(x - left, y - top) for x, y in points], fill=255)
            canvas.paste(cloth, (left, top), mask)
        else:
            draw.polygon(points, fill=look.fill(piece.role))
        draw.line([*points, points[0]], fill=INK, width=ink, joint="curve")
    for line in sketch.lines:
        points = px(line.points)
        if line.style == "stitch":
            _dashed(draw, points, max(3.0, unit * 0.02), look.second or THREAD, max(1, ink // 2))
        elif line.style == "fold":
            draw.line(points, fill=tone(look.colour, 0.35), width=max(1, ink // 2), joint="curve")
        else:
            draw.line(points, fill=INK, width=max(1, ink * 2 // 3), joint="curve")
    r = unit * 0.014
    for x, y in px(sketch.buttons):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=look.fill("trim"), outline=INK, width=1)


def _dashed(
    draw: ImageDraw.ImageDraw, points: list[Point], dash: float, rgb: RGB, width: int
) -> None:
    """A dashed polyline: dash, gap, dash... along every segment."""
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        length = max(math.hypot(bx - ax, by - ay), 1e-6)
        at = 0.0
        while at < length:
            a, b = at / length, min(at + dash, length) / length
            start = (ax + (bx - ax) * a, ay + (by - ay) * a)
            draw.line((*start, ax + (bx - ax) * b, ay + (by - ay) * b), fill=rgb, width=width)
            at += 2 * dash
