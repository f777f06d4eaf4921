"""The fake's webhooks area: subscriptions, the event catalogue, and real, signed deliveries.

Every event an area raises (``self._emit``) goes to ``_deliver``, which picks the active
subscriptions that want it and sends each one a Standard Webhooks POST from a task on the fake's
loop, so the request that caused the event is answered first. Only loopback receivers are
contacted; a delivery to any other host is recorded once as not sent. A delivery answered with a 5xx or
a 429, or not answered at all, is tried again after each of ``webhook_retry_delays`` (Linq's
schedule, minutes long, compressed to fractions of a second); other answers end it. Every
attempt is recorded in ``deliveries``; ``wait_for_deliveries`` waits until none is left.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import aiohttp
import attrs
from aiohttp import web

from .. import _validate
from .._errors import LinqError, ValidationError
from .._rules import EVENT_TYPES
from ._core import FakeBase, Refused, route, timestamp

__all__ = ["EVENT_TYPES", "WEBHOOK_RULES", "Delivery", "WebhooksArea"]

EVENTS_DOC_URL = "https://docs.linqapp.com/channel/imessage/guides/webhooks/events"
DEFAULT_ROUTING_ID_HEADER = "Linq-Chat-Id"
# Linq's documented schedule (2, 4, 8, 16, 30 s between tries), divided by 200.
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (0.01, 0.02, 0.04, 0.08, 0.15)
USER_AGENT = "Linq-Webhooks (linq_async FakeLinqServer)"
# Only receivers on this machine are ever contacted: a test must not post events to the internet.
NOT_SENT = "not sent: FakeLinqServer delivers to loopback receivers only (127.0.0.1, ::1, localhost)"

# rule -> (HTTP status, Linq code, message). 2010 is documented; the rest are the closest
# documented codes (1005 "invalid parameter value", 2015 "operation conflicts with current state").
WEBHOOK_RULES: dict[str, tuple[int, int, str]] = {
    "subscription_not_found": (404, 2010, "Webhook subscription not found"),
    "invalid_target_url": (400, 1005, "Invalid parameter value: target_url must be an https:// URL"),
    "invalid_subscribed_events": (
        400,
        1005,
        "Invalid parameter value: subscribed_events must list one or more event types from GET /v3/webhook-events",
    ),
    "invalid_subscription_phone": (400, 1002, "Phone number must be in E.164 format"),
    "invalid_routing_header": (400, 1005, "Invalid parameter value: routing headers must be HTTP header names"),
    "target_url_in_use": (409, 2015, "Another webhook subscription already uses this target_url"),
}

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}", re.ASCII)
_KNOWN_EVENTS = frozenset(EVENT_TYPES)


@attrs.frozen
class Delivery:
    """One attempt to deliver one event to one subscription.

    ``attempt`` counts from 1; ``status`` is the receiver's HTTP status, or None when it could
    not be reached (``error`` says why); ``at`` is ``time.monotonic()`` when the attempt began.
    """

    event_id: str
    event_type: str
    subscription_id: str
    target_url: str
    attempt: int
    status: int | None
    error: str | None
    at: float

    @property
    def ok(self) -> bool:
        """Whether the receiver accepted the event (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300


@attrs.define
class _Subscription:
    id: str
    target_url: str
    subscribed_events: list[str]
    secret: str
    created_at: str
    updated_at: str
    is_active: bool = True
    phone_numbers: list[str] | None = None
    routing_id_header: str | None = None
    routing_key_header: str | None = None
    tokens: dict[str, str] = attrs.field(factory=dict)  # chat id -> routing token learned from the receiver

    def wire(self) -> dict[str, Any]:
        routing_id = self.routing_id_header or (DEFAULT_ROUTING_ID_HEADER if self.routing_key_header else None)
        return {
            "id": self.id,
            "target_url": self.target_url,
            "subscribed_events": list(self.subscribed_events),
            "is_active": self.is_active,
            "phone_numbers": list(self.phone_numbers) if self.phone_numbers else None,
            "routing_id_header": routing_id,
            "routing_key_header": self.routing_key_header,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@attrs.frozen
class _Job:
    """A delivery to make: the subscription as it was when the event was raised."""

    subscription_id: str
    target_url: str
    secret: str
    event: Mapping[str, Any]
    body: bytes
    chat_id: str | None
    routing_id_header: str | None
    routing_key_header: str | None


def _secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def _stripped(url: str) -> str:
    """The URL as account events show it: no credentials, query or fragment."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _loopback_url(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname
    return host is not None and _validate._is_loopback(host)


def _good_target(value: object) -> bool:
    """https:// anywhere, or (the fake's allowance, for receivers in tests) http:// on loopback."""
    if not isinstance(value, str) or not value.isprintable() or " " in value or len(value) > 2048:
        return False
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises for a bad port
    except ValueError:
        return False
    if not parts.hostname:
        return False
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and _validate._is_loopback(parts.hostname))


def _signature(secret: str, msg_id: str, stamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _legacy_signature(secret: str, stamp: int, body: bytes) -> str:
    # The deprecated X-Webhook-Signature: hex HMAC-SHA256 of "{timestamp}.{body}", keyed with the
    # secret's text (as older Linq docs describe it).
    return hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()


def _is_phone(value: object) -> bool:
    try:
        return _validate.handle(value).startswith("+")
    except ValidationError:
        return False


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status == 429


class WebhooksArea(FakeBase):
    """Webhook subscriptions and deliveries. Read with ``deliveries``, ``webhook_subscriptions()``;
    wait with ``wait_for_deliveries()``; tune ``webhook_retry_delays`` and ``webhook_timeout``.
    """

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = WEBHOOK_RULES

    def _setup_webhooks(self) -> None:
        self._subscriptions: dict[str, _Subscription] = {}
        self._deliveries: list[Delivery] = []
        self._pending_deliveries = 0
        self._deliveries_done = threading.Condition(self._lock)
        self._delivery_tasks: set[asyncio.Task[None]] = set()
        self._delivery_loop: asyncio.AbstractEventLoop | None = None
        self._delivery_session: aiohttp.ClientSession | None = None
        self._retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
        self._webhook_timeout = 5.0

    # Settings and state, for tests ------------------------------------------------------------

    @property
    def webhook_retry_delays(self) -> tuple[float, ...]:
        """Seconds to wait before each redelivery; its length is how many times a delivery is retried.

        Linq retries for up to 30 minutes; the fake's default, ``(0.01, 0.02, 0.04, 0.08, 0.15)``,
        is its documented schedule divided by 200. Set ``()`` for no redelivery.
        """
        return self._retry_delays

    @webhook_retry_delays.setter
    def webhook_retry_delays(self, delays: Iterable[float]) -> None:
        chosen = tuple(delays)
        for delay in chosen:
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not math.isfinite(delay) or delay < 0:
                raise ValidationError(f"webhook_retry_delays must be seconds (>= 0), got {delay!r}")
        self._retry_delays = tuple(float(d) for d in chosen)

    @property
    def webhook_timeout(self) -> float:
        """How long a receiver has to answer one delivery before it counts as unreachable (5 s)."""
        return self._webhook_timeout

    @webhook_timeout.setter
    def webhook_timeout(self, seconds: float) -> None:
        self._webhook_timeout = _validate.positive_seconds(seconds, name="webhook_timeout")

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery attempt so far, in the order they were made."""
        with self._lock:
            return list(self._deliveries)

    def webhook_subscriptions(self) -> list[dict[str, Any]]:
        """Every subscription as ``GET /v3/webhook-subscriptions`` lists it (no secrets)."""
        with self._lock:
            return [s.wire() for s in self._subscriptions.values()]

    def add_webhook_subscription(
        self,
        target_url: str,
        subscribed_events: Iterable[str] = EVENT_TYPES,
        *,
        phone_numbers: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Subscribe ``target_url`` without going through the API; return it with its ``signing_secret``.

        ``target_url`` may be http:// on loopback (a receiver in the test). Raises
        ``ValidationError`` for values the API would refuse.
        """
        events = list(subscribed_events)
        phones = None if phone_numbers is None else list(phone_numbers)
        with self._lock:
            rule = self._subscription_problem(target_url, events, phones)
            if rule is not None:
                raise ValidationError(f"the API would refuse this subscription: {self.rule_errors[rule][2]}")
            subscription = self._store_subscription(target_url, events, phones or None, None, None)
            return {**subscription.wire(), "signing_secret": subscription.secret}

    def emit_event(self, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Raise an event as Linq would (e.g. an inbound ``message.received``) and deliver it; return it."""
        if not isinstance(event_type, str) or not event_type:
            raise ValidationError(f"event_type must be a non-empty string, got {event_type!r}")
        if not isinstance(data, Mapping):
            raise ValidationError(f"data must be a mapping, got {type(data).__name__}")
        return self._emit(None, event_type, data)

    def wait_for_deliveries(self, timeout: float = 5.0) -> list[Delivery]:
        """Block until every delivery raised so far is done (delivered, refused or out of retries).

        Returns ``deliveries``. Raises ``TimeoutError`` after ``timeout`` seconds, and
        ``LinqError`` when called on the loop the fake runs on (await
        ``wait_for_deliveries_async`` there).
        """
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._delivery_loop:
            raise LinqError("wait_for_deliveries() would block the fake's own loop; await wait_for_deliveries_async()")
        deadline = time.monotonic() + _validate.positive_seconds(timeout, name="timeout")
        with self._deliveries_done:
            while self._pending_deliveries:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._pending_deliveries} webhook deliveries still running after {timeout}s")
                self._deliveries_done.wait(left)
        return self.deliveries

    async def wait_for_deliveries_async(self, timeout: float = 5.0) -> list[Delivery]:  # noqa: ASYNC109
        """Wait, without blocking the loop, until every delivery raised so far is done; as ``wait_for_deliveries``."""
        deadline = time.monotonic() + _validate.positive_seconds(timeout, name="timeout")
        while True:
            with self._lock:
                pending = self._pending_deliveries
            if not pending:
                return self.deliveries
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{pending} webhook deliveries still running after {timeout}s")
            await asyncio.sleep(0.002)

    # Lifecycle: deliveries run on the fake's loop and end with it -----------------------------------

    async def start(self) -> None:
        """Start serving on the running loop; deliveries are sent from it."""
        await super().start()
        self._delivery_loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        """Stop serving, then cancel the deliveries still running (waiting for them to end); safe twice."""
        await super().stop()
        with self._lock:
            self._delivery_loop = None
            tasks = list(self._delivery_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        session, self._delivery_session = self._delivery_session, None
        if session is not None:
            await session.close()
        with self._deliveries_done:
            self._pending_deliveries = 0
            self._deliveries_done.notify_all()

    # Delivery ---------------------------------------------------------------------------------

    def _deliver(self, event: dict[str, Any]) -> None:
        event_type = event.get("event_type")
        body = json.dumps(event, separators=(",", ":")).encode()
        chat_id = self._event_chat(event)
        line = self._event_line(event, chat_id)
        with self._lock:
            loop = self._delivery_loop
            if loop is None:
                return  # not running: recorded in events, sent nowhere
            jobs = [
                _Job(
                    s.id,
                    s.target_url,
                    s.secret,
                    event,
                    body,
                    chat_id,
                    s.routing_id_header or DEFAULT_ROUTING_ID_HEADER,
                    s.routing_key_header,
                )
                for s in self._subscriptions.values()
                if s.is_active
                and event_type in s.subscribed_events
                and (not s.phone_numbers or line is None or line in s.phone_numbers)
            ]
            self._pending_deliveries += len(jobs)
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for job in jobs:
            if running is loop:
                self._spawn(job)
            else:
                try:
                    loop.call_soon_threadsafe(self._spawn, job)
                except RuntimeError:  # the loop closed meanwhile
                    self._finished()

    def _spawn(self, job: _Job) -> None:
        with self._lock:
            if self._delivery_loop is None:  # stopping: this delivery will not be made
                self._finished()
                return
            task = asyncio.get_running_loop().create_task(self._run(job), name=f"webhook {job.event['event_id']}")
            self._delivery_tasks.add(task)
        task.add_done_callback(self._delivery_tasks.discard)

    def _finished(self) -> None:
        with self._deliveries_done:
            self._pending_deliveries = max(0, self._pending_deliveries - 1)
            self._deliveries_done.notify_all()

    async def _run(self, job: _Job) -> None:
        try:
            if not _loopback_url(job.target_url):
                self._record(job, 1, None, NOT_SENT, time.monotonic())
                return
            attempt = 0
            while True:
                attempt += 1
                status = await self._attempt(job, attempt)
                delays = self._retry_delays
                if not _retryable(status) or attempt > len(delays):
                    return
                await asyncio.sleep(delays[attempt - 1])
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in the fake: check() reports it
            with self._lock:
                self.internal_errors.append(exc)
        finally:
            self._finished()

    async def _attempt(self, job: _Job, attempt: int) -> int | None:
        stamp = int(time.time())
        event_id = str(job.event["event_id"])
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": event_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": _signature(job.secret, event_id, stamp, job.body),
            "X-Webhook-Event": str(job.event["event_type"]),
            "X-Webhook-Subscription-ID": job.subscription_id,
            "X-Webhook-Timestamp": str(stamp),
            "X-Webhook-Signature": _legacy_signature(job.secret, stamp, job.body),
        }
        if job.routing_key_header and job.chat_id and job.routing_id_header:
            headers[job.routing_id_header] = job.chat_id
            with self._lock:
                subscription = self._subscriptions.get(job.subscription_id)
                token = subscription.tokens.get(job.chat_id) if subscription is not None else None
            if token:
                headers[job.routing_key_header] = token
        session = self._delivery_session
        if session is None:
            session = self._delivery_session = aiohttp.ClientSession()
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        learned: str | None = None
        try:
            async with session.post(
                job.target_url,
                data=job.body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._webhook_timeout),
            ) as response:
                await response.read()
                status = response.status
                if job.routing_key_header:
                    learned = response.headers.get(job.routing_key_header)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        record = self._record(job, attempt, status, error, started)
        with self._lock:
            subscription = self._subscriptions.get(job.subscription_id)
            if learned and record.ok and job.chat_id and subscription is not None and subscription.routing_key_header:
                subscription.tokens[job.chat_id] = learned
        return status

    def _record(self, job: _Job, attempt: int, status: int | None, error: str | None, at: float) -> Delivery:
        event = job.event
        record = Delivery(
            str(event["event_id"]),
            str(event["event_type"]),
            job.subscription_id,
            job.target_url,
            attempt,
            status,
            error,
            at,
        )
        with self._lock:
            self._deliveries.append(record)
        return record

    def _event_chat(self, event: Mapping[str, Any]) -> str | None:
        data = event.get("data")
        if not isinstance(data, Mapping):
            return None
        chat = data.get("chat")
        for candidate in (
            data.get("chat_id"),
            chat.get("id") if isinstance(chat, Mapping) else None,
            data.get("id") if event.get("event_type") == "chat.created" else None,
        ):
            if isinstance(candidate, str) and candidate:
                return candidate
        return None

    def _event_line(self, event: Mapping[str, Any], chat_id: str | None) -> str | None:
        """The line of yours an event concerns, if it concerns one (account events do not)."""
        data = event.get("data")
        if not isinstance(data, Mapping):
            return None
        chat = data.get("chat")
        owner = chat.get("owner_handle") if isinstance(chat, Mapping) else data.get("owner_handle")
        if isinstance(owner, Mapping):
            owner = owner.get("handle")
        for candidate in (owner, data.get("shared_with"), data.get("phone_number")):
            if isinstance(candidate, str) and candidate:
                return candidate
        chats = getattr(self, "_chats", None)  # the chats area's state, when there is one
        if chat_id is not None and isinstance(chats, Mapping) and chat_id in chats:
            line = getattr(chats[chat_id], "line", None)
            return line if isinstance(line, str) else None
        return None

    # The API ----------------------------------------------------------------------------------

    def _subscription_problem(
        self, target_url: object, events: object, phones: object, *, exclude: str | None = None
    ) -> str | None:
        """The rule a subscription's settings break, or None."""
        if target_url is not None:
            if not _good_target(target_url):
                return "invalid_target_url"
            if any(s.target_url == target_url and s.id != exclude for s in self._subscriptions.values()):
                return "target_url_in_use"
        if events is not None and (
            not isinstance(events, list) or not events or not all(e in _KNOWN_EVENTS for e in events)
        ):
            return "invalid_subscribed_events"
        if phones is not None:
            if not isinstance(phones, list):
                return "invalid_body"
            for phone in phones:
                if not _is_phone(phone):
                    return "invalid_subscription_phone"
                if phone not in self.lines:
                    return "not_your_number"
        return None

    def _store_subscription(
        self,
        target_url: str,
        events: list[str],
        phones: list[str] | None,
        routing_id: str | None,
        routing_key: str | None,
    ) -> _Subscription:
        now = timestamp()
        subscription = _Subscription(
            str(uuid.uuid4()),
            target_url,
            list(dict.fromkeys(events)),
            _secret(),
            now,
            now,
            phone_numbers=phones,
            routing_id_header=routing_id or None,
            routing_key_header=routing_key or None,
        )
        self._subscriptions[subscription.id] = subscription
        return subscription

    @staticmethod
    def _routing_header(data: Mapping[str, Any], name: str) -> str | None:
        value = data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _HEADER_NAME.fullmatch(value):
            raise Refused("invalid_routing_header")
        return value

    def _account_event(
        self,
        request: web.Request,
        event_type: str,
        summary: str,
        subscription: _Subscription,
        *,
        events: bool = False,
        change: Mapping[str, Any] | None = None,
    ) -> None:
        about: dict[str, Any] = {"id": subscription.id, "target_url": _stripped(subscription.target_url)}
        if events:
            about["events"] = list(subscription.subscribed_events)
        data: dict[str, Any] = {
            "actor": {"type": "api"},
            "occurred_at": timestamp(),
            "origin": "api",
            "summary": summary,
            "webhook_subscription": about,
        }
        if change is not None:
            data["change"] = dict(change)
        self._emit(request, event_type, data)

    def _subscription_for(self, request: web.Request) -> _Subscription:
        subscription = self._subscriptions.get(request.match_info["subscription_id"])
        if subscription is None:
            raise Refused("subscription_not_found")
        return subscription

    @route("POST", "/webhook-subscriptions")
    async def _create_subscription(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        target_url, events, phones = data.get("target_url"), data.get("subscribed_events"), data.get("phone_numbers")
        if not target_url or events is None:
            raise Refused("missing_field")
        routing_id = self._routing_header(data, "routing_id_header")
        routing_key = self._routing_header(data, "routing_key_header")
        with self._lock:
            rule = self._subscription_problem(target_url, events, phones)
            if rule is not None:
                raise Refused(rule)
            subscription = self._store_subscription(target_url, events, phones or None, routing_id, routing_key)
            body = {**subscription.wire(), "signing_secret": subscription.secret}
        self._account_event(
            request, "webhook_subscription.created", "Webhook subscription created", subscription, events=True
        )
        return web.json_response(body, status=201)

    @route("GET", "/webhook-subscriptions")
    async def _list_subscriptions(self, request: web.Request) -> web.Response:
        return web.json_response({"subscriptions": self.webhook_subscriptions()})

    @route("GET", "/webhook-subscriptions/{subscription_id}")
    async def _get_subscription(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._subscription_for(request).wire())

    @route("PUT", "/webhook-subscriptions/{subscription_id}")
    async def _update_subscription(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        raised: list[tuple[str, str, dict[str, Any] | None]] = []
        change: dict[str, Any]
        with self._lock:
            subscription = self._subscription_for(request)
            is_active = data.get("is_active")
            if "is_active" in data and not isinstance(is_active, bool):
                raise Refused("invalid_body")
            phones = data.get("phone_numbers")
            if "target_url" in data and data["target_url"] is None:
                raise Refused("invalid_target_url")
            if "subscribed_events" in data and data["subscribed_events"] is None:
                raise Refused("invalid_subscribed_events")
            rule = self._subscription_problem(
                data.get("target_url") if "target_url" in data else None,
                data.get("subscribed_events") if "subscribed_events" in data else None,
                phones if phones else None,
                exclude=subscription.id,
            )
            if rule is not None:
                raise Refused(rule)
            routing_id = self._routing_header(data, "routing_id_header") if "routing_id_header" in data else None
            routing_key = self._routing_header(data, "routing_key_header") if "routing_key_header" in data else None
            if "target_url" in data and data["target_url"] != subscription.target_url:
                old = _stripped(subscription.target_url)
                subscription.target_url = data["target_url"]
                change = {"from": old, "to": _stripped(subscription.target_url)}
                raised.append(("webhook_subscription.target_url_changed", "Webhook target URL changed", change))
            if "subscribed_events" in data and data["subscribed_events"] != subscription.subscribed_events:
                change = {"from": subscription.subscribed_events, "to": list(dict.fromkeys(data["subscribed_events"]))}
                subscription.subscribed_events = change["to"]
                raised.append(("webhook_subscription.events.updated", "Webhook events updated", change))
            if "phone_numbers" in data and (phones or None) != subscription.phone_numbers:
                change = {"from": subscription.phone_numbers, "to": phones or None}
                subscription.phone_numbers = phones or None
                raised.append(("webhook_subscription.phone_numbers.updated", "Webhook phone numbers updated", change))
            if "routing_id_header" in data:
                subscription.routing_id_header = routing_id
            if "routing_key_header" in data and routing_key != subscription.routing_key_header:
                change = {"from": subscription.routing_key_header, "to": routing_key}
                subscription.routing_key_header = routing_key
                subscription.tokens.clear()
                if routing_key is None:
                    raised.append(("webhook_subscription.routing_headers_cleared", "Webhook routing cleared", change))
                else:
                    raised.append(("webhook_subscription.routing_headers_set", "Webhook routing set", change))
            if "is_active" in data and is_active != subscription.is_active:
                subscription.is_active = bool(is_active)
                enabled = subscription.is_active
                raised.append(
                    (
                        f"webhook_subscription.{'enabled' if enabled else 'disabled'}",
                        f"Webhook subscription {'enabled' if enabled else 'disabled'}",
                        None,
                    )
                )
            subscription.updated_at = timestamp()
            body = subscription.wire()
        for event_type, summary, changed in raised:
            self._account_event(request, event_type, summary, subscription, change=changed)
        return web.json_response(body)

    @route("DELETE", "/webhook-subscriptions/{subscription_id}")
    async def _delete_subscription(self, request: web.Request) -> web.Response:
        with self._lock:
            subscription = self._subscription_for(request)
            del self._subscriptions[subscription.id]
        self._account_event(request, "webhook_subscription.deleted", "Webhook subscription deleted", subscription)
        return web.Response(status=204)

    @route("GET", "/webhook-events")
    async def _list_event_types(self, request: web.Request) -> web.Response:
        return web.json_response({"doc_url": EVENTS_DOC_URL, "events": list(EVENT_TYPES)})
