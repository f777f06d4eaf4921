"""``FakeLinqServer``: a Linq Partner API V3 stand-in on 127.0.0.1, for demos and tests.

It keeps chats, participants and messages in memory and enforces the documented rules, answering
with Linq's error envelope, codes and an ``X-Trace-ID`` header on every response. Faults can be
injected on demand. It is a server: it imports ``aiohttp.web`` and nothing of the client, apart
from the shared validation of handles and chat ids.

Where the docs do not say which code a rule violation gets, the choice is in ``RULE_ERRORS``:
change it per server with ``FakeLinqServer(rule_errors={...})``.
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
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from aiohttp import web

from .. import _validate
from .._errors import LinqError, ValidationError
from .._rules import MAX_RECIPIENTS, SERVICES, RuleError, check_message, check_recipients_count

__all__ = ["RULE_ERRORS", "FakeLinqServer", "Fault", "RecordedRequest"]

# rule -> (HTTP status, Linq code, message). The docs name no code for these rules; these are the
# closest documented ones (1006 "cannot update direct message chats", 2015 "operation conflicts
# with current state", 2017 "operation not supported on this chat's service type").
RULE_ERRORS: dict[str, tuple[int, int, str]] = {
    "not_group": (409, 1006, "Participants can only be changed in group chats"),
    "too_few_participants": (409, 2015, "Adding a participant needs a group chat with 3 or more participants"),
    "too_few_remaining": (409, 2015, "A group chat must keep 3 or more participants"),
    "too_many_recipients": (409, 2015, "A group chat holds at most 31 recipients"),
    "cross_service": (409, 2017, "This handle cannot join a chat on this service; create a new chat instead"),
    "left_chat": (409, 2013, "This chat is unavailable"),
    "chat_not_found": (404, 2001, "Chat not found"),
    "unauthorized": (401, 2004, "Unauthorized - missing or invalid authentication token"),
    "invalid_phone": (400, 1002, "Phone number must be in E.164 format"),
    "invalid_handle": (400, 1005, "Invalid parameter value: handle must be an E.164 phone number or an email address"),
    "invalid_chat_id": (400, 1005, "Invalid parameter value: chat id must be a UUID"),
    "missing_field": (400, 1001, "Missing required field"),
    "invalid_body": (400, 1003, "Invalid request body"),
    "invalid_message": (400, 1004, "Invalid message content"),
    "first_message_link": (400, 1005, "The first message of a chat cannot contain a link"),
    "not_your_number": (403, 2006, "Phone number permission denied"),
    "message_not_found": (404, 2002, "Message not found"),
    "leave_not_allowed": (409, 2015, "Leaving needs an iMessage group chat with 4 or more active participants"),
}

DOC_URL = "https://docs.linqapp.com/error/codes/{range}xxx/{code}/"
FAULT_KINDS = ("500/3006", "429", "502", "reset", "slow", "truncate", "error")
_TRACE = web.RequestKey("linq_trace_id", str)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _trace() -> str:
    return secrets.token_hex(16)


class _Refused(Exception):
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


@attrs.define
class _Member:
    id: str
    handle: str
    service: str
    joined_at: str
    is_me: bool = False
    status: str = "active"
    left_at: str | None = None

    def wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "handle": self.handle,
            "service": self.service,
            "joined_at": self.joined_at,
            "is_me": self.is_me,
            "status": self.status,
        }
        if self.left_at is not None:
            data["left_at"] = self.left_at
        return data


@attrs.define
class _Chat:
    id: str
    service: str
    line: str
    members: list[_Member]
    created_at: str
    updated_at: str
    display_name: str | None = None
    group_chat_icon: str | None = None
    left: bool = False
    messages: list[dict[str, Any]] = attrs.field(factory=list)

    @property
    def active(self) -> list[_Member]:
        return [m for m in self.members if m.status == "active"]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 2

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "display_name": self.display_name or ", ".join(m.handle for m in self.active if not m.is_me),
            "group_chat_icon": self.group_chat_icon,
            "handles": [m.wire() for m in self.members],
            "health_status": {
                "status": "HEALTHY",
                "doc_url": "https://docs.linqapp.com/guides/chats/chat-health/",
                "updated_at": self.created_at,
            },
            "is_archived": False,
            "is_group": self.is_group,
            "service": self.service,
        }


class FakeLinqServer:
    """An in-memory Linq Partner API V3 on 127.0.0.1, enforcing the documented rules.

    ``async with FakeLinqServer() as fake:`` runs it on the current loop; ``with FakeLinqServer()
    as fake:`` runs it on a background thread, for synchronous code (and for async tests that call
    a ``SyncLinqClient``, which would otherwise block the loop serving it). ``fake.base_url`` and
    ``fake.api_key`` configure a client. State is set up with ``create_chat``, read with
    ``participants``, ``chat`` and ``requests``, and faults are queued with ``inject``.
    """

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
        self.rule_errors = {**RULE_ERRORS, **(rule_errors or {})}
        self._port = port
        self._lock = threading.RLock()
        self._chats: dict[str, _Chat] = {}
        self._services: dict[str, frozenset[str]] = {}
        self._faults: deque[Fault] = deque()
        self._idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._requests: list[RecordedRequest] = []
        self.internal_errors: list[BaseException] = []
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # Lifecycle --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The base URL to give a client (``http://127.0.0.1:<port>/api/partner``)."""
        if self.port is None:
            raise LinqError("the fake server is not running; use `with` or `async with`")
        return f"http://127.0.0.1:{self.port}/api/partner"

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=1024 * 1024)
        prefix = "/api/partner/v3"
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/participants", self._add_participant)
        app.router.add_delete(f"{prefix}/chats/{{chat_id}}/participants", self._remove_participant)
        app.router.add_post(f"{prefix}/chats", self._create_chat)
        app.router.add_get(f"{prefix}/chats", self._list_chats)
        app.router.add_get(f"{prefix}/chats/{{chat_id}}", self._get_chat)
        app.router.add_put(f"{prefix}/chats/{{chat_id}}", self._update_chat)
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/leave", self._leave_chat)
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/messages", self._send_message)
        app.router.add_get(f"{prefix}/chats/{{chat_id}}/messages", self._list_messages)
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

    async def __aenter__(self) -> FakeLinqServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        await self.stop()
        if exc_type is None:
            self.check()

    def __enter__(self) -> FakeLinqServer:
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
        return f"<FakeLinqServer {where}, {len(self._chats)} chats>"

    # State, for tests -------------------------------------------------------------------------

    def create_chat(
        self,
        handles: Iterable[str],
        *,
        service: str = "iMessage",
        display_name: str | None = None,
        chat_id: str | None = None,
        line: str | None = None,
    ) -> str:
        """Create a chat between one of the fake's lines and ``handles``; return its id (a UUID).

        Two or more handles make a group chat. Handles are validated as the API does.
        """
        handles = list(handles)
        if not handles:
            raise ValidationError("a chat needs at least one other handle")
        if service not in SERVICES:
            raise ValidationError(f"service must be one of {SERVICES}, got {service!r}")
        for handle in handles:
            _validate.handle(handle)
        line = line or self.lines[0]
        with self._lock:
            chat_id = _validate.chat_id(chat_id) if chat_id is not None else str(uuid.uuid4())
            if chat_id in self._chats:
                raise ValidationError(f"chat {chat_id} already exists")
            now = _now()
            members = [_Member(str(uuid.uuid4()), line, service, now, is_me=True)]
            members += [_Member(str(uuid.uuid4()), h, service, now) for h in dict.fromkeys(handles)]
            self._chats[chat_id] = _Chat(chat_id, service, line, members, now, now, display_name=display_name)
            return chat_id

    def _known(self, chat_id: str) -> _Chat:
        chat = self._chats.get(_validate.chat_id(chat_id))
        if chat is None:
            raise ValidationError(f"the fake server has no chat {chat_id!r}; create it with create_chat()")
        return chat

    def participants(self, chat_id: str) -> list[str]:
        """The chat's active participants, excluding the fake's own line, in joining order."""
        with self._lock:
            return [m.handle for m in self._known(chat_id).active if not m.is_me]

    def chat(self, chat_id: str) -> dict[str, Any]:
        """The chat as the API would return it."""
        with self._lock:
            return self._known(chat_id).wire()

    def messages(self, chat_id: str) -> list[dict[str, Any]]:
        """The messages sent into a chat, oldest first, as the API would return them."""
        with self._lock:
            return [dict(m) for m in self._known(chat_id).messages]

    def member_left(self, chat_id: str, handle: str) -> None:
        """Simulate a participant leaving on their own (outside the API), as people do."""
        with self._lock:
            member = next((m for m in self._known(chat_id).active if m.handle == handle and not m.is_me), None)
            if member is None:
                raise ValidationError(f"{handle!r} is not an active participant of chat {chat_id!r}")
            member.status, member.left_at = "left", _now()

    def leave(self, chat_id: str) -> None:
        """Mark a chat as left by the fake's line: every later call on it answers 409/2013."""
        with self._lock:
            self._known(chat_id).left = True

    def set_services(self, handle: str, services: Iterable[str]) -> None:
        """Declare which services a handle can use (default: phones all, emails iMessage only)."""
        chosen = frozenset(services)
        if not chosen <= set(SERVICES):
            raise ValidationError(f"services must be among {SERVICES}")
        with self._lock:
            self._services[_validate.handle(handle)] = chosen

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

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await self._serve(request, handler)
        except (asyncio.CancelledError, web.HTTPException):
            raise
        except Exception as exc:
            # A bug in the fake must not pass for a retryable 500: record it for check().
            with self._lock:
                self.internal_errors.append(exc)
            raise

    def check(self) -> None:
        """Raise if the fake itself failed while serving; ``with``/``async with`` call it on exit."""
        if self.internal_errors:
            raise AssertionError(f"FakeLinqServer failed while serving: {self.internal_errors!r}")

    async def _serve(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.read()
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    request.method, request.path, dict(request.query), dict(request.headers), body, time.monotonic()
                )
            )
        trace = _trace()
        request[_TRACE] = trace
        fault = self._take_fault(request)
        if fault is not None:
            if fault.kind == "reset":
                _drop(request)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "500/3006":
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
        authorization = request.headers.get("Authorization", "")
        if not secrets.compare_digest(authorization.encode(), f"Bearer {self.api_key}".encode()):
            return self._error("unauthorized", trace)
        try:
            response: web.StreamResponse = await handler(request)
        except _Refused as refused:
            return self._error(refused.rule, trace)
        if fault is not None and fault.kind == "truncate":
            assert isinstance(response, web.Response)
            assert response.body is not None
            _truncate(request, response)
        response.headers.setdefault("X-Trace-ID", trace)
        return response

    def _json(self, body: bytes) -> dict[str, Any]:
        if not body:
            raise _Refused("missing_field")
        try:
            data = json.loads(body)
        except ValueError:
            raise _Refused("invalid_body") from None
        if not isinstance(data, dict):
            raise _Refused("invalid_body")
        return data

    def _chat_for(self, request: web.Request, *, allow_left: bool = False) -> _Chat:
        try:
            chat_id = _validate.chat_id(request.match_info["chat_id"])
        except ValidationError:
            raise _Refused("invalid_chat_id") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _Refused("chat_not_found")
        if chat.left and not allow_left:
            raise _Refused("left_chat")
        return chat

    def _handle_field(self, data: Mapping[str, Any], name: str = "handle") -> str:
        value = data.get(name)
        if value is None or value == "":
            raise _Refused("missing_field")
        if not isinstance(value, str):
            raise _Refused("invalid_handle")
        try:
            return _validate.handle(value)
        except ValidationError:
            raise _Refused("invalid_handle" if "@" in value else "invalid_phone") from None

    def _services_of(self, handle: str) -> frozenset[str]:
        default = frozenset({"iMessage"}) if "@" in handle else frozenset(SERVICES)
        return self._services.get(handle, default)

    def _queued(self, request: web.Request, message: str) -> web.Response:
        trace = request[_TRACE]
        return web.json_response(
            {"message": message, "status": "accepted", "trace_id": trace}, status=202, headers={"X-Trace-ID": trace}
        )

    # Participants -----------------------------------------------------------------------------

    def _membership_change(self, request: web.Request, data: Mapping[str, Any]) -> tuple[_Chat, str]:
        """The group chat and the handle of an add or a remove, or the refusal."""
        chat = self._chat_for(request)
        handle = self._handle_field(data)
        if not chat.is_group:
            raise _Refused("not_group")
        return chat, handle

    async def _add_participant(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat, handle = self._membership_change(request, data)
            active = chat.active
            if any(m.handle == handle for m in active):  # already a member: accepted, nothing changes
                return self._queued(request, "Participant addition queued")
            if len(active) < 3:
                raise _Refused("too_few_participants")
            if len([m for m in active if not m.is_me]) + 1 > MAX_RECIPIENTS:
                raise _Refused("too_many_recipients")
            if chat.service not in self._services_of(handle):
                raise _Refused("cross_service")
            now = _now()
            chat.members.append(_Member(str(uuid.uuid4()), handle, chat.service, now))
            chat.updated_at = now
        return self._queued(request, "Participant addition queued")

    async def _remove_participant(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat, handle = self._membership_change(request, data)
            member = next((m for m in chat.active if m.handle == handle and not m.is_me), None)
            if member is None:  # not a member: accepted, nothing changes
                return self._queued(request, "Participant removal queued")
            if len(chat.active) - 1 < 3:
                raise _Refused("too_few_remaining")
            now = _now()
            member.status, member.left_at = "removed", now
            chat.updated_at = now
        return self._queued(request, "Participant removal queued")

    # Chats ------------------------------------------------------------------------------------

    def _check_message(self, message: object, *, first: bool) -> list[dict[str, Any]]:
        if not isinstance(message, dict):
            raise _Refused("missing_field")
        try:
            check_message(message, first=first, known_types_only=True)
        except RuleError as broken:
            raise _Refused(broken.rule) from None
        return [dict(p) for p in message.get("parts") or ()]

    def _sent_message(self, chat: _Chat, message: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
        now = _now()
        sent: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "chat_id": chat.id,
            "created_at": now,
            "updated_at": now,
            "sent_at": now,
            "delivery_status": "sent",
            "is_read": False,
            "is_delivered": False,
            "is_from_me": True,
            "parts": parts,
            "from_handle": next(m.wire() for m in chat.members if m.is_me),
            "service": chat.service,
        }
        for optional in ("effect", "reply_to", "preferred_service"):
            if message.get(optional) is not None:
                sent[optional] = message[optional]
        chat.messages.append(sent)
        chat.updated_at = now
        return sent

    def _replay(self, message: Mapping[str, Any], scope: str) -> tuple[int, dict[str, Any]] | None:
        key = message.get("idempotency_key")
        if isinstance(key, str) and key:
            return self._idempotent.get(f"{scope}:{key}")
        return None

    def _remember(self, message: Mapping[str, Any], scope: str, status: int, body: dict[str, Any]) -> None:
        key = message.get("idempotency_key")
        if isinstance(key, str) and key:
            self._idempotent[f"{scope}:{key}"] = (status, body)

    async def _create_chat(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        line, to, message = data.get("from"), data.get("to"), data.get("message")
        if not line or not to or message is None:
            raise _Refused("missing_field")
        if not isinstance(to, list):
            raise _Refused("invalid_body")
        try:
            check_recipients_count(len(to))
        except RuleError as broken:
            raise _Refused(broken.rule) from None
        if not isinstance(line, str) or line not in self.lines:
            raise _Refused("not_your_number")
        handles = [self._handle_field({"handle": h}) for h in to]
        parts = self._check_message(message, first=True)
        with self._lock:
            replay = self._replay(message, "create")
            if replay is not None:
                return web.json_response(replay[1], status=replay[0])
            chat = None
            if not data.get("display_name"):  # same line and same recipients: the existing chat
                wanted = set(handles)
                chat = next(
                    (
                        c
                        for c in self._chats.values()
                        if c.line == line
                        and not c.display_name
                        and {m.handle for m in c.active if not m.is_me} == wanted
                    ),
                    None,
                )
            if chat is None:
                chat_id = self.create_chat(handles, line=line, display_name=data.get("display_name"))
                chat = self._chats[chat_id]
            sent = self._sent_message(chat, message, parts)
            body = {"chat": {**chat.wire(), "message": sent}}
            self._remember(message, "create", 201, body)
        return web.json_response(body, status=201)

    async def _get_chat(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._chat_for(request, allow_left=True).wire())

    @staticmethod
    def _page(request: web.Request, key: str, items: list[dict[str, Any]], default_limit: int) -> web.Response:
        """Answer one page of ``items``; the cursor is the offset of the next page, as in Linq's examples."""
        try:
            limit = int(request.query.get("limit", default_limit))
            offset = int(request.query.get("cursor") or 0)
        except ValueError:
            raise _Refused("invalid_body") from None
        if not 1 <= limit <= 100 or offset < 0:
            raise _Refused("invalid_body")
        more = offset + limit < len(items)
        return web.json_response(
            {key: items[offset : offset + limit], "next_cursor": str(offset + limit) if more else None}
        )

    async def _list_chats(self, request: web.Request) -> web.Response:
        line, to = request.query.get("from"), request.query.get("to")
        with self._lock:
            chats = sorted(self._chats.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            if line:
                chats = [c for c in chats if c.line == line]
            if to:
                chats = [c for c in chats if any(m.handle == to for m in c.active)]
            return self._page(request, "chats", [c.wire() for c in chats], 20)

    async def _update_chat(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat = self._chat_for(request)
            if not chat.is_group:
                raise _Refused("not_group")
            if "display_name" not in data and "group_chat_icon" not in data:
                raise _Refused("missing_field")
            if "display_name" in data:
                chat.display_name = data["display_name"]
            if "group_chat_icon" in data:
                chat.group_chat_icon = data["group_chat_icon"]
            chat.updated_at = _now()
            return web.json_response({"chat_id": chat.id, "status": "pending"}, status=202)

    async def _leave_chat(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            if not chat.is_group or chat.service != "iMessage" or len(chat.active) < 4:
                raise _Refused("leave_not_allowed")
            chat.left = True
            me = next(m for m in chat.members if m.is_me)
            me.status, me.left_at = "left", _now()
        return self._queued(request, "Leave group chat queued")

    async def _send_message(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        message = data.get("message")
        parts = self._check_message(message, first=False)
        assert isinstance(message, dict)
        with self._lock:
            chat = self._chat_for(request)
            replay = self._replay(message, f"send:{chat.id}")
            if replay is not None:
                return web.json_response(replay[1], status=replay[0])
            body = {"chat_id": chat.id, "message": self._sent_message(chat, message, parts)}
            self._remember(message, f"send:{chat.id}", 202, body)
        return web.json_response(body, status=202)

    async def _list_messages(self, request: web.Request) -> web.Response:
        with self._lock:
            return self._page(request, "messages", list(reversed(self._chat_for(request).messages)), 50)


def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()
    raise asyncio.CancelledError  # nothing more can be sent on a closed connection


def _truncate(request: web.Request, response: web.Response) -> None:
    body = bytes(response.body)  # type: ignore[arg-type]
    head = f"HTTP/1.1 {response.status} {response.reason}\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\nX-Trace-ID: {request[_TRACE]}\r\n\r\n"
    transport = request.transport
    if transport is not None:
        transport.write(head.encode() + body[: max(1, len(body) // 3)])
        transport.close()
    raise asyncio.CancelledError
