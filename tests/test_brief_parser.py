"""The rule-based brief reader, table-driven: shopper phrases → exactly the brief fields they set.

Each case compares the whole update (``model_dump(exclude_unset=True)``), so it checks the
fields it is about and, at the same time, that every unrelated field stays unset.
"""

from __future__ import annotations

from typing import Any

import pytest

from stylegenie.core.conversation.outfit import merge_piece
from stylegenie.core.domain import DesignBrief
from stylegenie.core.geo import city_coordinates, find_city, haversine_km
from stylegenie.core.ports import BriefReader
from stylegenie.core.understanding.rules import MAX_CHARS, RuleBasedBriefReader, read_brief
from stylegenie.core.understanding.turn import TurnContext
from stylegenie.core.understanding.vocabulary import colour_family

READER: BriefReader = RuleBasedBriefReader()


LIST_FIELDS = {"colours", "avoid_colours", "style_notes", "article_types"}
NUMBER_FIELDS = {"budget_min", "budget_max"}


def expected_fields(spec: str) -> dict[str, Any]:
    """ "g=dress/dress/Dresses; colours=Red,Blue; budget_max=50" → the update's dump.

    ``g=word/category/Type,Type`` stands for the three garment fields.
    """
    fields: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        key, _, value = item.partition("=")
        if key == "g":
            word, category, types = value.split("/")
            fields.update(garment=word, category=category, article_types=types.split(","))
        elif key in LIST_FIELDS:
            fields[key] = value.split(",")
        else:
            fields[key] = float(value) if key in NUMBER_FIELDS else value
    return fields


# Every shopper garment word the brief names, alone in a short message.
GARMENT_WORDS = """
tee | t-shirt | tshirt         => g=t-shirt/top/Tshirts
top                            => g=top/top/Tops
blouse                         => g=blouse/top/Tops,Shirts
shirt                          => g=shirt/shirt/Shirts
polo                           => g=polo shirt/top/Tshirts
dress | sundress               => g=dress/dress/Dresses
gown                           => g=gown/dress/Dresses
maxi                           => g=dress/dress/Dresses; length=maxi
skirt                          => g=skirt/skirt/Skirts
jeans | denims                 => g=jeans/jeans/Jeans
trousers | pants | slacks      => g=trousers/trousers/Trousers
chinos                         => g=chinos/trousers/Trousers
joggers                        => g=joggers/activewear/Track Pants
trackies | track pants         => g=track pants/activewear/Track Pants
sweatpants                     => g=sweatpants/activewear/Track Pants,Lounge Pants
shorts                         => g=shorts/shorts/Shorts
leggings                       => g=leggings/activewear/Leggings
jumpsuit                       => g=jumpsuit/jumpsuit/Jumpsuit
romper | playsuit              => g=romper/jumpsuit/Rompers
jacket                         => g=jacket/outerwear/Jackets
coat                           => g=coat/outerwear/Jackets,Coats
trench                         => g=trench coat/outerwear/Jackets,Coats
parka                          => g=parka/outerwear/Jackets
blazer                         => g=blazer/suit/Blazers
suit                           => g=suit/suit/Suits,Blazers
waistcoat                      => g=waistcoat/suit/Waistcoat
hoodie                         => g=hoodie/knitwear/Sweatshirts
sweatshirt                     => g=sweatshirt/knitwear/Sweatshirts
jumper | sweater | pullover    => g=sweater/knitwear/Sweaters
cardigan                       => g=cardigan/knitwear/Sweaters
kurta                          => g=kurta/ethnic/Kurtas
kurta set | kurta pyjama       => g=kurta set/ethnic/Kurta Sets
dupatta | chunni               => g=dupatta/ethnic/Dupatta
saree | sari                   => g=saree/ethnic/Sarees
trainers | sneakers | kicks    => g=sneakers/footwear/Casual Shoes,Sports Shoes
running shoes                  => g=running shoes/footwear/Sports Shoes
casual shoes | canvas shoes    => g=casual shoes/footwear/Casual Shoes
shoes                          => g=shoes/footwear/Casual Shoes,Formal Shoes,Sports Shoes
loafers                        => g=loafers/footwear/Casual Shoes,Formal Shoes
brogues | oxfords              => g=formal shoes/footwear/Formal Shoes
boots                          => g=boots/footwear/Casual Shoes,Booties,Boots
heels | stilettos | pumps      => g=heels/footwear/Heels
flats | ballet flats           => g=flats/footwear/Flats
sandals                        => g=sandals/footwear/Sandals
sport sandals | floaters       => g=sports sandals/footwear/Sports Sandals
flip flops                     => g=flip flops/footwear/Flip Flops
slides                         => g=slides/footwear/Flip Flops,Sandals
handbag | purse | tote         => g=handbag/bag/Handbags
clutch                         => g=clutch/bag/Clutches
backpack                       => g=backpack/bag/Backpacks
rucksack                       => g=rucksack/bag/Rucksacks,Backpacks
specs | glasses                => g=glasses/eyewear/Sunglasses
shades | sunglasses | aviators => g=sunglasses/eyewear/Sunglasses
watch                          => g=watch/watch/Watches
belt                           => g=belt/accessory/Belts
wallet                         => g=wallet/accessory/Wallets
cap                            => g=cap/accessory/Caps
hat                            => g=hat/accessory/Hat,Hats,Caps
beanie                         => g=beanie/accessory/Caps
scarf                          => g=scarf/accessory/Scarves,Stoles,Mufflers
socks                          => g=socks/accessory/Socks
swimsuit                       => g=swimsuit/swimwear/Swimwear
bikini                         => g=bikini/swimwear/Swimwear
pyjamas                        => g=pyjamas/nightwear/Night suits,Lounge Pants
lingerie                       => g=lingerie/innerwear/Bra,Briefs
bra                            => g=bra/innerwear/Bra
trunks                         => g=trunks/innerwear/Trunk,Swimwear
swim trunks                    => g=swimsuit/swimwear/Swimwear
hoops | studs                  => g=earrings/jewellery/Earrings
ring                           => g=ring/jewellery/Ring
cufflinks                      => g=cufflinks/accessory/Cufflinks
sling bag                      => g=messenger bag/bag/Messenger Bag
lipstick                       => g=lipstick/beauty/Lipstick
nail paint | nail polish       => g=nail polish/beauty/Nail Polish
"""

# One message per line: the text, "=>", then every field the update must set (nothing else).
PHRASES = """
a maxi skirt                   => g=skirt/skirt/Skirts; length=maxi
Crop top                       => g=top/top/Tops; length=cropped
dress shoes for a gala         => g=formal shoes/footwear/Formal Shoes; occasion=formal
black tie                      => g=tie/accessory/Ties; colours=Black
men's white vest => g=vest/innerwear/Innerwear Vests; colours=White; gender=men; age_group=adult
jeans and a white tee          => g=jeans/jeans/Jeans
denim jacket                   => g=jacket/outerwear/Jackets; fabric=denim
crimson                        => colours=Red
scarlet                        => colours=Red
cherry                         => colours=Red
navy                           => colours=Navy Blue
dark blue                      => colours=Navy Blue
ivory                          => colours=Off White
off-white                      => colours=Off White
eggshell                       => colours=Off White
oxblood                        => colours=Burgundy
wine                           => colours=Burgundy
sage green                     => colours=Green
sage                           => colours=Green
mint                           => colours=Green
emerald                        => colours=Green
olive                          => colours=Olive
camel                          => colours=Tan
gray                           => colours=Grey
lilac                          => colours=Lavender
fuchsia                        => colours=Magenta
coral                          => colours=Peach
turquoise                      => colours=Turquoise Blue
multicoloured                  => colours=Multi
RED OR BLUE                    => colours=Red,Blue
black and white striped top    => g=top/top/Tops; colours=Black,White; pattern=striped
make it linen                  => fabric=linen
silky                          => fabric=silk
a merino knit                  => fabric=wool
vegan leather                  => fabric=faux leather
corduroy                       => fabric=corduroy
organza                        => fabric=organza
chiffon                        => fabric=chiffon
velvet                         => fabric=velvet
for a beach wedding            => occasion=beach wedding
garden wedding                 => occasion=garden wedding
a wedding                      => occasion=wedding
something for work             => occasion=office
job interview                  => occasion=interview
date night                     => occasion=date
for the gym                    => occasion=gym
I want to work out             => occasion=gym
running                        => occasion=running
hiking trip                    => occasion=hiking
festival                       => occasion=festival
prom                           => occasion=prom
graduation                     => occasion=graduation
a funeral                      => occasion=funeral
everyday                       => occasion=casual
brunch                         => occasion=brunch
vacation                       => occasion=holiday
Diwali                         => occasion=diwali
black tie event                => occasion=formal
a party                        => occasion=party
longer sleeves                 => sleeves=long
sleeveless                     => sleeves=sleeveless
no sleeves                     => sleeves=sleeveless
short-sleeved                  => sleeves=short
3/4 sleeves                    => sleeves=three-quarter
puff sleeves                   => sleeves=puff
cap sleeves                    => sleeves=cap
midi                           => length=midi
mini                           => length=mini
knee-length                    => length=knee-length
ankle length                   => length=ankle-length
shorter                        => length=mini
a-line                         => silhouette=a-line
bodycon                        => silhouette=bodycon
wrap                           => silhouette=wrap
slim fit                       => silhouette=slim fit
oversized                      => silhouette=oversized
flowy                          => silhouette=flowy
boho floral, polka dots        => style_notes=boho; pattern=floral
vintage embroidered            => style_notes=vintage,embroidered
for my husband                 => gender=men; age_group=adult
gents                          => gender=men; age_group=adult
for my mum                     => gender=women; age_group=adult
women's                        => gender=women; age_group=adult
for my son                     => gender=boys; age_group=kids
for my daughter                => gender=girls; age_group=kids
unisex                         => gender=unisex
for the lads                   => gender=men; age_group=adult
a bloke                        => gender=men; age_group=adult
for my grandson                => gender=boys; age_group=kids
for my granddaughter           => gender=girls; age_group=kids
for my mummy                   => gender=women; age_group=adult
baby pink                      => colours=Pink
grey marl                      => colours=Grey Melange
heather grey                   => colours=Grey
for her                        => gender=women
his wife                       => gender=women; age_group=adult
for the kids                   => age_group=kids
size 38                        => size=38
UK 10                          => size=UK 10
EU 42                          => size=EU 42
size M please                  => size=M
I'm a medium                   => size=M
large                          => size=L
XL                             => size=XL
2XL tee                        => g=t-shirt/top/Tshirts; size=XXL
size 10 dress under £40        => g=dress/dress/Dresses; size=10; budget_max=40; currency=GBP
for my 5 year old              => age_group=kids
for my 5 year old daughter     => gender=girls; age_group=kids
2024                           =>
in 2024                        =>
from 2019                      =>
ready in 2-3 weeks             =>
I'm in Lisbon                  => city=Lisbon
under 50                       => budget_max=50
below 50                       => budget_max=50
less than 50                   => budget_max=50
max 50                         => budget_max=50
€80 max                        => budget_max=80; currency=EUR
up to 80                       => budget_max=80
budget 100                     => budget_max=100
around 100                     => budget_min=80; budget_max=120
100ish                         => budget_min=80; budget_max=120
between 40 and 60              => budget_min=40; budget_max=60
40-60                          => budget_min=40; budget_max=60
40 to 60                       => budget_min=40; budget_max=60
£50-£80                        => budget_min=50; budget_max=80; currency=GBP
nothing over 25                => budget_max=25
no more than 25                => budget_max=25
from 30                        => budget_min=30
at least 30                    => budget_min=30
over 30                        => budget_min=30
at least 30 but under 80       => budget_min=30; budget_max=80
$120                           => budget_max=120; currency=USD
120 dollars                    => budget_max=120; currency=USD
1,299                          =>
under ₹1,299                   => budget_max=1299; currency=INR
1.5k                           =>
under 2k rupees                => budget_max=2000; currency=INR
my budget is around 150 euros  => budget_min=120; budget_max=180; currency=EUR
under 20 quid                  => budget_max=20; currency=GBP
budget -50                     =>
under -50                      =>
budget: cheap                  =>
under fifty                    =>
under 0                        =>
top 3 options                  =>
make it green                  => colours=Green
in navy instead                => colours=Navy Blue
actually a jumpsuit            => g=jumpsuit/jumpsuit/Jumpsuit
not black                      => avoid_colours=Black
no red                         => avoid_colours=Red
a red dress, not black         => g=dress/dress/Dresses; colours=Red; avoid_colours=Black
I don't want black, I'd rather have green => colours=Green; avoid_colours=Black
instead of black, navy         => colours=Navy Blue; avoid_colours=Black
not sleeveless                 =>
👗✨ red dress pls 🙏             => g=dress/dress/Dresses; colours=Red
🔥🔥🔥                            =>
"""


def parse_table(table: str) -> list[tuple[str, dict[str, Any]]]:
    """The cases of a table; "a | b" on the left gives one case per phrase."""
    cases = []
    for line in table.strip().splitlines():
        texts, _, spec = line.partition("=>")
        cases += [(text.strip(), expected_fields(spec)) for text in texts.split(" | ")]
    return cases


BRIEF_EXAMPLE = "something flowy in sage green for a garden wedding, under $120, I'm in Lisbon"
CASES: list[tuple[str, dict[str, Any]]] = [
    *((f"I'm looking for {text}", fields) for text, fields in parse_table(GARMENT_WORDS)),
    *parse_table(PHRASES),
    (
        BRIEF_EXAMPLE,
        expected_fields(
            "silhouette=flowy; colours=Green; occasion=garden wedding; budget_max=120;"
            "currency=USD; city=Lisbon"
        ),
    ),
    ("", {}),
    ("   \n ", {}),
    ("I want a red dress. " + "blah " * 996, expected_fields("g=dress/dress/Dresses; colours=Red")),
    ("x " * MAX_CHARS + "red dress under 50", {}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text[:40] for text, _ in CASES])
def test_a_phrase_sets_exactly_its_fields(text: str, expected: dict[str, Any]) -> None:
    """Every field the phrase is about is set as expected, and no other field is set."""
    read = read_brief(text).model_dump(exclude_unset=True)
    read.pop("shades", None)  # the shopper's own colour words: test_outfit_reader covers them
    assert read == expected


def test_there_are_enough_cases() -> None:
    """The table covers at least a hundred phrases, including a 5,000-character one."""
    assert len(CASES) >= 100
    assert any(len(text) >= 5000 for text, _ in CASES)


def test_an_update_replaces_only_what_it_mentions() -> None:
    """ "make it green" keeps the garment, fabric and budget of the current brief."""
    current = read_brief("a red linen dress under 80 euros, size M")
    context = TurnContext(outfit=[current], focus=0)
    (update,) = READER.read("make it green", context).pieces
    merged = merge_piece(current, update.brief)
    assert merged.colours == ["Green"]
    assert (merged.garment, merged.fabric, merged.budget_max, merged.currency, merged.size) == (
        "dress",
        "linen",
        80,
        "EUR",
        "M",
    )


@pytest.mark.parametrize(
    ("current", "text", "length"),
    [
        ("midi", "shorter", "knee-length"),
        ("knee-length", "longer", "midi"),
        (None, "longer", "maxi"),
        ("mini", "shorter", "mini"),
        ("maxi", "a bit longer", "floor-length"),
    ],
)
def test_shorter_and_longer_step_from_the_current_length(
    current: str | None, text: str, length: str
) -> None:
    """Relative lengths move one step along the hem ladder from the current brief."""
    context = TurnContext(outfit=[DesignBrief(garment="dress", length=current)], focus=0)
    assert READER.read(text, context).pieces[0].brief.length == length


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Bombay", "Mumbai"),
        ("NYC please", "New York"),
        ("new york city", "New York"),
        ("Lisboa", "Lisbon"),
        ("São Paulo", "São Paulo"),
        ("sao paulo", "São Paulo"),
        ("a nice dress", None),
        ("Paris-inspired", "Paris"),
    ],
)
def test_find_city_knows_aliases_and_accents(text: str, city: str | None) -> None:
    """Aliases and accent-free spellings resolve to the canonical city; no city gives None."""
    found = find_city(text)
    assert (found.name if found else None) == city


def test_city_coordinates_and_distances() -> None:
    """Lisbon–Porto is about 274 km; unknown cities have no coordinates."""
    lisbon, porto = city_coordinates("Lisbon"), city_coordinates("oporto")
    assert lisbon and porto
    assert haversine_km(*lisbon, *porto) == pytest.approx(274, abs=3)
    assert haversine_km(*lisbon, *lisbon) == 0
    assert city_coordinates("Atlantis") is None


def test_colour_families_stay_tight() -> None:
    """Red is only Red, Navy Blue is apart from Blue, Grey takes its melange."""
    assert colour_family("Red") == ("Red",)
    assert "Navy Blue" not in colour_family("Blue")
    assert colour_family("Grey") == ("Grey", "Grey Melange")
    assert colour_family("Grey Melange") == ("Grey Melange", "Grey")
