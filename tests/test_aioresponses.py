"""linq_async under aioresponses (the maintained fork, aioresponses-ng), on both clients.

Code that uses linq_async must be testable the way many aiohttp users already mock HTTP. This pins
the compatibility: a future aiohttp or fork release that breaks it fails here first.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aioresponses import aioresponses

from linq_async import (
    AsyncLinqClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    SyncLinqClient,
    UnprocessableEntityError,
)

from .clients import Blocking
from .helpers import CHAT, KEY, TRACE, Sleeps, envelope

BASE = "https://api.linqapp.com/api/partner"
ADD = f"{BASE}/v3/chats/{CHAT}/participants"
ACCEPTED = {"message": "Participant addition queued", "status": "accepted", "trace_id": TRACE}


@pytest.fixture(params=["async", "sync"])
def client(request: pytest.FixtureRequest, sleeps: Sleeps) -> Iterator[Any]:
    """Either client on the production URL: aioresponses answers, nothing leaves the process."""
    policy = RetryPolicy(sleep=sleeps)
    if request.param == "sync":
        with SyncLinqClient(KEY, retry=policy) as sync_client:
            yield sync_client
        return
    with asyncio.Runner() as runner:
        async_client = AsyncLinqClient(KEY, retry=policy)
        yield Blocking(async_client, runner)
        runner.run(async_client.close())


def test_a_mocked_success(client: Any) -> None:
    with aioresponses() as mocked:
        mocked.post(ADD, status=202, payload=ACCEPTED, headers={"X-Trace-ID": TRACE})
        answer = client.chats.participants.add(CHAT, handle="+14155550100")
    assert answer.status == "accepted" and answer.trace_id == TRACE
    [call] = mocked.requests[("POST", pytest.importorskip("yarl").URL(ADD))]
    assert call.kwargs["data"] == b'{"handle":"+14155550100"}'


DOCUMENTED = [
    pytest.param(400, 1002, BadRequestError, True, id="400-1002"),
    pytest.param(401, 2004, AuthenticationError, True, id="401-2004"),
    pytest.param(403, 2006, PermissionDeniedError, True, id="403-2006"),
    pytest.param(404, 2001, NotFoundError, True, id="404-2001"),
    pytest.param(409, 2013, ConflictError, False, id="409-2013-without-success"),
    pytest.param(409, 1006, ConflictError, True, id="409-1006"),
    pytest.param(422, 4005, UnprocessableEntityError, True, id="422-4005"),
    pytest.param(500, 3006, InternalServerError, True, id="500-3006"),
]


@pytest.mark.parametrize(("status", "code", "cls", "with_success"), DOCUMENTED)
def test_each_documented_error_envelope(
    client: Any, status: int, code: int, cls: type[Exception], with_success: bool
) -> None:
    body = envelope(status, code, "refused")
    if not with_success:
        del body["success"]
    with aioresponses() as mocked:
        mocked.post(ADD, status=status, payload=body)
        with pytest.raises(cls) as info:
            client.with_options(max_retries=0).chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.code == code  # type: ignore[attr-defined]
    assert info.value.trace_id == TRACE  # type: ignore[attr-defined]


def test_a_rate_limit_carries_its_delay(client: Any) -> None:
    with aioresponses() as mocked:
        mocked.post(ADD, status=429, payload=envelope(429, 1007, retry_after=3600), headers={"Retry-After": "3600"})
        with pytest.raises(RateLimitError) as info:
            client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.retry_after == 3600  # over the policy's cap: raised at once


def test_a_500_3006_is_retried_into_a_202(client: Any, sleeps: Sleeps) -> None:
    with aioresponses() as mocked:
        mocked.post(ADD, status=500, payload=envelope(500, 3006))
        mocked.post(ADD, status=202, payload=ACCEPTED)
        assert client.chats.participants.add(CHAT, handle="+14155550100").status == "accepted"
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= client.retry.initial_delay
    assert len(next(iter(mocked.requests.values()))) == 2


def test_a_batch_with_mocked_answers(client: Any) -> None:
    chats = [f"550e8400-e29b-41d4-a716-44665544000{n}" for n in range(3)]
    with aioresponses() as mocked:
        mocked.post(f"{BASE}/v3/chats/{chats[0]}/participants", status=202, payload=ACCEPTED)
        mocked.post(f"{BASE}/v3/chats/{chats[1]}/participants", status=409, payload=envelope(409, 1006))
        mocked.post(f"{BASE}/v3/chats/{chats[2]}/participants", status=202, payload=ACCEPTED)
        result = client.chats.participants.add_many([(chat, "+14155550100") for chat in chats])
    assert [o.ok for o in result] == [True, False, True]
    assert isinstance(result.outcomes[1].error, ConflictError) and result.outcomes[1].error.code == 1006


def test_the_key_is_absent_from_what_aioresponses_records(client: Any) -> None:
    with aioresponses() as mocked:
        mocked.post(ADD, status=202, payload=ACCEPTED)
        client.chats.participants.add(CHAT, handle="+14155550100")
        shown = [repr(mocked), str(mocked.requests), repr(mocked.requests)]
        shown += [repr(call) for calls in mocked.requests.values() for call in calls]
    for text in shown:
        assert KEY not in text, text
    assert re.search(r"'Authorization': '<redacted>'", repr(mocked.requests))
