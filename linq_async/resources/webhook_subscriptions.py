"""``client.webhook_subscriptions``: where Linq sends webhook events, and which ones."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .. import _validate
from .._client import NOT_GIVEN, NotGiven
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.webhooks import (
    WebhookSubscription,
    WebhookSubscriptionCreateResponse,
    WebhookSubscriptionListResponse,
)
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["SyncWebhookSubscriptions", "WebhookSubscriptions"]

_PATH = "/v3/webhook-subscriptions"
_EVENT_NAME = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+", re.ASCII)
_SUBSCRIPTION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}", re.ASCII)
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}", re.ASCII)  # an RFC 9110 token


def _subscription_id(value: object) -> str:
    # The API documents a string (its examples are UUIDs): anything that cannot change the path.
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str) or not _SUBSCRIPTION_ID.fullmatch(value):
        raise ValidationError(
            f"subscription_id must be a subscription's id (letters, digits, '-', '_'), got {_validate.shown(value)}"
        )
    return value


def _events(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError("subscribed_events must be a list of event types, e.g. ['message.received']")
    if not value:
        raise ValidationError("subscribed_events must name at least one event type")
    for name in value:
        if not isinstance(name, str) or not _EVENT_NAME.fullmatch(name):
            raise ValidationError(
                f"subscribed_events holds {_validate.shown(name)}, not an event type such as 'message.received' "
                "(webhook_events.list() names them all)"
            )
    return list(value)


def _phones(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError("phone_numbers must be a list of your E.164 lines, e.g. ['+14155550100']")
    phones = []
    for number in value:
        phone = _validate.handle(number)
        if not phone.startswith("+"):
            raise ValidationError(f"phone_numbers must hold E.164 phone numbers, got {_validate.shown(number)}")
        phones.append(phone)
    return phones


def _target_url(value: object) -> str:
    # https:// as the API requires; plain http:// only to a loopback host, for a receiver in a test
    # against FakeLinqServer (Linq itself refuses it).
    if isinstance(value, str) and value[:7].lower() == "http://":
        try:
            host = urllib.parse.urlsplit(value).hostname
        except ValueError:
            host = None
        if host and _validate._is_loopback(host) and value.isprintable() and " " not in value and len(value) <= 2048:
            return value
    return _validate.https_url(value, "target_url")


def _header(value: object, name: str) -> str:
    if not isinstance(value, str) or (value and not _HEADER_NAME.fullmatch(value)):
        raise ValidationError(
            f"{name} must be an HTTP header name such as 'X-Route-Token', got {_validate.shown(value)}"
        )
    return value


class WebhookSubscriptions(Resource[Mode]):
    """Webhook subscriptions: a target URL, the events it wants, and optional line and routing settings."""

    @cached_property
    def with_raw_response(self) -> WebhookSubscriptions[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return WebhookSubscriptions(self._client, True)

    @endpoint
    async def create(
        self,
        *,
        subscribed_events: Sequence[str],
        target_url: str,
        phone_numbers: Sequence[str] | None = None,
        routing_id_header: str | None = None,
        routing_key_header: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> WebhookSubscriptionCreateResponse:
        """Subscribe ``target_url`` to events; the answer holds the signing secret, shown this once (201).

        ``POST /v3/webhook-subscriptions``. ``subscribed_events``: event types (see
        ``webhook_events.list``); ``target_url``: an https:// URL (or http:// to a loopback host,
        for a receiver in tests), one subscription per URL (``?version=YYYY-MM-DD`` pins the
        payload version); ``phone_numbers``: only events of these
        lines (default: all); ``routing_key_header``: the header carrying a routing token, which
        turns on delivery affinity; ``routing_id_header``: the header carrying the chat id (default
        ``Linq-Chat-Id``). Raises ``ValidationError`` before sending for bad input;
        ``BadRequestError`` or another ``APIError``.
        """
        body: dict[str, Any] = {
            "subscribed_events": _events(subscribed_events),
            "target_url": _target_url(target_url),
        }
        if phone_numbers is not None:
            body["phone_numbers"] = _phones(phone_numbers)
        if routing_id_header is not None:
            body["routing_id_header"] = _header(routing_id_header, "routing_id_header")
        if routing_key_header is not None:
            body["routing_key_header"] = _header(routing_key_header, "routing_key_header")
        return await self._request("POST", _PATH, body=body, into=WebhookSubscriptionCreateResponse, options=options)

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> WebhookSubscriptionListResponse:
        """List every subscription of the account, active or not (without signing secrets).

        ``GET /v3/webhook-subscriptions``; not paginated. Raises an ``APIError`` on failure.
        """
        return await self._request("GET", _PATH, into=WebhookSubscriptionListResponse, options=options)

    @endpoint
    async def retrieve(
        self, subscription_id: str | uuid.UUID, **options: Unpack[RequestOptions]
    ) -> WebhookSubscription:
        """Fetch one subscription: its target URL, events and status (never its secret).

        ``GET /v3/webhook-subscriptions/{subscription_id}``. Raises ``ValidationError`` before
        sending for a malformed id; ``NotFoundError`` (2010), ``PermissionDeniedError`` or another
        ``APIError``.
        """
        path = f"{_PATH}/{_subscription_id(subscription_id)}"
        return await self._request("GET", path, into=WebhookSubscription, options=options)

    @endpoint
    async def update(
        self,
        subscription_id: str | uuid.UUID,
        *,
        is_active: bool | None = None,
        phone_numbers: Sequence[str] | NotGiven | None = NOT_GIVEN,
        routing_id_header: str | NotGiven | None = NOT_GIVEN,
        routing_key_header: str | NotGiven | None = NOT_GIVEN,
        subscribed_events: Sequence[str] | None = None,
        target_url: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> WebhookSubscription:
        """Change a subscription; only the arguments given are sent (the secret never changes).

        ``PUT /v3/webhook-subscriptions/{subscription_id}``. ``is_active``: turn deliveries on or
        off; ``phone_numbers``: a new line filter, ``[]`` or ``None`` for every line;
        ``routing_id_header``: ``None`` or ``""`` goes back to ``Linq-Chat-Id``;
        ``routing_key_header``: ``None`` or ``""`` turns affinity off; ``subscribed_events``,
        ``target_url``: as in ``create``. Raises ``ValidationError`` before sending for bad input;
        ``NotFoundError``, ``BadRequestError`` or another ``APIError``.
        """
        path = f"{_PATH}/{_subscription_id(subscription_id)}"
        body: dict[str, Any] = {}
        if is_active is not None:
            body["is_active"] = _validate.flag(is_active, "is_active")
        if phone_numbers is not NOT_GIVEN:
            body["phone_numbers"] = None if phone_numbers is None else _phones(phone_numbers)
        for name, header in (("routing_id_header", routing_id_header), ("routing_key_header", routing_key_header)):
            if header is not NOT_GIVEN:
                body[name] = None if header is None else _header(header, name)
        if subscribed_events is not None:
            body["subscribed_events"] = _events(subscribed_events)
        if target_url is not None:
            body["target_url"] = _target_url(target_url)
        return await self._request("PUT", path, body=body, into=WebhookSubscription, options=options)

    @endpoint
    async def delete(self, subscription_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Delete a subscription: no more deliveries to it (204).

        ``DELETE /v3/webhook-subscriptions/{subscription_id}``. Raises ``ValidationError`` before
        sending for a malformed id; ``NotFoundError`` (2010) or another ``APIError``.
        """
        path = f"{_PATH}/{_subscription_id(subscription_id)}"
        return await self._request("DELETE", path, headers={"Accept": "*/*"}, options=options)


class SyncWebhookSubscriptions(SyncResource[Mode]):
    """Blocking twin of ``client.webhook_subscriptions``."""

    create = blocking(WebhookSubscriptions.create)
    list = blocking(WebhookSubscriptions.list)
    retrieve = blocking(WebhookSubscriptions.retrieve)
    update = blocking(WebhookSubscriptions.update)
    delete = blocking(WebhookSubscriptions.delete)

    @cached_property
    def with_raw_response(self) -> SyncWebhookSubscriptions[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncWebhookSubscriptions(self._runner, self._async.with_raw_response)
