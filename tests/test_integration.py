"""End to end through FakeLinqServer: batches across many chats, with faults, for both clients."""

from __future__ import annotations

import pytest

from linq_async import (
    AsyncLinqClient,
    ConflictError,
    NotFoundError,
    RetryPolicy,
    SyncLinqClient,
    UnreadableResponseError,
    ValidationError,
)
from linq_async.testing import RULE_ERRORS, FakeLinqServer

from .helpers import Sleeps


def handle(chat: int, n: int) -> str:
    return f"+1415{chat:03d}{n:04d}"


@pytest.fixture
async def fake() -> FakeLinqServer:
    async with FakeLinqServer() as server:
        yield server  # type: ignore[misc]


async def test_batch_across_chats_with_faults_reaches_the_expected_state(fake: FakeLinqServer, sleeps: Sleeps) -> None:
    groups = [fake.create_chat([handle(c, 0), handle(c, 1)]) for c in range(24)]
    dm = fake.create_chat(["+14155550999"])
    sms = fake.create_chat([handle(99, 0), handle(99, 1)], service="SMS")
    items = [(groups[c], handle(c, n)) for n in range(2, 8) for c in range(24)]
    items += [(dm, "+14155550998"), (sms, "ana@example.com"), ("not-a-chat", handle(0, 9))]
    for kind, times in [("500/3006", 12), ("429", 3), ("502", 6), ("reset", 5), ("truncate", 5)]:
        fake.inject(kind, times=times, retry_after=0)

    async with AsyncLinqClient(
        fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=6)
    ) as client:
        result = await client.chats.participants.add_many(items, concurrency=8)

    assert [o.index for o in result] == list(range(len(items)))
    # A truncated answer was applied but could not be read: reported as such and never sent again.
    unreadable = [o for o in result.failed if isinstance(o.error, UnreadableResponseError)]
    assert 1 <= len(unreadable) <= 5
    assert result.succeeded_count + len(unreadable) == 24 * 6
    for c, chat in enumerate(groups):
        assert fake.participants(chat) == [handle(c, n) for n in range(8)], "every add landed, in order"
    failures = {o.chat_id: o.error for o in result.failed if o not in unreadable}
    assert isinstance(failures[dm], ConflictError) and failures[dm].code == RULE_ERRORS["not_group"][1]
    assert isinstance(failures[sms], ConflictError) and failures[sms].code == RULE_ERRORS["cross_service"][1]
    assert isinstance(failures["not-a-chat"], ValidationError)
    assert result.attempts > len(items) - 1, "the injected faults were retried through"


async def test_remove_many_and_unknown_chats(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([handle(1, n) for n in range(6)])
    items = [(chat, handle(1, n)) for n in (0, 1, 2)] + [("00000000-0000-0000-0000-000000000001", handle(1, 3))]
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
        result = await client.chats.participants.remove_many(items)
    assert [o.ok for o in result] == [True, True, True, False]
    assert isinstance(result.outcomes[3].error, NotFoundError)
    assert fake.participants(chat) == [handle(1, n) for n in range(3, 6)]


def test_sync_client_streaming_through_the_fake() -> None:
    with FakeLinqServer() as fake:
        chats = [fake.create_chat([handle(c, 0), handle(c, 1)]) for c in range(5)]
        fake.inject("500/3006", times=3)
        with SyncLinqClient(fake.api_key, base_url=fake.base_url, retry=RetryPolicy(initial_delay=0.001)) as client:
            outcomes = list(client.chats.participants.iter_add((chat, handle(9, i)) for i, chat in enumerate(chats)))
        assert sorted(o.index for o in outcomes) == [0, 1, 2, 3, 4]
        assert all(o.ok for o in outcomes)
        for i, chat in enumerate(chats):
            assert fake.participants(chat)[-1] == handle(9, i)
