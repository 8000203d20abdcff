"""Design classification for atelier matching: what it is (category) and how hard it is to make.

Complexity grows with the garment's construction, demanding fabrics and hand
techniques; the result explains itself in one line ("complex: suit construction +3,
lining +1"), so an atelier owner sees why a lead was judged that way.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from .domain import Complexity, DesignBrief

COMPLEXITY_ORDER: tuple[Complexity, ...] = ("simple", "moderate", "complex", "couture")

CATEGORIES = (
    "top",
    "shirt",
    "dress",
    "skirt",
    "trousers",
    "jeans",
    "shorts",
    "jumpsuit",
    "outerwear",
    "suit",
    "knitwear",
    "activewear",
    "ethnic",
    "footwear",
    "bag",
    "accessory",
    "swimwear",
    "nightwear",
)
"""Garment families ateliers declare they make (and CLIP zero-shot chooses among)."""

CONSTRUCTION = {
    "suit": 3,
    "outerwear": 2,
    "ethnic": 2,
    "dress": 1,
    "jumpsuit": 1,
    "jeans": 1,
    "knitwear": 1,
    "swimwear": 1,
}
"""Points for the garment family's construction (others: 0)."""

DEMANDING_FABRICS = {
    "silk": 1,
    "satin": 1,
    "chiffon": 1,
    "organza": 2,
    "lace": 1,
    "velvet": 1,
    "leather": 2,
    "suede": 2,
    "tulle": 1,
    "brocade": 2,
    "georgette": 1,
    "tweed": 1,
}
"""Points for fabrics that are hard to cut and sew."""

TECHNIQUES = {
    "embroidered": 2,
    "beaded": 3,
    "sequinned": 2,
    "draped": 2,
    "pleated": 1,
    "ruffled": 1,
    "corset": 2,
    "tailored": 2,
    "lined": 1,
    "appliqué": 2,
    "hand-painted": 2,
    "backless": 1,
    "off-shoulder": 1,
    "halter neck": 1,
    "cut-out": 1,
    "two-piece": 1,
    "three-piece": 2,
}
"""Points for hand techniques and construction details named in the brief."""


class Classification(BaseModel):
    """A design's category and complexity, with the one-line reason."""

    category: str
    complexity: Complexity
    points: int
    reason: str


def complexity_for(points: int) -> Complexity:
    """0–1 simple, 2–3 moderate, 4–5 complex, 6 and up couture."""
    return COMPLEXITY_ORDER[min(3, points // 2)]


def classify(brief: DesignBrief, zero_shot_category: str | None = None) -> Classification:
    """Classify a brief; ``zero_shot_category`` (e.g. from CLIP) fills a missing category."""
    category = brief.category or zero_shot_category or "other"
    reasons: list[tuple[str, int]] = []
    if CONSTRUCTION.get(category):
        reasons.append((f"{category} construction", CONSTRUCTION[category]))
    if brief.fabric in DEMANDING_FABRICS:
        reasons.append((brief.fabric, DEMANDING_FABRICS[brief.fabric]))
    details = [*brief.style_notes, brief.silhouette or ""]
    reasons += [(note, TECHNIQUES[note]) for note in details if note in TECHNIQUES]
    points = sum(p for _, p in reasons)
    complexity = complexity_for(points)
    why = ", ".join(f"{name} +{p}" for name, p in reasons) or "plain construction"
    return Classification(
        category=category, complexity=complexity, points=points, reason=f"{complexity}: {why}"
    )


def within(complexity: Complexity, highest: Complexity) -> bool:
    """True when a design of ``complexity`` is no harder than ``highest``."""
    return COMPLEXITY_ORDER.index(complexity) <= COMPLEXITY_ORDER.index(highest)


def zero_shot(image_vector: Sequence[float], category_vectors: dict[str, Sequence[float]]) -> str:
    """The category whose prompt vector is closest to the image (unit vectors: dot = cosine)."""

    def similarity(category: str) -> float:
        return sum(a * b for a, b in zip(image_vector, category_vectors[category], strict=True))

    return max(category_vectors, key=similarity)
