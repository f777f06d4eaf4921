"""A scriptable Linq stand-in on aiohttp's test server, for tests of the client's core.

Each test queues answers; every request received is recorded. Answers can be JSON, arbitrary
bytes with any status and content type, or transport faults written straight onto the socket
(garbled status line, truncated body, dropped connection), which a well-behaved server framework
cannot otherwise produce.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from aiohttp import web
from aiohttp.test_utils import TestServer

KEY = "sk_test_0123456789abcdef"
CHAT = "550e8400-e29b-41d4-a716-446655440000"
TRACE = "2eff5df5c6f688733c007523c4d61cd9"
ADD_OK = {"message": "Participant addition queued", "status": "accepted", "trace_id": TRACE}
REMOVE_OK = {"message": "Participant removal queued", "status": "accepted", "trace_id": TRACE}


@attrs.frozen
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() on arrival; the clock is shared by processes on Linux
    peer: int = 0  # the client's source port: one per connection

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Answer:
    status: int = 202
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    raw: bytes | None = None  # written to the socket as is, then the connection is closed
    drop: bool = False  # close the connection without answering
    delay: float = 0.0


def envelope(
    status: int, code: int, message: str = "error", *, trace: str | None = TRACE, **extra: Any
) -> dict[str, Any]:
    """A Linq error body."""
    body: dict[str, Any] = {"success": False, "error": {"status": status, "code": code, "message": message, **extra}}
    if trace is not None:
        body["trace_id"] = trace
    return body


class ScriptedAPI:
    """Answers requests from a queue; once it is empty, with ``default``."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._queue: deque[Answer] = deque()
        self.default = Answer(202, json.dumps(ADD_OK).encode(), {"Content-Type": "application/json"})
        self.server: TestServer | None = None
        self.on_request: Callable[[Seen], None] | None = None
        self.by_handle: dict[str, Answer] = {}  # answers chosen by the JSON body's "handle"

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/partner"))

    def reply(
        self,
        status: int = 202,
        json_body: Any = ADD_OK,
        *,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Queue a JSON answer."""
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        for _ in range(times):
            self._queue.append(Answer(status, json.dumps(json_body).encode(), hdrs, delay=delay))

    def reply_bytes(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Queue an answer with an arbitrary body."""
        self._queue.append(Answer(status, body, {"Content-Type": content_type, **(headers or {})}))

    def reply_raw(self, data: bytes) -> None:
        """Queue raw bytes written to the socket, then a close."""
        self._queue.append(Answer(raw=data))

    def drop(self, times: int = 1) -> None:
        """Queue connection drops (no answer at all)."""
        for _ in range(times):
            self._queue.append(Answer(drop=True))

    def truncated(self, status: int = 202) -> None:
        """Queue an answer whose body stops before its announced length."""
        self.reply_raw(
            f"HTTP/1.1 {status} Accepted\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n".encode()
            + b'{"message": "Partic'
        )

    @property
    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def handles(self) -> list[str | None]:
        return [json.loads(s.body).get("handle") if s.body else None for s in self.seen]

    def _by_handle(self, body: bytes) -> Answer | None:
        if not self.by_handle or not body:
            return None
        try:
            handle = json.loads(body).get("handle")
        except (ValueError, AttributeError):
            return None
        return self.by_handle.get(handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        body = await request.read()
        seen = Seen(
            request.method,
            request.path,
            request.query_string,
            dict(request.headers),
            body,
            at=time.monotonic(),
            peer=peer[1] if peer else 0,
        )
        self.seen.append(seen)
        if self.on_request is not None:
            self.on_request(seen)
        answer = self._by_handle(body) or (self._queue.popleft() if self._queue else self.default)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        transport = request.transport
        if answer.raw is not None or answer.drop:
            assert transport is not None
            if answer.raw is not None:
                transport.write(answer.raw)
            transport.close()
            raise asyncio.CancelledError  # the connection is gone; nothing more to send
        return web.Response(status=answer.status, body=answer.body, headers=answer.headers)


async def start(api: ScriptedAPI) -> TestServer:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", api.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    api.server = server
    return server


class Sleeps(list[float]):
    """An injectable ``sleep`` that records each delay and returns at once."""

    async def __call__(self, delay: float) -> None:
        assert delay == delay and delay != float("inf"), f"asked to sleep {delay!r}"
        self.append(delay)


class ThreadedAPI:
    """A ``ScriptedAPI`` served from its own loop on a background thread, for synchronous tests."""

    def __init__(self) -> None:
        import threading

        self.api = ScriptedAPI()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="scripted-api", daemon=True)

    def __enter__(self) -> ScriptedAPI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(start(self.api), self._loop).result(timeout=10)
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        assert self.api.server is not None
        asyncio.run_coroutine_threadsafe(self.api.server.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
