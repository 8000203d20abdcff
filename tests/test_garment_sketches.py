"""The sketch preview: each garment family is drawn as its own flat, and the brief's
length, sleeves, silhouette, neckline, pattern, fabric and companions show in the pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from stylegenie.adapters.garment_sketches import garment_family, sketch_for
from stylegenie.adapters.preview_renderer import LABEL, PreviewCardRenderer, look
from stylegenie.adapters.sketch_canvas import paint
from stylegenie.core.domain import Design, DesignBrief

PAPER = (250, 250, 250)
FAMILIES = {
    "dress": DesignBrief(garment="dress", category="dress", colours=["Green"]),
    "top": DesignBrief(garment="t-shirt", category="top", colours=["White"]),
    "shirt": DesignBrief(garment="shirt", category="shirt", colours=["Blue"]),
    "trousers": DesignBrief(garment="trousers", category="trousers", colours=["Navy Blue"]),
    "skirt": DesignBrief(garment="skirt", category="skirt", colours=["Burgundy"]),
    "shorts": DesignBrief(garment="shorts", category="shorts", colours=["Khaki"]),
    "jacket": DesignBrief(garment="puffer jacket", category="outerwear", colours=["Red"]),
    "jumpsuit": DesignBrief(garment="jumpsuit", category="jumpsuit", colours=["Rust"]),
    "footwear": DesignBrief(garment="boots", category="footwear", colours=["Tan"]),
    "bag": DesignBrief(garment="handbag", category="bag", colours=["Black", "Gold"]),
    "accessory": DesignBrief(garment="beanie", category="accessory", colours=["White"]),
}
VALUES = {
    field: values.split(", ")
    for field, values in {
        "length": "mini, knee-length, midi, maxi, floor-length, cropped, ankle-length",
        "sleeves": "sleeveless, cap, short, three-quarter, long, puff, bell",
        "silhouette": "a-line, bodycon, shift, wrap, slim fit, relaxed, empire, oversized, flowy, "
        "peplum, fitted, straight, pencil, wide-leg, flared, fit-and-flare, mermaid",
        "neckline": "v-neck, crew, square, halter, off-shoulder, cowl, collared, scoop, turtleneck",
        "pattern": "striped, floral, checked, polka dot, animal print, plain",
        "fabric": "denim, knit, linen, leather, satin, silk, lace, velvet, corduroy, suede, tweed, "
        "chiffon, sequins, cotton",
    }.items()
}
"""Every value the brief parser gives each field."""


def drawn(brief: DesignBrief, size: int = 256) -> Image.Image:
    """The brief's sketch alone, fitted into a blank square."""
    canvas = Image.new("RGB", (size, size), PAPER)
    paint(canvas, sketch_for(brief), look(brief), (0, 0, size, size))
    return canvas


def inked(image: Image.Image, tolerance: int = 8) -> Image.Image:
    """A mask of the pixels that differ from the paper (read at the bottom-left corner)."""
    paper = Image.new("RGB", image.size, image.getpixel((0, image.height - 1)))
    diff = ImageChops.difference(image, paper).convert("L")
    return diff.point(lambda v: 255 if v > tolerance else 0)


def bounds(mask: Image.Image) -> tuple[int, int, int, int]:
    """The box around what is drawn on a mask."""
    box = mask.getbbox()
    assert box is not None, "nothing drawn"
    return box


def card(brief: DesignBrief, seed: int = 7, companions: list[DesignBrief] | None = None) -> bytes:
    design = Design(brief=brief, companions=companions or [], prompt="p", seed=seed, model="m")
    return PreviewCardRenderer(size=128).card(design)


@pytest.mark.parametrize(
    ("brief", "family"),
    [
        (DesignBrief(category="activewear", article_types=["Leggings"]), "trousers"),
        (DesignBrief(category="activewear", article_types=["Track Pants"]), "trousers"),
        (DesignBrief(category="activewear", garment="sports bra", article_types=["Bra"]), "top"),
        (DesignBrief(category="knitwear", garment="hoodie"), "top"),
        (DesignBrief(category="suit", garment="blazer", article_types=["Blazers"]), "jacket"),
        (DesignBrief(category="swimwear", garment="swim trunks"), "shorts"),
        (DesignBrief(category="ethnic", garment="saree", article_types=["Sarees"]), "dress"),
        (DesignBrief(category="nightwear", garment="pyjamas"), "trousers"),
        (DesignBrief(category="jeans"), "trousers"),
        (DesignBrief(category="eyewear"), "accessory"),
        (DesignBrief(category="watch"), "accessory"),
        (DesignBrief(garment="tank top"), "top"),
        (DesignBrief(garment="shirt dress"), "dress"),
        (DesignBrief(garment="laptop bag", category="bag"), "bag"),
        (DesignBrief(), "dress"),
    ],
)
def test_the_family_comes_from_the_category_then_the_words(brief: DesignBrief, family: str) -> None:
    assert garment_family(brief) == family


def test_a_dress_and_trousers_of_the_same_colour_are_different_drawings() -> None:
    navy = {"colours": ["Navy Blue"]}
    dress = FAMILIES["dress"].model_copy(update=navy)
    trousers = FAMILIES["trousers"].model_copy(update=navy)
    assert card(dress) != card(trousers)
    outlines = ImageChops.difference(inked(drawn(dress)), inked(drawn(trousers)))
    assert outlines.histogram()[255] > 0.1 * 256 * 256, (
        "the silhouettes differ, not just a few pixels"
    )


def test_long_sleeves_fill_the_sides_where_a_sleeveless_dress_leaves_paper() -> None:
    dress = FAMILIES["dress"]
    sleeveless = inked(drawn(dress.model_copy(update={"sleeves": "sleeveless"})))
    long = inked(drawn(dress.model_copy(update={"sleeves": "long"})))
    sides = [(0, 40, 50, 170), (206, 40, 256, 170)]
    assert all(sleeveless.crop(box).getbbox() is None for box in sides)
    assert all(long.crop(box).getbbox() is not None for box in sides)


def test_a_maxi_hem_falls_far_below_a_mini_hem() -> None:
    mini = inked(drawn(FAMILIES["dress"].model_copy(update={"length": "mini"})))
    maxi = inked(drawn(FAMILIES["dress"].model_copy(update={"length": "maxi"})))
    assert bounds(maxi)[3] - bounds(mini)[3] > 40


def test_wide_legs_are_wider_at_the_hem_than_slim_ones() -> None:
    def hem_width(silhouette: str) -> int:
        mask = inked(drawn(FAMILIES["trousers"].model_copy(update={"silhouette": silhouette})))
        bottom = bounds(mask)[3]
        left, _, right, _ = bounds(mask.crop((0, bottom - 4, 256, bottom - 3)))
        return right - left

    assert hem_width("wide-leg") > hem_width("slim fit") * 1.5


def test_the_card_is_a_labelled_sketch_and_the_seed_only_tints_the_paper() -> None:
    brief = DesignBrief(garment="dress", category="dress", colours=["Green"], length="midi")
    first, again, other = card(brief, 7), card(brief, 7), card(brief, 8)
    assert first == again and first != other
    image, tinted = Image.open(io.BytesIO(first)), Image.open(io.BytesIO(other))
    assert image.format == "PNG" and image.size == (128, 128)
    assert LABEL.startswith("SKETCH PREVIEW")
    assert image.getpixel((2, 2)) == (30, 30, 30) == image.getpixel((125, 2)), "header bar"
    shapes = [inked(i, tolerance=12) for i in (image, tinted)]
    moved = ImageChops.difference(*shapes).histogram()[255]
    assert moved < 0.01 * 128 * 128, "the seed must not change the shape"


def test_companions_are_drawn_beside_the_main_piece() -> None:
    dress = FAMILIES["dress"]
    jacket, boots = FAMILIES["jacket"], FAMILIES["footwear"]
    alone, outfit = card(dress), card(dress, companions=[jacket, boots])
    assert alone != outfit
    column, paper = (90, 40, 122, 110), Image.open(io.BytesIO(alone)).getpixel((1, 127))
    assert set(Image.open(io.BytesIO(alone)).crop(column).getdata()) == {paper}
    drawn_there = Image.open(io.BytesIO(outfit)).crop(column)
    assert (200, 30, 45) in set(drawn_there.getdata()) or len(set(drawn_there.getdata())) > 20


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("field", sorted(VALUES))
def test_every_family_draws_every_attribute_value(family: str, field: str) -> None:
    base = FAMILIES[family]
    assert garment_family(base) == family
    sketches = set()
    for value in [None, *VALUES[field]]:
        brief = base.model_copy(update={field: value})
        image = Image.open(io.BytesIO(card(brief)))
        assert image.format == "PNG" and image.size == (128, 128)
        if family == "dress":
            sketches.add(drawn(brief, 128).tobytes())
    if family == "dress":  # unset draws like one of the values (a default, plain, cotton)
        assert len(sketches) == len(VALUES[field]), "each value looks different"


def test_the_fabric_shows_as_a_texture() -> None:
    plain = drawn(FAMILIES["skirt"].model_copy(update={"fabric": "cotton"}))
    for fabric in ["denim", "knit", "linen", "leather", "lace", "corduroy", "suede", "tweed"]:
        textured = drawn(FAMILIES["skirt"].model_copy(update={"fabric": fabric}))
        assert ImageChops.difference(plain, textured).getbbox(), fabric
