"""Batch participant changes: one outcome per item, per-chat order, real concurrency, faults, cancel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from linq_async import (
    APIConnectionError,
    AsyncLinqClient,
    BatchResult,
    ConflictError,
    InternalServerError,
    ItemCancelledError,
    NotFoundError,
    ParticipantAddResponse,
    RetryPolicy,
    SyncLinqClient,
    UnreadableResponseError,
    ValidationError,
    is_retryable,
)
from linq_async._batch import LOOKAHEAD, Batch, Work, collect

from ..helpers import ADD_OK, KEY, ScriptedAPI, Sleeps, envelope

PATH_PREFIX = "/api/partner/v3/chats/"


def chats(n: int) -> list[str]:
    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


def phone(i: int) -> str:
    return f"+1415{i:07d}"


@attrs.define
class Faulty:
    """A loopback Linq that injects faults per attempt and checks the client's manners.

    It records, per item, the answers it gave in order; per chat, the handles in arrival order and
    the most requests it ever saw in flight at once; and globally, the most in flight at once.
    """

    seed: int = 0
    faults: dict[str, float] = attrs.field(factory=dict)  # kind -> probability per attempt
    permanent: dict[str, tuple[int, int]] = attrs.field(factory=dict)  # handle -> (status, code)
    delay: float = 0.0
    rng: random.Random = attrs.field(init=False)
    answers: dict[tuple[str, str], list[str]] = attrs.field(factory=lambda: defaultdict(list))
    arrivals: dict[str, list[str]] = attrs.field(factory=lambda: defaultdict(list))
    in_flight: Counter[str] = attrs.field(factory=Counter)
    max_per_chat: int = 0
    now: int = 0
    max_total: int = 0
    requests: int = 0
    server: TestServer | None = None

    def __attrs_post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/partner"))

    def _fault(self) -> str | None:
        roll = self.rng.random()
        for kind, probability in self.faults.items():
            if roll < probability:
                return kind
            roll -= probability
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        chat = request.path[len(PATH_PREFIX) :].split("/")[0]
        handle = json.loads(await request.read())["handle"]
        key = (chat, handle)
        self.requests += 1
        self.arrivals[chat].append(handle)
        self.in_flight[chat] += 1
        self.now += 1
        self.max_per_chat = max(self.max_per_chat, self.in_flight[chat])
        self.max_total = max(self.max_total, self.now)
        try:
            if self.delay:
                await asyncio.sleep(self.delay * self.rng.random())
            if handle in self.permanent:
                status, code = self.permanent[handle]
                self.answers[key].append(f"{status}/{code}")
                return web.json_response(envelope(status, code), status=status)
            fault = self._fault()
            self.answers[key].append(fault or "202")
            transport = request.transport
            assert transport is not None
            if fault == "500/3006":
                return web.json_response(envelope(500, 3006), status=500)
            if fault == "429":
                return web.json_response(envelope(429, 1007, retry_after=0), status=429)
            if fault == "502-html":
                return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")
            if fault in ("reset", "reset-after"):  # before or after the change was applied
                transport.close()
                raise asyncio.CancelledError
            if fault == "truncated":  # applied, but the answer is cut off
                transport.write(b'HTTP/1.1 202 Accepted\r\nContent-Length: 90\r\n\r\n{"message": "Partic')
                transport.close()
                raise asyncio.CancelledError
            return web.json_response(ADD_OK, status=202)
        finally:
            self.in_flight[chat] -= 1
            self.now -= 1


@pytest.fixture
async def faulty() -> AsyncIterator[Faulty]:
    server_state = Faulty()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server_state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    server_state.server = server
    yield server_state
    await server.close()


@pytest.fixture
async def batch_client(faulty: Faulty, sleeps: Sleeps) -> AsyncIterator[AsyncLinqClient]:
    async with AsyncLinqClient(KEY, base_url=faulty.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=6)) as client:
        yield client


def sdk_tasks() -> set[asyncio.Task[Any]]:
    """Tasks running the package's code (the test server shares the loop and has its own)."""
    return {
        task
        for task in asyncio.all_tasks()
        if "/linq_async/" in getattr(getattr(task.get_coro(), "cr_code", None), "co_filename", "")
    }


def check_invariants(result: BatchResult[Any], items: list[tuple[str, str]], faulty: Faulty, concurrency: int) -> None:
    assert [o.index for o in result.outcomes] == list(range(len(items))), "one outcome per item, in order"
    for outcome, (chat, handle) in zip(result.outcomes, items, strict=True):
        assert (outcome.chat_id, outcome.handle) == (chat, handle)
        answers = faulty.answers[(chat, handle)]
        assert outcome.attempts == len(answers)
        if outcome.ok:
            assert isinstance(outcome.response, ParticipantAddResponse)
            assert answers[-1] == "202", "a success is the last request sent for its item"
            assert answers.count("202") == 1, "never sent again after a success"
        elif isinstance(outcome.error, UnreadableResponseError):
            assert answers[-1] == "truncated", "applied but unreadable: reported, never sent again"
            assert "202" not in answers
        else:
            assert "202" not in answers
            assert "truncated" not in answers
    assert faulty.max_per_chat == 1, "at most one request in flight per chat"
    assert faulty.max_total <= concurrency
    for chat, arrived in faulty.arrivals.items():
        distinct = [h for i, h in enumerate(arrived) if i == 0 or arrived[i - 1] != h]
        assert distinct == [h for c, h in items if c == chat], f"chat {chat} applied out of order"


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_faulty_batch_keeps_every_item(
    faulty: Faulty, batch_client: AsyncLinqClient, sleeps: Sleeps, seed: int
) -> None:
    faulty.rng = random.Random(seed)
    faulty.faults = {
        "500/3006": 0.20,
        "reset": 0.04,
        "reset-after": 0.02,
        "429": 0.04,
        "502-html": 0.04,
        "truncated": 0.03,
    }
    faulty.delay = 0.002
    ids = chats(60)
    items = [(ids[i % 60], phone(i)) for i in range(1200)]
    random.Random(seed).shuffle(items)

    result = await batch_client.chats.participants.add_many(items, concurrency=12)

    check_invariants(result, items, faulty, 12)
    assert result.complete
    assert faulty.max_total > 1, "chats really ran concurrently"
    unreadable = [o for o in result.failed if isinstance(o.error, UnreadableResponseError)]
    assert unreadable, "the truncated answers were met"
    assert result.succeeded_count + len(unreadable) >= 1190
    for outcome in result.failed:
        # only transient failures can be left after six retries, or a success whose answer was cut off
        assert is_retryable(outcome.error) or outcome in unreadable
    assert sum(o.attempts for o in result.outcomes) == faulty.requests == result.attempts


async def test_permanent_errors_fail_their_item_only(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    ids = chats(3)
    faulty.permanent = {phone(1): (409, 2013), phone(4): (400, 1002), phone(7): (404, 2001)}
    items = [(ids[i % 3], phone(i)) for i in range(9)]

    result = await batch_client.chats.participants.add_many(items)

    assert [o.ok for o in result] == [True, False, True, True, False, True, True, False, True]
    codes = {o.index: (type(o.error).__name__, o.error.code) for o in result.failed}  # type: ignore[union-attr]
    assert codes == {1: ("ConflictError", 2013), 4: ("BadRequestError", 1002), 7: ("NotFoundError", 2001)}
    assert all(o.attempts == 1 for o in result.failed)
    assert isinstance(result.failed[0].error, ConflictError)
    check_invariants(result, items, faulty, 8)


async def test_invalid_pairs_fail_unsent(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    [chat] = chats(1)
    items: list[Any] = [
        (chat, phone(1)),
        ("../admin", phone(2)),
        (chat, "+1 415 555 0100"),
        (chat, "＋１４１５５５５０１００"),
        ("not a pair",),
        "ab",
        None,
        (uuid.UUID(chat), phone(3)),
        [chat.upper(), phone(4)],
    ]

    result = await batch_client.chats.participants.add_many(items)

    assert [o.ok for o in result] == [True, False, False, False, False, False, False, True, True]
    for outcome in result.failed:
        assert isinstance(outcome.error, ValidationError)
        assert isinstance(outcome.error, ValueError)
        assert outcome.attempts == 0
    assert result.failed[0].chat_id == "../admin"
    assert result.outcomes[7].chat_id == chat
    assert result.outcomes[8].chat_id == chat
    assert faulty.arrivals[chat] == [phone(1), phone(3), phone(4)]
    assert faulty.requests == 3


async def test_one_chat_runs_serially_in_input_order(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    [chat] = chats(1)
    faulty.delay = 0.003
    items = [(chat, phone(i)) for i in range(40)]
    result = await batch_client.chats.participants.add_many(items, concurrency=16)
    assert result.succeeded_count == 40
    assert faulty.arrivals[chat] == [phone(i) for i in range(40)]
    assert faulty.max_total == 1


async def test_concurrency_across_chats_is_real_and_bounded(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    faulty.delay = 0.05
    ids = chats(30)
    items = [(c, phone(i)) for i, c in enumerate(ids)]
    result = await batch_client.chats.participants.add_many(items, concurrency=10)
    assert result.succeeded_count == 30
    assert 5 <= faulty.max_total <= 10


async def test_a_429_pauses_every_worker(api: ScriptedAPI, sleeps: Sleeps) -> None:
    ids = chats(8)
    api.reply(202, ADD_OK, times=3)
    api.reply(429, envelope(429, 1007, retry_after=5))
    client = AsyncLinqClient(KEY, base_url=api.base_url, retry=RetryPolicy(sleep=sleeps, jitter=lambda: 0.0))
    async with client:
        result = await client.chats.participants.add_many([(c, phone(i)) for i, c in enumerate(ids)], concurrency=1)
        # A request of the caller's own after the batch, in the same task: the batch's cooldown
        # (still running) is the batch's, not the caller's.
        await client.chats.participants.add(ids[0], handle=phone(99))
    assert result.succeeded_count == 8
    # concurrency=1: the fourth item got the 429 and its retry policy waited 5 s. Then each of the
    # five requests that followed (its retry and items 5-8) first waited out the shared cooldown:
    # the injected sleep lets no real time pass, so the cooldown is still running for all of them.
    assert len(api.seen) == 9 + 1
    assert sleeps[0] == 5.0
    assert len(sleeps) == 1 + 5
    assert all(4 < s <= 5 for s in sleeps[1:])


async def test_progress_is_reported(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    ids = chats(4)
    seen: list[tuple[int, int | None]] = []
    items = [(ids[i % 4], phone(i)) for i in range(10)] + [("bad", "x")]
    await batch_client.chats.participants.add_many(items, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 11) for i in range(1, 12)]
    seen.clear()
    await batch_client.chats.participants.add_many((p for p in items), on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, None) for i in range(1, 12)]


async def test_async_iterable_input(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    ids = chats(5)

    async def pairs() -> AsyncIterator[tuple[str, str]]:
        for i in range(25):
            await asyncio.sleep(0)
            yield ids[i % 5], phone(i)

    result = await batch_client.chats.participants.add_many(pairs())
    assert result.succeeded_count == 25


async def test_remove_many(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    ids = chats(2)
    result = await batch_client.chats.participants.remove_many([(ids[0], phone(1)), (ids[1], "a@b.co")])
    assert [o.ok for o in result] == [True, True]
    assert faulty.requests == 2


async def test_empty_batch(batch_client: AsyncLinqClient) -> None:
    result = await batch_client.chats.participants.add_many([])
    assert (result.total, result.complete, len(result)) == (0, True, 0)


@pytest.mark.parametrize(
    ("items", "concurrency", "on_progress"),
    [
        ([], 0, None),
        ([], -1, None),
        ([], 1.5, None),
        ([], True, None),
        ([], 10_000, None),
        ([], 8, "not callable"),
        ("550e8400-e29b-41d4-a716-446655440000", 8, None),
        (42, 8, None),
    ],
)
async def test_misuse_raises_before_anything_is_sent(
    faulty: Faulty, batch_client: AsyncLinqClient, items: Any, concurrency: Any, on_progress: Any
) -> None:
    with pytest.raises(ValidationError):
        await batch_client.chats.participants.add_many(items, concurrency=concurrency, on_progress=on_progress)
    with pytest.raises(ValidationError):
        async for _ in batch_client.chats.participants.iter_add(
            items, concurrency=concurrency, on_progress=on_progress
        ):
            pass
    assert faulty.requests == 0


async def test_streaming_holds_state_bounded_by_concurrency(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    ids = chats(20)
    consumed = 0

    def pairs() -> Iterator[tuple[str, str]]:
        # Sorted by chat, as an export would be: runs of 400 items for one chat, which can only go
        # one at a time, so only the look-ahead bound stops the reader from racing ahead.
        nonlocal consumed
        for i in range(8_000):
            consumed += 1
            yield ids[i // 400], phone(i)

    yielded = 0
    most_ahead = 0
    async for outcome in batch_client.chats.participants.iter_add(pairs(), concurrency=4):
        assert outcome.ok
        yielded += 1
        most_ahead = max(most_ahead, consumed - yielded)
    assert yielded == 8_000
    assert most_ahead <= LOOKAHEAD * 4


@pytest.mark.parametrize("concurrency", [8, 1])  # 1: the item in flight is sent inline, not in a task
async def test_cancelling_add_many_reports_every_item_read(
    faulty: Faulty, batch_client: AsyncLinqClient, concurrency: int
) -> None:
    faulty.delay = 0.02 if concurrency > 1 else 0.002
    ids = chats(20)
    items = [(ids[i % 20], phone(i)) for i in range(400)]
    task = asyncio.create_task(batch_client.chats.participants.add_many(items, concurrency=concurrency))
    while faulty.requests < 30:
        await asyncio.sleep(0.005)
    assert sdk_tasks(), "the probe sees the batch's tasks while it runs"
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as info:
        await task

    partial = BatchResult.from_exception(info.value)
    assert partial is not None and not partial.complete
    indices = [o.index for o in partial.outcomes]
    assert indices == list(range(len(indices)))
    assert 30 <= len(indices) < 400
    cancelled = [o for o in partial.failed if isinstance(o.error, ItemCancelledError)]
    assert cancelled, "items in flight or waiting are reported as cancelled"
    assert any(o.error.sent for o in cancelled)  # type: ignore[union-attr]
    assert sum(1 for o in cancelled if o.error.sent) <= concurrency  # type: ignore[union-attr]
    assert all(o.ok for o in partial.outcomes if not isinstance(o.error, ItemCancelledError))
    await asyncio.sleep(0.2)  # anything still on its way has arrived by now
    assert sdk_tasks() == set(), "no orphan task"
    arrived = {(c, h) for c, handles in faulty.arrivals.items() for h in handles}
    for outcome in partial.outcomes:
        pair = (outcome.chat_id, outcome.handle)
        if isinstance(outcome.error, ItemCancelledError) and not outcome.error.sent:
            assert pair not in arrived, f"item {outcome.index} was reported unsent but reached the server"
    sent = sum(1 for o in cancelled if o.error.sent)  # type: ignore[union-attr]
    assert faulty.requests <= partial.succeeded_count + sent, "a request was sent after the cancel"
    assert len(arrived) == faulty.requests, "no item was sent twice"


async def test_breaking_out_of_iter_add_cancels_in_flight(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    faulty.delay = 0.05
    ids = chats(20)
    async with contextlib.aclosing(
        batch_client.chats.participants.iter_add([(c, phone(i)) for i, c in enumerate(ids)], concurrency=8)
    ) as stream:
        async for _ in stream:
            break
    # Closed: no task of the SDK is left to send anything more. What was in flight when it closed (at
    # most the 8 workers' requests, one of them started when the first finished) may still arrive.
    assert sdk_tasks() == set()
    await asyncio.sleep(0.2)
    assert faulty.requests <= 9


async def test_a_send_that_swallows_its_cancellation_neither_hangs_nor_sends_more() -> None:
    # Code outside the SDK (a user's session, a sleep of theirs) may eat one cancellation: the
    # worker that ran it must stop, not take the items that were left unsent.
    started: list[int] = []

    def prepare(index: int, raw: object) -> Work[int]:
        async def send() -> int:
            started.append(index)
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                if index == 0:
                    return index  # swallowed
                raise
            return index

        return Work(f"chat-{index}", send)

    batch = Batch(range(12), prepare, policy=RetryPolicy(), concurrency=3, on_progress=None)
    running = asyncio.ensure_future(collect(batch))
    while len(started) < 3:  # the three workers are sending
        await asyncio.sleep(0.001)
    running.cancel()
    await asyncio.wait_for(asyncio.wait([running]), 2)
    assert started == [0, 1, 2]  # nothing more was taken after the cancel
    assert sdk_tasks() == set()


class _Halt(BaseException):
    """An exception meant to stop a program, as a user's code (or a framework) may raise."""


def _stopping_batch(raising: BaseException, concurrency: int, started: list[int]) -> Batch[int]:
    # Item 4 raises `raising` from its send; the others answer after a short wait.
    def prepare(index: int, raw: object) -> Work[int]:
        async def send() -> int:
            started.append(index)
            if index == 4:
                raise raising
            await asyncio.sleep(0.01)
            return index

        return Work(f"chat-{index}", send)

    return Batch(range(40), prepare, policy=RetryPolicy(), concurrency=concurrency, on_progress=None)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_send_raising_a_base_exception_stops_the_batch_with_its_partial_result(concurrency: int) -> None:
    started: list[int] = []
    batch = _stopping_batch(_Halt("stop now"), concurrency, started)
    with pytest.raises(_Halt) as info:
        await asyncio.wait_for(collect(batch), 2)  # before: the batch waited forever for item 4
    partial = BatchResult.from_exception(info.value)
    assert partial is not None and not partial.complete
    by_index = {o.index: o for o in partial.outcomes}
    assert isinstance(by_index[4].error, ItemCancelledError) and by_index[4].error.sent
    assert "stopped by _Halt" in str(by_index[4].error)
    assert set(by_index) >= set(started), "every item that started has an outcome"
    assert len(started) <= 4 + 2 * concurrency, "the batch stopped taking items"
    assert sdk_tasks() == set()


def _halting_batch(items: Any, halt_after: float, others: float) -> Batch[int]:
    # Item 0 raises _Halt from its send after `halt_after` s; the others answer after `others` s.
    def prepare(index: int, raw: object) -> Work[int]:
        async def send() -> int:
            if index == 0:
                await asyncio.sleep(halt_after)
                raise _Halt("stop now")
            await asyncio.sleep(others)
            return index

        return Work(f"chat-{index}", send)

    return Batch(items, prepare, policy=RetryPolicy(), concurrency=3, on_progress=None)


async def test_a_cancel_wins_over_a_base_exception_raised_while_the_batch_stops() -> None:
    # Item 0's send raises while the batch is being cancelled (its cleanup, say). The cancel is what
    # the caller (a timeout, a task group) must see; the item's outcome says what stopped it.
    def prepare(index: int, raw: object) -> Work[int]:
        async def send() -> int:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if index == 0:
                    raise _Halt("stop now") from None
                raise
            return index

        return Work(f"chat-{index}", send)

    batch = Batch(range(6), prepare, policy=RetryPolicy(), concurrency=3, on_progress=None)
    with pytest.raises(TimeoutError) as info:
        async with asyncio.timeout(0.02):
            await collect(batch)
    partial = BatchResult.from_exception(info.value)  # found behind the timeout's error
    assert partial is not None and [o.index for o in partial.outcomes] == list(range(6))
    assert "stopped by _Halt" in str(partial.outcomes[0].error)
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    assert sdk_tasks() == set()


@pytest.mark.parametrize("how", ["cancel", "timeout"])
async def test_a_second_cancel_while_the_batch_stops_keeps_its_partial_result(how: str) -> None:
    # The sends take a moment to clean up after their cancel (as a connection closing does); a
    # second cancel, or a timeout around the batch, arrives meanwhile. Before, it cut the stop short:
    # the caller got no partial result, and the workers ended on their own later.

    def prepare(index: int, raw: object) -> Work[int]:
        async def send() -> int:
            if index < 2:
                return index
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                await asyncio.sleep(0.05)  # the cleanup
                raise
            return index

        return Work(f"chat-{index}", send)

    batch = Batch(range(6), prepare, policy=RetryPolicy(), concurrency=3, on_progress=None)
    if how == "cancel":
        task = asyncio.create_task(collect(batch))
        await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.sleep(0.01)  # the batch waits for its sends' cleanup
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await task
        caught: BaseException = info.value
    else:

        async def cancelled_then_timed_out() -> None:
            async with asyncio.timeout(0.03):  # fires while the batch stops for its task's own cancel
                inner = asyncio.create_task(collect(batch))
                await asyncio.sleep(0.02)
                inner.cancel()
                await inner  # the timeout cancels the test's task, and with it this wait and `inner`

        with pytest.raises(TimeoutError) as timed_out:
            await cancelled_then_timed_out()
        caught = timed_out.value
    partial = BatchResult.from_exception(caught)
    assert partial is not None and [o.index for o in partial.outcomes] == list(range(6))
    assert [o.ok for o in partial.outcomes[:2]] == [True, True]
    assert all(isinstance(o.error, ItemCancelledError) for o in partial.outcomes[2:])
    assert sdk_tasks() == set(), "every worker ended before the cancel reached the caller"


async def test_a_base_exception_raised_while_the_consumer_holds_an_outcome_reaches_it() -> None:
    # The consumer works on outcome 1 while item 0's send raises, then leaves the loop: before, the
    # close of the stream dropped the exception.
    async def consume(batch: Batch[int]) -> None:
        async with contextlib.aclosing(batch.outcomes()) as stream:
            async for outcome in stream:
                assert outcome.index != 0
                await asyncio.sleep(0.05)
                break

    with pytest.raises(_Halt):
        await consume(_halting_batch(range(3), halt_after=0.01, others=0.001))
    assert sdk_tasks() == set()


async def test_a_base_exception_is_raised_when_the_async_input_yields_next() -> None:
    # The dispatcher waits for its input while item 0's send raises: the batch does not wait for the
    # item (as before), and raises it when the input gives its next item.
    async def items() -> AsyncIterator[int]:
        for i in range(3):
            yield i
        await asyncio.sleep(0.2)  # a queue-fed input waiting for more work
        yield 3
        await asyncio.sleep(3600)

    started = asyncio.get_running_loop().time()
    with pytest.raises(_Halt) as info:
        async with asyncio.timeout(2):
            await collect(_halting_batch(items(), halt_after=0.01, others=0.001))
    assert 0.15 < asyncio.get_running_loop().time() - started < 1
    partial = BatchResult.from_exception(info.value)
    assert partial is not None and {0, 1, 2} <= {o.index for o in partial.outcomes}
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    await asyncio.sleep(0)
    assert sdk_tasks() == set()


_CTRL_C_WHILE_READING = """
import asyncio, sys, time
from linq_async import RetryPolicy
from linq_async._batch import Batch, Work, collect

async def items():
    for i in range(3):
        yield i
    await asyncio.sleep(3600)
    yield 3

def prepare(index, raw):
    async def send():
        await asyncio.sleep(0.01)
        if index == 0:
            raise KeyboardInterrupt
        return index
    return Work(f"chat-{index}", send)

started = time.monotonic()
try:
    asyncio.run(collect(Batch(items(), prepare, policy=RetryPolicy(), concurrency=3, on_progress=None)))
except KeyboardInterrupt:
    print(f"interrupted after {time.monotonic() - started:.2f}s")
"""


def test_ctrl_c_in_a_worker_while_the_batch_waits_for_its_input_leaves_the_loop_at_once() -> None:
    # The dispatcher cannot take it now: it leaves the loop from the worker, as asyncio raises it,
    # rather than wait for the input. In a process of its own, as a program would see it.
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_READING], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.startswith("interrupted after "), done.stdout + done.stderr
    assert float(done.stdout.split()[2].rstrip("s")) < 1
    assert "never retrieved" not in done.stderr, done.stderr  # the worker's exception was seen


def test_ctrl_c_inside_a_worker_is_raised_where_the_batch_is_awaited() -> None:
    # Run in a loop of its own: before, the KeyboardInterrupt left the worker and the loop, past the
    # batch (and would have stopped this test session).
    started: list[int] = []

    async def main() -> BaseException:
        batch = _stopping_batch(KeyboardInterrupt(), 3, started)
        try:
            await collect(batch)
        except KeyboardInterrupt as exc:
            assert sdk_tasks() == set()
            return exc
        raise AssertionError("the batch finished")

    try:
        interrupt = asyncio.run(main())
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C in a worker escaped past the batch, without its partial result")
    partial = BatchResult.from_exception(interrupt)
    assert partial is not None and not partial.complete
    assert 4 in {o.index for o in partial.failed}


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_cancellation_raised_by_the_send_itself_fails_that_item_only(concurrency: int) -> None:
    # Not a cancel of the batch: outside code in the send raised CancelledError on its own.
    started: list[int] = []
    batch = _stopping_batch(asyncio.CancelledError(), concurrency, started)
    result = await asyncio.wait_for(collect(batch), 5)
    assert result.complete and result.total == 40
    [failed] = result.failed
    assert failed.index == 4
    assert isinstance(failed.error, ItemCancelledError) and failed.error.sent
    assert "inside the send" in str(failed.error)
    assert result.succeeded_count == 39


async def test_a_failing_input_iterator_raises_with_the_partial_result(
    faulty: Faulty, batch_client: AsyncLinqClient
) -> None:
    ids = chats(3)

    def pairs() -> Iterator[tuple[str, str]]:
        for i in range(5):
            yield ids[i % 3], phone(i)
        raise OSError("the CSV file went away")

    with pytest.raises(OSError, match="went away") as info:
        await batch_client.chats.participants.add_many(pairs())
    partial = BatchResult.from_exception(info.value)
    assert partial is not None
    assert [o.index for o in partial.outcomes] == [0, 1, 2, 3, 4]
    # Items read before the failure, in flight or queued behind their chat, still finished.
    assert all(o.ok for o in partial.outcomes)
    assert faulty.requests == 5
    assert not partial.complete


async def test_a_raising_progress_callback_loses_no_item(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    """The outcome being reported when the callback raised is in the partial result (production networks)."""
    reported: list[int] = []

    def progress(done: int, total: int | None) -> None:
        reported.append(done)
        if done == 3:
            raise RuntimeError("progress bar broke")

    items = [(c, phone(1)) for c in chats(10)]
    with pytest.raises(RuntimeError, match="progress bar broke") as info:
        await batch_client.chats.participants.add_many(items, on_progress=progress, concurrency=1)
    partial = BatchResult.from_exception(info.value)
    assert partial is not None
    indexes = [o.index for o in partial.outcomes]
    assert indexes == sorted(set(indexes))
    sent_items = {i for i, (c, h) in enumerate(items) if faulty.answers.get((c, h))}
    # Every item that reached the server has an outcome, the third (being reported) included.
    assert sent_items <= set(indexes)
    assert partial.outcomes[2].ok


async def test_a_raising_progress_callback_stops_the_batch(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    def progress(done: int, total: int | None) -> None:
        if done == 3:
            raise RuntimeError("progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        await batch_client.chats.participants.add_many([(c, phone(1)) for c in chats(10)], on_progress=progress)


async def test_unexpected_errors_become_item_failures(
    batch_client: AsyncLinqClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(batch_client, "_request", broken)
    result = await batch_client.chats.participants.add_many([(chats(1)[0], phone(1))])
    [outcome] = result.failed
    assert "unexpected KeyError" in str(outcome.error)
    assert isinstance(outcome.error.__cause__, KeyError)  # type: ignore[union-attr]


async def test_transport_failures_are_reported_per_item(faulty: Faulty, sleeps: Sleeps) -> None:
    faulty.faults = {"reset": 1.0}
    async with AsyncLinqClient(KEY, base_url=faulty.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=1)) as client:
        result = await client.chats.participants.add_many([(c, phone(1)) for c in chats(3)])
    assert [type(o.error) for o in result] == [APIConnectionError] * 3
    assert [o.attempts for o in result] == [2, 2, 2]


async def test_html_502_then_success(faulty: Faulty, batch_client: AsyncLinqClient) -> None:
    faulty.faults = {"502-html": 0.5}
    result = await batch_client.chats.participants.add_many([(c, phone(1)) for c in chats(20)])
    assert result.succeeded_count == 20
    assert faulty.requests > 20


def test_sync_client_batches(threaded_api: ScriptedAPI) -> None:
    ids = chats(6)
    threaded_api.reply(404, envelope(404, 2001))
    with SyncLinqClient(KEY, base_url=threaded_api.base_url) as client:
        progress: list[int] = []
        result = client.chats.participants.add_many(
            [(c, phone(i)) for i, c in enumerate(ids)], concurrency=1, on_progress=lambda d, t: progress.append(d)
        )
        assert [o.ok for o in result] == [False, True, True, True, True, True]
        assert isinstance(result.outcomes[0].error, NotFoundError)
        assert progress == [1, 2, 3, 4, 5, 6]
        streamed = list(client.chats.participants.iter_remove((c, "a@b.co") for c in ids))
        assert sorted(o.index for o in streamed) == list(range(6))
        assert all(o.ok for o in streamed)
        generator = client.chats.participants.iter_add([(c, phone(1)) for c in ids])
        first = next(generator)
        generator.close()
        assert first.ok


async def test_retried_then_failed_item_keeps_last_error(faulty: Faulty, sleeps: Sleeps) -> None:
    faulty.faults = {"500/3006": 1.0}
    async with AsyncLinqClient(KEY, base_url=faulty.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        [outcome] = await client.chats.participants.add_many([(chats(1)[0], phone(1))])
    assert isinstance(outcome.error, InternalServerError)
    assert outcome.error.code == 3006
    assert outcome.attempts == 3


def test_outcome_and_result_helpers() -> None:
    ok = attrs_outcome(0, error=None)
    bad = attrs_outcome(1, error=ValidationError("x"))
    result = BatchResult(outcomes=(ok, bad))
    assert (result.total, result.succeeded_count, result.failed_count) == (2, 1, 1)
    assert result.succeeded == (ok,) and result.failed == (bad,)
    assert list(result) == [ok, bad]
    assert BatchResult.from_exception(ValueError()) is None


def attrs_outcome(index: int, error: Any) -> Any:
    from linq_async import Outcome

    return Outcome(index=index, chat_id="c", handle="h", response=None, error=error, attempts=1)


def test_concurrency_callable_typing_example() -> None:
    callback: Callable[[int, int | None], object] = lambda done, total: None  # noqa: E731
    assert callback(1, None) is None


SIGINT_BATCH_CHILD = """
import sys, time, uuid
from linq_async import BatchResult, SyncLinqClient, ItemCancelledError
client = SyncLinqClient("%(key)s", base_url=sys.argv[1])
items = [(str(uuid.UUID(int=i %% 10 + 1)), "+1415%%07d" %% i) for i in range(300)]
print("ready", flush=True)
try:
    client.chats.participants.add_many(items, concurrency=5)
    print("finished", flush=True)
except KeyboardInterrupt as exc:
    partial = BatchResult.from_exception(exc)
    cancelled = [o for o in partial.failed if isinstance(o.error, ItemCancelledError)]
    indices = [o.index for o in partial.outcomes]
    assert indices == list(range(len(indices))), indices
    print("interrupted", len(partial.outcomes), partial.succeeded_count, len(cancelled), flush=True)
time.sleep(1.0)  # stay alive: un-cancelled work would go on sending meanwhile
print("after", flush=True)
client.close()
"""


@pytest.mark.slow
def test_ctrl_c_stops_a_sync_batch_and_keeps_its_partial_result(threaded_api: ScriptedAPI) -> None:
    import signal
    import subprocess
    import sys

    threaded_api.default = attrs.evolve(threaded_api.default, delay=0.05)
    child = subprocess.Popen(
        [sys.executable, "-c", SIGINT_BATCH_CHILD % {"key": KEY}, threaded_api.base_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    while len(threaded_api.seen) < 20:
        time.sleep(0.01)
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().split()
    assert line[0] == "interrupted", line
    total, succeeded, cancelled = map(int, line[1:])
    assert 15 - 5 <= succeeded < 300 and cancelled >= 1 and total == succeeded + cancelled
    requests = len(threaded_api.seen)
    assert child.stdout.readline().strip() == "after"
    _, stderr = child.communicate(timeout=10)
    assert child.returncode == 0, stderr
    assert len(threaded_api.seen) == requests, "requests went on after Ctrl-C"
    assert requests <= succeeded + 5
    assert "Task was destroyed" not in stderr and "Unclosed" not in stderr, stderr


TWO_SIGINTS_CHILD = """
import asyncio, os, signal, threading, time
import linq_async.resources.participants as participants
from linq_async import BatchResult, SyncLinqClient

waiting = threading.Event()

async def add(self, chat_id, *, handle, **options):  # no server: items 0 and 1 succeed, the rest wait
    if handle[-1] in "01":
        return "added"
    waiting.set()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.3)  # a cleanup, during which the second Ctrl-C comes
        raise

participants.Participants.add = add
items = [(f"5d0bfb4a-9e59-4a6a-8e5b-1c1f3f6c2d{i:02d}", f"+1415555010{i}") for i in range(6)]
client = SyncLinqClient("%(key)s", base_url="http://127.0.0.1:9/api/partner")

def interrupt():
    waiting.wait()
    time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=interrupt, daemon=True).start()
try:
    client.chats.participants.add_many(items, concurrency=3)
except KeyboardInterrupt as exc:
    partial = BatchResult.from_exception(exc)
    print("partial", None if partial is None else [o.ok for o in partial.outcomes], flush=True)
client.close()
"""


@pytest.mark.slow
def test_a_second_ctrl_c_while_a_sync_batch_stops_keeps_its_partial_result() -> None:
    # The second Ctrl-C raises at once in the calling thread; the batch still ends its stop on the
    # thread's loop meanwhile, and its partial result travels with the KeyboardInterrupt.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", TWO_SIGINTS_CHILD % {"key": KEY}],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "partial [True, True, False, False, False, False]", done.stdout + done.stderr
    assert "Task was destroyed" not in done.stderr, done.stderr


# participants.add / participants.remove on both clients, against the fake ----------------------


def test_add_and_remove_on_both_clients(any_client: Any, fake_server: Any) -> None:
    chat = fake_server.create_chat(["+14155550301", "+14155550302"])
    added = any_client.chats.participants.add(chat, handle="+14155550303")
    assert added.status == "accepted"
    assert added.trace_id
    assert "+14155550303" in fake_server.participants(chat)
    assert any_client.chats.participants.remove(chat, handle="+14155550301").status == "accepted"
    assert fake_server.participants(chat) == ["+14155550302", "+14155550303"]
    with pytest.raises(ConflictError) as info:
        any_client.chats.participants.remove(chat, handle="+14155550302")
    assert info.value.code == 2015


def test_batches_on_both_clients(any_client: Any, fake_server: Any) -> None:
    chat = fake_server.create_chat(["+14155550301", "+14155550302"])
    pairs = [(chat, f"+141555504{n:02d}") for n in range(5)]
    assert any_client.chats.participants.add_many(pairs).succeeded_count == 5
    assert len(list(any_client.chats.participants.iter_remove(pairs[:2]))) == 2
    assert any_client.chats.participants.remove_many(pairs[2:4]).succeeded_count == 2
    assert [o.ok for o in any_client.chats.participants.iter_add([(chat, "bad")])] == [False]
    assert len(fake_server.participants(chat)) == 3
