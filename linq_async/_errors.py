"""The exception tree, and the pure function that turns an HTTP error answer into one of its classes.

Nothing here does I/O and nothing here imports aiohttp: the transport hands over plain values
(status, headers, body bytes) and gets a typed exception back.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._response import RequestInfo

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CertificateVerificationError",
    "ConflictError",
    "ErrorResponse",
    "Headers",
    "InternalServerError",
    "LinqError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnexpectedRedirectError",
    "UnprocessableEntityError",
    "UnreadableResponseError",
    "UploadError",
    "ValidationError",
    "error_from_response",
    "parse_retry_after",
]

# Longest server message kept in str(exc); the full text stays on .message and .body.
_MESSAGE_SHOWN = 300


class Headers(Mapping[str, str]):
    """Read-only HTTP headers with case-insensitive lookup; repeated headers are joined by ", "."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        merged: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in merged:
                first, previous = merged[key]
                merged[key] = (first, f"{previous}, {value}")
            else:
                merged[key] = (name, value)
        self._items = merged

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Headers, (list(self.items()),))


class LinqError(Exception):
    """Base class of every error linq_async raises."""


class ValidationError(LinqError, ValueError):
    """Input refused on the client side, before any request was sent."""


class APIError(LinqError):
    """An error tied to one HTTP exchange with the Linq API.

    ``method`` and ``url`` name the request (never its headers, so never the key); ``request``
    holds both, as linq-python's ``exc.request`` does. ``may_have_applied`` is True when the
    request may have taken effect although this error was raised (see ``APIConnectionError``).
    """

    may_have_applied: bool = False
    # What every linq-python APIError carries, so a handler for any APIError can read them; None
    # when there was no error answer (a transport failure) or it did not say.
    body: object = None
    code: int | None = None
    doc_url: str | None = None
    retry_after: float | None = None
    trace_id: str | None = None

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    @property
    def request(self) -> RequestInfo:
        """The request that failed: its ``method`` and ``url``."""
        from ._response import RequestInfo

        return RequestInfo(self.method or "", self.url or "")

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions cross process boundaries (Celery, multiprocessing); keyword-only
        # constructors do not survive the default BaseException pickling.
        return (_rebuild, (type(self), self.__dict__.copy(), self.args))


def _rebuild(cls: type[APIError], state: dict[str, Any], args: tuple[Any, ...]) -> APIError:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class APIConnectionError(APIError):
    """The request failed in transport: connection refused or reset, broken or truncated answer.

    ``sent`` is False when it failed before the request was written (connecting, waiting for a
    pooled connection): nothing reached the server. ``may_have_applied`` is True when it was sent
    and repeating it is not known to be safe (a POST or PATCH without an idempotency key): such a
    failure is not retried, since a second copy could apply the change twice. Check the state
    (``retrieve``, ``list``) before sending it again. A 502/504 from a gateway is treated the same.
    """

    sent: bool = True


class APITimeoutError(APIConnectionError):
    """The request did not complete within the configured timeout (the message names the limit)."""


class CertificateVerificationError(APIConnectionError):
    """The server's TLS certificate could not be verified; never retried, since it cannot succeed.

    Behind a TLS-inspecting gateway, give the gateway's CA with ``ca_bundle=`` (or ``ssl_context=``,
    or ``$SSL_CERT_FILE``).
    """


class APIResponseValidationError(APIError):
    """A success status arrived with a body that is not what the endpoint promises."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        trace_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status
        self.body = body
        self.headers = headers if isinstance(headers, Headers) else Headers(headers or ())
        self.trace_id = trace_id

    def __str__(self) -> str:
        suffix = f" (trace_id={self.trace_id})" if self.trace_id else ""
        return f"{self.status}: {self.message}{suffix}"


class UnreadableResponseError(APIResponseValidationError):
    """A success status arrived, so the request was applied, but its body could not be read in full.

    Never retried: sending it again would apply it twice. ``status`` is the success status.
    """


class APIStatusError(APIError):
    """The API answered with an error status.

    ``code`` is Linq's numeric error code when the body carried one; switch on ``code`` and
    ``status``, never on ``message``. ``trace_id`` comes from the body, else the ``X-Trace-ID``
    header: quote it to Linq support.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None = None,
        trace_id: str | None = None,
        doc_url: str | None = None,
        retry_after: float | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        url: str | None = None,
        content: bytes | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status
        self.code = code
        self.trace_id = trace_id
        self.doc_url = doc_url
        self.retry_after = retry_after
        self.body = body
        self.headers = headers if isinstance(headers, Headers) else Headers(headers or ())
        self.content = content

    @property
    def status_code(self) -> int:
        """The HTTP status (the official SDK's name for ``status``)."""
        return self.status

    @property
    def response(self) -> ErrorResponse:
        """The answer, read like linq-python's ``exc.response``: ``status_code``, ``headers``, ``text``, ``json()``."""
        return ErrorResponse(self)

    def __str__(self) -> str:
        message = self.message
        if len(message) > _MESSAGE_SHOWN:
            message = message[:_MESSAGE_SHOWN] + "..."
        code = f" code {self.code}" if self.code is not None else ""
        trace = f" (trace_id={self.trace_id})" if self.trace_id else ""
        return f"{self.status}{code}: {message}{trace}"


class ErrorResponse:
    """The error answer of an ``APIStatusError`` (``exc.response``), with httpx.Response's common names."""

    __slots__ = ("_error",)

    def __init__(self, error: APIStatusError) -> None:
        self._error = error

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._error.status

    @property
    def headers(self) -> Headers:
        """The answer's headers, looked up case-insensitively."""
        return self._error.headers

    @property
    def content(self) -> bytes:
        """The body as bytes (empty if there was none)."""
        return self._error.content or b""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return body_text(self.content)

    def json(self) -> object:
        """Return the body decoded as JSON. Raises ``ValueError`` if it is not JSON."""
        return decode_json(self.content)

    @property
    def method(self) -> str | None:
        """The request's HTTP method."""
        return self._error.method

    @property
    def url(self) -> str | None:
        """The request's URL."""
        return self._error.url

    @property
    def request(self) -> RequestInfo:
        """The request it answers: its ``method`` and ``url``."""
        return self._error.request

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}] {self.method} {self.url}>"


class BadRequestError(APIStatusError):
    """HTTP 400: the request was malformed (codes 1001-1008, 5004-5007)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the key is missing or invalid (code 2004)."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the key may not act on this resource (codes 2005, 2006, 2008, 2011, ...)."""


class NotFoundError(APIStatusError):
    """HTTP 404: the chat, message or other resource does not exist (codes 2001-2003, ...)."""


class ConflictError(APIStatusError):
    """HTTP 409: the resource is in a state that refuses this action (codes 1006, 2009, 2013, ...)."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was understood but cannot be processed (code 4005, ...)."""


class RateLimitError(APIStatusError):
    """HTTP 429: rate limited (code 1007); ``retry_after`` holds the server's wait in seconds."""


class InternalServerError(APIStatusError):
    """HTTP 5xx: the server or a proxy in front of it failed (codes 3xxx, 4001-4004, ...)."""


class UnexpectedRedirectError(APIStatusError):
    """HTTP 3xx: redirects are never followed, since a redirected POST can silently become a GET."""

    @property
    def location(self) -> str | None:
        """The redirect target the server named, if any."""
        return self.headers.get("Location")


class UploadError(APIStatusError):
    """The upload target (not the Linq API) refused the file's bytes.

    ``status`` is its HTTP status; ``error_code`` its own code when it gave one (S3-style targets
    say ``SignatureDoesNotMatch``, ``AccessDenied``, ``RequestTimeout``...); ``code`` (Linq's
    numeric code) is normally None. ``attachment_id`` names the attachment that was created but
    holds no file: upload again (a new attachment), and delete this one if you like.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_code: str | None = None,
        attachment_id: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, status=status, **details)
        self.error_code = error_code
        self.attachment_id = attachment_id

    def __str__(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        trace = f" (request id {self.trace_id})" if self.trace_id else ""
        return f"the upload target refused the file with {self.status}{code}: {self.message[:300]}{trace}"


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def parse_retry_after(value: object, *, now: float | None = None) -> float | None:
    """Read a server-directed delay in seconds; anything unusable gives None.

    Accepts a JSON number or a decimal string (the ``Retry-After`` seconds form) and the HTTP-date
    form. NaN, infinities, negatives, booleans and garbage are refused here so that nothing
    downstream can ever sleep on them; very large finite values are kept and capped by the policy.
    """
    if isinstance(value, bool):
        return None
    seconds: float
    if isinstance(value, int):
        seconds = float(value) if value.bit_length() < 1000 else math.inf
    elif isinstance(value, float):
        seconds = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        try:
            seconds = float(text)
        except ValueError:
            import email.utils  # the HTTP-date form is rare: not worth importing up front

            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
            if when is None or when.tzinfo is None:
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
            seconds = max(seconds, 0.0)
    else:
        return None
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


# Built once: json.loads(..., parse_constant=...) would build a new decoder on every call.
_strict_decode = json.JSONDecoder(parse_constant=_refuse_constant).decode


def decode_json(body: bytes, *, lenient: bool = False) -> object:
    """Decode JSON, mapping every way it can fail (including RecursionError) to ValueError.

    Strict mode refuses NaN and Infinity, which RFC 8259 does not allow; lenient mode, for error
    bodies, accepts them. Both read an integer longer than Python parses (over 4,300 digits, legal
    JSON) as the infinity of its sign, so that the body is still read; a model's float field then
    names it in ``invalid_fields``.
    """
    try:
        try:
            return json.loads(body) if lenient else _strict_decode(body.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise
        except ValueError:
            # Python's integer digit limit (CVE-2020-10735), or NaN refused in strict mode. Decode
            # again reading such integers as infinities: only a body that holds one pays for it.

            def long_int(text: str) -> int | float:
                try:
                    return int(text)
                except ValueError:
                    return -math.inf if text.startswith("-") else math.inf

            if lenient:
                return json.loads(body, parse_int=long_int)
            strict = json.JSONDecoder(parse_constant=_refuse_constant, parse_int=long_int)
            return strict.decode(body.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN or Infinity in strict mode
        raise ValueError(f"invalid JSON: {exc}") from None


def body_text(body: bytes) -> str:
    """Decode a body that is not JSON for display, never failing."""
    return body.decode("utf-8", errors="replace")


def _as_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def _as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    reason: str | None = None,
    method: str | None = None,
    url: str | None = None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer, reading the Linq envelope leniently.

    The envelope is ``{"success": false, "error": {"status", "code", "message", "doc_url",
    "retry_after"}, "trace_id"}``, but documented examples omit ``success``, ``trace_id`` or
    ``doc_url``; proxies answer with HTML; hostile bodies may be lists, huge or deeply nested.
    Every one of those still yields an ``APIStatusError`` subclass chosen by status.
    """
    headers = headers if isinstance(headers, Headers) else Headers(headers)
    parsed: object = None
    if body:
        try:
            parsed = decode_json(body, lenient=True)
        except ValueError:
            parsed = None
    code: int | None = None
    message: str | None = None
    doc_url: str | None = None
    trace_id: str | None = None
    retry_after_body: object = None
    if isinstance(parsed, dict):
        inner = parsed.get("error")
        detail: Mapping[str, Any] = inner if isinstance(inner, dict) else parsed
        code = _as_code(detail.get("code"))
        message = _as_text(detail.get("message"))
        if message is None and isinstance(inner, str):
            message = inner
        doc_url = _as_text(detail.get("doc_url"))
        retry_after_body = detail.get("retry_after")
        trace_id = _as_text(parsed.get("trace_id"))
        shown: object = parsed
    else:
        shown = body_text(body) if parsed is None else parsed
    if trace_id is None:
        trace_id = headers.get("X-Trace-ID")
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if retry_after is None:
        retry_after = parse_retry_after(retry_after_body)
    if message is None:
        message = reason or f"HTTP {status}"
    if status == 404 and code is None and not isinstance(parsed, dict):
        # Linq answers every 404 with its envelope; without one, something else answered.
        message = (
            f"{message}: the answer at {url or 'this URL'} has no Linq error envelope, so this does not look "
            "like the Linq API; check the base URL (it ends in /api/partner)"
        )
    if 300 <= status < 400:
        cls: type[APIStatusError] = UnexpectedRedirectError
        target = headers.get("Location")
        message = f"unexpected redirect to {target!r}; redirects are not followed" if target else message
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = _BY_STATUS.get(status, APIStatusError)
    return cls(
        message,
        status=status,
        code=code,
        trace_id=trace_id,
        doc_url=doc_url,
        retry_after=retry_after,
        body=shown,
        headers=headers,
        method=method,
        url=url,
        content=body,
    )
