"""``client.chats``: create, read, list, rename and leave chats; and their sub-resources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import _validate
from .._errors import LinqError, ValidationError
from ..models import (
    Chat,
    ChatCreateResponse,
    ChatLeaveResponse,
    ChatList,
    ChatUpdateResponse,
    MessageInput,
)
from ..pagination import AsyncPaginator, Page
from ._base import Resource
from .messages import ChatMessages, _cursor, _limit, message_body
from .participants import Participants

if TYPE_CHECKING:
    from .._client import AsyncLinqClient

__all__ = ["Chats"]

MAX_RECIPIENTS = 31


def _phone(value: object, name: str) -> str:
    handle = _validate.handle(value)
    if not handle.startswith("+"):
        raise ValidationError(f"{name} must be one of your E.164 phone numbers, got {_validate.shown(value)}")
    return handle


def _recipients(to: object) -> list[str]:
    if isinstance(to, str) or not isinstance(to, Sequence):
        raise ValidationError("to must be a list of handles (one for a direct chat, more for a group)")
    if not 1 <= len(to) <= MAX_RECIPIENTS:
        raise ValidationError(f"to must hold 1 to {MAX_RECIPIENTS} handles, got {len(to)}")
    return [_validate.handle(handle) for handle in to]


class Chats(Resource):
    """Chats, and their participants and messages."""

    __slots__ = ("messages", "participants")

    def __init__(self, client: AsyncLinqClient) -> None:
        super().__init__(client)
        self.participants = Participants(client)
        self.messages = ChatMessages(client)

    async def create(
        self,
        from_: str,
        to: Sequence[str],
        message: MessageInput,
        *,
        override_optout: bool | None = None,
        idempotency_key: str | None = None,
    ) -> ChatCreateResponse:
        """Create a chat from your line ``from_`` to ``to`` and send its first message (201).

        ``POST /v3/chats``. One handle makes a direct chat, 2 to 31 a group; the same line and
        recipients give back the existing chat. The first message may hold no link or URL. Raises
        ``ValidationError`` before sending for bad handles or message; ``PermissionDeniedError``
        (2006: not your line), ``BadRequestError`` or another ``APIError``, carrying
        ``idempotency_key`` to retry safely.
        """
        body: dict[str, Any] = {
            "from": _phone(from_, "from_"),
            "to": _recipients(to),
            "message": message_body(message, idempotency_key, first=True),
        }
        if override_optout is not None:
            body["override_optout"] = bool(override_optout)
        try:
            return await self._client._request("POST", "/v3/chats", body=body, into=ChatCreateResponse)
        except LinqError as exc:
            exc.idempotency_key = body["message"]["idempotency_key"]  # type: ignore[attr-defined]
            raise

    async def retrieve(self, chat_id: str | uuid.UUID) -> Chat:
        """Fetch one chat. ``GET /v3/chats/{chat_id}``. Raises ``NotFoundError`` (2001) or another ``APIError``."""
        return await self._client._request("GET", f"/v3/chats/{_validate.chat_id(chat_id)}", into=Chat)

    def list(
        self,
        *,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Chat]:
        """List chats, newest first, page by page; filter by your line ``from_`` or a participant ``to``.

        ``GET /v3/chats``. Returns a paginator at once: ``async for chat in client.chats.list()``
        walks every page. Raises ``ValidationError`` at once for a bad filter, limit (1-100) or cursor.
        """
        params = {
            "from": _phone(from_, "from_") if from_ is not None else None,
            "to": _validate.handle(to) if to is not None else None,
            "limit": _limit(limit),
        }
        client = self._client

        async def fetch(page_cursor: str | None) -> Page[Chat]:
            page = await client._request("GET", "/v3/chats", params={**params, "cursor": page_cursor}, into=ChatList)
            return Page(items=page.chats, next_cursor=page.next_cursor)

        return AsyncPaginator(fetch, _cursor(cursor))

    async def update(
        self,
        chat_id: str | uuid.UUID,
        *,
        display_name: str | None = None,
        group_chat_icon: str | None = None,
    ) -> ChatUpdateResponse:
        """Rename a group chat or change its icon; the change is queued and confirmed by webhook.

        ``PUT /v3/chats/{chat_id}``. Raises ``ValidationError`` before sending when neither is
        given or the icon is not an https:// URL; ``ConflictError`` (1006 on a direct chat) or
        another ``APIError``.
        """
        body: dict[str, Any] = {}
        if display_name is not None:
            if not isinstance(display_name, str) or not display_name.strip() or not display_name.isprintable():
                raise ValidationError(
                    f"display_name must be printable, non-blank text, got {_validate.shown(display_name)}"
                )
            body["display_name"] = display_name
        if group_chat_icon is not None:
            if not isinstance(group_chat_icon, str) or not group_chat_icon.lower().startswith("https://"):
                raise ValidationError(
                    f"group_chat_icon must be an https:// URL, got {_validate.shown(group_chat_icon)}"
                )
            body["group_chat_icon"] = group_chat_icon
        if not body:
            raise ValidationError("give display_name, group_chat_icon or both")
        return await self._client._request(
            "PUT", f"/v3/chats/{_validate.chat_id(chat_id)}", body=body, into=ChatUpdateResponse
        )

    async def leave(self, chat_id: str | uuid.UUID) -> ChatLeaveResponse:
        """Leave an iMessage group chat (4+ active participants); afterwards it answers 409/2013.

        ``POST /v3/chats/{chat_id}/leave``. Raises ``ConflictError``, ``NotFoundError`` or another ``APIError``.
        """
        return await self._client._request(
            "POST", f"/v3/chats/{_validate.chat_id(chat_id)}/leave", into=ChatLeaveResponse
        )

    # The official SDK's names, so that migrating code keeps working.
    list_chats = list
    leave_chat = leave
