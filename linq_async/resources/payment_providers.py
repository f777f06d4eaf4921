"""``client.payment_providers``: connect your organisation to a payment provider and read its standing.

``connect`` answers a ``hosted_url`` where an admin authorises; the provider then sends them back
to your ``return_url`` and Linq keeps the credentials. ``retrieve`` says ``onboarding``, ``ready``
or ``disabled``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .. import _validate
from .._sync import SyncResource, blocking
from ..models.payments import PaymentProvider, PaymentProviderConnectResponse
from ._base import Mode, Raw, Resource, endpoint
from .payments import resource_id

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["PaymentProviders", "SyncPaymentProviders"]


class PaymentProviders(Resource[Mode]):
    """Payment providers of your organisation (e.g. ``agentcard``)."""

    @cached_property
    def with_raw_response(self) -> PaymentProviders[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return PaymentProviders(self._client, True)

    @endpoint
    async def connect(
        self, provider: str, *, return_url: str, **options: Unpack[RequestOptions]
    ) -> PaymentProviderConnectResponse:
        """Begin connecting your organisation to ``provider``; send an admin to the ``hosted_url`` answered.

        ``POST /v3/payments/providers/{provider}/connect``. ``provider``: its name, e.g.
        ``"agentcard"``; ``return_url``: the https:// page the admin comes back to. Raises
        ``ValidationError`` before sending for a malformed name or URL; an ``APIError`` otherwise.
        """
        path = f"/v3/payments/providers/{resource_id(provider, 'provider')}/connect"
        body = {"return_url": _validate.https_url(return_url, "return_url")}
        return await self._request("POST", path, body=body, into=PaymentProviderConnectResponse, options=options)

    @endpoint
    async def retrieve(self, provider: str, **options: Unpack[RequestOptions]) -> PaymentProvider:
        """Read your organisation's onboarding status with ``provider``.

        ``GET /v3/payments/providers/{provider}``. Raises ``ValidationError`` before sending for a
        malformed name; an ``APIError`` otherwise.
        """
        path = f"/v3/payments/providers/{resource_id(provider, 'provider')}"
        return await self._request("GET", path, into=PaymentProvider, options=options)


class SyncPaymentProviders(SyncResource[Mode]):
    """Blocking twin of ``client.payment_providers``."""

    connect = blocking(PaymentProviders.connect)
    retrieve = blocking(PaymentProviders.retrieve)

    @cached_property
    def with_raw_response(self) -> SyncPaymentProviders[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPaymentProviders(self._runner, self._async.with_raw_response)
