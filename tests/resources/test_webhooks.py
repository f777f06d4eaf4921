"""Webhooks end to end: subscriptions and the event catalogue, ``webhooks.unwrap``, every event type, deliveries.

Deliveries are caused by requests through the client (a participant added: the chats area raises
``participant.added``; a subscription changed: this area raises ``webhook_subscription.*``) or
raised with ``fake.emit_event``, as Linq raises an inbound message.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
import typing
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import pytest
from aiohttp import web
from multidict import CIMultiDict

from linq_async import (
    AccountEvent,
    AsyncLinqClient,
    BadRequestError,
    ConflictError,
    LinqError,
    MessageEvent,
    MessageReceivedWebhookEvent,
    NotFoundError,
    ParticipantAddedWebhookEvent,
    PermissionDeniedError,
    ReactionEvent,
    RetryPolicy,
    SyncLinqClient,
    TextPart,
    UnknownEvent,
    ValidationError,
    WebhookEventListResponse,
    WebhookSubscription,
    WebhookSubscriptionCreateResponse,
    WebhookSubscriptionEventsUpdatedWebhookEvent,
    WebhookSubscriptionListResponse,
    webhooks,
)
from linq_async.models.events import EVENT_CLASSES, EVENT_TYPES, BaseWebhookEvent
from linq_async.testing import FakeLinqServer
from linq_async.testing._webhooks import EVENT_TYPES as FAKE_EVENT_TYPES
from linq_async.webhooks import WebhookPayloadError, WebhookVerificationError

from ..clients import Blocking
from ..helpers import ScriptedAPI, Sleeps
from ..prism import ViolationRecorder, free_port
from ..wire import WireCase, check_wire

LINE = "+14155550000"
OTHER_LINE = "+14155550001"
A, B, C = "+14155550401", "+14155550402", "+14155550403"
SUB = "b2c3d4e5-f6a7-8901-bcde-f23456789012"
CHAT = "550e8400-e29b-41d4-a716-446655440000"
NOW = "2026-11-22T10:00:00Z"
SECRET = "whsec_" + base64.b64encode(b"a signing secret for these tests").decode()
FAST = (0.001, 0.001, 0.001)


def subscription_json(**extra: Any) -> dict[str, Any]:
    return {
        "id": SUB,
        "target_url": "https://example.com/webhook",
        "subscribed_events": ["message.sent"],
        "is_active": True,
        "phone_numbers": None,
        "routing_id_header": None,
        "routing_key_header": None,
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }


# Wire equality with linq-python ----------------------------------------------------------------

WIRE = [
    WireCase(
        "webhook_subscriptions.create",
        kwargs={
            "subscribed_events": ["message.sent", "message.received"],
            "target_url": "https://example.com/webhook",
            "phone_numbers": ["+15551234567"],
            "routing_id_header": "Linq-Chat-Id",
            "routing_key_header": "X-Route-Token",
        },
        answer=subscription_json(signing_secret=SECRET),
        status=201,
    ),
    WireCase(
        "webhook_subscriptions.create",
        kwargs={"subscribed_events": ["message.sent"], "target_url": "https://example.com/webhook"},
        answer=subscription_json(signing_secret=SECRET),
        status=201,
        label="minimal",
    ),
    WireCase(
        "webhook_subscriptions.create",
        kwargs={
            "subscribed_events": ("message.read",),
            "target_url": "https://example.com/webhook?version=2026-02-03",
            "phone_numbers": ("+15551234567", "+15551234568"),
        },
        answer=subscription_json(signing_secret=SECRET),
        status=201,
        label="tuples-and-version",
    ),
    WireCase("webhook_subscriptions.list", answer={"subscriptions": [subscription_json()]}),
    WireCase("webhook_subscriptions.retrieve", (SUB,), answer=subscription_json()),
    WireCase(
        "webhook_subscriptions.update",
        (SUB,),
        {
            "is_active": False,
            "phone_numbers": None,
            "routing_id_header": "",
            "routing_key_header": None,
            "subscribed_events": ["message.sent"],
            "target_url": "https://example.com/hook2",
        },
        answer=subscription_json(),
    ),
    WireCase(
        "webhook_subscriptions.update", (SUB,), {"phone_numbers": []}, answer=subscription_json(), label="no-filter"
    ),
    WireCase(
        "webhook_subscriptions.update",
        (SUB,),
        {"phone_numbers": ["+15551234567"], "routing_key_header": "X-Route-Token", "is_active": True},
        answer=subscription_json(),
        label="filter-and-routing",
    ),
    WireCase("webhook_subscriptions.update", (SUB,), answer=subscription_json(), label="nothing"),
    WireCase("webhook_subscriptions.delete", (SUB,), status=204),
    WireCase("webhook_events.list", answer={"doc_url": "https://docs.linqapp.com/x", "events": ["message.sent"]}),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_delete_accepts_anything_as_linq_python_does(recorder: ScriptedAPI) -> None:
    recorder.reply(204, {})
    with SyncLinqClient("sk_test_0123456789abcdef", base_url=recorder.base_url) as client:
        assert client.webhook_subscriptions.delete(SUB) is None
    assert recorder.seen[0].headers["Accept"] == "*/*"


# Subscriptions through the fake, on both clients ---------------------------------------------------


def test_create_shows_the_secret_once(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["message.received", "message.received", "participant.added"],
        target_url="https://example.com/linq",
    )
    assert isinstance(created, WebhookSubscriptionCreateResponse)
    assert created.signing_secret is not None and created.signing_secret.startswith("whsec_")
    assert len(base64.b64decode(created.signing_secret.removeprefix("whsec_"))) >= 24
    assert created.signing_secret not in repr(created)
    assert created.subscribed_events == ("message.received", "participant.added")
    assert created.is_active is True and created.phone_numbers == ()
    listed = any_client.webhook_subscriptions.list()
    assert isinstance(listed, WebhookSubscriptionListResponse)
    [only] = listed.subscriptions
    retrieved = any_client.webhook_subscriptions.retrieve(created.id)
    updated = any_client.webhook_subscriptions.update(created.id, is_active=False)
    for model in (only, retrieved, updated):
        assert type(model) is WebhookSubscription
        assert model.id == created.id and "signing_secret" not in model.extra
    assert updated.is_active is False
    raw = [
        any_client.webhook_subscriptions.with_raw_response.list(),
        any_client.webhook_subscriptions.with_raw_response.retrieve(created.id),
        any_client.webhook_subscriptions.with_raw_response.update(created.id, is_active=True),
    ]
    for answer in raw:
        assert "signing_secret" not in answer.text() and created.signing_secret not in answer.text()
    assert all("signing_secret" not in s for s in fake_server.webhook_subscriptions())


def test_update_changes_only_what_is_given(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["message.sent"], target_url="https://a.example"
    )
    changed = any_client.webhook_subscriptions.update(
        created.id,
        phone_numbers=[LINE],
        routing_key_header="X-Route-Token",
        subscribed_events=["message.sent", "message.read"],
        target_url="https://b.example/hook",
    )
    assert changed.phone_numbers == (LINE,)
    assert (changed.routing_key_header, changed.routing_id_header) == ("X-Route-Token", "Linq-Chat-Id")
    assert changed.subscribed_events == ("message.sent", "message.read")
    assert changed.target_url == "https://b.example/hook"
    same = any_client.webhook_subscriptions.update(created.id)
    assert (same.target_url, same.phone_numbers, same.is_active) == ("https://b.example/hook", (LINE,), True)
    cleared = any_client.webhook_subscriptions.update(created.id, phone_numbers=None, routing_key_header="")
    assert cleared.phone_numbers == () and cleared.routing_key_header is None and cleared.routing_id_header is None
    assert [e["event_type"] for e in fake_server.events] == [
        "webhook_subscription.created",
        "webhook_subscription.target_url_changed",
        "webhook_subscription.events.updated",
        "webhook_subscription.phone_numbers.updated",
        "webhook_subscription.routing_headers_set",
        "webhook_subscription.phone_numbers.updated",
        "webhook_subscription.routing_headers_cleared",
    ]
    changed_url = fake_server.events[1]["data"]
    assert changed_url["change"] == {"from": "https://a.example", "to": "https://b.example/hook"}
    assert changed_url["actor"] == {"type": "api"} and changed_url["origin"] == "api"


def test_delete_then_not_found(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["message.sent"], target_url="https://a.example"
    )
    assert any_client.webhook_subscriptions.delete(created.id) is None
    assert any_client.webhook_subscriptions.list().subscriptions == ()
    for call in (
        lambda: any_client.webhook_subscriptions.retrieve(created.id),
        lambda: any_client.webhook_subscriptions.update(created.id, is_active=True),
        lambda: any_client.webhook_subscriptions.delete(created.id),
        lambda: any_client.webhook_subscriptions.retrieve(uuid.UUID(int=5)),
    ):
        with pytest.raises(NotFoundError) as info:
            call()
        assert info.value.code == 2010
    assert fake_server.events[-1]["event_type"] == "webhook_subscription.deleted"
    assert fake_server.events[-1]["data"]["webhook_subscription"]["id"] == created.id


def test_the_event_catalogue(any_client: Any) -> None:
    listed = any_client.webhook_events.list()
    assert isinstance(listed, WebhookEventListResponse)
    assert listed.events == EVENT_TYPES
    assert listed.doc_url == "https://docs.linqapp.com/channel/imessage/guides/webhooks/events"


def test_the_event_lists_match_linq_python() -> None:
    linq = pytest.importorskip("linq")
    assert typing.get_args(linq.types.WebhookEventType) == EVENT_TYPES == FAKE_EVENT_TYPES
    assert len(EVENT_TYPES) == 75 and len(EVENT_CLASSES) == 68


def test_api_refusals(any_client: Any, fake_server: FakeLinqServer) -> None:
    any_client.webhook_subscriptions.create(subscribed_events=["message.sent"], target_url="https://a.example")
    with pytest.raises(ConflictError) as taken:
        any_client.webhook_subscriptions.create(subscribed_events=["message.read"], target_url="https://a.example")
    assert taken.value.code == 2015
    with pytest.raises(BadRequestError) as unknown:
        any_client.webhook_subscriptions.create(
            subscribed_events=["message.teleported"], target_url="https://b.example"
        )
    assert unknown.value.code == 1005
    with pytest.raises(PermissionDeniedError) as not_mine:
        any_client.webhook_subscriptions.create(
            subscribed_events=["message.sent"], target_url="https://c.example", phone_numbers=["+14155559999"]
        )
    assert not_mine.value.code == 2006
    other = any_client.webhook_subscriptions.create(subscribed_events=["message.sent"], target_url="https://d.example")
    with pytest.raises(ConflictError):
        any_client.webhook_subscriptions.update(other.id, target_url="https://a.example")
    assert any_client.webhook_subscriptions.update(other.id, target_url="https://d.example").target_url


@pytest.mark.parametrize(
    ("call", "match"),
    [
        ({"subscribed_events": [], "target_url": "https://a.example"}, "at least one"),
        ({"subscribed_events": "message.sent", "target_url": "https://a.example"}, "list of event types"),
        ({"subscribed_events": ["Message Sent"], "target_url": "https://a.example"}, "not an event type"),
        ({"subscribed_events": [5], "target_url": "https://a.example"}, "not an event type"),
        ({"subscribed_events": ["message.sent"], "target_url": "http://example.com/hook"}, "https://"),
        ({"subscribed_events": ["message.sent"], "target_url": "ftp://127.0.0.1/"}, "https://"),
        ({"subscribed_events": ["message.sent"], "target_url": "https://a.example", "phone_numbers": LINE}, "list"),
        (
            {"subscribed_events": ["message.sent"], "target_url": "https://a.example", "phone_numbers": ["a@b.co"]},
            "E.164",
        ),
        (
            {"subscribed_events": ["message.sent"], "target_url": "https://a.example", "routing_key_header": "X: y"},
            "header name",
        ),
    ],
)
def test_create_refuses_bad_input_before_sending(
    any_client: Any, fake_server: FakeLinqServer, call: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        any_client.webhook_subscriptions.create(**call)
    assert fake_server.requests == []


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("../chats",), {}, "subscription_id"),
        (("",), {}, "subscription_id"),
        ((SUB,), {"is_active": "no"}, "is_active"),
        ((SUB,), {"subscribed_events": []}, "at least one"),
        ((SUB,), {"routing_id_header": "two words"}, "header name"),
        ((SUB,), {"phone_numbers": ["415"]}, "E.164"),
        ((SUB,), {"target_url": "http://example.com"}, "https://"),
    ],
)
def test_update_refuses_bad_input_before_sending(
    any_client: Any, fake_server: FakeLinqServer, args: tuple[Any, ...], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        any_client.webhook_subscriptions.update(*args, **kwargs)
    for bad in ("a/b", "x?y", 7):
        with pytest.raises(ValidationError):
            any_client.webhook_subscriptions.retrieve(bad)
        with pytest.raises(ValidationError):
            any_client.webhook_subscriptions.delete(bad)
    assert fake_server.requests == []


# client.webhooks.unwrap --------------------------------------------------------------------------------


def envelope(event_type: str, data: Any, event_id: str = "evt_1") -> dict[str, Any]:
    return {
        "api_version": "v3",
        "webhook_version": "2026-02-03",
        "event_type": event_type,
        "event_id": event_id,
        "created_at": NOW,
        "trace_id": "b" * 32,
        "partner_id": "partner_1",
        "data": data,
    }


def signed(payload: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    msg_id = payload["event_id"]
    signature = webhooks.sign(body, msg_id=msg_id, timestamp=stamp, secret=secret)
    return body, {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": signature}


@pytest.fixture(params=["async", "sync"])
def keyed_client(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Either client, with ``webhook_secret`` set (no server: unwrap sends nothing)."""
    if request.param == "sync":
        with SyncLinqClient("sk_test_0123456789abcdef", webhook_secret=SECRET) as client:
            yield client
        return
    with asyncio.Runner() as runner:
        client = AsyncLinqClient("sk_test_0123456789abcdef", webhook_secret=SECRET)
        yield Blocking(client, runner)
        runner.run(client.close())


def test_unwrap_verifies_with_the_clients_secret(keyed_client: Any) -> None:
    body, headers = signed(envelope("message.received", {"id": "m1", "parts": [{"type": "text", "value": "hi"}]}))
    event = keyed_client.webhooks.unwrap(body, headers=headers)
    assert isinstance(event, MessageReceivedWebhookEvent) and isinstance(event, MessageEvent)
    assert event.data.parts == (TextPart(value="hi"),)
    # any mapping of headers, any case; a str body as well as bytes
    mixed = CIMultiDict({k.upper(): v for k, v in headers.items()})
    assert keyed_client.webhooks.unwrap(body.decode(), headers=mixed).event_id == "evt_1"
    assert keyed_client.webhooks.with_raw_response.unwrap(body, headers=headers).event_id == "evt_1"


def test_unwrap_key_overrides_and_refusals(keyed_client: Any) -> None:
    other = "whsec_" + base64.b64encode(b"another secret, for another hook").decode()
    body, headers = signed(envelope("participant.added", {"handle": A}), secret=other)
    with pytest.raises(WebhookVerificationError):
        keyed_client.webhooks.unwrap(body, headers=headers)
    assert isinstance(keyed_client.webhooks.unwrap(body, headers=headers, key=other), ParticipantAddedWebhookEvent)
    raw_key = b"raw key bytes"
    stamp = str(int(time.time()))
    signature = base64.b64encode(hmac.new(raw_key, f"evt_1.{stamp}.".encode() + body, hashlib.sha256).digest())
    raw_headers = {"webhook-id": "evt_1", "webhook-timestamp": stamp, "webhook-signature": "v1," + signature.decode()}
    assert keyed_client.webhooks.unwrap(body, headers=raw_headers, key=raw_key).event_type == "participant.added"
    old = {**headers, "webhook-timestamp": str(int(time.time()) - 600)}
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        keyed_client.webhooks.unwrap(body, headers=old, key=other)
    with pytest.raises(ValidationError, match="empty"):
        keyed_client.webhooks.unwrap(body, headers=headers, key="")  # an explicit empty key does not fall back
    body, headers = signed({"not": "an event", "event_id": "x"})
    with pytest.raises(WebhookPayloadError):
        keyed_client.webhooks.unwrap(body, headers=headers)


def test_unwrap_takes_header_pairs_and_refuses_non_headers_as_unverified(keyed_client: Any) -> None:
    body, headers = signed(envelope("message.sent", {"id": "m"}))
    # linq-python takes whatever dict() takes; ASGI hands over bytes pairs.
    assert keyed_client.webhooks.unwrap(body, headers=list(headers.items())).event_id == "evt_1"
    asgi = [(k.encode(), v.encode()) for k, v in headers.items()]
    assert keyed_client.webhooks.unwrap(body, headers=asgi).event_id == "evt_1"
    for bad in (None, 5, "webhook-id: evt_1", [("webhook-id",)]):
        with pytest.raises(WebhookVerificationError):
            keyed_client.webhooks.unwrap(body, headers=bad)
    with pytest.raises(WebhookVerificationError, match="webhook-signature"):
        keyed_client.webhooks.unwrap(body, headers={k: v for k, v in headers.items() if k != "webhook-signature"})


def test_unwrap_without_any_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINQ_WEBHOOK_SECRET", raising=False)
    body, headers = signed(envelope("message.sent", {"id": "m"}))
    for client in (AsyncLinqClient("sk_test_0123456789abcdef"), SyncLinqClient("sk_test_0123456789abcdef")):
        with pytest.raises(ValidationError, match="webhook_secret") as info:
            client.webhooks.unwrap(body, headers=headers)
        assert isinstance(info.value, ValueError)  # as linq-python's
        assert isinstance(client, AsyncLinqClient) or client.close() is None
    monkeypatch.setenv("LINQ_WEBHOOK_SECRET", SECRET)
    with SyncLinqClient("sk_test_0123456789abcdef") as from_env:
        assert from_env.webhooks.unwrap(body, headers=headers).event_id == "evt_1"


def test_unwrap_is_a_plain_call_on_the_async_client() -> None:
    body, headers = signed(envelope("reaction.added", {"reaction_type": "love", "is_from_me": False}))
    event = AsyncLinqClient("sk_test_0123456789abcdef", webhook_secret=SECRET).webhooks.unwrap(body, headers=headers)
    assert isinstance(event, ReactionEvent)  # no coroutine to await
    assert webhooks.unwrap(body, headers, SECRET) == event  # the module functions still work


def test_unwrap_reads_repeated_signature_headers_and_refuses_bad_inputs_as_unverified(keyed_client: Any) -> None:
    body, headers = signed(envelope("message.sent", {"id": "m"}))
    good = headers["webhook-signature"]
    for repeated in ([good, "v1,AAAA"], ["v1,AAAA", good], f"{good}, v1,AAAA"):
        assert (
            keyed_client.webhooks.unwrap(body, headers={**headers, "webhook-signature": repeated}).event_id == "evt_1"
        )
    with pytest.raises(WebhookVerificationError, match="no webhook-signature entry"):
        keyed_client.webhooks.unwrap(body, headers={**headers, "webhook-signature": ["v1,AAAA", "v1,BBBB"]})

    class ItemsRaise(dict):  # type: ignore[type-arg]
        def items(self) -> Any:
            raise KeyError("webhook-id")

    for payload, bad_headers in ((None, headers), (json.loads(body), headers), (body, ItemsRaise(headers))):
        with pytest.raises(WebhookVerificationError):  # one except clause answers 400 to all of them
            keyed_client.webhooks.unwrap(payload, headers=bad_headers)
    old = {**headers, "webhook-timestamp": "1000"}
    old["webhook-signature"] = webhooks.sign(body, msg_id="evt_1", timestamp=1000, secret=SECRET)
    for tolerance in (float("nan"), float("inf"), -1):
        with pytest.raises(ValidationError, match="tolerance"):  # NaN would let a 1970 delivery through
            keyed_client.webhooks.unwrap(body, headers=old, tolerance=tolerance)
    assert keyed_client.webhooks.unwrap(body, headers=headers, tolerance=60).event_id == "evt_1"


def test_a_delivery_to_an_http_server_receiver_verifies_with_its_own_headers(
    any_client: Any, fake_server: FakeLinqServer
) -> None:
    # http.server hands self.headers over as an http.client.HTTPMessage: names when iterated, not pairs.
    import http.client
    import http.server

    received: list[tuple[bytes, http.client.HTTPMessage]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.rfile.read(int(self.headers["Content-Length"])), self.headers))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        created = any_client.webhook_subscriptions.create(
            subscribed_events=["webhook_subscription.events.updated"],
            target_url=f"http://127.0.0.1:{server.server_address[1]}/hook",
        )
        any_client.webhook_subscriptions.update(
            created.id, subscribed_events=["webhook_subscription.events.updated", "participant.added"]
        )
        [delivery] = fake_server.wait_for_deliveries()
        assert delivery.ok
    finally:
        server.shutdown()
        server.server_close()
    [(body, headers)] = received
    assert isinstance(headers, http.client.HTTPMessage)
    event = any_client.webhooks.unwrap(body, headers=headers, key=created.signing_secret)
    assert isinstance(event, WebhookSubscriptionEventsUpdatedWebhookEvent)
    assert event.event_id == headers["webhook-id"]
    with pytest.raises(WebhookVerificationError):
        any_client.webhooks.unwrap(body + b" ", headers=headers, key=created.signing_secret)


# Every event type -------------------------------------------------------------------------------------

ME = {"id": "h0", "handle": LINE, "service": "iMessage", "joined_at": NOW, "is_me": True, "status": "active"}
HANDLE = {"id": "h1", "handle": A, "service": "iMessage", "joined_at": NOW, "is_me": False, "line_type": "iMessage"}
HEALTH = {"doc_url": "https://docs.linqapp.com/guides/chats/chat-health/", "status": "HEALTHY", "updated_at": NOW}
POLL_CHAT = {"id": CHAT, "is_group": True, "owner_handle": ME}
OPTION = {
    "can_be_edited": False,
    "creator_handle": HANDLE,
    "option_id": "o1",
    "text": "Pizza",
    "voters": [{"handle": A, "voted_at": NOW}],
}
POLL = {"options": [OPTION], "total_voters": 1}
ACCOUNT = {
    "actor": {"type": "team_member", "id": "tm_1", "email": "ada@example.com", "name": "Ada"},
    "occurred_at": NOW,
    "origin": "dashboard",
    "summary": "Changed",
    "change": {"from": "old", "to": "new"},
    "api_token": {"id": "tok_1", "token_prefix": "sk_live_ab", "expires_at": NOW, "name": "CI"},
    "contact_card": {"id": "cc_1", "first_name": "Ada", "last_name": "Lovelace", "image_url": "https://cdn/x.jpg"},
    "environment": {"name": "Production", "type": "environment"},
    "team_member": {"id": "tm_2", "name": "Grace", "role": "admin"},
    "webhook_subscription": {"id": SUB, "events": ["message.sent"], "target_url": "https://example.com/hook"},
    "phone_number": LINE,
    "method": "sso",
    "lines_moved_to_production": 2,
    "tokens_revoked": 1,
}
PAYMENT = {
    "id": "pr_1",
    "object": "payment_request",
    "status": "succeeded",
    "amount": 2500,
    "currency": "usd",
    "checkout_url": "https://pay.linqapp.com/pr_1",
    "description": "A lesson",
    "mode": "subscription",
    "rail": "stripe",
    "interval": "month",
    "interval_count": 1,
    "price_id": "price_1",
    "quantity": 2,
    "discount": {"coupon": "SPRING", "label": "10% off", "promotion_code": "promo_1"},
    "metadata": {"order": "42"},
    "natural": {"payment_request_id": "npr_1", "transaction_id": "tx_1"},
    "stripe": {"customer_id": "cus_1", "payment_intent_id": "pi_1", "subscription_id": "sub_1"},
    "trial_end": NOW,
    "created_at": NOW,
    "updated_at": NOW,
}
POLL_STATE = {"chat": POLL_CHAT, "direction": "outbound", "message_id": "m2", "service": "iMessage"}
SHAPES: dict[str, dict[str, Any]] = {
    "message": {
        "id": "m1",
        "chat": {"id": CHAT, "health_status": HEALTH, "is_group": False, "owner_handle": ME},
        "direction": "inbound",
        "parts": [
            {"type": "text", "value": "hi"},
            {
                "type": "media",
                "id": "a1",
                "filename": "a.png",
                "mime_type": "image/png",
                "size_bytes": 9,
                "url": "https://c/a",
            },
            {"type": "app_clip", "value": "https://appclip.apple.com/x", "title": "Pay"},
        ],
        "sender_handle": HANDLE,
        "service": "iMessage",
        "preferred_service": "auto",
        "idempotency_key": "k1",
        "effect": {"name": "confetti", "type": "screen"},
        "reply_to": {"message_id": "m0", "part_index": 0},
        "sent_at": NOW,
        "delivered_at": NOW,
        "read_at": NOW,
        "reconciled_at": NOW,
        "zero_retention": False,
    },
    "message.failed": {
        "code": 4001,
        "failed_at": NOW,
        "chat_id": CHAT,
        "message_id": "m1",
        "detail_code": 17,
        "preferred_service": "auto",
        "reason": "Delivery failed",
        "service": "SMS",
    },
    "message.edited": {
        "id": "m1",
        "chat": {"id": CHAT, "health_status": HEALTH, "is_group": True, "owner_handle": ME},
        "direction": "outbound",
        "edited_at": NOW,
        "part": {"index": 0, "text": "fixed"},
        "sender_handle": ME,
        "zero_retention": False,
    },
    "reaction": {
        "is_from_me": False,
        "reaction_type": "sticker",
        "chat_id": CHAT,
        "message_id": "m1",
        "part_index": 0,
        "custom_emoji": "🎉",
        "from": A,
        "from_handle": HANDLE,
        "reacted_at": NOW,
        "reaction_id": "r1",
        "service": "iMessage",
        "sticker": {"file_name": "s.png", "height": 90, "mime_type": "image/png", "url": "https://c/s", "width": 90},
    },
    "poll.received": {
        **POLL_STATE,
        "direction": "inbound",
        "poll": POLL,
        "created_at": NOW,
        "updated_at": NOW,
        "received_at": NOW,
        "sender_handle": HANDLE,
        "zero_retention": False,
    },
    "poll.status": {
        **POLL_STATE,
        "poll": POLL,
        "created_at": NOW,
        "updated_at": NOW,
        "sent_at": NOW,
        "delivered_at": NOW,
        "read_at": NOW,
        "sender_handle": ME,
        "zero_retention": False,
    },
    "poll.updated": {**POLL_STATE, "added_options": [OPTION], "sender_handle": ME, "zero_retention": False},
    "poll.failed": {
        **POLL_STATE,
        "poll": POLL,
        "error": {"code": 4001, "message": "Could not send"},
        "failed_at": NOW,
        "sender_handle": ME,
        "zero_retention": False,
    },
    "poll.vote": {
        **POLL_STATE,
        "direction": "inbound",
        "option_id": "o1",
        "sender_handle": HANDLE,
        "zero_retention": False,
    },
    "participant.added": {"handle": A, "chat_id": CHAT, "participant": HANDLE, "added_at": NOW},
    "participant.removed": {"handle": A, "chat_id": CHAT, "participant": HANDLE, "removed_at": NOW},
    "chat.created": {
        "id": CHAT,
        "created_at": NOW,
        "updated_at": NOW,
        "display_name": "Team",
        "handles": [ME, HANDLE],
        "health_status": HEALTH,
        "is_group": False,
        "service": "iMessage",
    },
    "chat.updated": {
        "chat_id": CHAT,
        "updated_at": NOW,
        "changed_by_handle": HANDLE,
        "new_value": "New",
        "old_value": "Old",
    },
    "chat.failed": {"chat_id": CHAT, "error_code": 4001, "failed_at": NOW},
    "typing": {"chat_id": CHAT, "actor_handle": HANDLE},
    "chat.background_updated": {
        "chat": POLL_CHAT,
        "actor_handle": HANDLE,
        "background": {"type": "color", "shades": ["#112233", "#445566"], "variant": "custom"},
    },
    "contact_card.received": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "owner_handle": LINE,
        "sender_handle": A,
        "media_url": "https://cdn.linqapp.com/c.jpg",
    },
    "phone_number.status_updated": {
        "changed_at": NOW,
        "phone_number": LINE,
        "new_reputation": "AT_RISK",
        "previous_reputation": "HEALTHY",
        "new_status": "ACTIVE",
        "previous_status": "ACTIVE",
    },
    "phone_number.change": {"changed_at": NOW, "phone_number": LINE},
    "payment": PAYMENT,
    "location.sharing.started": {"shared_by": A, "shared_with": LINE, "chat_id": CHAT, "began_at": NOW, "ends_at": NOW},
    "location.sharing.stopped": {
        "shared_by": A,
        "shared_with": LINE,
        "chat_id": CHAT,
        "began_at": NOW,
        "ended_at": NOW,
    },
    "account": ACCOUNT,
    "call": {"call_id": "call_1", "from": A, "to": LINE},
}


SHARED_SHAPES = {
    "poll.reaction.added": "reaction",
    "poll.sent": "poll.status",
    "poll.delivered": "poll.status",
    "poll.read": "poll.status",
    "poll.vote.added": "poll.vote",
    "poll.vote.removed": "poll.vote",
    "chat.group_name_updated": "chat.updated",
    "chat.group_icon_updated": "chat.updated",
    "chat.group_name_update_failed": "chat.failed",
    "chat.group_icon_update_failed": "chat.failed",
    "chat.background_update_failed": "chat.failed",
    "chat.typing_indicator.started": "typing",
    "chat.typing_indicator.stopped": "typing",
    "phone_number.assigned": "phone_number.change",
    "phone_number.released": "phone_number.change",
}
FAMILIES = {"message": "message", "reaction": "reaction", "call": "call", "payment": "payment", "connection": "payment"}


def shape_of(event_type: str) -> str:
    """Which sample of SHAPES an event type carries (linq-python's grouping of its data types)."""
    if event_type in SHAPES:
        return event_type
    if event_type in SHARED_SHAPES:
        return SHARED_SHAPES[event_type]
    return FAMILIES.get(event_type.partition(".")[0], "account")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_parses_into_its_class(event_type: str) -> None:
    payload = envelope(event_type, SHAPES[shape_of(event_type)])
    event = webhooks.parse(json.dumps(payload))
    expected = EVENT_CLASSES.get(event_type, UnknownEvent)
    assert type(event) is expected
    assert event.event_type == event_type and event.trace_id == "b" * 32
    assert event.created_at == dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC)
    if expected is UnknownEvent:
        assert event_type.startswith("call.")
        assert event.data == payload["data"]
    else:
        assert event.data.extra == {}, "a field of the sample is not modelled"
    # round trip: to_dict gives the wire names back, and parses into the same event
    again = event.to_dict()
    assert set(again) == set(payload)
    assert set(again["data"]) == set(payload["data"])
    assert webhooks.parse(again) == event


@pytest.mark.parametrize("event_type", sorted(EVENT_CLASSES))
def test_each_class_is_linq_pythons_with_every_field(event_type: str) -> None:
    """Same class name as linq-python for the same event type; its data and envelope fields all modelled."""
    linq = pytest.importorskip("linq")
    module = __import__(f"linq.types.{event_type.replace('.', '_')}_webhook_event", fromlist=["x"])
    [official] = [
        value
        for name, value in vars(module).items()
        if name.endswith("WebhookEvent") and getattr(value, "__module__", "") == module.__name__
    ]
    ours = EVENT_CLASSES[event_type]
    assert ours.__name__ == official.__name__
    assert getattr(linq.types, ours.__name__) is official

    def wire_names(cls: type[Any]) -> set[str]:
        return {f.name.removesuffix("_") for f in attrs.fields(cls) if f.name not in ("extra", "_invalid")}

    def official_names(model: Any) -> set[str]:
        return {field.alias or name for name, field in model.model_fields.items()}

    assert official_names(official) == wire_names(ours)
    data_type = typing.get_type_hints(ours)["data"]
    assert official_names(official.model_fields["data"].annotation) <= wire_names(data_type)
    # the sample is a valid payload for linq-python's model too
    official.model_validate(envelope(event_type, SHAPES[shape_of(event_type)]))


@pytest.mark.parametrize("event_type", ["call.ringing", "brand.new.event", "message.sent.v9", "message"])
def test_unknown_names_give_unknown_event(event_type: str) -> None:
    event = webhooks.parse(envelope(event_type, SHAPES["message"]))
    assert type(event) is UnknownEvent and isinstance(event, BaseWebhookEvent)
    assert event.data == SHAPES["message"]


def test_the_class_follows_the_event_type_not_the_shape() -> None:
    # message.failed data sent as message.read: linq-python would pick the class by the data.
    event = webhooks.parse(envelope("message.read", SHAPES["message.failed"]))
    assert type(event).__name__ == "MessageReadWebhookEvent"
    assert event.data.extra.keys() >= {"code", "failed_at"}
    account = webhooks.parse(envelope("team_member.signed_in", SHAPES["account"]))
    assert isinstance(account, AccountEvent) and type(account).__name__ == "TeamMemberSignedInWebhookEvent"
    assert account.data.change is not None and account.data.change.from_ == "old"
    reaction = webhooks.parse(envelope("poll.reaction.added", SHAPES["reaction"]))
    assert isinstance(reaction, ReactionEvent) and reaction.data.from_ == A
    assert reaction.to_dict()["data"]["from"] == A


def test_events_are_exported_where_they_were() -> None:
    for name in ("MessageEvent", "ParticipantEvent", "ChatCreatedEvent", "UnknownEvent", "WebhookEvent", "EventChat"):
        assert getattr(webhooks, name) is getattr(__import__("linq_async.models.events", fromlist=["x"]), name)
    assert set(webhooks.__all__) >= {"parse", "verify", "sign", "unwrap", "WebhookVerificationError"}


# Deliveries ---------------------------------------------------------------------------------------------


def hook(receiver: ScriptedAPI, path: str = "/hook") -> str:
    assert receiver.server is not None
    return str(receiver.server.make_url(path))


def posts(receiver: ScriptedAPI) -> list[Any]:
    return [s for s in receiver.seen if s.method == "POST"]


def test_a_change_through_the_client_is_delivered_signed(
    any_client: Any, fake_server: FakeLinqServer, threaded_api: ScriptedAPI
) -> None:
    target = hook(threaded_api)
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["webhook_subscription.events.updated"], target_url=target
    )
    raw = any_client.webhook_subscriptions.with_raw_response.update(
        created.id, subscribed_events=["webhook_subscription.events.updated", "participant.added"]
    )
    trace = raw.headers["X-Trace-ID"]
    [delivery] = fake_server.wait_for_deliveries()
    assert delivery.ok and delivery.attempt == 1 and delivery.subscription_id == created.id
    [seen] = posts(threaded_api)
    assert seen.path == "/hook"
    event = any_client.webhooks.unwrap(seen.body, headers=seen.headers, key=created.signing_secret)
    assert isinstance(event, WebhookSubscriptionEventsUpdatedWebhookEvent)
    assert event.trace_id == trace, "the event carries the trace id of the request that caused it"
    assert event.partner_id == fake_server.partner_id
    assert event.data.change is not None and event.data.change.to == [
        "webhook_subscription.events.updated",
        "participant.added",
    ]
    assert event.data.webhook_subscription is not None and event.data.webhook_subscription.id == created.id
    assert (delivery.event_id, delivery.event_type) == (event.event_id, event.event_type)
    headers = seen.headers
    assert headers["webhook-id"] == event.event_id
    assert headers["X-Webhook-Event"] == "webhook_subscription.events.updated"
    assert headers["X-Webhook-Subscription-ID"] == created.id
    assert headers["X-Webhook-Timestamp"] == headers["webhook-timestamp"]
    legacy = hmac.new(
        created.signing_secret.encode(), f"{headers['X-Webhook-Timestamp']}.".encode() + seen.body, hashlib.sha256
    )
    assert headers["X-Webhook-Signature"] == legacy.hexdigest()
    assert headers["Content-Type"] == "application/json"
    assert json.loads(seen.body) == fake_server.events[-1]


def test_a_participant_added_through_the_client_is_delivered(
    any_client: Any, fake_server: FakeLinqServer, threaded_api: ScriptedAPI
) -> None:
    group = fake_server.create_chat([A, B])
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["participant.added", "participant.removed"], target_url=hook(threaded_api)
    )
    added = any_client.chats.participants.with_raw_response.add(group, handle=C)
    removed = any_client.chats.participants.with_raw_response.remove(group, handle=C)
    deliveries = fake_server.wait_for_deliveries()
    assert [(d.event_type, d.status) for d in deliveries] == [("participant.added", 202), ("participant.removed", 202)]
    events = [
        any_client.webhooks.unwrap(seen.body, headers=seen.headers, key=created.signing_secret)
        for seen in posts(threaded_api)
    ]
    assert [type(e).__name__ for e in events] == ["ParticipantAddedWebhookEvent", "ParticipantRemovedWebhookEvent"]
    assert [e.trace_id for e in events] == [added.headers["X-Trace-ID"], removed.headers["X-Trace-ID"]]
    assert events[0].data.chat_id == group and events[0].data.participant is not None
    assert events[0].data.participant.handle == C


def test_receivers_elsewhere_are_never_contacted(fake_server: FakeLinqServer) -> None:
    subscription = fake_server.add_webhook_subscription("https://example.com/hook", ["message.received"])
    fake_server.emit_event("message.received", SHAPES["message"])
    [delivery] = fake_server.wait_for_deliveries()
    assert (delivery.attempt, delivery.status, delivery.subscription_id) == (1, None, subscription["id"])
    assert delivery.error is not None and "loopback" in delivery.error


def test_an_emitted_event_reaches_matching_subscriptions_only(threaded_api: ScriptedAPI) -> None:
    with FakeLinqServer(lines=[LINE, OTHER_LINE]) as fake:
        chat = fake.create_chat([A, B], line=LINE)
        wanted = fake.add_webhook_subscription(hook(threaded_api, "/all"), ["participant.added"])
        on_line = fake.add_webhook_subscription(
            hook(threaded_api, "/line"), ["participant.added", "message.received"], phone_numbers=[LINE]
        )
        fake.add_webhook_subscription(
            hook(threaded_api, "/other-line"), ["participant.added", "team_member.added"], phone_numbers=[OTHER_LINE]
        )
        fake.add_webhook_subscription(hook(threaded_api, "/messages"), ["message.received"])
        with SyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
            off = client.webhook_subscriptions.create(
                subscribed_events=["participant.added"], target_url=hook(threaded_api, "/off")
            )
            client.webhook_subscriptions.update(off.id, is_active=False)
        fake.emit_event("participant.added", {"handle": C, "chat_id": chat, "added_at": NOW})
        fake.emit_event(
            "team_member.added", {"actor": {"type": "system"}, "summary": "x", "origin": "linq", "occurred_at": NOW}
        )
        deliveries = fake.wait_for_deliveries()
        assert "signing_secret" in wanted and wanted["signing_secret"].startswith("whsec_")
    by_path = sorted((s.path, json.loads(s.body)["event_type"]) for s in posts(threaded_api))
    assert by_path == [
        ("/all", "participant.added"),
        ("/line", "participant.added"),
        ("/other-line", "team_member.added"),  # an account event concerns no line: the filter lets it through
    ]
    assert all(d.ok for d in deliveries)
    line_post = next(s for s in posts(threaded_api) if s.path == "/line")
    event = webhooks.unwrap(line_post.body, line_post.headers, on_line["signing_secret"])
    assert isinstance(event, ParticipantAddedWebhookEvent) and event.data.chat_id == chat


@pytest.mark.parametrize(
    ("script", "statuses"),
    [
        (["500", "429", "drop"], [500, 429, None, 202]),
        (["503", "503", "503", "503"], [503, 503, 503, 503]),  # out of retries after 3 redeliveries
        (["400"], [400]),  # refused: never redelivered
        (["410", "500"], [410]),
        (["301"], [301]),
    ],
    ids=["500-429-reset-then-ok", "out-of-retries", "4xx", "410", "redirect"],
)
def test_redelivery_with_backoff(
    fake_server: FakeLinqServer, threaded_api: ScriptedAPI, script: list[str], statuses: list[int | None]
) -> None:
    fake_server.webhook_retry_delays = (0.02, 0.02, 0.02)
    for step in script:
        if step == "drop":
            threaded_api.drop()
        else:
            threaded_api.reply(int(step), {"error": step}, headers={"Location": "https://elsewhere.example"})
    subscription = fake_server.add_webhook_subscription(hook(threaded_api), ["message.received"])
    event = fake_server.emit_event("message.received", SHAPES["message"])
    deliveries = fake_server.wait_for_deliveries()
    assert [d.status for d in deliveries] == statuses
    assert [d.attempt for d in deliveries] == list(range(1, len(statuses) + 1))
    assert {(d.event_id, d.subscription_id, d.target_url) for d in deliveries} == {
        (event["event_id"], subscription["id"], hook(threaded_api))
    }
    assert all((d.error is None) == (d.status is not None) for d in deliveries)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(deliveries)]
    assert all(gap >= 0.015 for gap in gaps), gaps
    # every attempt is the same event, signed afresh
    bodies = {s.body for s in posts(threaded_api)}
    assert len(bodies) == 1
    for seen in posts(threaded_api):
        webhooks.verify(seen.body, seen.headers, subscription["signing_secret"])


def test_an_unreachable_receiver_is_retried_and_recorded(fake_server: FakeLinqServer) -> None:
    fake_server.webhook_retry_delays = FAST
    target = f"http://127.0.0.1:{free_port()}/nobody-listens"
    fake_server.add_webhook_subscription(target, ["message.received"])
    fake_server.emit_event("message.received", SHAPES["message"])
    deliveries = fake_server.wait_for_deliveries()
    assert [(d.attempt, d.status) for d in deliveries] == [(1, None), (2, None), (3, None), (4, None)]
    assert all(d.error and "Connect" in d.error for d in deliveries)


def test_no_redelivery_when_the_delays_are_empty(fake_server: FakeLinqServer, threaded_api: ScriptedAPI) -> None:
    fake_server.webhook_retry_delays = ()
    threaded_api.reply(500, {})
    fake_server.add_webhook_subscription(hook(threaded_api), ["message.received"])
    fake_server.emit_event("message.received", SHAPES["message"])
    assert [d.status for d in fake_server.wait_for_deliveries()] == [500]
    for bad in ([-1], [float("nan")], ["1"], [True]):
        with pytest.raises(ValidationError):
            fake_server.webhook_retry_delays = bad
    with pytest.raises(ValidationError):
        fake_server.webhook_timeout = 0


def test_a_slow_receiver_times_out_and_is_retried(fake_server: FakeLinqServer, threaded_api: ScriptedAPI) -> None:
    fake_server.webhook_retry_delays = (0.001,)
    fake_server.webhook_timeout = 0.05
    threaded_api.reply(200, {}, delay=1)
    fake_server.add_webhook_subscription(hook(threaded_api), ["message.received"])
    fake_server.emit_event("message.received", SHAPES["message"])
    deliveries = fake_server.wait_for_deliveries()
    assert [d.status for d in deliveries] == [None, 202]
    assert deliveries[0].error is not None and "Timeout" in deliveries[0].error


def test_delivery_affinity_sends_the_chat_id_and_the_learned_token(
    any_client: Any, fake_server: FakeLinqServer, threaded_api: ScriptedAPI
) -> None:
    chat = fake_server.create_chat([A, B])
    created = any_client.webhook_subscriptions.create(
        subscribed_events=["participant.added", "participant.removed"],
        target_url=hook(threaded_api),
        routing_key_header="X-Route-Token",
    )
    threaded_api.reply(200, {}, headers={"X-Route-Token": "node-7"})
    fake_server.emit_event("participant.added", {"handle": C, "chat_id": chat})
    fake_server.wait_for_deliveries()
    fake_server.emit_event("participant.removed", {"handle": C, "chat_id": chat})
    fake_server.wait_for_deliveries()
    first, second = posts(threaded_api)
    assert first.headers["Linq-Chat-Id"] == chat and "X-Route-Token" not in first.headers
    assert second.headers["Linq-Chat-Id"] == chat and second.headers["X-Route-Token"] == "node-7"
    any_client.webhook_subscriptions.update(created.id, routing_key_header=None)
    fake_server.emit_event("participant.added", {"handle": C, "chat_id": chat})
    fake_server.wait_for_deliveries()
    third = posts(threaded_api)[2]
    assert "Linq-Chat-Id" not in third.headers and "X-Route-Token" not in third.headers


def test_deliveries_never_hold_up_the_request(
    any_client: Any, fake_server: FakeLinqServer, threaded_api: ScriptedAPI
) -> None:
    gate = threading.Event()
    threaded_api.on_request = lambda seen: gate.wait(10)  # the receiver answers once the test says so
    try:
        any_client.webhook_subscriptions.create(
            subscribed_events=["webhook_subscription.created"], target_url=hook(threaded_api)
        )  # answered while its event's delivery is stuck at the receiver
        assert fake_server.deliveries == []
        with pytest.raises(TimeoutError, match="still running"):
            fake_server.wait_for_deliveries(timeout=0.05)
    finally:
        gate.set()
    assert [d.status for d in fake_server.wait_for_deliveries()] == [202]


def test_stopping_cancels_deliveries_in_flight(threaded_api: ScriptedAPI) -> None:
    gate = threading.Event()
    reached = threading.Event()

    def hold(seen: Any) -> None:
        reached.set()
        gate.wait(10)

    threaded_api.on_request = hold
    try:
        with FakeLinqServer() as fake:
            fake.add_webhook_subscription(hook(threaded_api), ["message.received"])
            fake.emit_event("message.received", SHAPES["message"])
            assert reached.wait(5)
        # Had stop waited for the receiver, the attempt would have ended (timed out) and been recorded.
        assert fake.deliveries == []
        assert fake._delivery_tasks == set()
        assert fake.wait_for_deliveries(timeout=0.1) == []
    finally:
        gate.set()


def test_emit_event_checks_its_arguments(fake_server: FakeLinqServer) -> None:
    with pytest.raises(ValidationError):
        fake_server.emit_event("", {})
    with pytest.raises(ValidationError):
        fake_server.emit_event("message.received", [])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="refuse"):
        fake_server.add_webhook_subscription("http://example.com/hook", ["message.received"])
    with pytest.raises(ValidationError, match="refuse"):
        fake_server.add_webhook_subscription("https://example.com/hook", ["message.teleported"])
    event = fake_server.emit_event("message.received", {"id": "m1"})
    assert fake_server.events == [event] and fake_server.deliveries == []


# On one loop: the fake, the receiver and the async client ------------------------------------------------


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[bytes, dict[str, str]]]]]:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/linq", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/linq", received
    await runner.cleanup()


async def test_one_loop_end_to_end(receiver: tuple[str, list[tuple[bytes, dict[str, str]]]], sleeps: Sleeps) -> None:
    url, received = receiver
    async with (
        FakeLinqServer(lines=[LINE]) as fake,
        AsyncLinqClient(fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps)) as client,
    ):
        created = await client.webhook_subscriptions.create(
            subscribed_events=["message.received", "webhook_subscription.created"], target_url=url
        )
        fake.emit_event("message.received", SHAPES["message"])
        with pytest.raises(LinqError, match="wait_for_deliveries_async"):
            fake.wait_for_deliveries()
        deliveries = await fake.wait_for_deliveries_async()
        assert sorted(d.event_type for d in deliveries) == ["message.received", "webhook_subscription.created"]
        types = set()
        for body, headers in received:
            event = client.webhooks.unwrap(body, headers=headers, key=created.signing_secret)
            types.add(event.event_type)
            if isinstance(event, MessageReceivedWebhookEvent):
                assert event.data.sender_handle is not None and event.data.sender_handle.handle == A
        assert types == {"message.received", "webhook_subscription.created"}
        fake.emit_event("message.received", SHAPES["message"])
        with pytest.raises(TimeoutError):
            await fake.wait_for_deliveries_async(timeout=0.000001)
        await fake.wait_for_deliveries_async()


# Conformance with the February 2026 spec --------------------------------------------------------------


@pytest.mark.prism
async def test_subscription_calls_conform(prism_client: Any, violations: ViolationRecorder) -> None:
    client = prism_client()
    created = await client.webhook_subscriptions.create(
        subscribed_events=["message.sent", "message.delivered"], target_url="https://webhooks.example.com/linq/events"
    )
    assert created.signing_secret
    listed = await client.webhook_subscriptions.list()
    assert listed.subscriptions
    assert (await client.webhook_subscriptions.retrieve(SUB)).id
    assert (await client.webhook_subscriptions.update(SUB, is_active=False, subscribed_events=["message.read"])).id
    assert await client.webhook_subscriptions.delete(SUB) is None
    assert (await client.webhook_events.list()).events
    assert [s for _, _, s in violations.exchanges] == [201, 200, 200, 200, 204, 200]
    assert violations.violations == []
