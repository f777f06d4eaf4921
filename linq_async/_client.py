"""``AsyncLinqClient``: settings, session lifetime, and the one request path every endpoint uses.

The request path is ``_request``: validate and encode once, send through the transport, decode a
success into a model or build the typed error, and retry through the policy. The first attempt
runs without a tenacity retryer (most calls succeed); only a retryable failure hands over to
``RetryPolicy._run``, which replays that failure as tenacity's first attempt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import urllib.parse
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

import attrs

from . import _validate
from ._convert import Model, structure
from ._errors import (
    APIError,
    APIResponseValidationError,
    LinqError,
    ValidationError,
    body_text,
    decode_json,
    error_from_response,
)
from ._retry import RetryPolicy

if TYPE_CHECKING:
    import aiohttp

    from ._http import RawResponse, Transport
    from .resources.chats import Chats

__all__ = ["DEFAULT_BASE_URL", "AsyncLinqClient", "Timeout"]

DEFAULT_BASE_URL = "https://api.linqapp.com/api/partner"
API_KEY_ENV = "LINQ_API_V3_API_KEY"
BASE_URL_ENV = "LINQ_API_V3_BASE_URL"
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

logger = logging.getLogger("linq_async")

M = TypeVar("M", bound=Model)

_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _total_seconds(value: object) -> float:
    return _validate.positive_seconds(value, name="timeout.total")


def _connect_seconds(value: object) -> float:
    return _validate.positive_seconds(value, name="timeout.connect")


@attrs.frozen
class Timeout:
    """Per-request time limits in seconds: ``total`` for the whole exchange, ``connect`` for the TCP/TLS setup."""

    total: float = attrs.field(default=60.0, converter=_total_seconds)
    connect: float = attrs.field(default=5.0, converter=_connect_seconds)


def _timeout(value: float | Timeout) -> Timeout:
    if isinstance(value, Timeout):
        return value
    return Timeout(total=_validate.positive_seconds(value, name="timeout"))


class _Secret(str):
    """A header value whose repr hides it, so no dict or multidict repr can print the key."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted>'"


class _AttemptHook(Protocol):
    """Called around every attempt of one logical request (used by the batch engine).

    ``before_attempt`` returns something to await first (a cooldown), or None: most attempts
    have nothing to wait for, and creating a coroutine for nothing costs time on every request.
    """

    def before_attempt(self) -> Awaitable[object] | None: ...

    def attempt_failed(self, error: APIError) -> None: ...


class _Connection:
    """What ``with_options`` views share: the key, base URL and the lazily created transport."""

    __slots__ = (
        "api_key",
        "base_url",
        "closed",
        "headers",
        "max_connections",
        "max_response_bytes",
        "session",
        "transport",
    )

    def __init__(
        self,
        api_key: str,
        base_url: str,
        session: aiohttp.ClientSession | None,
        max_connections: int,
        max_response_bytes: int,
    ) -> None:
        self.api_key = _Secret(api_key)
        self.base_url = base_url
        self.session = session
        self.max_connections = max_connections
        self.max_response_bytes = max_response_bytes
        self.transport: Transport | None = None
        self.closed = False
        self.headers: dict[str, str] = {
            "Authorization": _Secret(f"Bearer {api_key}"),
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def fresh(self) -> _Connection:
        """A connection with the same settings and no transport (for a forked child)."""
        if self.session is not None:
            raise LinqError("a client built on a caller's aiohttp session cannot be copied")
        return _Connection(self.api_key, self.base_url, None, self.max_connections, self.max_response_bytes)

    def get_transport(self) -> Transport:
        transport = self.transport
        if transport is None:
            if self.closed:
                raise LinqError("this client is closed; create a new one")
            from ._http import USER_AGENT, Transport

            transport = Transport(
                session=self.session,
                max_connections=self.max_connections,
                max_response_bytes=self.max_response_bytes,
            )
            self.headers["User-Agent"] = USER_AGENT
            self.transport = transport
            return transport
        if self.closed:
            raise LinqError("this client is closed; create a new one")
        if transport.loop is not asyncio.get_running_loop():
            raise LinqError(
                "this client's HTTP session belongs to another event loop; create the client inside "
                "the loop that uses it (for example in an `async with AsyncLinqClient() as client:` block)"
            )
        return transport


_TRACE_MODELS: dict[type[Any], bool] = {}


def _has_trace_field(cls: type[Any]) -> bool:
    known = _TRACE_MODELS.get(cls)
    if known is None:
        known = any(f.name == "trace_id" for f in attrs.fields(cls))
        _TRACE_MODELS[cls] = known
    return known


class AsyncLinqClient:
    """Asyncio client for the Linq Partner API V3.

    The key comes from ``api_key`` or ``$LINQ_API_V3_API_KEY``; the base URL from ``base_url``,
    ``$LINQ_API_V3_BASE_URL`` or the production URL. One aiohttp session is created on the first
    request, inside the running loop; a ``session`` you pass in is used and never closed here.
    Use it as ``async with AsyncLinqClient() as client:`` or call ``await client.close()``.

    Raises ``ValidationError`` (a ``LinqError`` and ``ValueError``) for a missing or malformed key,
    a non-HTTPS base URL to a host that is not loopback, or bad limits.
    """

    chats: Chats

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout = Timeout(),
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        source = "api_key"
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV)
            if api_key is None:
                raise ValidationError(f"no API key: pass api_key= or set the {API_KEY_ENV} environment variable")
            source = f"${API_KEY_ENV}"
        try:
            key = _validate.api_key(api_key, source=source)
        except ValidationError:
            api_key = None  # keep the refused key out of this frame's locals in tracebacks
            raise
        if base_url is None:
            env_url = os.environ.get(BASE_URL_ENV)
            url = (
                _validate.base_url(env_url, allow_insecure_http=allow_insecure_http, source=f"${BASE_URL_ENV}")
                if env_url
                else DEFAULT_BASE_URL
            )
        else:
            url = _validate.base_url(base_url, allow_insecure_http=allow_insecure_http)
        for name, value in (("max_connections", max_connections), ("max_response_bytes", max_response_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationError(f"{name} must be a positive int, got {value!r}")
        if session is not None and not _looks_like_session(session):
            raise ValidationError(f"session must be an aiohttp.ClientSession, got {type(session).__name__}")
        self._conn = _Connection(key, url, session, max_connections, max_response_bytes)
        self._configure(_timeout(timeout), _policy(None, max_retries, retry))

    def _configure(self, timeout: Timeout, retry: RetryPolicy) -> None:
        from .resources.chats import Chats

        self._timeout = timeout
        self._retry = retry
        self.chats = Chats(self)

    @property
    def base_url(self) -> str:
        """The API base URL requests go to, without a trailing slash."""
        return self._conn.base_url

    @property
    def timeout(self) -> Timeout:
        """The time limits applied to each request."""
        return self._timeout

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy applied to each request."""
        return self._retry

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._conn.closed

    def with_options(
        self,
        *,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncLinqClient:
        """Return a view of this client with other per-request options, sharing its session."""
        view = object.__new__(type(self))
        view._conn = self._conn
        view._configure(
            self._timeout if timeout is None else _timeout(timeout),
            _policy(self._retry, max_retries, retry),
        )
        return view

    def _detached_copy(self) -> AsyncLinqClient:
        """A client with the same settings and its own, not yet created, session."""
        copy = object.__new__(type(self))
        copy._conn = self._conn.fresh()
        copy._configure(self._timeout, self._retry)
        return copy

    def __repr__(self) -> str:
        try:
            return (
                f"{type(self).__name__}(base_url={self._conn.base_url!r}, timeout={self._timeout.total:g}, "
                f"max_retries={self._retry.max_retries})"
            )
        except AttributeError:  # half-built: a traceback with locals is printing it
            return f"<{type(self).__name__} (not configured)>"

    async def __aenter__(self) -> AsyncLinqClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it; safe to call twice.

        Must run on the loop that made the requests, which owns the session's connections.
        """
        conn = self._conn
        if conn.closed:
            return
        transport = conn.transport
        if transport is not None and not transport.loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is not transport.loop:
                raise LinqError("close() must be awaited on the event loop that made this client's requests")
            conn.closed = True
            await transport.close()
        conn.closed = True

    # The request core -------------------------------------------------------------------------

    @overload
    async def _request(
        self,
        method: str,
        path: str,
        *,
        into: type[M],
        body: object = None,
        params: Mapping[str, object] | None = None,
        hook: _AttemptHook | None = None,
    ) -> M: ...

    @overload
    async def _request(
        self,
        method: str,
        path: str,
        *,
        into: None = None,
        body: object = None,
        params: Mapping[str, object] | None = None,
        hook: _AttemptHook | None = None,
    ) -> None: ...

    async def _request(
        self,
        method: str,
        path: str,
        *,
        into: type[M] | None = None,
        body: object = None,
        params: Mapping[str, object] | None = None,
        hook: _AttemptHook | None = None,
    ) -> M | None:
        """Send one logical request, retried per the policy; every endpoint goes through here."""
        url = self._conn.base_url + path
        if params:
            query = urllib.parse.urlencode(
                [(k, _query_value(v)) for k, v in params.items() if v is not None], quote_via=urllib.parse.quote
            )
            if query:
                url = f"{url}?{query}"
        data = None if body is None else _json_encode(body).encode()
        try:
            return await self._attempt(method, url, data, into, hook)
        except APIError as exc:
            if not self._retry.max_retries or not self._retry.is_retryable(exc):
                raise
            first_failure = exc
        result: M | None = await self._retry._run(lambda: self._attempt(method, url, data, into, hook), first_failure)
        return result

    async def _attempt(
        self,
        method: str,
        url: str,
        data: bytes | None,
        into: type[M] | None,
        hook: _AttemptHook | None,
    ) -> M | None:
        if hook is not None:
            pause = hook.before_attempt()
            if pause is not None:
                await pause
        timeout = self._timeout
        transport = self._conn.get_transport()
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:
            started = time.perf_counter()
            logger.debug("request %s %s headers=%s", method, url, _redacted(self._conn.headers))
        raw = await transport.send(method, url, self._conn.headers, data, timeout.total, timeout.connect)
        status = raw.status
        if debug:
            logger.debug(
                "response %s %s -> %d in %.1f ms (trace_id=%s)",
                method,
                url,
                status,
                (time.perf_counter() - started) * 1000,
                raw.headers.get("X-Trace-ID"),
            )
        if 200 <= status < 300:
            return _decode(raw, into, method, url)
        error = error_from_response(status, raw.headers, raw.body, reason=raw.reason, method=method, url=url)
        if hook is not None:
            hook.attempt_failed(error)
        raise error


def _decode(raw: RawResponse, into: type[M] | None, method: str, url: str) -> M | None:
    if into is None:
        return None
    body = raw.body
    try:
        data = decode_json(body) if body and not body.isspace() else {}
    except ValueError as exc:
        raise _invalid(raw, f"the body is not JSON ({exc})", None, method, url) from None
    if type(data) is not dict:
        raise _invalid(raw, f"expected a JSON object, got {type(data).__name__}", data, method, url)
    if "trace_id" not in data and _has_trace_field(into):
        trace = raw.headers.get("X-Trace-ID")
        if trace is not None:
            data["trace_id"] = trace
    try:
        return structure(data, into)
    except ValueError as exc:
        raise _invalid(raw, f"the body does not fit {into.__name__}: {exc}", data, method, url) from None


def _invalid(raw: RawResponse, message: str, data: object, method: str, url: str) -> APIResponseValidationError:
    return APIResponseValidationError(
        message,
        status=raw.status,
        body=data if data is not None else body_text(raw.body),
        headers=raw.headers,
        trace_id=raw.headers.get("X-Trace-ID"),
        method=method,
        url=url,
    )


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in headers.items()}


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _policy(base: RetryPolicy | None, max_retries: int | None, retry: RetryPolicy | None) -> RetryPolicy:
    if retry is not None:
        if not isinstance(retry, RetryPolicy):
            raise ValidationError(f"retry must be a RetryPolicy, got {type(retry).__name__}")
        if max_retries is not None and max_retries != retry.max_retries:
            raise ValidationError("pass either max_retries or retry=RetryPolicy(max_retries=...), not both")
        return retry
    if max_retries is not None:
        return attrs.evolve(base, max_retries=max_retries) if base is not None else RetryPolicy(max_retries=max_retries)
    return base if base is not None else RetryPolicy()


def _looks_like_session(session: object) -> bool:
    # Checked by name to keep aiohttp out of this module's imports.
    return any(
        cls.__name__ == "ClientSession" and cls.__module__.startswith("aiohttp") for cls in type(session).__mro__
    )
