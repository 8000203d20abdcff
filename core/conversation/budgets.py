"""A budget in the shopper's currency, said in the shop's: checks and words for replies."""

from __future__ import annotations

from ..domain import DesignBrief
from ..money import CurrencyRates, UnknownCurrency
from . import texts


def unknown_currency(rates: CurrencyRates, brief: DesignBrief) -> str | None:
    """The brief's currency when no rate converts it to the shop's, else None."""
    try:
        rates.to_base(brief.budget_max or brief.budget_min or 1.0, brief.currency)
    except UnknownCurrency as error:
        return error.currency
    return None


def currency_refusal(rates: CurrencyRates, currency: str) -> str:
    """The plain answer to a budget in a currency no rate converts."""
    return texts.CURRENCY_UNKNOWN.format(currency=currency, known=", ".join(sorted(rates.rates)))


def in_shop_currency(rates: CurrencyRates, brief: DesignBrief) -> str:
    """ " (about 55 EUR)" for a budget in another currency; "" when there is nothing to say."""
    amount = brief.budget_max if brief.budget_max is not None else brief.budget_min
    if amount is None or not brief.currency or brief.currency.upper() == rates.base:
        return ""
    converted = rates.to_base(amount, brief.currency)
    return f" (about {converted:.0f} {rates.base} at the rate I use)"
