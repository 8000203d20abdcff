"""The shopper's own things: saved designs and standing preferences."""

from __future__ import annotations

from ..ports import ProgressCallback
from ..reply import ImageRef, Reply
from ..understanding.turn import TurnContext, set_fields
from . import texts
from .context import EngineServices
from .designing import PREFERENCE_FIELDS, DesignFlow
from .state import ConversationState

MAX_SAVED_SHOWN = 10


class ProfileFlow:
    """Saving designs and setting preferences, stored in the user repository."""

    def __init__(self, services: EngineServices, designs: DesignFlow) -> None:
        self._services = services
        self._designs = designs

    def save_chosen(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """/save: keep the picked design."""
        if state.chosen_id is None:
            return Reply(text=texts.NOTHING_TO_SAVE)
        return self.save(chat_key, state, state.chosen_id)

    def save(self, chat_key: str, state: ConversationState, design_id: str) -> Reply:
        """Keep one of the current designs in the shopper's profile."""
        design = state.design(design_id)
        if design is None:
            return Reply(text=texts.NOTHING_TO_SAVE)
        profile = self._services.users.get_user(chat_key)
        buttons = self._designs.current_choices(state).choices
        if any(saved.id == design.id for saved in profile.saved_designs):
            return Reply(text=texts.ALREADY_SAVED, choices=buttons)
        profile.saved_designs.append(design)
        self._services.users.save_user(profile)
        return Reply(text=texts.SAVED, choices=buttons)

    def saved(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """/saved: the most recent saved designs, as pictures."""
        designs = self._services.users.get_user(chat_key).saved_designs
        if not designs:
            return Reply(text=texts.NO_SAVED)
        recent = designs[-MAX_SAVED_SHOWN:]
        images = [
            ImageRef(ref=d.image_ref, caption=d.brief.summary()) for d in recent if d.image_ref
        ]
        lines = [f"{n}. {d.brief.summary()}" for n, d in enumerate(recent, start=1)]
        return Reply(
            text=texts.SAVED_LIST.format(count=len(designs)) + "\n" + "\n".join(lines),
            images=images,
        )

    def prefs(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """/prefs shows preferences; /prefs with words sets size, city, gender or currency."""
        profile = self._services.users.get_user(chat_key)
        if text.strip():
            said = self._services.brief_reader.read(text, TurnContext()).first_brief()
            chosen = set_fields(said) & set(PREFERENCE_FIELDS)
            if not chosen:
                return Reply(text=texts.PREFS_EMPTY)
            profile.preferences = profile.preferences.model_copy(
                update={name: getattr(said, name) for name in chosen}
            )
            self._services.users.save_user(profile)
            return Reply(text=texts.PREFS_SET.format(prefs=_describe(profile.preferences)))
        if not _describe(profile.preferences):
            return Reply(text=texts.PREFS_EMPTY)
        return Reply(text=texts.PREFS_SHOW.format(prefs=_describe(profile.preferences)))


def _describe(preferences: object) -> str:
    values = [
        f"{name} {getattr(preferences, name)}"
        for name in PREFERENCE_FIELDS
        if getattr(preferences, name)
    ]
    return ", ".join(values)
