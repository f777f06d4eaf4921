"""``client.webhooks``: check that a delivery came from Linq, and read its event."""

from __future__ import annotations

from functools import cached_property

from .. import webhooks as _webhooks
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..webhooks import DEFAULT_TOLERANCE, WebhookEvent, WebhookHeaders
from ._base import Mode, Raw, Resource

__all__ = ["SyncWebhooks", "Webhooks"]


class Webhooks(Resource[Mode]):
    """Webhook deliveries: ``unwrap`` verifies one and parses its event. Nothing is sent."""

    @cached_property
    def with_raw_response(self) -> Webhooks[Raw]:
        """The same (``unwrap`` makes no request, so there is no raw response)."""
        return Webhooks(self._client, True)

    def unwrap(
        self,
        payload: str | bytes,
        *,
        headers: WebhookHeaders,
        key: str | bytes | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> WebhookEvent:
        """Verify a delivery's Standard Webhooks signature, then parse its event (a plain call, never awaited).

        ``payload``: the raw request body (``bytes`` or ``str``), exactly as received; ``headers``:
        the request's headers (a mapping, ``http.server``'s ``self.headers`` or another object with
        ``keys()`` and ``items()``, or ``(name, value)`` pairs; ``str`` or ``bytes``, any case);
        ``key``: the subscription's signing secret (``whsec_...``; raw bytes are used as the key
        itself), by default the client's ``webhook_secret``; ``tolerance``: how far, in seconds
        (a finite number, 0 or more), ``webhook-timestamp`` may be from now. Returns the event
        class its ``event_type`` names (``UnknownEvent`` for types without a model). Raises
        ``ValidationError`` when no key is given or set on the client, the key is malformed or
        the tolerance is not a finite number >= 0; ``WebhookVerificationError`` for a bad
        signature or timestamp, a missing header, a payload that is not a body (``None``, parsed
        JSON) or ``headers`` that are not headers at all (``None`` included, or an object that
        fails when read); ``WebhookPayloadError`` for a body that is not an event.
        """
        if key is None:
            key = self._client.webhook_secret
            if key is None:
                raise ValidationError(
                    "no webhook signing secret: pass key=, or give the client webhook_secret= "
                    "(or set LINQ_WEBHOOK_SECRET)"
                )
        return _webhooks.unwrap(payload, headers, key, tolerance=tolerance)


class SyncWebhooks(SyncResource[Mode]):
    """Twin of ``client.webhooks``: the same plain ``unwrap``."""

    unwrap = blocking(Webhooks.unwrap)

    @cached_property
    def with_raw_response(self) -> SyncWebhooks[Raw]:
        """The same (``unwrap`` makes no request, so there is no raw response)."""
        return SyncWebhooks(self._runner, self._async.with_raw_response)
