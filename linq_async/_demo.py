"""``python -m linq_async demo``: a batch of participant additions against the embedded fake server.

It starts ``FakeLinqServer``, creates group chats and queues a few faults (server errors, a rate
limit, an HTML 502, dropped connections), all through the public ``AsyncLinqClient``; then it
batch-adds participants across the chats with a live progress bar, prints what happened and
checks the fake's final state. A handful of items are wrong on purpose, to show how failures are
reported.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

from ._batch import BatchResult
from ._client import AsyncLinqClient
from ._console import Console
from ._errors import ValidationError
from .models.chats import ParticipantAddResponse
from .testing import FakeLinqServer

FAULTS = [("500/3006", 8), ("502", 4), ("reset", 3), ("429", 1)]


class _RetryCounter(logging.Handler):
    """Counts the retries the client logs, for the live progress note."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "linq_attempt"):
            self.count += 1


def _phone(chat: int, n: int) -> str:
    return f"+1415{chat:03d}{n:04d}"


async def run(console: Console, *, chats: int = 36, per_chat: int = 5, concurrency: int = 8) -> int:
    """Run the demo; return the process exit code (0 when everything behaved as expected)."""
    if not 1 <= chats <= 500:
        raise ValidationError(f"chats must be from 1 to 500, got {chats}")
    async with FakeLinqServer() as fake, AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
        line = fake.lines[0]
        groups = [
            created.chat.id
            for created in await asyncio.gather(
                *(
                    client.chats.create(line, [_phone(c, 0), _phone(c, 1)], f"Welcome to group {c}!")
                    for c in range(chats)
                )
            )
        ]
        direct = (await client.chats.create(line, ["+14155550999"], "Just us two.")).chat.id
        fake.set_services("+14155550996", ["RCS"])  # an RCS-only phone
        items: list[tuple[str, str]] = [(groups[c], _phone(c, n)) for n in range(2, 2 + per_chat) for c in range(chats)]
        mistakes = [
            (direct, "+14155550998"),  # a 1:1 chat takes no participants
            (groups[-1], "+14155550996"),  # an RCS-only user cannot join an iMessage group
            (groups[0], "+1 415 555 0100"),  # not E.164: refused before sending
            ("00000000-0000-4000-8000-000000000000", "+14155550997"),  # no such chat
        ]
        items[len(items) // 2 : len(items) // 2] = mistakes
        # Each fault is aimed at a different chat, so no item meets more than one and every fault
        # is retried through by the default policy (two retries), whatever the scheduling. With
        # fewer chats than faults, the surplus faults are left out.
        faults = [kind for kind, times in FAULTS for _ in range(times)][: len(groups)]
        for kind, chat in zip(faults, groups, strict=False):
            fake.inject(kind, path=f"/chats/{chat}/participants", retry_after=1)
        console.say(
            f"Fake Linq on {fake.base_url}: created {chats} group chats through the client; adding "
            f"{len(items)} participants with concurrency {concurrency}; injected faults: "
            + ", ".join(f"{kind} x{count}" for kind, count in Counter(faults).items())
        )
        before = len(fake.requests)
        retries = _RetryCounter()
        logger = logging.getLogger("linq_async")
        previous_level = logger.level
        logger.addHandler(retries)
        logger.setLevel(logging.INFO)
        started = time.perf_counter()
        try:
            with console.progress("adding", len(items)) as update:
                result = await client.chats.participants.add_many(
                    items,
                    concurrency=concurrency,
                    on_progress=lambda done, total: update(done, f"retries {retries.count}"),
                )
        finally:
            logger.removeHandler(retries)
            logger.setLevel(previous_level)
        elapsed = time.perf_counter() - started
        landed = all(
            fake.participants(chat) == [_phone(c, n) for n in range(2 + per_chat)] for c, chat in enumerate(groups)
        )
        _summary(console, result, elapsed, retries.count, len(fake.requests) - before, landed)
    expected_failures = len(mistakes)
    return 0 if landed and result.failed_count == expected_failures else 1


def _summary(
    console: Console,
    result: BatchResult[ParticipantAddResponse],
    elapsed: float,
    retries: int,
    requests: int,
    landed: bool,
) -> None:
    console.say(
        f"added {result.succeeded_count} of {result.total} in {elapsed:.2f}s; "
        f"{retries} retries; {requests} requests reached the server"
    )
    failures = Counter(
        (type(o.error).__name__, getattr(o.error, "status", "-"), getattr(o.error, "code", "-")) for o in result.failed
    )
    if failures:
        rows = [(name, status, code, count) for (name, status, code), count in sorted(failures.items())]
        console.table("failed items", ["error", "status", "code", "count"], rows)
        for outcome in result.failed:
            console.say(f"  item {outcome.index}: {outcome.chat_id} {outcome.handle}: {outcome.error}")
    console.say(
        "every valid addition landed in the fake, in input order" if landed else "MISMATCH: the fake's state differs"
    )
