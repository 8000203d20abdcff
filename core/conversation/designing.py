"""Designing: apply what the shopper said to the outfit, draw designs, pick, vary, ask, suggest."""

from __future__ import annotations

from ..domain import Design, occasion_phrase
from ..ports import ProgressCallback
from ..prompting import designs_for_brief, variations_of
from ..reply import Choice, ImageRef, Reply
from ..understanding.turn import TurnUpdate, set_fields
from ..variants import DIMENSIONS
from . import texts
from .budgets import currency_refusal, in_shop_currency, unknown_currency
from .context import EngineOptions, EngineServices
from .outfit import Applied, apply_update, merge_piece
from .state import ConversationState, Stage
from .suggestions import ideas_for

PREFERENCE_FIELDS = ("size", "city", "gender", "currency")
"""Profile preferences that fill a new look where the shopper did not say otherwise."""

_VARIANT_FIELDS = frozenset({name for dims in DIMENSIONS.values() for name in dims} | {"pattern"})
_BUDGET_FIELDS = frozenset({"budget_min", "budget_max", "currency"})


class DesignFlow:
    """The designing part of the conversation."""

    def __init__(self, services: EngineServices, options: EngineOptions) -> None:
        self._services = services
        self._options = options

    def understood(
        self,
        chat_key: str,
        state: ConversationState,
        update: TurnUpdate,
        progress: ProgressCallback | None,
    ) -> Reply:
        """Apply a description or refinement; draw designs of the look once a garment is known."""
        unknown = next(
            filter(None, (unknown_currency(self._options.rates, p.brief) for p in update.pieces)),
            None,
        )
        if unknown:
            return self._refuse_currency(state, unknown)
        first = not state.pieces
        applied = apply_update(state, update)
        if applied.new_look:
            self._with_preferences(chat_key, state)
        if not state.pieces:
            state.stage = Stage.GATHERING
            so_far = f": {state.brief.summary()}" if applied.fields else ""
            return self.ideas(state, texts.ASK_GARMENT.format(so_far=so_far))
        if not applied.fields:
            current = self.current_choices(state)
            summary = "; ".join(brief.summary() for brief in state.outfit)
            return Reply(text=texts.ALREADY_SO.format(summary=summary), choices=current.choices)
        if state.designs and not (applied.visual or applied.new_look or applied.added):
            current = self.current_choices(state)
            summary = "; ".join(brief.summary() for brief in state.outfit)
            return Reply(text=texts.DETAILS_SET.format(summary=summary), choices=current.choices)
        reply = self._draw(state, progress)
        reply.text = self._designs_text(state, applied, first, len(reply.images))
        return reply

    def _designs_text(
        self, state: ConversationState, applied: Applied, first: bool, count: int
    ) -> str:
        summary = state.brief.summary()
        if applied.new_look and len(state.pieces) > 1:
            pieces = "; ".join(piece.summary() for piece in state.outfit)
            garment = state.brief.garment or "first piece"
            return texts.LOOK_READY.format(count=count, pieces=pieces, focus=garment)
        if applied.added:
            return texts.PIECE_ADDED.format(summary=summary, count=count)
        if first or applied.new_look:
            text = texts.DESIGNS_READY.format(count=count, summary=summary)
            return text + (texts.NO_BUDGET_HINT if state.brief.budget_max is None else "")
        return texts.DESIGNS_UPDATED.format(summary=summary)

    def ideas(self, state: ConversationState, text: str | None = None) -> Reply:
        """Concrete ideas as buttons; pressing one reads it as the shopper's message."""
        state.suggestions = ideas_for(state.brief, state.suggestions)
        if text is None:
            occasion = state.brief.occasion
            text = texts.IDEAS.format(for_what=f" {occasion_phrase(occasion)}" if occasion else "")
        choices = [
            Choice(id=f"idea:{n}", label=idea.capitalize())
            for n, idea in enumerate(state.suggestions)
        ]
        return Reply(text=text, choices=choices)

    def budget_command(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """/budget with an amount sets it; without one, or with a wrong one, asks for it."""
        state.awaiting = "budget"
        if not text.strip():
            return Reply(text=texts.ASK_BUDGET)
        update = self._services.brief_reader.read(text, state.context())
        if not update.budget_only():
            return Reply(text=texts.BAD_BUDGET)
        return self.set_budget(state, update)

    def set_budget(self, state: ConversationState, update: TurnUpdate) -> Reply:
        """Set the focused piece's budget from a message that holds only a budget."""
        budget = next(p.brief for p in update.pieces if set_fields(p.brief) & _BUDGET_FIELDS)
        unknown = unknown_currency(self._options.rates, budget)
        if unknown:
            return self._refuse_currency(state, unknown)
        state.awaiting = None
        if state.focus is None:
            state.draft = merge_piece(state.draft, budget)
        else:
            state.pieces[state.focus] = merge_piece(state.pieces[state.focus], budget)
        current = self.current_choices(state)
        brief = state.brief
        converted = in_shop_currency(self._options.rates, brief)
        return Reply(
            text=texts.BUDGET_SET.format(budget=brief.budget_text(), converted=converted),
            choices=current.choices,
        )

    def _refuse_currency(self, state: ConversationState, currency: str) -> Reply:
        state.awaiting = "budget"
        return Reply(text=currency_refusal(self._options.rates, currency))

    def pick(self, state: ConversationState, design_id: str) -> Reply:
        """The shopper chose one design: its variant becomes the piece; what can be done next."""
        state.chosen_id = design_id
        state.stage = Stage.PICKED
        design = state.chosen
        assert design is not None
        if state.designs_for is not None and state.designs_for < len(state.pieces):
            state.focus = state.designs_for
            piece = state.pieces[state.focus]
            chosen = {
                name: getattr(design.brief, name)
                for name in _VARIANT_FIELDS
                if getattr(design.brief, name) and not getattr(piece, name)
            }
            state.pieces[state.focus] = piece.model_copy(update=chosen)
        images = (
            [ImageRef(ref=design.image_ref, caption=design.caption)] if design.image_ref else []
        )
        return Reply(
            text=texts.PICKED.format(summary=state.brief.summary()),
            images=images,
            choices=self.next_steps(design),
        )

    def vary(
        self, state: ConversationState, design_id: str, progress: ProgressCallback | None
    ) -> Reply:
        """New seeds of the chosen design."""
        design = state.design(design_id)
        assert design is not None
        options = self._options
        variations = variations_of(design, options.designs_per_brief, options.variation_strength)
        reply = self._show_designs(state, variations, progress)
        reply.text = texts.VARIATIONS_READY.format(count=len(reply.images))
        return reply

    def more(self, state: ConversationState, progress: ProgressCallback | None) -> Reply:
        """A fresh set of designs for the current outfit."""
        if not state.pieces:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        reply = self._draw(state, progress)
        reply.text = texts.DESIGNS_READY.format(
            count=len(reply.images), summary=state.brief.summary()
        )
        return reply

    def current_choices(self, state: ConversationState) -> Reply:
        """Where the conversation stands, as a short text and the buttons that apply now."""
        if state.chosen:
            return Reply(
                text=texts.PICKED.format(summary=state.brief.summary()),
                choices=self.next_steps(state.chosen),
            )
        if state.designs:
            return Reply(
                text="Pick one of the designs above.", choices=self._pick_choices(state.designs)
            )
        return self.ideas(state, texts.ASK_TO_DESCRIBE)

    def next_steps(self, design: Design) -> list[Choice]:
        """Buttons under a picked design."""
        return [
            Choice(id="products", label="Show products"),
            Choice(id="ateliers", label="Find an atelier"),
            Choice(id=f"vary:{design.id}", label="Variations"),
            Choice(id=f"save:{design.id}", label="Save"),
        ]

    def _draw(self, state: ConversationState, progress: ProgressCallback | None) -> Reply:
        """Designs of the focused piece, worn with the rest of the outfit."""
        focus = state.focus or 0
        outfit = state.outfit
        companions = [brief for i, brief in enumerate(outfit) if i != focus]
        designs = designs_for_brief(
            outfit[focus], self._options.designs_per_brief, "pending", companions
        )
        reply = self._show_designs(state, designs, progress)
        state.designs_for = focus
        return reply

    def _show_designs(
        self, state: ConversationState, designs: list[Design], progress: ProgressCallback | None
    ) -> Reply:
        rendered = self._services.workers.render_designs(designs, progress)
        state.designs = rendered
        state.chosen_id = None
        state.stage = Stage.DESIGNS
        images = [
            ImageRef(ref=d.image_ref, caption=f"{n}. {d.caption}" if d.caption else f"Design {n}")
            for n, d in enumerate(rendered, start=1)
            if d.image_ref
        ]
        return Reply(text="", images=images, choices=self._pick_choices(rendered))

    def _pick_choices(self, designs: list[Design]) -> list[Choice]:
        picks = [
            Choice(id=f"pick:{d.id}", label=f"Pick {n}") for n, d in enumerate(designs, start=1)
        ]
        return [*picks, Choice(id="more", label="New designs")]

    def _with_preferences(self, chat_key: str, state: ConversationState) -> None:
        """Fill the shopper's saved preferences into a new look where they said nothing."""
        preferences = self._services.users.get_user(chat_key).preferences
        facts = {
            name: getattr(preferences, name)
            for name in ("size", "city", "gender")
            if getattr(preferences, name) is not None and getattr(state.shopper, name) is None
        }
        if facts:
            state.shopper = state.shopper.model_copy(update=facts)
        if preferences.currency:
            state.pieces = [
                p if p.currency else p.model_copy(update={"currency": preferences.currency})
                for p in state.pieces
            ]
