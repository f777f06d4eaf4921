"""The request core against a real loopback server: wire format, models, session lifetime, options."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import linq_async
from linq_async import (
    AsyncLinqClient,
    LinqError,
    NotFoundError,
    ParticipantAddResponse,
    ParticipantRemoveResponse,
    RetryPolicy,
    Timeout,
    UnreadableResponseError,
    ValidationError,
    _http,  # here, before any test patches ClientSession.request (see _http._thin_request)
)

from .helpers import ADD_OK, CHAT, KEY, REMOVE_OK, TRACE, ScriptedAPI, Sleeps, envelope

PATH = f"/api/partner/v3/chats/{CHAT}/participants"


async def test_add_wire_format(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    result = await client.chats.participants.add(CHAT, handle="+14155550100")

    assert result == ParticipantAddResponse(message="Participant addition queued", status="accepted", trace_id=TRACE)
    [seen] = api.seen
    assert (seen.method, seen.path, seen.query) == ("POST", PATH, "")
    assert seen.json == {"handle": "+14155550100"}
    assert seen.body == b'{"handle":"+14155550100"}'
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["Content-Type"] == "application/json"
    agent = seen.headers["User-Agent"]
    assert agent.startswith(f"linq-async/{linq_async.__version__} Python/")
    assert f" aiohttp/{aiohttp.__version__}" in agent


async def test_remove_sends_delete_with_json_body(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, REMOVE_OK)

    result = await client.chats.participants.remove(CHAT, handle="ana@example.com")

    assert isinstance(result, ParticipantRemoveResponse)
    assert result.message == "Participant removal queued"
    [seen] = api.seen
    assert (seen.method, seen.path) == ("DELETE", PATH)
    assert seen.json == {"handle": "ana@example.com"}


@pytest.mark.parametrize(
    "spelling",
    [
        CHAT.upper(),
        CHAT.replace("-", ""),
        "{" + CHAT + "}",
        "urn:uuid:" + CHAT,
        uuid.UUID(CHAT),
    ],
)
async def test_chat_id_spellings_are_sent_canonical(
    client: AsyncLinqClient, api: ScriptedAPI, spelling: str | uuid.UUID
) -> None:
    await client.chats.participants.add(spelling, handle="+14155550100")
    assert api.paths == [PATH]


async def test_unknown_fields_are_kept_and_round_trip(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, {**ADD_OK, "queued_at": "2026-11-22T10:00:00Z", "position": {"n": 3}})

    result = await client.chats.participants.add(CHAT, handle="+14155550100")

    assert result.extra == {"queued_at": "2026-11-22T10:00:00Z", "position": {"n": 3}}
    assert result.to_dict() == {**ADD_OK, "queued_at": "2026-11-22T10:00:00Z", "position": {"n": 3}}


async def test_trace_id_falls_back_to_header(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, {"status": "accepted"}, headers={"X-Trace-ID": "f" * 32})
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.trace_id == "f" * 32
    assert result.message is None


async def test_body_trace_id_wins_over_header(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, ADD_OK, headers={"X-Trace-ID": "f" * 32})
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.trace_id == TRACE


async def test_empty_success_body_gives_empty_model(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply_bytes(202, b"", headers={"X-Trace-ID": "a" * 32})
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result == ParticipantAddResponse(trace_id="a" * 32)


async def test_one_session_is_reused(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    for _ in range(3):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    transport = client._conn.transport
    assert transport is not None
    await client.chats.participants.remove(CHAT, handle="+14155550100")
    assert client._conn.transport is transport
    assert len(api.seen) == 4


async def test_session_is_created_lazily_inside_the_loop(api: ScriptedAPI) -> None:
    client = AsyncLinqClient(KEY, base_url=api.base_url)
    assert client._conn.transport is None
    await client.chats.participants.add(CHAT, handle="+14155550100")
    assert client._conn.transport is not None
    await client.close()


def test_client_can_be_built_outside_any_loop() -> None:
    client = AsyncLinqClient(KEY)
    assert client.base_url == "https://api.linqapp.com/api/partner"
    assert client._conn.transport is None


async def test_user_session_is_used_and_never_closed(api: ScriptedAPI) -> None:
    async with aiohttp.ClientSession() as session:
        async with AsyncLinqClient(KEY, base_url=api.base_url, session=session) as client:
            await client.chats.participants.add(CHAT, handle="+14155550100")
        assert client.closed
        assert not session.closed
        async with session.get(api.base_url + "/ping") as response:
            assert response.status == 202
    assert len(api.seen) == 2


async def test_user_session_must_be_a_client_session() -> None:
    with pytest.raises(ValidationError, match=r"aiohttp\.ClientSession"):
        AsyncLinqClient(KEY, session=object())  # type: ignore[arg-type]


async def test_stock_aiohttp_is_awaited_without_its_context_manager(
    api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ClientSession.request() is _RequestContextManager(self._request(...)): the transport awaits
    # _request itself, which keeps two objects per request in flight fewer.
    built: list[object] = []
    stock = aiohttp.client._RequestContextManager

    def counted(coro: Any) -> Any:
        built.append(coro)
        return stock(coro)

    monkeypatch.setattr(aiohttp.client, "_RequestContextManager", counted)
    async with AsyncLinqClient(KEY, base_url=api.base_url) as client:
        result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.status == "accepted"
    assert built == []
    assert len(api.seen) == 1


def test_the_context_manager_is_skipped_only_where_request_is_the_thin_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _http._thin_request() is aiohttp.ClientSession.request  # this aiohttp's request() is the wrapper

    def reworked(self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        self._prepare_something_else()  # type: ignore[attr-defined]  # a request() doing more than wrap
        return aiohttp.client._RequestContextManager(self._request(method, url, **kwargs))

    monkeypatch.setattr(aiohttp.ClientSession, "request", reworked)
    assert _http._thin_request() is not reworked


async def test_a_patched_session_request_is_still_used(api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tracing libraries and test doubles wrap ClientSession.request: the transport must go through it.
    calls: list[str] = []
    stock = aiohttp.ClientSession.request

    def traced(self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        calls.append(method)
        return stock(self, method, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "request", traced)
    async with AsyncLinqClient(KEY, base_url=api.base_url) as client:
        await client.chats.participants.add(CHAT, handle="+14155550100")
        api.reply(404, envelope(404, 2001))
        with pytest.raises(NotFoundError):
            await client.chats.participants.remove(CHAT, handle="+14155550100")
    assert calls == ["POST", "DELETE"]


async def test_a_request_that_is_only_a_context_manager_is_entered_and_exited(
    api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wrapper (or mock) of request() may return a context manager that cannot be awaited: it is
    # used as aiohttp documents request(), with ``async with``, and exited with the error it saw.
    seen: list[object] = []
    stock = aiohttp.ClientSession.request

    @contextlib.asynccontextmanager
    async def spanned(self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        seen.append("enter")
        try:
            async with stock(self, method, url, **kwargs) as response:
                yield response
        except BaseException as exc:
            seen.append(type(exc).__name__)
            raise
        seen.append("exit")

    monkeypatch.setattr(aiohttp.ClientSession, "request", spanned)
    async with AsyncLinqClient(KEY, base_url=api.base_url, max_retries=0) as client:
        await client.chats.participants.add(CHAT, handle="+14155550100")
        api.reply(404, envelope(404, 2001))
        with pytest.raises(NotFoundError):
            await client.chats.participants.add(CHAT, handle="+14155550100")
    assert seen == ["enter", "exit", "enter", "NotFoundError"]


@pytest.mark.filterwarnings("ignore:Setting custom ClientSession:DeprecationWarning")
async def test_a_request_patched_on_your_own_session_is_used(api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _http._THIN_REQUEST is aiohttp.ClientSession.request  # the class's request() is the stock one
    calls: list[str] = []
    async with aiohttp.ClientSession() as session:
        stock = session.request

        def traced(method: str, url: Any, **kwargs: Any) -> Any:
            calls.append(method)
            return stock(method, url, **kwargs)

        monkeypatch.setattr(session, "request", traced)
        async with AsyncLinqClient(KEY, base_url=api.base_url, session=session) as client:
            await client.chats.participants.add(CHAT, handle="+14155550100")
    assert calls == ["POST"]


async def test_an_answer_left_unread_gives_its_connection_back() -> None:
    # An answer over the size limit is refused before its body arrives. With one pooled connection,
    # keeping that connection would leave every later request waiting for it (here: timing out).
    hold = asyncio.Event()
    answered = 0

    async def handle(request: web.Request) -> web.StreamResponse:
        nonlocal answered
        await request.read()
        answered += 1
        if answered == 1:
            response = web.StreamResponse(status=202, headers={"Content-Type": "application/json"})
            response.content_length = 100_000
            await response.prepare(request)
            await response.write(b'{"message": "')
            await hold.wait()  # the rest never comes while the test runs
            return response
        return web.json_response(ADD_OK, status=202)

    app = web.Application()
    app.router.add_post("/api/partner/v3/chats/{chat}/participants", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with AsyncLinqClient(
            KEY, base_url=str(server.make_url("/api/partner")), max_connections=1, max_retries=0,
            max_response_bytes=1024, timeout=2,
        ) as client:  # fmt: skip
            with pytest.raises(UnreadableResponseError, match="limit") as refused:
                await client.chats.participants.add(CHAT, handle="+14155550100")
            # The refused error's traceback still holds that request's frame and response here, so
            # only a release by the SDK (not the collector) can have freed the connection.
            result = await client.chats.participants.add(CHAT, handle="+14155550100")
            assert result.status == "accepted"
            assert refused.value.status == 202
    finally:
        hold.set()
        await server.close()
    assert answered == 2


async def test_close_is_idempotent_and_final(client: AsyncLinqClient) -> None:
    await client.chats.participants.add(CHAT, handle="+14155550100")
    await client.close()
    await client.close()
    assert client.closed
    with pytest.raises(LinqError, match="closed"):
        await client.chats.participants.add(CHAT, handle="+14155550100")


async def test_close_before_any_request(api: ScriptedAPI) -> None:
    client = AsyncLinqClient(KEY, base_url=api.base_url)
    await client.close()
    with pytest.raises(LinqError, match="closed"):
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert api.seen == []


def test_use_from_another_loop_is_a_clear_error(api_base_url_in_thread: str) -> None:
    client = AsyncLinqClient(KEY, base_url=api_base_url_in_thread)

    async def call() -> None:
        await client.chats.participants.add(CHAT, handle="+14155550100")

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(call())
        other = asyncio.new_event_loop()
        try:
            with pytest.raises(LinqError, match="another event loop"):
                other.run_until_complete(call())
        finally:
            other.close()
        loop.run_until_complete(client.close())
    finally:
        loop.close()


async def test_with_options_shares_the_session(client: AsyncLinqClient, api: ScriptedAPI, sleeps: Sleeps) -> None:
    await client.chats.participants.add(CHAT, handle="+14155550100")
    quick = client.with_options(timeout=3, max_retries=0)

    assert quick.timeout == Timeout(total=3.0)
    assert quick.retry.max_retries == 0
    assert client.retry.max_retries == 2
    assert quick.retry.sleep is client.retry.sleep
    api.reply(500, {"error": {"status": 500, "code": 3006, "message": "boom"}})
    with pytest.raises(linq_async.InternalServerError):
        await quick.chats.participants.add(CHAT, handle="+14155550100")
    assert quick._conn.transport is client._conn.transport
    assert len(api.seen) == 2
    assert sleeps == []


async def test_with_options_refuses_conflicting_retry_settings(client: AsyncLinqClient) -> None:
    with pytest.raises(ValidationError, match="not both"):
        client.with_options(max_retries=1, retry=RetryPolicy(max_retries=3))


async def test_timeout_per_request(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(timeout=0.2, max_retries=0)
    api.reply(202, ADD_OK, delay=1.0)
    with pytest.raises(linq_async.APITimeoutError, match="timed out"):
        await client.chats.participants.add(CHAT, handle="+14155550100")


async def test_cancellation_propagates_and_is_not_retried(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, ADD_OK, delay=5.0)
    task = asyncio.create_task(client.chats.participants.add(CHAT, handle="+14155550100"))
    while not api.seen:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    assert len(api.seen) == 1


async def test_repr_shows_settings_only(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    text = repr(client)
    assert text == f"AsyncLinqClient(base_url={api.base_url!r}, timeout=60, max_retries=2)"
    assert repr(client.chats.participants).startswith("<Participants of AsyncLinqClient(")


async def test_env_vars_configure_the_client(monkeypatch: pytest.MonkeyPatch, api: ScriptedAPI) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "sk_env_key")
    monkeypatch.setenv("LINQ_API_V3_BASE_URL", api.base_url + "/")
    async with AsyncLinqClient() as client:
        assert client.base_url == api.base_url
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert api.seen[0].headers["Authorization"] == "Bearer sk_env_key"


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(LinqError, match="LINQ_API_V3_API_KEY") as info:
        AsyncLinqClient()
    assert isinstance(info.value, ValueError)


def test_models_are_frozen_and_hashable() -> None:
    response = ParticipantAddResponse(message="m", status="accepted", trace_id="t")
    with pytest.raises(AttributeError):
        response.status = "other"  # type: ignore[misc]
    assert hash(response) == hash(ParticipantAddResponse(message="m", status="accepted", trace_id="t"))
    assert json.loads(json.dumps(response.to_dict())) == {"message": "m", "status": "accepted", "trace_id": "t"}


def test_public_names_are_exported() -> None:
    exported = set(linq_async.__all__)
    public = {name for name in dir(linq_async) if not name.startswith("_") and name[0].isupper()}
    assert public <= exported
    for name in exported:
        assert getattr(linq_async, name) is not None


WARM_UP_CHILD = """
import asyncio, sys
from linq_async import AsyncLinqClient, SyncLinqClient
from linq_async._convert import _hooks
from linq_async.models.chats import Chat
from linq_async.models.payments import PaymentRequest

assert "aiohttp" not in sys.modules and "tenacity" not in sys.modules
with SyncLinqClient("sk_test_0123456789abcdef", base_url=sys.argv[1]) as client:
    client.warm_up()
    assert {"aiohttp", "tenacity", "cattrs"} <= set(sys.modules)
    assert Chat in _hooks and PaymentRequest in _hooks, "model parsers built"
    assert client._client._conn.by_loop, "the calling thread's session is made"

async def main():
    async with AsyncLinqClient("sk_test_0123456789abcdef", base_url=sys.argv[1]) as client:
        await client.warm_up()
        assert client._conn.transport is not None
asyncio.run(main())
print("ok")
"""


def test_warm_up_pays_the_first_request_costs_and_sends_nothing(threaded_api: ScriptedAPI) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    child = subprocess.run(
        [sys.executable, "-W", "error", "-c", WARM_UP_CHILD, threaded_api.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "ok"
    assert threaded_api.seen == []
