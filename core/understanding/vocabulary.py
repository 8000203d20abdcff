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
- Kids' words ("kids", "child", "baby") set no gender: the catalogue has no kids gender
  and a boy or a girl is usually named anyway ("my son").
- Pronouns (him, her...) give a gender only when no noun does ("his wife" → women).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple, TypeVar

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


def _table(rows: Iterable[tuple[str, V]]) -> dict[tuple[str, ...], V]:
    """Expands ``("a|b c", value)`` rows into ``{("a",): value, ("b", "c"): value}``."""
    return {phrase_key(word): value for words, value in rows for word in words.split("|")}


class Garment(NamedTuple):
    """A garment word resolved: display word, coarse category and catalogue article types."""

    word: str
    category: str
    article_types: tuple[str, ...]


def _garment(word: str, category: str, *article_types: str) -> Garment:
    return Garment(word, category, article_types)


GARMENTS: dict[tuple[str, ...], Garment] = _table([
    ("tee|tees|t-shirt|t-shirts|tshirt|tshirts", _garment("t-shirt", "top", "Tshirts")),
    ("polo|polos|polo shirt|polo shirts|polo tee", _garment("polo shirt", "top", "Tshirts")),
    ("top|tops|crop top|vest top", _garment("top", "top", "Tops")),
    ("tank|tank top|cami|camisole|camisoles", _garment("tank top", "top", "Tops", "Camisoles")),
    ("blouse|blouses", _garment("blouse", "top", "Tops", "Shirts")),
    ("tunic|tunics", _garment("tunic", "top", "Tunics")),
    ("shirt|shirts|button-down|button-up|dress shirt|oxford shirt",
     _garment("shirt", "shirt", "Shirts")),
    ("dress|dresses|frock|sundress|sun dress|shirt dress|slip dress|sweater dress|t-shirt dress"
     "|maxi|maxi dress|midi dress|mini dress|long dress|short dress",
     _garment("dress", "dress", "Dresses")),
    ("gown|gowns|evening gown|ball gown", _garment("gown", "dress", "Dresses")),
    ("skirt|skirts|miniskirt|mini skirt|midi skirt|maxi skirt|long skirt|short skirt",
     _garment("skirt", "skirt", "Skirts")),
    ("jeans|jean|denims", _garment("jeans", "jeans", "Jeans")),
    ("jeggings", _garment("jeggings", "jeans", "Jeggings")),
    ("trousers|trouser|pants|pant|slacks|dress pants|cargo pants|cargos|palazzos",
     _garment("trousers", "trousers", "Trousers")),
    ("chinos|chino|khakis", _garment("chinos", "trousers", "Trousers")),
    ("capris|capri pants", _garment("capris", "trousers", "Capris")),
    ("track pants|trackpants|trackies|tracksuit bottoms", _garment("track pants", "activewear", "Track Pants")),
    ("joggers|jogger|jogging bottoms", _garment("joggers", "activewear", "Track Pants")),
    ("sweatpants|sweats", _garment("sweatpants", "activewear", "Track Pants", "Lounge Pants")),
    ("tracksuit|tracksuits", _garment("tracksuit", "activewear", "Tracksuits")),
    ("leggings|yoga pants", _garment("leggings", "activewear", "Leggings")),
    ("sports bra|sports bras", _garment("sports bra", "activewear", "Bra")),
    ("shorts|bermuda shorts|bermudas|bike shorts|cycling shorts",
     _garment("shorts", "shorts", "Shorts")),
    ("jumpsuit|jumpsuits|boilersuit|dungarees|overalls", _garment("jumpsuit", "jumpsuit", "Jumpsuit")),
    ("romper|rompers|playsuit|playsuits", _garment("romper", "jumpsuit", "Rompers")),
    ("jacket|jackets|bomber|bomber jacket|puffer|puffer jacket|windbreaker",
     _garment("jacket", "outerwear", "Jackets")),
    ("rain jacket|raincoat|anorak", _garment("rain jacket", "outerwear", "Rain Jacket", "Jackets")),
    ("coat|coats|overcoat|peacoat|pea coat", _garment("coat", "outerwear", "Jackets")),
    ("trench|trench coat|trenchcoat", _garment("trench coat", "outerwear", "Jackets")),
    ("parka|parkas", _garment("parka", "outerwear", "Jackets")),
    ("blazer|blazers|sport coat|suit jacket", _garment("blazer", "suit", "Blazers")),
    ("suit|suits|two-piece suit|three-piece suit|pantsuit|pant suit|trouser suit|tuxedo|tux",
     _garment("suit", "suit", "Suits", "Blazers")),
    ("waistcoat|waistcoats|gilet", _garment("waistcoat", "suit", "Waistcoat")),
    ("hoodie|hoodies|hoody", _garment("hoodie", "knitwear", "Sweatshirts")),
    ("sweatshirt|sweatshirts|crewneck sweatshirt", _garment("sweatshirt", "knitwear", "Sweatshirts")),
    ("sweater|sweaters|jumper|jumpers|pullover|pullovers|turtleneck|roll neck",
     _garment("sweater", "knitwear", "Sweaters")),
    ("cardigan|cardigans|cardi", _garment("cardigan", "knitwear", "Sweaters")),
    ("shrug", _garment("shrug", "knitwear", "Shrug")),
    ("kurta|kurtas|kurta set|kurta pyjama", _garment("kurta", "ethnic", "Kurtas", "Kurta Sets")),
    ("kurti|kurtis", _garment("kurti", "ethnic", "Kurtis")),
    ("saree|sarees|sari|saris", _garment("saree", "ethnic", "Sarees")),
    ("lehenga|lehengas|lehenga choli", _garment("lehenga", "ethnic", "Lehenga Choli")),
    ("salwar|salwar kameez|churidar|patiala", _garment("salwar kameez", "ethnic", "Salwar", "Churidar")),
    ("nehru jacket|sherwani", _garment("nehru jacket", "ethnic", "Nehru Jackets")),
    ("trainers|sneakers|kicks|casual shoes", _garment("sneakers", "footwear", "Casual Shoes", "Sports Shoes")),
    ("running shoes|running trainers|sports shoes|gym shoes|tennis shoes",
     _garment("running shoes", "footwear", "Sports Shoes")),
    ("shoes|shoe", _garment("shoes", "footwear", "Casual Shoes", "Formal Shoes", "Sports Shoes")),
    ("loafers|loafer|moccasins", _garment("loafers", "footwear", "Casual Shoes", "Formal Shoes")),
    ("brogues|oxfords|oxford shoes|derbies|dress shoes|formal shoes",
     _garment("formal shoes", "footwear", "Formal Shoes")),
    ("boots|boot|ankle boots|chelsea boots|booties", _garment("boots", "footwear", "Casual Shoes", "Booties")),
    ("heels|high heels|stilettos|stiletto|pumps|court shoes|wedges", _garment("heels", "footwear", "Heels")),
    ("flats|ballet flats|ballerinas|ballet pumps|mules", _garment("flats", "footwear", "Flats")),
    ("sandals|sandal|gladiators", _garment("sandals", "footwear", "Sandals", "Sports Sandals")),
    ("flip flops|flip flop|flipflops|slippers|chappals", _garment("flip flops", "footwear", "Flip Flops")),
    ("slides|sliders", _garment("slides", "footwear", "Flip Flops", "Sandals")),
    ("handbag|handbags|purse|purses|bag|bags|tote|tote bag|shoulder bag|crossbody|crossbody bag",
     _garment("handbag", "bag", "Handbags")),
    ("clutch|clutches|clutch bag|evening bag", _garment("clutch", "bag", "Clutches")),
    ("backpack|backpacks", _garment("backpack", "bag", "Backpacks")),
    ("rucksack|rucksacks", _garment("rucksack", "bag", "Rucksacks", "Backpacks")),
    ("duffel|duffel bag|duffle bag|gym bag", _garment("duffel bag", "bag", "Duffel Bag")),
    ("laptop bag", _garment("laptop bag", "bag", "Laptop Bag")),
    ("specs|glasses|spectacles|eyeglasses|frames", _garment("glasses", "eyewear", "Sunglasses")),
    ("sunglasses|shades|sunnies", _garment("sunglasses", "eyewear", "Sunglasses")),
    ("watch|watches|wristwatch|smartwatch", _garment("watch", "watch", "Watches")),
    ("belt|belts", _garment("belt", "accessory", "Belts")),
    ("wallet|wallets|cardholder", _garment("wallet", "accessory", "Wallets")),
    ("cap|caps|baseball cap", _garment("cap", "accessory", "Caps")),
    ("hat|hats|sun hat|bucket hat|fedora", _garment("hat", "accessory", "Hat", "Caps")),
    ("beanie|beanies", _garment("beanie", "accessory", "Caps")),
    ("scarf|scarves|stole|stoles|shawl|muffler", _garment("scarf", "accessory", "Scarves", "Stoles", "Mufflers")),
    ("tie|ties|necktie|bow tie", _garment("tie", "accessory", "Ties")),
    ("gloves", _garment("gloves", "accessory", "Gloves")),
    ("socks|sock", _garment("socks", "accessory", "Socks")),
    ("earrings|earring|studs|jhumkas", _garment("earrings", "jewellery", "Earrings")),
    ("necklace|necklaces|chain|pendant", _garment("necklace", "jewellery", "Necklace and Chains", "Pendant")),
    ("bracelet|bracelets|bangle|bangles", _garment("bracelet", "jewellery", "Bracelet", "Bangle")),
    ("swimsuit|swimsuits|swimwear|bathing suit|swimming costume|swim trunks|trunks",
     _garment("swimsuit", "swimwear", "Swimwear")),
    ("bikini|bikinis", _garment("bikini", "swimwear", "Swimwear")),
    ("pyjamas|pajamas|pjs|night suit|loungewear", _garment("pyjamas", "nightwear", "Night suits", "Lounge Pants")),
    ("nightdress|nightie|nightgown|nighty", _garment("nightdress", "nightwear", "Nightdress")),
    ("robe|bathrobe|dressing gown", _garment("robe", "nightwear", "Robe", "Bath Robe")),
    ("lingerie|bra|bras|bralette", _garment("lingerie", "innerwear", "Bra")),
    ("underwear|briefs|knickers|panties|boxers", _garment("underwear", "innerwear", "Briefs", "Boxers")),
    ("vest|vests|undershirt", _garment("vest", "innerwear", "Innerwear Vests")),
])
"""Garment words → display word, coarse category, catalogue article types."""

COLOURS: dict[tuple[str, ...], str] = _table([
    ("black|jet black|onyx|ebony", "Black"),
    ("white|snow white|pure white|optic white", "White"),
    ("off white|ivory|eggshell|ecru", "Off White"),
    ("cream|creamy|vanilla", "Cream"),
    ("beige|oatmeal|sand|stone", "Beige"),
    ("nude|skin tone", "Nude"),
    ("grey|gray|light grey|light gray|heather grey|dove grey|ash grey", "Grey"),
    ("charcoal|dark grey|dark gray|slate|graphite|gunmetal", "Charcoal"),
    ("steel|steel grey", "Steel"),
    ("blue|light blue|sky blue|baby blue|powder blue|pale blue|royal blue|cobalt|cobalt blue"
     "|electric blue|cornflower|periwinkle|sapphire|indigo|denim blue", "Blue"),
    ("navy|navy blue|dark blue|midnight blue", "Navy Blue"),
    ("teal|petrol|petrol blue|peacock blue", "Teal"),
    ("turquoise|aqua|aquamarine|cyan|turquoise blue", "Turquoise Blue"),
    ("red|crimson|scarlet|cherry|cherry red|ruby|bright red|blood red|tomato red|vermilion", "Red"),
    ("maroon|dark red|brick red", "Maroon"),
    ("burgundy|wine|wine red|oxblood|claret|bordeaux|merlot", "Burgundy"),
    ("green|sage|sage green|mint|mint green|emerald|emerald green|forest green|bottle green"
     "|dark green|light green|kelly green|jade|pistachio", "Green"),
    ("olive|olive green|army green|military green|khaki green|moss|moss green", "Olive"),
    ("sea green|seafoam|seafoam green", "Sea Green"),
    ("lime|lime green|chartreuse", "Lime Green"),
    ("neon green|fluorescent green", "Fluorescent Green"),
    ("pink|hot pink|baby pink|pale pink|light pink|blush|blush pink|dusty pink|dusty rose"
     "|rose pink|bubblegum pink", "Pink"),
    ("fuchsia|magenta", "Magenta"),
    ("purple|violet|plum|aubergine|eggplant|amethyst", "Purple"),
    ("lavender|lilac|light purple|pastel purple", "Lavender"),
    ("mauve", "Mauve"),
    ("yellow|lemon|canary|butter yellow|pale yellow", "Yellow"),
    ("mustard|mustard yellow|ochre|saffron", "Mustard"),
    ("orange|tangerine|burnt orange", "Orange"),
    ("peach|coral|apricot|salmon", "Peach"),
    ("rust|terracotta", "Rust"),
    ("brown|chocolate|chocolate brown|dark brown|espresso|chestnut|walnut|mocha|coffee|cognac", "Brown"),
    ("tan|camel|caramel|toffee", "Tan"),
    ("khaki", "Khaki"),
    ("taupe|mushroom|greige", "Taupe"),
    ("gold|golden|rose gold", "Gold"),
    ("silver|silvery|platinum", "Silver"),
    ("bronze", "Bronze"),
    ("copper", "Copper"),
    ("metallic", "Metallic"),
    ("multicolour|multicolor|multicoloured|multicolored|multi colour|multi color|rainbow", "Multi"),
])
"""Colour and shade words → catalogue colour names (KAGL ``baseColour``)."""

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "White": ("White",),
    "Off White": ("Off White", "Cream"),
    "Cream": ("Cream", "Off White", "Beige"),
    "Grey": ("Grey", "Grey Melange"),
    "Brown": ("Brown", "Coffee Brown", "Mushroom Brown"),
    "Tan": ("Tan", "Brown"),
    "Maroon": ("Maroon", "Burgundy"),
    "Burgundy": ("Burgundy", "Maroon"),
    "Green": ("Green", "Sea Green"),
    "Pink": ("Pink", "Rose"),
    "Nude": ("Nude", "Skin"),
    "Silver": ("Silver", "Steel"),
}
"""Catalogue colours that count as the same family when filtering; kept tight on purpose:
"Red" is only Red, "Blue" is only Blue (Navy Blue apart), "Olive" is not Green."""


def colour_family(colour: str) -> tuple[str, ...]:
    """The catalogue colours that match ``colour`` in a filter (itself when it has no family)."""
    return COLOUR_FAMILIES.get(colour, (colour,))


FABRICS: dict[tuple[str, ...], str] = _table([
    (word, word)
    for word in "linen|cotton|silk|satin|cashmere|denim|chambray|chiffon|lace|polyester|jersey"
    "|tweed|corduroy|organza|georgette|crepe|viscose|tulle|nylon|fleece|mesh|khadi|muslin"
    "|brocade|seersucker|flannel|velvet|suede|leather|wool|knit".split("|")
] + [
    ("woollen|woolen|merino|wool blend", "wool"), ("silky|raw silk", "silk"), ("sateen", "satin"),
    ("faux leather|vegan leather|pu leather|pleather", "faux leather"), ("velour", "velvet"),
    ("knitted|chunky knit", "knit"), ("rayon", "viscose"), ("lacy", "lace"), ("poly", "polyester"),
    ("lycra|spandex|elastane|stretchy", "stretch"), ("organic cotton", "cotton"),
])
"""Fabric words → canonical fabric."""

OCCASIONS: dict[tuple[str, ...], str] = _table([
    ("wedding|weddings|wedding guest|reception|sangeet|mehndi|engagement|bride|bridal|bridesmaid"
     "|bridesmaids|groom|groomsman|groomsmen", "wedding"),
    ("garden wedding|outdoor wedding", "garden wedding"),
    ("beach wedding", "beach wedding"),
    ("party|parties|birthday|birthday party|cocktail|cocktail party|night out|clubbing|girls night"
     "|girls night out|pool party|holiday party|christmas party|office party|dinner party|new year's eve", "party"),
    ("office|for work|to work|at work|workwear|work wear|work outfit|work clothes|business casual"
     "|business meeting|meetings|corporate|conference", "office"),
    ("interview|interviews|job interview", "interview"),
    ("date|date night|first date|dinner date", "date"),
    ("dinner", "dinner"),
    ("beach|seaside|pool|poolside", "beach"),
    ("gym|workout|work out|to work out|working out|training|yoga|pilates|fitness|exercise", "gym"),
    ("running|jogging|marathon", "running"),
    ("hiking|hike|trekking|trek|camping", "hiking"),
    ("festival|festivals|music festival|coachella", "festival"),
    ("prom|homecoming", "prom"),
    ("graduation|convocation", "graduation"),
    ("funeral|memorial", "funeral"),
    ("casual|everyday|every day|daily wear|day to day|errands|weekend|lounging", "casual"),
    ("formal|gala|formal event|black tie event|black tie wedding|black tie gala"
     "|black tie dress code|evening wear", "formal"),
    ("brunch", "brunch"),
    ("holiday|holidays|vacation|vacay|travel|trip|getaway|honeymoon|resort", "holiday"),
    ("diwali|deepavali", "diwali"),
    ("eid", "eid"),
    ("christmas|xmas", "christmas"),
    ("concert|gig", "concert"),
])
"""Occasion words → canonical occasion."""

SLEEVES: dict[tuple[str, ...], str] = _table([
    ("sleeveless|no sleeves|without sleeves|strapless|spaghetti strap|spaghetti straps|strappy", "sleeveless"),
    ("short sleeve|short sleeves|short sleeved|shorter sleeves|half sleeve|half sleeves", "short"),
    ("long sleeve|long sleeves|long sleeved|longer sleeves|full sleeve|full sleeves|full sleeved", "long"),
    ("three quarter|three quarter sleeves|3/4 sleeve|3/4 sleeves|elbow sleeves", "three-quarter"),
    ("puff sleeve|puff sleeves|puffed sleeves|puffy sleeves|balloon sleeves", "puff"),
    ("cap sleeve|cap sleeves|cap sleeved", "cap"),
    ("bell sleeve|bell sleeves|flutter sleeves", "bell"),
])
"""Sleeve phrases → canonical sleeve style."""

LENGTHS: dict[tuple[str, ...], str] = _table([
    ("mini|mini dress|mini skirt|miniskirt|short dress|short skirt", "mini"),
    ("knee length|knee-length|knee high", "knee-length"),
    ("midi|midi dress|midi skirt|mid length|calf length|tea length", "midi"),
    ("maxi|maxi dress|maxi skirt|long dress|long skirt|full length", "maxi"),
    ("ankle length|ankle-length|ankle grazing", "ankle-length"),
    ("floor length|floor-length|floor sweeping", "floor-length"),
    ("cropped|crop|crop top", "cropped"),
])
"""Length phrases → canonical length."""

LENGTH_LADDER: tuple[str, ...] = ("mini", "knee-length", "midi", "maxi", "floor-length")
"""Hem lengths, shortest first: "shorter" and "longer" step along it."""

LENGTH_STEPS: dict[tuple[str, ...], int] = _table([
    ("shorter|shorten|shorter hem|higher hem", -1), ("longer|lengthen|longer hem|lower hem", 1),
])
"""Relative length words → a step along ``LENGTH_LADDER``."""

SILHOUETTES: dict[tuple[str, ...], str] = _table([
    ("a-line|aline", "a-line"), ("bodycon|figure hugging|skin tight|tight fitting", "bodycon"),
    ("wrap|wrap style|wrap around", "wrap"), ("slim fit|slim|slimfit|skinny|skinny fit", "slim fit"),
    ("relaxed|relaxed fit|loose|loose fit|loose fitting|baggy|boxy", "relaxed"),
    ("oversized|oversize|over sized", "oversized"), ("flowy|flowing|floaty|drapey", "flowy"),
    ("fitted|tailored|structured", "fitted"), ("straight|straight leg|straight cut", "straight"),
    ("wide leg|palazzo|palazzos", "wide-leg"), ("flared|flare|bootcut|boot cut", "flared"),
    ("fit and flare|skater", "fit-and-flare"), ("shift", "shift"), ("empire|empire waist", "empire"),
    ("mermaid|fishtail", "mermaid"), ("peplum", "peplum"), ("pencil", "pencil"),
])
"""Silhouette and fit words → canonical silhouette."""

GENDERS: dict[tuple[str, ...], Gender] = _table([
    ("men|man|male|males|guy|guys|dad|father|husband|boyfriend|bf|hubby|gents|gent|gentleman"
     "|gentlemen|mens|brother|grandpa|grandfather|uncle|fiance|groom|groomsman|groomsmen", "men"),
    ("women|woman|lady|ladies|female|females|mum|mom|mother|wife|girlfriend|gf|womens|sister"
     "|grandma|grandmother|aunt|fiancee|bride|bridal|bridesmaid|bridesmaids", "women"),
    ("boys|boy|son|sons|nephew", "boys"),
    ("girls|girl|daughter|daughters|niece", "girls"),
    ("unisex|gender neutral|genderless|androgynous", "unisex"),
])
"""Gender and family words → catalogue gender."""

PRONOUNS: dict[tuple[str, ...], Gender] = _table([("him|his|he", "men"), ("her|hers|she", "women")])
"""Pronouns → gender, used only when no word of ``GENDERS`` is present."""

STYLE_NOTES: dict[tuple[str, ...], str] = _table([
    ("minimalist|minimal|minimalistic", "minimalist"), ("vintage|retro", "vintage"),
    ("boho|bohemian", "boho"), ("embroidered|embroidery", "embroidered"), ("beaded", "beaded"),
    ("floral|florals|flowery", "floral"), ("striped|stripes|stripy|pinstripe", "striped"),
    ("polka dot|polka dots|spotty", "polka dot"), ("checked|checks|plaid|tartan|gingham", "checked"),
    ("sequin|sequins|sequined|sequinned|sparkly|glittery", "sequinned"), ("pleated", "pleated"),
    ("ruffle|ruffles|ruffled|frilly", "ruffled"), ("off shoulder|off the shoulder", "off-shoulder"),
    ("v neck|vneck", "v-neck"), ("halter|halter neck", "halter neck"), ("backless|open back", "backless"),
    ("elegant|classy|chic", "elegant"), ("edgy|grunge", "edgy"), ("preppy", "preppy"),
    ("streetwear", "streetwear"), ("sporty|athleisure", "sporty"), ("romantic", "romantic"),
    ("modest", "modest"), ("sustainable|eco friendly|recycled", "sustainable"),
    ("leopard|leopard print|animal print", "animal print"), ("tie dye", "tie-dye"),
    ("pastel|pastels", "pastel"), ("high waisted|high waist", "high-waisted"),
    ("cut out|cutout", "cut-out"), ("cosy|cozy", "cosy"), ("waterproof", "waterproof"),
])
"""Style words not covered by another table → a short note kept in ``style_notes``."""

IGNORED: dict[tuple[str, ...], None] = _table([
    ("on top|top notch|top quality|top rated|top brand|top brands|top pick|top picks|top 3|top 5"
     "|top 10|over the top|up to date|save the date|dress code|dress up|dress down|suit me"
     "|suits me|suit you|suits you|suit her|suit him|watch out|price cap|cap of|cap at"
     "|lace up", None),
])
"""False friends: phrases that contain a table word but mean something else ("top notch")."""

NEGATORS: frozenset[str] = frozenset(
    "no|not|without|never|nothing|avoid|except|hate|nor|don't|dont|doesn't|isn't|won't|can't"
    "|cannot|nope".split("|")
)
"""Words that cancel the phrase that follows them ("no red", "not black")."""

NEGATOR_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("instead", "of"), ("rather", "than"), ("other", "than"), ("anything", "but"), ("apart", "from")}
)
"""Two-word negators ("instead of black")."""

NEGATION_FILLERS: frozenset[str] = frozenset(
    "a|an|the|in|any|anything|too|so|very|really|more|or|want|like|wear|wearing|of|colour|color"
    "|it|something|please".split("|")
)
"""Words that may stand between a negator and what it cancels ("not in a red")."""

CURRENCIES: dict[str, str] = {
    **dict.fromkeys(("$", "us$", "usd", "dollar", "dollars", "bucks"), "USD"),
    **dict.fromkeys(("€", "eur", "euro", "euros"), "EUR"),
    **dict.fromkeys(("£", "gbp", "pound", "pounds", "quid"), "GBP"),
    **dict.fromkeys(("₹", "inr", "rs", "rupee", "rupees"), "INR"),
}
"""Currency symbols and words → ISO 4217 code."""

BUDGET_MAX_CUES: tuple[str, ...] = (
    "under", "below", "less than", "max", "maximum", "up to", "upto", "no more than",
    "not more than", "nothing over", "nothing above", "nothing more than", "not over", "at most",
    "within", "cheaper than", "budget", "spend", "afford", "capped at", "cap of", "cap at", "<",
)
"""Words before an amount that make it the budget's maximum ("under 50")."""

BUDGET_MIN_CUES: tuple[str, ...] = (
    "from", "at least", "over", "above", "more than", "min", "minimum", "starting at",
    "starting from", "no less than", "not less than", "upwards of", ">",
)
"""Words before an amount that make it the budget's minimum ("at least 30")."""

BUDGET_APPROX_CUES: tuple[str, ...] = (
    "around", "about", "roughly", "approximately", "approx", "circa", "~", "something like",
)
"""Words before an amount that make it an approximate budget ("around 100")."""

BUDGET_MAX_SUFFIXES: tuple[str, ...] = (
    "max", "maximum", "tops", "or less", "or under", "or below", "at most", "limit", "budget",
)
"""Words after an amount that make it the maximum ("€80 max")."""

BUDGET_MIN_SUFFIXES: tuple[str, ...] = ("+", "or more", "or above", "and up", "and above", "minimum", "min")
"""Words after an amount that make it the minimum ("30+")."""

BUDGET_APPROX_SUFFIXES: tuple[str, ...] = ("ish", "-ish", "or so")
"""Words after an amount that make it approximate ("100ish")."""

NON_MONEY_UNITS: tuple[str, ...] = (
    "days", "day", "weeks", "week", "months", "month", "years", "year", "yrs", "yr", "hours",
    "hour", "hrs", "mins", "minutes", "cm", "mm", "kg", "kgs", "lbs", "lb", "inches", "inch",
    "ft", "feet", "pm", "am", "people", "guests", "items", "pieces", "pcs", "options", "designs",
    "ideas", "looks", "results", "%", "percent", "'", '"',
)
"""Words after a number that say it is not money ("under 2 weeks", "top 3 options")."""

LETTER_SIZES: dict[str, str] = {
    "xxs": "XXS", "xs": "XS", "s": "S", "m": "M", "l": "L", "xl": "XL", "xxl": "XXL",
    "xxxl": "XXXL", "2xl": "XXL", "3xl": "XXXL", "extra small": "XS", "small": "S",
    "medium": "M", "large": "L", "extra large": "XL", "x large": "XL", "xx large": "XXL",
}
"""Letter sizes and size words → the catalogue's size label."""
