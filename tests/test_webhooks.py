"""Webhook verification (Standard Webhooks) and typed event parsing."""

from __future__ import annotations

import base64
import email
import hmac
import http.client
import io
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from linq_async import Headers, LinqError, TextPart, ValidationError, webhooks
from linq_async.webhooks import (
    ChatCreatedEvent,
    ChatUpdatedEvent,
    ChatUpdateFailedEvent,
    MessageEvent,
    MessageFailedEvent,
    ParticipantEvent,
    UnknownEvent,
    WebhookPayloadError,
    WebhookVerificationError,
)

# The Standard Webhooks specification's published test vector.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

SECRET = "whsec_" + base64.b64encode(b"linq-async webhook test secret!!").decode()
NOW = 1795341600
NOW_ISO = "2026-11-22T10:00:00Z"


def envelope(event_type: str, data: Any, **extra: Any) -> dict[str, Any]:
    return {
        "api_version": "v3",
        "webhook_version": "2026-02-03",
        "event_type": event_type,
        "event_id": "evt_123",
        "created_at": NOW_ISO,
        "trace_id": "a" * 32,
        "partner_id": "partner_1",
        "data": data,
        **extra,
    }


def headers_for(body: bytes, *, msg_id: str = "evt_123", timestamp: int = NOW, secret: str = SECRET) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.sign(body, msg_id=msg_id, timestamp=timestamp, secret=secret),
    }


def test_the_spec_vector_verifies() -> None:
    assert webhooks.sign(SPEC_BODY, msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, secret=SPEC_SECRET) == SPEC_SIGNATURE
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": SPEC_SIGNATURE}
    webhooks.verify(SPEC_BODY, headers, SPEC_SECRET, now=SPEC_TIMESTAMP)
    webhooks.verify(SPEC_BODY.decode(), headers, SPEC_SECRET.removeprefix("whsec_"), now=SPEC_TIMESTAMP)


def test_headers_in_any_case_and_several_signatures() -> None:
    body = json.dumps(envelope("message.sent", {"id": "m1"})).encode()
    good = headers_for(body)
    mixed = {
        "Webhook-Id": good["webhook-id"],
        "WEBHOOK-TIMESTAMP": good["webhook-timestamp"],
        "Webhook-Signature": f"v1,bm9wZQ== v2,{good['webhook-signature'][3:]} {good['webhook-signature']}",
    }
    webhooks.verify(body, mixed, SECRET, now=NOW)


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (299, True), (-299, True), (301, False), (-301, False)])
def test_timestamp_tolerance_is_five_minutes_both_ways(offset: int, ok: bool) -> None:
    body = b"{}"
    headers = headers_for(body, timestamp=NOW)
    if ok:
        webhooks.verify(body, headers, SECRET, now=NOW + offset)
    else:
        with pytest.raises(WebhookVerificationError, match="tolerance"):
            webhooks.verify(body, headers, SECRET, now=NOW + offset)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"webhook-id": ""}, "webhook-id"),
        ({"webhook-timestamp": ""}, "webhook-timestamp"),
        ({"webhook-signature": ""}, "webhook-signature"),
        ({"webhook-timestamp": "1795341600.5"}, "Unix time"),
        ({"webhook-timestamp": "-1795341600"}, "Unix time"),
        ({"webhook-timestamp": "١٧٩٥٣٤١٦٠٠"}, "Unix time"),
        ({"webhook-id": "evt_other"}, "no webhook-signature entry"),
        ({"webhook-signature": "v1,"}, "no webhook-signature entry"),
        ({"webhook-signature": "v1,ç"}, "no webhook-signature entry"),
        ({"webhook-signature": "v2,AAAA"}, "no webhook-signature entry"),
        ({"webhook-signature": "v1," + "A" * 9000}, "too long"),
    ],
)
def test_bad_headers_are_refused(change: dict[str, str], reason: str) -> None:
    body = b'{"event_type": "message.sent"}'
    headers = {**headers_for(body), **change}
    with pytest.raises(WebhookVerificationError, match=reason) as info:
        webhooks.verify(body, headers, SECRET, now=NOW)
    assert isinstance(info.value, LinqError) and isinstance(info.value, ValueError)


def test_a_different_secret_is_refused() -> None:
    body = b"{}"
    other = "whsec_" + base64.b64encode(b"another secret of the right size").decode()
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(body, headers_for(body, secret=other), SECRET, now=NOW)


@pytest.mark.parametrize("secret", ["whsec_not base64!", "", "whsec_", 42])
def test_malformed_secrets_are_validation_errors(secret: Any) -> None:
    with pytest.raises(ValidationError):
        webhooks.verify(b"{}", headers_for(b"{}"), secret, now=NOW)


def test_raw_secret_bytes_are_accepted() -> None:
    key = b"raw key bytes"
    signature = "v1," + base64.b64encode(hmac.new(key, b"id.1.{}", "sha256").digest()).decode()
    webhooks.verify(b"{}", {"webhook-id": "id", "webhook-timestamp": "1", "webhook-signature": signature}, key, now=1)


def test_a_body_that_is_not_utf8_verifies_by_its_bytes() -> None:
    body = b"\xff\xfe not utf-8 \x80"
    webhooks.verify(body, headers_for(body), SECRET, now=NOW)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(webhooks.hmac, "compare_digest", spy)
    body = b"{}"
    webhooks.verify(body, headers_for(body), SECRET, now=NOW)
    assert calls and all(isinstance(a, bytes) for a, _ in calls)


@settings(max_examples=300)
@given(st.data())
def test_any_single_byte_change_is_refused(data: st.DataObject) -> None:
    body = json.dumps(envelope("participant.added", {"handle": "+14155550100"})).encode()
    headers = headers_for(body)
    target = data.draw(st.sampled_from(["body", "signature", "timestamp", "id"]))
    if target == "body":
        index = data.draw(st.integers(0, len(body) - 1))
        flipped = bytes([body[index] ^ data.draw(st.integers(1, 255))])
        body = body[:index] + flipped + body[index + 1 :]
    else:
        key = {"signature": "webhook-signature", "timestamp": "webhook-timestamp", "id": "webhook-id"}[target]
        value = headers[key]
        start = 3 if target == "signature" else 0
        index = data.draw(st.integers(start, len(value) - 1))
        replacement = data.draw(st.sampled_from("0123456789ABCabc+/_").filter(lambda ch: ch != value[index]))
        headers = {**headers, key: value[:index] + replacement + value[index + 1 :]}
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(body, headers, SECRET, now=NOW, tolerance=10**12)


HANDLE = {"id": "h1", "handle": "+14155550100", "service": "iMessage", "joined_at": NOW_ISO}
EVENTS = [
    (
        "message.received",
        {
            "id": "m1",
            "direction": "inbound",
            "parts": [{"type": "text", "value": "hello"}],
            "chat": {"id": "c1", "is_group": True, "health_status": {"status": "HEALTHY"}},
            "sender_handle": HANDLE,
            "service": "iMessage",
            "idempotency_key": "k1",
        },
        MessageEvent,
    ),
    ("message.sent", {"id": "m2", "parts": []}, MessageEvent),
    ("message.delivered", {"id": "m3", "delivered_at": NOW_ISO}, MessageEvent),
    ("message.read", {"id": "m4", "read_at": NOW_ISO}, MessageEvent),
    (
        "message.failed",
        {"code": 4001, "failed_at": NOW_ISO, "message_id": "m5", "reason": "Delivery failed"},
        MessageFailedEvent,
    ),
    ("participant.added", {"handle": "+14155550100", "chat_id": "c1", "added_at": NOW_ISO}, ParticipantEvent),
    ("participant.removed", {"handle": "+14155550100", "chat_id": "c1", "participant": HANDLE}, ParticipantEvent),
    (
        "chat.created",
        {"id": "c1", "created_at": NOW_ISO, "updated_at": NOW_ISO, "handles": [HANDLE], "is_group": False},
        ChatCreatedEvent,
    ),
    ("chat.group_name_updated", {"chat_id": "c1", "old_value": "a", "new_value": "b"}, ChatUpdatedEvent),
    ("chat.group_icon_updated", {"chat_id": "c1", "new_value": "https://cdn/i.png"}, ChatUpdatedEvent),
    ("chat.group_name_update_failed", {"chat_id": "c1", "error_code": 1006}, ChatUpdateFailedEvent),
    ("chat.group_icon_update_failed", {"chat_id": "c1", "error_code": 5002}, ChatUpdateFailedEvent),
]


@pytest.mark.parametrize(("event_type", "data", "cls"), EVENTS, ids=[e[0] for e in EVENTS])
def test_events_parse_into_their_classes(event_type: str, data: dict[str, Any], cls: type[Any]) -> None:
    body = json.dumps(envelope(event_type, data)).encode()
    event = webhooks.unwrap(body, headers_for(body), SECRET, now=NOW)
    assert isinstance(event, cls)
    assert type(event) is webhooks.EVENT_CLASSES[event_type]
    assert (event.event_type, event.event_id, event.trace_id) == (event_type, "evt_123", "a" * 32)
    assert event.created_at is not None and event.created_at.year == 2026


def test_message_event_fields() -> None:
    event = webhooks.parse(json.dumps(envelope(*EVENTS[0][:2])))
    assert isinstance(event, MessageEvent)
    assert event.data.parts == (TextPart(value="hello"),)
    assert event.data.chat is not None and event.data.chat.is_group
    assert event.data.sender_handle is not None and event.data.sender_handle.handle == "+14155550100"
    assert event.data.idempotency_key == "k1"


@pytest.mark.parametrize("event_type", ["call.ringing", "call.no_answer", "brand.new.event", "message.sent.v3"])
def test_unknown_event_types_never_raise(event_type: str) -> None:
    event = webhooks.parse({**envelope(event_type, {"anything": [1, 2, {"x": None}]}), "new_envelope_field": True})
    assert isinstance(event, UnknownEvent)
    assert event.event_type == event_type
    assert event.data == {"anything": [1, 2, {"x": None}]}
    assert event.extra == {"new_envelope_field": True}


def test_unknown_fields_are_kept_on_known_events() -> None:
    event = webhooks.parse(envelope("participant.added", {"handle": "+14155550100", "via": "api"}))
    assert isinstance(event, ParticipantEvent)
    assert event.data.extra == {"via": "api"}


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2]", b'{"data": {}}', b'{"event_type": 5, "event_id": "e"}', b"[" * 100_000],
    ids=["text", "list", "no-type", "type-not-str", "deep"],
)
def test_non_events_are_payload_errors(payload: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        webhooks.parse(payload)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"handle": "+14155550100", "chat_id": {"nested": "object"}}, "chat_id"),
        ({"handle": "+14155550100", "added_at": "not a time"}, "added_at"),
        ("not an object", "data"),
        (None, "data"),
    ],
    ids=["object-for-a-string", "bad-datetime", "string-data", "null-data"],
)
def test_a_known_event_in_an_odd_shape_is_read_as_far_as_it_fits(data: Any, problem: str) -> None:
    event = webhooks.parse(envelope("participant.added", data))
    assert isinstance(event, ParticipantEvent)
    assert event.event_id == "evt_123"
    path = f"data.{problem}" if isinstance(data, dict) else problem
    assert any(reason.startswith(path) for reason in event.invalid_fields), event.invalid_fields
    if isinstance(data, dict):
        assert event.data.handle == "+14155550100"
        assert event.data.extra[problem] == data[problem]


def test_a_known_event_missing_fields_still_parses() -> None:
    event = webhooks.parse(envelope("participant.added", {"chat_id": "c1"}))  # no handle: lenient
    assert isinstance(event, ParticipantEvent)
    assert event.data.handle is None
    assert event.data.chat_id == "c1"


_REST = {"webhook-timestamp": "1", "webhook-signature": "v1,x"}


def _pairs(headers: dict[str, str]) -> list[tuple[str, str]]:
    return list(headers.items())


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(_pairs, id="list of pairs"),
        pytest.param(lambda h: tuple(_pairs(h)), id="tuple of pairs"),
        pytest.param(lambda h: ((k, v) for k, v in h.items()), id="generator of pairs"),
        pytest.param(lambda h: {k.upper(): v.encode() for k, v in h.items()}, id="bytes values"),
        pytest.param(lambda h: [[k.encode(), v.encode()] for k, v in h.items()], id="ASGI scope headers"),
        pytest.param(lambda h: [(b"Host", b"example.com"), *_pairs(h)], id="other headers beside"),
        pytest.param(lambda h: {**h, "webhook-timestamp": NOW}, id="an int timestamp"),
        pytest.param(lambda h: {k: [v] for k, v in h.items()}, id="lists of values"),
        pytest.param(Headers, id="linq_async.Headers"),
        pytest.param(CIMultiDict, id="aiohttp CIMultiDict"),
    ],
)
def test_headers_in_every_shape_a_framework_gives_verify(shape: Any) -> None:
    body = json.dumps(envelope("message.sent", {"id": "m1"})).encode()
    headers = shape(headers_for(body))
    event = webhooks.unwrap(body, headers, SECRET, now=NOW)
    assert event.event_id == "evt_123"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (None, "missing header.*webhook-id, webhook-timestamp, webhook-signature"),
        ({}, "missing header.*webhook-id, webhook-timestamp, webhook-signature"),
        ([("webhook-id", "evt_123")], "missing header.*webhook-timestamp, webhook-signature"),
        (5, "mapping or .name, value. pairs, got int"),
        ("webhook-id: evt_123", "mapping or .name, value. pairs, got str"),
        (b"webhook-id: evt_123", "mapping or .name, value. pairs, got bytes"),
        ([("webhook-id",)], "mapping or .name, value. pairs"),
        ([1, 2], "mapping or .name, value. pairs"),
        ({1: "x"}, "header name must be text, got int"),
        ({"webhook-id": None, **_REST}, "webhook-id header must be text"),
        ({"webhook-id": True, **_REST}, "webhook-id header must be text"),
        (
            {"webhook-id": b"\xff", "webhook-timestamp": "1", "webhook-signature": "v1,x"},
            "webhook-id header is not UTF-8",
        ),
    ],
)
def test_headers_that_are_missing_or_not_headers_fail_verification(headers: Any, reason: str) -> None:
    # One except clause (WebhookVerificationError -> 400) covers every way the headers can be wrong.
    with pytest.raises(WebhookVerificationError, match=reason):
        webhooks.verify(b"{}", headers, SECRET, now=NOW)
    with pytest.raises(WebhookVerificationError, match=reason):
        webhooks.unwrap(b"{}", headers, SECRET, now=NOW)


def test_unwrap_refuses_before_parsing() -> None:
    body = json.dumps(envelope("message.sent", {"id": "m"})).encode()
    with pytest.raises(WebhookVerificationError):
        webhooks.unwrap(body, headers_for(body + b" "), SECRET, now=NOW)


def test_a_verified_body_with_numbers_python_cannot_hold_still_parses() -> None:
    # 5,000 digits is legal JSON past Python's int() limit: the event is still read, the number as -inf.
    body = b'{"event_type": "message.sent", "event_id": "evt_9", "huge": -1' + b"0" * 5000 + b', "data": {"id": "m"}}'
    event = webhooks.unwrap(body, headers_for(body, msg_id="evt_9"), SECRET, now=NOW)
    assert isinstance(event, MessageEvent) and event.data.id == "m"
    assert event.extra["huge"] == -math.inf


# Header containers from the standard library, repeated signature headers, and every bad input -------

RAW_HEAD = "webhook-id: {id}\r\nwebhook-timestamp: {ts}\r\n{signatures}Content-Type: application/json\r\n\r\n"


def _raw_head(headers: dict[str, str], *signatures: str) -> str:
    lines = "".join(f"webhook-signature: {s}\r\n" for s in signatures or (headers["webhook-signature"],))
    return RAW_HEAD.format(id=headers["webhook-id"], ts=headers["webhook-timestamp"], signatures=lines)


class KeysAndGet:
    """Only ``keys()`` and ``get()``: what ``dict()`` needs (linq-python takes it)."""

    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    def keys(self) -> list[str]:
        return list(self._data)

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)

    def __getitem__(self, name: str) -> str:
        return self._data[name]


class KeysAndGetAll(KeysAndGet):
    """``keys()`` and ``get_all()`` (no ``get``): every value of a repeated header."""

    def __init__(self, data: dict[str, list[str]]) -> None:
        self._all = data

    def keys(self) -> list[str]:
        return list(self._all)

    def get_all(self, name: str, failobj: Any = None) -> Any:
        return self._all.get(name, failobj)

    get = None  # type: ignore[assignment]


def test_stdlib_header_messages_verify() -> None:
    # http.server's self.headers is an http.client.HTTPMessage: iterating it yields names, not pairs.
    body = json.dumps(envelope("message.sent", {"id": "m1"})).encode()
    good = headers_for(body)
    message = http.client.parse_headers(io.BytesIO(_raw_head(good).encode()))
    assert webhooks.unwrap(body, message, SECRET, now=NOW).event_id == "evt_123"
    assert webhooks.unwrap(body, email.message_from_string(_raw_head(good)), SECRET, now=NOW).event_id == "evt_123"
    webhooks.verify(body, KeysAndGet(good), SECRET, now=NOW)
    webhooks.verify(body, KeysAndGetAll({k: [v] for k, v in good.items()}), SECRET, now=NOW)
    # the header twice: every value counts, whichever line holds the good one
    for order in ((good["webhook-signature"], "v1,AAAA"), ("v1,AAAA", good["webhook-signature"])):
        twice = http.client.parse_headers(io.BytesIO(_raw_head(good, *order).encode()))
        webhooks.verify(body, twice, SECRET, now=NOW)
        webhooks.verify(
            body,
            KeysAndGetAll({**{k: [v] for k, v in good.items()}, "webhook-signature": list(order)}),
            SECRET,
            now=NOW,
        )
    forged = http.client.parse_headers(io.BytesIO(_raw_head(good, "v1,AAAA", "v1,BBBB").encode()))
    with pytest.raises(WebhookVerificationError, match="no webhook-signature entry"):
        webhooks.verify(body, forged, SECRET, now=NOW)
    with pytest.raises(WebhookVerificationError, match="no webhook-signature entry"):
        webhooks.verify(body + b" ", message, SECRET, now=NOW)


def _good_signature() -> tuple[bytes, dict[str, str], str]:
    body = b'{"event_type": "message.sent"}'
    headers = headers_for(body)
    return body, headers, headers["webhook-signature"]


@pytest.mark.parametrize(
    "signatures",
    [
        pytest.param(lambda good: [good, "v1,AAAA"], id="list, good first"),
        pytest.param(lambda good: ["v1,AAAA", good], id="list, good second"),
        pytest.param(lambda good: (good, "v2,AAAA", "v1,AAAA"), id="tuple of three"),
        pytest.param(lambda good: f"{good}, v1,AAAA", id="joined by a proxy, good first"),
        pytest.param(lambda good: f"v1,AAAA, {good}", id="joined by a proxy, good second"),
        pytest.param(lambda good: f"v1,AAAA,{good}", id="joined by a bare comma"),
        pytest.param(lambda good: f"v1,AAAA {good}", id="space-delimited (Standard Webhooks)"),
        pytest.param(lambda good: f"  {good}  ", id="padded"),
        pytest.param(lambda good: [f"v1,AAAA {good}", "v1,BBBB"], id="a list holding space-delimited entries"),
    ],
)
def test_a_repeated_signature_header_verifies_by_any_good_entry(signatures: Any) -> None:
    body, headers, good = _good_signature()
    webhooks.verify(body, {**headers, "webhook-signature": signatures(good)}, SECRET, now=NOW)
    webhooks.verify(body, [*headers.items(), ("webhook-signature", "v1,AAAA")], SECRET, now=NOW)


@pytest.mark.parametrize(
    "signatures",
    [
        pytest.param(lambda good: ["v1,AAAA", "v1,BBBB"], id="two forged"),
        pytest.param(lambda good: [good + "A", "v1,AAAA"], id="good plus a character"),
        pytest.param(lambda good: [good[:-2], "v1,AAAA"], id="good cut short"),
        pytest.param(lambda good: "x" + good, id="glued to a word"),
        pytest.param(lambda good: good.replace("v1,", "v1a,"), id="another version"),
        pytest.param(lambda good: good.replace("v1,", "v2,"), id="version 2"),
        pytest.param(lambda good: good.replace("v1,", "v1,,"), id="double comma"),
        pytest.param(lambda good: good[3:], id="no version"),
        pytest.param(lambda good: good.replace("v1,", "v1, "), id="value after a space"),
    ],
)
def test_no_forged_or_mangled_signature_entry_verifies(signatures: Any) -> None:
    body, headers, good = _good_signature()
    with pytest.raises(WebhookVerificationError, match="no webhook-signature entry"):
        webhooks.verify(body, {**headers, "webhook-signature": signatures(good)}, SECRET, now=NOW)


class ItemsRaise(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise KeyError("x")


class GetRaises(KeysAndGet):
    def get(self, name: str, default: Any = None) -> Any:
        raise KeyError(name)


class IterRaises:
    def __iter__(self) -> Any:
        raise RuntimeError("gone")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda h: ItemsRaise(h), id="a dict whose items() raises KeyError"),
        pytest.param(lambda h: GetRaises(h), id="keys() and a get() that raises"),
        pytest.param(lambda h: IterRaises(), id="an iterable that raises"),
        pytest.param(lambda h: [h], id="a list holding a dict"),
        pytest.param(lambda h: list(h), id="a list of names"),
        pytest.param(lambda h: {k: object() for k in h}, id="values that are not text"),
        pytest.param(lambda h: {k: [[v]] for k, v in h.items()}, id="nested lists"),
        pytest.param(lambda h: {**h, "webhook-timestamp": 1.5}, id="a fractional float timestamp"),
        pytest.param(lambda h: {**h, "webhook-timestamp": math.nan}, id="a NaN timestamp"),
    ],
)
def test_headers_that_cannot_be_read_fail_verification(headers: Any) -> None:
    body, good, _ = _good_signature()
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(body, headers(good), SECRET, now=NOW)
    with pytest.raises(WebhookVerificationError):
        webhooks.unwrap(body, headers(good), SECRET, now=NOW)


def test_an_integral_float_timestamp_reads_as_its_integer() -> None:
    body, good, _ = _good_signature()
    webhooks.verify(body, {**good, "webhook-timestamp": float(NOW)}, SECRET, now=NOW)


@pytest.mark.parametrize(
    "payload",
    [None, {"event_type": "message.sent"}, ["x"], 5, "\ud800 lone surrogate"],
    ids=["None", "parsed JSON", "list", "int", "unencodable str"],
)
def test_a_payload_that_is_not_the_raw_body_fails_verification(payload: Any) -> None:
    _, good, _ = _good_signature()
    with pytest.raises(WebhookVerificationError, match="raw body"):
        webhooks.verify(payload, good, SECRET, now=NOW)
    with pytest.raises(WebhookVerificationError, match="raw body"):
        webhooks.unwrap(payload, good, SECRET, now=NOW)


def test_the_body_as_str_bytearray_or_memoryview_verifies() -> None:
    body, good, _ = _good_signature()
    for payload in (body.decode(), bytearray(body), memoryview(body)):
        webhooks.verify(payload, good, SECRET, now=NOW)


@pytest.mark.parametrize("payload", [None, 5, ["x"], "\ud800"], ids=["None", "int", "list", "unencodable str"])
def test_parse_refuses_what_is_not_a_body_as_a_payload_error(payload: Any) -> None:
    with pytest.raises(WebhookPayloadError):
        webhooks.parse(payload)


@pytest.mark.parametrize("tolerance", [math.nan, math.inf, -math.inf, -1, "300", True, None])
def test_a_tolerance_that_is_not_a_finite_number_of_seconds_is_refused(tolerance: Any) -> None:
    # NaN compares false with everything: it would let a delivery from 1970 through.
    body = b"{}"
    old = headers_for(body, timestamp=1000)
    with pytest.raises(ValidationError, match="tolerance"):
        webhooks.verify(body, old, SECRET, tolerance=tolerance)
    with pytest.raises(ValidationError, match="tolerance"):
        webhooks.unwrap(body, old, SECRET, tolerance=tolerance)


@pytest.mark.parametrize("now", [math.nan, math.inf, "now", True])
def test_a_now_that_is_not_a_finite_time_is_refused(now: Any) -> None:
    body = b"{}"
    with pytest.raises(ValidationError, match="now"):
        webhooks.verify(body, headers_for(body, timestamp=1000), SECRET, now=now)


def test_a_zero_tolerance_takes_only_the_exact_second() -> None:
    body = b"{}"
    webhooks.verify(body, headers_for(body), SECRET, now=NOW, tolerance=0)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        webhooks.verify(body, headers_for(body), SECRET, now=NOW + 1, tolerance=0)
