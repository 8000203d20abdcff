"""Offline world cities: find a city in a message, its coordinates, and great-circle distances.

A small fixed table (no network, no geocoder) is enough to place a shopper and rank
ateliers by distance. Names match case- and accent-insensitively, whole words only,
and common aliases ("NYC", "Bombay", "Lisboa") resolve to the canonical city.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CITIES", "City", "city_coordinates", "find_city", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class City:
    """A known city: display name, ISO 3166 country code and coordinates in degrees."""

    name: str
    country: str
    lat: float
    lon: float


# name, country, lat, lon, aliases ("|"-separated, matched like the name).
# Ambiguous everyday words ("Nice", "Bath", "Reading", "LA") are left out on purpose.
_ROWS: tuple[tuple[str, str, float, float, str], ...] = (
    ("Lisbon", "PT", 38.7223, -9.1393, "lisboa"),
    ("Porto", "PT", 41.1579, -8.6291, "oporto"),
    ("Madrid", "ES", 40.4168, -3.7038, ""),
    ("Barcelona", "ES", 41.3874, 2.1686, "bcn"),
    ("Valencia", "ES", 39.4699, -0.3763, ""),
    ("Seville", "ES", 37.3891, -5.9845, "sevilla"),
    ("Paris", "FR", 48.8566, 2.3522, ""),
    ("Lyon", "FR", 45.7640, 4.8357, "lyons"),
    ("Marseille", "FR", 43.2965, 5.3698, "marseilles"),
    ("Milan", "IT", 45.4642, 9.1900, "milano"),
    ("Rome", "IT", 41.9028, 12.4964, "roma"),
    ("Florence", "IT", 43.7696, 11.2558, "firenze"),
    ("Naples", "IT", 40.8518, 14.2681, "napoli"),
    ("Venice", "IT", 45.4408, 12.3155, "venezia"),
    ("London", "GB", 51.5074, -0.1278, ""),
    ("Manchester", "GB", 53.4808, -2.2426, ""),
    ("Birmingham", "GB", 52.4862, -1.8904, ""),
    ("Liverpool", "GB", 53.4084, -2.9916, ""),
    ("Leeds", "GB", 53.8008, -1.5491, ""),
    ("Bristol", "GB", 51.4545, -2.5879, ""),
    ("Edinburgh", "GB", 55.9533, -3.1883, ""),
    ("Glasgow", "GB", 55.8642, -4.2518, ""),
    ("Dublin", "IE", 53.3498, -6.2603, ""),
    ("Berlin", "DE", 52.5200, 13.4050, ""),
    ("Munich", "DE", 48.1351, 11.5820, "munchen|muenchen"),
    ("Hamburg", "DE", 53.5511, 9.9937, ""),
    ("Frankfurt", "DE", 50.1109, 8.6821, ""),
    ("Cologne", "DE", 50.9375, 6.9603, "koln|koeln"),
    ("Amsterdam", "NL", 52.3676, 4.9041, ""),
    ("Rotterdam", "NL", 51.9244, 4.4777, ""),
    ("Brussels", "BE", 50.8503, 4.3517, "bruxelles|brussel"),
    ("Antwerp", "BE", 51.2194, 4.4025, "antwerpen"),
    ("Vienna", "AT", 48.2082, 16.3738, "wien"),
    ("Zurich", "CH", 47.3769, 8.5417, ""),
    ("Geneva", "CH", 46.2044, 6.1432, "geneve"),
    ("Copenhagen", "DK", 55.6761, 12.5683, "kobenhavn"),
    ("Stockholm", "SE", 59.3293, 18.0686, ""),
    ("Oslo", "NO", 59.9139, 10.7522, ""),
    ("Helsinki", "FI", 60.1699, 24.9384, ""),
    ("Prague", "CZ", 50.0755, 14.4378, "praha"),
    ("Warsaw", "PL", 52.2297, 21.0122, "warszawa"),
    ("Budapest", "HU", 47.4979, 19.0402, ""),
    ("Athens", "GR", 37.9838, 23.7275, ""),
    ("Istanbul", "TR", 41.0082, 28.9784, ""),
    ("New York", "US", 40.7128, -74.0060, "nyc|new york city|manhattan|brooklyn"),
    ("Los Angeles", "US", 34.0522, -118.2437, ""),
    ("San Francisco", "US", 37.7749, -122.4194, ""),
    ("Chicago", "US", 41.8781, -87.6298, ""),
    ("Miami", "US", 25.7617, -80.1918, ""),
    ("Boston", "US", 42.3601, -71.0589, ""),
    ("Seattle", "US", 47.6062, -122.3321, ""),
    ("Washington", "US", 38.9072, -77.0369, "washington dc|washington d c"),
    ("Atlanta", "US", 33.7490, -84.3880, ""),
    ("Austin", "US", 30.2672, -97.7431, ""),
    ("Toronto", "CA", 43.6532, -79.3832, ""),
    ("Vancouver", "CA", 49.2827, -123.1207, ""),
    ("Montreal", "CA", 45.5019, -73.5674, ""),
    ("Mexico City", "MX", 19.4326, -99.1332, "cdmx|ciudad de mexico"),
    ("São Paulo", "BR", -23.5505, -46.6333, ""),
    ("Rio de Janeiro", "BR", -22.9068, -43.1729, "rio"),
    ("Buenos Aires", "AR", -34.6037, -58.3816, ""),
    ("Bogotá", "CO", 4.7110, -74.0721, ""),
    ("Lima", "PE", -12.0464, -77.0428, ""),
    ("Santiago", "CL", -33.4489, -70.6693, ""),
    ("Mumbai", "IN", 19.0760, 72.8777, "bombay"),
    ("Delhi", "IN", 28.6139, 77.2090, "new delhi"),
    ("Bangalore", "IN", 12.9716, 77.5946, "bengaluru"),
    ("Chennai", "IN", 13.0827, 80.2707, "madras"),
    ("Kolkata", "IN", 22.5726, 88.3639, "calcutta"),
    ("Hyderabad", "IN", 17.3850, 78.4867, ""),
    ("Jaipur", "IN", 26.9124, 75.7873, ""),
    ("Pune", "IN", 18.5204, 73.8567, ""),
    ("Ahmedabad", "IN", 23.0225, 72.5714, ""),
    ("Karachi", "PK", 24.8607, 67.0011, ""),
    ("Lahore", "PK", 31.5204, 74.3587, ""),
    ("Dhaka", "BD", 23.8103, 90.4125, ""),
    ("Dubai", "AE", 25.2048, 55.2708, ""),
    ("Abu Dhabi", "AE", 24.4539, 54.3773, ""),
    ("Doha", "QA", 25.2854, 51.5310, ""),
    ("Riyadh", "SA", 24.7136, 46.6753, ""),
    ("Tel Aviv", "IL", 32.0853, 34.7818, ""),
    ("Cairo", "EG", 30.0444, 31.2357, ""),
    ("Casablanca", "MA", 33.5731, -7.5898, ""),
    ("Marrakesh", "MA", 31.6295, -7.9811, "marrakech"),
    ("Lagos", "NG", 6.5244, 3.3792, ""),
    ("Accra", "GH", 5.6037, -0.1870, ""),
    ("Nairobi", "KE", -1.2921, 36.8219, ""),
    ("Addis Ababa", "ET", 8.9806, 38.7578, ""),
    ("Johannesburg", "ZA", -26.2041, 28.0473, "joburg|jozi"),
    ("Cape Town", "ZA", -33.9249, 18.4241, ""),
    ("Singapore", "SG", 1.3521, 103.8198, ""),
    ("Kuala Lumpur", "MY", 3.1390, 101.6869, ""),
    ("Bangkok", "TH", 13.7563, 100.5018, ""),
    ("Jakarta", "ID", -6.2088, 106.8456, ""),
    ("Manila", "PH", 14.5995, 120.9842, ""),
    ("Ho Chi Minh City", "VN", 10.8231, 106.6297, "saigon"),
    ("Hanoi", "VN", 21.0278, 105.8342, ""),
    ("Hong Kong", "HK", 22.3193, 114.1694, ""),
    ("Shanghai", "CN", 31.2304, 121.4737, ""),
    ("Beijing", "CN", 39.9042, 116.4074, "peking"),
    ("Taipei", "TW", 25.0330, 121.5654, ""),
    ("Tokyo", "JP", 35.6762, 139.6503, ""),
    ("Osaka", "JP", 34.6937, 135.5023, ""),
    ("Kyoto", "JP", 35.0116, 135.7681, ""),
    ("Seoul", "KR", 37.5665, 126.9780, ""),
    ("Sydney", "AU", -33.8688, 151.2093, ""),
    ("Melbourne", "AU", -37.8136, 144.9631, ""),
    ("Brisbane", "AU", -27.4698, 153.0251, ""),
    ("Perth", "AU", -31.9505, 115.8605, ""),
    ("Auckland", "NZ", -36.8485, 174.7633, ""),
)


def _words(text: str) -> tuple[str, ...]:
    """Lower-case, accent-free words of ``text`` ("São Paulo" → ("sao", "paulo"))."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(_WORD.findall(plain))


CITIES: dict[str, City] = {row[0]: City(*row[:4]) for row in _ROWS}
"""Every known city by its display name."""


def _alias_index() -> dict[tuple[str, ...], City]:
    """Every name and alias, as a tuple of words, to its city."""
    index: dict[tuple[str, ...], City] = {}
    for name, *_, aliases in _ROWS:
        for alias in (name, *filter(None, aliases.split("|"))):
            index[_words(alias)] = CITIES[name]
    return index


_BY_WORDS = _alias_index()
_LONGEST = max(len(key) for key in _BY_WORDS)


def find_city(text: str) -> City | None:
    """The first known city named in ``text`` (longest alias wins: "New York City"), or None."""
    words = _words(text)
    for start in range(len(words)):
        for size in range(min(_LONGEST, len(words) - start), 0, -1):
            city = _BY_WORDS.get(words[start : start + size])
            if city is not None:
                return city
    return None


def city_coordinates(name: str) -> tuple[float, float] | None:
    """(lat, lon) of a city given by its name or an alias, e.g. "Bombay"; None when unknown."""
    city = _BY_WORDS.get(_words(name))
    return (city.lat, city.lon) if city else None


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi_a, phi_b = math.radians(a_lat), math.radians(b_lat)
    d_phi = phi_b - phi_a
    d_lambda = math.radians(b_lon - a_lon)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
