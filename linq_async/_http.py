"""The aiohttp boundary: the only module of the client that imports aiohttp.

It sends one request and hands back plain values (status, headers, body bytes). Every aiohttp or
OS failure is translated here into ``APIConnectionError`` or ``APITimeoutError``, raised outside the
``except`` block so that neither ``__cause__`` nor ``__context__`` keeps the aiohttp exception: its
``repr`` prints the request headers, Authorization included. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import functools
import platform
from collections.abc import Mapping

import aiohttp
import yarl

from ._errors import APIConnectionError, APIError, APITimeoutError, LinqError
from ._version import __version__

__all__ = ["USER_AGENT", "RawResponse", "Transport", "abandon_session"]

USER_AGENT = f"linq-async/{__version__} Python/{platform.python_version()} aiohttp/{aiohttp.__version__}"

_CHUNK = 64 * 1024


@functools.lru_cache(maxsize=2048)
def _url(url: str) -> yarl.URL:
    # Our URLs are already encoded (validated ids, urlencoded queries); parsing one costs more
    # than looking it up, and batches and repeated calls reuse the same few.
    return yarl.URL(url, encoded=True)


class RawResponse:
    """One HTTP answer, body fully read."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes, reason: str | None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.reason = reason


class Transport:
    """Sends requests over one aiohttp session, created lazily inside the running loop.

    A session passed in by the user is used as it is and never closed here.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        max_connections: int,
        max_response_bytes: int,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self._owned = session is None
        if session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=max_connections, ttl_dns_cache=300),
                # An API client has no use for cookies; the jar costs time on every request.
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
        self._session = session
        self._max_bytes = max_response_bytes
        self._timeouts: dict[tuple[float, float], aiohttp.ClientTimeout] = {}

    @property
    def closed(self) -> bool:
        return self._session.closed

    def _timeout(self, total: float, connect: float) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get((total, connect))
        if timeout is None:
            # sock_connect rather than connect: waiting for a free pooled connection is not a
            # connect failure and must not time out as one.
            timeout = aiohttp.ClientTimeout(total=total, sock_connect=min(connect, total))
            self._timeouts[(total, connect)] = timeout
        return timeout

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        total_timeout: float,
        connect_timeout: float,
    ) -> RawResponse:
        """Send one request; return the answer or raise a translated ``APIError``."""
        failure: APIError
        try:
            async with self._session.request(
                method,
                _url(url),
                data=body,
                headers=headers,
                allow_redirects=False,
                raise_for_status=False,
                timeout=self._timeout(total_timeout, connect_timeout),
            ) as response:
                data = await self._read(response, method, url)
                return RawResponse(response.status, response.headers, data, response.reason)
        except APIError:
            raise
        except TimeoutError:  # asyncio's and aiohttp's timeouts are both TimeoutError
            failure = APITimeoutError(f"{method} {url} timed out after {total_timeout:g}s", method=method, url=url)
        except aiohttp.ClientConnectorError as exc:
            failure = APIConnectionError(
                f"could not connect for {method} {url}: {exc.os_error}",
                method=method,
                url=url,
            )
        except aiohttp.ClientResponseError as exc:
            # Raised while parsing a broken answer (bad status line, oversized headers); its repr
            # carries the request headers, so only its status and message are kept.
            failure = APIConnectionError(
                f"invalid HTTP answer to {method} {url}: {exc.status} {exc.message}", method=method, url=url
            )
        except aiohttp.ClientPayloadError:
            failure = APIConnectionError(
                f"the answer to {method} {url} was cut off before its end", method=method, url=url
            )
        except aiohttp.ServerDisconnectedError:
            failure = APIConnectionError(
                f"the server closed the connection before answering {method} {url}", method=method, url=url
            )
        except aiohttp.InvalidURL:
            failure = APIConnectionError(f"invalid URL for {method}: {url}", method=method, url=url)
        except (aiohttp.ClientError, OSError) as exc:
            failure = APIConnectionError(
                f"{method} {url} failed in transport: {type(exc).__name__}: {_safe_text(exc)}",
                method=method,
                url=url,
            )
        except RuntimeError as exc:
            # aiohttp raises RuntimeError for a closed session or a session bound to another loop.
            raise LinqError(f"the HTTP session cannot be used: {exc}") from None
        raise failure

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
        """Close the session if this transport created it."""
        if self._owned and not self._session.closed:
            await self._session.close()


def _safe_text(exc: BaseException) -> str:
    # str() of aiohttp's exceptions never holds request headers (their repr may); keep it short.
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."


def abandon_session(transport: Transport) -> None:
    """Forget a session inherited through ``fork()`` without closing it.

    Closing would unregister the parent's sockets from the epoll instance parent and child share,
    and could write TLS close_notify on the parent's connections. Marking the connector closed
    keeps its finaliser from doing exactly that; the session then reports itself closed, so no
    "Unclosed client session" is printed either.
    """
    session = transport._session
    connector = session.connector
    if connector is not None:
        connector._closed = True
    session._connector = None
