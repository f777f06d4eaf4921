"""The fake server's core: lifecycle, recording, faults, the error envelope, and route discovery.

``FakeBase`` knows no endpoint. Each area of the API is a mixin (``_chats.ChatsArea``, ...) whose
handlers are methods marked ``@route(method, path)`` and whose state is set up by its
``_setup_<area>`` method; ``FakeLinqServer`` is the base plus every area. A handler raises
``Refused(rule)`` for a documented refusal, answered with the error ``rule_errors`` gives it.
It is a server: it imports ``aiohttp.web`` and, of the client, only what both sides must agree on:
the validation of ids and handles (``_validate``), the wire rules (``_rules``), and the few rule
functions that live beside the endpoints they belong to (payments, polls, attachments, block lists).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import attrs
from aiohttp import web

from .. import _validate
from .._errors import LinqError, ValidationError

__all__ = ["CORE_RULES", "FakeBase", "Fault", "RecordedRequest", "Refused", "route"]

PREFIX = "/api/partner/v3"
WEBHOOK_VERSION = "2026-02-03"
DOC_URL = "https://docs.linqapp.com/error/codes/{range}xxx/{code}/"
FAULT_KINDS = ("500/3006", "429", "502", "reset", "slow", "truncate", "error")
TRACE = web.RequestKey("linq_trace_id", str)

# rule -> (HTTP status, Linq code, message): the refusals every area shares.
CORE_RULES: dict[str, tuple[int, int, str]] = {
    "unauthorized": (401, 2004, "Unauthorized - missing or invalid authentication token"),
    "missing_field": (400, 1001, "Missing required field"),
    "invalid_body": (400, 1003, "Invalid request body"),
    "invalid_parameter": (400, 1005, "Invalid parameter value"),
    "not_your_number": (403, 2006, "Phone number permission denied"),
    # Linq documents no request-size limit or code; the fake stands in with max_body_size, a 413
    # (the status Linq gives an over-size voice memo) and 1003, its code for a body it cannot take.
    "body_too_large": (413, 1003, "Invalid request body - too large"),
}

H = TypeVar("H", bound=Callable[..., Awaitable[web.StreamResponse]])
F = TypeVar("F", bound="FakeBase")


def route(method: str, path: str) -> Callable[[H], H]:
    """Serve ``method path`` (under ``/api/partner/v3``) with the decorated handler method."""

    def mark(handler: H) -> H:
        handler.__fake_route__ = (method, path)  # type: ignore[attr-defined]
        return handler

    return mark


def timestamp() -> str:
    """The current time as the API writes it (ISO 8601, milliseconds, ``Z``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _trace() -> str:
    return secrets.token_hex(16)


class Refused(Exception):
    """Raised by a handler: answer with the error ``rule_errors[rule]`` names."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


@attrs.frozen
class RecordedRequest:
    """One request the fake received, as it received it."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        """The body decoded as JSON, or None."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@attrs.define
class Fault:
    """A fault waiting to be applied to the next matching requests."""

    kind: str
    times: int
    path: str | None = None
    method: str | None = None
    retry_after: float = 1
    delay: float = 1.0
    status: int = 500
    code: int = 3006
    message: str = "Internal server error"

    def matches(self, request: web.Request) -> bool:
        """Whether this fault applies to ``request``."""
        return (self.method is None or request.method == self.method.upper()) and (
            self.path is None or self.path in request.path
        )


class FakeBase:
    """What every area of the fake shares; see ``FakeLinqServer`` for how to use it."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = CORE_RULES
    max_body_size = 1024 * 1024
    """The largest API request body the fake takes; a larger one is recorded and answered 413/1003."""
    _read_limit = 64 * 1024 * 1024  # what aiohttp reads at most, to record an over-size body whole

    def __init__(
        self,
        *,
        api_key: str | None = None,
        lines: Iterable[str] = ("+14155550000",),
        rule_errors: Mapping[str, tuple[int, int, str]] | None = None,
        port: int = 0,
    ) -> None:
        self.api_key = api_key or f"fake_{secrets.token_hex(12)}"
        _validate.api_key(self.api_key, source="api_key")
        self.lines = tuple(lines)
        for line in self.lines:
            _validate.handle(line)
        self.rule_errors = {**self.all_rules(), **(rule_errors or {})}
        self._port = port
        self._lock = threading.RLock()
        self._faults: deque[Fault] = deque()
        self._idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._requests: list[RecordedRequest] = []
        self.internal_errors: list[BaseException] = []
        self.partner_id = f"partner_{secrets.token_hex(8)}"
        self._events: list[dict[str, Any]] = []
        self._in_flight: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        for name in dir(type(self)):
            if name.startswith("_setup_"):
                getattr(self, name)()

    @classmethod
    def all_rules(cls) -> dict[str, tuple[int, int, str]]:
        """Every area's refusals: rule -> (HTTP status, Linq code, message)."""
        rules: dict[str, tuple[int, int, str]] = {}
        for area in reversed(cls.__mro__):
            rules.update(vars(area).get("RULES", {}))
        return rules

    # Lifecycle --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The base URL to give a client (``http://127.0.0.1:<port>/api/partner``)."""
        if self.port is None:
            raise LinqError("the fake server is not running; use `with` or `async with`")
        return f"http://127.0.0.1:{self.port}/api/partner"

    def _app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._middleware], client_max_size=max(self._read_limit, self.max_body_size + 1)
        )
        found: dict[tuple[str, str], Any] = {}
        for cls in reversed(type(self).__mro__):
            for member in vars(cls).values():
                where = getattr(member, "__fake_route__", None)
                if where is not None:
                    found[where] = member  # the function itself: two areas may name handlers alike
        # Fixed paths before templated ones, so that /chats/x/read never reads as a template match.
        for method, path in sorted(found, key=lambda where: (where[1].count("{"), where[1], where[0])):
            app.router.add_route(method, f"{PREFIX}{path}", found[method, path].__get__(self, type(self)))
        return app

    async def start(self) -> None:
        """Start serving on the running loop."""
        if self._runner is not None:
            raise LinqError("the fake server is already running")
        runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        site = web.SockSite(runner, sock)
        await site.start()
        self.port = sock.getsockname()[1]
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self.port = None

    async def __aenter__(self: F) -> F:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        await self.stop()
        if exc_type is None:
            self.check()

    def __enter__(self: F) -> F:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        thread = threading.Thread(target=main, name="fake-linq-server", daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=30)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None = None, *exc_info: object) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            self._loop = self._thread = None
        if exc_type is None:
            self.check()

    def __repr__(self) -> str:
        where = self.base_url if self.port is not None else "not running"
        return f"<{type(self).__name__} {where}>"

    # State, for tests -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def inject(
        self,
        kind: str,
        times: int = 1,
        *,
        path: str | None = None,
        method: str | None = None,
        retry_after: float = 1,
        delay: float = 1.0,
        status: int = 500,
        code: int = 3006,
        message: str = "Internal server error",
    ) -> None:
        """Make the next ``times`` matching requests fail.

        Kinds: ``"500/3006"`` (Linq server error), ``"429"`` (rate limited; ``retry_after``
        seconds in the body and the ``Retry-After`` header), ``"502"`` (HTML from a proxy),
        ``"reset"`` (the connection is dropped before anything is done), ``"slow"`` (answers after
        ``delay`` seconds), ``"truncate"`` (the change is applied, then the answer is cut off) and
        ``"error"`` (any ``status``/``code``/``message``). ``path`` (a substring) and ``method``
        narrow which requests match.
        """
        if kind not in FAULT_KINDS:
            raise ValidationError(f"fault kind must be one of {FAULT_KINDS}, got {kind!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValidationError(f"times must be a positive int, got {times!r}")
        with self._lock:
            self._faults.append(Fault(kind, times, path, method, retry_after, delay, status, code, message))

    def clear_faults(self) -> None:
        """Drop every fault not yet applied."""
        with self._lock:
            self._faults.clear()

    # Plumbing ---------------------------------------------------------------------------------

    def _take_fault(self, request: web.Request) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(request):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _error(self, rule: str, trace: str) -> web.Response:
        status, code, message = self.rule_errors[rule]
        return self._error_response(status, code, message, trace)

    @staticmethod
    def _error_response(
        status: int, code: int, message: str, trace: str, retry_after: float | None = None
    ) -> web.Response:
        error: dict[str, Any] = {
            "status": status,
            "code": code,
            "message": message,
            "doc_url": DOC_URL.format(range=str(code)[0], code=code),
        }
        headers = {"X-Trace-ID": trace}
        if retry_after is not None:
            error["retry_after"] = retry_after
            headers["Retry-After"] = f"{retry_after:g}"
        body = {"success": False, "error": error, "trace_id": trace}
        return web.json_response(body, status=status, headers=headers)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every webhook event the fake raised, oldest first, as it would be delivered."""
        with self._lock:
            return [dict(event) for event in self._events]

    def _emit(self, request: web.Request | None, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Raise a webhook event caused by ``request`` (its trace id goes with it); areas call this.

        The envelope is the Standard Webhooks payload Linq sends; delivery to subscriptions is the
        webhooks area's job (``_deliver``).
        """
        event: dict[str, Any] = {
            "api_version": "v3",
            "webhook_version": WEBHOOK_VERSION,
            "event_type": event_type,
            "event_id": str(uuid.uuid4()),
            "created_at": timestamp(),
            "trace_id": request[TRACE] if request is not None else _trace(),
            "partner_id": self.partner_id,
            "data": dict(data),
        }
        with self._lock:
            self._events.append(event)
        self._deliver(event)
        return event

    def _check_media(self, part: Mapping[str, Any]) -> None:
        """Refuse a media part the API would refuse (the attachments area checks ``attachment_id``)."""

    def _check_recipient(self, handle: str) -> None:
        """Refuse sending to ``handle`` where the API would (the blocked-handles area does)."""

    def _has_contact_card(self, line: str) -> bool:
        """Whether the fake's ``line`` has a contact card set up (the contact-card area knows)."""
        return True

    def _deliver(self, event: dict[str, Any]) -> None:
        """Send ``event`` to the subscriptions that want it (the webhooks area does; here, nothing)."""

    def peak_in_flight(self, path: str) -> int:
        """The most requests to ``path`` (e.g. ``/api/partner/v3/chats/<id>/messages``) served at once."""
        with self._lock:
            return self._peak.get(path, 0)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = request.path
        with self._lock:
            self._in_flight[path] = now = self._in_flight.get(path, 0) + 1
            self._peak[path] = max(self._peak.get(path, 0), now)
        try:
            return await self._serve(request, handler)
        except (asyncio.CancelledError, web.HTTPException):
            raise
        except Exception as exc:
            if isinstance(exc, ConnectionError) and _client_gone(request):
                # The client hung up mid-request (a timeout, a cancelled call): no fault of the
                # fake, and nothing can be answered. End the handler as aiohttp does on a disconnect.
                raise asyncio.CancelledError from None
            # A bug in the fake must not pass for a retryable 500: record it for check().
            with self._lock:
                self.internal_errors.append(exc)
            raise
        finally:
            with self._lock:
                self._in_flight[path] -= 1

    def check(self) -> None:
        """Raise if the fake itself failed while serving; ``with``/``async with`` call it on exit."""
        if self.internal_errors:
            raise AssertionError(f"FakeLinqServer failed while serving: {self.internal_errors!r}")

    async def _arrive(self, request: web.Request, body: bytes) -> tuple[str, Fault | None]:
        """Record ``request``, give it a trace id, and take the fault it meets.

        A ``reset`` drops the connection and a ``slow`` waits here; the caller answers the other
        faults in its own dialect.
        """
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    request.method, request.path, dict(request.query), dict(request.headers), body, time.monotonic()
                )
            )
        trace = _trace()
        request[TRACE] = trace
        fault = self._take_fault(request)
        if fault is not None:
            if fault.kind == "reset":
                _drop(request)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
        return trace, fault

    async def _serve(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            body = await request.read()
            too_large = len(body) > self.max_body_size
        except web.HTTPRequestEntityTooLarge:
            body, too_large = b"", True  # over even the read limit: recorded without its body
        trace, fault = await self._arrive(request, body)
        if fault is not None:
            if fault.kind == "500/3006":
                return self._error_response(500, 3006, "Internal server error", trace)
            elif fault.kind == "error":
                return self._error_response(fault.status, fault.code, fault.message, trace)
            elif fault.kind == "429":
                return self._error_response(
                    429, 1007, f"Rate limited. Try again in {fault.retry_after:g} seconds.", trace, fault.retry_after
                )
            elif fault.kind == "502":
                return web.Response(
                    status=502,
                    text="<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
                    content_type="text/html",
                    headers={"X-Trace-ID": trace},
                )
        if too_large:
            return self._error("body_too_large", trace)
        authorization = request.headers.get("Authorization", "")
        if not secrets.compare_digest(authorization.encode(), f"Bearer {self.api_key}".encode()):
            return self._error("unauthorized", trace)
        try:
            response: web.StreamResponse = await handler(request)
        except Refused as refused:
            return self._error(refused.rule, trace)
        if fault is not None and fault.kind == "truncate":
            assert isinstance(response, web.Response)
            assert response.body is not None
            _truncate(request, response)
        response.headers.setdefault("X-Trace-ID", trace)
        return response

    def _json(self, body: bytes) -> dict[str, Any]:
        if not body:
            raise Refused("missing_field")
        try:
            data = json.loads(body)
        except ValueError:
            raise Refused("invalid_body") from None
        if not isinstance(data, dict):
            raise Refused("invalid_body")
        return data

    def _replay(self, message: Mapping[str, Any], scope: str) -> tuple[int, dict[str, Any]] | None:
        key = message.get("idempotency_key")
        if isinstance(key, str) and key:
            return self._idempotent.get(f"{scope}:{key}")
        return None

    def _remember(self, message: Mapping[str, Any], scope: str, status: int, body: dict[str, Any]) -> None:
        key = message.get("idempotency_key")
        if isinstance(key, str) and key:
            self._idempotent[f"{scope}:{key}"] = (status, body)

    @staticmethod
    def _page(request: web.Request, key: str, items: list[dict[str, Any]], default_limit: int) -> web.Response:
        """Answer one page of ``items``; the cursor is the offset of the next page, as in Linq's examples."""
        try:
            limit = int(request.query.get("limit", default_limit))
            offset = int(request.query.get("cursor") or 0)
        except ValueError:
            raise Refused("invalid_body") from None
        if not 1 <= limit <= 100 or offset < 0:
            raise Refused("invalid_body")
        more = offset + limit < len(items)
        return web.json_response(
            {key: items[offset : offset + limit], "next_cursor": str(offset + limit) if more else None}
        )

    def _queued(self, request: web.Request, message: str) -> web.Response:
        trace = request[TRACE]
        return web.json_response(
            {"message": message, "status": "accepted", "trace_id": trace}, status=202, headers={"X-Trace-ID": trace}
        )


def _client_gone(request: web.Request) -> bool:
    """Whether the client closed the connection (aiohttp drops the transport when it does)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()
    raise asyncio.CancelledError  # nothing more can be sent on a closed connection


def _truncate(request: web.Request, response: web.Response) -> None:
    body = bytes(response.body)  # type: ignore[arg-type]
    head = f"HTTP/1.1 {response.status} {response.reason}\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\nX-Trace-ID: {request[TRACE]}\r\n\r\n"
    transport = request.transport
    if transport is not None:
        transport.write(head.encode() + body[: max(1, len(body) // 3)])
        transport.close()
    raise asyncio.CancelledError
