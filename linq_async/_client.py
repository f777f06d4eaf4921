"""``AsyncLinqClient``: settings, session lifetime, and the one request path every endpoint uses.

The request path is ``_request``: apply the per-call options, validate and encode once, send through
the transport, decode a success into a model (or a raw response) or build the typed error, and retry
through the policy. The first attempt runs without a tenacity retryer (most calls succeed); only a
retryable failure hands over to ``RetryPolicy._run``, which replays that failure as tenacity's first
attempt. Both ask the same ``RetryPolicy.is_retryable``.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import os
import re
import ssl
import threading
import time
import urllib.parse
import weakref
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypedDict, TypeVar, final

import attrs

from . import _validate
from ._convert import Model, structure, structure_lenient
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    LinqError,
    UnreadableResponseError,
    ValidationError,
    body_text,
    decode_json,
    error_from_response,
)
from ._response import AsyncAPIResponse, RequestInfo
from ._retry import RetryPolicy, is_retryable

if TYPE_CHECKING:
    import aiohttp

    from ._http import RawResponse, Transport
    from .resources._base import Parsed
    from .resources.attachments import Attachments
    from .resources.available_number import AvailableNumber
    from .resources.blocked_handles import BlockedHandles
    from .resources.capability import Capability
    from .resources.chats import Chats
    from .resources.contact_card import ContactCards
    from .resources.experiences import Experiences
    from .resources.messages import Messages
    from .resources.payment_handles import PaymentHandles
    from .resources.payment_providers import PaymentProviders
    from .resources.payment_requests import PaymentRequests
    from .resources.payments import Payments
    from .resources.phone_numbers import PhoneNumbers
    from .resources.phonenumbers import Phonenumbers
    from .resources.webhook_events import WebhookEvents
    from .resources.webhook_subscriptions import WebhookSubscriptions
    from .resources.webhooks import Webhooks

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "AsyncLinqClient",
    "AttemptListener",
    "NotGiven",
    "RequestOptions",
    "Timeout",
]

DEFAULT_BASE_URL = "https://api.linqapp.com/api/partner"
API_KEY_ENV = "LINQ_API_V3_API_KEY"
BASE_URL_ENV = "LINQ_API_V3_BASE_URL"
WEBHOOK_SECRET_ENV = "LINQ_WEBHOOK_SECRET"  # noqa: S105 - the variable's name, not a secret
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

logger = logging.getLogger("linq_async")

M = TypeVar("M", bound=Model)

_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _total_seconds(value: object) -> float | None:
    return None if value is None else _validate.positive_seconds(value, name="timeout.total")


def _connect_seconds(value: object) -> float | None:
    return None if value is None else _validate.positive_seconds(value, name="timeout.connect")


@attrs.frozen
class Timeout:
    """Per-request time limits in seconds: ``total`` for the whole exchange, ``connect`` for the TCP/TLS setup.

    ``None`` means no limit (as ``timeout=None`` does in linq-python); use it with care.
    """

    total: float | None = attrs.field(default=60.0, converter=_total_seconds)
    connect: float | None = attrs.field(default=5.0, converter=_connect_seconds)


_NO_LIMIT = Timeout(total=None, connect=None)


def _timeout(value: object, base: Timeout | None = None) -> Timeout:
    """A ``Timeout`` from seconds (the total; connect keeps its limit), a ``Timeout``, or None (no limit)."""
    if isinstance(value, Timeout):
        return value
    if value is None:
        return _NO_LIMIT
    if hasattr(value, "connect") and hasattr(value, "read") and hasattr(value, "pool"):
        raise ValidationError(
            "timeout takes seconds, None or a linq_async.Timeout(total=..., connect=...), not an httpx.Timeout"
        )
    total = _validate.positive_seconds(value, name="timeout")
    return Timeout(total=total, connect=(base or Timeout()).connect)


class RequestOptions(TypedDict, total=False):
    """Per-call options every endpoint method accepts, with linq-python's names and meaning.

    - ``extra_headers``: headers to add or replace (``None`` as a value removes one the SDK sets);
      ``Authorization`` cannot be set here.
    - ``extra_query``: query parameters to add.
    - ``extra_body``: JSON fields to add to the body (or the body, for a call that has none).
    - ``timeout``: this call's limit in seconds, a ``Timeout``, or ``None`` for no limit.

    A key of ``extra_query`` or ``extra_body`` that the SDK already sets is refused, never silently
    overridden.
    """

    extra_headers: Mapping[str, str | None] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None
    timeout: float | Timeout | None


_OPTION_NAMES = frozenset(RequestOptions.__annotations__)
# RFC 9110 token characters: what a header name may be made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", re.ASCII)
# What a header value may not hold (RFC 9110 allows tab, visible characters and obs-text).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Headers that say where the request ends or goes; set by aiohttp from the URL and the body.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host"})


class _Secret(str):
    """A header value whose repr hides it, so no dict or multidict repr can print the key."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted>'"


V = TypeVar("V")


def _masked(value: V) -> V:
    """The value as a ``_Secret`` if it is a string: a traceback printing locals shows ``'<redacted>'``."""
    if isinstance(value, str) and not isinstance(value, _Secret):
        return _Secret(value)  # type: ignore[return-value]
    return value


@final
class NotGiven:
    """The type of ``NOT_GIVEN``: an argument left out where None means something (no limit, clear)."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
"""Stands for a left-out argument where None has a meaning, as linq-python's ``NOT_GIVEN`` does."""


class AttemptListener(Protocol):
    """Told about every attempt of the requests made in its context (see ``listen``).

    ``before_attempt`` returns something to await first (a pause), or None: most attempts have
    nothing to wait for, and creating a coroutine for nothing costs time on every request.
    """

    def before_attempt(self) -> Awaitable[object] | None: ...

    def attempt_failed(self, error: APIError) -> None: ...


_LISTENER: contextvars.ContextVar[AttemptListener | None] = contextvars.ContextVar("linq_listener", default=None)


def listen(listener: AttemptListener | None) -> contextvars.Token[AttemptListener | None]:
    """Make ``listener`` see every attempt of the requests made from the current context on."""
    return _LISTENER.set(listener)


def unlisten(token: contextvars.Token[AttemptListener | None]) -> None:
    """Undo the ``listen`` call that returned ``token`` (in the same context)."""
    _LISTENER.reset(token)


_CONNECTIONS: weakref.WeakSet[_Connection] = weakref.WeakSet()


def _sdk_headers(api_key: str) -> dict[str, str]:
    """The headers every request carries before the user's defaults (User-Agent joins with the first session)."""
    return {
        "Authorization": _Secret(f"Bearer {api_key}"),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


class _Connection:
    """What ``with_options`` views share: the key, base URL, headers and the transports.

    An ``AsyncLinqClient`` holds one transport, on the loop that made it: when that loop has shut
    down, the next request quietly makes a new one in the running loop; from another loop while the
    first still runs, it refuses. The sync client's connection keeps one transport per loop instead
    (``per_loop``): one per calling thread, plus its private loop thread's.
    """

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
        self.allow_insecure_http = False
        self.session = session
        self.max_connections = max_connections
        self.max_response_bytes = max_response_bytes
        self.per_loop = False
        self.closed = False
        self.default_query: dict[str, object] = {}
        self.custom_headers: dict[str, str | None] = {}  # the user's default_headers (None: removed)
        self.webhook_secret: str | None = None
        self.proxy: str | None = None
        self.trust_env = True
        self.ssl_context: ssl.SSLContext | None = None
        self.transport: Transport | None = None
        self.by_loop: dict[asyncio.AbstractEventLoop, Transport] = {}
        self.headers = _sdk_headers(api_key)
        _CONNECTIONS.add(self)

    def get_transport(self) -> Transport:
        """The transport for the running loop, created on first use."""
        transport = self.transport
        loop = asyncio.get_running_loop()
        if transport is not None and transport.loop is loop and transport.usable:
            return transport
        return self._transport_for(loop)

    def _transport_for(self, loop: asyncio.AbstractEventLoop) -> Transport:
        if self.closed:
            raise LinqError("this client is closed; create a new one")
        if self.per_loop:
            transport = self.by_loop.get(loop)
            if transport is None or not transport.usable:
                transport = self.by_loop[loop] = self._new_transport()
            self.transport = transport
            return transport
        old = self.transport
        if old is not None and old.usable:
            if not old.loop.is_closed():
                raise LinqError(
                    "this client's HTTP session belongs to another event loop that is still open; create the "
                    "client inside the loop that uses it (for example in an `async with AsyncLinqClient() as "
                    "client:` block)"
                )
            old.discard()  # its loop closed without shutting down async generators
        self.transport = transport = self._new_transport()
        return transport

    def _new_transport(self) -> Transport:
        from ._http import USER_AGENT, Transport, env_proxy

        _add_user_agent(self.headers, self.custom_headers, USER_AGENT)
        proxy = self.proxy
        if proxy is None and self.trust_env and self.base_url.startswith("https://"):
            # Read when each session is made, as a process's environment is; never for plain-http
            # targets, where the proxy would see the key.
            proxy = env_proxy(self.base_url)
        context = self.ssl_context
        if context is None:
            context = _env_ssl_context()
        return Transport(
            session=self.session,
            max_connections=self.max_connections,
            max_response_bytes=self.max_response_bytes,
            proxy=proxy,
            ssl_context=context,
        )

    def pop_transport(self, loop: asyncio.AbstractEventLoop) -> Transport | None:
        """Forget the transport made on ``loop`` and return it (for the caller to close on that loop)."""
        transport = self.by_loop.pop(loop, None)
        if self.transport is not None and self.transport.loop is loop:
            transport = transport or self.transport
            self.transport = None
        return transport

    def forked(self) -> None:
        """In a forked child: forget every inherited transport without touching its sockets."""
        for transport in {*self.by_loop.values(), *([self.transport] if self.transport else [])}:
            transport.abandon()
        self.by_loop.clear()
        self.transport = None

    @property
    def root(self) -> _Connection:
        """The connection that owns the transports (this one; a view's parent)."""
        return self

    def __del__(self) -> None:
        # A client dropped without close() whose loop was closed by hand (no shutdown_asyncgens):
        # close its sockets now, as that loop would have, instead of warning at collection.
        try:
            for transport in {*self.by_loop.values(), *([self.transport] if self.transport else [])}:
                if transport.usable and transport.loop.is_closed():
                    transport.discard()
        except Exception:  # noqa: BLE001, S110 - never raise from a finaliser, at exit least of all
            pass

    def _with(
        self,
        api_key: str | None,
        base_url: str | None,
        webhook_secret: str | None,
        default_headers: Mapping[str, str] | None,
        set_default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        set_default_query: Mapping[str, object] | None,
    ) -> _Connection:
        """This connection, or a view of it with the given settings replaced (see ``with_options``)."""
        api_key = _masked(api_key)
        settings = (api_key, base_url, webhook_secret, default_headers, set_default_headers)
        if all(value is None for value in (*settings, default_query, set_default_query)):
            return self
        if default_headers is not None and set_default_headers is not None:
            raise ValidationError("give default_headers or set_default_headers, not both")
        if default_query is not None and set_default_query is not None:
            raise ValidationError("give default_query or set_default_query, not both")
        key = self.api_key if api_key is None else _Secret(_validate.api_key(api_key, source="api_key"))
        url = self.base_url
        if base_url is not None:
            url = _validate.base_url(base_url, allow_insecure_http=self.allow_insecure_http)
            if url.split(":", 1)[0] != self.base_url.split(":", 1)[0]:
                raise ValidationError(
                    f"with_options cannot move a client from {self.base_url.split(':', 1)[0]}:// to "
                    f"{url.split(':', 1)[0]}://: make a separate client"
                )
        custom = {} if set_default_headers is not None else self.custom_headers
        extra = default_headers if default_headers is not None else set_default_headers
        if extra is not None:
            custom = _custom_headers(
                custom, extra, "default_headers" if default_headers is not None else "set_default_headers"
            )
        headers = _merged_headers(_sdk_headers(key), custom, "default_headers")
        view = _View(self, key, url, headers)
        view.custom_headers = custom
        if set_default_query is not None:
            view.default_query = _merged(None, set_default_query, "set_default_query", "query parameter")
        elif default_query is not None:
            view.default_query = {
                **self.default_query,
                **_merged(None, default_query, "default_query", "query parameter"),
            }
        _encode_query(view.default_query)
        if webhook_secret is not None:
            if not isinstance(webhook_secret, str):
                raise ValidationError(f"webhook_secret must be a string, got {type(webhook_secret).__name__}")
            view.webhook_secret = _Secret(webhook_secret)
        else:
            view.webhook_secret = self.webhook_secret
        return view


def _shared(name: str) -> property:
    def get(view: _View) -> Any:
        return getattr(view.parent, name)

    def put(view: _View, value: Any) -> None:
        setattr(view.parent, name, value)

    return property(get, put)


class _View(_Connection):
    """A ``with_options`` view with its own key, base URL, headers, query or webhook secret.

    It sends on its parent's transports (so on its sessions, pool and proxy): closing either closes
    both, as with linq-python's ``copy``.
    """

    transport = _shared("transport")
    by_loop = _shared("by_loop")
    closed = _shared("closed")
    per_loop = _shared("per_loop")
    session = _shared("session")
    max_connections = _shared("max_connections")
    max_response_bytes = _shared("max_response_bytes")
    proxy = _shared("proxy")
    trust_env = _shared("trust_env")
    ssl_context = _shared("ssl_context")

    def __init__(self, parent: _Connection, api_key: str, base_url: str, headers: dict[str, str]) -> None:
        # No super().__init__(): everything but the settings below lives on the parent.
        self.parent = parent.root
        self.api_key = _Secret(api_key)
        self.base_url = base_url
        self.allow_insecure_http = parent.allow_insecure_http
        self.headers = headers
        self.agent_added = False
        self.default_query = dict(parent.default_query)
        self.webhook_secret = parent.webhook_secret

    @property
    def root(self) -> _Connection:
        return self.parent

    def get_transport(self) -> Transport:
        transport = self.parent.get_transport()
        if not self.agent_added:
            from ._http import USER_AGENT

            _add_user_agent(self.headers, self.custom_headers, USER_AGENT)
            self.agent_added = True
        return transport

    def pop_transport(self, loop: asyncio.AbstractEventLoop) -> Transport | None:
        return self.parent.pop_transport(loop)

    def forked(self) -> None:  # the parent is the registered one
        pass

    def __del__(self) -> None:  # the parent owns the transports
        pass


# Run first in a forked child, before the connections forget their transports (the sync client's
# loops are made safe to close there).
_FORK_HANDLERS: list[Callable[[], None]] = []


def _after_fork_in_child() -> None:
    for handler in _FORK_HANDLERS:
        handler()
    for conn in list(_CONNECTIONS):
        conn.forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


_TRACE_MODELS: dict[type[Any], bool] = {}


def _has_trace_field(cls: type[Any]) -> bool:
    known = _TRACE_MODELS.get(cls)
    if known is None:
        known = any(f.name == "trace_id" for f in attrs.fields(cls))
        _TRACE_MODELS[cls] = known
    return known


# Resource attribute -> (module, class) of the top-level resources, imported on first access.
_RESOURCES: dict[str, tuple[str, str]] = {
    "chats": ("linq_async.resources.chats", "Chats"),
    "payments": ("linq_async.resources.payments", "Payments"),
    "payment_requests": ("linq_async.resources.payment_requests", "PaymentRequests"),
    "payment_handles": ("linq_async.resources.payment_handles", "PaymentHandles"),
    "payment_providers": ("linq_async.resources.payment_providers", "PaymentProviders"),
    "messages": ("linq_async.resources.messages", "Messages"),
    "phone_numbers": ("linq_async.resources.phone_numbers", "PhoneNumbers"),
    "phonenumbers": ("linq_async.resources.phonenumbers", "Phonenumbers"),
    "blocked_handles": ("linq_async.resources.blocked_handles", "BlockedHandles"),
    "contact_card": ("linq_async.resources.contact_card", "ContactCards"),
    "experiences": ("linq_async.resources.experiences", "Experiences"),
    "attachments": ("linq_async.resources.attachments", "Attachments"),
    "capability": ("linq_async.resources.capability", "Capability"),
    "available_number": ("linq_async.resources.available_number", "AvailableNumber"),
    "webhook_events": ("linq_async.resources.webhook_events", "WebhookEvents"),
    "webhook_subscriptions": ("linq_async.resources.webhook_subscriptions", "WebhookSubscriptions"),
    "webhooks": ("linq_async.resources.webhooks", "Webhooks"),
}


class AsyncLinqClient:
    """Asyncio client for the Linq Partner API V3.

    The key comes from ``api_key`` or ``$LINQ_API_V3_API_KEY``; the base URL from ``base_url``,
    ``$LINQ_API_V3_BASE_URL`` or the production URL. One aiohttp session is created on the first
    request, inside the running loop; a ``session`` you pass in is used and never closed here.
    Use it as ``async with AsyncLinqClient() as client:`` or call ``await client.close()``. A client
    made outside any loop may be used under successive ``asyncio.run()`` calls: when a loop shuts
    down, its session is closed with it and the next loop gets a new one.

    Also taken, as in linq-python: ``webhook_secret`` (for ``webhooks.unwrap``; else
    ``$LINQ_WEBHOOK_SECRET``), ``default_headers`` (sent on every request; ``Authorization`` cannot
    be one) and ``default_query`` (added to every request's query).

    Networks: ``$HTTPS_PROXY`` and ``$NO_PROXY`` are honoured (``trust_env=False`` turns that off),
    ``proxy`` names one explicitly (an https:// API is reached through a CONNECT tunnel, so the proxy
    never sees the key); ``ca_bundle`` (a PEM path) or ``ssl_context`` replace the trusted CAs, and
    ``$SSL_CERT_FILE``/``$SSL_CERT_DIR`` are honoured.

    Raises ``ValidationError`` (a ``LinqError`` and ``ValueError``) for a missing or malformed key,
    a non-HTTPS base URL to a host that is not loopback, bad limits or bad default headers.
    """

    if TYPE_CHECKING:
        chats: Chats[Parsed]
        payments: Payments[Parsed]
        payment_requests: PaymentRequests[Parsed]
        payment_handles: PaymentHandles[Parsed]
        payment_providers: PaymentProviders[Parsed]
        messages: Messages[Parsed]
        phone_numbers: PhoneNumbers[Parsed]
        phonenumbers: Phonenumbers[Parsed]
        blocked_handles: BlockedHandles[Parsed]
        contact_card: ContactCards[Parsed]
        experiences: Experiences[Parsed]
        attachments: Attachments[Parsed]
        capability: Capability[Parsed]
        available_number: AvailableNumber[Parsed]
        webhook_events: WebhookEvents[Parsed]
        webhook_subscriptions: WebhookSubscriptions[Parsed]
        webhooks: Webhooks[Parsed]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = Timeout(),
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        webhook_secret: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        ca_bundle: str | os.PathLike[str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        # The key and the webhook secret are held as _Secrets from here on: a traceback printed
        # with its locals, for whatever argument failed, shows '<redacted>'.
        webhook_secret = _masked(webhook_secret)
        source = "api_key"
        if api_key is None:
            source = f"${API_KEY_ENV}"
            api_key = _masked(os.environ.get(API_KEY_ENV))
            if api_key is None:
                raise ValidationError(f"no API key: pass api_key= or set the {API_KEY_ENV} environment variable")
        else:
            api_key = _masked(api_key)
        try:
            key = _validate.api_key(api_key, source=source)
        except ValidationError:
            api_key = None  # a refused non-string is not masked: keep it out of this frame's locals
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
        conn = _Connection(key, url, session, max_connections, max_response_bytes)
        conn.allow_insecure_http = bool(allow_insecure_http)
        if default_headers is not None:
            conn.custom_headers = _custom_headers({}, default_headers, "default_headers")
            conn.headers = _merged_headers(conn.headers, conn.custom_headers, "default_headers")
        if default_query is not None:
            conn.default_query = _merged(None, default_query, "default_query", "query parameter")
            _encode_query(conn.default_query)  # refuse values that cannot be sent, now
        if webhook_secret is None:
            webhook_secret = _masked(os.environ.get(WEBHOOK_SECRET_ENV) or None)
        if webhook_secret is not None and not isinstance(webhook_secret, str):
            raise ValidationError(f"webhook_secret must be a string, got {type(webhook_secret).__name__}")
        conn.webhook_secret = None if webhook_secret is None else _Secret(webhook_secret)
        conn.proxy = _proxy(proxy, url, allow_insecure_http)
        if not isinstance(trust_env, bool):
            raise ValidationError(f"trust_env must be True or False, got {trust_env!r}")
        conn.trust_env = trust_env
        conn.ssl_context = _ssl_context(ca_bundle, ssl_context)
        self._conn = conn
        self._timeout = _timeout(timeout)
        self._retry = _policy(None, max_retries, retry)

    def __getattr__(self, name: str) -> Any:
        # Top-level resources are made on first access (and their modules imported then).
        where = _RESOURCES.get(name)
        if where is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        import importlib

        resource = getattr(importlib.import_module(where[0]), where[1])(self)
        self.__dict__[name] = resource
        return resource

    @property
    def base_url(self) -> str:
        """The API base URL requests go to, without a trailing slash."""
        return self._conn.base_url

    @property
    def timeout(self) -> Timeout:
        """The time limits applied to each request."""
        return self._timeout

    @property
    def webhook_secret(self) -> str | None:
        """The signing secret ``webhooks.unwrap`` uses by default (``$LINQ_WEBHOOK_SECRET`` if not given)."""
        return self._conn.webhook_secret

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy applied to each request."""
        return self._retry

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._conn.closed

    def is_closed(self) -> bool:
        """Whether ``close()`` has been called (linq-python's name for ``closed``)."""
        return self.closed

    @property
    def api_key(self) -> str:
        """The API key (its ``repr`` is ``'<redacted>'``)."""
        return self._conn.api_key

    @property
    def max_retries(self) -> int:
        """How many times a failed request is retried (``retry.max_retries``)."""
        return self._retry.max_retries

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        webhook_secret: str | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
    ) -> AsyncLinqClient:
        """Return a copy of this client with some settings replaced, sending on the same sessions.

        ``timeout`` is seconds (the total), a ``Timeout``, or None for no limit; ``max_retries`` or
        ``retry`` replace the retry policy; ``api_key``, ``base_url`` and ``webhook_secret`` replace
        the client's; ``default_headers``/``default_query`` are merged over the client's, and
        ``set_default_headers``/``set_default_query`` replace them. The copy shares the client's
        connections: closing one closes both. ``copy`` is the same method. Raises
        ``ValidationError`` for bad values, and for a base URL of another scheme than the client's
        (make a separate client for that: the sessions' proxy settings depend on it).
        """
        api_key, webhook_secret = _masked(api_key), _masked(webhook_secret)  # '<redacted>' in tracebacks
        view = object.__new__(type(self))
        view._conn = self._conn._with(
            api_key, base_url, webhook_secret, default_headers, set_default_headers, default_query, set_default_query
        )
        view._timeout = self._timeout if isinstance(timeout, NotGiven) else _timeout(timeout, self._timeout)
        view._retry = _policy(self._retry, max_retries, retry)
        return view

    copy = with_options

    def __repr__(self) -> str:
        try:
            total = "none" if self._timeout.total is None else f"{self._timeout.total:g}"
            return (
                f"{type(self).__name__}(base_url={self._conn.base_url!r}, timeout={total}, "
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

        Must run on the loop that made the requests, which owns the session's connections (once
        that loop has closed, there is nothing left to close). Raises ``LinqError`` otherwise.
        """
        conn = self._conn
        if conn.closed:
            return
        transport = conn.transport
        if transport is not None and transport.usable and not transport.loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is not transport.loop:
                raise LinqError("close() must be awaited on the event loop that made this client's requests")
            conn.closed = True
            conn.transport = None
            await transport.close()
        elif transport is not None:
            transport.discard()
        conn.closed = True
        conn.transport = None

    def _check_options(self, options: RequestOptions) -> None:
        """Refuse bad per-call options up front (for batches, which apply them to every request)."""
        if options:
            _apply_options("POST", options, None, None, self._conn.headers, self._timeout)

    async def warm_up(self) -> None:
        """Pay the first request's one-off costs now, for a start-up hook; nothing is sent.

        Imports aiohttp, tenacity and cattrs, makes this client's session on the running loop, and
        builds the parsers of every model (what the first request of each kind would otherwise
        pay, about 100-200 ms in all; a model of plain fields builds its cattrs reading, needed only
        for an answer that does not fit it, when first needed). Raises ``LinqError`` if the client
        is closed.
        """
        self._conn.get_transport()
        preload()

    # The request core -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        into: type[M] | None = None,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        options: RequestOptions | None = None,
        raw: bool = False,
        repeatable: bool = False,
    ) -> Awaitable[Any]:
        """Send one logical request, retried per the policy; every endpoint goes through here.

        Returns, to await, the model ``into`` (None when ``into`` is None), or an ``AsyncAPIResponse``
        when ``raw``. Everything is validated and encoded here, before the first attempt, so every
        retry sends the same bytes (and bad input raises before anything is sent). A transport
        failure after the request may have reached the server is marked ``may_have_applied`` (so not
        retried) unless the request is ``repeatable`` or ``_rules.repeatable`` finds it so.

        Most requests (not raw, no batch listener, no debug logging) are the transport's coroutine
        itself, which hands a 2xx answer to ``_answered`` and an error to ``_recover``: one coroutine
        for the request instead of two, less for the loop to step through on every resume and for
        the garbage collector to walk.
        """
        conn = self._conn
        url = conn.base_url + path
        send_headers: Mapping[str, str] = conn.headers if headers is None else {**conn.headers, **headers}
        if conn.default_query:
            params = {**conn.default_query, **(params or {})}
        timeout = self._timeout
        if options:
            params, body, send_headers, timeout = _apply_options(method, options, params, body, send_headers, timeout)
        if params:
            query = _encode_query(params)
            if query:
                url = f"{url}?{query}"
        try:
            data = None if body is None else _json_encode(body).encode()
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"the request body cannot be sent as JSON: {exc}") from None
        listener = _LISTENER.get()
        pause = None if listener is None else listener.before_attempt()  # the first attempt, counted here
        if pause is None and not raw and not logger.isEnabledFor(logging.DEBUG):
            transport = self._conn.get_transport()
            return transport.send(
                method, url, send_headers, data, timeout.total, timeout.connect,
                caller=self, context=(into, body, repeatable, timeout),
            )  # fmt: skip
        return self._observed_request(
            method, url, data, send_headers, timeout, into, body, repeatable, raw, listener, pause
        )  # fmt: skip

    def _answered(self, answer: RawResponse, method: str, url: str, context: _Context) -> Any:
        """Read a 2xx answer of the transport's coroutine (see ``_request``)."""
        return _decode(answer, context[0], method, url)

    async def _recover(
        self, error: APIError, method: str, url: str, headers: Mapping[str, str], data: bytes | None, context: _Context
    ) -> Any:
        """Retry after the first failure of the transport's coroutine (see ``_request``); read the answer."""
        into, body, repeatable, timeout = context
        listener = _LISTENER.get()
        if listener is not None and isinstance(error, APIStatusError):
            listener.attempt_failed(error)
        response = await self._retry_after(error, method, url, data, headers, timeout, None, body, repeatable)
        return _decode(response, into, method, url)

    async def _observed_request(
        self,
        method: str,
        url: str,
        data: bytes | None,
        send_headers: Mapping[str, str],
        timeout: Timeout,  # noqa: ASYNC109 - handed to aiohttp, which applies it
        into: type[M] | None,
        body: Mapping[str, object] | None,
        repeatable: bool,
        raw: bool,
        listener: AttemptListener | None,
        pause: Awaitable[object] | None,
    ) -> Any:
        """``_request`` for a raw response, with debug logging, or after a pause: each attempt observed.

        The first attempt was counted by ``listener`` already; ``pause`` is what it said to await first.
        """
        counter = _Attempts() if raw else None
        try:
            response = await self._observed_attempt(listener, method, url, data, send_headers, timeout, counter, pause)
        except APIError as exc:
            failure: APIError | None = exc
        else:
            failure = None
        if failure is not None:
            # Decided on the first failure only: the success path pays nothing for it. Outside the
            # `except`, as on the transport's path: the final error carries no hidden context.
            response = await self._retry_after(
                failure, method, url, data, send_headers, timeout, counter, body, repeatable
            )  # fmt: skip
        if counter is not None:
            return _raw_response(response, method, url, send_headers, into, counter)
        return _decode(response, into, method, url)

    # No closure in _request: a local captured by one becomes a cell object on every call, which
    # every in-flight request keeps alive for the garbage collector to walk. The retry path, which
    # needs closures, lives here.
    async def _retry_after(
        self,
        exc: APIError,
        method: str,
        url: str,
        data: bytes | None,
        send_headers: Mapping[str, str],
        timeout: Timeout,  # noqa: ASYNC109 - handed to aiohttp, which applies it
        counter: _Attempts | None,
        body: Mapping[str, object] | None,
        repeatable: bool,
    ) -> RawResponse:
        from ._rules import keyed
        from ._rules import repeatable as safe_to_repeat

        judge = _Judge(
            once=not repeatable and not safe_to_repeat(method, body, send_headers),
            # A read, or a keyed request (the server answers a repeat with the first answer):
            # a cut-off 2xx answer can be fetched again.
            replay=method in _READS or keyed(body, send_headers),
        )
        failure = judge(exc)
        policy = self._retry
        if not policy.max_retries or not policy.is_retryable(failure):
            raise failure from None

        async def again() -> RawResponse:
            try:
                return await self._observed_attempt(_LISTENER.get(), method, url, data, send_headers, timeout, counter)
            except APIError as later:
                raise judge(later) from None

        try:
            response: RawResponse = await policy._run(again, failure)
        except APIError as final:
            raise judge.last(final) from None
        return response

    async def _observed_attempt(
        self,
        listener: AttemptListener | None,
        method: str,
        url: str,
        data: bytes | None,
        headers: Mapping[str, str],
        timeout: Timeout,  # noqa: ASYNC109 - handed to aiohttp, which applies it
        counter: _Attempts | None,
        pause: Awaitable[object] | NotGiven | None = NOT_GIVEN,
    ) -> RawResponse:
        # `pause`: what the listener said to await before this attempt, if it was asked already.
        if listener is not None:
            if isinstance(pause, NotGiven):
                pause = listener.before_attempt()
            if pause is not None:
                await pause
        if counter is not None:
            counter.count += 1
            counter.started = time.perf_counter()
        transport = self._conn.get_transport()
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:
            started = time.perf_counter()
            logger.debug("request %s %s headers=%s", method, url, _redacted(headers))
        raw = await transport.send(method, url, headers, data, timeout.total, timeout.connect)
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
            return raw
        error = error_from_response(status, raw.headers, raw.body, reason=raw.reason, method=method, url=url)
        if listener is not None:
            listener.attempt_failed(error)
        raise error

    async def _upload(
        self,
        url: str,
        headers: Mapping[str, str],
        body: Callable[[], AsyncIterable[bytes]],
        size: int,
        *,
        refused: Callable[[RawResponse, str], APIError],
        options: RequestOptions | None = None,
    ) -> RawResponse:
        """PUT ``size`` bytes streamed from ``body()`` to ``url``, a foreign absolute URL (a pre-signed upload target).

        It goes through this client's transport (its pool, limits and failure translation) but
        carries only ``headers`` exactly as given, ``Content-Length`` and the User-Agent: never the
        Authorization header, default headers or default query of the API requests. ``url`` is sent
        as given (already encoded) and shown without its query, which holds the signature, in
        errors and logs. ``body`` makes a fresh iterable of chunks for each attempt; together they
        must come to exactly ``size`` bytes, else the attempt is abandoned with a ``LinqError``. An
        error raised while making chunks (reading a file, a progress callback) is raised as it is.
        A non-2xx answer raises ``refused(answer, shown_url)``. Only ``timeout`` of ``options``
        applies. Retries follow the client's policy, each attempt sending the whole body again
        (``body`` starts over): a PUT of the same bytes to the same target is idempotent.
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValidationError(f"size must be a byte count, got {size!r}")
        given = _merged_headers({}, headers, "the upload's required headers", framing=True)
        declared = next((v for k, v in given.items() if k.lower() == "content-length"), None)
        if declared is not None and declared.strip() != str(size):
            raise ValidationError(f"the upload's required Content-Length {declared!r} is not the {size} bytes to send")
        parts = urllib.parse.urlsplit(url)
        shown = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        timeout = self._timeout
        if options and "timeout" in options:
            value = options["timeout"]
            timeout = _NO_LIMIT if value is None else _timeout(value, timeout)
        policy = self._retry
        retries = 0
        while True:
            transport = self._conn.get_transport()
            send_headers = {k: v for k, v in given.items() if k.lower() != "content-length"}
            if not any(k.lower() == "user-agent" for k in send_headers):
                agent = next((v for k, v in self._conn.headers.items() if k.lower() == "user-agent"), None)
                if agent is not None:
                    send_headers["User-Agent"] = agent
            send_headers["Content-Length"] = str(size)
            stream = _Streamed(body(), size)
            chunks = stream.chunks()
            failure: APIError | None = None
            logger.debug("upload PUT %s (%d bytes)", shown, size)
            try:
                raw = await transport.send(
                    "PUT", url, send_headers, chunks, timeout.total, timeout.connect, shown_url=shown
                )
            except APIConnectionError as exc:
                failure = exc
            finally:
                await stream.finish(chunks)
            if stream.error is not None:
                raise stream.error
            if failure is None:
                logger.debug("upload PUT %s -> %d", shown, raw.status)
                if 200 <= raw.status < 300:
                    return raw
                failure = refused(raw, shown)
            retries += 1
            if retries > policy.max_retries or not policy.is_retryable(failure):
                raise failure
            delay = policy.delay(failure, retries)
            logger.info(
                "retrying upload PUT %s: attempt %d failed (%s); next attempt in %.2fs",
                shown,
                retries,
                type(failure).__name__,
                delay,
            )
            await (policy.sleep if policy.sleep is not None else asyncio.sleep)(delay)


class _Streamed:
    """The chunks of one upload attempt: exactly ``size`` bytes, and whether any was asked for."""

    __slots__ = ("_source", "error", "sent", "size", "started")

    def __init__(self, source: AsyncIterable[bytes], size: int) -> None:
        self._source = source
        self.size = size
        self.sent = 0
        self.started = False
        self.error: Exception | None = None

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        self.started = True
        source = self._source
        try:
            async for chunk in source:
                if not isinstance(chunk, (bytes, bytearray, memoryview)):
                    raise LinqError(f"an upload chunk must be bytes, got {type(chunk).__name__}")
                self.sent += len(chunk)
                if self.sent > self.size:
                    raise LinqError(f"the upload's source gave more than the {self.size} bytes declared")
                yield chunk
            if self.sent != self.size:
                raise LinqError(f"the upload's source ended after {self.sent} of the {self.size} bytes declared")
        except Exception as exc:
            self.error = exc
            raise
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    async def finish(self, chunks: AsyncGenerator[bytes, None]) -> None:
        """Close ``chunks`` (and so the source) once the request is over, sent or not."""
        for _ in range(1000):
            try:
                await chunks.aclose()
                break
            except RuntimeError:  # still unwinding in aiohttp's cancelled writer task
                await asyncio.sleep(0)
        if not self.started:  # never iterated: its `finally` above will not run
            close = getattr(self._source, "aclose", None)
            if close is not None:
                await close()


# What the transport's coroutine hands back to _answered and _recover: into, body, repeatable, timeout.
_Context: TypeAlias = "tuple[type[Model] | None, Mapping[str, object] | None, bool, Timeout]"


class _Attempts:
    """Counts a raw call's attempts and times the last one."""

    __slots__ = ("count", "started")

    def __init__(self) -> None:
        self.count = 0
        self.started = 0.0


def preload() -> None:
    """Import everything a first request needs and build every model's parser (no loop, nothing sent)."""
    import importlib

    from . import _http  # noqa: F401 - aiohttp
    from ._convert import Model, get_converter, structure_hook
    from .models import _EXPORTS

    RetryPolicy()._retrying()  # tenacity
    get_converter()  # cattrs (the quick readings of flat models build their cattrs ones only if needed)
    for module, _ in _RESOURCES.values():
        importlib.import_module(module)
    for name in _EXPORTS:
        for value in vars(importlib.import_module(f"linq_async.models.{name}")).values():
            if isinstance(value, type) and issubclass(value, Model) and value.__module__.startswith("linq_async."):
                structure_hook(value)


def _apply_options(
    method: str,
    options: Mapping[str, Any],
    params: Mapping[str, object] | None,
    body: Mapping[str, object] | None,
    headers: Mapping[str, str],
    timeout: Timeout,
) -> tuple[Mapping[str, object] | None, Mapping[str, object] | None, Mapping[str, str], Timeout]:
    """Merge one call's ``extra_*`` options and ``timeout`` into what the endpoint built; refuse misuse."""
    unknown = options.keys() - _OPTION_NAMES
    if unknown:
        raise ValidationError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    extra_query = options.get("extra_query")
    if extra_query is not None:
        params = _merged(params, extra_query, "extra_query", "query parameter")
    extra_body = options.get("extra_body")
    if extra_body is not None:
        if method == "GET":
            raise ValidationError("extra_body cannot be sent with a GET request; use extra_query")
        body = _merged(body, extra_body, "extra_body", "body field")
    extra_headers = options.get("extra_headers")
    if extra_headers is not None:
        headers = _merged_headers(headers, extra_headers, "extra_headers")
    if "timeout" in options:
        value = options["timeout"]
        timeout = _NO_LIMIT if value is None else _timeout(value, timeout)
    return params, body, headers, timeout


def _merged(base: Mapping[str, object] | None, extra: object, name: str, what: str) -> dict[str, object]:
    if not isinstance(extra, Mapping):
        raise ValidationError(f"{name} must be a mapping, got {type(extra).__name__}")
    merged = dict(base or {})
    for key, value in extra.items():
        if not isinstance(key, str):
            raise ValidationError(f"{name} keys must be strings, got {key!r}")
        if key in merged and merged[key] is not None:
            raise ValidationError(
                f"{name} sets {key!r}, a {what} this method already sends; pass it as the method's own argument"
            )
        merged[key] = value
    return merged


def _custom_headers(base: Mapping[str, str | None], extra: object, name: str) -> dict[str, str | None]:
    """The user's default headers: ``base`` with ``extra`` over it, case-insensitively; None marks a removal."""
    _merged_headers({}, extra, name)  # refuses what cannot be sent
    assert isinstance(extra, Mapping)
    merged = {header.lower(): (header, value) for header, value in base.items()}
    for header, value in extra.items():
        merged[header.lower()] = (header, value)
    return dict(merged.values())


def _add_user_agent(headers: dict[str, str], custom: Mapping[str, str | None], agent: str) -> None:
    """Give ``headers`` our User-Agent unless the user's default headers set or removed one."""
    if not any(name.lower() == "user-agent" for name in (*custom, *headers)):
        headers["User-Agent"] = agent


def _merged_headers(
    base: Mapping[str, str | None], extra: object, name: str, *, framing: bool = False
) -> dict[str, str]:
    if not isinstance(extra, Mapping):
        raise ValidationError(f"{name} must be a mapping, got {type(extra).__name__}")
    merged = {header.lower(): (header, value) for header, value in base.items() if value is not None}
    for header, value in extra.items():
        if not isinstance(header, str) or not _TOKEN.fullmatch(header):
            raise ValidationError(f"{name} has an invalid header name: {_validate.shown(header)}")
        if header.lower() == "authorization":
            raise ValidationError(f"Authorization cannot be set through {name}; pass api_key= to the client")
        if not framing and header.lower() in _FRAMING_HEADERS:
            raise ValidationError(
                f"{name} cannot set {header}: it frames the request on the connection, which aiohttp does"
            )
        if value is None:
            merged.pop(header.lower(), None)
            continue
        if not isinstance(value, str):
            raise ValidationError(f"{name}[{header!r}] must be a string, got {type(value).__name__}")
        if _CONTROL.search(value):
            raise ValidationError(
                f"{name}[{header!r}] contains a control character (CR, LF, NUL, DEL, ...): not allowed in a header"
            )
        merged[header.lower()] = (header, value)
    return dict(merged.values())


def _encode_query(params: Mapping[str, object]) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            # As linq-python sends lists: one key, the values joined by commas.
            pairs.append((key, ",".join(_query_value(item) for item in value)))
        else:
            pairs.append((key, _query_value(value)))
    return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)


def _raw_response(
    response: RawResponse, method: str, url: str, headers: Mapping[str, str], into: type[M] | None, counter: _Attempts
) -> AsyncAPIResponse[Any]:
    return AsyncAPIResponse(
        response,
        RequestInfo(method, url, _redacted(headers)),
        lambda answer: _decode(answer, into, method, url),
        counter.count - 1,
        dt.timedelta(seconds=time.perf_counter() - counter.started),
    )


def _decode(raw: RawResponse, into: type[M] | None, method: str, url: str) -> M | None:
    if into is None:
        return None
    body = raw.body
    try:
        data = decode_json(body) if body and not body.isspace() else {}
    except ValueError as exc:
        raise _invalid(raw, f"the request was applied, but its answer is not JSON ({exc})", None, method, url) from None
    if type(data) is not dict:
        raise _invalid(
            raw, f"the request was applied, but its answer is a JSON {type(data).__name__}, not an object", data,
            method, url,
        )  # fmt: skip
    if "trace_id" not in data and _has_trace_field(into):
        trace = raw.headers.get("X-Trace-ID")
        if trace is not None:
            data["trace_id"] = trace
    try:
        return structure(data, into)
    except ValueError as exc:
        reason = str(exc)
    # The change happened (2xx): read what fits rather than raise; invalid_fields tells what did not.
    model = structure_lenient(data, into)
    logger.warning(
        "the answer to %s %s does not fit %s (%s); kept what fits, see .invalid_fields",
        method,
        url,
        into.__name__,
        reason,
        extra={"linq_trace_id": raw.headers.get("X-Trace-ID"), "linq_invalid_fields": model.invalid_fields},
    )
    return model


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


class _Judge:
    """Reads each failed attempt of one request for what it says about the request's outcome.

    ``once``: the request is neither idempotent nor keyed, so it must not go out twice. Its
    transport failures after sending, and the gateway answers that say the server may still have
    acted (502 or 504 with no Linq code, 504/3005), are marked ``may_have_applied`` and not retried.
    ``replay``: a read or a keyed request, whose cut-off 2xx answer is read as a transport failure
    (and so fetched again); for any other request such an answer stays ``UnreadableResponseError``
    (it was applied). A request that may be repeated and ends in an error after an attempt whose
    outcome was unknown has that error say so.
    """

    __slots__ = ("once", "replay", "uncertain")

    def __init__(self, *, once: bool, replay: bool) -> None:
        self.once = once
        self.replay = replay
        self.uncertain = False

    def __call__(self, exc: APIError) -> APIError:
        unknown = (isinstance(exc, APIConnectionError) and exc.sent) or _gateway_gave_up(exc)
        if not self.once:
            if self.replay and isinstance(exc, UnreadableResponseError):
                exc = APIConnectionError(
                    exc.message.replace(" was applied (status", " answered (status", 1), method=exc.method, url=exc.url
                )
                unknown = True
            self.uncertain = self.uncertain or unknown
            return exc
        if unknown and not exc.may_have_applied:
            _mark(
                exc, "not retried: the request may have reached the server, and sending it again could apply it twice"
            )
        return exc

    def last(self, exc: APIError) -> APIError:
        """The error a request ends with; after an attempt of unknown outcome, it may not be the whole story."""
        # A transient error stays as it is: repeating this request is safe, and stays allowed.
        if self.uncertain and not self.once and isinstance(exc, APIStatusError) and not is_retryable(exc):
            _mark(exc, "an earlier attempt of this call failed with its outcome unknown: it may have been applied")
        return exc


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _gateway_gave_up(exc: APIError) -> bool:
    if not isinstance(exc, APIStatusError):
        return False
    return exc.code == 3005 or (exc.code is None and exc.status in (502, 504))


def _mark(exc: APIError, note: str) -> None:
    exc.may_have_applied = True
    exc.message = f"{exc.message}; {note} (check before sending again)"
    exc.args = (exc.message,)


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in headers.items()}


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValidationError(f"a query parameter must be text, a number or a boolean, got {type(value).__name__}")


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


def _proxy(value: object, base_url: str, allow_insecure_http: bool) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.isascii() or not value.isprintable() or " " in value:
        raise ValidationError("proxy must be a URL such as 'http://proxy.example:3128'")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("proxy must be an http:// or https:// URL with a host (e.g. 'http://proxy.example:3128')")
    if base_url.startswith("http://") and not allow_insecure_http:
        raise ValidationError(
            "a proxy in front of a plain http:// base_url would see the API key; use https:// (the key then "
            "travels inside a CONNECT tunnel), or pass allow_insecure_http=True if you really mean it"
        )
    return value


def _ssl_context(ca_bundle: object, context: object) -> ssl.SSLContext | None:
    if context is not None:
        if ca_bundle is not None:
            raise ValidationError("pass either ca_bundle or ssl_context, not both")
        if not isinstance(context, ssl.SSLContext):
            raise ValidationError(f"ssl_context must be an ssl.SSLContext, got {type(context).__name__}")
        return context
    if ca_bundle is None:
        return None
    if not isinstance(ca_bundle, (str, os.PathLike)):
        raise ValidationError(f"ca_bundle must be a path to a PEM file, got {type(ca_bundle).__name__}")
    try:
        return ssl.create_default_context(cafile=os.fspath(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise ValidationError(f"ca_bundle {os.fspath(ca_bundle)!r} cannot be loaded: {exc}") from None


_ENV_CONTEXTS: dict[tuple[str, str], ssl.SSLContext] = {}
_ENV_CONTEXTS_LOCK = threading.Lock()


def _env_ssl_context() -> ssl.SSLContext | None:
    """The TLS context that trusts ``$SSL_CERT_FILE``/``$SSL_CERT_DIR``; None when neither is set.

    Read when a session is made (aiohttp's own default was read when aiohttp was imported), and
    made once per process for each pair of values: loading a CA bundle costs about 25 ms and a few
    MB, and every loop's session (each thread of the sync client has one) would pay it again.
    """
    key = (os.environ.get("SSL_CERT_FILE") or "", os.environ.get("SSL_CERT_DIR") or "")
    if key == ("", ""):
        return None
    context = _ENV_CONTEXTS.get(key)
    if context is None:
        with _ENV_CONTEXTS_LOCK:
            context = _ENV_CONTEXTS.get(key)
            if context is None:
                context = _ENV_CONTEXTS[key] = ssl.create_default_context()
    return context


def _looks_like_session(session: object) -> bool:
    # Checked by name to keep aiohttp out of this module's imports.
    return any(
        cls.__name__ == "ClientSession" and cls.__module__.startswith("aiohttp") for cls in type(session).__mro__
    )
