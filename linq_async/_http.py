"""The aiohttp boundary: the only module of the client that imports aiohttp.

It sends one request and hands back plain values (status, headers, body bytes). Every aiohttp or
OS failure is translated here, through one table, into ``APIConnectionError`` or
``APITimeoutError``, raised outside the ``except`` block so that neither ``__cause__`` nor
``__context__`` keeps the aiohttp exception: its ``repr`` prints the request headers,
Authorization included. Redirects are never followed, and aiohttp's own silent re-send of an
idempotent request on a dropped keep-alive connection is turned off: every request that leaves the
process is an attempt the retry policy counted.
"""

from __future__ import annotations

import asyncio
import functools
import io
import platform
import ssl
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar, overload

import aiohttp
import yarl

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CertificateVerificationError,
    LinqError,
    UnreadableResponseError,
    error_from_response,
)
from ._version import __version__

__all__ = ["USER_AGENT", "Caller", "RawResponse", "Transport", "env_proxy"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Caller(Protocol[T_co]):
    """What a request sent with ``caller=`` is finished by, in the transport's own coroutine."""

    def _answered(self, answer: RawResponse, method: str, url: str, context: Any) -> T_co:
        """What the request returns for a 2xx ``answer``."""

    def _recover(
        self, error: APIError, method: str, url: str, headers: Mapping[str, str], data: bytes | None, context: Any
    ) -> Awaitable[T_co]:
        """What the request returns (or raises) after its first attempt failed with ``error``."""


USER_AGENT = f"linq-async/{__version__} Python/{platform.python_version()} aiohttp/{aiohttp.__version__}"

_CHUNK = 64 * 1024
# Bodies over aiohttp's limit for raw bytes (1 MiB) are handed over as a file object.
_LARGE_BODY = 2**20


@functools.lru_cache(maxsize=2048)
def _url(url: str) -> yarl.URL:
    # Our URLs are already encoded (validated ids, urlencoded queries); parsing one costs more
    # than looking it up, and batches and repeated calls reuse the same few.
    return yarl.URL(url, encoded=True)


def _thin_request() -> object:
    """aiohttp's ``ClientSession.request``, if it is only ``_RequestContextManager(self._request(...))``.

    Awaiting ``_request`` itself then skips the context manager and its ``__aenter__``/``__aexit__``
    coroutines: two objects fewer that live as long as the request, for the garbage collector to walk,
    and four allocations. Checked by what the method names, so another aiohttp goes through
    ``request()`` as ever; so does a session whose ``request`` is overridden or patched (on its class
    or on itself: tracing, a test double), checked on every request. Decided once, when this module
    is first imported (on the first request): a ``request`` patched at that moment keeps the
    context manager for the life of the process.
    """
    request = aiohttp.ClientSession.request
    code = getattr(request, "__code__", None)
    names = set(getattr(code, "co_names", ()))
    if names == {"_RequestContextManager", "_request"} and callable(getattr(aiohttp.ClientSession, "_request", None)):
        return request
    return object()  # the identity of nothing: request() is always used


_THIN_REQUEST = _thin_request()


class RawResponse:
    """One HTTP answer, body fully read."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes, reason: str | None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.reason = reason


def _safe_text(exc: BaseException) -> str:
    # str() of aiohttp's exceptions never holds request headers (their repr may); keep it short,
    # and never empty (an SSL error against a plain-TCP server has no text).
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


Describe = Callable[[BaseException, str, str, "_Limits"], str]


class _Limits:
    __slots__ = ("connect", "total")

    def __init__(self, total: float | None, connect: float | None) -> None:
        self.total = total
        self.connect = connect


def _timed_out(exc: BaseException, method: str, url: str, limits: _Limits) -> str:
    if isinstance(exc, aiohttp.ConnectionTimeoutError) and limits.connect is not None:
        return f"{method} {url}: could not connect within {limits.connect:g}s (timeout.connect)"
    if limits.total is None:
        return f"{method} {url} timed out"
    return f"{method} {url} timed out after {limits.total:g}s (timeout.total)"


def _proxy_refused(exc: BaseException, method: str, url: str, _: _Limits) -> str:
    status, message = getattr(exc, "status", None), getattr(exc, "message", "")
    return f"the proxy refused to open a tunnel for {method} {url}: {status} {message}"


def _certificate(exc: BaseException, method: str, url: str, _: _Limits) -> str:
    reason = getattr(exc, "certificate_error", None) or _safe_text(exc)
    return (
        f"{method} {url}: the server's TLS certificate could not be verified ({reason}); behind a "
        "TLS-inspecting proxy or gateway, give its CA certificate with ca_bundle= or $SSL_CERT_FILE"
    )


# aiohttp or OS failure -> (our class, the message, whether the request may have been sent). First
# match wins, so subclasses come first. Failures while connecting (a connect timeout, a refused
# connection or tunnel, a certificate) happen before the request is written: it never left.
_FAILURES: tuple[
    tuple[type[BaseException] | tuple[type[BaseException], ...], type[APIConnectionError], Describe, bool], ...
] = (
    (aiohttp.ConnectionTimeoutError, APITimeoutError, _timed_out, False),
    (TimeoutError, APITimeoutError, _timed_out, True),  # asyncio's and aiohttp's timeouts are both TimeoutError
    (aiohttp.ClientConnectorCertificateError, CertificateVerificationError, _certificate, False),
    (
        aiohttp.ClientProxyConnectionError,
        APIConnectionError,
        lambda exc, method, url, _: f"could not connect to the proxy for {method} {url}: {_safe_text(exc.os_error)}",  # type: ignore[attr-defined]
        False,
    ),
    (aiohttp.ClientHttpProxyError, APIConnectionError, _proxy_refused, False),
    (
        aiohttp.ClientConnectorError,
        APIConnectionError,
        lambda exc, method, url, _: f"could not connect for {method} {url}: {_safe_text(exc.os_error)}",  # type: ignore[attr-defined]
        False,
    ),
    (
        # Raised while parsing a broken answer (bad status line, oversized headers); its repr carries
        # the request headers, so only its status and message are kept.
        aiohttp.ClientResponseError,
        APIConnectionError,
        lambda exc, method, url, _: f"invalid HTTP answer to {method} {url}: {exc.status} {exc.message}",  # type: ignore[attr-defined]
        True,
    ),
    (
        aiohttp.ClientPayloadError,
        APIConnectionError,
        lambda exc, method, url, _: f"the answer to {method} {url} was cut off before its end",
        True,
    ),
    (
        aiohttp.ServerDisconnectedError,
        APIConnectionError,
        lambda exc, method, url, _: f"the server closed the connection before answering {method} {url}",
        True,
    ),
    (aiohttp.InvalidURL, APIConnectionError, lambda exc, method, url, _: f"invalid URL for {method}: {url}", False),
    (
        (aiohttp.ClientError, OSError),
        APIConnectionError,
        lambda exc, method, url, _: f"{method} {url} failed in transport: {type(exc).__name__}: {_safe_text(exc)}",
        True,
    ),
)


def _translate(exc: BaseException, method: str, url: str, limits: _Limits) -> APIConnectionError | None:
    for kind, cls, describe, sent in _FAILURES:
        if isinstance(exc, kind):
            error = cls(describe(exc, method, url, limits), method=method, url=url)
            if not sent:
                error.sent = False
            return error
    return None


def env_proxy(url: str) -> str | None:
    """The proxy ``$HTTPS_PROXY``/``$HTTP_PROXY`` name for ``url``, unless ``$NO_PROXY`` excludes its host."""
    import urllib.request

    target = yarl.URL(url)
    if target.host is None or urllib.request.proxy_bypass(target.host):
        return None
    return urllib.request.getproxies().get(target.scheme)


# Where a failure was raised tells whether the request had left: inside the connector's connect()
# (connecting, the proxy tunnel, waiting for a free pooled connection, a timeout meanwhile) and
# never inside the request's send() or the answer's start(), nothing was written. Read from the
# traceback when a request fails, so a request that succeeds pays nothing for it.
_CONNECTING = aiohttp.BaseConnector.connect.__code__
_WRITING = frozenset({aiohttp.ClientRequest.send.__code__, aiohttp.ClientResponse.start.__code__})


def _written(exc: BaseException) -> bool:
    """Whether the request may have been written when ``exc`` (or the error it came from) was raised."""
    connecting = False
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code in _WRITING:
                return True
            connecting = connecting or code is _CONNECTING
            tb = tb.tb_next
        current = current.__cause__ or current.__context__
    return not connecting


class Transport:
    """Sends requests over one aiohttp session, created inside the running loop.

    A session passed in by the user is used as it is and never closed here. A session made here
    closes itself when its loop shuts down (``asyncio.run`` ending, a test's loop closing): an async
    generator registered with the loop is finalised by ``shutdown_asyncgens``, while the loop still
    runs, and closes the session then.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        max_connections: int,
        max_response_bytes: int,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self._owned = session is None
        if session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=max_connections, ttl_dns_cache=300, ssl=ssl_context if ssl_context is not None else True
                ),
                # An API client has no use for cookies; the jar costs time on every request.
                cookie_jar=aiohttp.DummyCookieJar(),
                # The proxy is resolved once, by the client (see env_proxy): aiohttp's trust_env would
                # also read ~/.netrc on every request, in a thread, and clash with our Authorization.
                trust_env=False,
                proxy=proxy,
            )
            # aiohttp re-sends an idempotent request once, silently, when a pooled connection drops;
            # the retry policy decides that here, and counts it.
            session._retry_connection = False
        self._session = session
        self._max_bytes = max_response_bytes
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._abandoned = False
        self._watch: AsyncGenerator[None, None] | None = None
        if self._owned:
            watch = self._close_at_loop_shutdown()
            try:
                watch.asend(None).send(None)  # run to its first yield: the loop now tracks it
            except StopIteration:
                pass
            self._watch = watch

    async def _close_at_loop_shutdown(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            self._watch = None
            if not self._abandoned and not self._session.closed:
                await self._session.close()

    @property
    def usable(self) -> bool:
        """Whether requests can still be sent through this transport."""
        return not self._abandoned and not self._session.closed

    def _timeout(self, total: float | None, connect: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get((total, connect))
        if timeout is None:
            # sock_connect rather than connect: waiting for a free pooled connection is not a
            # connect failure and must not time out as one.
            if connect is not None and total is not None:
                connect = min(connect, total)
            timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect)
            self._timeouts[(total, connect)] = timeout
        return timeout

    @overload
    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | AsyncIterable[bytes] | None,
        total_timeout: float | None,
        connect_timeout: float | None,
        *,
        shown_url: str | None = None,
        caller: None = None,
        context: None = None,
    ) -> RawResponse: ...

    @overload
    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        total_timeout: float | None,
        connect_timeout: float | None,
        *,
        caller: Caller[T],
        context: object,
    ) -> T: ...

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | AsyncIterable[bytes] | None,
        total_timeout: float | None,
        connect_timeout: float | None,
        *,
        shown_url: str | None = None,
        caller: Caller[Any] | None = None,
        context: object = None,
    ) -> Any:
        """Send one request; return the answer or raise a translated ``APIError``.

        Without a ``caller``, an answer of any status is returned. With one, the request is
        finished here, in this coroutine (the caller needs none of its own): a 2xx answer returns
        ``caller._answered(answer, ...)``, and any ``APIError`` (an error status or a failure)
        returns ``await caller._recover(error, ...)``; ``context`` is handed to both.

        ``body`` is bytes, or an async iterable of chunks sent as they come (an upload; its
        ``headers`` must carry the ``Content-Length``, or aiohttp would send it chunked). Such a
        URL is usually signed and used once, so it is not cached. ``shown_url`` replaces ``url``
        in error messages (a signed URL's query is a credential).
        """
        streamed = body is not None and not isinstance(body, bytes)
        target = yarl.URL(url, encoded=True) if streamed else _url(url)
        data: object = body
        if isinstance(body, bytes) and len(body) > _LARGE_BODY:
            data = io.BytesIO(body)  # aiohttp warns about bytes this large (it writes them at once)
        full, url = url, url if shown_url is None else shown_url
        status = 0
        try:
            session = self._session
            # The stock request() only wraps _request in a context manager (see _THIN_REQUEST): its
            # coroutine is awaited as it is. Any other request() (a tracing wrapper, a test double,
            # patched on the class or on the session) is used as aiohttp documents it, entered and
            # exited as a context manager.
            thin = type(session).request is _THIN_REQUEST and "request" not in getattr(session, "__dict__", ())
            opened: Any = (session._request if thin else session.request)(
                method,
                target,
                data=data,
                headers=headers,
                allow_redirects=False,
                raise_for_status=False,
                timeout=self._timeout(total_timeout, connect_timeout),
            )
            response: aiohttp.ClientResponse = await (opened if thin else type(opened).__aenter__(opened))
            raised: BaseException | None = None
            try:
                status = response.status
                length = response.content_length
                if length is not None and length <= self._max_bytes:
                    data = await response.read()  # the usual case, without a coroutine of its own
                else:
                    data = await self._read(response, method, url)
                if caller is not None and not 200 <= status < 300:
                    raise error_from_response(
                        status, response.headers, data, reason=response.reason, method=method, url=url
                    )
                answer = RawResponse(status, response.headers, data, response.reason)
            except BaseException as exc:
                raised = exc
                raise
            finally:
                if thin:
                    # What leaving ``async with`` does: the connection back to the pool, the writer done.
                    response.release()
                    await response.wait_for_close()
                elif raised is None:
                    await type(opened).__aexit__(opened, None, None, None)
                else:
                    await type(opened).__aexit__(opened, type(raised), raised, raised.__traceback__)
                raised = None  # (no cycle through this frame's traceback)
        except APIError as exc:
            failure: APIError = exc  # an error status, or (with a 2xx status) an answer over the limit
        except RuntimeError as exc:
            # aiohttp raises RuntimeError for a closed session or a session bound to another loop.
            raise LinqError(f"the HTTP session cannot be used: {exc}") from None
        except Exception as exc:
            translated = _translate(exc, method, url, _Limits(total_timeout, connect_timeout))
            if translated is None:
                raise
            if full != url and full in translated.message:  # aiohttp's text may quote the whole URL
                sent = translated.sent
                translated = type(translated)(translated.message.replace(full, url), method=method, url=url)
                translated.sent = sent
            if translated.sent and not _written(exc):
                translated.sent = False  # it failed before aiohttp began to write it
                if isinstance(translated, APITimeoutError) and "(timeout.connect)" not in translated.message:
                    translated.message = f"{translated.message}, before it was sent"
                    translated.args = (translated.message,)
            failure = translated
        else:
            if caller is None:
                return answer
            return caller._answered(answer, method, url, context)
        if 200 <= status < 300:
            # The status line said the change happened: sending it again would apply it twice.
            failure = UnreadableResponseError(
                f"{method} {url} was applied (status {status}), but its answer could not be read: {failure.message}",
                status=status,
                method=method,
                url=url,
            )
        if caller is None:
            raise failure
        return await caller._recover(failure, method, full, headers, body, context)  # type: ignore[arg-type] # bytes with a caller

    async def _read(self, response: aiohttp.ClientResponse, method: str, url: str) -> bytes:
        length = response.content_length
        limit = self._max_bytes
        if length is not None:
            if length > limit:
                raise APIConnectionError(
                    f"the answer to {method} {url} announces {length} bytes, over the {limit}-byte limit",
                    method=method,
                    url=url,
                )
            return await response.read()
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise APIConnectionError(
                    f"the answer to {method} {url} exceeds the {limit}-byte limit", method=method, url=url
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        """Close the session if this transport created it (on its loop)."""
        watch, self._watch = self._watch, None
        if watch is not None:
            await watch.aclose()
        if self._owned and not self._session.closed:
            await self._session.close()

    def abort(self) -> None:
        """Drop every connection without a goodbye (no TLS close_notify), then forget the session.

        For a forked child whose loop no longer shares its epoll instance with the parent: the
        sockets are closed in the child only, nothing is written to them. Must run on a loop that
        is then run once, so that the closes complete.
        """
        connector = self._session.connector if self._owned else None
        self._forget()
        if connector is not None:
            connector.close(abort_ssl=True)

    def discard(self) -> None:
        """Drop a session whose loop closed without shutting down async generators; nothing can run on it.

        Its sockets are closed here, as the loop would have closed them, so that no "unclosed
        transport" or "unclosed socket" warning follows at garbage collection. This reaches into
        asyncio's transports (``_sock``, ``_closed``): with the loop gone there is no public way.
        """
        connector = self._session.connector if self._owned else None
        protocols = [] if connector is None else [p for conns in connector._conns.values() for p, _ in conns]
        protocols += [] if connector is None else list(connector._acquired)
        self._forget()
        for protocol in protocols:
            transport = getattr(protocol, "transport", None)
            inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
            for layer in (transport, inner):
                if layer is None:
                    continue
                if hasattr(layer, "_closed"):
                    layer._closed = True
                sock = getattr(layer, "_sock", None)
                if sock is not None:
                    layer._sock = None
                    sock.close()

    def abandon(self) -> None:
        """Forget a session inherited through ``fork()`` without touching its sockets.

        Closing would unregister the parent's sockets from the epoll instance parent and child share,
        and could write TLS close_notify on the parent's connections. Marking the connector closed
        keeps its finaliser from doing exactly that; the session then reports itself closed, so no
        "Unclosed client session" is printed either.
        """
        self._forget()

    def _forget(self) -> None:
        self._abandoned = True
        watch, self._watch = self._watch, None
        if watch is not None:
            # Finish it here, without a loop: abandoned, its `finally` awaits nothing, and a finished
            # generator is never handed to a loop's finaliser later.
            try:
                watch.aclose().send(None)
            except StopIteration:
                pass
        if not self._owned:
            return
        session = self._session
        connector = session.connector
        if connector is not None:
            connector._closed = True
        session._connector = None
