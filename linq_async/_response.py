"""Raw responses: what ``resource.with_raw_response.<method>(...)`` returns instead of the model.

The body has been read in full when the call returns; ``parse()`` builds the model the plain call
would have returned. As in linq-python, the async client's ``parse()``, ``read()``, ``text()`` and
``json()`` are awaited and the sync client's are plain calls. Error statuses are still raised as
typed errors, so a raw response is always a 2xx answer.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from ._errors import Headers, body_text, decode_json

if TYPE_CHECKING:
    from ._http import RawResponse

__all__ = ["APIResponse", "AsyncAPIResponse", "RequestInfo"]

R = TypeVar("R")
T = TypeVar("T")


class RequestInfo:
    """The request a raw response answers: ``method``, ``url`` and ``headers`` (``Authorization`` redacted)."""

    __slots__ = ("headers", "method", "url")

    def __init__(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> None:
        self.method = method
        self.url = url
        self.headers = Headers((headers or {}).items())

    def __repr__(self) -> str:
        return f"<RequestInfo {self.method} {self.url}>"


class _BaseResponse(Generic[R]):
    __slots__ = ("_parse", "_parsed", "_raw", "elapsed", "http_request", "retries_taken")

    def __init__(
        self,
        raw: RawResponse,
        request: RequestInfo,
        parse: Callable[[RawResponse], R],
        retries_taken: int,
        elapsed: dt.timedelta = dt.timedelta(0),
    ) -> None:
        self._raw = raw
        self._parse = parse
        self._parsed: tuple[R] | None = None
        self.http_request = request
        self.retries_taken = retries_taken
        self.elapsed = elapsed
        """How long the answered attempt took, from sending to the last byte of the body."""

    @property
    def status_code(self) -> int:
        """The HTTP status of the answer (always 2xx: error statuses raise)."""
        return self._raw.status

    @property
    def headers(self) -> Headers:
        """The answer's headers, looked up case-insensitively."""
        headers = self._raw.headers
        return headers if isinstance(headers, Headers) else Headers(headers.items())

    @property
    def trace_id(self) -> str | None:
        """The ``X-Trace-ID`` header: quote it to Linq support."""
        return self._raw.headers.get("X-Trace-ID")

    @property
    def content(self) -> bytes:
        """The body as bytes."""
        return self._raw.body

    @property
    def method(self) -> str:
        """The request's HTTP method."""
        return self.http_request.method

    @property
    def url(self) -> str:
        """The request's URL."""
        return self.http_request.url

    @property
    def http_version(self) -> str:
        """The HTTP version of the exchange."""
        return "HTTP/1.1"

    @property
    def is_closed(self) -> bool:
        """Always True: the body was read in full before the call returned."""
        return True

    def _model(self) -> R:
        if self._parsed is None:
            self._parsed = (self._parse(self._raw),)
        return self._parsed[0]

    def _chunks(self, chunk_size: int | None) -> Iterator[bytes]:
        body = self._raw.body
        size = (len(body) or 1) if chunk_size is None else chunk_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        for start in range(0, len(body), size):
            yield body[start : start + size]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url}>"


class APIResponse(_BaseResponse[R]):
    """A raw 2xx answer from the sync client; ``parse()`` returns the model."""

    __slots__ = ()

    def parse(self) -> R:
        """Build the model the plain call returns (cached). Raises ``APIResponseValidationError`` if it cannot."""
        return self._model()

    def read(self) -> bytes:
        """Return the body as bytes."""
        return self._raw.body

    def text(self) -> str:
        """Return the body decoded as UTF-8 (undecodable bytes replaced)."""
        return body_text(self._raw.body)

    def json(self) -> object:
        """Return the body decoded as JSON. Raises ``ValueError`` if it is not JSON."""
        return decode_json(self._raw.body)

    def close(self) -> None:
        """Do nothing: the connection was released when the body had been read."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Yield the body in chunks of ``chunk_size`` bytes (all at once when None)."""
        return self._chunks(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """Yield the body decoded as UTF-8, in pieces of about ``chunk_size`` bytes."""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for chunk in self._chunks(chunk_size):
            text = decoder.decode(chunk)
            if text:
                yield text
        rest = decoder.decode(b"", final=True)
        if rest:
            yield rest

    def iter_lines(self) -> Iterator[str]:
        """Yield the body's lines, decoded as UTF-8, without their line endings."""
        return iter(body_text(self._raw.body).splitlines())

    def _map(self, then: Callable[[R], T]) -> APIResponse[T]:
        """The same answer, whose ``parse()`` applies ``then`` to the model."""
        parse = self._parse
        return APIResponse(self._raw, self.http_request, lambda raw: then(parse(raw)), self.retries_taken, self.elapsed)


class AsyncAPIResponse(_BaseResponse[R]):
    """A raw 2xx answer from the async client; ``await response.parse()`` returns the model."""

    __slots__ = ()

    async def parse(self) -> R:
        """Build the model the plain call returns (cached). Raises ``APIResponseValidationError`` if it cannot."""
        return self._model()

    async def read(self) -> bytes:
        """Return the body as bytes."""
        return self._raw.body

    async def text(self) -> str:
        """Return the body decoded as UTF-8 (undecodable bytes replaced)."""
        return body_text(self._raw.body)

    async def json(self) -> object:
        """Return the body decoded as JSON. Raises ``ValueError`` if it is not JSON."""
        return decode_json(self._raw.body)

    async def close(self) -> None:
        """Do nothing: the connection was released when the body had been read."""

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Yield the body in chunks of ``chunk_size`` bytes (all at once when None)."""
        for chunk in self._chunks(chunk_size):
            yield chunk

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """Yield the body decoded as UTF-8, in pieces of about ``chunk_size`` bytes."""
        for text in self._blocking().iter_text(chunk_size):
            yield text

    async def iter_lines(self) -> AsyncIterator[str]:
        """Yield the body's lines, decoded as UTF-8, without their line endings."""
        for line in body_text(self._raw.body).splitlines():
            yield line

    def _map(self, then: Callable[[R], T]) -> AsyncAPIResponse[T]:
        """The same answer, whose ``parse()`` applies ``then`` to the model."""
        parse = self._parse
        return AsyncAPIResponse(
            self._raw, self.http_request, lambda raw: then(parse(raw)), self.retries_taken, self.elapsed
        )

    def _blocking(self) -> APIResponse[R]:
        """The same answer for the sync client."""
        return APIResponse(self._raw, self.http_request, self._parse, self.retries_taken, self.elapsed)
