"""The batch engine behind ``add_many``/``remove_many`` and their streaming forms.

Rules it keeps:

- exactly one outcome per input item, none lost, none sent twice after a success;
- at most one request in flight per chat, and a chat's items applied in input order (membership
  rules depend on order: 3+ members, 31 recipients at most); different chats run concurrently,
  up to ``concurrency`` requests at once;
- input is read lazily and only ``LOOKAHEAD * concurrency`` items are held at a time, so a
  generator of a million pairs runs in flat memory;
- an invalid pair fails its own item, unsent; permanent API errors fail their item only;
  transient ones are retried by the client's policy;
- a 429 on any request pauses every worker for the server's delay (one shared cooldown);
- cancelling stops new requests at once, cancels those in flight, leaves no task behind, and
  reports every item read so far.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable, Iterator, Sized
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import attrs

from . import _validate
from ._errors import APIError, LinqError, RateLimitError, ValidationError

if TYPE_CHECKING:
    from ._retry import RetryPolicy

__all__ = ["BatchResult", "ItemCancelledError", "Outcome", "Pair", "ProgressCallback"]

R = TypeVar("R")

Pair: TypeAlias = tuple[str | uuid.UUID, str]
"""One batch item: a chat id and a handle."""

ProgressCallback: TypeAlias = Callable[[int, int | None], object]
"""Called as ``on_progress(done, total)`` after each item; ``total`` is None for iterators."""

# Items held at once per unit of concurrency: enough to find other chats' items behind a run of
# one chat's (a chat takes at most 31 recipients), small enough to keep memory flat.
LOOKAHEAD = 64
MAX_CONCURRENCY = 1000


class ItemCancelledError(LinqError):
    """The batch was cancelled before this item finished.

    ``sent`` tells whether its request may have reached the server (it was in flight), in which
    case the change may or may not have been applied.
    """

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


@attrs.frozen(kw_only=True)
class Outcome(Generic[R]):
    """What happened to one item of a batch: ``response`` if ``ok``, else ``error``."""

    index: int
    chat_id: str
    handle: str
    response: R | None = None
    error: LinqError | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """Whether the API accepted the change."""
        return self.error is None


@attrs.frozen(kw_only=True)
class BatchResult(Generic[R]):
    """Every item's outcome, in input order. ``complete`` is False when the batch was cancelled."""

    outcomes: tuple[Outcome[R], ...]
    complete: bool = True

    @property
    def succeeded(self) -> tuple[Outcome[R], ...]:
        """The outcomes whose change was accepted."""
        return tuple(o for o in self.outcomes if o.error is None)

    @property
    def failed(self) -> tuple[Outcome[R], ...]:
        """The outcomes that carry an error (refused, failed or cancelled)."""
        return tuple(o for o in self.outcomes if o.error is not None)

    @property
    def total(self) -> int:
        """How many items have an outcome."""
        return len(self.outcomes)

    @property
    def succeeded_count(self) -> int:
        """How many changes were accepted."""
        return sum(1 for o in self.outcomes if o.error is None)

    @property
    def failed_count(self) -> int:
        """How many items failed."""
        return self.total - self.succeeded_count

    @property
    def attempts(self) -> int:
        """How many requests were sent in all, retries included."""
        return sum(o.attempts for o in self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[Outcome[R]]:
        return iter(self.outcomes)

    @staticmethod
    def from_exception(exc: BaseException) -> BatchResult[Any] | None:
        """Return the partial result carried by a cancelled batch's exception, if any.

        ``add_many`` attaches it to the ``CancelledError`` it re-raises, and the sync client to the
        ``KeyboardInterrupt`` that stopped it.
        """
        result = getattr(exc, "batch_result", None)
        return result if isinstance(result, BatchResult) else None


class _Cooldown:
    """One pause shared by every worker of a batch, set by a 429."""

    __slots__ = ("_loop", "_sleep", "until")

    def __init__(self, sleep: Callable[[float], Awaitable[Any]]) -> None:
        self._loop = asyncio.get_running_loop()
        self._sleep = sleep
        self.until = 0.0

    def extend(self, delay: float) -> None:
        self.until = max(self.until, self._loop.time() + delay)

    def pause(self) -> Awaitable[Any] | None:
        """What to await before the next request: the rest of the cooldown, or None."""
        if not self.until:
            return None
        remaining = self.until - self._loop.time()
        return self._sleep(remaining) if remaining > 0 else None


class _ItemHook:
    """Counts one item's attempts and applies the batch's shared cooldown before each."""

    __slots__ = ("_cooldown", "_policy", "attempts")

    def __init__(self, cooldown: _Cooldown, policy: RetryPolicy) -> None:
        self._cooldown = cooldown
        self._policy = policy
        self.attempts = 0

    def before_attempt(self) -> Awaitable[Any] | None:
        self.attempts += 1
        return self._cooldown.pause()

    def attempt_failed(self, error: APIError) -> None:
        if isinstance(error, RateLimitError):
            delay = self._policy.server_delay(error)
            self._cooldown.extend(self._policy.initial_delay if delay is None else delay)


Send: TypeAlias = Callable[[str, str, _ItemHook], Awaitable[R]]


class _Finished(Generic[R]):
    """Outcomes waiting for the dispatcher: a deque and one future to wake it (cheaper than a Queue)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Outcome[R]] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def put(self, outcome: Outcome[R]) -> None:
        self._items.append(outcome)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Outcome[R]:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def drain(self) -> list[Outcome[R]]:
        items = list(self._items)
        self._items.clear()
        return items


class _Item:
    __slots__ = ("chat_id", "handle", "index")

    def __init__(self, index: int, chat_id: str, handle: str) -> None:
        self.index = index
        self.chat_id = chat_id
        self.handle = handle


def check_arguments(items: object, concurrency: object, on_progress: object) -> None:
    """Refuse misuse before anything starts (the only errors a batch call raises)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValidationError(f"concurrency must be an int from 1 to {MAX_CONCURRENCY}, got {concurrency!r}")
    if on_progress is not None and not callable(on_progress):
        raise ValidationError(f"on_progress must be callable, got {type(on_progress).__name__}")
    if isinstance(items, (str, bytes)) or not isinstance(items, (Iterable, AsyncIterable)):
        raise ValidationError(f"items must be an iterable of (chat_id, handle) pairs, got {type(items).__name__}")


def _shown_text(value: object) -> str:
    return value if isinstance(value, str) else (str(value) if isinstance(value, uuid.UUID) else repr(value))


class Batch(Generic[R]):
    """One run of the engine. ``outcomes()`` yields as items finish; ``unfinished`` after a cancel."""

    def __init__(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        send: Send[R],
        *,
        policy: RetryPolicy,
        concurrency: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        check_arguments(items, concurrency, on_progress)
        self._items = items
        self._send = send
        self._policy = policy
        self._concurrency = concurrency
        self._on_progress = on_progress
        self._total = len(items) if isinstance(items, Sized) else None
        self.unfinished: list[Outcome[R]] = []

    def _parse(self, index: int, raw: object) -> _Item | Outcome[R]:
        if not isinstance(raw, (tuple, list)) or len(raw) != 2:
            return Outcome(
                index=index,
                chat_id="",
                handle="",
                error=ValidationError(f"item {index} is not a (chat_id, handle) pair: {_validate.shown(raw)}"),
            )
        chat_id, handle = raw
        try:
            return _Item(index, _validate.chat_id(chat_id), _validate.handle(handle))
        except ValidationError as exc:
            return Outcome(index=index, chat_id=_shown_text(chat_id), handle=_shown_text(handle), error=exc)

    async def _one(self, item: _Item, cooldown: _Cooldown, done: _Finished[R]) -> None:
        hook = _ItemHook(cooldown, self._policy)
        try:
            response = await self._send(item.chat_id, item.handle, hook)
        except LinqError as exc:
            outcome: Outcome[R] = Outcome(
                index=item.index, chat_id=item.chat_id, handle=item.handle, error=exc, attempts=hook.attempts
            )
        except Exception as exc:  # noqa: BLE001 - one item's surprise must not take the batch down
            error = LinqError(f"unexpected {type(exc).__name__} while sending item {item.index}: {exc}")
            error.__cause__ = exc
            outcome = Outcome(
                index=item.index, chat_id=item.chat_id, handle=item.handle, error=error, attempts=hook.attempts
            )
        else:
            outcome = Outcome(
                index=item.index, chat_id=item.chat_id, handle=item.handle, response=response, attempts=hook.attempts
            )
        done.put(outcome)

    async def outcomes(self) -> AsyncGenerator[Outcome[R], None]:
        """Run the batch, yielding each outcome as its item finishes (completion order)."""
        sleep = self._policy.sleep if self._policy.sleep is not None else asyncio.sleep
        cooldown = _Cooldown(sleep)
        done: _Finished[R] = _Finished()
        concurrency = self._concurrency
        lookahead = LOOKAHEAD * concurrency
        # chat id -> items waiting behind the one in flight for that chat, in input order
        waiting: dict[str, deque[_Item]] = {}
        # item index -> (task, item) for every item sent whose outcome is not consumed yet; it shrinks
        # when the outcome is taken from `done`, never in a task callback, so the count is exact.
        in_flight: dict[int, tuple[asyncio.Task[None], _Item]] = {}
        next_sync, next_async = _reader(self._items)
        held = 0  # items read and not finished: in flight or waiting
        index = 0
        finished = 0
        exhausted = False
        loop = asyncio.get_running_loop()
        on_progress, total = self._on_progress, self._total

        def start(item: _Item) -> None:
            in_flight[item.index] = (loop.create_task(self._one(item, cooldown, done)), item)

        try:
            while True:
                while not exhausted and len(in_flight) < concurrency and held < lookahead:
                    try:
                        raw = next_sync() if next_sync is not None else await next_async()
                    except (StopIteration, StopAsyncIteration):
                        exhausted = True
                        break
                    parsed = self._parse(index, raw)
                    index += 1
                    if isinstance(parsed, Outcome):  # refused before sending
                        outcome = parsed
                    else:
                        held += 1
                        queue = waiting.get(parsed.chat_id)
                        if queue is None:
                            waiting[parsed.chat_id] = deque()
                            start(parsed)
                        else:
                            queue.append(parsed)
                        continue
                    finished += 1
                    if on_progress is not None:
                        on_progress(finished, total)
                    yield outcome
                if not in_flight:
                    if exhausted:
                        return
                    continue
                outcome = await done.get()
                del in_flight[outcome.index]
                held -= 1
                queue = waiting[outcome.chat_id]
                if queue:
                    start(queue.popleft())
                else:
                    del waiting[outcome.chat_id]
                finished += 1
                if on_progress is not None:
                    on_progress(finished, total)
                yield outcome
        finally:
            self.unfinished = await _stop(in_flight, waiting, done)


async def _stop(
    in_flight: dict[int, tuple[asyncio.Task[None], _Item]],
    waiting: dict[str, deque[_Item]],
    done: _Finished[R],
) -> list[Outcome[R]]:
    """Cancel what is in flight, wait for it, and report every item read but not yielded."""
    tasks = [task for task, _ in in_flight.values()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)
    left = {outcome.index: outcome for outcome in done.drain()}  # finished before the cancel, never yielded
    for index, (_, item) in in_flight.items():
        if index not in left:
            left[index] = _cancelled(item, sent=True)
    for queue in waiting.values():
        for item in queue:
            left[item.index] = _cancelled(item, sent=False)
    return [left[i] for i in sorted(left)]


def _cancelled(item: _Item, *, sent: bool) -> Outcome[Any]:
    reason = "in flight; it may or may not have been applied" if sent else "not sent"
    return Outcome(
        index=item.index,
        chat_id=item.chat_id,
        handle=item.handle,
        error=ItemCancelledError(f"the batch was cancelled while item {item.index} was {reason}", sent=sent),
    )


def _reader(items: Iterable[Pair] | AsyncIterable[Pair]) -> tuple[Any, Any]:
    if isinstance(items, AsyncIterable):
        return None, items.__aiter__().__anext__
    return iter(items).__next__, None


async def collect(batch: Batch[R]) -> BatchResult[R]:
    """Run a batch to the end and return every outcome in input order.

    If it stops early (cancelled, or the input iterator raised) the exception is re-raised carrying
    ``batch_result``: the outcomes so far plus an ``ItemCancelledError`` outcome for each item read
    but not finished.
    """
    outcomes: list[Outcome[R]] = []
    stream = batch.outcomes()
    try:
        async for outcome in stream:
            outcomes.append(outcome)
    except BaseException as exc:  # cancelled, Ctrl-C, or the input iterator itself failed
        await stream.aclose()
        outcomes.extend(batch.unfinished)
        outcomes.sort(key=lambda o: o.index)
        exc.batch_result = BatchResult(outcomes=tuple(outcomes), complete=False)  # type: ignore[attr-defined]
        raise
    outcomes.sort(key=lambda o: o.index)
    return BatchResult(outcomes=tuple(outcomes))
