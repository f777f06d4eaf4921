"""Raw responses: what ``resource.with_raw_response.<method>(...)`` returns instead of the model.

The body has been read in full when the call returns; ``parse()`` builds the model the plain call
would have returned (``await response.parse()`` on the async client, as in linq-python). Error
statuses are still raised as typed errors, so a raw response is always a 2xx answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from ._errors import Headers, body_text, decode_json

if TYPE_CHECKING:
    from ._http import RawResponse

__all__ = ["APIResponse", "AsyncAPIResponse", "RequestInfo"]

R = TypeVar("R")
T = TypeVar("T")


class RequestInfo:
    """The request a raw response answers: ``method`` and ``url`` (never its headers, so never the key)."""

    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url

    def __repr__(self) -> str:
        return f"<RequestInfo {self.method} {self.url}>"


class _BaseResponse(Generic[R]):
    __slots__ = ("_parse", "_parsed", "_raw", "http_request", "retries_taken")

    def __init__(
        self, raw: RawResponse, request: RequestInfo, parse: Callable[[RawResponse], R], retries_taken: int
    ) -> None:
        self._raw = raw
        self._parse = parse
        self._parsed: tuple[R] | None = None
        self.http_request = request
        self.retries_taken = retries_taken

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
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return body_text(self._raw.body)

    @property
    def method(self) -> str:
        """The request's HTTP method."""
        return self.http_request.method

    @property
    def url(self) -> str:
        """The request's URL."""
        return self.http_request.url

    def json(self) -> object:
        """The body decoded as JSON. Raises ``ValueError`` if it is not JSON."""
        return decode_json(self._raw.body)

    def _map(self, then: Callable[[R], T]) -> _BaseResponse[T]:
        """The same answer, whose ``parse()`` applies ``then`` to the model."""
        parse = self._parse
        return type(self)(self._raw, self.http_request, lambda raw: then(parse(raw)), self.retries_taken)  # type: ignore[arg-type,return-value]

    def _model(self) -> R:
        if self._parsed is None:
            self._parsed = (self._parse(self._raw),)
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url}>"


class APIResponse(_BaseResponse[R]):
    """A raw 2xx answer from the sync client; ``parse()`` returns the model."""

    __slots__ = ()

    def parse(self) -> R:
        """Build the model the plain call returns (cached). Raises ``APIResponseValidationError`` if it cannot."""
        return self._model()


class AsyncAPIResponse(_BaseResponse[R]):
    """A raw 2xx answer from the async client; ``await response.parse()`` returns the model."""

    __slots__ = ()

    async def parse(self) -> R:
        """Build the model the plain call returns (cached). Raises ``APIResponseValidationError`` if it cannot."""
        return self._model()

    def _blocking(self) -> APIResponse[R]:
        """The same answer for the sync client."""
        return APIResponse(self._raw, self.http_request, self._parse, self.retries_taken)
