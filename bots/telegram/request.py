"""The bot's HTTP client: python-telegram-bot's networking backend over aiohttp.

The library's default backend (httpx) scans its whole connection pool for every
request; with a couple of hundred chats sending at once that scan dominated the bot's
CPU and capped it near 150 Bot API calls/s on the load benchmark. ``BaseRequest`` is
the library's documented extension point for another backend; this one keeps the
same error types (TimedOut, NetworkError) and sends the same form and multipart bodies
the library builds. Timeouts: pool and connect as given; an answer may take the read
timeout (plus the write timeout when files go up, as uploads wait on the server).
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_READ_TIMEOUT_S = 5.0
DEFAULT_UPLOAD_TIMEOUT_S = 20.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_POOL_TIMEOUT_S = 30.0


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests through one aiohttp session with ``connections`` sockets."""

    def __init__(self, connections: int = 64, read_timeout: float = DEFAULT_READ_TIMEOUT_S) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """Seconds to wait for an answer; long polling adds its own timeout to it."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            headers = {"User-Agent": self.USER_AGENT}
            self._session = aiohttp.ClientSession(connector=connector, headers=headers)

    async def shutdown(self) -> None:
        """Close the session and its sockets."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One request: form fields, or multipart when it carries files; (status, body)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        read = _seconds(read_timeout, self._read_timeout)
        if files and read is not None:
            read += _seconds(write_timeout, DEFAULT_UPLOAD_TIMEOUT_S) or 0.0
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, DEFAULT_POOL_TIMEOUT_S),
            sock_connect=_seconds(connect_timeout, DEFAULT_CONNECT_TIMEOUT_S),
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _seconds(value: float | None | object, default: float) -> float | None:
    """A timeout the caller gave (None = wait forever), or the default when it gave none."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The form fields, as multipart with the files when there are any."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
