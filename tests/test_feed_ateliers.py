"""Atelier feeds: a city is required, numbers must be real ones, duplicates and unreachable
ateliers are reported, and only the good rows reach PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from stylegenie.adapters.feeds import read_ateliers
from stylegenie.adapters.geocoding import GeonamesGeocoder
from stylegenie.bots.cli import main
from stylegenie.bots.wiring import assemble
from stylegenie.config import Settings

COLUMNS = "id,name,city,country,lat,lon,categories,price_min,price_max,contact,owner_chat_ids"
ROWS = {
    "good": "a-good,Good,Porto,Portugal,,,dress,50,300,hi@good.example,",
    "no-city": "a-nocity,No city,,,,,dress,50,300,hi@x.example,",
    "no-city-but-coordinates": "a-coords,Coords,,,38.7,-9.1,dress,50,300,hi@x.example,",
    "min-over-max": "a-minmax,Min max,Lisbon,PT,,,dress,500,300,hi@x.example,",
    "infinite-max": "a-inf,Inf,Lisbon,PT,,,dress,50,inf,hi@x.example,",
    "latitude-999": "a-lat,Lat,Lisbon,PT,999,-9.1,dress,50,300,hi@x.example,",
    "nan-longitude": "a-nan,NaN,Lisbon,PT,38.7,nan,dress,50,300,hi@x.example,",
    "lat-only": "a-half,Half,Lisbon,PT,38.7,,dress,50,300,hi@x.example,",
    "unreachable": "a-alone,Alone,Lisbon,PT,38.7,-9.1,dress,50,300,,",
    "duplicate": "a-good,Good again,Madrid,Spain,,,dress,50,300,hi@again.example,",
    "owner-only": "a-owner,Owner,Lisbon,PT,38.7,-9.1,dress,50,300,,telegram=42",
}
EXPECTED = [
    "line 3: no city: give the atelier's city (and country, and lat and lon)",
    "line 4: no city: give the atelier's city (and country, and lat and lon)",
    "line 5: price_min 500 is above price_max 300",
    "line 6: price_max inf is not a number",
    "line 7: lat 999 is not a latitude (-90 to 90)",
    "line 8: lon nan is not a number",
    "line 9: lat without lon: give both",
    "line 10: no contact and no owner_chat_ids: no lead and no shopper can reach it (row loaded)",
    "line 11: duplicate id 'a-good' (first on line 2, kept)",
]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """One row per case, in the order of ``ROWS`` (the first on line 2)."""
    path = tmp_path / "ateliers.csv"
    path.write_text(COLUMNS + "\n" + "\n".join(ROWS.values()) + "\n")
    return path


def test_each_bad_atelier_row_is_refused_with_its_reason(feed: Path) -> None:
    ateliers, problems = read_ateliers(feed, GeonamesGeocoder())
    assert [str(problem) for problem in problems] == EXPECTED
    assert [atelier.id for atelier in ateliers] == ["a-good", "a-alone", "a-owner"]
    good = ateliers[0]
    assert (good.name, good.city, good.country) == ("Good", "Porto", "PT")


def test_the_import_command_stores_only_the_good_rows_and_says_why(
    feed: Path,
    tmp_path: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STYLEGENIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STYLEGENIE_DATABASE__URL", pg_url)
    assert main(["ateliers", "import", str(feed)]) == 0
    out, err = capsys.readouterr()
    assert "loaded 3 ateliers (8 rows skipped, 1 with a warning)" in out
    assert err.splitlines() == [f"{feed} {line}" for line in EXPECTED]
    app = assemble(Settings(data_dir=tmp_path / "data", database={"url": pg_url}))
    try:
        stored = {atelier.id: atelier for atelier in app.ateliers.list_ateliers()}
    finally:
        app.close()
    assert sorted(stored) == ["a-alone", "a-good", "a-owner"]
    assert stored["a-good"].contact == "hi@good.example", "the first row of an id is kept"


@pytest.mark.parametrize("name", ["", "   ", "-"])
def test_the_geocoder_places_no_empty_name(name: str) -> None:
    assert GeonamesGeocoder().locate(name) is None, "an empty name once became Bao'an, CN"
