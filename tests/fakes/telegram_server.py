"""A fake Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot to talk to.

It serves the calls the bot makes (getMe, deleteWebhook, getUpdates with long polling,
sendMessage, sendPhoto, sendMediaGroup, editMessageText, deleteMessage, sendChatAction,
answerCallbackQuery, setMyCommands, getFile, getChatMember) and file downloads under
``/file/bot<token>/<path>``, checks Telegram's limits (4096-unit texts, 1024-unit
captions, 64-byte callback data, 2-10 album items), records every call, and can answer
the next call of a method with 429 and ``retry_after``.

Run it inside an event loop (``await start()``) or on its own thread (``start_in_thread()``);
the test side pushes updates (``send_text``, ``send_photo``, ``press``...) from any thread.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.threaded import ThreadedServer

TOKEN = "4242:FAKE-token"
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "StyleGenie", "username": "stylegenie_bot"}
JSON_FIELDS = {"reply_markup", "media", "commands", "allowed_updates", "entities"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, uploaded files, when, status."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        """The chat the call was about, if any."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram(ThreadedServer):
    """The fake Bot API: updates queued by the test, calls recorded for it to inspect."""

    thread_name = "fake-telegram"

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []
        self.pushed_at: dict[int, float] = {}
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._texts: dict[tuple[int, int], str] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self._failures: dict[str, list[int]] = {}
        self._admins: dict[int, set[int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrived: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- running -----

    @property
    def api_base(self) -> str:
        """The root to give the bot (``TelegramSettings.api_base``)."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1 in the running loop."""
        self._loop = asyncio.get_running_loop()
        self._arrived = asyncio.Event()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    # ----- what the test does -----

    def send_text(self, chat_id: int, text: str) -> int:
        """A person types ``text`` (a leading /command gets its bot_command entity)."""
        return self._push(self.text_update(chat_id, text), chat_id)

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        """The update of a person typing ``text``, for posting to a webhook (not queued)."""
        message: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": self._message_from(chat_id, message)}

    def send_photo(self, chat_id: int, data: bytes, caption: str | None = None) -> int:
        """A person sends a photo (served back through getFile and the file URL)."""
        number = len(self._files) + 1
        file_id, unique = f"photo-{number}", f"uniq{number}"
        with self._lock:
            self._files[file_id] = (f"photos/file_{number}.jpg", data)
        size = {"file_id": file_id, "file_unique_id": unique, "width": 64, "height": 64}
        message: dict[str, Any] = {"photo": [{**size, "file_size": len(data)}]}
        if caption is not None:
            message["caption"] = caption
        return self._push_message(chat_id, message)

    def send_image_file(self, chat_id: int, data: bytes, caption: str | None = None) -> int:
        """A person sends a picture as a file (a document with an image type)."""
        file_id = self._store_file(data)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": "look.png",
            "mime_type": "image/png",
            "file_size": len(data),
        }
        message: dict[str, Any] = {"document": document}
        if caption is not None:
            message["caption"] = caption
        return self._push_message(chat_id, message)

    def send_album(self, chat_id: int, photos: list[bytes], caption: str) -> list[int]:
        """A person sends several photos at once: one update per photo, the caption on the
        first, all sharing a ``media_group_id``."""
        group = f"album-{time.monotonic_ns()}"
        updates = []
        for number, data in enumerate(photos):
            file_id = self._store_file(data)
            size = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": 64,
                "height": 64,
                "file_size": len(data),
            }
            message: dict[str, Any] = {"photo": [size], "media_group_id": group}
            if number == 0:
                message["caption"] = caption
            updates.append(self._push_message(chat_id, message))
        return updates

    def admins_of(self, chat_id: int, *user_ids: int) -> None:
        """Make these users administrators of a group chat (getChatMember says so)."""
        with self._lock:
            self._admins.setdefault(chat_id, set()).update(user_ids)

    def _store_file(self, data: bytes) -> str:
        with self._lock:
            number = len(self._files) + 1
            file_id = f"file-{number}"
            self._files[file_id] = (f"documents/file_{number}", data)
        return file_id

    def send_sticker(self, chat_id: int) -> int:
        """A person sends a sticker."""
        sticker = {
            "file_id": "stk",
            "file_unique_id": "stk",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self._push_message(chat_id, {"sticker": sticker})

    def send_location(self, chat_id: int) -> int:
        """A person shares a location."""
        return self._push_message(chat_id, {"location": {"latitude": 38.7, "longitude": -9.1}})

    def send_voice(self, chat_id: int) -> int:
        """A person sends a voice note."""
        voice = {"file_id": "voice", "file_unique_id": "voice", "duration": 2}
        return self._push_message(chat_id, {"voice": voice})

    def press(
        self, chat_id: int, data: str, message_id: int = 1, user_id: int | None = None
    ) -> int:
        """A person (``user_id``, by default the chat's) presses an inline button whose
        ``callback_data`` is ``data``."""
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "text": "buttons",
        }
        query = {
            "id": f"cq-{time.monotonic_ns()}",
            "from": _user(user_id or chat_id),
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": message,
        }
        return self._push({"callback_query": query}, chat_id)

    def fail_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call of ``method`` with 429 Too Many Requests."""
        with self._lock:
            self._failures.setdefault(method, []).append(retry_after)

    def calls_for(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Recorded successful calls, optionally of one chat and one method."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.status == 200
                and (chat_id is None or c.chat_id == chat_id)
                and (method is None or c.method == method)
            ]

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 15.0) -> Any:
        """Poll the recorded calls until ``predicate`` returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                calls = list(self.calls)
            found = predicate(calls)
            if found:
                return found
            time.sleep(0.02)
        with self._lock:
            methods = [(c.method, c.chat_id, c.status) for c in self.calls[-15:]]
        raise AssertionError(f"timed out; last calls: {methods}")

    # ----- updates -----

    def _push_message(self, chat_id: int, message: dict[str, Any]) -> int:
        return self._push({"message": self._message_from(chat_id, message)}, chat_id)

    def _message_from(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _user(chat_id),
            **content,
        }

    def _push(self, update: dict[str, Any], chat_id: int) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self.pushed_at[update_id] = time.monotonic()
        if self._loop is not None and self._arrived is not None:
            self._loop.call_soon_threadsafe(self._arrived.set)
        return update_id

    def _next_message_id(self, chat_id: int) -> int:
        with self._lock:
            return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._loop is not None and self._arrived is not None
        offset = params.get("offset", 0)
        deadline = self._loop.time() + float(params.get("timeout", 0))
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = self._updates[: params.get("limit", 100)]
            remaining = deadline - self._loop.time()
            if pending or remaining <= 0:
                return pending
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []

    # ----- HTTP -----

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params, files = await _read(request)
        call = Call(method, params, files)
        try:
            with self._lock:
                failures = self._failures.get(method)
                retry_after = failures.pop(0) if failures else None
            if retry_after is not None:
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
            call.result = await self._answer(call)
        except ApiError as error:
            call.status = error.code
            self._record(call)
            return _error(error)
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        with self._lock:
            found = next((data for p, data in self._files.values() if p == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.Response(status=404)
        return web.Response(body=found, content_type="image/jpeg")

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
        for listener in self.listeners:
            listener(call)

    async def _answer(self, call: Call) -> Any:
        p = call.params
        match call.method:
            case "getMe":
                return {
                    **BOT_USER,
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            case "deleteWebhook" | "setWebhook" | "setMyCommands" | "answerCallbackQuery":
                return True
            case "getUpdates":
                return await self._get_updates(p)
            case "sendChatAction":
                return True
            case "getChatMember":
                with self._lock:
                    admin = p["user_id"] in self._admins.get(p["chat_id"], set())
                status = "administrator" if admin else "member"
                member = {"status": status, "user": _user(p["user_id"])}
                if admin:
                    member.update(
                        can_be_edited=False,
                        is_anonymous=False,
                        **{right: True for right in ADMIN_RIGHTS},
                    )
                return member
            case "sendMessage":
                _check_text(p.get("text", ""), 4096, "message text")
                _check_markup(p.get("reply_markup"))
                return self._message(p["chat_id"], text=p["text"])
            case "sendPhoto":
                _check_text(p.get("caption", ""), 1024, "caption", empty_ok=True)
                _check_markup(p.get("reply_markup"))
                return self._message(p["chat_id"], photo=_photo_size(), caption=p.get("caption"))
            case "sendMediaGroup":
                return [
                    self._album_item(p["chat_id"], item, call.files)
                    for item in _check_album(p.get("media"))
                ]
            case "editMessageText":
                return self._edit(p)
            case "deleteMessage":
                with self._lock:
                    if self._texts.pop((p["chat_id"], p["message_id"]), None) is None:
                        raise ApiError(400, "Bad Request: message to delete not found")
                return True
            case "getFile":
                with self._lock:
                    path, data = self._files[p["file_id"]]
                return {
                    "file_id": p["file_id"],
                    "file_unique_id": p["file_id"],
                    "file_size": len(data),
                    "file_path": path,
                }
        raise ApiError(404, f"Not Found: method {call.method} is not faked")

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message_id = self._next_message_id(chat_id)
        with self._lock:
            self._texts[(chat_id, message_id)] = content.get("text") or ""
        body = {k: v for k, v in content.items() if v is not None}
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
            **body,
        }

    def _album_item(self, chat_id: int, item: dict[str, Any], files: dict[str, bytes]) -> Any:
        media = str(item.get("media", ""))
        if media.startswith("attach://") and media[len("attach://") :] not in files:
            raise ApiError(400, f"Bad Request: file {media} is missing")
        _check_text(item.get("caption") or "", 1024, "caption", empty_ok=True)
        return self._message(chat_id, photo=_photo_size(), caption=item.get("caption"))

    def _edit(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (p["chat_id"], p["message_id"])
        _check_text(p.get("text", ""), 4096, "message text")
        with self._lock:
            if key not in self._texts:
                raise ApiError(400, "Bad Request: message to edit not found")
            if self._texts[key] == p["text"]:
                raise ApiError(400, "Bad Request: message is not modified")
            self._texts[key] = p["text"]
        return {
            "message_id": key[1],
            "date": int(time.time()),
            "chat": _chat(key[0]),
            "from": BOT_USER,
            "text": p["text"],
        }


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": f"group {chat_id}"}
    return {"id": chat_id, "type": "private", "first_name": f"shopper{chat_id}"}


def _user(user_id: int) -> dict[str, Any]:
    """A person; ids ending in 7 have no public @username (their link is tg://user?id=)."""
    person = {"id": abs(user_id), "is_bot": False, "first_name": f"shopper{abs(user_id)}"}
    if abs(user_id) % 10 != 7:
        person["username"] = f"shopper{abs(user_id)}"
    return person


def _photo_size() -> list[dict[str, Any]]:
    return [{"file_id": "sent-photo", "file_unique_id": "sent", "width": 96, "height": 96}]


async def _read(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Form, multipart or JSON parameters, decoded the way the Bot API reads them."""
    raw: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        raw = await request.json()
    elif request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            if part.filename is not None:  # type: ignore[union-attr]
                files[part.name or ""] = bytes(await part.read())  # type: ignore[union-attr]
            else:
                raw[part.name or ""] = await part.text()  # type: ignore[union-attr]
    elif request.can_read_body:
        raw = dict(await request.post())
    params = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_FIELDS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_FIELDS:
            value = int(value)
        params[key] = value
    return params, files


def _check_text(text: str, limit: int, what: str, empty_ok: bool = False) -> None:
    if not text.strip() and not empty_ok:
        raise ApiError(400, f"Bad Request: {what} is empty")
    if utf16_len(text) > limit:
        raise ApiError(400, f"Bad Request: {what} is too long")


def _check_markup(markup: Any) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _check_album(media: Any) -> list[dict[str, Any]]:
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise ApiError(400, "Bad Request: media group must have 2-10 items")
    return media


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)
