"""The whole conversation over HTTP: the web page's chat, and API clients that want it.

- ``POST /api/v1/chat/sessions``: a new chat session for the web page (its id and token);
- ``POST /api/v1/chat``: one turn (words, a button press, or a photo as multipart); the
  core's Reply as JSON, or with ``Accept: text/event-stream`` progress events, then the
  reply;
- ``GET /api/v1/chat/inbox``: messages sent to the chat outside a turn (a lead to an
  owner, news to a shopper), and the outcomes of answered ones.

A turn runs through the front-end kit like on every chat surface: one chat's turns in
order (``ChatOrder``), the engine on the API's engine threads, progress paced by the
kit, and the kit's apology when something fails.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from PIL import Image
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from stylegenie.core.ports import ImageStore

from ..access import CallerDep, caller, refuse_when_full
from ..chat_turns import WebTurn, run_turn, streamed_turn
from ..chat_views import ChatRequest, InboxEntry, InboxView, ReplyView
from ..problems import Problem
from ..services import ApiServices

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

PHOTO_TYPES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
NOT_A_PHOTO = "That file isn't a photo I can open: send a JPEG, PNG or WebP picture."
STREAM = "text/event-stream"


class SessionOpened(BaseModel):
    """A new web chat session: send the token as ``Authorization: Bearer <token>``."""

    session_id: str
    token: str


# -- reading requests ----------------------------------------------------------------
def _validated(data: dict[str, Any] | bytes) -> ChatRequest:
    """The request, or a 422 problem naming each bad field."""
    try:
        if isinstance(data, bytes):
            return ChatRequest.model_validate_json(data)
        return ChatRequest.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"]} for e in error.errors()]
        ) from None


def store_photo(images: ImageStore, data: bytes) -> str:
    """Store an uploaded picture under a random name; Problem 422 for anything but a
    JPEG, PNG or WebP image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Problem(422, NOT_A_PHOTO) from None
    suffix = PHOTO_TYPES.get(kind or "")
    if suffix is None:
        raise Problem(422, NOT_A_PHOTO)
    return images.put(f"web-{secrets.token_hex(12)}{suffix}", data)


async def _photo_request(request: Request) -> tuple[ChatRequest, bytes]:
    """A multipart turn: its fields (``caption`` as the message) and the ``photo``'s bytes."""
    async with request.form(max_files=1, max_fields=8) as form:
        photo = form.get("photo")
        if not isinstance(photo, UploadFile):
            raise Problem(422, "photo: attach the picture as a file field named 'photo'")
        data = await photo.read()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return _validated({**fields, "message": fields.pop("caption", "")}), data


_MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["photo"],
    "properties": {
        "photo": {"type": "string", "format": "binary"},
        "caption": {"type": "string"},
        "session_id": {"type": "string"},
        "name": {"type": "string"},
        "contact": {"type": "string", "format": "email"},
    },
}


# -- routes --------------------------------------------------------------------------
@router.post("/sessions", response_model=SessionOpened, status_code=201)
def open_session(request: Request) -> SessionOpened:
    """A new chat session for the web page; no key is needed while the page is served.

    Each client address may open ``api.sessions_per_minute`` of them (429 beyond).
    """
    services: ApiServices = request.app.state.services
    if not services.app.settings.api.web_chat:
        caller(request)
    address = request.client.host if request.client else "unknown"
    refuse_when_full(services.session_limiter, address, "Too many new chats from this address")
    session_id, token = services.access.tokens.issue()
    return SessionOpened(session_id=session_id, token=token)


@router.post(
    "",
    response_model=ReplyView,
    responses={200: {"content": {STREAM: {"schema": {"type": "string"}}}}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ChatRequest.model_json_schema()},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        }
    },
)
async def chat(request: Request, who: CallerDep) -> Response | ReplyView:
    """One turn: words, a button press (``choice``) or a photo (multipart ``photo``).

    The answer is the reply; with ``Accept: text/event-stream`` it is a stream of
    ``progress`` events (``{"activity", "text"}``) and then one ``reply`` event.
    """
    services: ApiServices = request.app.state.services
    photo: bytes | None = None
    if request.headers.get("content-type", "").startswith("multipart/"):
        body, photo = await _photo_request(request)
    else:
        body = _validated(await request.body())
    chat_key = who.chat(body.session_id)
    ref = None
    if photo is not None:
        ref = await asyncio.get_running_loop().run_in_executor(
            services.executor, store_photo, services.images, photo
        )
    incoming = body.incoming(chat_key, ref)
    turn = WebTurn(pressed=body.message_id)
    if STREAM in request.headers.get("accept", ""):
        return streamed_turn(services, chat_key, incoming, turn)
    return ReplyView.of(await run_turn(services, chat_key, incoming, turn), services.images)


@router.get("/inbox", response_model=InboxView)
def inbox(
    request: Request,
    who: CallerDep,
    session_id: str | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
) -> InboxView:
    """Messages sent to the chat outside a turn, new or answered since ``after``.

    Poll it every few seconds with the ``after`` of the last answer (0 at first).
    """
    chat_key = who.chat(session_id)
    services: ApiServices = request.app.state.services
    found = services.inbox.since(chat_key.id, after)
    return InboxView(
        messages=[
            InboxEntry(id=m.id, reply=ReplyView.of(m.reply, services.images), outcome=m.outcome)
            for m in found
        ],
        after=found[-1].changed if found else after,
    )
