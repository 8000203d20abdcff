"""The blocklist reads requests as a person does: disguised spellings of a blocked word are
refused, ordinary fashion briefs (and words that merely contain a blocked one) are not."""

from __future__ import annotations

import pytest

from stylegenie.adapters.moderation import BlocklistModerator, read
from stylegenie.config.settings import ModerationSettings

DEFAULT = BlocklistModerator(ModerationSettings().blocklist)

DISGUISED = {
    "a n a k e d dress": "naked",
    "a N.A.K.E.D. dress": "naked",
    "a n-a-k-e-d dress": "naked",
    "a n4k3d dress": "naked",
    "a n@ked model": "naked",
    "a n\u0430ked dress": "naked",  # Cyrillic а
    "a N\u0410\u041a\u0415D dress": "naked",  # Cyrillic capitals А, К, Е
    "a \uff4e\uff41\uff4b\uff45\uff44 dress": "naked",  # full-width
    "a na\u0301ke\u0301d dress": "naked",  # combining accents
    "a na\u200bk\u200ded dress": "naked",  # zero-width space and joiner
    "a naaaked dress": "naked",
    "a NAKKEDD dress": "naked",
    "t0pl3ss": "topless",
    "a t o p l e s s look": "topless",
    "expl1c1t": "explicit",
    "a l i n g e r i e m o d e l pose": "lingerie model",
    "a lingerie\u00a0  model": "lingerie model",
    "a child-model": "child model",
    "a sw4st1ka print": "swastika",
    "n_s_f_w": "nsfw",
    "g 0 r e": "gore",
}

ORDINARY = [
    "a nude-tone dress",  # nude is a colour in fashion: not blocked
    "sheer sleeves on a silk blouse",
    "kids' party dress in yellow",
    "a crop top with high-waisted jeans",
    "a bodycon dress",
    "an unlined blazer",
    "a Gore-Tex rain jacket",
    "a goretex shell",
    "a crop top, less flared trousers",
    "an ake d dress",  # not letters spelled one at a time
    "a T-shirt in XL, size 10, A-line skirt",
    "x s m l sizes",
    "a model of a child's dungarees",
    "gorgeous explicitly minimal lines",
    "a dress that topples nothing",
    "a 3 piece suit in 100% wool, 2 buttons",
]


@pytest.mark.parametrize(("text", "phrase"), DISGUISED.items())
def test_disguised_blocked_words_are_refused_by_name(text: str, phrase: str) -> None:
    assert DEFAULT.refusal(text) == (
        f"I can't design that: it asks for something I don't draw ({phrase}). "
        "Try describing the outfit itself."
    )


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_briefs_pass(text: str) -> None:
    assert DEFAULT.refusal(text) is None


def test_words_that_merely_contain_a_blocked_one_pass() -> None:
    strict = BlocklistModerator(["sex", "cunt"])
    for place in ("Essex", "Sussex", "Middlesex", "Scunthorpe", "a sexy-ish wrap? no: sexton"):
        assert strict.refusal(place) is None, place
    for spelled in ("s e x", "S.E.X.Y top", "s3x", "c u n t"):
        assert strict.refusal(spelled), spelled


def test_spelled_out_letters_join_only_single_characters() -> None:
    reading = read("a n a k e d dress, an ake d")
    assert reading.text == "anaked dress an ake d"
    assert {1, 6} <= reading.edges, "a match may start and end inside a spelled-out run"
    assert 10 not in reading.edges, "but not inside an ordinary word"


def test_an_empty_blocklist_refuses_nothing() -> None:
    assert BlocklistModerator([" ", "!!"]).refusal("a n a k e d dress") is None
