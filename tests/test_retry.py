"""Retries: what is repeated (counted at the server), how long the client waits, and what it logs."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

import pytest

from linq_async import (
    APIConnectionError,
    APIStatusError,
    AsyncLinqClient,
    ConflictError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    UnreadableResponseError,
    ValidationError,
    is_retryable,
)
from linq_async._errors import parse_retry_after

from .helpers import ADD_OK, CHAT, ScriptedAPI, Sleeps, envelope

RETRIED = 3  # max_retries=2: three attempts in all
ONCE = 1

# (status, body or None for a non-JSON body, expected number of requests)
CLASSIFICATION = [
    (400, envelope(400, 1001), ONCE),
    (400, envelope(400, 1002), ONCE),
    (400, envelope(400, 1003), ONCE),
    (400, envelope(400, 1005), ONCE),
    (409, envelope(409, 1006), ONCE),
    (400, envelope(400, 1008), ONCE),
    (401, envelope(401, 2004), ONCE),
    (403, envelope(403, 2005), ONCE),
    (403, envelope(403, 2006), ONCE),
    (403, envelope(403, 2008), ONCE),
    (404, envelope(404, 2001), ONCE),
    (404, envelope(404, 2002), ONCE),
    (409, envelope(409, 2013), ONCE),
    (409, envelope(409, 2014), ONCE),
    (409, envelope(409, 2015), ONCE),
    (409, envelope(409, 2016), ONCE),
    (409, envelope(409, 2017), ONCE),
    (403, envelope(403, 2024), ONCE),
    (422, envelope(422, 4005), ONCE),
    (500, envelope(500, 4001), ONCE),
    (500, envelope(500, 4002), ONCE),
    (500, envelope(500, 5001), ONCE),
    (400, envelope(400, 5005), ONCE),
    (400, None, ONCE),
    (401, None, ONCE),
    (403, None, ONCE),
    (404, None, ONCE),
    (409, None, ONCE),
    (500, envelope(500, 3001), RETRIED),
    (500, envelope(500, 3002), RETRIED),
    (500, envelope(500, 3003), RETRIED),
    (500, envelope(500, 3004), RETRIED),
    (504, envelope(504, 3005), RETRIED),
    (500, envelope(500, 3006), RETRIED),
    (500, envelope(500, 3007), RETRIED),
    (404, envelope(404, 2007), RETRIED),
    (409, envelope(409, 2009), RETRIED),
    (500, envelope(500, 2022), RETRIED),
    (503, envelope(503, 4004), RETRIED),
    (429, envelope(429, 1007, retry_after=0), RETRIED),
    (429, None, RETRIED),
    (500, None, RETRIED),
    (502, None, RETRIED),
    (503, None, RETRIED),
    (504, None, RETRIED),
    (408, None, RETRIED),
]


@pytest.mark.parametrize(
    ("status", "body", "requests"),
    CLASSIFICATION,
    ids=[f"{s}/{b['error']['code'] if b else 'no-envelope'}" for s, b, _ in CLASSIFICATION],
)
async def test_classification_by_request_count(
    client: AsyncLinqClient, api: ScriptedAPI, status: int, body: dict[str, object] | None, requests: int
) -> None:
    for _ in range(RETRIED):
        if body is None:
            api.reply_bytes(status, b"<html><h1>upstream says no</h1></html>", content_type="text/html")
        else:
            api.reply(status, body)

    with pytest.raises(APIStatusError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")

    assert info.value.status == status
    assert len(api.seen) == requests


async def test_two_3006_then_success_sends_three_identical_requests(
    client: AsyncLinqClient, api: ScriptedAPI, sleeps: Sleeps
) -> None:
    api.reply(500, envelope(500, 3006, "Internal server error"), times=2)
    api.reply(202, ADD_OK)

    result = await client.chats.participants.add(CHAT, handle="+14155550100")

    assert result.status == "accepted"
    assert len(api.seen) == 3
    first = api.seen[0]
    for later in api.seen[1:]:
        assert (later.method, later.path, later.body) == (first.method, first.path, first.body)
        assert later.headers["Authorization"] == first.headers["Authorization"]
    assert len(sleeps) == 2


async def test_max_retries_zero_sends_once(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_retries=0)
    api.reply(500, envelope(500, 3006), times=3)
    with pytest.raises(InternalServerError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 1


async def test_max_retries_five(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, sleeps: Sleeps) -> None:
    client = make_client(max_retries=5)
    api.reply(500, envelope(500, 3006), times=10)
    with pytest.raises(InternalServerError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 6
    assert len(sleeps) == 5


@pytest.mark.parametrize("fault", ["drop", "truncated"])
async def test_transport_failures_are_retried(client: AsyncLinqClient, api: ScriptedAPI, fault: str) -> None:
    for _ in range(2):
        api.drop() if fault == "drop" else api.truncated(500)  # an error answer cut off: nothing applied
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.status == "accepted"
    assert len(api.seen) == 3


@pytest.mark.parametrize("status", [200, 201, 202])
async def test_a_success_whose_answer_is_cut_off_is_never_sent_again(
    client: AsyncLinqClient, api: ScriptedAPI, status: int
) -> None:
    """The status line said the change was applied: another attempt would apply it twice."""
    api.truncated(status)
    with pytest.raises(UnreadableResponseError, match="was applied") as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.status == status
    assert not is_retryable(info.value)
    assert len(api.seen) == 1


async def test_a_success_whose_answer_times_out_is_never_sent_again(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI
) -> None:
    client = make_client(timeout=0.3)
    api.reply_raw(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    with pytest.raises(UnreadableResponseError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 1


async def test_persistent_transport_failure_raises_after_all_attempts(
    client: AsyncLinqClient, api: ScriptedAPI
) -> None:
    api.drop(times=3)
    with pytest.raises(APIConnectionError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 3


async def test_timeouts_are_retried(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(timeout=0.2, max_retries=1)
    api.reply(202, ADD_OK, delay=1.0)
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.status == "accepted"
    assert len(api.seen) == 2


@pytest.mark.parametrize(
    ("headers", "body_retry_after", "expected"),
    [
        ({"Retry-After": "3"}, 3, 3.0),
        ({}, 2, 2.0),
        ({"Retry-After": "1.5"}, None, 1.5),
        ({"Retry-After": "0"}, 0, 0.0),
        ({}, 45, 45.0),
        ({"Retry-After": "4"}, 99, 4.0),  # the header is the standard carrier and wins
    ],
)
async def test_429_waits_the_server_delay(
    client: AsyncLinqClient,
    api: ScriptedAPI,
    sleeps: Sleeps,
    headers: dict[str, str],
    body_retry_after: int | None,
    expected: float,
) -> None:
    extra = {} if body_retry_after is None else {"retry_after": body_retry_after}
    api.reply(429, envelope(429, 1007, "Rate limited", **extra), headers=headers)

    await client.chats.participants.add(CHAT, handle="+14155550100")

    [slept] = sleeps
    assert expected <= slept <= expected + client.retry.initial_delay
    assert len(api.seen) == 2


# (Retry-After header or None, literal JSON text of error.retry_after or None)
# (Retry-After header, body retry_after, whether it asks for longer than max_retry_after). Unusable
# values give no server delay (ordinary backoff, retried); values over the cap are not waited for:
# the RateLimitError is raised at once, with its retry_after (the production-networks issue).
HOSTILE_DELAYS = [
    pytest.param("nan", None, False, id="header-nan"),
    pytest.param("inf", None, True, id="header-inf"),
    pytest.param("-10", None, False, id="header-negative"),
    pytest.param("1e308", None, True, id="header-1e308"),
    pytest.param("9" * 35, None, True, id="header-35-digits"),
    pytest.param("soon", None, False, id="header-garbage"),
    pytest.param("", None, False, id="header-empty"),
    pytest.param("Zun, 29 Sep 2023 00:00:00 GMT", None, False, id="header-bad-date"),
    pytest.param(None, "NaN", False, id="body-nan"),
    pytest.param(None, "Infinity", True, id="body-infinity"),
    pytest.param(None, "-Infinity", False, id="body-minus-infinity"),
    pytest.param(None, "-1", False, id="body-negative"),
    pytest.param(None, "1e400", True, id="body-1e400"),
    pytest.param(None, "9" * 5000, True, id="body-5000-digits"),
    pytest.param(None, '"abc"', False, id="body-string"),
    pytest.param(None, "[5]", False, id="body-list"),
    pytest.param(None, "true", False, id="body-bool"),
    pytest.param(None, "null", False, id="body-null"),
]


@pytest.mark.parametrize(("header", "body_retry_after", "too_long"), HOSTILE_DELAYS)
async def test_hostile_server_delays_never_cause_a_bad_sleep(
    client: AsyncLinqClient,
    api: ScriptedAPI,
    sleeps: Sleeps,
    header: str | None,
    body_retry_after: str | None,
    too_long: bool,
) -> None:
    headers = {} if header is None else {"Retry-After": header}
    field = "" if body_retry_after is None else f', "retry_after": {body_retry_after}'
    body = '{"success": false, "error": {"status": 429, "code": 1007, "message": "Rate limited"' + field + "}}"
    api.reply_bytes(429, body.encode(), headers=headers)

    if too_long:
        with pytest.raises(RateLimitError) as info:
            await asyncio.wait_for(client.chats.participants.add(CHAT, handle="+14155550100"), timeout=5)
        assert info.value.retry_after is not None and info.value.retry_after > client.retry.max_retry_after
        assert sleeps == []
        assert len(api.seen) == 1
        return
    await asyncio.wait_for(client.chats.participants.add(CHAT, handle="+14155550100"), timeout=5)
    [slept] = sleeps
    assert math.isfinite(slept)
    assert 0 <= slept <= client.retry.max_retry_after + client.retry.initial_delay
    assert len(api.seen) == 2


async def test_a_server_delay_over_the_cap_is_raised_at_once(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, sleeps: Sleeps
) -> None:
    """3,600 s (the daily sandbox cap) is not slept as 30 s and retried into the same 429."""
    client = make_client(retry=RetryPolicy(sleep=sleeps, max_retry_after=30, jitter=lambda: 0.0))
    api.reply(429, envelope(429, 1007, retry_after=3600))
    with pytest.raises(RateLimitError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.retry_after == 3600
    assert sleeps == []
    assert len(api.seen) == 1
    api.reply(429, envelope(429, 1007, retry_after=30))  # at the cap: waited for, then retried
    await client.chats.participants.add(CHAT, handle="+14155550100")
    assert sleeps == [30.0]


def test_backoff_ladder_with_jitter_at_its_bounds() -> None:
    top = RetryPolicy(jitter=lambda: 1.0)
    assert [top.backoff(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 8, 8, 8]
    bottom = RetryPolicy(jitter=lambda: 0.0)
    assert [bottom.backoff(n) for n in range(1, 5)] == [0, 0, 0, 0]
    assert RetryPolicy(jitter=lambda: 1.0).backoff(10_000) == 8.0


def test_backoff_is_full_jitter() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=100.0)
    for n, ceiling in [(1, 1.0), (3, 4.0), (5, 16.0)]:
        samples = [policy.backoff(n) for _ in range(4000)]
        assert all(0 <= s <= ceiling for s in samples)
        mean = sum(samples) / len(samples)
        assert abs(mean - ceiling / 2) < 0.08 * ceiling / 2
        buckets = [0] * 10
        for s in samples:
            buckets[min(int(s / ceiling * 10), 9)] += 1
        assert all(abs(b - 400) < 0.25 * 400 for b in buckets), buckets


async def test_real_backoff_sleeps_are_jittered(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, sleeps: Sleeps
) -> None:
    client = make_client(retry=RetryPolicy(sleep=sleeps, max_retries=4, jitter=lambda: 1.0))
    api.reply(503, envelope(503, 4004), times=4)
    await client.chats.participants.add(CHAT, handle="+14155550100")
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"max_retries": 101},
        {"initial_delay": -1},
        {"initial_delay": float("nan")},
        {"max_delay": float("inf")},
        {"max_retry_after": "60"},
    ],
)
def test_policy_refuses_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 7 ", 7.0),
        ("2.5", 2.5),
        (4, 4.0),
        (0.25, 0.25),
        ("nan", None),
        (float("nan"), None),
        ("-1", None),
        (-1, None),
        (True, None),
        ("", None),
        ("x" * 100, None),
        (None, None),
        ({"s": 1}, None),
        ("inf", math.inf),
        (10**400, math.inf),
    ],
    ids=repr,
)
def test_parse_retry_after(value: object, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now=1795341600.0) == 30.0
    assert parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now=1795341600.0) == 0.0
    assert parse_retry_after("Sun, 22 Nov 2026 10:00:30", now=1795341600.0) is None


def test_control_flow_exceptions_are_never_retryable() -> None:
    for exc in (asyncio.CancelledError(), KeyboardInterrupt(), SystemExit(), ValueError("x"), ValidationError("x")):
        assert not is_retryable(exc)


async def test_each_retry_is_logged(
    client: AsyncLinqClient, api: ScriptedAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(500, envelope(500, 3006, trace="a" * 32), times=2)
    with caplog.at_level(logging.INFO, logger="linq_async"):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert [r.linq_attempt for r in retries] == [1, 2]  # type: ignore[attr-defined]
    for record in retries:
        assert (record.linq_status, record.linq_code, record.linq_trace_id) == (500, 3006, "a" * 32)  # type: ignore[attr-defined]
        assert record.linq_delay >= 0  # type: ignore[attr-defined]
        assert "code=3006" in record.getMessage()
        assert "trace_id=" + "a" * 32 in record.getMessage()


async def test_409_2013_is_not_retried_even_with_many_retries(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI
) -> None:
    client = make_client(max_retries=10)
    api.reply(409, {"error": {"status": 409, "code": 2013, "message": "This chat is unavailable"}}, times=11)
    with pytest.raises(ConflictError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 1


class RetryBusy(RetryPolicy):
    """Retries a 409/2015 too: an override of the one retry decision."""

    def is_retryable(self, exc: BaseException) -> bool:
        return super().is_retryable(exc) or (isinstance(exc, ConflictError) and exc.code == 2015)


async def test_a_policy_that_overrides_the_decision_is_asked_on_every_attempt(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, sleeps: Sleeps
) -> None:
    busy = {"error": {"status": 409, "code": 2015, "message": "busy"}}
    api.reply(409, busy, times=2)  # the first attempt's failure, then one of tenacity's
    api.reply(202, ADD_OK)
    client = make_client(retry=RetryBusy(sleep=sleeps, max_retries=2))
    await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 3
    api.reply(409, busy, times=3)
    with pytest.raises(ConflictError):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 6  # the policy's max_retries still bounds it
    api.reply(409, busy)
    with pytest.raises(ConflictError):
        await make_client(max_retries=2).chats.participants.add(CHAT, handle="+14155550100")
    assert len(api.seen) == 7  # the default policy never retries a 409


def test_policy_attribute_on_errors_with_no_delay() -> None:
    assert RetryPolicy().server_delay(RateLimitError("x", status=429)) is None
    assert RetryPolicy().server_delay(RateLimitError("x", status=429, retry_after=5)) == 5.0
