"""Everything the assistant says in plain words, in one place for review and translation."""

GREETING = (
    "Hi! I'm StyleGenie. Describe an outfit in your own words and I'll sketch designs, "
    "find products like them within your budget, or an atelier that can make it.\n"
    'For example: "something flowy in sage green for a garden wedding, under 120, I\'m in Lisbon".'
)

HELP = (
    "Here's what I can do:\n"
    '• Describe an outfit ("navy linen blazer for work, under 150") and I\'ll draw designs.\n'
    '• Refine by typing: "make it green", "longer sleeves", "under 80", "actually a jumpsuit".\n'
    '• Build an outfit: "navy chinos and a white linen shirt", "also a bag to go with it", '
    '"make the shirt light blue".\n'
    '• Not sure? Ask "what do you suggest?"\n'
    "• /products — shops' items like your design  • /ateliers — makers near you\n"
    "• /save and /saved — keep designs  • /budget 80 — set a budget  • /prefs size M, Lisbon\n"
    "• /new — start over  • /cancel — drop the current request\n"
    "• Own an atelier? /leads — your open requests, with Accept and Decline buttons"
)

ASK_TO_DESCRIBE = (
    "What would you like to wear? Tell me a garment, colours, an occasion or a budget "
    "— or pick one of these ideas."
)
ASK_GARMENT = (
    "Got it{so_far}. What should it be — a dress, a shirt, trousers, a jacket…? "
    "Or pick one of these ideas."
)
NOTHING_UNDERSTOOD = (
    'I didn\'t catch a change there. You can say things like "make it green", '
    '"under 80", "longer sleeves", "actually a jumpsuit" or "also a bag to go with it".'
)
IDEAS = "Here are a few ideas{for_what} — which one do you like? Or describe your own."
NUMBER_UNCLEAR = (
    'What should {number} mean? For a budget say "under {number}"; for a button, '
    "press it (or type its number while it is on screen)."
)
NO_SUCH_BUTTON = "There's no button {number} on my last message. {where}"
CURRENCY_UNKNOWN = (
    "I can't convert {currency} yet, so I can't compare it with shop prices. "
    "Tell me the budget in {known}."
)
EMPTY_MESSAGE = "That message was empty. " + ASK_TO_DESCRIBE
TRUNCATED = "That's a long message — I read the first {limit} characters.\n"
STICKER = "Nice sticker! I work with words, though: " + ASK_TO_DESCRIBE
PHOTO_NO_CAPTION = (
    "Thanks for the photo! Photo search isn't switched on here, so I can't find products "
    "from it — describe what you like about it in words and I'll take it from there."
)
PHOTO_WITH_CAPTION = "Photo search isn't switched on here, so I went by your caption.\n"
PHOTO_PRODUCTS_FOUND = "Products that look like your photo{narrowed}:"
PHOTO_NO_PRODUCTS = (
    "Nothing in the catalogue looks like your photo{narrowed} right now. "
    "Describe it in words and I'll draw designs instead."
)
PHOTO_UNREADABLE = (
    "I couldn't open that photo. Try sending it again, or describe what you like in words."
)
OTHER_MEDIA = "I can only read text messages. " + ASK_TO_DESCRIBE
LOCATION_WHICH_CITY = (
    "Thanks for the pin! Which city is that? Type its name and I'll look for ateliers near you."
)
UNKNOWN_COMMAND = "I don't know /{name}. " + HELP
RENDER_FAILED = (
    "Sorry, drawing your designs failed this time. Your description is kept — "
    "describe it again, or press New designs, to retry."
)
SLOW_DOWN = "You're sending messages faster than I can design — give me a moment and try again."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side while {doing}. "
    "Nothing you said is lost — please try again."
)
STATE_RESET = "I lost track of our earlier conversation, so let's start fresh. " + ASK_TO_DESCRIBE

DESIGNS_READY = "Here are {count} designs for a {summary}. Pick one, or keep refining in words."
LOOK_READY = (
    "Here are {count} designs of your look: {pieces}. They vary the {focus}; "
    "pick one, or refine any piece by name."
)
PIECE_ADDED = "Added to your look: {summary}. Here are {count} designs of it with the rest."
DESIGNS_UPDATED = "Updated: {summary}. Here are fresh designs."
VARIATIONS_READY = "Here are {count} variations of the design you picked."
PICKED = "Lovely choice: {summary}. Shall I find products like it, or an atelier that can make it?"
NO_BUDGET_HINT = ' (Tell me a budget any time, e.g. "under 80".)'
BUDGET_SET = "Budget set: {budget}{converted}."
ASK_BUDGET = 'What\'s your budget? For example "80", "under 120" or "between 40 and 60".'
BAD_BUDGET = 'I need a budget as a positive number, like "80", "under 120" or "between 40 and 60".'
DETAILS_SET = "Noted: {summary}."
ALREADY_SO = "That's how it is already: {summary}. Tell me what to change."

NEED_DESIGN_FIRST = "Let's design something first. " + ASK_TO_DESCRIBE
PRODUCTS_FOUND = "Products like your design{budget}:"
LOOK_PRODUCTS_FOUND = "Products for each piece of your look, each within its budget:"
CATALOGUE_EMPTY = (
    "The shop has no products in its catalogue yet, so there is nothing to show you for "
    "now. An atelier could make your design for you — or ask me again later."
)
PIECES_UNMATCHED = "(Nothing in the catalogue fits the {pieces} yet: an atelier could make it.)"
NO_PRODUCTS = (
    "Nothing in the catalogue fits {summary}{budget} right now. "
    "An atelier could make it for you — or change the budget or colour."
)
ASK_CITY = "Which city are you in? I'll look for ateliers near you."
UNKNOWN_CITY = "I don't know that city yet — try the nearest large city."
ATELIERS_FOUND = "Ateliers that can make your {category}{near}:"
NO_ATELIERS = (
    "I couldn't find an atelier for a {category} near {city} yet. "
    "Try another city, or ask me again later — new ateliers join every week."
)

SAVED = "Saved! See your designs any time with /saved."
ALREADY_SAVED = "That design is already in your saved designs."
NOTHING_TO_SAVE = "Pick a design first, then save it."
NO_SAVED = "You haven't saved any designs yet. Pick one and press Save."
SAVED_LIST = "Your saved designs ({count}):"
PREFS_SHOW = "Your preferences: {prefs}. Change them with e.g. /prefs size M, Lisbon, women."
PREFS_EMPTY = "You have no preferences yet. Set them with e.g. /prefs size M, Lisbon, women."
PREFS_SET = "Preferences saved: {prefs}. I'll use them for new designs."
CANCELLED = "Cancelled. " + ASK_TO_DESCRIBE
STALE_BUTTON = (
    "That button belongs to an earlier set of designs, so I can't use it any more. "
    "Here's where we are now."
)

ASK_CONSENT = (
    "If {atelier} accepts, they'll get your contact: {contact}. Shall I send them your design?"
)
ASK_CONSENT_EMAIL = (
    "{atelier} takes requests by e-mail: their e-mail gets your design and your contact "
    "({contact}) right away, and they answer you themselves. Shall I send it?"
)
SEND_TO = "Send to {atelier}"
NOT_NOW = "Not now"
NOT_SENT = "Alright, I sent nothing. {where}"
OWNER_UNREACHABLE = "{atelier} can't receive requests right now: nobody is there to take them."
UNREACHABLE_NEXT = OWNER_UNREACHABLE + " The next best atelier that can:"
UNREACHABLE_NONE = (
    OWNER_UNREACHABLE + " No other atelier that fits can take requests right now — "
    "shop items like your design instead?"
)
SHOW_PRODUCTS = "Show products"
