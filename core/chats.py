"""Who is talking and where: the chat key every front-end builds and the sender of an event.

A ``ChatKey`` names one conversation on one platform ("telegram:1001", "discord:42:7",
"terminal:ana"); it is parsed from and written to text here and nowhere else. A
``Sender`` is the person behind an incoming event, as the platform knows them: the
name to call them, and how someone else can reach them, which is what an atelier owner
receives once they accept the shopper's request.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ChatKey(BaseModel):
    """One conversation on one platform: its state, rate limit and saved designs live under it."""

    model_config = ConfigDict(frozen=True)

    platform: str
    id: str

    @classmethod
    def parse(cls, text: str) -> ChatKey:
        """``"telegram:1001"`` -> ChatKey("telegram", "1001"); ValueError without a platform."""
        platform, separator, chat_id = text.partition(":")
        if not separator or not platform or not chat_id:
            raise ValueError(f"a chat key looks like 'platform:id', got {text[:60]!r}")
        return cls(platform=platform, id=chat_id)

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"


class Sender(BaseModel):
    """The person behind an incoming event.

    ``user`` is the person's own key (in a private chat the same as the chat's);
    ``handle`` is their public name where the platform has one ("@ana"); ``link`` opens a
    chat with them ("https://t.me/ana", "tg://user?id=1001"); ``is_chat_admin`` is the
    platform's word that they administer a group chat.
    """

    model_config = ConfigDict(frozen=True)

    user: ChatKey
    display_name: str
    handle: str = ""
    link: str = ""
    is_chat_admin: bool = False

    def contact(self) -> str:
        """How an atelier owner reaches this person: "Ana (@ana) https://t.me/ana"."""
        name = self.display_name.strip() or self.handle or str(self.user)
        handle = f" ({self.handle})" if self.handle and self.handle != name else ""
        link = f" {self.link}" if self.link else ""
        return f"{name}{handle}{link}"
