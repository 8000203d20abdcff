"""Designing: read the shopper's words into the brief, draw designs, pick, vary, refine."""

from __future__ import annotations

from ..domain import Design, DesignBrief
from ..ports import ProgressCallback
from ..prompting import designs_for_brief, variations_of
from ..reply import Choice, ImageRef, Reply
from . import texts
from .context import EngineOptions, EngineServices
from .state import ConversationState, Stage

VISUAL_FIELDS = frozenset(
    {
        "garment",
        "category",
        "article_types",
        "colours",
        "fabric",
        "silhouette",
        "length",
        "sleeves",
        "occasion",
        "style_notes",
        "gender",
    }
)
"""Fields whose change calls for new designs (a new budget or city does not)."""

PREFERENCE_FIELDS = ("size", "city", "gender", "currency")
"""Profile preferences that fill a new brief where the shopper did not say otherwise."""


def mentioned(update: DesignBrief) -> set[str]:
    """The fields a brief update sets."""
    return set(update.model_dump(exclude_unset=True, exclude_defaults=True))


class DesignFlow:
    """The designing part of the conversation."""

    def __init__(self, services: EngineServices, options: EngineOptions) -> None:
        self._services = services
        self._options = options

    def describe(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Apply a description or refinement; draw designs once the garment is known."""
        refusal = self._services.moderator.refusal(text)
        if refusal:
            return Reply(text=refusal)
        update = self._services.brief_reader.read(text, state.brief)
        changed = mentioned(update)
        if not changed:
            if state.stage is Stage.NEW:
                return Reply(text=texts.ASK_TO_DESCRIBE)
            current = self.current_choices(state)
            return Reply(text=texts.NOTHING_UNDERSTOOD, choices=current.choices)
        if state.stage is Stage.NEW:
            update = self._with_preferences(chat_key, update, changed)
        state.brief = state.brief.merged(update)
        if not state.brief.garment:
            state.stage = Stage.GATHERING
            so_far = f": {state.brief.summary()}" if changed - {"garment"} else ""
            return Reply(text=texts.ASK_GARMENT.format(so_far=so_far))
        if state.designs and not changed & VISUAL_FIELDS:
            current = self.current_choices(state)
            return Reply(
                text=texts.DETAILS_SET.format(summary=state.brief.summary()),
                choices=current.choices,
            )
        first = not state.designs
        designs = designs_for_brief(state.brief, self._options.designs_per_brief, "pending")
        reply = self._show_designs(state, designs, progress)
        template = texts.DESIGNS_READY if first else texts.DESIGNS_UPDATED
        reply.text = template.format(count=len(designs), summary=state.brief.summary())
        if state.brief.budget_max is None and first:
            reply.text += texts.NO_BUDGET_HINT
        return reply

    def budget_command(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """/budget with an amount sets it; without one, asks for it."""
        if not text.strip():
            state.awaiting = "budget"
            return Reply(text=texts.ASK_BUDGET)
        return self.set_budget(chat_key, state, text, progress)

    def set_budget(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Read a budget from a short answer ("80", "between 40 and 60")."""
        update = self._services.brief_reader.read(f"budget {text}", state.brief)
        fields = mentioned(update)
        if not fields & {"budget_min", "budget_max"}:
            state.awaiting = "budget"
            return Reply(text=texts.BAD_BUDGET)
        state.awaiting = None
        budget = update.model_dump(
            include={"budget_min", "budget_max", "currency"}, exclude_unset=True
        )
        state.brief = state.brief.model_copy(
            update={"budget_min": None, "budget_max": None, **budget}
        )
        current = self.current_choices(state)
        return Reply(
            text=texts.BUDGET_SET.format(budget=state.brief.budget_text()), choices=current.choices
        )

    def pick(self, state: ConversationState, design_id: str) -> Reply:
        """The shopper chose one design: show it with what can be done next."""
        state.chosen_id = design_id
        state.stage = Stage.PICKED
        design = state.chosen
        assert design is not None
        images = [ImageRef(ref=design.image_ref, caption="Your pick")] if design.image_ref else []
        return Reply(
            text=texts.PICKED.format(summary=design.brief.summary()),
            images=images,
            choices=self.next_steps(design),
        )

    def vary(
        self, state: ConversationState, design_id: str, progress: ProgressCallback | None
    ) -> Reply:
        """New seeds of the chosen design."""
        design = state.design(design_id)
        assert design is not None
        reply = self._show_designs(
            state,
            variations_of(
                design, self._options.designs_per_brief, self._options.variation_strength
            ),
            progress,
        )
        reply.text = texts.VARIATIONS_READY.format(count=len(reply.images))
        return reply

    def more(self, state: ConversationState, progress: ProgressCallback | None) -> Reply:
        """A fresh set of designs for the current brief."""
        if not state.brief.garment:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        designs = designs_for_brief(state.brief, self._options.designs_per_brief, "pending")
        reply = self._show_designs(state, designs, progress)
        reply.text = texts.DESIGNS_READY.format(count=len(designs), summary=state.brief.summary())
        return reply

    def current_choices(self, state: ConversationState) -> Reply:
        """Where the conversation stands, as a short text and the buttons that apply now."""
        if state.chosen:
            return Reply(
                text=texts.PICKED.format(summary=state.chosen.brief.summary()),
                choices=self.next_steps(state.chosen),
            )
        if state.designs:
            return Reply(
                text="Pick one of the designs above.", choices=self._pick_choices(state.designs)
            )
        return Reply(text=texts.ASK_TO_DESCRIBE)

    def next_steps(self, design: Design) -> list[Choice]:
        """Buttons under a picked design."""
        return [
            Choice(id="products", label="Show products"),
            Choice(id="ateliers", label="Find an atelier"),
            Choice(id=f"vary:{design.id}", label="Variations"),
            Choice(id=f"save:{design.id}", label="Save"),
        ]

    def _show_designs(
        self, state: ConversationState, designs: list[Design], progress: ProgressCallback | None
    ) -> Reply:
        rendered = self._services.workers.render_designs(designs, progress)
        state.designs = rendered
        state.chosen_id = None
        state.stage = Stage.DESIGNS
        images = [
            ImageRef(ref=d.image_ref, caption=f"Design {n} · {d.model} · seed {d.seed}")
            for n, d in enumerate(rendered, start=1)
            if d.image_ref
        ]
        return Reply(text="", images=images, choices=self._pick_choices(rendered))

    def _pick_choices(self, designs: list[Design]) -> list[Choice]:
        picks = [
            Choice(id=f"pick:{d.id}", label=f"Pick {n}") for n, d in enumerate(designs, start=1)
        ]
        return [*picks, Choice(id="more", label="New designs")]

    def _with_preferences(
        self, chat_key: str, update: DesignBrief, changed: set[str]
    ) -> DesignBrief:
        preferences = self._services.users.get_user(chat_key).preferences
        defaults = {
            name: getattr(preferences, name)
            for name in PREFERENCE_FIELDS
            if name not in changed and getattr(preferences, name) is not None
        }
        return update.model_copy(update=defaults) if defaults else update
