"""The batch engine behind ``add_many``/``remove_many``/``send_many`` and their streaming forms.

It knows nothing of participants or messages. A batch is input items, a ``prepare`` function that
turns each into a ``Work`` (the chat it belongs to, the fields its outcome reports, and the call
that sends it; the same validation the single-item method runs) or refuses it, and the client's
retry policy. Rules it keeps:

- exactly one outcome per input item, none lost, none sent twice after a success;
- at most one request in flight per chat (a work item's ``key``), and a chat's items sent in input
  order (membership rules depend on order: 3+ members, 31 recipients at most; messages must arrive
  in order); different chats run concurrently, up to ``concurrency`` requests at once, sent by as
  many long-lived workers, each taking the next ready item itself when it finishes one;
- input is read lazily and only ``LOOKAHEAD * concurrency`` items are held at a time, so a
  generator of a million items runs in flat memory;
- an invalid item fails its own outcome, unsent; permanent API errors fail their item only;
  transient ones are retried by the client's policy;
- a 429 on any request pauses every worker for the server's delay (one shared cooldown), seen by
  the request core through the batch's ``AttemptListener``, set in the context its items run in:
  each worker runs in a copy of the context the batch started in (at concurrency 1, items run
  inline, in the caller's own context, the listener set around each one);
- cancelling (or closing the stream) stops new requests at once, cancels those in flight, leaves no
  task behind, and reports every item read so far (an item ready but not yet taken as not sent);
- an input that raises stops the reading only: every item already read is still sent (those in
  flight are not cancelled), then the input's exception is raised with every outcome attached.
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable, Iterator, Sized
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import attrs

from . import _validate
from ._client import listen, unlisten
from ._errors import APIError, LinqError, RateLimitError, ValidationError

if TYPE_CHECKING:
    from ._retry import RetryPolicy

__all__ = ["BatchResult", "ItemCancelledError", "Outcome", "Pair", "ProgressCallback", "Refused", "Work"]

R = TypeVar("R")

Pair: TypeAlias = tuple[str | uuid.UUID, str]
"""One participants batch item: a chat id and a handle."""

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
    """What happened to one item of a batch: ``response`` if ``ok``, else ``error``.

    ``chat_id`` is the chat the item went to; ``handle`` is set by participant batches and
    ``idempotency_key`` by message batches (send again with it to make sure a message went out once).
    """

    index: int
    chat_id: str
    handle: str | None = None
    idempotency_key: str | None = None
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
        """Return the partial result carried by a stopped batch's exception, if any.

        ``add_many`` attaches it to the exception it re-raises (a ``CancelledError``, the input's
        error, a ``KeyboardInterrupt``), and the sync client to the ``KeyboardInterrupt`` that stopped
        it. It is also found behind the exceptions raised from that one: the ``TimeoutError`` of an
        ``asyncio.timeout`` around the batch, the ``KeyboardInterrupt`` of ``asyncio.run`` after Ctrl-C.
        """
        current: BaseException | None = exc
        for _ in range(_CHAIN_DEPTH):
            if current is None:
                break
            result = getattr(current, "batch_result", None)
            if isinstance(result, BatchResult):
                return result
            current = current.__cause__ or current.__context__
        return None


_CHAIN_DEPTH = 8  # how far from_exception follows __cause__/__context__


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


class _BatchListener:
    """Counts each item's attempts and applies the batch's shared cooldown before each.

    One per batch, set once in the context every worker copies: setting a listener per item would
    change a context per item (three more objects per item for the garbage collector). An item's
    attempts are counted under the task sending it, which is the task that reads them.
    """

    __slots__ = ("_attempts", "_cooldown", "_policy")

    def __init__(self, cooldown: _Cooldown, policy: RetryPolicy) -> None:
        self._cooldown = cooldown
        self._policy = policy
        self._attempts: dict[asyncio.Task[Any] | None, int] = {}

    def before_attempt(self) -> Awaitable[Any] | None:
        attempts = self._attempts
        task = asyncio.current_task()
        attempts[task] = attempts.get(task, 0) + 1
        return self._cooldown.pause()

    def attempts(self) -> int:
        """How many attempts the current task's item made (its count is forgotten)."""
        return self._attempts.pop(asyncio.current_task(), 0)

    def attempt_failed(self, error: APIError) -> None:
        if isinstance(error, RateLimitError) and not self._policy.waits_too_long(error):
            delay = self._policy.server_delay(error)
            self._cooldown.extend(self._policy.initial_delay if delay is None else delay)


class Work(Generic[R]):
    """One prepared batch item: its chat (``key``), its outcome's fields, and the call that sends it."""

    __slots__ = ("handle", "idempotency_key", "index", "key", "send")

    def __init__(
        self,
        key: str,
        send: Callable[[], Awaitable[R]],
        *,
        handle: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        self.index = -1
        self.key = key
        self.send = send
        self.handle = handle
        self.idempotency_key = idempotency_key

    def outcome(self, **result: Any) -> Outcome[R]:
        return Outcome(
            index=self.index, chat_id=self.key, handle=self.handle, idempotency_key=self.idempotency_key, **result
        )


class Refused(Exception):
    """Raised by a ``prepare`` function: the item cannot be sent; ``fields`` describe it in its outcome."""

    def __init__(self, error: ValidationError, **fields: Any) -> None:
        super().__init__(str(error))
        self.error = error
        self.fields = fields


Prepare: TypeAlias = Callable[[int, object], Work[R]]


class _Finished(Generic[R]):
    """Outcomes waiting for the dispatcher: a deque and one future to wake it (cheaper than a Queue)."""

    __slots__ = ("_items", "_waiter", "failure")

    def __init__(self) -> None:
        self._items: deque[Outcome[R]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.failure: BaseException | None = None  # what a worker raised that must stop the batch

    def put(self, outcome: Outcome[R]) -> None:
        self._items.append(outcome)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def fail(self, exc: BaseException, urgent: bool) -> bool:
        """Hand the dispatcher an exception that must stop the batch; return whether it was taken.

        It is raised by the dispatcher's next ``get`` and, if the batch stops another way first, when
        it stops (see ``outcomes``). An ``urgent`` one (Ctrl-C, SystemExit) is taken only if the
        dispatcher is in ``get`` now, so that it is raised at once; else the worker raises it as
        asyncio does. Only the first one is kept.
        """
        waiter = self._waiter  # set while the dispatcher is in `get`, woken already or not
        if urgent and waiter is None:
            return False
        if self.failure is None:
            self.failure = exc
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    async def get(self) -> Outcome[R]:
        while True:
            if self.failure is not None:
                raise self.failure  # at once: outcomes not taken yet are reported by the stop
            if self._items:
                return self._items.popleft()
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def drain(self) -> list[Outcome[R]]:
        items = list(self._items)
        self._items.clear()
        return items


class _Workers(Generic[R]):
    """Up to ``concurrency`` long-lived tasks sending the ready items, each taking the next one itself.

    An item is ready when nothing of its chat is in flight or ready. The dispatcher keeps up to
    ``concurrency`` items ready beyond those being sent, so a worker that finishes one rarely waits:
    it takes the next at once. A task per item would cost a task, a context and a coroutine for every
    item (objects for the garbage collector: a few percent of CPU at concurrency 20, measured).
    """

    __slots__ = ("_concurrency", "_context", "_failed", "_loop", "_parked", "_send", "_stopping", "ready", "tasks")

    def __init__(
        self,
        send: Callable[[Work[R]], Awaitable[None]],
        concurrency: int,
        context: contextvars.Context,
        failed: Callable[[BaseException, bool], bool],
    ) -> None:
        self._send = send
        self._failed = failed
        self._concurrency = concurrency
        self._context = context
        self._loop = asyncio.get_running_loop()
        self._parked: deque[asyncio.Future[None]] = deque()  # idle workers' wake-ups
        self.ready: deque[Work[R]] = deque()
        self.tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    def add(self, work: Work[R]) -> None:
        """Make ``work`` ready: an idle worker takes it, else a new worker if there are fewer than ``concurrency``."""
        self.ready.append(work)
        parked = self._parked
        while parked:
            waiter = parked.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        if len(self.tasks) < self._concurrency:
            # Each worker in a copy of the batch's context (the listener set there).
            task = self._loop.create_task(self._run(), context=self._context.copy())
            self.tasks.add(task)
            task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled():
            task.exception()  # seen: a Ctrl-C raised on from a worker has left the loop already

    async def _run(self) -> None:
        ready, send = self.ready, self._send
        # `_stopping` is checked before each item and before parking: a send that swallowed its
        # cancellation (code outside the SDK) must neither take another item nor wait forever.
        try:
            while True:
                while ready and not self._stopping:
                    await send(ready.popleft())
                if self._stopping:
                    return
                waiter = self._loop.create_future()
                self._parked.append(waiter)
                await waiter
        except (asyncio.CancelledError, GeneratorExit):
            raise  # stopped by the batch, or closed with its loop
        except BaseException as exc:
            # Ctrl-C, SystemExit or another exception meant to stop the program, from a send: the
            # batch stops and raises it where it is awaited, with the partial result. Left in a worker,
            # another kind would leave the batch waiting for this item forever. Ctrl-C and SystemExit
            # the dispatcher cannot take at once (it waits for the input, or the caller holds an
            # outcome) leave the loop from here, as asyncio raises them: never held back.
            self._stopping = True
            if not self._failed(exc, isinstance(exc, (KeyboardInterrupt, SystemExit))):  # urgent
                raise

    async def stop(self) -> asyncio.CancelledError | None:
        """Stop every worker (cancelling what they send) and wait for them; the ready items stay unsent.

        A cancel of the batch during this wait (a timeout firing while the sends clean up) does not
        cut it short, so that every item's outcome is still known: the workers not yet ended are
        cancelled once more and waited for, and the cancel is returned, for the caller to raise. A
        further cancel ends the wait at once.
        """
        self._stopping = True
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if not tasks:
            return None
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError as exc:
            again = exc
        else:
            return None
        for task in tasks:
            task.cancel()  # (a no-op for an ended one) a send that ate the first cancel gets another
        await asyncio.wait(tasks)
        return again


def check_arguments(items: object, concurrency: object, on_progress: object, shape: str) -> None:
    """Refuse misuse before anything starts (the only errors a batch call raises)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValidationError(f"concurrency must be an int from 1 to {MAX_CONCURRENCY}, got {concurrency!r}")
    if on_progress is not None and not callable(on_progress):
        raise ValidationError(f"on_progress must be callable, got {type(on_progress).__name__}")
    if isinstance(items, (str, bytes)) or not isinstance(items, (Iterable, AsyncIterable)):
        raise ValidationError(f"items must be an iterable of {shape}, got {type(items).__name__}")


def shown_text(value: object) -> str:
    """How a refused item's field appears in its outcome."""
    return value if isinstance(value, str) else (str(value) if isinstance(value, uuid.UUID) else repr(value))


def pair(index: int, raw: object, shape: str, **fields: Any) -> tuple[object, object]:
    """Unpack a two-element item, or refuse it with ``fields`` in its outcome (for ``prepare`` functions)."""
    if not isinstance(raw, (tuple, list)) or len(raw) != 2:
        raise Refused(ValidationError(f"item {index} is not a {shape} pair: {_validate.shown(raw)}"), **fields)
    return raw[0], raw[1]


class Batch(Generic[R]):
    """One run of the engine. ``outcomes()`` yields as items finish; ``unfinished`` after a cancel."""

    def __init__(
        self,
        items: Iterable[Any] | AsyncIterable[Any],
        prepare: Prepare[R],
        *,
        policy: RetryPolicy,
        concurrency: int,
        on_progress: ProgressCallback | None,
        shape: str = "(chat_id, handle) pairs",
    ) -> None:
        check_arguments(items, concurrency, on_progress, shape)
        self._items = items
        self._prepare = prepare
        self._policy = policy
        self._concurrency = concurrency
        self._on_progress = on_progress
        self._total = len(items) if isinstance(items, Sized) else None
        self.unfinished: list[Outcome[R]] = []

    def _work(self, index: int, raw: object) -> Work[R] | Outcome[R]:
        try:
            work = self._prepare(index, raw)
        except Refused as refused:
            fields = {"chat_id": "", **refused.fields}
            return Outcome(index=index, error=refused.error, **fields)
        work.index = index
        return work

    async def _one(self, work: Work[R], *, listener: _BatchListener, done: _Finished[R]) -> None:
        # Runs where the batch's listener is set: in a worker, or inline (see outcomes()).
        try:
            response = await work.send()
        except LinqError as exc:
            outcome = work.outcome(error=exc, attempts=listener.attempts())
        except Exception as exc:  # noqa: BLE001 - one item's surprise must not take the batch down
            error = LinqError(f"unexpected {type(exc).__name__} while sending item {work.index}: {exc}")
            error.__cause__ = exc
            outcome = work.outcome(error=error, attempts=listener.attempts())
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is None or task.cancelling():
                raise  # the batch (or its caller) is cancelling this item
            # Raised by the send itself (an inner timeout or task of outside code): this item failed,
            # and may have reached the server; the batch goes on.
            error = ItemCancelledError(
                f"sending item {work.index} was cancelled from inside the send, not by the batch; "
                "it may or may not have been applied",
                sent=True,
            )
            outcome = work.outcome(error=error, attempts=listener.attempts())
        except GeneratorExit:
            raise
        except BaseException as exc:
            # Ctrl-C, SystemExit or another exception meant to stop the program: this item's outcome
            # says it may have gone out, and the exception stops the batch (see _Workers._run).
            error = ItemCancelledError(
                f"sending item {work.index} was stopped by {type(exc).__name__}; it may or may not have been applied",
                sent=True,
            )
            done.put(work.outcome(error=error, attempts=listener.attempts()))
            raise
        else:
            outcome = work.outcome(response=response, attempts=listener.attempts())
        done.put(outcome)

    async def outcomes(self) -> AsyncGenerator[Outcome[R], None]:
        """Run the batch, yielding each outcome as its item finishes (completion order)."""
        sleep = self._policy.sleep if self._policy.sleep is not None else asyncio.sleep
        listener = _BatchListener(_Cooldown(sleep), self._policy)
        # What the workers run in: the caller's context with the listener set (a copy per worker), so
        # that the caller's own context is left as it was.
        context = contextvars.copy_context()
        context.run(listen, listener)
        done: _Finished[R] = _Finished()
        concurrency = self._concurrency
        lookahead = LOOKAHEAD * concurrency
        # chat -> items waiting behind the one in flight for that chat, in input order; None while
        # nothing waits (most chats: no deque per item for the garbage collector to walk)
        waiting: dict[str, deque[Work[R]] | None] = {}
        # item index -> item, for every item sent or ready whose outcome is not consumed yet; it shrinks
        # when the outcome is taken from `done`, never in a task callback, so the count is exact.
        in_flight: dict[int, Work[R]] = {}
        next_sync, next_async = _reader(self._items)
        held = 0  # items read and not finished: in flight or waiting
        index = 0
        finished = 0
        exhausted = False
        on_progress, total = self._on_progress, self._total
        # An outcome taken but not yet yielded (on_progress runs first): reported if that raises.
        current: Outcome[R] | None = None
        input_error: Exception | None = None

        # One at a time (concurrency 1), an item is sent inline when its outcome is awaited: no task,
        # no wake-up between two coroutines, for every item. Otherwise workers send them, with up to
        # `concurrency` more items ready than are being sent.
        inline = concurrency == 1
        workers: _Workers[R] = _Workers(
            partial(self._one, listener=listener, done=done), concurrency, context, done.fail
        )
        started = concurrency if inline else 2 * concurrency
        raising: BaseException | None = None

        def start(work: Work[R]) -> None:
            in_flight[work.index] = work
            if not inline:
                workers.add(work)

        try:
            while True:
                # A worker's exception that must stop the batch: read no more, `get` raises it.
                while not exhausted and done.failure is None and len(in_flight) < started and held < lookahead:
                    try:
                        raw = next_sync() if next_sync is not None else await next_async()
                    except (StopIteration, StopAsyncIteration):
                        exhausted = True
                        break
                    except Exception as exc:  # noqa: BLE001 - raised below, once what was read is done
                        # The input failed: read no more, but finish every item already read (those
                        # in flight are not cancelled: their outcome is knowable), then raise.
                        input_error, exhausted = exc, True
                        break
                    prepared = self._work(index, raw)
                    index += 1
                    if isinstance(prepared, Work):
                        held += 1
                        key = prepared.key
                        if key not in waiting:
                            waiting[key] = None
                            start(prepared)
                        else:
                            queue = waiting[key]
                            if queue is None:
                                waiting[key] = queue = deque()
                            queue.append(prepared)
                        continue
                    finished += 1
                    current = prepared  # refused before sending
                    if on_progress is not None:
                        on_progress(finished, total)
                    current = None
                    yield prepared
                if not in_flight:
                    if exhausted:
                        if input_error is not None:
                            raise input_error
                        return
                    continue
                if inline:
                    [work] = in_flight.values()
                    token = listen(listener)  # in the caller's task, for this item only
                    try:
                        await self._one(work, listener=listener, done=done)
                    finally:
                        unlisten(token)
                outcome = await done.get()
                del in_flight[outcome.index]
                held -= 1
                queue = waiting[outcome.chat_id]
                if queue:
                    start(queue.popleft())
                else:
                    del waiting[outcome.chat_id]
                finished += 1
                current = outcome
                if on_progress is not None:
                    on_progress(finished, total)
                current = None
                yield outcome
        except BaseException as exc:
            raising = exc
            raise
        finally:
            self.unfinished, again = await _stop(in_flight, waiting, done, current, workers)
            if again is not None and not isinstance(raising, asyncio.CancelledError):
                raise again  # a cancel that came while it stopped wins, as every cancel does
            # A worker's exception that must stop the batch wins over a close of the stream or an
            # error that stopped it first, so that it is not lost; never over a cancel, which the
            # code cancelling (a timeout, a task group) must see as it sent it.
            failure = done.failure
            if failure is not None and failure is not raising and not isinstance(raising, asyncio.CancelledError):
                raise failure


async def _stop(
    in_flight: dict[int, Work[R]],
    waiting: dict[str, deque[Work[R]] | None],
    done: _Finished[R],
    current: Outcome[R] | None,
    workers: _Workers[R],
) -> tuple[list[Outcome[R]], asyncio.CancelledError | None]:
    """Cancel what is in flight, wait for it, and report every item read but not yielded.

    Also returns the cancel that came while it waited, if one did (see ``_Workers.stop``).
    """
    again = await workers.stop()  # an inline item is cancelled already
    unsent = {work.index for work in workers.ready}
    left = {outcome.index: outcome for outcome in done.drain()}  # finished before the cancel, never yielded
    if current is not None:
        left[current.index] = current
    for index, work in in_flight.items():
        if index not in left:
            left[index] = _cancelled(work, sent=index not in unsent)
    for queue in waiting.values():
        for work in queue or ():
            left[work.index] = _cancelled(work, sent=False)
    return [left[i] for i in sorted(left)], again


def _cancelled(work: Work[Any], *, sent: bool) -> Outcome[Any]:
    reason = "in flight; it may or may not have been applied" if sent else "not sent"
    return work.outcome(
        error=ItemCancelledError(f"the batch was cancelled while item {work.index} was {reason}", sent=sent)
    )


def _reader(items: Iterable[Any] | AsyncIterable[Any]) -> tuple[Any, Any]:
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
