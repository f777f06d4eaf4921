"""Webhook subscriptions, and the list of event types one can subscribe to."""

from __future__ import annotations

import datetime as dt

import attrs

from .._convert import Model

__all__ = [
    "WebhookEventListResponse",
    "WebhookSubscription",
    "WebhookSubscriptionCreateResponse",
    "WebhookSubscriptionListResponse",
]


@attrs.frozen(kw_only=True)
class WebhookSubscription(Model):
    """Where events go (``target_url``), which ones (``subscribed_events``), and whether it is on.

    ``phone_numbers`` empty means events of every line; ``routing_key_header`` set turns on
    delivery affinity, with the chat id in ``routing_id_header`` (``Linq-Chat-Id`` by default).
    """

    id: str
    target_url: str | None = None
    subscribed_events: tuple[str, ...] = ()
    is_active: bool | None = None
    phone_numbers: tuple[str, ...] = ()
    routing_id_header: str | None = None
    routing_key_header: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class WebhookSubscriptionCreateResponse(WebhookSubscription):
    """A new subscription, with its ``signing_secret``: shown only here, store it (``whsec_`` + base64)."""

    signing_secret: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class WebhookSubscriptionListResponse(Model):
    """Every subscription of the account, active or not (signing secrets are never listed)."""

    subscriptions: tuple[WebhookSubscription, ...] = ()


@attrs.frozen(kw_only=True)
class WebhookEventListResponse(Model):
    """The event types one can subscribe to, and where they are documented."""

    events: tuple[str, ...] = ()
    doc_url: str | None = None
