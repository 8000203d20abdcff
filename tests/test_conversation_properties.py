"""Property-based: random messages and button presses, stale ones included, never break a turn."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stylegenie.core.chats import ChatKey
from stylegenie.core.commands import COMMAND_NAMES
from stylegenie.core.conversation.state import ConversationState, Incoming, MessageKind, Stage
from stylegenie.core.reply import Reply
from tests.fakes.people import event, press

PROP = "prop:0"

WORDS = [
    "red",
    "navy",
    "linen",
    "dress",
    "tee",
    "trainers",
    "under 50",
    "between 40 and 60",
    "-5",
    "make it green",
    "longer sleeves",
    "actually a jumpsuit",
    "Lisbon",
    "for my dad",
    "size M",
    "€80 max",
    "🤷",
    "",
    "   ",
    "x" * 3000,
    "Narnia",
    "hello",
]

texts_ = st.one_of(st.sampled_from(WORDS), st.text(max_size=60))
commands = st.builds(
    lambda name, argument: event(PROP, MessageKind.COMMAND, command=name, text=argument),
    st.sampled_from([*sorted(COMMAND_NAMES), "teleport"]),
    st.sampled_from(["", "80", "size M, Lisbon", "-3", "abc"]),
)
static_choices = st.sampled_from(
    ["products", "ateliers", "more", "new", "pick:d-00000000", "lead:x", "vary:", "save:"]
)
events = st.one_of(
    texts_.map(lambda t: event(PROP, MessageKind.TEXT, text=t)),
    commands,
    static_choices.map(lambda choice_id: press(PROP, choice_id)),
    st.integers(0, 5).map(lambda n: event(PROP, MessageKind.CHOICE, choice_id=f"#{n}")),
    st.sampled_from(
        [MessageKind.STICKER, MessageKind.PHOTO, MessageKind.LOCATION, MessageKind.OTHER]
    ).map(lambda k: event(PROP, k)),
)


def assert_consistent(state: ConversationState) -> None:
    if state.stage is Stage.PICKED:
        assert state.chosen is not None
    if state.stage is Stage.DESIGNS:
        assert state.designs and state.chosen_id is None
    if state.designs:
        assert state.brief.garment
    if state.brief.budget_min is not None and state.brief.budget_max is not None:
        assert state.brief.budget_min <= state.brief.budget_max


def test_random_conversations_always_get_a_valid_reply(make_app: Any) -> None:
    app = make_app(chat={"messages_per_minute": 1_000_000})
    counter = iter(range(10**9))

    @settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(events, min_size=1, max_size=6))
    def run(conversation: list[Incoming]) -> None:
        key = ChatKey(platform="prop", id=str(next(counter)))
        last = Reply(text="")
        for incoming in conversation:
            if incoming.choice_id and incoming.choice_id.startswith("#"):
                index = int(incoming.choice_id[1:])
                if index >= len(last.choices):
                    continue
                incoming = press(key, last.choices[index].id)
            last = app.engine.handle(key, incoming)
            Reply.model_validate(last.model_dump())
            assert last.text.strip()
            assert len({c.id for c in last.choices}) == len(last.choices)
            assert_consistent(
                ConversationState.model_validate(app.engine._services.sessions.load(str(key)))
            )

    run()
    assert next(counter) >= 2000, "hypothesis ran fewer conversations than asked"
