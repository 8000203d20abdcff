"""Money in several currencies: a shopper's budget read in the catalogue's currency.

A shopper may state a budget in their own currency ("under £100") while the catalogue and
the ateliers price in the shop's (``Settings.currency``). ``CurrencyRates`` holds the shop's
currency and a table of what one unit of each currency is worth in euros (approximate,
from settings); any two currencies of the table convert through it:
100 GBP at 1.17 → 117 EUR, and on to 127.17 USD at 0.92.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["REFERENCE_CURRENCY", "CurrencyRates", "UnknownCurrency"]

REFERENCE_CURRENCY = "EUR"
"""The unit of the rate table: it is worth 1 unless the table says otherwise."""


class UnknownCurrency(ValueError):
    """A currency the rate table does not hold; ``currency`` names it."""

    def __init__(self, currency: str, known: list[str]) -> None:
        super().__init__(
            f"no exchange rate for {currency!r} (known: {', '.join(known)}); "
            "add it to STYLEGENIE_EXCHANGE_RATES"
        )
        self.currency = currency


@dataclass(frozen=True)
class CurrencyRates:
    """The shop's currency (``base``) and what one unit of each currency is worth in EUR.

    Codes are ISO 4217, read case-insensitively. Raises ``UnknownCurrency`` when the base
    has no rate, and ``ValueError`` for a rate that is not a finite number above 0.
    """

    base: str
    rates: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        given = {code.upper(): rate for code, rate in self.rates.items()}
        table = {REFERENCE_CURRENCY: 1.0, **given}
        for code, rate in table.items():
            if not (math.isfinite(rate) and rate > 0):
                raise ValueError(f"the exchange rate of {code} must be above 0, got {rate!r}")
        object.__setattr__(self, "rates", MappingProxyType(table))
        object.__setattr__(self, "base", self.base.upper())
        self._rate(self.base)

    def convert(self, amount: float, from_currency: str, to_currency: str) -> float:
        """``amount`` of ``from_currency`` in ``to_currency``; raises ``UnknownCurrency``."""
        if from_currency.upper() == to_currency.upper():
            return amount
        return amount * self._rate(from_currency) / self._rate(to_currency)

    def to_base(self, amount: float | None, currency: str | None) -> float | None:
        """An amount in ``currency`` (None: already the shop's) in the shop's, to the cent."""
        if amount is None or currency is None:
            return amount
        return round(self.convert(amount, currency, self.base), 2)

    def _rate(self, currency: str) -> float:
        rate = self.rates.get(currency.upper())
        if rate is None:
            raise UnknownCurrency(currency, sorted(self.rates))
        return rate
