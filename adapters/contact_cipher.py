"""Encryption of atelier contact details at rest (Fernet, with key rotation).

The first configured key encrypts; every key decrypts. To rotate: put a new key
first, keep the old one after it, run ``stylegenie ateliers rotate-key`` (which
re-encrypts every row with the new key), then drop the old key. Without configured
keys an embedded setup generates one, once, in ``<data_dir>/contact.key`` (``embedded_key``).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "contact.key"
UNREADABLE = "a stored contact cannot be decrypted with the configured keys"


class ContactCipherError(ValueError):
    """A stored contact could not be decrypted with any configured key."""


class ContactCipher:
    """Encrypts and decrypts contact strings; never logs them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("ContactCipher needs at least one key")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, contact: str) -> bytes:
        """The contact as a Fernet token (with the first key)."""
        return self._fernet.encrypt(contact.encode())

    def decrypt(self, token: bytes) -> str:
        """The contact behind a token made with any configured key."""
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as error:
            raise ContactCipherError(UNREADABLE) from error

    def rotate(self, token: bytes) -> bytes:
        """The same contact re-encrypted with the first key."""
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken as error:
            raise ContactCipherError(UNREADABLE) from error


def generate_key() -> str:
    """A new random Fernet key (URL-safe base64), e.g. for STYLEGENIE_PRIVACY__CONTACT_KEYS."""
    return Fernet.generate_key().decode()


def embedded_key(data_dir: Path) -> str:
    """The key of ``<data_dir>/contact.key``, generated on first use (mode 600).

    Processes starting together on one data folder (containers sharing a volume) agree on
    one key: each writes a whole key to a file of its own, and only the first one linked
    in place becomes the key; nobody reads a half-written file.
    """
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{KEY_FILE}.{os.urandom(6).hex()}.new")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process's key came first
        finally:
            draft.unlink()
    return path.read_text().strip()
