"""Shoppers' words and the catalogue's names: the data tables of the rule-based brief reader.

Each table maps a shopper phrase (written as words; "t-shirt" and "t shirt" are the same
key) to what it means. Rows list synonyms "|"-separated to keep the tables short.
A phrase may appear in two tables ("maxi" is a dress *and* a length; "bride" is a wedding
*and* women): the reader applies both. Longer phrases win over their words
("track pants" over "pants", "running shoes" over "running").

Decisions worth knowing:
- "sage" and "mint" are Green (not Olive); "camel" is Tan; "coral" and "salmon" are Peach.
- "vest" is the British undershirt (catalogue "Innerwear Vests"); "vest top" is a top.
- "purse" is a handbag; "pumps" are heels; glasses of any kind map to "Sunglasses",
  the catalogue's only eyewear type.
- Kids' words ("kids", "toddler") set no gender in a brief, which has one gender; a search
  from text looks among boys' and girls' items (``core/search_query.py``).
- A catalogue type named as such means it alone ("casual shoes"; a kurta is not a kurta set).
- Pronouns (him, her...) give a gender only when no noun does ("his wife" → women).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar, cast, get_args

from ..domain import Gender

V = TypeVar("V")

WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
"""A word of folded text: letters/digits, with one inner apostrophe ("don't")."""


def fold(text: str) -> str:
    """Text without accents and with typographic apostrophes made plain ("Café’s" → "Cafe's")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The lookup key of a phrase: its lower-case words, a trailing "'s" dropped."""
    return tuple(word.removesuffix("'s") for word in WORD_RE.findall(fold(phrase).lower()))


def _entries(block: str) -> Iterator[tuple[str, list[tuple[str, ...]], str]]:
    """Each ``a|b c = value`` entry (a line each, or ";"-separated) as (first word, keys, value).

    An entry without "= value" lists canonical words that stand for themselves ("linen|silk").
    """
    for entry in re.split(r"[;\n]", block.strip()):
        words, _, value = (part.strip() for part in entry.partition("="))
        phrases = [phrase.strip() for phrase in words.split("|")]
        if value:
            yield phrases[0], [phrase_key(phrase) for phrase in phrases], value
        else:
            yield from ((phrase, [phrase_key(phrase)], phrase) for phrase in phrases)


def _table(block: str, convert: Callable[[str], V]) -> dict[tuple[str, ...], V]:
    """A lookup table from a block of entries: every phrase's key → ``convert(value)``."""
    return {key: convert(value) for _, keys, value in _entries(block) for key in keys}


def _split(words: str, separator: str = "|") -> tuple[str, ...]:
    """ "a|b c" → ("a", "b c")."""
    return tuple(words.split(separator))


class Garment(NamedTuple):
    """A garment word resolved: display word, coarse category and catalogue article types."""

    word: str
    category: str
    article_types: tuple[str, ...]


def _garments(block: str) -> dict[tuple[str, ...], Garment]:
    """Garment entries: ``words = [display /] category / Type, Type``; display defaults to the
    first word ("blouse|blouses = top / Tops" shows "blouse")."""
    table: dict[tuple[str, ...], Garment] = {}
    for first, keys, value in _entries(block):
        *display, category, types = (part.strip() for part in value.split("/"))
        garment = Garment(display[0] if display else first, category, _split(types, ", "))
        table.update(dict.fromkeys(keys, garment))
    return table


def _gender(value: str) -> Gender:
    """The value checked against the domain's genders."""
    assert value in get_args(Gender), value
    return cast(Gender, value)


GARMENTS: dict[tuple[str, ...], Garment] = _garments(
    """
tee|tees|t-shirt|t-shirts|tshirt|tshirts = t-shirt / top / Tshirts
polo|polos|polo shirt|polo shirts|polo tee = polo shirt / top / Tshirts
top|tops|crop top|vest top = top / Tops; blouse|blouses = top / Tops, Shirts
tunic|tunics = top / Tunics
tank|tank top|cami|camisole|camisoles = tank top / top / Tops, Camisoles
shirt|shirts|button-down|button-up|dress shirt|oxford shirt = shirt / Shirts
dress|dresses|frock|sundress|sun dress|shirt dress|slip dress = dress / Dresses
sweater dress|t-shirt dress = dress / dress / Dresses
maxi|maxi dress|midi dress|mini dress|long dress|short dress = dress / dress / Dresses
gown|gowns|evening gown|ball gown = dress / Dresses
skirt|skirts|miniskirt|mini skirt|midi skirt|maxi skirt|long skirt|short skirt = skirt / Skirts
jeans|jean|denims = jeans / Jeans; jeggings = jeans / Jeggings
capris|capri pants = trousers / Capris
trousers|trouser|pants|pant|slacks|dress pants|cargo pants|cargos|palazzos = trousers / Trousers
chinos|chino|khakis = trousers / Trousers; tracksuit|tracksuits = activewear / Tracksuits
track pants|trackpants|trackies|tracksuit bottoms = activewear / Track Pants
joggers|jogger|jogging bottoms = activewear / Track Pants
leggings|yoga pants = activewear / Leggings
sweatpants|sweats = activewear / Track Pants, Lounge Pants
sports bra|sports bras = activewear / Bra
shorts|bermuda shorts|bermudas|bike shorts|cycling shorts = shorts / Shorts
jumpsuit|jumpsuits|boilersuit|dungarees|overalls = jumpsuit / Jumpsuit
romper|rompers|playsuit|playsuits = jumpsuit / Rompers
jacket|jackets|bomber|bomber jacket|puffer|puffer jacket|windbreaker = outerwear / Jackets
rain jacket|raincoat|anorak = outerwear / Rain Jacket, Jackets; parka|parkas = outerwear / Jackets
coat|coats|overcoat|peacoat|pea coat|winter coat = outerwear / Jackets, Coats
trench|trench coat|trenchcoat = trench coat / outerwear / Jackets, Coats
blazer|blazers|sport coat|suit jacket = suit / Blazers
waistcoat|waistcoats|gilet = suit / Waistcoat
suit|suits|two-piece suit|three-piece suit|pantsuit|pant suit|trouser suit = suit / Suits, Blazers
tuxedo|tux = suit / Suits, Blazers; hoodie|hoodies|hoody = knitwear / Sweatshirts
sweatshirt|sweatshirts|crewneck sweatshirt = knitwear / Sweatshirts
sweater|sweaters|jumper|jumpers|pullover|pullovers|turtleneck|roll neck = knitwear / Sweaters
cardigan|cardigans|cardi = knitwear / Sweaters; shrug = knitwear / Shrug
kurta|kurtas = ethnic / Kurtas; kurta set|kurta sets|kurta pyjama = ethnic / Kurta Sets
kurti|kurtis = ethnic / Kurtis; dupatta|dupattas|chunni|odhni = ethnic / Dupatta
saree|sarees|sari|saris = ethnic / Sarees; lehenga|lehengas|lehenga choli = ethnic / Lehenga Choli
salwar|salwar kameez|churidar|patiala = salwar kameez / ethnic / Salwar, Churidar
nehru jacket|sherwani = ethnic / Nehru Jackets
trainers|sneakers|kicks = sneakers / footwear / Casual Shoes, Sports Shoes
running shoes|running trainers|sports shoes|gym shoes|tennis shoes = footwear / Sports Shoes
shoes|shoe = footwear / Casual Shoes, Formal Shoes, Sports Shoes
loafers|loafer|moccasins = footwear / Casual Shoes, Formal Shoes
formal shoes|brogues|oxfords|oxford shoes|derbies|dress shoes = footwear / Formal Shoes
boots|boot|ankle boots|chelsea boots|booties = footwear / Casual Shoes, Booties, Boots
football boots|soccer boots|football shoes|cleats = footwear / Sports Shoes
heels|high heels|stilettos|stiletto|pumps|court shoes|wedges = footwear / Heels
flats|ballet flats|ballerinas|ballet pumps|mules = footwear / Flats
sandals|sandal|sandles|sandle|gladiators = footwear / Sandals
espadrilles|espadrille = footwear / Casual Shoes, Flats
juttis|jutti|mojari|mojaris|kolhapuris|kolhapuri = footwear / Flats, Sandals
wellies|wellington boots|wellingtons|rain boots|gumboots = footwear / Boots, Casual Shoes, Booties
sports sandals|sport sandals|hiking sandals|floaters = footwear / Sports Sandals
flip flops|flip flop|flipflops|slippers|chappals = footwear / Flip Flops
slides|sliders = footwear / Flip Flops, Sandals; casual shoes|canvas shoes = footwear / Casual Shoes
handbag|handbags|purse|purses|bag|bags|tote|tote bag|shoulder bag|crossbody = bag / Handbags
clutch|clutches|clutch bag|evening bag = bag / Clutches; backpack|backpacks = bag / Backpacks
rucksack|rucksacks = bag / Rucksacks, Backpacks; laptop bag = bag / Laptop Bag
duffel bag|duffel|duffle bag|gym bag = bag / Duffel Bag
school bag|schoolbag|book bag|bookbag|satchel bag = bag / Backpacks, Rucksacks
glasses|specs|spectacles|eyeglasses|frames = eyewear / Sunglasses
sunglasses|shades|sunnies|aviators|aviator|wayfarers|wayfarer = eyewear / Sunglasses
watch|watches|wristwatch|smartwatch = watch / Watches; tie|ties|necktie|bow tie = accessory / Ties
belt|belts = accessory / Belts; wallet|wallets|cardholder = accessory / Wallets
cap|caps|baseball cap = accessory / Caps; beanie|beanies = accessory / Caps
hat|hats|sun hat|bucket hat|fedora = accessory / Hat, Hats, Caps
scarf|scarves|stole|stoles|shawl|muffler = accessory / Scarves, Stoles, Mufflers
gloves = accessory / Gloves; socks|sock = accessory / Socks
earrings|earring|studs|jhumkas|hoops|hoop earrings|danglers = jewellery / Earrings
necklace|necklaces|chain|pendant = jewellery / Necklace and Chains, Pendant
bracelet|bracelets|bangle|bangles = jewellery / Bracelet, Bangle; ring|rings = jewellery / Ring
cufflinks|cuff links = accessory / Cufflinks; messenger bag|sling bag|satchel = bag / Messenger Bag
swimsuit|swimsuits|swimwear|bathing suit|swimming costume|swim trunks = swimwear / Swimwear
bikini|bikinis = swimwear / Swimwear; nightdress|nightie|nightgown|nighty = nightwear / Nightdress
pyjamas|pajamas|pjs|night suit|loungewear = nightwear / Night suits, Lounge Pants
pyjama|pajama|pyjama set|pajama set|pj set = nightwear / Night suits, Lounge Pants
robe|bathrobe|dressing gown = nightwear / Robe, Bath Robe
lingerie = innerwear / Bra, Briefs; bra|bras|bralette = innerwear / Bra
underwear|briefs|knickers|panties|boxers = innerwear / Briefs, Boxers
vest|vests|undershirt = innerwear / Innerwear Vests; trunks = innerwear / Trunk, Swimwear
lipstick|lipsticks = beauty / Lipstick; nail polish|nail paint|nail varnish = beauty / Nail Polish
"""
)
"""Garment words → display word, coarse category, catalogue article types."""

COLOURS: dict[tuple[str, ...], str] = _table(
    """
black|jet black|onyx|ebony = Black; white|snow white|pure white|optic white = White; mauve = Mauve
off white|ivory|eggshell|ecru = Off White; cream|creamy|vanilla = Cream; nude|skin tone = Nude
beige|oatmeal|sand|stone = Beige; charcoal|dark grey|dark gray|slate|graphite|gunmetal = Charcoal
grey|gray|light grey|light gray|heather grey|dove grey|ash grey = Grey; steel|steel grey = Steel
blue|light blue|sky blue|baby blue|powder blue|pale blue|royal blue|cobalt|cobalt blue = Blue
electric blue|cornflower|periwinkle|sapphire|indigo|denim blue = Blue; fuchsia|magenta = Magenta
navy|navy blue|dark blue|midnight blue = Navy Blue; teal|petrol|petrol blue|peacock blue = Teal
turquoise|aqua|aquamarine|cyan|turquoise blue = Turquoise Blue; maroon|dark red|brick red = Maroon
red|crimson|scarlet|cherry|cherry red|ruby|bright red|blood red|tomato red|vermilion = Red
burgundy|wine|wine red|oxblood|claret|bordeaux|merlot = Burgundy; rose pink|bubblegum pink = Pink
green|sage|sage green|mint|mint green|emerald|emerald green|forest green|bottle green = Green
dark green|light green|kelly green|jade|pistachio = Green; lime|lime green|chartreuse = Lime Green
olive|olive green|army green|military green|khaki green|moss|moss green = Olive; cognac = Brown
sea green|seafoam|seafoam green = Sea Green; neon green|fluorescent green = Fluorescent Green
pink|hot pink|baby pink|pale pink|light pink|blush|blush pink|dusty pink|dusty rose = Pink
purple|violet|plum|aubergine|eggplant|amethyst = Purple; orange|tangerine|burnt orange = Orange
lavender|lilac|light purple|pastel purple = Lavender; mustard|mustard yellow|ochre|saffron = Mustard
yellow|lemon|canary|butter yellow|pale yellow = Yellow; peach|coral|apricot|salmon = Peach
rust|terracotta = Rust; tan|camel|caramel|toffee = Tan; khaki = Khaki; taupe|mushroom|greige = Taupe
brown|chocolate|chocolate brown|dark brown|espresso|chestnut|walnut|mocha|coffee = Brown
gold|golden|rose gold = Gold; silver|silvery|platinum = Silver; bronze = Bronze; copper = Copper
metallic = Metallic; champagne = Beige
melange|grey melange|gray melange|grey marl|marl = Grey Melange
dark wash|indigo wash|rinse wash|raw denim = Navy Blue; light wash|mid wash|stonewash = Blue
multicolour|multicolor|multicoloured|multicolored|multi colour|multi color|rainbow = Multi
""",
    str,
)
"""Colour and shade words → catalogue colour names (KAGL ``baseColour``)."""

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "Off White": ("Off White", "Cream"), "Cream": ("Cream", "Off White", "Beige"),
    "Grey": ("Grey", "Grey Melange"), "Grey Melange": ("Grey Melange", "Grey"),
    "Charcoal": ("Charcoal", "Grey"), "Brown": ("Brown", "Coffee Brown", "Mushroom Brown"),
    "Tan": ("Tan", "Brown", "Beige", "Khaki"), "Khaki": ("Khaki", "Beige"),
    "Mustard": ("Mustard", "Yellow"),
    "Maroon": ("Maroon", "Burgundy"), "Burgundy": ("Burgundy", "Maroon"),
    "Green": ("Green", "Sea Green"), "Pink": ("Pink", "Rose"), "Lavender": ("Lavender", "Purple"),
    "Nude": ("Nude", "Skin"), "Silver": ("Silver", "Steel"), "Magenta": ("Magenta", "Pink"),
}  # fmt: skip
"""Catalogue colours one filter takes together, kept tight: Red is only Red, Blue only Blue
(Navy Blue apart), Olive is not Green; a thin shade takes its neighbours (Tan → Tan, Brown)."""


def colour_family(colour: str) -> tuple[str, ...]:
    """The catalogue colours that match ``colour`` in a filter (itself when it has no family)."""
    return COLOUR_FAMILIES.get(colour, (colour,))


FABRICS: dict[tuple[str, ...], str] = _table(
    """
linen|cotton|silk|satin|cashmere|denim|chambray|chiffon|lace|polyester|jersey|tweed|corduroy
organza|georgette|crepe|viscose|tulle|nylon|fleece|mesh|khadi|muslin|brocade|seersucker|flannel
velvet|suede|leather|wool|knit
woollen|woolen|merino|wool blend = wool; silky|raw silk = silk; sateen = satin; velour = velvet
faux leather|vegan leather|pu leather|pleather = faux leather; knitted|chunky knit = knit
rayon = viscose; lacy = lace; poly = polyester; lycra|spandex|elastane|stretchy = stretch
organic cotton|brushed cotton|stretch cotton = cotton; stretch denim = denim; canvas = canvas
 pashmina = pashmina; lambswool|lambs wool = wool
straw|raffia|rattan|wicker = straw; jute = jute; patent|patent leather = leather
""",
    str,
)
"""Fabric words → canonical fabric."""

OCCASIONS: dict[tuple[str, ...], str] = _table(
    """
wedding|weddings|wedding guest|reception|sangeet|mehndi|mehendi|haldi = wedding
engagement|engagement party = engagement
 dinner = dinner
bride|bridal|bridesmaid|bridesmaids|groom|groomsman|groomsmen = wedding; prom|homecoming = prom
garden wedding|outdoor wedding = garden wedding; beach wedding = beach wedding; brunch = brunch
party|parties|birthday|birthday party|cocktail|cocktails|cocktail party|drinks = party
hen do|hen party|hen night|bachelorette|stag do|stag party|bachelor party = party
night out|clubbing = party; eid = eid
girls night|girls night out|pool party|holiday party|christmas party|office party = party
dinner party|new year's eve = party; interview|interviews|job interview = interview
office|for work|to work|at work|workwear|work wear|work outfit|work clothes = office
business casual|business meeting|meetings|corporate|conference = office; funeral|memorial = funeral
date|date night|first date|dinner date = date; beach|seaside|pool|poolside = beach
gym|workout|work out|to work out|working out|training|yoga|pilates|fitness|exercise = gym
running|jogging|marathon = running; hiking|hike|trekking|trek|camping = hiking
festival|festivals|music festival|coachella = festival; graduation|convocation = graduation
casual|everyday|every day|daily wear|day to day|errands|weekend|lounging = casual
formal|gala|formal event|black tie event|black tie wedding|black tie gala = formal
black tie dress code|evening wear = formal; diwali|deepavali = diwali; christmas|xmas = christmas
holiday|holidays|vacation|vacay|travel|trip|getaway|honeymoon|resort = holiday
travelling|traveling = holiday
concert|gig = concert; new job|job|first day|new role|starting work = office
evenings|evenings out|nights out = evening; cycling|biking|bike ride = cycling
commute|commuting = commute
christening|baptism|communion|first communion = christening
evening|evening out|evening event = evening
ski|skiing|ski trip|ski holiday|snowboarding|apres ski = ski
smart casual = smart casual; uni|university|college|campus|school = school
""",
    str,
)
"""Occasion words → canonical occasion. "black tie" alone is a black tie (the accessory)."""

SLEEVES: dict[tuple[str, ...], str] = _table(
    """
sleeveless|no sleeves|without sleeves|strapless|spaghetti strap|spaghetti straps = sleeveless
strappy = sleeveless; full sleeved = long; cap sleeve|cap sleeves|cap sleeved = cap
short sleeve|short sleeves|short sleeved|shorter sleeves|half sleeve|half sleeves = short
long sleeve|long sleeves|long sleeved|longer sleeves|full sleeve|full sleeves = long
three quarter|three quarter sleeves|3/4 sleeve|3/4 sleeves|elbow sleeves = three-quarter
puff sleeve|puff sleeves|puffed sleeves|puffy sleeves|balloon sleeves = puff
bell sleeve|bell sleeves = bell; flutter sleeve|flutter sleeves|flutter = flutter
thin straps|straps|strappy dress = sleeveless
""",
    str,
)
"""Sleeve phrases → canonical sleeve style."""

LENGTHS: dict[tuple[str, ...], str] = _table(
    """
mini|mini dress|mini skirt|miniskirt|short dress|short skirt = mini; cropped|crop|crop top = cropped
knee length|knee high = knee-length; ankle length|ankle grazing = ankle-length
midi|midi dress|midi skirt|mid length|calf length|tea length = midi
maxi|maxi dress|maxi skirt|long dress|long skirt|full length = maxi
floor length|floor sweeping = floor-length
""",
    str,
)
"""Length phrases → canonical length."""

LENGTH_LADDER: tuple[str, ...] = ("mini", "knee-length", "midi", "maxi", "floor-length")
"""Hem lengths, shortest first: "shorter" and "longer" step along it."""

LENGTH_STEPS: dict[tuple[str, ...], int] = _table(
    """
shorter|shorten|shorter hem|higher hem = -1; longer|lengthen|longer hem|lower hem = 1
""",
    int,
)
"""Relative length words → a step along ``LENGTH_LADDER``."""

SILHOUETTES: dict[tuple[str, ...], str] = _table(
    """
a-line|aline = a-line; bodycon|figure hugging|skin tight|tight fitting = bodycon; shift = shift
wrap|wrap style|wrap around = wrap; slim fit|slim|slimfit|skinny|skinny fit = slim fit
relaxed|relaxed fit|loose|loose fit|loose fitting|baggy|boxy = relaxed; empire|empire waist = empire
oversized|oversize|over sized = oversized; flowy|flowing|floaty|drapey = flowy; peplum = peplum
fitted|tailored|structured = fitted; straight|straight leg|straight cut = straight; pencil = pencil
wide leg|palazzo|palazzos = wide-leg; flared|flare|bootcut|boot cut = flared
fit and flare|skater = fit-and-flare; mermaid|fishtail = mermaid
unstructured|unlined = relaxed; tapered|tapered leg = tapered; slip = slip
""",
    str,
)
"""Silhouette and fit words → canonical silhouette."""

GENDERS: dict[tuple[str, ...], Gender] = _table(
    """
men|man|male|males|guy|guys|dad|father|husband|boyfriend|bf|hubby|gents|gent|lad|lads = men
gentleman|gentlemen|mens|brother|grandpa|grandfather|uncle|fiance|papa|daddy|grandad = men
groom|groomsman|groomsmen|bloke|blokes|chap|fella|fellas = men; boys|boy|son|sons|nephew = boys
grandson|grandsons|stepson|schoolboy|schoolboys = boys; girls|girl|daughter|daughters|niece = girls
women|woman|lady|ladies|female|females|mum|mom|mother|wife|girlfriend|gf|womens = women
sister|grandma|grandmother|aunt|fiancee|bride|bridal|bridesmaid|bridesmaids = women
mummy|mommy|mama|granny|nan|wifey|missus|gal|gals|auntie = women
granddaughter|stepdaughter|schoolgirl = girls; unisex|gender neutral|genderless|androgynous = unisex
""",
    _gender,
)
"""Gender and family words → catalogue gender."""

AGE_GROUPS: dict[tuple[str, ...], str] = _table(
    """
kid|kids|kiddo|kiddos|child|children|childrens|toddler|toddlers|infant|little one = kids
little ones|youngster|youngsters|tween|tweens|schoolkid|schoolkids|grandkid|grandkids = kids
grandchild|grandchildren|teen|teens|teenage|teenager|teenagers = kids
""",
    str,
)
"""Words for a child whose gender is not said: boys' and girls' items, never adults'.
("baby" is not one: "baby pink", "baby blue" are colours.)"""

PRONOUNS: dict[tuple[str, ...], Gender] = _table("him|his|he = men\nher|hers|she = women", _gender)
"""Pronouns → gender, used only when no word of ``GENDERS`` is present."""

STYLE_NOTES: dict[tuple[str, ...], str] = _table(
    """
minimalist|minimal|minimalistic = minimalist; vintage|retro = vintage; boho|bohemian = boho
embroidered|embroidery = embroidered; beaded = beaded; preppy = preppy; pleated = pleated
sequin|sequins|sequined|sequinned|sparkly|glittery = sequinned; belted|tie waist = belted
ruffle|ruffles|ruffled|frilly = ruffled; slit|side slit|thigh slit|front slit = slit
backless|open back = backless; quilted|padded = quilted; lined = lined; thermal = thermal
elegant|classy|chic = elegant; edgy|grunge = edgy; modest = modest
streetwear = streetwear; sporty|athleisure = sporty; romantic = romantic
sustainable|eco friendly|recycled = sustainable; lightweight|light weight = lightweight
pastel|pastels = pastel; high waisted|high waist = high-waisted; cut out|cutout = cut-out
cosy|cozy = cosy; waterproof = waterproof
""",
    str,
)
"""Style words not covered by another table → a short note kept in ``style_notes``."""

NECKLINES: dict[tuple[str, ...], str] = _table(
    """
v neck|vneck|v neckline = v-neck; deep v|plunging|plunge neck = plunging; scoop|scoop neck = scoop
crew neck|crewneck|round neck = crew; square neck|square neckline = square; cowl|cowl neck = cowl
halter|halter neck|halterneck = halter; off shoulder|off the shoulder|bardot = off-shoulder
sweetheart|sweetheart neckline = sweetheart; boat neck|bateau = boat neck; collared = collared
high neck|mock neck|funnel neck = high neck; one shoulder|asymmetric neckline = one-shoulder
""",
    str,
)
"""Neckline phrases → canonical neckline."""

PATTERNS: dict[tuple[str, ...], str] = _table(
    """
floral|florals|flowery|flower print = floral; striped|stripes|stripy|pinstripe|breton = striped
polka dot|polka dots|spotty|dotted = polka dot; checked|checks|plaid|tartan|gingham = checked
leopard|leopard print|animal print|zebra print = animal print; tie dye = tie-dye
paisley = paisley; geometric = geometric; camo|camouflage = camouflage; houndstooth = houndstooth
plain|solid|solid colour|solid color = plain; graphic|graphic print|printed = graphic print
""",
    str,
)
"""Pattern phrases → canonical pattern."""

IGNORED: frozenset[tuple[str, ...]] = frozenset(
    map(
        phrase_key,
        _split(
            "on top|top notch|top quality|top rated|top brand|top brands|top pick|top picks|top 3"
            "|top 5|top 10|over the top|up to date|save the date|dress code|dress up|dress down"
            "|suit me|suits me|suit you|suits you|suit her|suit him|watch out|price cap|cap of"
            "|cap at|lace up|spending cap|spending limit|budget cap|my cap|cap is|price limit"
        ),
    )
)
"""False friends: phrases that contain a table word but mean something else ("top notch")."""

NEGATORS: frozenset[str] = frozenset(
    _split(
        "no|not|without|never|nothing|avoid|except|hate|nor|don't|dont|doesn't|isn't|won't|can't"
        "|cannot|nope|awful|terrible|hideous|dislike|detest|except|excluding|minus"
    )
)
"""Words that cancel the phrase that follows them ("no red", "not black")."""

NEGATOR_PAIRS: frozenset[tuple[str, ...]] = frozenset(
    map(phrase_key, _split("instead of|rather than|other than|anything but|apart from"))
)
"""Two-word negators ("instead of black")."""

NEGATION_FILLERS: frozenset[str] = frozenset(
    _split(
        "a|an|the|in|any|anything|too|so|very|really|more|or|want|like|wear|wearing|of|colour"
        "|color|it|something|please|another|look|looks|anymore|again|more|pure|bright"
    )
)
"""Words that may stand between a negator and what it cancels ("not in a red")."""

TYPO_EXEMPT: frozenset[str] = frozenset(
    _split(
        "dressed|dressing|dresser|shorter|shoot|shots|sports|block|blank|store|liner|stain|greet"
        "|parts|bench|normal"
    )
)
"""Words one letter away from a garment or colour that are words of their own, never typos."""

HARDWARE: frozenset[str] = frozenset(
    _split(
        "zip|zips|zipper|zippers|buckle|buckles|button|buttons|hardware|clasp|trim|piping"
        "|stitching|embroidery|lining|laces"
    )
)
"""Words after a colour that make it a detail ("silver buckle"), not the piece's colour.
None is a garment word: "silver studs" are earrings, "ivory heels" are shoes."""

PAST_WORDS: frozenset[str] = frozenset(
    _split("was|were|wore|worn|had|bought|used|last|previously|ago|yesterday")
)
"""Words that tell a clause as the past: garments named there are not wished for."""

WISH_VERBS: frozenset[str] = frozenset(
    _split("thinking|wondering|hoping|looking|planning|going|after|considering")
)
"""After "was"/"were" these tell a wish, not the past ("I was thinking a tweed waistcoat")."""

MATCHING: frozenset[str] = frozenset(_split("matching|to match|in the same colour|same colour"))
"""Words that give a piece the colours of the piece it goes with ("matching joggers")."""

CURRENCIES: dict[str, str] = {
    **dict.fromkeys(("$", "us$", "usd", "dollar", "dollars", "bucks"), "USD"),
    **dict.fromkeys(("€", "eur", "euro", "euros"), "EUR"),
    **dict.fromkeys(("£", "gbp", "pound", "pounds", "quid"), "GBP"),
    **dict.fromkeys(("₹", "inr", "rs", "rupee", "rupees"), "INR"),
    **dict.fromkeys(("¥", "jpy", "yen"), "JPY"),
    **dict.fromkeys(("chf", "franc", "francs"), "CHF"),
    **dict.fromkeys(("cad", "c$", "ca$"), "CAD"),
    **dict.fromkeys(("aud", "a$", "au$"), "AUD"),
}
"""Currency symbols and words → ISO 4217 code."""

LETTER_SIZES: dict[str, str] = {
    **{size: size.upper() for size in _split("xxs|xs|s|m|l|xl|xxl|xxxl")},
    **{"2xl": "XXL", "3xl": "XXXL", "extra small": "XS", "small": "S", "medium": "M"},
    **{"large": "L", "extra large": "XL", "x large": "XL", "xx large": "XXL"},
}
"""Letter sizes and size words → the catalogue's size label."""
