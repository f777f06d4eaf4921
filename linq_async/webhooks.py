"""Webhooks: verify Standard Webhooks signatures and parse Linq events into typed classes.

``verify(payload, headers, secret)`` checks a delivery: the HMAC-SHA256 of
``"{webhook-id}.{webhook-timestamp}.{raw body}"`` keyed with the signing secret (``whsec_`` plus
base64), against every ``v1,`` entry of ``webhook-signature``, compared in constant time, with
the timestamp no more than 5 minutes away in either direction. Pass the raw body bytes, never
re-serialised JSON. ``parse(payload)`` turns the body into an event class chosen by
``event_type``; types this SDK does not model become ``UnknownEvent``, so a new event type never
raises. ``unwrap`` does both. Use ``event.event_id`` (the ``webhook-id``) to drop redeliveries.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from ._convert import Model, register_tagged_union, structure
from ._errors import Headers, LinqError, ValidationError
from .models.chats import Chat
from .models.common import ChatHandle, HealthStatus, MessageEffect, ReplyTo
from .models.messages import Part

__all__ = [
    "DEFAULT_TOLERANCE",
    "ChatCreatedEvent",
    "ChatUpdateFailedEvent",
    "ChatUpdatedEvent",
    "MessageEvent",
    "MessageFailedEvent",
    "ParticipantEvent",
    "UnknownEvent",
    "WebhookError",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "parse",
    "sign",
    "unwrap",
    "verify",
]

DEFAULT_TOLERANCE = 300.0
_MAX_SIGNATURE_HEADER = 8192


class WebhookError(LinqError, ValueError):
    """A webhook delivery could not be accepted."""


class WebhookVerificationError(WebhookError):
    """The delivery's signature or timestamp does not check out: reject it (e.g. with 400)."""


class WebhookPayloadError(WebhookError):
    """The body is not JSON, or a known event type arrived in a shape this SDK cannot read."""


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        if not secret:
            raise ValidationError("the webhook secret is empty")
        return secret
    if not isinstance(secret, str):
        raise ValidationError(f"the webhook secret must be str or bytes, got {type(secret).__name__}")
    text = secret.strip()
    text = text.removeprefix("whsec_")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("the webhook secret is not 'whsec_' followed by base64") from None
    if not key:
        raise ValidationError("the webhook secret is empty")
    return key


def _body(payload: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise ValidationError(f"the payload must be the raw body (bytes), got {type(payload).__name__}")


def sign(payload: bytes | str, *, msg_id: str, timestamp: int, secret: str | bytes) -> str:
    """Return the ``webhook-signature`` value Linq would send (``v1,<base64>``); for tests."""
    content = f"{msg_id}.{timestamp}.".encode() + _body(payload)
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a delivery's signature and timestamp; raise ``WebhookVerificationError`` if they fail.

    ``headers`` may be any mapping (case does not matter). ``now`` (Unix seconds) is for tests.
    Raises ``ValidationError`` for a malformed secret.
    """
    key = _key(secret)
    body = _body(payload)
    found = Headers(headers.items()) if not isinstance(headers, Headers) else headers
    msg_id = found.get("webhook-id", "")
    stamp = found.get("webhook-timestamp", "")
    signatures = found.get("webhook-signature", "")
    if not msg_id or not stamp or not signatures:
        missing = [n for n, v in (("id", msg_id), ("timestamp", stamp), ("signature", signatures)) if not v]
        raise WebhookVerificationError("missing header(s): " + ", ".join(f"webhook-{n}" for n in missing))
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds")
    age = (time.time() if now is None else now) - int(stamp)
    if age > tolerance:
        raise WebhookVerificationError(f"the delivery is {age:.0f}s old, over the {tolerance:g}s tolerance")
    if age < -tolerance:
        raise WebhookVerificationError(f"the delivery is {-age:.0f}s in the future, over the {tolerance:g}s tolerance")
    if len(signatures) > _MAX_SIGNATURE_HEADER:
        raise WebhookVerificationError("webhook-signature is too long")
    expected = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected_b64 = base64.b64encode(expected)
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version == "v1" and value.isascii() and hmac.compare_digest(value.encode("ascii"), expected_b64):
            return
    raise WebhookVerificationError("no webhook-signature entry matches this body and secret")


@attrs.frozen(kw_only=True)
class EventChat(Model):
    """The chat a message event belongs to."""

    id: str
    is_group: bool | None = None
    health_status: HealthStatus | None = None
    owner_handle: ChatHandle | None = None


@attrs.frozen(kw_only=True)
class MessageEventData(Model):
    """A message in a message event (``direction`` ``"inbound"`` or ``"outbound"``)."""

    id: str
    direction: str | None = None
    parts: tuple[Part, ...] = ()
    chat: EventChat | None = None
    sender_handle: ChatHandle | None = None
    service: str | None = None
    preferred_service: str | None = None
    idempotency_key: str | None = None
    effect: MessageEffect | None = None
    reply_to: ReplyTo | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    reconciled_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class MessageFailedData(Model):
    """Why a message failed (``code`` 3007, 4001, 4005, ...)."""

    code: int | None = None
    reason: str | None = None
    failed_at: dt.datetime | None = None
    chat_id: str | None = None
    message_id: str | None = None
    detail_code: int | None = None
    service: str | None = None
    preferred_service: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantEventData(Model):
    """Who joined or left a group chat."""

    handle: str
    chat_id: str | None = None
    participant: ChatHandle | None = None
    added_at: dt.datetime | None = None
    removed_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class ChatUpdateData(Model):
    """A group name or icon change."""

    chat_id: str
    updated_at: dt.datetime | None = None
    changed_by_handle: ChatHandle | None = None
    new_value: str | None = None
    old_value: str | None = None


@attrs.frozen(kw_only=True)
class ChatUpdateFailedData(Model):
    """A group name or icon change that failed."""

    chat_id: str
    error_code: int | None = None
    failed_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class _Envelope(Model):
    event_type: str
    event_id: str
    created_at: dt.datetime | None = None
    api_version: str | None = None
    webhook_version: str | None = None
    trace_id: str | None = None
    partner_id: str | None = None


@attrs.frozen(kw_only=True)
class MessageEvent(_Envelope):
    """``message.sent``, ``message.received``, ``message.delivered`` or ``message.read``."""

    data: MessageEventData


@attrs.frozen(kw_only=True)
class MessageFailedEvent(_Envelope):
    """``message.failed``."""

    data: MessageFailedData


@attrs.frozen(kw_only=True)
class ParticipantEvent(_Envelope):
    """``participant.added`` or ``participant.removed``: the outcome of a queued membership change."""

    data: ParticipantEventData


@attrs.frozen(kw_only=True)
class ChatCreatedEvent(_Envelope):
    """``chat.created``."""

    data: Chat


@attrs.frozen(kw_only=True)
class ChatUpdatedEvent(_Envelope):
    """``chat.group_name_updated`` or ``chat.group_icon_updated``."""

    data: ChatUpdateData


@attrs.frozen(kw_only=True)
class ChatUpdateFailedEvent(_Envelope):
    """``chat.group_name_update_failed`` or ``chat.group_icon_update_failed``."""

    data: ChatUpdateFailedData


@attrs.frozen(kw_only=True)
class UnknownEvent(_Envelope):
    """Any event type this SDK does not model; ``data`` is the raw JSON."""

    data: Any = None


WebhookEvent: TypeAlias = (
    MessageEvent
    | MessageFailedEvent
    | ParticipantEvent
    | ChatCreatedEvent
    | ChatUpdatedEvent
    | ChatUpdateFailedEvent
    | UnknownEvent
)

EVENT_CLASSES: dict[str, type[Model]] = {
    "message.sent": MessageEvent,
    "message.received": MessageEvent,
    "message.delivered": MessageEvent,
    "message.read": MessageEvent,
    "message.failed": MessageFailedEvent,
    "participant.added": ParticipantEvent,
    "participant.removed": ParticipantEvent,
    "chat.created": ChatCreatedEvent,
    "chat.group_name_updated": ChatUpdatedEvent,
    "chat.group_icon_updated": ChatUpdatedEvent,
    "chat.group_name_update_failed": ChatUpdateFailedEvent,
    "chat.group_icon_update_failed": ChatUpdateFailedEvent,
}
register_tagged_union(WebhookEvent, "event_type", EVENT_CLASSES, UnknownEvent)


def parse(payload: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse a webhook body into its event class; unknown event types become ``UnknownEvent``.

    Does not verify anything: call ``verify`` first, or use ``unwrap``. Raises
    ``WebhookPayloadError`` for a body that is not a JSON object with ``event_type`` and
    ``event_id``, or a known event whose data cannot be read.
    """
    if isinstance(payload, Mapping):
        data: object = payload
    else:
        try:
            data = json.loads(_body(payload))
        except (ValueError, RecursionError) as exc:
            raise WebhookPayloadError(f"the webhook body is not JSON: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("event_type"), str):
        raise WebhookPayloadError("the webhook body is not an event: no event_type")
    try:
        return structure(data, WebhookEvent)  # type: ignore[arg-type]
    except ValueError as exc:
        raise WebhookPayloadError(f"cannot read {data['event_type']} event: {exc}") from None


def unwrap(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Verify a delivery, then parse it (``verify`` followed by ``parse``)."""
    verify(payload, headers, secret, tolerance=tolerance, now=now)
    return parse(payload)
