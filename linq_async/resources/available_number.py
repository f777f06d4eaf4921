"""``client.available_number``: which of your lines to send from (smart number assignment)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Literal, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.capability import AvailableNumberRetrieveResponse
from ._base import Mode, Raw, Resource, endpoint
from .capability import phone

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["AvailableNumber", "SyncAvailableNumber"]

LINE_TYPES = ("RCS", "iMessage")


def _handles(value: object, name: str, check: Callable[[object], str]) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValidationError(f"{name} must be a list of handles, got {type(value).__name__}")
    if not value:
        raise ValidationError(f"{name} is empty; leave it out instead")
    return [check(item) for item in value]


class AvailableNumber(Resource[Mode]):
    """Smart number assignment: the best line of yours for the next chat."""

    @cached_property
    def with_raw_response(self) -> AvailableNumber[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return AvailableNumber(self._client, True)

    @endpoint
    async def retrieve(
        self,
        *,
        exclude_from: Sequence[str] | None = None,
        to: Sequence[str] | None = None,
        type: Literal["RCS", "iMessage"] | None = None,
        **options: Unpack[RequestOptions],
    ) -> AvailableNumberRetrieveResponse:
        """Get the line to send from next, and a link to its vCard; nothing is reserved.

        ``GET /v3/available_number``. ``exclude_from``: E.164 lines of yours to leave out (of the
        choice and of the vCard's backup numbers); ``to``: the recipients (E.164 or email), which
        make the choice sticky to the line of an existing chat with them; ``type``: ``"RCS"``
        (Android lines) or ``"iMessage"`` lines only (any case). Without ``to``, successive calls
        rotate through your lines. Raises ``ValidationError`` before sending for a bad number,
        handle, empty list or type; ``BadRequestError`` (every line excluded),
        ``InternalServerError`` (503: no line of that type) or another ``APIError``.
        """
        if type is not None and (not isinstance(type, str) or type.lower() not in ("rcs", "imessage")):
            raise ValidationError(f"type must be one of {LINE_TYPES}, got {_validate.shown(type)}")
        params = {
            "exclude_from": _handles(exclude_from, "exclude_from", lambda n: phone(n, "exclude_from")),
            "to": _handles(to, "to", _validate.handle),
            "type": type,
        }
        return await self._request(
            "GET", "/v3/available_number", params=params, into=AvailableNumberRetrieveResponse, options=options
        )


class SyncAvailableNumber(SyncResource[Mode]):
    """Blocking twin of ``client.available_number``."""

    retrieve = blocking(AvailableNumber.retrieve)

    @cached_property
    def with_raw_response(self) -> SyncAvailableNumber[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncAvailableNumber(self._runner, self._async.with_raw_response)
