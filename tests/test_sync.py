"""SyncLinqClient: parity with the async client, and the places legacy code calls it from."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from linq_async import (
    AsyncLinqClient,
    ConflictError,
    LinqError,
    ParticipantAddResponse,
    RetryPolicy,
    SyncLinqClient,
    ValidationError,
)
from linq_async._sync import SyncResource, _BlockingCall, _BlockingEndpoint, _BlockingIter, _BlockingPager, _Plain
from linq_async.resources._base import ENDPOINT, PAGINATED, Resource, kind_of

from .helpers import ADD_OK, CHAT, KEY, Answer, ScriptedAPI, envelope
from .surface import public_methods, resource_pairs

ROOT = Path(__file__).resolve().parent.parent
SLOW = "+14155550199"
FAST = "+14155550100"


def test_every_async_method_has_a_sync_twin_with_the_same_signature() -> None:
    pairs = list(resource_pairs())
    assert {path for path, _, _ in pairs} >= {"client.chats", "client.chats.participants", "client.chats.messages"}
    checked = 0
    for path, async_obj, sync_obj in pairs:
        for name, member in public_methods(async_obj):
            twin = inspect.getattr_static(type(sync_obj), name, None)
            assert twin is not None, f"{path}.{name} has no sync twin"
            if kind_of(member) == ENDPOINT:
                assert inspect.iscoroutinefunction(member), f"{path}.{name} is an endpoint but not async"
                kind: type[Any] = _BlockingEndpoint
            elif kind_of(member) == PAGINATED:
                assert str(inspect.signature(member).return_annotation).startswith("AsyncPaginator["), (
                    f"{path}.{name} is paginated but returns no paginator"
                )
                kind = _BlockingPager
            elif inspect.isasyncgenfunction(member):
                kind = _BlockingIter
            elif inspect.iscoroutinefunction(member):
                kind = _BlockingCall
            else:  # a method that does no I/O (webhooks.unwrap): called as it is
                kind = _Plain
            assert isinstance(twin, kind), f"{path}.{name} is not derived with blocking() as {kind.__name__}"
            assert twin.method is member, f"{path}.{name}'s twin wraps another function"
            bound_async = inspect.signature(getattr(async_obj, name))
            bound_sync = inspect.signature(getattr(sync_obj, name))
            assert bound_sync == bound_async, f"{path}.{name}: {bound_sync} != {bound_async}"
            assert getattr(sync_obj, name).__doc__ == member.__doc__
            checked += 1
    assert checked >= 13


def test_parity_check_catches_a_missing_twin() -> None:
    """Guard for the test above: a method without a twin is detected."""

    class Extra(Resource):
        async def ping(self) -> None: ...

    class SyncExtra(SyncResource[Extra]):
        pass

    assert inspect.getattr_static(SyncExtra, "ping", None) is None


def test_constructor_arguments_match_the_async_client() -> None:
    assert inspect.signature(SyncLinqClient) == inspect.signature(AsyncLinqClient)
    assert inspect.signature(SyncLinqClient.with_options).parameters.keys() == (
        inspect.signature(AsyncLinqClient.with_options).parameters.keys()
    )


@pytest.fixture
def sync_client(threaded_api: ScriptedAPI) -> Iterator[SyncLinqClient]:
    with SyncLinqClient(KEY, base_url=threaded_api.base_url, retry=RetryPolicy(initial_delay=0.001)) as client:
        yield client


def test_returns_the_same_models(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    result = sync_client.chats.participants.add(CHAT, handle=FAST)
    assert type(result) is ParticipantAddResponse
    assert result.status == "accepted"
    removed = sync_client.chats.participants.remove(CHAT.upper(), handle=FAST)
    assert removed.status == "accepted"
    assert [s.method for s in threaded_api.seen] == ["POST", "DELETE"]
    assert threaded_api.seen[1].path.endswith(f"/v3/chats/{CHAT}/participants")


def test_raises_the_same_errors(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    threaded_api.reply(409, envelope(409, 2013, "This chat is unavailable"))
    with pytest.raises(ConflictError) as info:
        sync_client.chats.participants.add(CHAT, handle=FAST)
    assert info.value.code == 2013
    with pytest.raises(ValidationError):
        sync_client.chats.participants.add("../x", handle=FAST)
    assert len(threaded_api.seen) == 1


def test_retries_run_on_the_loop(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    threaded_api.reply(500, envelope(500, 3006), times=2)
    assert sync_client.chats.participants.add(CHAT, handle=FAST).status == "accepted"
    assert len(threaded_api.seen) == 3


def test_connections_are_reused_across_calls(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    for _ in range(10):
        sync_client.chats.participants.add(CHAT, handle=FAST)
    assert len({s.peer for s in threaded_api.seen}) == 1


async def test_works_inside_a_running_event_loop(sync_client: SyncLinqClient) -> None:
    # A notebook cell or an async framework calling a legacy helper: the caller's loop is busy.
    assert asyncio.get_running_loop().is_running()
    assert sync_client.chats.participants.add(CHAT, handle=FAST).status == "accepted"


def test_one_client_shared_by_16_threads(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    def work(n: int) -> list[str | None]:
        return [sync_client.chats.participants.add(CHAT, handle=f"+1415555{n:02d}{i:02d}").status for i in range(20)]

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))
    assert results == [["accepted"] * 20] * 16
    assert len(threaded_api.seen) == 320
    assert sorted(threaded_api.handles()) == sorted(f"+1415555{n:02d}{i:02d}" for n in range(16) for i in range(20))
    # Concurrent callers share the private loop thread's pooled session (at most 16 connections
    # for 16 callers); a thread alone in a call uses a loop of its own, closed when the thread ends.
    assert len({s.peer for s in threaded_api.seen}) <= 2 * 16
    loop_thread = sync_client._runner.state.loop_thread
    assert loop_thread is not None, "concurrent callers were not multiplexed on the loop thread"
    assert set(sync_client._client._conn.by_loop) <= {loop_thread._loop}


CALLER: contextvars.ContextVar[int] = contextvars.ContextVar("caller")


def test_callers_arriving_while_the_loop_thread_is_busy_share_one_wake_up(
    sync_client: SyncLinqClient, threaded_api: ScriptedAPI
) -> None:
    runner = sync_client._runner.state.loop_thread_runner()
    loop = runner._started_loop()
    wake_ups = []
    start_pending = runner._start_pending

    def counted() -> None:
        wake_ups.append(len(runner._pending))
        start_pending()

    runner._start_pending = counted  # type: ignore[method-assign]
    busy = threading.Event()

    def hold() -> None:  # the loop thread stuck in a callback until every caller has arrived
        busy.set()
        deadline = time.monotonic() + 5
        while len(runner._pending) < 8 and time.monotonic() < deadline:
            time.sleep(0.005)

    loop.call_soon_threadsafe(hold)
    assert busy.wait(5)

    seen: dict[int, object] = {}

    def call(n: int) -> int:
        CALLER.set(n)  # each call runs in its own caller's context variables, whoever woke the loop

        async def from_a_running_loop() -> int:  # such a caller always uses the loop thread
            result = sync_client.chats.participants.add_many(
                [(CHAT, f"+14155551{n:03d}")], on_progress=lambda done, total: seen.update({n: CALLER.get()})
            )
            return result.succeeded_count

        return asyncio.run(from_a_running_loop())

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(call, range(8))) == [1] * 8
    assert wake_ups == [8]  # one wake-up of the loop started all eight calls
    assert seen == {n: n for n in range(8)}


def test_a_lost_wake_up_of_the_loop_thread_heals_itself(sync_client: SyncLinqClient) -> None:
    runner = sync_client._runner.state.loop_thread_runner()
    runner._started_loop()
    # What an interrupt between raising the flag and scheduling the wake-up would leave behind, had
    # the flag not been lowered: every caller believes a wake-up is on its way.
    runner._wake_pending = True

    async def from_a_running_loop() -> str | None:
        return sync_client.chats.participants.add(CHAT, handle=FAST).status

    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, from_a_running_loop()).result(timeout=10) == "accepted"
    assert time.monotonic() - started < 3  # one wait slice (0.5 s), then a wake-up of its own


def test_calling_from_the_loop_thread_raises_instead_of_deadlocking(sync_client: SyncLinqClient) -> None:
    sync_client.chats.participants.add(CHAT, handle=FAST)

    async def nested() -> None:
        sync_client.chats.participants.add(CHAT, handle=FAST)

    started = time.monotonic()
    with pytest.raises(LinqError, match="own event-loop thread"):
        sync_client._runner.state.loop_thread_runner().run(nested())
    assert time.monotonic() - started < 5


def test_close_stops_the_thread_and_is_final(threaded_api: ScriptedAPI) -> None:
    client = SyncLinqClient(KEY, base_url=threaded_api.base_url)
    client.chats.participants.add(CHAT, handle=FAST)
    loop = client._runner.state.local.loop.loop
    assert not loop.is_closed()
    client.close()
    client.close()
    assert client.closed
    assert loop.is_closed()
    with pytest.raises(LinqError, match="closed"):
        client.chats.participants.add(CHAT, handle=FAST)
    assert repr(client) == "<SyncLinqClient (closed)>"


def test_with_statement_closes(threaded_api: ScriptedAPI) -> None:
    with SyncLinqClient(KEY, base_url=threaded_api.base_url) as client:
        client.chats.participants.add(CHAT, handle=FAST)
    assert client.closed


def test_a_client_never_used_closes_cleanly() -> None:
    client = SyncLinqClient(KEY)
    assert client._runner.state.loop_thread is None
    assert not client._runner.state.loops
    client.close()
    assert client.closed


def test_with_options_views_share_the_loop(sync_client: SyncLinqClient, threaded_api: ScriptedAPI) -> None:
    quick = sync_client.with_options(timeout=0.3, max_retries=0)
    assert quick.timeout.total == 0.3
    assert quick.retry.max_retries == 0
    assert sync_client.retry.max_retries == 2
    threaded_api.reply(202, ADD_OK, delay=1.0)
    with pytest.raises(LinqError, match="timed out"):
        quick.chats.participants.add(CHAT, handle=FAST)
    assert len(threaded_api.seen) == 1
    nested = quick.with_options(max_retries=1)
    assert (nested.timeout.total, nested.retry.max_retries) == (0.3, 1)
    assert quick._runner is sync_client._runner
    assert "timeout=0.3" in repr(quick)
    with pytest.raises(ValidationError):
        sync_client.with_options(timeout=-1)


def test_sync_client_refuses_a_foreign_session() -> None:
    with pytest.raises(ValidationError, match="its own event loops"):
        SyncLinqClient(KEY, session=object())  # type: ignore[arg-type]


def test_keyboard_interrupt_raised_inside_a_call_does_not_kill_the_loop(sync_client: SyncLinqClient) -> None:
    async def boom() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_client._runner.run(boom())
    assert sync_client.chats.participants.add(CHAT, handle=FAST).status == "accepted"


def test_a_call_in_the_main_thread_takes_ctrl_c_for_its_duration_only(sync_client: SyncLinqClient) -> None:
    assert threading.current_thread() is threading.main_thread()
    seen: list[object] = []

    def note(done: int, total: int | None) -> None:
        seen.append(signal.getsignal(signal.SIGINT))

    sync_client.chats.participants.add_many([(CHAT, FAST)], on_progress=note)
    assert len(seen) == 1 and callable(seen[0]) and seen[0] is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back after the call

    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGINT, mine)
    try:
        seen.clear()
        sync_client.chats.participants.add_many([(CHAT, FAST)], on_progress=note)
        assert seen == [mine]  # a handler of the program's own is left in place
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, previous)


def _child(script: str, *args: str, warnings: str = "always") -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-W", warnings, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


SIGINT_CHILD = f"""
    import sys, time
    from linq_async import SyncLinqClient, RetryPolicy
    client = SyncLinqClient("{KEY}", base_url=sys.argv[1],
                            retry=RetryPolicy(max_retries=5, initial_delay=0.01, max_delay=0.02))
    client.chats.participants.add("{CHAT}", handle="{FAST}")
    print("ready", flush=True)
    try:
        client.chats.participants.add("{CHAT}", handle="{SLOW}")
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted", time.monotonic(), flush=True)
    result = client.chats.participants.add("{CHAT}", handle="{FAST}")
    print("usable", result.status, flush=True)
    time.sleep(1.5)  # stay alive: an un-cancelled call would keep retrying meanwhile
    client.close()
"""


@pytest.mark.slow
def test_ctrl_c_interrupts_cancels_and_leaves_the_client_usable(threaded_api: ScriptedAPI) -> None:
    # The slow handle is answered with 500/3006 after 1 s: retried five times unless cancelled.
    threaded_api.by_handle[SLOW] = Answer(500, json.dumps(envelope(500, 3006)).encode(), delay=1.0)
    child = _child(SIGINT_CHILD, threaded_api.base_url)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 10
    while SLOW not in threaded_api.handles():
        assert time.monotonic() < deadline, "the slow request never arrived"
        time.sleep(0.01)
    time.sleep(0.1)
    signalled = time.monotonic()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().split()
    assert line[0] == "interrupted", line
    assert float(line[1]) - signalled < 0.5
    assert child.stdout.readline().split() == ["usable", "accepted"]
    _, stderr = child.communicate(timeout=10)
    assert child.returncode == 0, stderr
    assert threaded_api.handles().count(SLOW) == 1
    assert threaded_api.handles().count(FAST) == 2
    assert "Task was destroyed" not in stderr
    assert "Unclosed" not in stderr
    assert "Event loop is closed" not in stderr


FORK_CHILD = f"""
    import os, sys
    from linq_async import SyncLinqClient
    client = SyncLinqClient("{KEY}", base_url=sys.argv[1], timeout=5, max_retries=0)
    client.chats.participants.add("{CHAT}", handle="+14155550001")
    parent_loop = client._runner.state.local.loop
    inherited = client._client._conn.transport._session.connector
    pid = os.fork()
    if pid == 0:
        result = client.chats.participants.add("{CHAT}", handle="+14155550002")
        assert client._runner.state.local.loop is not parent_loop
        # What a garbage collection in the child may run at any time: had the inherited pool not been
        # abandoned, this would unregister the parent's socket from the epoll instance both share.
        type(inherited).__del__(inherited)
        print("child", result.status, flush=True)
        sys.exit(0)  # a normal exit: the child's finalisers run and must not touch the parent's loop
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    result = client.chats.participants.add("{CHAT}", handle="+14155550003")
    assert client._runner.state.local.loop is parent_loop
    print("parent", result.status, flush=True)
    client.close()
"""


@pytest.mark.slow
def test_fork_gives_the_child_a_fresh_loop_and_leaves_the_parent_untouched(threaded_api: ScriptedAPI) -> None:
    child = _child(FORK_CHILD, threaded_api.base_url, warnings="ignore::DeprecationWarning")
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    assert stdout.split("\n")[:2] == ["child accepted", "parent accepted"]
    by_handle = {json.loads(s.body)["handle"]: s.peer for s in threaded_api.seen}
    assert by_handle["+14155550002"] != by_handle["+14155550001"], "the child reused the parent's connection"
    assert by_handle["+14155550003"] == by_handle["+14155550001"], "the parent lost its pooled connection"
    assert "Unclosed" not in stderr and "Exception ignored" not in stderr, stderr


PINNED_ACROSS_FORK_CHILD = f"""
    import asyncio, os, signal, sys
    from linq_async import LinqError, SyncLinqClient
    client = SyncLinqClient("{KEY}", base_url=sys.argv[1])
    runner = client._runner.state.loop_thread_runner()  # what a sync iterator pinned there holds
    runner.run(asyncio.sleep(0))  # its loop thread runs
    pid = os.fork()
    if pid == 0:
        signal.alarm(5)  # a child left waiting on the parent's loop thread would be killed here
        try:
            runner.run(asyncio.sleep(0, "ran"))
            print("ran", flush=True)
        except LinqError as exc:
            print("refused:", exc, flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child exit", os.waitstatus_to_exitcode(status), flush=True)
    client.close()
"""


def test_a_call_pinned_to_the_parents_loop_thread_is_refused_in_a_forked_child() -> None:
    child = _child(PINNED_ACROSS_FORK_CHILD, "http://127.0.0.1:9/api/partner", warnings="ignore::DeprecationWarning")
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("refused: this call was pinned to a loop thread of the parent process"), stdout
    assert lines[1] == "child exit 0", stdout


NEVER_CLOSED_CHILD = f"""
    import gc, sys, threading
    from linq_async import SyncLinqClient
    client = SyncLinqClient("{KEY}", base_url=sys.argv[1])
    client.chats.participants.add("{CHAT}", handle="{FAST}")
    if sys.argv[2] == "collect":
        del client
        gc.collect()
        alive = [t for t in threading.enumerate() if t.name == "linq-async-loop"]
        assert not alive, alive
    print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["exit", "collect"])
def test_a_client_never_closed_is_cleaned_up_quietly(threaded_api: ScriptedAPI, ending: str) -> None:
    child = _child(NEVER_CLOSED_CHILD, threaded_api.base_url, ending, warnings="error")
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    assert stdout.strip() == "done"
    assert stderr == "", stderr


def test_threads_of_closed_clients_do_not_pile_up(threaded_api: ScriptedAPI) -> None:
    before = sum(t.name == "linq-async-loop" for t in threading.enumerate())
    for _ in range(5):
        with SyncLinqClient(KEY, base_url=threaded_api.base_url) as client:
            client.chats.participants.add(CHAT, handle=FAST)
    assert sum(t.name == "linq-async-loop" for t in threading.enumerate()) == before


def test_closing_while_another_thread_waits_gives_that_thread_a_clear_error(threaded_api: ScriptedAPI) -> None:
    threaded_api.reply(202, ADD_OK, delay=2.0)
    client = SyncLinqClient(KEY, base_url=threaded_api.base_url)
    client.chats.participants.remove(CHAT, handle=FAST)  # starts the loop; answered at once
    threaded_api.reply(202, ADD_OK, delay=2.0)
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            client.chats.participants.add(CHAT, handle=FAST)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=slow_call)
    worker.start()
    while len(threaded_api.seen) < 2:
        time.sleep(0.01)
    client.close()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the waiting thread was left hanging"
    [error] = errors
    assert isinstance(error, LinqError), repr(error)
    with pytest.raises(LinqError, match="closed"):
        client.chats.participants.add(CHAT, handle=FAST)


@pytest.mark.timeout(30)
def test_a_generator_closed_by_the_collector_inside_another_call_does_not_hang(fake_server: Any) -> None:
    import gc

    group = fake_server.create_chat(["+14155550101", "+14155550102", "+14155550103"])
    with SyncLinqClient(fake_server.api_key, base_url=fake_server.base_url) as client:

        class Holder:
            pass

        holder = Holder()
        holder.me = holder  # type: ignore[attr-defined] # a cycle: only the cyclic collector frees it
        holder.it = client.chats.participants.iter_add([(group, f"+1415555020{i}") for i in range(5)])  # type: ignore[attr-defined]
        assert next(holder.it).ok  # type: ignore[attr-defined]
        del holder
        collected: list[int] = []

        def collect(done: int, total: int) -> None:
            collected.append(gc.collect())  # as an automatic collection could, at any allocation

        gc.disable()
        try:
            result = client.chats.participants.add_many([(group, "+14155550301")], on_progress=collect)
        finally:
            gc.enable()
        assert result.succeeded_count == 1 and collected
        assert client.chats.retrieve(group).id == group  # the loop is in a good state afterwards


def test_stepping_a_generator_from_inside_another_call_is_refused(fake_server: Any) -> None:
    group = fake_server.create_chat(["+14155550101", "+14155550102", "+14155550103"])
    with SyncLinqClient(fake_server.api_key, base_url=fake_server.base_url) as client:
        it = client.chats.participants.iter_add([(group, f"+1415555021{i}") for i in range(3)])
        assert next(it).ok
        seen: list[BaseException] = []

        def step(done: int, total: int) -> None:
            try:
                next(it)
            except LinqError as exc:
                seen.append(exc)

        client.chats.participants.add_many([(group, "+14155550311")], on_progress=step)
        assert seen and "inside another call" in str(seen[0])
        assert list(it) == [], "the refusal ended the generator, as any exception in it does"
        assert client.chats.retrieve(group).id == group
