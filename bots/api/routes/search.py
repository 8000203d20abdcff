"""``POST /api/v1/search``: products like words, a saved design, or an uploaded photo.

JSON ``{"text"}`` or ``{"design_id"}``, or a multipart upload (``image``, with ``text`` and
the filters as form fields); filters narrow any of them. Words and designs are read as the
chat reads them (``core.search_query``); text searches share encoder and index calls with
concurrent ones (``SearchBatcher``); a photo is searched on its own. Photos come only from
the upload, which is stored in the image store: nothing is ever fetched from a URL.
"""

from __future__ import annotations

import io
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from stylegenie.bots.wiring import currency_rates_for
from stylegenie.core.conversation.budgets import currency_refusal
from stylegenie.core.domain import DesignBrief, ProductHit, ScoreBreakdown
from stylegenie.core.money import UnknownCurrency
from stylegenie.core.ports import ImageStore, SearchQuery
from stylegenie.core.search import ExplicitFilters, PhotoUnreadable, with_explicit_filters
from stylegenie.core.search_query import (
    MAX_QUERY_CHARS,
    UnsearchableQuery,
    query_from_brief,
    query_from_text,
)

from ..access import Caller, CallerDep
from ..problems import Problem
from ..services import ApiServices
from .images import image_url

router = APIRouter(prefix="/api/v1", tags=["search"])

FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
"""Bodies read as form fields (a photo comes only in a multipart one)."""
PHOTO_KINDS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
"""Uploaded picture formats searched, and the extension each is stored under."""
NOTHING_TO_SEARCH = (
    "Say what to look for: send `text`, a `design_id`, or a photo as the multipart field `image`."
)
FILTER_FIELDS = set(ExplicitFilters.model_fields)
"""The request's fields that narrow any search (see ``core.search.with_explicit_filters``)."""
PHOTO_SEARCH_OFF = (
    "Photo search is not switched on on this server (it needs an image encoder: "
    "image_encoder.model); search with text instead."
)


class SearchRequest(ExplicitFilters):
    """A product search: words or a saved design (or, in a multipart upload, a photo with
    optional words), narrowed by the filters. Prices are in the shop's currency."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "navy linen shirt for men under 60"},
                {"design_id": "d-5c1e9a0b2f4d4e0c8a7b6d5e4f3a2b1c", "max_price": 120, "top_k": 5},
                {"text": "summer dress", "colour": "sage", "gender": "women", "in_stock": False},
            ]
        },
    )

    text: str | None = Field(
        default=None,
        max_length=MAX_QUERY_CHARS,
        description="What to look for, in words (budget, colour and who it is for are read).",
        examples=["red sneakers under 50"],
    )
    design_id: str | None = Field(
        default=None,
        max_length=100,
        description="A design of yours (from /api/v1/generate): products like it.",
    )
    top_k: int = Field(default=10, ge=1, le=50, description="How many products to return.")


class ProductResult(BaseModel):
    """One product found: what it is, where to buy it, and why it was chosen."""

    product_id: str
    name: str
    brand: str
    price: float
    currency: str
    url: str
    image_url: str | None = Field(examples=["/api/v1/images/15970.webp"])
    score: float
    breakdown: ScoreBreakdown = Field(description="Each term of the ranking, before weighting.")
    why: str = Field(examples=["very close match to your design; 45 EUR fits your budget"])

    @classmethod
    def of(cls, hit: ProductHit, images: ImageStore) -> ProductResult:
        """The result of a ranked hit, its image URL made now by ``images``."""
        product = hit.product
        return cls(
            product_id=product.id,
            name=product.name,
            brand=product.brand,
            price=product.price,
            currency=product.currency,
            url=product.url,
            image_url=image_url(product.image_ref, images),
            score=hit.score,
            breakdown=hit.breakdown,
            why=hit.why,
        )


class SearchResults(BaseModel):
    """The products found, best first, and how long the search took on the server."""

    products: list[ProductResult]
    latency_ms: float = Field(examples=[23.4])


def _bodies() -> dict[str, Any]:
    """The two request bodies the route reads itself, for the OpenAPI document."""
    schema = SearchRequest.model_json_schema()
    upload = {
        **schema,
        "properties": {
            "image": {"type": "string", "format": "binary", "description": "A JPEG/PNG/WebP."},
            **schema["properties"],
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": upload},
            },
        }
    }


@router.post(
    "/search",
    summary="Products like words, a design or a photo",
    response_model=SearchResults,
    openapi_extra=_bodies(),
    responses={
        404: {"description": "no such design (or another caller's)"},
        422: {"description": "nothing to search, a filter not understood, or not a picture"},
        501: {"description": "photo search is not switched on on this server"},
    },
)
async def search(request: Request, who: CallerDep) -> SearchResults:
    """The best products for the request, each with its score breakdown and a "why".

    Send JSON ``{"text": ...}`` or ``{"design_id": ...}``, or a multipart upload with the
    photo as ``image`` (and ``text`` and filters as form fields).
    """
    start = time.perf_counter()
    services: ApiServices = request.app.state.services
    asked, photo = await _read(request)
    try:
        query = await _query(services, asked, photo, who)
        if query.image_ref:
            hits = await _photo_search(services, query)
        else:
            hits = await services.search.search(query)
    except UnsearchableQuery as error:
        detail = str(error)
        raise Problem(422, detail[:1].upper() + detail[1:] + ".") from None
    except UnknownCurrency as error:
        rates = currency_rates_for(services.app.settings)
        raise Problem(422, currency_refusal(rates, error.currency)) from None
    latency = round((time.perf_counter() - start) * 1000, 2)
    # off the event loop: each presigned S3 URL costs ~0.4 ms
    products = await run_in_threadpool(lambda: [ProductResult.of(h, services.images) for h in hits])
    return SearchResults(products=products, latency_ms=latency)


async def _read(request: Request) -> tuple[SearchRequest, UploadFile | None]:
    """The request's fields (JSON, or the form fields of a multipart upload) and its photo."""
    photo: UploadFile | None = None
    if request.headers.get("content-type", "").startswith(FORMS):
        form = await request.form()
        fields: Any = {}
        for name, value in form.multi_items():
            if name == "image":
                if not isinstance(value, UploadFile):
                    raise Problem(422, "image: send the photo as a file, not as text.")
                photo = value
            elif value != "":
                fields[name] = value
    else:
        try:
            fields = await request.json()
        except ValueError:
            raise Problem(422, "The body must be JSON (or a multipart upload).") from None
    try:
        return SearchRequest.model_validate(fields), photo
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


async def _query(
    services: ApiServices, asked: SearchRequest, photo: UploadFile | None, who: Caller
) -> SearchQuery:
    """The search the request asks for, its filters applied (a photo stored on the way)."""
    if asked.design_id and (asked.text or photo):
        raise Problem(422, "Send either a design_id or text / a photo, not both.")
    rates = currency_rates_for(services.app.settings)
    if asked.design_id:
        design = await run_in_threadpool(services.jobs.find_design, asked.design_id, who.id)
        if design is None:
            raise Problem(404, f"No design {asked.design_id!r} of yours.")
        query = query_from_brief(design.brief, asked.top_k, rates)
    elif asked.text:
        query = query_from_text(asked.text, asked.max_price, asked.top_k, rates)
    elif photo is not None:
        query = query_from_brief(DesignBrief(), asked.top_k, rates).model_copy(update={"text": ""})
    else:
        raise Problem(422, NOTHING_TO_SEARCH)
    explicit = ExplicitFilters.model_validate(asked.model_dump(include=FILTER_FIELDS))
    query = with_explicit_filters(query, explicit)
    if photo is not None:
        query = query.model_copy(update={"image_ref": await _store(services, photo)})
    return query


async def _store(services: ApiServices, photo: UploadFile) -> str:
    """Check that the upload is a picture and store it; its image store reference."""
    data = await photo.read()
    try:
        extension = await run_in_threadpool(_picture_extension, data)
    except ValueError as error:
        raise Problem(422, f"image: {error}") from None
    name = f"upload-{uuid.uuid4().hex}.{extension}"
    return await run_in_threadpool(services.images.put, name, data)


def _picture_extension(data: bytes) -> str:
    """The extension a JPEG, PNG or WebP picture is stored under; ValueError for anything
    else (or a picture that does not decode)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise ValueError("the upload is not a picture this server reads") from error
    if kind not in PHOTO_KINDS:
        raise ValueError(f"a {kind} picture cannot be searched; send a JPEG, PNG or WebP")
    return PHOTO_KINDS[kind]


async def _photo_search(services: ApiServices, query: SearchQuery) -> list[ProductHit]:
    """Products like the query's photo, searched on the workers; 501 when that is off."""
    try:
        hits = await run_in_threadpool(services.app.services.workers.search_by_photo, query)
    except PhotoUnreadable:
        raise Problem(422, "image: the photo could not be read; send another one.") from None
    if hits is None:
        raise Problem(501, PHOTO_SEARCH_OFF)
    return hits
