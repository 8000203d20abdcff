"""The LLM turn reader through real litellm, talking to a fake OpenAI-compatible server."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fakes.openai_server import FakeOpenAIServer, Reply

from stylegenie.adapters.llm_reader import (
    BriefReaderError,
    FallbackBriefReader,
    InvalidTurnError,
    LiteLLMBriefReader,
)
from stylegenie.config.settings import LLMSettings
from stylegenie.core.domain import DesignBrief
from stylegenie.core.understanding.turn import PieceUpdate, TurnContext, TurnUpdate

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="litellm (extra 'llm') is not installed"
)

TIMEOUT_S = 0.5
PRIVATE_TEXT = "I'm Ana, +351 912 345 678: a sage dress for a garden wedding"
ARTICLE_TYPES = ["Dresses", "Shirts", "Tshirts", "Casual Shoes"]
COLOURS = ["Black", "Blue", "Green", "Navy Blue", "Red", "White"]
OUTFIT = TurnContext(
    outfit=[
        DesignBrief(garment="dress", article_types=["Dresses"], colours=["Green"]),
        DesignBrief(garment="shirt", article_types=["Shirts"], fabric="linen"),
    ],
    focus=0,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeOpenAIServer) -> FakeOpenAIServer:
    """The module's server with an empty request log and reply queue."""
    server.reset()
    return server


def reader_for(server: FakeOpenAIServer, retries: int = 1) -> LiteLLMBriefReader:
    settings = LLMSettings(
        model="openai/fake-model",
        api_base=server.api_base,
        api_key="test",
        timeout_s=TIMEOUT_S,
        retries=retries,
    )
    return LiteLLMBriefReader(settings, article_types=ARTICLE_TYPES, colours=COLOURS)


def brief(**fields: Any) -> dict[str, Any]:
    """A brief as a strict-schema model sends it: every field, unset ones null or []."""
    full = DesignBrief().model_dump()
    full.update({name: None for name, value in full.items() if value is None})
    return {**full, **fields}


def turn(intent: str, *pieces: tuple[int | None, dict[str, Any]], **shopper: Any) -> Reply:
    """A reply carrying a TurnUpdate: (piece index or None, brief fields) per piece."""
    payload = {
        "intent": intent,
        "pieces": [{"piece": index, "brief": brief(**fields)} for index, fields in pieces],
        "shopper": brief(**shopper),
    }
    return Reply.json(payload)


class StubReader:
    """A reader that always answers the same update and records what it was asked."""

    def __init__(self, answer: TurnUpdate) -> None:
        self.answer = answer
        self.calls: list[tuple[str, TurnContext]] = []

    def read(self, text: str, context: TurnContext) -> TurnUpdate:
        self.calls.append((text, context))
        return self.answer


RULES_ANSWER = TurnUpdate(intent="refine", pieces=[PieceUpdate(piece=0, brief=DesignBrief())])


def test_request_carries_outfit_focus_last_question_and_schema(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", (1, {"budget_max": 80})))
    context = OUTFIT.model_copy(update={"focus": 1, "question": "budget"})

    update = reader_for(fake).read("80", context)

    assert update.intent == "refine" and [p.piece for p in update.pieces] == [1]
    assert update.pieces[0].brief.model_fields_set == {"budget_max"}
    [body] = fake.requests
    assert body["model"] == "fake-model" and body["temperature"] == 0
    system, user = body["messages"]
    assert system["role"] == "system" and '"refine"' in system["content"]
    assert "Dresses, Shirts, Tshirts, Casual Shoes" in system["content"]
    assert "Black, Blue, Green, Navy Blue, Red, White" in system["content"]
    content = user["content"]
    assert 'piece 0: {"garment":"dress","article_types":["Dresses"],"colours":["Green"]}' in content
    assert 'piece 1: {"garment":"shirt","article_types":["Shirts"],"fabric":"linen"}' in content
    assert "Piece in focus: piece 1" in content
    assert "last question: budget" in content
    assert content.endswith("Shopper's message:\n80")
    schema = body["response_format"]["json_schema"]["schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert {"intent", "pieces", "shopper"} <= set(schema["properties"])
    assert {"shades", "avoid_colours", "age_group"} <= set(
        schema["$defs"]["DesignBrief"]["properties"]
    )


def test_empty_outfit_is_said_as_such(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("none"))

    assert reader_for(fake).read("hello", TurnContext()) == TurnUpdate(intent="none")
    content = fake.requests[0]["messages"][1]["content"]
    assert "(empty: nothing described yet)" in content
    assert "Piece in focus: none" in content and "last question: none" in content


def test_two_piece_message_becomes_two_new_pieces(fake: FakeOpenAIServer) -> None:
    dress = {"garment": "dress", "article_types": ["Dresses"], "colours": ["green"]}
    dress |= {"shades": ["sage"], "budget_max": 150, "currency": "eur"}
    shoes = {"garment": "sneakers", "category": "footwear", "colours": ["White"]}
    fake.enqueue(turn("new", (None, dress), (None, shoes), gender="women", city="Lisbon"))

    update = reader_for(fake).read("a sage dress and white sneakers, under €150", TurnContext())

    assert update.intent == "new"
    first, second = update.pieces
    assert (first.piece, second.piece) == (None, None)
    assert first.brief.model_fields_set == set(dress)
    assert (first.brief.colours, first.brief.shades) == (["Green"], ["sage"])  # catalogue spelling
    assert first.brief.currency == "EUR"
    assert second.brief.model_fields_set == set(shoes)
    assert update.shopper.model_fields_set == {"gender", "city"}
    merged = DesignBrief(fabric="linen").merged(first.brief).merged(update.shopper)
    assert (merged.fabric, merged.garment, merged.city) == ("linen", "dress", "Lisbon")


def test_refine_of_piece_1_targets_it(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", (1, {"colours": ["Blue"], "shades": ["light blue"]})))

    update = reader_for(fake).read("make the shirt light blue", OUTFIT)

    [piece] = update.pieces
    assert update.intent == "refine" and piece.piece == 1
    assert OUTFIT.outfit[1].merged(piece.brief).colours == ["Blue"]


def test_negation_and_a_shopper_fact_in_a_piece(fake: FakeOpenAIServer) -> None:
    fields = {"colours": ["Navy Blue"], "avoid_colours": ["Red"], "age_group": "kids"}
    fake.enqueue(turn("refine", (0, fields)))

    update = reader_for(fake).read("no, not red — navy, it's for my 6 year old", OUTFIT)

    [piece] = update.pieces
    assert piece.brief.model_fields_set == {"colours", "avoid_colours"}
    assert update.shopper.model_fields_set == {"age_group"}
    assert update.shopper.age_group == "kids"


def test_details_before_any_garment_refine_the_empty_outfit(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", (None, {"occasion": "wedding", "budget_max": 100})))

    update = reader_for(fake).read("something for a wedding, under 100", TurnContext())

    [piece] = update.pieces
    assert update.intent == "refine" and piece.piece is None
    assert (piece.brief.occasion, piece.brief.budget_max) == ("wedding", 100)


INVALID = {
    "out-of-range piece": turn("refine", (2, {"colours": ["Red"]})),
    "unknown colour": turn("refine", (0, {"colours": ["Sage"]})),
    "unknown article type": turn("add", (None, {"article_types": ["Hats"]})),
    "refine of a new piece": turn("refine", (None, {"colours": ["Red"]})),
    "new naming an old piece": turn("new", (0, {"garment": "skirt"})),
    "add with no piece": turn("add"),
    "piece updated twice": turn("refine", (0, {"fabric": "silk"}), (0, {"length": "midi"})),
    "wanted and avoided": turn("refine", (0, {"colours": ["Red"], "avoid_colours": ["Red"]})),
    "piece field in shopper": turn("refine", colours=["Red"]),
    "none that sets fields": turn("none", (0, {"fabric": "silk"})),
    "not a currency": turn("refine", (0, {"budget_max": 50, "currency": "euros"})),
    "conflicting shopper facts": turn("refine", (0, {"gender": "men"}), gender="women"),
}


@pytest.mark.parametrize("reply", INVALID.values(), ids=INVALID.keys())
def test_invalid_reading_is_rejected_at_once(fake: FakeOpenAIServer, reply: Reply) -> None:
    fake.enqueue(reply, turn("refine", (0, {"fabric": "silk"})))

    with pytest.raises(InvalidTurnError, match="invalid reading") as caught:
        reader_for(fake).read("make it red", OUTFIT)
    assert caught.value.problems and len(fake.requests) == 1  # no retry of a deterministic answer


def test_bare_number_is_a_budget_only_after_the_budget_question(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", (0, {"budget_max": 80})))

    with pytest.raises(InvalidTurnError, match="bare number"):
        reader_for(fake).read("80", OUTFIT)


FAILURES = {
    "out-of-range piece": [turn("refine", (5, {"colours": ["Red"]}))],
    "unknown colour": [turn("refine", (0, {"colours": ["Sage"]}))],
    "intent/piece mismatch": [turn("new", (1, {"garment": "skirt"}))],
    "broken JSON": [Reply.text('{"intent": "refine", '), Reply.text("not json")],
    "timeout": [Reply.slow(TIMEOUT_S * 3), Reply.slow(TIMEOUT_S * 3)],
}


@pytest.mark.parametrize("replies", FAILURES.values(), ids=FAILURES.keys())
def test_failed_turn_falls_back_and_the_next_turn_uses_the_llm_again(
    fake: FakeOpenAIServer, replies: list[Reply], caplog: pytest.LogCaptureFixture
) -> None:
    fake.enqueue(*replies, turn("refine", (1, {"fabric": "silk"})))
    stub = StubReader(RULES_ANSWER)
    reader = FallbackBriefReader(reader_for(fake), stub)

    with caplog.at_level(logging.INFO):
        first = reader.read(PRIVATE_TEXT, OUTFIT)
    second = reader.read("the shirt in silk", OUTFIT)

    assert first is RULES_ANSWER and stub.calls == [(PRIVATE_TEXT, OUTFIT)]
    assert [p.piece for p in second.pieces] == [1] and second.pieces[0].brief.fabric == "silk"
    assert len(fake.requests) == len(replies) + 1
    assert any("fallback reads this turn" in r.getMessage() for r in caplog.records)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "912 345" not in logged and "garden wedding" not in logged and "Sage" not in logged


def test_invalid_json_once_then_valid_succeeds_on_the_retry(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.text('{"intent": "new", '), turn("new", (None, {"garment": "dress"})))

    update = reader_for(fake).read("a dress", TurnContext())

    assert update.pieces[0].brief.garment == "dress"
    assert len(fake.requests) == 2


def test_reply_breaking_the_schema_is_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", gender="martian"), turn("refine", gender="women"))

    assert reader_for(fake).read("for women", OUTFIT).shopper.gender == "women"
    assert len(fake.requests) == 2


def test_json_in_a_markdown_fence_is_accepted(fake: FakeOpenAIServer) -> None:
    fenced = turn("refine", (0, {"fabric": "linen"})).content
    fake.enqueue(Reply.text(f"```json\n{fenced}\n```"))

    assert reader_for(fake).read("in linen", OUTFIT).pieces[0].brief.fabric == "linen"


def test_two_timeouts_raise_a_clear_error(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.slow(TIMEOUT_S * 3), Reply.slow(TIMEOUT_S * 3))

    with pytest.raises(BriefReaderError, match="after 2 attempts.*Timeout"):
        reader_for(fake).read("a dress", TurnContext())
    assert len(fake.requests) == 2  # no hidden retries inside the OpenAI client


def test_http_500_is_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(500), turn("new", (None, {"garment": "shirt"})))

    assert reader_for(fake).read("a shirt", TurnContext()).pieces[0].brief.garment == "shirt"
    assert len(fake.requests) == 2


def test_retries_setting_counts_attempts(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(500), Reply.error(500), Reply.error(500))

    with pytest.raises(BriefReaderError, match="after 3 attempts"):
        reader_for(fake, retries=2).read("a shirt", TurnContext())
    assert len(fake.requests) == 3


def test_refused_request_is_not_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(401))

    with pytest.raises(BriefReaderError, match="refused.*AuthenticationError"):
        reader_for(fake).read("a shirt", TurnContext())
    assert len(fake.requests) == 1


def test_reader_needs_a_model() -> None:
    with pytest.raises(ValueError, match="STYLEGENIE_LLM__MODEL"):
        LiteLLMBriefReader(LLMSettings())


def test_fallback_is_not_asked_when_the_primary_answers(fake: FakeOpenAIServer) -> None:
    fake.enqueue(turn("refine", city="Lisbon"))
    stub = StubReader(RULES_ANSWER)

    update = FallbackBriefReader(reader_for(fake), stub).read("I'm in Lisbon", OUTFIT)

    assert update.shopper.city == "Lisbon" and update.pieces == [] and stub.calls == []


def test_wiring_builds_the_llm_reader_with_the_catalogue_vocabularies(
    fake: FakeOpenAIServer,
) -> None:
    from stylegenie.bots.wiring import brief_reader_for
    from stylegenie.config import Settings

    llm = {"model": "openai/fake-model", "api_base": fake.api_base, "api_key": "test"}
    reader = brief_reader_for(Settings(llm=llm))
    assert isinstance(reader, FallbackBriefReader)
    fake.enqueue(turn("new", (None, {"garment": "dress", "colours": ["Navy Blue"]})))

    update = reader.read("a navy dress", TurnContext())

    assert update.pieces[0].brief.colours == ["Navy Blue"]
    system = fake.requests[0]["messages"][0]["content"]
    assert "Navy Blue" in system and "Dresses" in system
