"""Design jobs over the REST API (``/api/v1/generate``) on the assembled product: briefs in
words and as fields, seeds, Idempotency-Key, callers kept apart, the event stream,
moderation, and jobs a dead process left behind."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from stylegenie.adapters.postgres.api_jobs import ApiJob, PostgresApiJobs, RunnerLock
from stylegenie.adapters.postgres.api_keys import PostgresApiKeys
from stylegenie.bots.api.jobs import DesignJobs
from stylegenie.core.domain import DesignBrief
from tests.fakes.api import api_client, api_key

GENERATE = "/api/v1/generate"
WAIT_S = 30.0
"""How long a test waits for a job before it gives up (a guard, not a measure)."""


def problem(response: Any, status: int) -> dict[str, Any]:
    """The response's problem+json body, checked to have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def submit(client: TestClient, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    """POST a job; the 202 body, checked to point at the job."""
    response = client.post(GENERATE, json=body, headers=headers)
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    assert response.headers["Location"] == accepted["urls"]["self"]
    assert accepted["urls"]["events"] == f"{GENERATE}/{accepted['id']}/events"
    return accepted


def finished(client: TestClient, job_id: str) -> dict[str, Any]:
    """The job once it is done or failed."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"{GENERATE}/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def read_events(client: TestClient, url: str) -> list[tuple[str, dict[str, Any]]]:
    """Every (event, JSON data) of a Server-Sent Events stream, until it ends."""
    events: list[tuple[str, dict[str, Any]]] = []
    with client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def test_a_brief_in_words_is_drawn_and_its_pictures_load(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        accepted = submit(client, {"brief": "a sage linen midi dress for a wedding", "designs": 2})
        assert accepted["status"] in ("queued", "running", "done")
        job = finished(client, accepted["id"])
        assert job["status"] == "done" and job["error"] is None
        assert job["brief"]["garment"] == "dress" and job["brief"]["fabric"] == "linen"
        assert job["brief"]["summary"] == "sage linen midi dress, for a wedding"
        assert job["progress"]["activity"] == "drawing"
        assert len(job["designs"]) == 2
        for design in job["designs"]:
            assert design["caption"] and isinstance(design["seed"], int)
            picture = client.get(design["image_url"])
            assert picture.status_code == 200
            assert picture.headers["content-type"].startswith("image/")
            assert Image.open(io.BytesIO(picture.content)).size[0] > 0

        outfit = finished(client, submit(client, {"brief": "a white shirt and navy chinos"})["id"])
        assert outfit["brief"]["garment"] == "shirt"
        assert [piece["garment"] for piece in outfit["companions"]] == ["chinos"]
        assert len(outfit["designs"]) == app.settings.render.designs_per_brief


def test_a_brief_as_fields_with_a_seed_draws_those_seeds(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        examples = schemas["GenerateRequest"]["examples"]
        assert isinstance(examples[0]["brief"], str) and "seed" in examples[1], "shown in /docs"

        body = {"brief": {"garment": "shirt", "colours": ["White"]}, "designs": 3, "seed": 100}
        job = finished(client, submit(client, body)["id"])
        assert job["status"] == "done"
        assert [d["seed"] for d in job["designs"]] == [100, 101, 102]
        assert job["brief"]["colours"] == ["White"] and job["brief"]["summary"] == "white shirt"
        again = finished(client, submit(client, body)["id"])
        assert [d["caption"] for d in again["designs"]] == [d["caption"] for d in job["designs"]]


def test_a_retry_with_the_same_idempotency_key_finds_the_same_job(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        body = {"brief": "a red wool coat", "designs": 1}
        first = submit(client, body, **{"Idempotency-Key": "order-1"})
        retry = submit(client, {**body, "seed": None}, **{"Idempotency-Key": "order-1"})
        assert retry["id"] == first["id"]
        with app.database.connection() as conn:
            count = conn.execute("SELECT count(*) AS n FROM api_jobs").fetchone()
        assert count == {"n": 1}

        other = client.post(
            GENERATE, json={**body, "designs": 2}, headers={"Idempotency-Key": "order-1"}
        )
        assert "Idempotency-Key" in problem(other, 422)["detail"]
        assert finished(client, first["id"])["status"] == "done"


def test_jobs_are_kept_apart_by_caller(make_app: Any) -> None:
    app = make_app()
    keys = PostgresApiKeys(app.database)
    (mine, my_key), (_, their_key) = keys.create("mine"), keys.create("theirs")
    with api_client(app, key=my_key) as client:
        job = finished(client, submit(client, {"brief": "a black denim jacket"})["id"])
        assert "No such" in problem(client.get(f"{GENERATE}/job-unknown"), 404)["detail"]
        problem(client.get(f"{GENERATE}/job-unknown/events"), 404)
        with api_client(app, key=their_key) as theirs:
            problem(theirs.get(f"{GENERATE}/{job['id']}"), 404)
            problem(theirs.get(f"{GENERATE}/{job['id']}/events"), 404)
            again = submit(theirs, {"brief": "a black denim jacket"}, **{"Idempotency-Key": "k"})
            assert again["id"] != job["id"]

        jobs: DesignJobs = client.app.state.services.jobs  # type: ignore[attr-defined]
        first = job["designs"][0]
        design = jobs.find_design(first["id"], f"key:{mine.id}")
        assert design is not None and design.seed == first["seed"]
        assert design.brief.garment == "jacket" and design.image_ref
        assert jobs.find_design(first["id"], "key:someone-else") is None


def test_the_event_stream_tells_progress_then_the_finished_job(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        accepted = submit(client, {"brief": "a yellow cotton sundress", "designs": 2})
        events = read_events(client, accepted["urls"]["events"])
        names = [name for name, _ in events]
        assert names[0] == "progress" and names[-1] == "done"
        assert names.count("done") == 1 and set(names) == {"progress", "done"}
        assert all(data["id"] == accepted["id"] for _, data in events)
        assert len(events[-1][1]["designs"]) == 2
        again = read_events(client, accepted["urls"]["events"])
        assert [name for name, _ in again] == ["progress", "done"], "a finished job at once"


def test_requests_that_cannot_be_drawn_are_refused_saying_why(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        vague = problem(client.post(GENERATE, json={"brief": "something for a wedding"}), 422)
        assert "garment" in vague["detail"] and "wedding" in vague["detail"]
        problem(client.post(GENERATE, json={"brief": {"colours": ["Red"]}}), 422)
        problem(client.post(GENERATE, json={"brief": {"garment": "dress", "glitter": 1}}), 422)
        too_many = problem(client.post(GENERATE, json={"brief": "a dress", "designs": 9}), 422)
        assert "designs" in too_many["detail"]
        problem(client.post(GENERATE, json={"brief": "a dress", "seed": -1}), 422)
        with app.database.connection() as conn:
            assert conn.execute("SELECT count(*) AS n FROM api_jobs").fetchone() == {"n": 0}

        refused = finished(client, submit(client, {"brief": "a naked dress"})["id"])
        assert refused["status"] == "failed" and "naked" in refused["error"]
        assert refused["designs"] == []
        notes = {"brief": {"garment": "dress", "style_notes": ["topless"]}}
        drawn_as = finished(client, submit(client, notes)["id"])
        assert drawn_as["status"] == "failed" and "topless" in drawn_as["error"]
        events = read_events(client, f"{GENERATE}/{refused['id']}/events")
        assert events[-1][0] == "failed" and events[-1][1]["error"] == refused["error"]


def test_jobs_left_by_a_process_that_died_fail_when_the_next_one_starts(make_app: Any) -> None:
    app = make_app()
    store = PostgresApiJobs(app.database)
    other_process = RunnerLock(app.database)

    def running_job(runner: int) -> str:
        job = ApiJob(
            id=f"job-{runner}",
            caller="key:k",
            request_hash="h",
            request={"brief": "a dress"},
            runner=runner,
            brief=DesignBrief(garment="dress"),
        )
        store.create(job)
        assert store.start(job.id)
        return job.id

    alive = running_job(other_process.key)
    dead = RunnerLock(app.database)
    abandoned = running_job(dead.key)
    dead.close()

    DesignJobs(app, 1).close()
    left = store.get(abandoned, "key:k")
    assert left is not None and left.status == "failed"
    assert left.error == "The server restarted; please send it again."
    still = store.get(alive, "key:k")
    assert still is not None and still.status == "running", "a live process keeps its jobs"

    other_process.close()
    DesignJobs(app, 1).close()
    gone = store.get(alive, "key:k")
    assert gone is not None and gone.status == "failed"
