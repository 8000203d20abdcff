"""Ateliers and leads over the REST API on the assembled product: matching a design or a
brief near a city (never showing an atelier's contact), and sending a design to an atelier
with the shopper's consent through the lead desk, then following it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from stylegenie.core.domain import LeadStatus, utc_now
from tests.fakes.api import api_client, api_key
from tests.test_api_search import drawn_design, problem

ATELIERS = "/api/v1/ateliers"
LEADS = "/api/v1/leads"
ANA = {"name": "Ana", "contact": "ana@example.com"}
FIELDS = {
    "atelier_id", "name", "city", "country", "price_range", "lead_time_days", "rating",
    "distance_km", "score", "reason", "categories",
}  # fmt: skip


def matches(response: Any) -> list[dict[str, Any]]:
    """The matches of a 200 answer, checked to carry no contact of any atelier."""
    assert response.status_code == 200, response.text
    assert "example" not in response.text, "an atelier's contact is never shown"
    found: list[dict[str, Any]] = response.json()["matches"]
    assert all(set(match) == FIELDS for match in found)
    return found


def test_a_brief_in_words_finds_ateliers_near_the_city_best_first(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        found = matches(
            client.post(
                ATELIERS, json={"brief": "a linen midi dress under 300 EUR", "city": "Lisbon"}
            )
        )
        one = matches(
            client.post(ATELIERS, json={"brief": "a dress", "city": "Lisbon", "limit": 1})
        )
    assert found and found[0]["atelier_id"] == "at-lis-moonthread"
    assert found[0]["city"] == "Lisbon" and found[0]["distance_km"] < 50
    assert "dress" in found[0]["categories"] and found[0]["price_range"] == "90–650 EUR"
    assert found[0]["reason"].startswith("makes dress")
    scores = [match["score"] for match in found]
    assert scores == sorted(scores, reverse=True)
    assert [match["atelier_id"] for match in one] == [found[0]["atelier_id"]]


def test_a_brief_as_fields_and_its_own_city(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        found = matches(
            client.post(ATELIERS, json={"brief": {"garment": "suit", "city": "Lisbon"}})
        )
    assert [match["atelier_id"] for match in found][:1] == ["at-lis-sevenhills"]


def test_what_cannot_be_matched_is_refused_in_plain_words(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        city = problem(client.post(ATELIERS, json={"brief": "a dress", "city": "Qwertyville"}), 422)
        assert "I don't know a city called 'Qwertyville'" in city
        assert "city" in problem(client.post(ATELIERS, json={"brief": "a dress"}), 422)
        assert "garment" in problem(
            client.post(ATELIERS, json={"brief": "something nice", "city": "Lisbon"}), 422
        )
        assert "design_id" in problem(client.post(ATELIERS, json={"city": "Lisbon"}), 422)
        assert problem(client.post(ATELIERS, json={"design_id": "d-no", "city": "Lisbon"}), 404)


@pytest.fixture
def shop(make_app: Any) -> Any:
    """The app, with the sample ateliers' owners reachable (their platform made live)."""
    app = make_app()
    app.leads.heartbeat("tests", ["terminal"], utc_now() + timedelta(hours=1))
    return app


def test_a_design_is_matched_and_sent_with_consent_then_followed(shop: Any) -> None:
    with api_client(shop, key=api_key(shop)) as client:
        design_id = drawn_design(client, "a sage linen midi dress for a wedding in Lisbon")
        found = matches(client.post(ATELIERS, json={"design_id": design_id}))
        atelier_id = found[0]["atelier_id"]
        lead = {"atelier_id": atelier_id, "design_id": design_id, "shopper": ANA}
        refused = problem(client.post(LEADS, json=lead), 422)
        assert "Ana (ana@example.com)" in refused and "consent: true" in refused
        sent = client.post(LEADS, json={**lead, "consent": True})
        assert sent.status_code == 201, sent.text
        body = sent.json()
        assert body["status"] == "new" and sent.headers["Location"] == f"{LEADS}/{body['lead_id']}"
        again = client.post(LEADS, json={**lead, "consent": True})
        assert again.status_code == 200 and again.json()["lead_id"] == body["lead_id"]
        status = client.get(f"{LEADS}/{body['lead_id']}")
        assert status.status_code == 200 and status.json()["design_id"] == design_id
        elsewhere = client.get(f"{LEADS}/{body['lead_id']}", params={"session_id": "other"})
        assert problem(elsewhere, 404)
        client.headers["X-API-Key"] = api_key(shop, "someone else")
        assert problem(client.get(f"{LEADS}/{body['lead_id']}"), 404)
    stored = shop.leads.get_lead(body["lead_id"])
    assert stored.status == LeadStatus.NEW and stored.atelier_id == atelier_id
    assert stored.shopper_contact == "Ana (ana@example.com)"
    assert stored.user_key.startswith("web:") and stored.design.id == design_id


def test_leads_to_the_unknown_or_the_unreachable_are_refused(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        design_id = drawn_design(client, "a linen dress")
        lead = {"design_id": design_id, "shopper": ANA, "consent": True}
        unknown = client.post(LEADS, json={**lead, "atelier_id": "at-nowhere"})
        assert "at-nowhere" in problem(unknown, 404)
        mine = {**lead, "atelier_id": "at-lis-moonthread", "design_id": "d-no"}
        assert problem(client.post(LEADS, json=mine), 404)
        nobody = problem(client.post(LEADS, json={**lead, "atelier_id": "at-lis-moonthread"}), 409)
        assert "cannot take requests right now" in nobody
        assert problem(client.get(f"{LEADS}/lead-unknown"), 404)
    assert app.leads.count_open("at-lis-moonthread") == 0, "nothing was stored"
