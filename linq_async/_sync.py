"""``SyncLinqClient``: the async client driven from blocking code, with no request logic of its own.

Each sync client owns one private event loop on a daemon thread, started on the first call, and
one ``AsyncLinqClient`` whose session lives on that loop, so connections are pooled across calls.
Calls are handed to the loop and waited for; every sync method is derived from its async twin by
a typed descriptor (``blocking``, ``blocking_iter``), so the two surfaces cannot drift apart.

What it survives: being called inside a running event loop (a notebook cell, an async framework
calling a legacy helper), from many threads at once, in a child after ``os.fork()`` (the child
abandons what it inherited, never closing it, and starts afresh), and Ctrl-C (the in-flight call
is cancelled on the loop and unwound before ``KeyboardInterrupt`` reaches the caller). Called from
the loop's own thread it raises instead of deadlocking.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._client import DEFAULT_MAX_RESPONSE_BYTES, AsyncLinqClient, Timeout
from ._errors import LinqError, ValidationError
from ._retry import RetryPolicy
from .pagination import AsyncPaginator, SyncPaginator

if TYPE_CHECKING:
    import aiohttp

__all__ = ["SyncLinqClient", "blocking", "blocking_iter", "blocking_pager"]

A = TypeVar("A")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# How long a waiting caller sleeps between checks; it only bounds how often an idle wait wakes.
logger = logging.getLogger("linq_async")

_WAIT_SLICE = 0.5
# How long Ctrl-C waits for the cancelled call to unwind before KeyboardInterrupt is re-raised.
_UNWIND_WAIT = 0.35
_SHUTDOWN_WAIT = 5.0


class _Call:
    """One awaitable submitted from a caller thread, and the caller's view of its outcome.

    The caller waits on a lock it acquired beforehand; the task releases it as its last act (no
    done-callback, which would cost one more turn of the loop): the cheapest hand-off between
    two threads in CPython.
    """

    __slots__ = ("awaitable", "cancelled_error", "error", "finished", "lock", "result", "task", "withdrawn")

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable
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
            if inspect.iscoroutine(self.awaitable):
                self.awaitable.close()
            self._done(None, asyncio.CancelledError())
            return
        self.task = _start_task(self._run())

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

    def outcome(self) -> Any:
        if self.error is not None:
            if isinstance(self.error, asyncio.CancelledError) and not self.withdrawn:
                # Cancelled by the loop shutting down, not by this caller: the client was closed.
                raise LinqError("the SyncLinqClient was closed while this call was in flight") from None
            raise self.error
        return self.result


if sys.version_info >= (3, 12):

    def _start_task(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        # Eager start: the call runs at once instead of a turn of the loop later.
        return asyncio.Task(coro, loop=asyncio.get_running_loop(), eager_start=True)

else:

    def _start_task(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(coro)


class _LoopThread:
    """A private event loop running on a daemon thread, and the async client that lives on it."""

    def __init__(self, client: AsyncLinqClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ident: int | None = None
        self._stopped = False

    def _started_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None:
            return loop
        with self._lock:
            if self._stopped:
                raise LinqError("this SyncLinqClient is closed; create a new one")
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
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise LinqError(
                "a SyncLinqClient method was called on its own event-loop thread (for example from an "
                "on_progress callback); that would deadlock. Use the AsyncLinqClient there."
            )
        try:
            loop = self._started_loop()
        except BaseException:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
        call = _Call(awaitable)
        try:
            try:
                loop.call_soon_threadsafe(call.start)
            except RuntimeError:  # closed by another thread a moment ago
                if inspect.iscoroutine(awaitable):
                    awaitable.close()
                raise LinqError("this SyncLinqClient is closed; create a new one") from None
            # Waited in slices so that a signal (Ctrl-C) is handled on every platform, and so that a
            # loop closed by another thread before running this call cannot leave it waiting forever.
            while not call.lock.acquire(timeout=_WAIT_SLICE):
                if loop.is_closed():
                    raise LinqError("the SyncLinqClient was closed while this call was waiting")
        except BaseException as interruption:
            if not call.finished:
                # Interrupted while waiting (Ctrl-C, or SystemExit from a signal handler): cancel the
                # call on the loop and give it a moment to unwind, so no further request is sent for it.
                if loop.is_closed():
                    raise
                try:
                    loop.call_soon_threadsafe(call.withdraw)
                except RuntimeError:  # the loop closed meanwhile: nothing left to cancel
                    raise interruption from None
                try:
                    call.lock.acquire(timeout=_UNWIND_WAIT)
                finally:
                    partial = getattr(call.cancelled_error, "batch_result", None)
                    if partial is not None:
                        interruption.batch_result = partial  # type: ignore[attr-defined]
            raise
        result: T = call.outcome()
        return result

    def shutdown(self) -> None:
        """Close the async client on the loop, then stop the loop and its thread. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        if threading.get_ident() == self._ident:
            # Reached from the loop thread itself (a garbage collection there): do not wait on it.
            asyncio.ensure_future(self.client.close(), loop=loop).add_done_callback(lambda _: loop.stop())
            return
        try:
            asyncio.run_coroutine_threadsafe(self.client.close(), loop).result(timeout=_SHUTDOWN_WAIT)
        except Exception:
            logger.debug("closing the client on its loop failed; stopping the loop anyway", exc_info=True)
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_SHUTDOWN_WAIT)

    def abandon(self) -> None:
        """Forget an inherited loop in a forked child without touching it (see ``_after_fork``)."""
        self._stopped = True
        transport = self.client._conn.transport
        if transport is not None:
            from ._http import abandon_session

            abandon_session(transport)


class _SyncState:
    """What a sync client and its ``with_options`` views share: the loop thread and its client."""

    def __init__(self, client: AsyncLinqClient) -> None:
        self.pid = os.getpid()
        self.closed = False
        self.runner = _LoopThread(client)
        self._finalizer = weakref.finalize(self, _LoopThread.shutdown, self.runner)
        _STATES.add(self)

    def current(self) -> _LoopThread:
        if self.pid != os.getpid():
            self.after_fork()
        if self.closed:
            raise LinqError("this SyncLinqClient is closed; create a new one")
        return self.runner

    def after_fork(self) -> None:
        """In a forked child: abandon the parent's loop and session, start afresh on next use."""
        if self.pid == os.getpid():
            return
        self.pid = os.getpid()
        self._finalizer.detach()  # its shutdown would unregister the parent's sockets from epoll
        old = self.runner
        old.abandon()
        self.runner = _LoopThread(old.client._detached_copy())
        self._finalizer = weakref.finalize(self, _LoopThread.shutdown, self.runner)

    def close(self) -> None:
        if self.pid != os.getpid():
            self.after_fork()
        self.closed = True
        self._finalizer()


_STATES: weakref.WeakSet[_SyncState] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for state in list(_STATES):
        state.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class SyncResource(Generic[A]):
    """The blocking twin of an async resource; its methods are ``blocking`` descriptors."""

    __slots__ = ("_get", "_sync")

    def __init__(self, sync: SyncLinqClient, get: Callable[[AsyncLinqClient], A]) -> None:
        self._sync = sync
        self._get = get

    def _bind(self) -> tuple[_LoopThread, A]:
        runner, client = self._sync._bind()
        return runner, self._get(client)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._sync!r}>"


class _Derived:
    """What the three descriptors share: the async method, and its name, doc and signature for the twin."""

    method: Callable[..., Any]

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.__doc__ = method.__doc__
        self.__name__ = method.__name__

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The async method's signature without ``self``: the twin's."""
        signature = inspect.signature(self.method)
        return signature.replace(parameters=list(signature.parameters.values())[1:])

    def _named(self, call: Callable[P, R]) -> Callable[P, R]:
        call.__name__ = self.__name__
        call.__doc__ = self.__doc__
        call.__signature__ = self.signature  # type: ignore[attr-defined]
        return call


class blocking(_Derived, Generic[A, P, R]):
    """Derive a blocking method from an async resource method; the signature is the same."""

    method: Callable[Concatenate[A, P], Coroutine[Any, Any, R]]

    def __init__(self, method: Callable[Concatenate[A, P], Coroutine[Any, Any, R]]) -> None:
        super().__init__(method)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking[A, P, R]: ...

    @overload
    def __get__(self, obj: SyncResource[A], owner: type[Any]) -> Callable[P, R]: ...

    def __get__(self, obj: SyncResource[A] | None, owner: type[Any]) -> blocking[A, P, R] | Callable[P, R]:
        if obj is None:
            return self
        method = self.method

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            runner, target = obj._bind()
            return runner.run(method(target, *args, **kwargs))

        return self._named(call)


class blocking_iter(_Derived, Generic[A, P, T]):
    """Derive a plain generator from an async-iterator resource method; the signature is the same.

    Items are pulled one at a time from the loop; closing the generator early (``break``) or
    Ctrl-C closes the async iterator on the loop, which cancels whatever it had in flight.
    """

    method: Callable[Concatenate[A, P], AsyncIterator[T]]

    def __init__(self, method: Callable[Concatenate[A, P], AsyncIterator[T]]) -> None:
        super().__init__(method)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking_iter[A, P, T]: ...

    @overload
    def __get__(self, obj: SyncResource[A], owner: type[Any]) -> Callable[P, Iterator[T]]: ...

    def __get__(
        self, obj: SyncResource[A] | None, owner: type[Any]
    ) -> blocking_iter[A, P, T] | Callable[P, Iterator[T]]:
        if obj is None:
            return self
        method = self.method

        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            runner, target = obj._bind()
            return _pull(runner, method(target, *args, **kwargs))

        return self._named(call)


class blocking_pager(_Derived, Generic[A, P, T]):
    """Derive a ``SyncPaginator`` method from a paginated async method; the signature is the same.

    Arguments are checked at the call, as on the async side; pages are fetched as iterated.
    """

    method: Callable[Concatenate[A, P], AsyncPaginator[T]]

    def __init__(self, method: Callable[Concatenate[A, P], AsyncPaginator[T]]) -> None:
        super().__init__(method)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking_pager[A, P, T]: ...

    @overload
    def __get__(self, obj: SyncResource[A], owner: type[Any]) -> Callable[P, SyncPaginator[T]]: ...

    def __get__(
        self, obj: SyncResource[A] | None, owner: type[Any]
    ) -> blocking_pager[A, P, T] | Callable[P, SyncPaginator[T]]:
        if obj is None:
            return self
        method = self.method

        def call(*args: P.args, **kwargs: P.kwargs) -> SyncPaginator[T]:
            runner, target = obj._bind()
            return SyncPaginator(runner, method(target, *args, **kwargs))

        return self._named(call)


def _pull(runner: _LoopThread, iterator: AsyncIterator[T]) -> Iterator[T]:
    finished = False
    try:
        while True:
            try:
                item = runner.run(_next(iterator))
            except StopAsyncIteration:
                finished = True
                return
            yield item
    finally:
        if not finished:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                try:
                    runner.run(aclose())
                except (LinqError, RuntimeError):
                    # Already unwinding after Ctrl-C, closed client, or reached from the loop thread:
                    # the iterator's own cancellation handling has run or will run; never mask the
                    # exception that brought us here.
                    pass


async def _next(iterator: AsyncIterator[T]) -> T:
    return await iterator.__anext__()


class SyncLinqClient:
    """Blocking client for the Linq Partner API V3: the async client run on a private loop thread.

    Takes the same arguments as ``AsyncLinqClient`` and exposes the same resources; each method
    blocks and returns the same models or raises the same errors. Safe to share between threads,
    usable inside a running event loop, after ``os.fork()`` and across Ctrl-C. Use it as
    ``with SyncLinqClient() as client:`` or call ``client.close()``; a client never closed is
    cleaned up quietly at garbage collection or exit.

    ``session`` must stay ``None``: an aiohttp session belongs to the loop it was made on, and this
    client's loop is private. Raises ``ValidationError`` as ``AsyncLinqClient`` does.
    """

    chats: SyncChats

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout = Timeout(),  # noqa: B008 - frozen, so one shared default is safe
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if session is not None:
            raise ValidationError(
                "SyncLinqClient runs on its own private event loop and cannot use an aiohttp session made "
                "on another; pass session= to AsyncLinqClient instead"
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
        )
        self._state = _SyncState(client)
        # with_options calls applied in order to the state's async client, as views of views are.
        self._options: tuple[dict[str, Any], ...] = ()
        self._view: tuple[AsyncLinqClient, AsyncLinqClient] | None = None
        self._make_resources()

    def _make_resources(self) -> None:
        self.chats = SyncChats(self, _chats)

    def _bind(self) -> tuple[_LoopThread, AsyncLinqClient]:
        runner = self._state.current()
        base = runner.client
        if not self._options:
            return runner, base
        view = self._view
        if view is None or view[0] is not base:
            view = (base, _apply(base, self._options))
            self._view = view
        return runner, view[1]

    @property
    def base_url(self) -> str:
        """The API base URL requests go to, without a trailing slash."""
        return self._bind()[1].base_url

    @property
    def timeout(self) -> Timeout:
        """The time limits applied to each request."""
        return self._bind()[1].timeout

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy applied to each request."""
        return self._bind()[1].retry

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._state.closed

    def with_options(
        self,
        *,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> SyncLinqClient:
        """Return a view of this client with other per-request options, sharing its loop and session."""
        options = (*self._options, {"timeout": timeout, "max_retries": max_retries, "retry": retry})
        _apply(self._state.current().client, options)  # validate now, in the caller's thread
        view = object.__new__(type(self))
        view._state = self._state
        view._options = options
        view._view = None
        view._make_resources()
        return view

    def close(self) -> None:
        """Close the session, stop the loop and its thread; safe to call twice."""
        self._state.close()

    def __enter__(self) -> SyncLinqClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._state.closed:
            return f"<{type(self).__name__} (closed)>"
        client = _apply(self._state.runner.client, self._options)
        return repr(client).replace("AsyncLinqClient", type(self).__name__, 1)


def _apply(client: AsyncLinqClient, options: tuple[dict[str, Any], ...]) -> AsyncLinqClient:
    for option in options:
        client = client.with_options(**option)
    return client


# Sync resources: one line per async method. The parity test fails if one is missing.

from .resources.chats import Chats  # noqa: E402 - after SyncResource, which the classes below need
from .resources.messages import ChatMessages  # noqa: E402
from .resources.participants import Participants  # noqa: E402


def _chats(client: AsyncLinqClient) -> Chats:
    return client.chats


def _participants(client: AsyncLinqClient) -> Participants:
    return client.chats.participants


def _messages(client: AsyncLinqClient) -> ChatMessages:
    return client.chats.messages


class SyncParticipants(SyncResource[Participants]):
    """Blocking twin of ``client.chats.participants``."""

    __slots__ = ()

    add = blocking(Participants.add)
    remove = blocking(Participants.remove)
    add_many = blocking(Participants.add_many)
    remove_many = blocking(Participants.remove_many)
    iter_add = blocking_iter(Participants.iter_add)
    iter_remove = blocking_iter(Participants.iter_remove)


class SyncChatMessages(SyncResource[ChatMessages]):
    """Blocking twin of ``client.chats.messages``."""

    __slots__ = ()

    send = blocking(ChatMessages.send)
    list = blocking_pager(ChatMessages.list)


class SyncChats(SyncResource[Chats]):
    """Blocking twin of ``client.chats``."""

    __slots__ = ("messages", "participants")

    create = blocking(Chats.create)
    retrieve = blocking(Chats.retrieve)
    list = blocking_pager(Chats.list)
    update = blocking(Chats.update)
    leave = blocking(Chats.leave)
    list_chats = blocking_pager(Chats.list_chats)
    leave_chat = blocking(Chats.leave_chat)

    def __init__(self, sync: SyncLinqClient, get: Callable[[AsyncLinqClient], Chats]) -> None:
        super().__init__(sync, get)
        self.participants = SyncParticipants(sync, _participants)
        self.messages = SyncChatMessages(sync, _messages)
