"""Web chat sessions: the page holds a session id and a token that proves it was issued here.

A token is ``<session id>.<HMAC-SHA256 of the id>``, so any API process with the same
secret checks it without a lookup. Without a configured secret one is generated once
under the data folder (embedded setups: every process on the machine shares it).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "web-session.key"


class SessionTokens:
    """Issues and checks web chat session tokens."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self) -> tuple[str, str]:
        """A new session: its id and its token."""
        session_id = "s" + secrets.token_hex(12)
        return session_id, f"{session_id}.{self._sign(session_id)}"

    def session_of(self, token: str) -> str | None:
        """The session id a token carries; None for a token not issued with this secret."""
        session_id, _, signature = token.partition(".")
        if not session_id or not hmac.compare_digest(signature, self._sign(session_id)):
            return None
        return session_id

    def _sign(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()[:32]


def embedded_secret(data_dir: Path) -> bytes:
    """The secret of ``<data_dir>/web-session.key``, generated on first use (mode 600)."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_bytes().strip()
