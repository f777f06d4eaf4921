"""``client.chats.participants``: add and remove group-chat members, one at a time or in batches."""

from __future__ import annotations

import uuid

from .. import _validate
from ..models import ParticipantAddResponse, ParticipantRemoveResponse
from ._base import Resource

__all__ = ["Participants"]


def _path(chat_id: str | uuid.UUID) -> str:
    return f"/v3/chats/{_validate.chat_id(chat_id)}/participants"


class Participants(Resource):
    """Group-chat membership. Changes are queued (202) and confirmed by webhooks."""

    __slots__ = ()

    async def add(self, chat_id: str | uuid.UUID, *, handle: str) -> ParticipantAddResponse:
        """Add ``handle`` (E.164 phone or email) to a group chat.

        ``POST /v3/chats/{chat_id}/participants``. Raises ``ValidationError`` before sending for a
        chat id that is not a UUID or a malformed handle; ``NotFoundError`` (2001),
        ``ConflictError`` (2013 after leaving the chat), or another ``APIError``.
        """
        return await self._client._request(
            "POST", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantAddResponse
        )

    async def remove(self, chat_id: str | uuid.UUID, *, handle: str) -> ParticipantRemoveResponse:
        """Remove ``handle`` from a group chat; at least 3 participants must remain.

        ``DELETE /v3/chats/{chat_id}/participants`` with a JSON body. Raises ``ValidationError``
        before sending for bad input; ``NotFoundError``, ``ConflictError`` or another ``APIError``.
        """
        return await self._client._request(
            "DELETE", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantRemoveResponse
        )
