"""The LLM brief reader through real litellm, talking to a fake OpenAI-compatible server."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator

import pytest
from fakes.openai_server import FakeOpenAIServer, Reply

from stylegenie.adapters.llm_reader import (
    BriefReaderError,
    FallbackBriefReader,
    LiteLLMBriefReader,
)
from stylegenie.config.settings import LLMSettings
from stylegenie.core.domain import DesignBrief

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="litellm (extra 'llm') is not installed"
)

TIMEOUT_S = 0.5
PRIVATE_TEXT = "I'm Ana, +351 912 345 678: a sage dress for a garden wedding"


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
    return LiteLLMBriefReader(settings, article_types=["Dresses", "Tshirts"], colours=["Green"])


class StubReader:
    """A reader that always answers the same update and records what it was asked."""

    def __init__(self, answer: DesignBrief) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def read(self, text: str, current: DesignBrief) -> DesignBrief:
        self.calls.append(text)
        return self.answer


def test_valid_reply_becomes_an_update_with_only_those_fields(fake: FakeOpenAIServer) -> None:
    fake.enqueue(
        Reply.json(
            {
                "garment": "dress",
                "article_types": ["Dresses"],
                "colours": ["Green"],
                "occasion": "wedding",
                "budget_max": 120,
                "fabric": None,  # strict schemas make models send every key, unset ones null
                "style_notes": [],
            }
        )
    )
    update = reader_for(fake).read("a sage dress for a wedding under 120", DesignBrief())

    assert update.model_fields_set == {
        "garment",
        "article_types",
        "colours",
        "occasion",
        "budget_max",
    }
    assert update.colours == ["Green"] and update.budget_max == 120
    current = DesignBrief(garment="skirt", fabric="linen", city="Lisbon")
    merged = current.merged(update)
    assert (merged.garment, merged.fabric, merged.city) == ("dress", "linen", "Lisbon")


def test_request_carries_prompt_text_current_brief_and_schema(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.json({"colours": ["Green"]}))
    current = DesignBrief(garment="dress", colours=["Red"])
    update = reader_for(fake).read("make it green", current)

    assert current.merged(update).colours == ["Green"]
    [body] = fake.requests
    assert body["model"] == "fake-model"
    system, user = body["messages"]
    assert system["role"] == "system" and "article_types" in system["content"]
    assert "Dresses, Tshirts" in system["content"]
    assert user["role"] == "user" and "make it green" in user["content"]
    assert '"colours":["Red"]' in user["content"]
    schema_format = body["response_format"]
    assert schema_format["type"] == "json_schema"
    properties = schema_format["json_schema"]["schema"]["properties"]
    assert {"garment", "colours", "budget_max", "gender", "city"} <= set(properties)


def test_invalid_json_once_then_valid_succeeds_on_the_retry(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.text('{"garment": "dress", '), Reply.json({"garment": "dress"}))
    update = reader_for(fake).read("a dress", DesignBrief())

    assert update.garment == "dress"
    assert len(fake.requests) == 2


def test_reply_breaking_the_schema_is_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.json({"gender": "martian"}), Reply.json({"gender": "women"}))

    assert reader_for(fake).read("for women", DesignBrief()).gender == "women"
    assert len(fake.requests) == 2


def test_json_in_a_markdown_fence_is_accepted(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.text('```json\n{"fabric": "linen"}\n```'))

    assert reader_for(fake).read("in linen", DesignBrief()).fabric == "linen"


def test_two_timeouts_raise_a_clear_error(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.slow(TIMEOUT_S * 3), Reply.slow(TIMEOUT_S * 3))

    with pytest.raises(BriefReaderError, match="after 2 attempts.*Timeout"):
        reader_for(fake).read("a dress", DesignBrief())
    assert len(fake.requests) == 2  # no hidden retries inside the OpenAI client


def test_http_500_is_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(500), Reply.json({"garment": "shirt"}))

    assert reader_for(fake).read("a shirt", DesignBrief()).garment == "shirt"
    assert len(fake.requests) == 2


def test_retries_setting_counts_attempts(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(500), Reply.error(500), Reply.error(500))

    with pytest.raises(BriefReaderError, match="after 3 attempts"):
        reader_for(fake, retries=2).read("a shirt", DesignBrief())
    assert len(fake.requests) == 3


def test_refused_request_is_not_retried(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.error(401))

    with pytest.raises(BriefReaderError, match="refused.*AuthenticationError"):
        reader_for(fake).read("a shirt", DesignBrief())
    assert len(fake.requests) == 1


def test_reader_needs_a_model() -> None:
    with pytest.raises(ValueError, match="STYLEGENIE_LLM__MODEL"):
        LiteLLMBriefReader(LLMSettings())


def test_fallback_answers_when_the_primary_fails_without_logging_the_text(
    fake: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake.enqueue(Reply.error(500), Reply.error(500))
    stub = StubReader(DesignBrief(garment="dress"))
    reader = FallbackBriefReader(reader_for(fake), stub)

    with caplog.at_level(logging.INFO):
        update = reader.read(PRIVATE_TEXT, DesignBrief())

    assert update.garment == "dress" and stub.calls == [PRIVATE_TEXT]
    assert any("fallback" in r.getMessage() for r in caplog.records)
    assert all("912 345" not in r.getMessage() for r in caplog.records)


def test_fallback_is_not_asked_when_the_primary_answers(fake: FakeOpenAIServer) -> None:
    fake.enqueue(Reply.json({"city": "Lisbon"}))
    stub = StubReader(DesignBrief(garment="dress"))

    update = FallbackBriefReader(reader_for(fake), stub).read("I'm in Lisbon", DesignBrief())

    assert update.city == "Lisbon" and stub.calls == []
