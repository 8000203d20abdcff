"""The conversation's parts from settings: how briefs are read, what is refused, the shop's
currencies and the engine's options."""

from __future__ import annotations

from stylegenie.adapters.moderation import BlocklistModerator, ChainModerator, LiteLLMModerator
from stylegenie.config import Settings
from stylegenie.core.conversation.context import EngineOptions
from stylegenie.core.money import CurrencyRates
from stylegenie.core.ports import BriefReader, Geocoder, Moderator
from stylegenie.core.understanding.rules import RuleBasedBriefReader


def brief_reader_for(settings: Settings, geocoder: Geocoder | None = None) -> BriefReader:
    """The LLM with the rule-based reader as fallback, or the reader alone without a model.

    With a ``geocoder`` the rule-based reader knows every city it knows ("I'm in Denver").
    """
    rules = RuleBasedBriefReader(geocoder)
    if not settings.llm.model:
        return rules
    from stylegenie.adapters.llm_reader import FallbackBriefReader, LiteLLMBriefReader
    from stylegenie.core.understanding.vocabulary import COLOURS, GARMENTS

    article_types = sorted({t for garment in GARMENTS.values() for t in garment.article_types})
    llm = LiteLLMBriefReader(settings.llm, article_types, sorted(set(COLOURS.values())))
    return FallbackBriefReader(llm, rules)


def moderator_for(settings: Settings) -> Moderator:
    """The blocklist, followed by the LLM moderation model when one is configured."""
    moderation = settings.moderation
    moderators: list[Moderator] = [BlocklistModerator(moderation.blocklist)]
    if moderation.llm_model:
        moderators.append(LiteLLMModerator(moderation.llm_model, settings.llm))
    return ChainModerator(moderators)


def currency_rates_for(settings: Settings) -> CurrencyRates:
    """The shop's currency and its exchange-rate table."""
    return CurrencyRates(settings.currency, settings.exchange_rates)


def engine_options_for(settings: Settings) -> EngineOptions:
    """How the conversation behaves: designs per brief, products shown, limits, currencies."""
    return EngineOptions(
        designs_per_brief=settings.render.designs_per_brief,
        variation_strength=settings.render.variation_strength,
        products_per_search=settings.chat.products_per_search,
        atelier_radius_km=settings.chat.atelier_radius_km,
        max_message_chars=settings.chat.max_message_chars,
        rates=currency_rates_for(settings),
    )
