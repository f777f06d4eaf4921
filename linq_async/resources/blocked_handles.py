"""``client.blocked_handles``: handles whose messages you drop and to whom you cannot send."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.contacts import BlockedHandleBlockResponse, BlockedHandleListResponse
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["BlockedHandles", "SyncBlockedHandles", "blockable_handle"]

_SHORT_CODE = re.compile(r"[0-9]{3,8}", re.ASCII)
# An alphanumeric sender ID, as carriers allow them: up to 11 characters, at least one letter.
_SENDER_ID = re.compile(r"(?=[0-9 ._&-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9 ._&-]{0,9}[A-Za-z0-9])?", re.ASCII)


def blockable_handle(value: object) -> str:
    """Return a handle that can be blocked, or refuse it.

    An E.164 phone number or an email address (as everywhere), an SMS short code (3 to 8 digits)
    or an alphanumeric sender ID (1 to 11 letters, digits, spaces or ``. _ & -``, one letter at least).
    """
    if not isinstance(value, str):
        raise ValidationError(f"handle must be a string, got {type(value).__name__}")
    if value.startswith("+") or "@" in value:
        return _validate.handle(value)
    if _SHORT_CODE.fullmatch(value) or _SENDER_ID.fullmatch(value):
        return value
    raise ValidationError(
        "handle must be an E.164 phone number, an email address, a short code of 3 to 8 digits or an "
        f"alphanumeric sender ID of at most 11 characters, got {_validate.shown(value)}"
    )


class BlockedHandles(Resource[Mode]):
    """Your block list: inbound messages from a blocked handle are dropped, direct sends refused."""

    @cached_property
    def with_raw_response(self) -> BlockedHandles[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return BlockedHandles(self._client, True)

    @endpoint
    async def block(
        self, *, handle: str, reason: str | None = None, **options: Unpack[RequestOptions]
    ) -> BlockedHandleBlockResponse:
        """Block a handle; blocking one already blocked answers its existing entry.

        ``POST /v3/blocked_handles``. ``handle``: an E.164 number, an email, a short code or an
        alphanumeric sender ID; ``reason``: a note of your own. Afterwards its inbound messages are
        dropped (no webhooks) and direct sends to it fail with 403/2026; group sends still go out.
        Raises ``ValidationError`` before sending for a bad handle; an ``APIError`` on failure.
        """
        body = {"handle": blockable_handle(handle)}
        if reason is not None:
            if not isinstance(reason, str):
                raise ValidationError(f"reason must be a string, got {type(reason).__name__}")
            body["reason"] = reason
        return await self._request(
            "POST",
            "/v3/blocked_handles",
            body=body,
            into=BlockedHandleBlockResponse,
            options=options,
            repeatable=True,
        )

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> BlockedHandleListResponse:
        """List every handle you blocked, newest first.

        ``GET /v3/blocked_handles`` (not paginated). Raises an ``APIError`` on failure.
        """
        return await self._request("GET", "/v3/blocked_handles", into=BlockedHandleListResponse, options=options)

    @endpoint
    async def unblock(self, *, handle: str, **options: Unpack[RequestOptions]) -> None:
        """Take a handle off the block list: its messages arrive again and sends to it are allowed.

        ``DELETE /v3/blocked_handles`` with the handle in the JSON body. ``handle``: as blocked.
        Returns None. Raises ``ValidationError`` before sending for a bad handle; an ``APIError``
        on failure.
        """
        body = {"handle": blockable_handle(handle)}
        return await self._request("DELETE", "/v3/blocked_handles", body=body, options=options)


class SyncBlockedHandles(SyncResource[Mode]):
    """Blocking twin of ``client.blocked_handles``."""

    block = blocking(BlockedHandles.block)
    list = blocking(BlockedHandles.list)
    unblock = blocking(BlockedHandles.unblock)

    @cached_property
    def with_raw_response(self) -> SyncBlockedHandles[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncBlockedHandles(self._runner, self._async.with_raw_response)
