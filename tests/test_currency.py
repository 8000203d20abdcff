"""Budgets in the shopper's currency: rates, settings, and the searches and matches they shape."""

from __future__ import annotations

import math

import pytest

from stylegenie.bots.wiring import currency_rates_for
from stylegenie.config.settings import (
    DEFAULT_EXCHANGE_RATES,
    Settings,
    SettingsError,
    load_settings,
)
from stylegenie.core.domain import DesignBrief
from stylegenie.core.matching import match_request
from stylegenie.core.money import CurrencyRates, UnknownCurrency
from stylegenie.core.search_query import query_from_brief, query_from_text

RATES = CurrencyRates("EUR", {"USD": 0.92, "GBP": 1.17, "INR": 0.011})


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No STYLEGENIE_* variable of the machine leaks into these tests."""
    import os

    for key in [k for k in os.environ if k.startswith("STYLEGENIE_")]:
        monkeypatch.delenv(key)


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (100, "GBP", "EUR", 117.0),
        (100, "EUR", "GBP", 100 / 1.17),
        (100, "GBP", "USD", 100 * 1.17 / 0.92),
        (1000, "inr", "eur", 11.0),
        (42, "XYZ", "xyz", 42),
    ],
)
def test_convert_goes_through_the_euro_table(
    amount: float, source: str, target: str, expected: float
) -> None:
    """Any two known currencies convert through their euro rates; codes ignore case."""
    assert RATES.convert(amount, source, target) == pytest.approx(expected)


def test_an_unknown_currency_is_named() -> None:
    with pytest.raises(UnknownCurrency, match="'CHF'") as raised:
        RATES.convert(10, "CHF", "EUR")
    assert raised.value.currency == "CHF"
    assert isinstance(raised.value, ValueError)
    with pytest.raises(UnknownCurrency, match="JPY"):
        CurrencyRates("JPY", {"USD": 0.92})


@pytest.mark.parametrize("rate", [0.0, -1.0, math.inf, math.nan])
def test_a_rate_must_be_finite_and_above_zero(rate: float) -> None:
    with pytest.raises(ValueError, match="above 0"):
        CurrencyRates("EUR", {"USD": rate})


def test_rates_are_frozen_and_based_on_the_shop_currency() -> None:
    rates = CurrencyRates("usd", {"usd": 0.92})
    assert rates.base == "USD" and rates.rates == {"EUR": 1.0, "USD": 0.92}
    assert rates.to_base(92, "EUR") == 100.0
    assert rates.to_base(None, "GBP") is None and rates.to_base(50, None) == 50
    with pytest.raises(TypeError):
        rates.rates["GBP"] = 1.17  # type: ignore[index]


def test_settings_read_the_rates_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON in STYLEGENIE_EXCHANGE_RATES replaces the approximate defaults."""
    assert Settings(_env_file=None).exchange_rates == DEFAULT_EXCHANGE_RATES  # type: ignore[call-arg]
    monkeypatch.setenv("STYLEGENIE_EXCHANGE_RATES", '{"usd": 0.9, "CHF": 1.05}')
    monkeypatch.setenv("STYLEGENIE_CURRENCY", "CHF")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.exchange_rates == {"USD": 0.9, "CHF": 1.05}
    rates = currency_rates_for(settings)
    assert rates.base == "CHF"
    assert rates.to_base(105, "USD") == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"STYLEGENIE_EXCHANGE_RATES": '{"USD": 0}'}, "above 0"),
        ({"STYLEGENIE_EXCHANGE_RATES": '{"USD": -2}'}, "above 0"),
        ({"STYLEGENIE_EXCHANGE_RATES": '{"USD": NaN}'}, "above 0"),
        ({"STYLEGENIE_EXCHANGE_RATES": '{"USD": Infinity}'}, "above 0"),
        ({"STYLEGENIE_CURRENCY": "JPY"}, "needs a rate"),
    ],
)
def test_wrong_rates_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=message):
        load_settings(_env_file=None)


def test_a_pound_budget_is_searched_in_euros() -> None:
    """£50–£100 filters and aligns prices at 58.50–117 EUR; the brief itself is unchanged."""
    brief = DesignBrief(garment="dress", budget_min=50, budget_max=100, currency="GBP")
    query = query_from_brief(brief, rates=RATES)
    assert (query.filters.min_price, query.filters.max_price) == (58.5, 117.0)
    assert (query.budget_min, query.budget_max) == (58.5, 117.0)
    assert brief.budget_max == 100
    untouched = query_from_brief(brief)
    assert (untouched.filters.min_price, untouched.filters.max_price) == (50, 100)


def test_a_budget_without_a_currency_is_already_the_shops() -> None:
    brief = DesignBrief(garment="dress", budget_max=80)
    assert query_from_brief(brief, rates=RATES).filters.max_price == 80


def test_a_budget_in_an_unknown_currency_is_refused() -> None:
    brief = DesignBrief(garment="dress", budget_max=80, currency="CHF")
    with pytest.raises(UnknownCurrency, match="CHF"):
        query_from_brief(brief, rates=RATES)
    with pytest.raises(UnknownCurrency, match="CHF"):
        match_request(brief, 50.0, None, rates=RATES)


def test_a_text_search_converts_before_the_explicit_cap() -> None:
    """A budget of $100 is 92 EUR; an explicit max price (in the shop's currency) caps it."""
    assert query_from_text("black tee under $100", rates=RATES).filters.max_price == 92.0
    assert query_from_text("black tee under $100", 80, rates=RATES).filters.max_price == 80
    assert query_from_text("black tee under $100", 95, rates=RATES).filters.max_price == 92.0
    assert query_from_text("black tee under $100").filters.max_price == 100


def test_an_atelier_request_converts_the_budget() -> None:
    brief = DesignBrief(garment="dress", budget_min=1000, budget_max=5000, currency="INR")
    request = match_request(brief, 50.0, None, rates=RATES)
    assert (request.budget_min, request.budget_max) == (11.0, 55.0)
    plain = match_request(brief, 50.0, None)
    assert (plain.budget_min, plain.budget_max) == (1000, 5000)
