"""``/api/v1/generate``: design jobs from a brief, in words or as fields.

``POST`` reads the brief as the chat would, queues a job and answers 202 at once; ``GET
/{id}`` says where the job stands (and, once done, its designs); ``GET /{id}/events``
streams the same as Server-Sent Events until the job ends. A retry with the same
``Idempotency-Key`` and body gets the same job.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, format_sse_event
from pydantic import BaseModel, ConfigDict, Field, computed_field

from stylegenie.adapters.postgres.api_jobs import ApiJob, JobStatus
from stylegenie.core.conversation.outfit import apply_update
from stylegenie.core.conversation.state import ConversationState
from stylegenie.core.domain import Design, DesignBrief
from stylegenie.core.ports import ImageStore
from stylegenie.core.progress import ProgressEvent
from stylegenie.core.understanding.turn import TurnContext

from ..access import CallerDep
from ..jobs import DesignJobs, DesignOrder, KeyReused, request_hash
from ..problems import Problem
from ..services import ApiServices
from .images import image_url

PREFIX = "/api/v1/generate"
MAX_SEED = 2**31 - 4
"""The largest seed a request may give: the fourth design's seed (``seed + 3``) stays a
31-bit seed like the ones drawn at random."""
POLL_S = 0.2
"""How often an event stream reads its job."""
KEEP_ALIVE_S = 15.0
"""How long an event stream stays silent before it sends a comment, so that proxies keep
the connection open while a job waits for a thread."""
NOT_FOUND = "No such design job."

router = APIRouter(prefix=PREFIX, tags=["generate"])


class BriefFields(DesignBrief):
    """A brief given as fields (``garment`` is needed); unknown fields are refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"garment": "dress", "colours": ["Green"], "fabric": "linen"}]
        },
    )


class GenerateRequest(BaseModel):
    """What to design: a brief in words (read as the chat reads a message) or as fields;
    how many designs; and a seed to draw the same designs again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"brief": "a sage linen midi dress for a wedding, under 120 EUR", "designs": 3},
                {"brief": {"garment": "shirt", "colours": ["White"]}, "designs": 2, "seed": 7},
            ]
        }
    )

    brief: str | BriefFields = Field(
        description="The brief in words (an outfit of several pieces draws the first one, "
        "worn with the others), or its fields.",
        examples=["a white shirt and navy chinos for the office"],
    )
    designs: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="How many designs to draw (default: the server's designs per brief).",
        examples=[3],
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="The first design's seed; the others get seed + 1, seed + 2…",
        examples=[42],
    )


class JobUrls(BaseModel):
    """Where to follow a job."""

    self: str = Field(examples=[f"{PREFIX}/job-3f9a"])
    events: str = Field(examples=[f"{PREFIX}/job-3f9a/events"])


class JobAccepted(BaseModel):
    """A job taken (or found again by its Idempotency-Key)."""

    id: str = Field(examples=["job-3f9a"])
    status: JobStatus = Field(examples=["queued"])
    urls: JobUrls


class BriefView(DesignBrief):
    """A brief's fields and its summary in words."""

    @computed_field(  # type: ignore[prop-decorator]
        alias="summary", examples=["sage linen midi dress, for a wedding, under 120 EUR"]
    )
    @property
    def summary_text(self) -> str:
        """The brief in a line of words (``summary`` in JSON)."""
        return self.summary()

    @classmethod
    def of(cls, brief: DesignBrief) -> BriefView:
        """The view of a brief."""
        return cls.model_validate(brief.model_dump())


class DesignView(BaseModel):
    """One drawn design: its id (for search and ateliers), caption, seed and picture."""

    id: str
    caption: str = Field(examples=["A-line midi, flutter sleeves, sage linen"])
    seed: int
    image_url: str | None = Field(examples=["/api/v1/images/d-5c1e.webp"])

    @classmethod
    def of(cls, design: Design, images: ImageStore) -> DesignView:
        """The view of a drawn design, its image URL made now by ``images``."""
        return cls(
            id=design.id,
            caption=design.caption,
            seed=design.seed,
            image_url=image_url(design.image_ref, images),
        )


class JobView(BaseModel):
    """Where a job stands: its brief, its latest progress, and its designs or error."""

    id: str
    status: JobStatus
    progress: ProgressEvent | None = Field(
        description="The latest step (activity, text, done, total); null before the first."
    )
    brief: BriefView = Field(description="The piece drawn.")
    companions: list[BriefView] = Field(description="The other pieces of the outfit.")
    designs: list[DesignView]
    error: str | None = Field(description="Why the job failed, in plain words.")

    @classmethod
    def of(cls, job: ApiJob, images: ImageStore) -> JobView:
        """The view of a stored job, its image URLs made now by ``images``."""
        return cls(
            id=job.id,
            status=job.status,
            progress=job.progress,
            brief=BriefView.of(job.brief),
            companions=[BriefView.of(piece) for piece in job.companions],
            designs=[DesignView.of(design, images) for design in job.designs],
            error=job.error,
        )


def _jobs(request: Request) -> DesignJobs:
    services: ApiServices = request.app.state.services
    return services.jobs


Jobs = Annotated[DesignJobs, Depends(_jobs)]


@router.post(
    "",
    status_code=202,
    summary="Draw designs from a brief",
    response_model=JobAccepted,
    responses={422: {"description": "no garment in the brief, or an Idempotency-Key reused"}},
)
def generate(
    body: GenerateRequest,
    request: Request,
    response: Response,
    jobs: Jobs,
    who: CallerDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobAccepted:
    """Queue a design job; follow it at ``urls.self`` or ``urls.events``.

    Send an ``Idempotency-Key`` to retry safely: the same key and body answer with the
    same job; the same key with another body is refused.
    """
    services: ApiServices = request.app.state.services
    count = body.designs or services.app.settings.render.designs_per_brief
    wanted = body.model_dump(mode="json") | {"designs": count}
    try:
        job = (
            jobs.existing(who.id, idempotency_key, request_hash(wanted))
            if idempotency_key
            else None
        )
        if job is None:
            job = jobs.submit(who.id, _order(services, body, wanted, idempotency_key))
    except KeyReused as reused:
        raise Problem(422, str(reused)) from None
    location = f"{PREFIX}/{job.id}"
    response.headers["Location"] = location
    return JobAccepted(
        id=job.id, status=job.status, urls=JobUrls(self=location, events=f"{location}/events")
    )


def _order(
    services: ApiServices, body: GenerateRequest, wanted: dict[str, Any], key: str | None
) -> DesignOrder:
    """The job the request asks for: its brief read (words as the chat reads a message)."""
    if isinstance(body.brief, str):
        pieces = _outfit(services, body.brief)
        words: str | None = body.brief
    else:
        brief = DesignBrief.model_validate(body.brief.model_dump(exclude_unset=True))
        if not brief.garment:
            raise Problem(422, "brief.garment: say which garment to design (a dress, a shirt…).")
        pieces, words = [brief], None
    return DesignOrder(
        brief=pieces[0],
        companions=pieces[1:],
        count=wanted["designs"],
        seed=body.seed,
        words=words,
        request=wanted,
        idempotency_key=key,
    )


def _outfit(services: ApiServices, words: str) -> list[DesignBrief]:
    """Every piece a brief in words describes, as a new chat would take it; Problem 422
    when it names no garment (saying what was understood)."""
    limit = services.app.settings.chat.max_message_chars
    if len(words) > limit:
        raise Problem(422, f"brief: at most {limit} characters, please.")
    state = ConversationState()
    apply_update(state, services.app.services.brief_reader.read(words, TurnContext()))
    if state.pieces:
        return state.outfit
    understood = state.brief.summary()
    so_far = f" (understood: {understood})" if understood != "outfit" else ""
    raise Problem(
        422,
        f"brief: no garment found{so_far}; say which garment to design, "
        "e.g. “a sage linen midi dress”.",
    )


@router.get(
    "/{job_id}",
    summary="A design job",
    response_model=JobView,
    responses={404: {"description": "no such job (or another caller's)"}},
)
def job(job_id: str, request: Request, jobs: Jobs, who: CallerDep) -> JobView:
    """Where the job stands; once done, its designs with their image URLs."""
    found = jobs.job(job_id, who.id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return JobView.of(found, request.app.state.services.images)


@router.get(
    "/{job_id}/events",
    summary="A design job's progress as Server-Sent Events",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`progress` events (id, status, progress) on each change, then "
            "`done` or `failed` with the job, then the stream ends.",
        },
        404: {"description": "no such job (or another caller's)"},
    },
)
async def events(job_id: str, request: Request, jobs: Jobs, who: CallerDep) -> EventSourceResponse:
    """Follow a job: its state now, each change, and how it ended."""
    found = await run_in_threadpool(jobs.job, job_id, who.id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return EventSourceResponse(
        _stream(jobs, found, who.id, request.app.state.services.images),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    jobs: DesignJobs, job: ApiJob, caller_id: str, images: ImageStore
) -> AsyncIterator[bytes]:
    """The job's events: ``progress`` now and on each change, then ``done`` or ``failed``."""
    told: tuple[str, ProgressEvent | None] | None = None
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    while True:
        view = JobView.of(job, images)
        if (view.status, view.progress) != told:
            told = (view.status, view.progress)
            quiet_since = loop.time()
            progress = view.model_dump_json(include={"id", "status", "progress"})
            yield format_sse_event(event="progress", data_str=progress)
        if view.status in ("done", "failed"):
            yield format_sse_event(event=view.status, data_str=view.model_dump_json(by_alias=True))
            return
        if loop.time() - quiet_since > KEEP_ALIVE_S:
            quiet_since = loop.time()
            yield KEEPALIVE_COMMENT
        await asyncio.sleep(POLL_S)
        latest = await run_in_threadpool(jobs.job, job.id, caller_id)
        if latest is None:
            return
        job = latest
