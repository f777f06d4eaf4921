"""``client.payment_handles``: connect a customer's handle once, so agent payments need them no more.

``connect`` starts a one-time-code and consent ceremony that Linq runs with the customer over the
messaging channel and answers ``pending`` with a ``connect_id``; ``verify`` finishes it with the
code the customer received (usually their reply in the thread). ``revoke`` removes only your grant;
the customer's wallet at the provider stays as it is. The handle (E.164 or email) travels in the
path, quoted as linq-python quotes it (``+`` and ``@`` as they are).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.payments import PaymentHandleConnection
from ._base import Mode, Raw, Resource, endpoint
from .payments import handle_segment

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["PaymentHandles", "SyncPaymentHandles"]


def _opaque(value: object, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 255 or not value.isprintable() or value != value.strip():
        raise ValidationError(f"{name} must be the non-empty text you were given, got {_validate.shown(value)}")
    return value


class PaymentHandles(Resource[Mode]):
    """Customer handles connected for agent payments: connect, verify, read, revoke."""

    @cached_property
    def with_raw_response(self) -> PaymentHandles[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return PaymentHandles(self._client, True)

    @endpoint
    async def connect(self, handle: str, **options: Unpack[RequestOptions]) -> PaymentHandleConnection:
        """Start connecting a customer for agent payments; answers ``pending`` with the ``connect_id``.

        ``POST /v3/payments/handles/{handle}/connect`` (no body). ``handle``: the customer's E.164
        number or email. Keep ``connect_id`` for ``verify``; a ``connection.created`` webhook
        follows when the customer completes the ceremony. Raises ``ValidationError`` before sending
        for a malformed handle; an ``APIError`` otherwise.
        """
        path = f"/v3/payments/handles/{handle_segment(handle)}/connect"
        return await self._request("POST", path, into=PaymentHandleConnection, options=options)

    @endpoint
    async def connection(self, handle: str, **options: Unpack[RequestOptions]) -> PaymentHandleConnection:
        """Read a customer's connection status (``not_connected``, ``pending``, ``connected``, ``revoked``).

        ``GET /v3/payments/handles/{handle}/connection``. Raises ``ValidationError`` before sending
        for a malformed handle; an ``APIError`` otherwise.
        """
        path = f"/v3/payments/handles/{handle_segment(handle)}/connection"
        return await self._request("GET", path, into=PaymentHandleConnection, options=options)

    @endpoint
    async def revoke(self, handle: str, **options: Unpack[RequestOptions]) -> PaymentHandleConnection:
        """Remove your grant for a customer (their wallet at the provider is untouched).

        ``DELETE /v3/payments/handles/{handle}/connection``; answers the connection as it is now.
        Raises ``ValidationError`` before sending for a malformed handle; an ``APIError`` otherwise.
        """
        path = f"/v3/payments/handles/{handle_segment(handle)}/connection"
        return await self._request("DELETE", path, into=PaymentHandleConnection, options=options)

    @endpoint
    async def verify(
        self, handle: str, *, code: str, connect_id: str, **options: Unpack[RequestOptions]
    ) -> PaymentHandleConnection:
        """Finish connecting a customer with the one-time code they received; answers ``connected``.

        ``POST /v3/payments/handles/{handle}/verify``. ``code``: the customer's code (single use,
        short-lived; call ``connect`` again for a new one); ``connect_id``: from ``connect``. Raises
        ``ValidationError`` before sending for a malformed handle, code or connect id;
        ``BadRequestError`` (wrong or expired code), ``ConflictError`` or another ``APIError``.
        """
        path = f"/v3/payments/handles/{handle_segment(handle)}/verify"
        body = {"code": _opaque(code, "code"), "connect_id": _opaque(connect_id, "connect_id")}
        return await self._request("POST", path, body=body, into=PaymentHandleConnection, options=options)


class SyncPaymentHandles(SyncResource[Mode]):
    """Blocking twin of ``client.payment_handles``."""

    connect = blocking(PaymentHandles.connect)
    connection = blocking(PaymentHandles.connection)
    revoke = blocking(PaymentHandles.revoke)
    verify = blocking(PaymentHandles.verify)

    @cached_property
    def with_raw_response(self) -> SyncPaymentHandles[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPaymentHandles(self._runner, self._async.with_raw_response)
