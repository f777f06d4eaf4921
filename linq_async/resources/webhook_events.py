"""``client.webhook_events``: the event types a webhook subscription can ask for."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .._sync import SyncResource, blocking
from ..models.webhooks import WebhookEventListResponse
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["SyncWebhookEvents", "WebhookEvents"]


class WebhookEvents(Resource[Mode]):
    """The catalogue of webhook event types."""

    @cached_property
    def with_raw_response(self) -> WebhookEvents[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return WebhookEvents(self._client, True)

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> WebhookEventListResponse:
        """List every event type one can subscribe to (the valid ``subscribed_events`` values).

        ``GET /v3/webhook-events``; not paginated. Raises an ``APIError`` on failure.
        """
        return await self._request("GET", "/v3/webhook-events", into=WebhookEventListResponse, options=options)


class SyncWebhookEvents(SyncResource[Mode]):
    """Blocking twin of ``client.webhook_events``."""

    list = blocking(WebhookEvents.list)

    @cached_property
    def with_raw_response(self) -> SyncWebhookEvents[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncWebhookEvents(self._runner, self._async.with_raw_response)
