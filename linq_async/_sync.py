"""``SyncLinqClient``: the async client driven from blocking code, with no request logic of its own.

Where a call runs:

- In a thread that runs no event loop (scripts, Django views, Celery tasks: the common case), on an
  event loop owned by that thread and run only for the duration of the call. Each thread gets its
  own loop and its own pooled aiohttp session, closed when the thread ends or the client closes.
  No hand-off between threads, and no background thread at all.
- In a thread that runs an event loop already (a notebook cell, an async framework calling a legacy
  helper), on the client's private loop thread, started on first need; the caller waits for it.

Every sync method is derived from its async twin by ``blocking(...)``, one line per method in the
resource's sync twin class, so the two surfaces cannot drift apart.

What it survives: many threads at once; ``os.fork()`` (the child forgets what it inherited without
touching it, and starts afresh on next use); Ctrl-C (the call is cancelled on its loop and unwound
before ``KeyboardInterrupt`` reaches the caller, so no retry is sent for it); ``close()`` while
another thread waits (that thread gets a ``LinqError``); never being closed (cleaned up quietly at
garbage collection or exit). Called from its private loop thread it raises instead of deadlocking.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import os
import select
import signal
import ssl
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, cast, overload

from ._client import (
    _FORK_HANDLERS,
    DEFAULT_MAX_RESPONSE_BYTES,
    NOT_GIVEN,
    AsyncLinqClient,
    NotGiven,
    Timeout,
    _Connection,
    _masked,
)
from ._errors import LinqError, ValidationError
from ._response import APIResponse, AsyncAPIResponse
from ._retry import RetryPolicy
from .pagination import AsyncPage, Page, SyncPaginator, _sync_page
from .resources._base import ENDPOINT, PAGINATED, Mode, Parsed, Raw, kind_of

if TYPE_CHECKING:
    import aiohttp

    from .resources._base import Resource, endpoint, paginated
    from .resources.attachments import SyncAttachments
    from .resources.available_number import SyncAvailableNumber
    from .resources.blocked_handles import SyncBlockedHandles
    from .resources.capability import SyncCapability
    from .resources.chats import SyncChats
    from .resources.contact_card import SyncContactCards
    from .resources.experiences import SyncExperiences
    from .resources.messages import SyncMessages
    from .resources.payment_handles import SyncPaymentHandles
    from .resources.payment_providers import SyncPaymentProviders
    from .resources.payment_requests import SyncPaymentRequests
    from .resources.payments import SyncPayments
    from .resources.phone_numbers import SyncPhoneNumbers
    from .resources.phonenumbers import SyncPhonenumbers
    from .resources.webhook_events import SyncWebhookEvents
    from .resources.webhook_subscriptions import SyncWebhookSubscriptions
    from .resources.webhooks import SyncWebhooks

__all__ = ["SyncLinqClient", "SyncResource", "blocking"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

logger = logging.getLogger("linq_async")

# How long a caller waiting on the private loop thread sleeps between checks (it only bounds how
# often an idle wait wakes), and how long Ctrl-C waits for a cancelled call to unwind.
_WAIT_SLICE = 0.5
_UNWIND_WAIT = 0.35
_SHUTDOWN_WAIT = 5.0

_get_running_loop = asyncio.events._get_running_loop
_MAIN_THREAD = threading.main_thread().ident


def _discard(awaitable: Awaitable[Any]) -> None:
    if inspect.iscoroutine(awaitable):
        awaitable.close()


def _closed_error() -> LinqError:
    return LinqError("this SyncLinqClient is closed; create a new one")


def _carry_partial(source: BaseException | None, exc: BaseException) -> None:
    """Give ``exc`` the partial result (``batch_result``) of a stopped batch's ``source``, if it has one."""
    partial = getattr(source, "batch_result", None)
    if partial is not None:
        exc.batch_result = partial  # type: ignore[attr-defined]


def _interrupted(cancelled: BaseException | None) -> KeyboardInterrupt:
    interruption = KeyboardInterrupt()
    _carry_partial(cancelled, interruption)
    return interruption


def _pass_partial_result(task: asyncio.Future[Any], exc: BaseException) -> None:
    """Give ``exc`` the partial result of the exception ``task`` ended with, if it has one and ``exc`` none."""
    if not task.done() or hasattr(exc, "batch_result"):
        return
    try:
        task.result()
    except BaseException as ended:  # noqa: BLE001 - only read for its partial result
        _carry_partial(ended, exc)


# Loops owned by calling threads --------------------------------------------------------------


# Idle time after which a calling thread's loop reads pending events before its next call.
_IDLE_POLL_AFTER = 0.001


class _ThreadLoop:
    """An event loop owned by one calling thread, run only while that thread is in a call."""

    __slots__ = ("__weakref__", "closed", "dispose", "idle_since", "lock", "loop", "task")

    task: asyncio.Future[Any] | None

    def __init__(self, conn: _Connection) -> None:
        self.loop = asyncio.new_event_loop()
        self.lock = threading.Lock()  # held while a call runs the loop
        self.task = None
        self.closed = False
        self.idle_since = time.monotonic()
        # Runs once: when the owning thread ends (its thread-local entry is dropped), at close(), at
        # garbage collection of the client, or at exit.
        self.dispose = weakref.finalize(self, _dispose_loop, self.loop, conn)

    def run(self, awaitable: Awaitable[T]) -> T:
        loop = self.loop
        if _get_running_loop() is loop:
            # Reached from inside a call this thread is running on this loop (a callback stepping a
            # generator pinned here): waiting for the lock would wait for ourselves.
            _discard(awaitable)
            raise LinqError(
                "a generator of this client was stepped from inside another call of it on the same thread; "
                "finish or close it outside that call"
            )
        with self.lock:
            if self.closed:
                _discard(awaitable)
                raise _closed_error()
            if time.monotonic() - self.idle_since > _IDLE_POLL_AFTER:
                # The loop stood still since the last call: let it read what arrived meanwhile (a
                # server closing an idle keep-alive connection), so that no request goes out on a
                # connection already closed. One loop iteration, about 3 us.
                loop.call_soon(loop.stop)
                loop.run_forever()
            task = asyncio.ensure_future(awaitable, loop=loop)
            self.task = task
            sigint = _SigintCanceller(task, loop) if _wants_sigint() else None
            try:
                return loop.run_until_complete(task)
            except asyncio.CancelledError as exc:
                if sigint is not None and sigint.fired:
                    raise _interrupted(exc) from None
                if self.closed:
                    raise LinqError("the SyncLinqClient was closed while this call was in flight") from None
                raise
            except BaseException as exc:
                # KeyboardInterrupt from a handler of the caller's (or a second Ctrl-C), SystemExit:
                # stop the call on its loop before handing the exception on, so nothing more is sent
                # for it; a batch that stopped meanwhile hands its partial result on with it.
                if not task.done():
                    task.cancel()
                    try:
                        loop.run_until_complete(asyncio.wait([task], timeout=_UNWIND_WAIT))
                    except BaseException:  # noqa: BLE001, S110 - already unwinding; never mask the original
                        pass
                _pass_partial_result(task, exc)
                raise
            finally:
                self.task = None
                self.idle_since = time.monotonic()
                if sigint is not None:
                    sigint.restore()
                if cast(bool, self.closed):  # set by close() in another thread meanwhile
                    self.dispose()

    def close(self) -> None:
        """Close it from any thread: at once if idle, else by cancelling the call its thread is in."""
        self.closed = True
        if self.lock.acquire(blocking=False):
            try:
                self.dispose()
            finally:
                self.lock.release()
            return
        task = self.task
        if task is not None:
            try:
                self.loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # closed meanwhile
                pass

    def forked(self) -> None:
        """In a forked child: make the loop safe to close, drop its connections unannounced, close it."""
        self.closed = True
        self.dispose.detach()
        if self.loop.is_closed():
            return
        _unshare_selector(self.loop)
        if self.loop.is_running():  # it was in a call on a thread the child does not have
            _INHERITED.append(self.loop)
            return
        self.dispose = weakref.finalize(self, _dispose_loop, self.loop, None)
        self.dispose()


# The C functions behind signal.getsignal/signal.signal: the wrappers turn every handler they pass
# or return into an enum (a failed lookup, with its exception, for a function), about 6 us of the
# three calls each blocking call makes in the main thread. Handlers here are always functions.
# (CPython's signal module imports _signal; another interpreter keeps the wrappers.)
_signal_c: Any = sys.modules.get("_signal", signal)
_getsignal: Callable[[int], object] = _signal_c.getsignal
_setsignal: Callable[[int, Any], Any] = _signal_c.signal
_SIGINT = int(signal.SIGINT)


def _wants_sigint() -> bool:
    return threading.get_ident() == _MAIN_THREAD and _getsignal(_SIGINT) is signal.default_int_handler


class _SigintCanceller:
    """While a call runs in the main thread: Ctrl-C cancels it (a second Ctrl-C raises at once)."""

    __slots__ = ("fired", "loop", "previous", "task")

    def __init__(self, task: asyncio.Future[Any], loop: asyncio.AbstractEventLoop) -> None:
        self.task = task
        self.loop = loop
        self.fired = False
        self.previous = _setsignal(_SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.fired or self.task.done():
            raise KeyboardInterrupt
        self.fired = True
        self.task.cancel()
        self.loop.call_soon_threadsafe(lambda: None)  # wake the selector, which resumed after EINTR

    def restore(self) -> None:
        _setsignal(_SIGINT, self.previous)


def _dispose_loop(loop: asyncio.AbstractEventLoop, conn: _Connection | None) -> None:
    """Close the session made on ``loop``, then the loop; from any thread whose own loop is not running."""
    transport = conn.pop_transport(loop) if conn is not None else None
    if loop.is_closed() or loop.is_running():
        return
    if _get_running_loop() is not None or sys.is_finalizing():
        # A loop runs in this thread (close() called from async code, a collection inside a
        # callback): this one cannot run here. A short-lived thread can, except at shutdown.
        if sys.is_finalizing():
            if transport is not None:
                transport.discard()
            loop.close()
            return
        helper = threading.Thread(target=_finish_loop, args=(loop, transport), name="linq-async-close", daemon=True)
        helper.start()
        helper.join(_SHUTDOWN_WAIT)
        return
    _finish_loop(loop, transport)


def _finish_loop(loop: asyncio.AbstractEventLoop, transport: Any) -> None:
    try:
        if transport is not None:
            loop.run_until_complete(transport.close())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    except Exception:
        logger.debug("closing a thread's event loop failed; closing it anyway", exc_info=True)
    finally:
        loop.close()


def _unshare_selector(loop: asyncio.AbstractEventLoop) -> None:
    """Give a loop inherited through fork() an epoll instance of its own.

    After fork() the child's epoll descriptor refers to the parent's epoll instance: removing a
    socket from it in the child (closing a transport, closing the loop) would remove the parent's
    registration too, and the parent would wait forever on that socket. With a fresh instance, the
    child's removals touch nothing of the parent's. Only epoll (Linux) is shared this way.
    """
    selector = getattr(loop, "_selector", None)
    inner = getattr(selector, "_selector", None)
    epoll = getattr(select, "epoll", None)
    if epoll is not None and isinstance(inner, epoll):
        inner.close()  # the child's descriptor only; the parent's instance lives on
        selector._selector = epoll()  # type: ignore[union-attr]


# Objects a forked child must never finalise (they belong to threads it does not have).
_INHERITED: list[object] = []


# The private loop thread, for callers that already run an event loop ------------------------


class _Call:
    """One awaitable submitted from a caller thread, and the caller's view of its outcome.

    The caller waits on a lock it acquired beforehand; the task releases it as its last act (no
    done-callback, which would cost one more turn of the loop): the cheapest hand-off between
    two threads in CPython.
    """

    __slots__ = (
        "awaitable", "cancelled_error", "context", "error", "finished", "lock", "result", "task", "withdrawn",
    )  # fmt: skip

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable
        # The caller's context variables (tracing spans, log correlation ids), taken on its thread:
        # the call runs in them, whichever caller's wake-up of the loop starts it.
        self.context = contextvars.copy_context()
        self.lock = threading.Lock()
        self.lock.acquire()
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.task: asyncio.Task[Any] | None = None
        self.withdrawn = False
        self.cancelled_error: BaseException | None = None

    def start(self) -> None:  # on the loop thread
        if self.withdrawn:
            self.abandon()
            return
        self.task = _start_task(self._run(), self.context)

    async def _run(self) -> None:
        try:
            result = await self.awaitable
        except asyncio.CancelledError as exc:
            self.cancelled_error = exc  # may carry partial results (a cancelled batch)
            self._done(None, exc)
            raise
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller, whatever it is
            # KeyboardInterrupt or SystemExit raised inside the loop would stop it for every
            # caller; they go to this one like any other error.
            self._done(None, exc)
        else:
            self._done(result, None)

    def _done(self, result: Any, error: BaseException | None) -> None:
        if not self.finished:
            self.result, self.error, self.finished = result, error, True
            self.lock.release()

    def withdraw(self) -> None:  # on the loop thread
        self.withdrawn = True
        if self.task is not None:
            self.task.cancel()

    def abandon(self) -> None:
        # Never to start: withdrawn by its caller, or its loop gone (the caller, not having withdrawn
        # it, hears that the client closed).
        _discard(self.awaitable)
        self._done(None, asyncio.CancelledError())

    def outcome(self) -> Any:
        if self.error is not None:
            if isinstance(self.error, asyncio.CancelledError) and not self.withdrawn:
                # Cancelled by the loop shutting down, not by this caller: the client was closed.
                raise LinqError("the SyncLinqClient was closed while this call was in flight") from None
            raise self.error
        return self.result


if sys.version_info >= (3, 12):

    def _start_task(coro: Coroutine[Any, Any, None], context: contextvars.Context) -> asyncio.Task[None]:
        # Eager start: the call runs at once instead of a turn of the loop later.
        return asyncio.Task(coro, loop=asyncio.get_running_loop(), eager_start=True, context=context)

else:

    def _start_task(coro: Coroutine[Any, Any, None], context: contextvars.Context) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(coro, context=context)


class _LoopThread:
    """A private event loop running on a daemon thread."""

    def __init__(self, conn: _Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ident: int | None = None
        self._stopped = False
        self._forked = False
        # Calls submitted and not yet started, and whether a _start_pending is already on its way:
        # callers arriving while the loop is busy share one wake-up of it (each wake-up is a write
        # to the loop's self-pipe and a read there, two system calls that give up the GIL).
        self._pending: deque[_Call] = deque()
        self._wake_pending = False

    def _started_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None and not self._stopped:
            return loop
        with self._lock:
            if self._forked:
                # Held across fork() (a sync iterator pinned here): its loop thread is not in this process.
                raise LinqError(
                    "this call was pinned to a loop thread of the parent process; start it again after fork()"
                )
            if self._stopped:
                raise _closed_error()
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(target=self._main, args=(loop, ready), name="linq-async-loop", daemon=True)
                thread.start()
                ready.wait()
                self._thread = thread
                self._loop = loop
            return self._loop

    def _main(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        self._ident = threading.get_ident()
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            while self._pending:  # submitted while the loop stopped: never to start
                self._pending.popleft().abandon()
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the loop and block until it is done."""
        if threading.get_ident() == self._ident:
            _discard(awaitable)
            raise LinqError(
                "a SyncLinqClient method was called on its own event-loop thread (for example from an "
                "on_progress callback); that would deadlock. Use the AsyncLinqClient there."
            )
        try:
            loop = self._started_loop()
        except BaseException:
            _discard(awaitable)
            raise
        call = _Call(awaitable)
        self._pending.append(call)
        try:
            try:
                self._wake(loop, again=False)
            except RuntimeError:  # closed by another thread a moment ago
                self._forget(call)
                _discard(awaitable)
                raise _closed_error() from None
            # Waited in slices so that a signal (Ctrl-C) is handled on every platform, and so that a
            # loop closed by another thread before running this call cannot leave it waiting forever.
            while not call.lock.acquire(timeout=_WAIT_SLICE):
                if loop.is_closed():
                    raise LinqError("the SyncLinqClient was closed while this call was waiting")
                if call.task is None:
                    # Not started after a whole slice: the loop is busy, or a wake-up was lost (an
                    # interrupt in another caller between raising the flag and scheduling). Another
                    # wake-up costs nothing when there is nothing to start.
                    try:
                        self._wake(loop, again=True)
                    except RuntimeError:  # closed meanwhile: the next slice reports it
                        pass
        except BaseException as interruption:
            if not call.finished:
                # Interrupted while waiting (Ctrl-C, or SystemExit from a signal handler): cancel the
                # call on the loop and give it a moment to unwind, so no further request is sent for it.
                if loop.is_closed():
                    raise
                try:
                    loop.call_soon_threadsafe(self._withdraw, call)
                except RuntimeError:  # the loop closed meanwhile: nothing left to cancel
                    raise interruption from None
                try:
                    call.lock.acquire(timeout=_UNWIND_WAIT)
                finally:
                    _carry_partial(call.cancelled_error, interruption)
            raise
        result: T = call.outcome()
        return result

    def _wake(self, loop: asyncio.AbstractEventLoop, *, again: bool) -> None:
        """Have the loop start the pending calls, unless a wake-up is on its way already (or ``again``)."""
        if self._wake_pending and not again:
            return  # two callers may both pass: the second wake-up finds nothing left to start
        try:
            self._wake_pending = True
            loop.call_soon_threadsafe(self._start_pending)
        except BaseException:
            # Not scheduled (the loop closed, or an interrupt right here): a flag left up would
            # keep every later caller from waking the loop.
            self._wake_pending = False
            raise

    def _forget(self, call: _Call) -> None:
        try:
            self._pending.remove(call)
        except ValueError:  # started meanwhile
            pass

    def _withdraw(self, call: _Call) -> None:  # on the loop thread
        call.withdraw()
        self._start_pending()  # a call still waiting here is discarded now, not at the next wake-up

    def _start_pending(self) -> None:  # on the loop thread
        # Cleared before taking calls: a call appended after the last popleft() finds the flag
        # down and schedules a wake-up of its own.
        self._wake_pending = False
        pending = self._pending
        while pending:
            pending.popleft().start()

    def shutdown(self) -> None:
        """Close the session on the loop, then stop the loop and its thread. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        transport = self._conn.pop_transport(loop)
        if threading.get_ident() == self._ident:
            # Reached from the loop thread itself (a garbage collection there): do not wait on it.
            closing = asyncio.ensure_future(transport.close() if transport else asyncio.sleep(0), loop=loop)
            closing.add_done_callback(lambda _: loop.stop())
            return
        try:
            if transport is not None:
                asyncio.run_coroutine_threadsafe(transport.close(), loop).result(timeout=_SHUTDOWN_WAIT)
        except Exception:
            logger.debug("closing the session on the loop thread failed; stopping the loop anyway", exc_info=True)
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_SHUTDOWN_WAIT)

    def forked(self) -> None:
        """In a forked child: the thread is gone; forget its loop without touching it."""
        self._stopped = self._forked = True
        loop = self._loop
        if loop is not None:
            _unshare_selector(loop)
            _INHERITED.append(loop)


# The runner: where each call goes ----------------------------------------------------------


class _RunnerState:
    """The loops of one sync client (shared by its ``with_options`` views)."""

    def __init__(self, conn: _Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.local = threading.local()
        self.loops: weakref.WeakSet[_ThreadLoop] = weakref.WeakSet()
        self.loop_thread: _LoopThread | None = None
        self.closed = False
        self.callers = 0  # threads in a call right now
        self.callers_lock = threading.Lock()
        _STATES.add(self)

    def thread_loop(self) -> _ThreadLoop:
        with self.lock:
            if self.closed:
                raise _closed_error()
            loop = _ThreadLoop(self.conn)
            self.loops.add(loop)
        self.local.loop = loop
        return loop

    def loop_thread_runner(self) -> _LoopThread:
        runner = self.loop_thread
        if runner is None:
            with self.lock:
                if self.closed:
                    raise _closed_error()
                runner = self.loop_thread
                if runner is None:
                    runner = self.loop_thread = _LoopThread(self.conn)
        return runner

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            loops, loop_thread = list(self.loops), self.loop_thread
        for loop in loops:
            loop.close()
        if loop_thread is not None:
            loop_thread.shutdown()
        self.conn.closed = True

    def forked(self) -> None:
        for loop in list(self.loops):
            loop.forked()
        self.loops = weakref.WeakSet()
        self.local = threading.local()
        if self.loop_thread is not None:
            self.loop_thread.forked()
            self.loop_thread = None


_STATES: weakref.WeakSet[_RunnerState] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for state in list(_STATES):
        state.forked()


_FORK_HANDLERS.append(_after_fork_in_child)


class _Runner:
    """Runs awaitables for a sync client and its views; cleans up when the last of them is gone."""

    __slots__ = ("__weakref__", "_finalizer", "state")

    def __init__(self, conn: _Connection) -> None:
        self.state = _RunnerState(conn)
        self._finalizer = weakref.finalize(self, _RunnerState.close, self.state)

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` to its end from blocking code and return its result.

        A thread running no event loop uses a loop of its own, unless another thread is in a call
        at the same moment: then both are better served by the one shared loop thread, which
        multiplexes every caller's requests on one loop (many threads each driving a loop of their
        own would fight over the GIL for every step).
        """
        if _get_running_loop() is not None:
            return self._on_loop_thread(awaitable)
        state = self.state
        with state.callers_lock:
            state.callers += 1
            shared = state.callers > 1
        try:
            if shared:
                return self._on_loop_thread(awaitable)
            return self._on_thread_loop(awaitable)
        finally:
            with state.callers_lock:
                state.callers -= 1

    def pinned(self) -> _ThreadLoop | _LoopThread:
        """Where a sequence of calls that share state (an async iterator's steps) must all run."""
        if _get_running_loop() is not None:
            return self.state.loop_thread_runner()
        return self._thread_loop()

    def _thread_loop(self) -> _ThreadLoop:
        state = self.state
        loop: _ThreadLoop | None = getattr(state.local, "loop", None)
        return loop if loop is not None else state.thread_loop()

    def _on_thread_loop(self, awaitable: Awaitable[T]) -> T:
        try:
            loop = self._thread_loop()
        except BaseException:
            _discard(awaitable)
            raise
        return loop.run(awaitable)

    def _on_loop_thread(self, awaitable: Awaitable[T]) -> T:
        try:
            runner = self.state.loop_thread_runner()
        except BaseException:
            _discard(awaitable)
            raise
        return runner.run(awaitable)

    @property
    def closed(self) -> bool:
        return self.state.closed

    def close(self) -> None:
        self._finalizer()


# Sync twins -------------------------------------------------------------------------------


class SyncResource(Generic[Mode]):
    """The blocking twin of an async resource; its methods are ``blocking(...)`` lines."""

    def __init__(self, runner: _Runner, target: Resource[Any]) -> None:
        self._runner = runner
        self._async: Any = target
        self._raw: bool = target._raw

    def __repr__(self) -> str:
        mode = " (raw responses)" if self._raw else ""
        return f"<{type(self).__name__}{mode} of {self._async._client!r}>".replace("AsyncLinqClient", "SyncLinqClient")


class _Derived:
    """What the descriptors share: the async method, and its name, doc and signature for the twin."""

    method: Callable[..., Any]

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.__doc__ = method.__doc__
        self.__name__ = method.__name__
        self._attr = method.__name__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._attr = name

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The async method's signature without ``self``: the twin's."""
        signature = inspect.signature(self.method)
        return signature.replace(parameters=list(signature.parameters.values())[1:])

    def _bound(self, obj: SyncResource[Any], call: Callable[..., Any]) -> Any:
        call.__name__ = self.__name__
        call.__qualname__ = f"{type(obj).__name__}.{self._attr}"
        call.__doc__ = self.__doc__
        call.__signature__ = self.signature  # type: ignore[attr-defined]
        obj.__dict__[self._attr] = call  # later lookups find it directly, without this descriptor
        return call

    def __get__(self, obj: SyncResource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return self._bound(obj, self._make(obj))

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        raise NotImplementedError


class _BlockingEndpoint(_Derived, Generic[P, R]):
    """The blocking twin of an ``@endpoint``: returns the model, or an ``APIResponse`` in raw mode."""

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> _BlockingEndpoint[P, R]: ...

        @overload
        def __get__(self, obj: SyncResource[Raw], owner: type[Any]) -> Callable[P, APIResponse[R]]: ...

        @overload
        def __get__(self, obj: SyncResource[Parsed], owner: type[Any]) -> Callable[P, R]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        method, target, run = self.method, obj._async, obj._runner.run
        if obj._raw:

            def call_raw(*args: Any, **kwargs: Any) -> Any:
                response: AsyncAPIResponse[Any] = run(method(target, *args, **kwargs))
                return response._blocking()

            return call_raw

        def call(*args: Any, **kwargs: Any) -> Any:
            return run(method(target, *args, **kwargs))

        return call


class _BlockingCall(_Derived, Generic[P, R]):
    """The blocking twin of a plain ``async def`` method (a batch): the same result in either mode."""

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> _BlockingCall[P, R]: ...

        @overload
        def __get__(self, obj: SyncResource[Any], owner: type[Any]) -> Callable[P, R]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        method, target, run = self.method, obj._async, obj._runner.run

        def call(*args: Any, **kwargs: Any) -> Any:
            return run(method(target, *args, **kwargs))

        return call


class _BlockingIter(_Derived, Generic[P, T]):
    """The blocking twin of an async-iterator method: a plain generator.

    Items are pulled one at a time; closing the generator early (``break``) or Ctrl-C closes the
    async iterator on its loop, which cancels whatever it had in flight.
    """

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> _BlockingIter[P, T]: ...

        @overload
        def __get__(self, obj: SyncResource[Any], owner: type[Any]) -> Callable[P, Iterator[T]]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        method, target, runner = self.method, obj._async, obj._runner

        def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return _pull(runner, method(target, *args, **kwargs))

        return call


class _BlockingPager(_Derived, Generic[P, T]):
    """The blocking twin of a ``@paginated`` method: a ``SyncPaginator``, or the first page's ``APIResponse``.

    Arguments are checked at the call, as on the async side, and nothing is sent then: the
    paginator stands for the first page, fetched once when first needed; later pages are fetched
    as iterated or asked for.
    """

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> _BlockingPager[P, T]: ...

        @overload
        def __get__(self, obj: SyncResource[Raw], owner: type[Any]) -> Callable[P, APIResponse[Page[T]]]: ...

        @overload
        def __get__(self, obj: SyncResource[Parsed], owner: type[Any]) -> Callable[P, SyncPaginator[T]]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        method, target, runner = self.method, obj._async, obj._runner
        if obj._raw:

            def call_raw(*args: Any, **kwargs: Any) -> Any:
                response: AsyncAPIResponse[Any] = runner.run(method(target, *args, **kwargs))
                return response._blocking()._map(lambda page: _blocking_page(page, runner))

            return call_raw

        def call(*args: Any, **kwargs: Any) -> Any:
            return SyncPaginator(runner, method(target, *args, **kwargs))

        return call


def _blocking_page(page: Page[T], runner: _Runner) -> Page[T]:
    """A raw list call's parsed page, fetching the pages after it on the sync client."""
    if isinstance(page, AsyncPage):
        return _sync_page(page, page._fetch, page._token, runner)
    return page


class _Plain(_Derived, Generic[P, R]):
    """The twin of a resource method that does no I/O (``webhooks.unwrap``): the same call, no loop."""

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> _Plain[P, R]: ...

        @overload
        def __get__(self, obj: SyncResource[Any], owner: type[Any]) -> Callable[P, R]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

    def _make(self, obj: SyncResource[Any]) -> Callable[..., Any]:
        method, target = self.method, obj._async

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(target, *args, **kwargs)

        return call


@overload
def blocking(method: endpoint[P, R]) -> _BlockingEndpoint[P, R]: ...


@overload
def blocking(method: paginated[P, T]) -> _BlockingPager[P, T]: ...


@overload
def blocking(method: Callable[Concatenate[Any, P], AsyncIterator[T]]) -> _BlockingIter[P, T]: ...  # type: ignore[overload-overlap]


@overload
def blocking(method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]) -> _BlockingCall[P, R]: ...  # type: ignore[overload-overlap]


@overload
def blocking(method: Callable[Concatenate[Any, P], R]) -> _Plain[P, R]: ...


def blocking(method: Any) -> Any:
    """Derive a sync twin's method from its async resource method; the signature is the same.

    ``@endpoint`` methods return the model (an ``APIResponse`` under ``with_raw_response``),
    ``@paginated`` ones a ``SyncPaginator``, async-iterator methods a generator, other ``async
    def`` methods their result, and plain methods (no I/O) are called as they are.
    """
    kind = kind_of(method)
    if kind == ENDPOINT:
        return _BlockingEndpoint(method)
    if kind == PAGINATED:
        return _BlockingPager(method)
    if inspect.isasyncgenfunction(method):
        return _BlockingIter(method)
    if inspect.iscoroutinefunction(method):
        return _BlockingCall(method)
    if inspect.isfunction(method):
        return _Plain(method)
    raise TypeError(f"cannot derive a blocking twin from {method!r}")


def _pull(runner: _Runner, iterator: AsyncIterator[T]) -> Iterator[T]:
    finished = False
    target: _ThreadLoop | _LoopThread | None = None
    try:
        # Every step on the same loop: the iterator's tasks live there.
        target = runner.pinned()
        while True:
            try:
                item = target.run(_next(iterator))
            except StopAsyncIteration:
                finished = True
                return
            yield item
    finally:
        if not finished:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None and target is not None:
                try:
                    if isinstance(target, _ThreadLoop) and _get_running_loop() is target.loop:
                        # Closed (by the garbage collector, say) inside another call on its own loop:
                        # close it on that loop as soon as the current step yields, without waiting.
                        target.loop.create_task(aclose())
                    else:
                        target.run(aclose())
                except (LinqError, RuntimeError):
                    # Already unwinding after Ctrl-C, closed client, or reached from the loop thread:
                    # the iterator's own cancellation handling has run or will run; never mask the
                    # exception that brought us here.
                    pass


async def _next(iterator: AsyncIterator[T]) -> T:
    return await iterator.__anext__()


# Top-level sync resources: attribute -> (module, class), imported on first access.
_RESOURCES: dict[str, tuple[str, str]] = {
    "chats": ("linq_async.resources.chats", "SyncChats"),
    "payments": ("linq_async.resources.payments", "SyncPayments"),
    "payment_requests": ("linq_async.resources.payment_requests", "SyncPaymentRequests"),
    "payment_handles": ("linq_async.resources.payment_handles", "SyncPaymentHandles"),
    "payment_providers": ("linq_async.resources.payment_providers", "SyncPaymentProviders"),
    "messages": ("linq_async.resources.messages", "SyncMessages"),
    "phone_numbers": ("linq_async.resources.phone_numbers", "SyncPhoneNumbers"),
    "phonenumbers": ("linq_async.resources.phonenumbers", "SyncPhonenumbers"),
    "blocked_handles": ("linq_async.resources.blocked_handles", "SyncBlockedHandles"),
    "contact_card": ("linq_async.resources.contact_card", "SyncContactCards"),
    "experiences": ("linq_async.resources.experiences", "SyncExperiences"),
    "attachments": ("linq_async.resources.attachments", "SyncAttachments"),
    "capability": ("linq_async.resources.capability", "SyncCapability"),
    "available_number": ("linq_async.resources.available_number", "SyncAvailableNumber"),
    "webhook_events": ("linq_async.resources.webhook_events", "SyncWebhookEvents"),
    "webhook_subscriptions": ("linq_async.resources.webhook_subscriptions", "SyncWebhookSubscriptions"),
    "webhooks": ("linq_async.resources.webhooks", "SyncWebhooks"),
}


class SyncLinqClient:
    """Blocking client for the Linq Partner API V3: the async client, run from blocking code.

    Takes the same arguments as ``AsyncLinqClient`` and exposes the same resources; each method
    blocks and returns the same models or raises the same errors. Safe to share between threads
    (each thread gets its own pooled session), usable inside a running event loop, after
    ``os.fork()`` and across Ctrl-C. Use it as ``with SyncLinqClient() as client:`` or call
    ``client.close()``; a client never closed is cleaned up quietly at garbage collection or exit.

    ``session`` must stay ``None``: an aiohttp session belongs to the loop it was made on, and this
    client makes its own loops. Raises ``ValidationError`` as ``AsyncLinqClient`` does.
    """

    if TYPE_CHECKING:
        chats: SyncChats[Parsed]
        payments: SyncPayments[Parsed]
        payment_requests: SyncPaymentRequests[Parsed]
        payment_handles: SyncPaymentHandles[Parsed]
        payment_providers: SyncPaymentProviders[Parsed]
        messages: SyncMessages[Parsed]
        phone_numbers: SyncPhoneNumbers[Parsed]
        phonenumbers: SyncPhonenumbers[Parsed]
        blocked_handles: SyncBlockedHandles[Parsed]
        contact_card: SyncContactCards[Parsed]
        experiences: SyncExperiences[Parsed]
        attachments: SyncAttachments[Parsed]
        capability: SyncCapability[Parsed]
        available_number: SyncAvailableNumber[Parsed]
        webhook_events: SyncWebhookEvents[Parsed]
        webhook_subscriptions: SyncWebhookSubscriptions[Parsed]
        webhooks: SyncWebhooks[Parsed]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = Timeout(),  # noqa: B008 - frozen, so one shared default is safe
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        webhook_secret: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        ca_bundle: str | os.PathLike[str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        api_key, webhook_secret = _masked(api_key), _masked(webhook_secret)  # '<redacted>' in tracebacks
        if session is not None:
            raise ValidationError(
                "SyncLinqClient makes its own event loops and cannot use an aiohttp session made on "
                "another; pass session= to AsyncLinqClient instead"
            )
        client = AsyncLinqClient(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            webhook_secret=webhook_secret,
            default_headers=default_headers,
            default_query=default_query,
            proxy=proxy,
            trust_env=trust_env,
            ca_bundle=ca_bundle,
            ssl_context=ssl_context,
        )
        client._conn.per_loop = True
        self._client = client
        self._runner = _Runner(client._conn)

    def __getattr__(self, name: str) -> Any:
        where = _RESOURCES.get(name)
        if where is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        import importlib

        resource = getattr(importlib.import_module(where[0]), where[1])(self._runner, getattr(self._client, name))
        self.__dict__[name] = resource
        return resource

    @property
    def base_url(self) -> str:
        """The API base URL requests go to, without a trailing slash."""
        return self._client.base_url

    @property
    def timeout(self) -> Timeout:
        """The time limits applied to each request."""
        return self._client.timeout

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy applied to each request."""
        return self._client.retry

    @property
    def webhook_secret(self) -> str | None:
        """The signing secret ``webhooks.unwrap`` uses by default (``$LINQ_WEBHOOK_SECRET`` if not given)."""
        return self._client.webhook_secret

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._runner.closed

    def is_closed(self) -> bool:
        """Whether ``close()`` has been called (linq-python's name for ``closed``)."""
        return self.closed

    @property
    def api_key(self) -> str:
        """The API key (its ``repr`` is ``'<redacted>'``)."""
        return self._client.api_key

    @property
    def max_retries(self) -> int:
        """How many times a failed request is retried (``retry.max_retries``)."""
        return self._client.max_retries

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        webhook_secret: str | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
    ) -> SyncLinqClient:
        """Return a copy of this client with some settings replaced, on the same loops and sessions.

        Same arguments as ``AsyncLinqClient.with_options``; closing either closes both. ``copy`` is
        the same method. Raises ``ValidationError`` for bad values.
        """
        api_key, webhook_secret = _masked(api_key), _masked(webhook_secret)  # '<redacted>' in tracebacks
        view = object.__new__(type(self))
        view._client = self._client.with_options(
            api_key=api_key,
            base_url=base_url,
            webhook_secret=webhook_secret,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        view._runner = self._runner
        return view

    copy = with_options

    def warm_up(self) -> None:
        """Pay the first request's one-off costs now, for a start-up hook; nothing is sent.

        As ``AsyncLinqClient.warm_up``, for the calling thread's session. Raises ``LinqError`` if
        the client is closed.
        """
        self._runner.run(self._client.warm_up())

    def close(self) -> None:
        """Close every session, the loops and the private thread; safe to call twice.

        A call in flight in another thread fails with ``LinqError``.
        """
        self._runner.close()

    def __enter__(self) -> SyncLinqClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        runner = self.__dict__.get("_runner")
        if runner is None:  # half-built: a traceback with locals is printing it
            return f"<{type(self).__name__} (not configured)>"
        if runner.closed:
            return f"<{type(self).__name__} (closed)>"
        return repr(self._client).replace("AsyncLinqClient", type(self).__name__, 1)
