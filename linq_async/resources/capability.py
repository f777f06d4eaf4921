"""``client.capability``: ask whether a handle can get iMessage or RCS before choosing how to reach it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.capability import HandleCheckResponse
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["Capability", "SyncCapability"]


def phone(value: object, name: str) -> str:
    """An E.164 phone number, or ``ValidationError`` naming ``name``."""
    handle = _validate.handle(value)
    if not handle.startswith("+"):
        raise ValidationError(f"{name} must be an E.164 phone number, got {_validate.shown(value)}")
    return handle


def _check_body(address: str, from_: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"address": address}
    if from_ is not None:
        body["from"] = phone(from_, "from_")
    return body


class Capability(Resource[Mode]):
    """Reachability checks for a handle, by service (rate limited: cache the answers for a while)."""

    @cached_property
    def with_raw_response(self) -> Capability[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Capability(self._client, True)

    @endpoint
    async def check_i_message(
        self, *, address: str, from_: str | None = None, **options: Unpack[RequestOptions]
    ) -> HandleCheckResponse:
        """Check whether ``address`` can receive iMessage.

        ``POST /v3/capability/check_imessage``. ``address``: an E.164 phone number or an email
        address; ``from_``: the line of yours to check from (one of your pool when left out).
        ``available`` answers; ``selected_service`` tells what a message would use instead.
        Raises ``ValidationError`` before sending for a bad handle; ``RateLimitError`` (1007),
        ``PermissionDeniedError`` (2006: not your line) or another ``APIError``.
        """
        body = _check_body(_validate.handle(address), from_)
        return await self._request(
            "POST",
            "/v3/capability/check_imessage",
            body=body,
            into=HandleCheckResponse,
            options=options,
            repeatable=True,
        )

    @endpoint
    async def check_RCS(
        self, *, address: str, from_: str | None = None, **options: Unpack[RequestOptions]
    ) -> HandleCheckResponse:
        """Check whether the phone number ``address`` can receive RCS.

        ``POST /v3/capability/check_rcs``. ``address``: an E.164 phone number (RCS has no email
        addressing); ``from_``: the line of yours to check from. A 200 is about the recipient
        (``reason="not_supported"``: no RCS). Raises ``ValidationError`` before sending for an
        email or a bad number; ``InternalServerError`` with status 503 when your line could not
        answer (4004 RCS off on the line, 4009 no RCS account, 4010 the check failed: the answer
        is unknown, not negative), ``RateLimitError`` or another ``APIError``.
        """
        body = _check_body(phone(address, "address"), from_)
        return await self._request(
            "POST",
            "/v3/capability/check_rcs",
            body=body,
            into=HandleCheckResponse,
            options=options,
            repeatable=True,
        )

    # Spelt as the paths are.
    check_imessage = check_i_message
    check_rcs = check_RCS


class SyncCapability(SyncResource[Mode]):
    """Blocking twin of ``client.capability``."""

    check_i_message = blocking(Capability.check_i_message)
    check_RCS = blocking(Capability.check_RCS)
    check_imessage = blocking(Capability.check_imessage)
    check_rcs = blocking(Capability.check_rcs)

    @cached_property
    def with_raw_response(self) -> SyncCapability[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncCapability(self._runner, self._async.with_raw_response)
