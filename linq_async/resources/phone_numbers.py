"""``client.phone_numbers``: your lines, their call forwarding, and reputation audits."""

from __future__ import annotations

import urllib.parse
import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.numbers import (
    PhoneNumberListResponse,
    PhoneNumberUpdateResponse,
    ReputationAudit,
    ReputationAuditStarted,
)
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["PhoneNumbers", "SyncPhoneNumbers"]

# As linq-python quotes a path segment: RFC 3986 sub-delimiters, ":" and "@" stay as they are.
_SEGMENT_SAFE = "!$&'()*+,;=:@"


def e164(value: object, name: str) -> str:
    """Return an E.164 phone number unchanged, or refuse it (emails are handles, not lines)."""
    if not isinstance(value, str) or not value.startswith("+"):
        raise ValidationError(
            f"{name} must be an E.164 phone number such as '+14155550100', got {_validate.shown(value)}"
        )
    try:
        return _validate.handle(value)
    except ValidationError:
        raise ValidationError(
            f"{name} must be an E.164 phone number ('+', then 7 to 15 digits), got {_validate.shown(value)}"
        ) from None


def segment(value: object, name: str) -> str:
    """Return ``value`` percent-encoded as one path segment, or refuse it (empty, ``.``, ``..``, control characters)."""
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string, got {type(value).__name__}")
    if not value or value in (".", "..") or not value.isprintable():
        raise ValidationError(
            f"{name} must be non-empty printable text other than '.' and '..', got {_validate.shown(value)}"
        )
    return urllib.parse.quote(value, safe=_SEGMENT_SAFE)


def _line_id(value: object) -> str:
    if isinstance(value, str) and value.startswith("+"):
        raise ValidationError(
            "phone_number_id is the line's id from phone_numbers.list() (a UUID), not its number: "
            f"got {_validate.shown(value)}"
        )
    return _validate.chat_id(value, "phone_number_id")


def _forwarding(value: object) -> str | None:
    if value is None or value == "":
        return value  # both clear the forwarding number
    return e164(value, "forwarding_number")


class PhoneNumbers(Resource[Mode]):
    """The lines assigned to your partner account."""

    @cached_property
    def with_raw_response(self) -> PhoneNumbers[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return PhoneNumbers(self._client, True)

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> PhoneNumberListResponse:
        """List your lines, each with its id, reputation, forwarding number and line type.

        ``GET /v3/phone_numbers`` (not paginated). Use a ``phone_number`` as ``from_`` when creating
        chats; use an ``id`` with ``update``. Raises an ``APIError`` on failure.
        """
        return await self._request("GET", "/v3/phone_numbers", into=PhoneNumberListResponse, options=options)

    @endpoint
    async def update(
        self,
        phone_number_id: str | uuid.UUID,
        *,
        forwarding_number: str | None,
        **options: Unpack[RequestOptions],
    ) -> PhoneNumberUpdateResponse:
        """Set (or clear) the number a line forwards inbound calls to.

        ``PUT /v3/phone_numbers/{phone_number_id}``. ``phone_number_id``: the line's ``id`` from
        ``list`` (a UUID, not the number); ``forwarding_number``: an E.164 number, or None or ""
        to clear it (always sent). Raises ``ValidationError`` before sending for a bad id or number;
        ``NotFoundError`` (2019: no such line) or another ``APIError``.
        """
        body = {"forwarding_number": _forwarding(forwarding_number)}
        path = f"/v3/phone_numbers/{_line_id(phone_number_id)}"
        return await self._request("PUT", path, body=body, into=PhoneNumberUpdateResponse, options=options)

    @endpoint
    async def start_reputation_audit(
        self, phone_number: str, **options: Unpack[RequestOptions]
    ) -> ReputationAuditStarted:
        """Start a reputation audit of a line (202); poll ``get_reputation_audit`` with the ``audit_id``.

        ``POST /v3/phone_numbers/{phone_number}/reputation_audit``. ``phone_number``: the line, in
        E.164. While an audit runs, starting again answers the running audit's id. Raises
        ``ValidationError`` before sending for a bad number; ``RateLimitError`` (429, during the
        cooldown after an audit finished; ``retry_after`` holds the wait) or another ``APIError``.
        """
        path = f"/v3/phone_numbers/{e164(phone_number, 'phone_number')}/reputation_audit"
        return await self._request("POST", path, into=ReputationAuditStarted, options=options)

    @endpoint
    async def get_reputation_audit(
        self, audit_id: str, *, phone_number: str, **options: Unpack[RequestOptions]
    ) -> ReputationAudit:
        """Read an audit: ``pending``, then ``complete`` with its ``report`` or ``error`` with a reason.

        ``GET /v3/phone_numbers/{phone_number}/reputation_audit/{audit_id}``. ``audit_id``: from
        ``start_reputation_audit`` (readable for 24 hours after it finishes); ``phone_number``: the
        line it was started on. Raises ``ValidationError`` before sending for bad input;
        ``NotFoundError`` (unknown audit, or one of another line) or another ``APIError``.
        """
        line = e164(phone_number, "phone_number")
        path = f"/v3/phone_numbers/{line}/reputation_audit/{segment(audit_id, 'audit_id')}"
        return await self._request("GET", path, into=ReputationAudit, options=options)


class SyncPhoneNumbers(SyncResource[Mode]):
    """Blocking twin of ``client.phone_numbers``."""

    list = blocking(PhoneNumbers.list)
    update = blocking(PhoneNumbers.update)
    start_reputation_audit = blocking(PhoneNumbers.start_reputation_audit)
    get_reputation_audit = blocking(PhoneNumbers.get_reputation_audit)

    @cached_property
    def with_raw_response(self) -> SyncPhoneNumbers[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPhoneNumbers(self._runner, self._async.with_raw_response)
