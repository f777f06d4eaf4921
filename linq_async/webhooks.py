"""Webhooks: verify Standard Webhooks signatures and parse Linq events into typed classes.

``verify(payload, headers, secret)`` checks a delivery: the HMAC-SHA256 of
``"{webhook-id}.{webhook-timestamp}.{raw body}"`` keyed with the signing secret (``whsec_`` plus
base64), against every ``v1,`` entry of ``webhook-signature`` (each value of a repeated header
too), compared in constant time, with the timestamp no more than 5 minutes away in either
direction. Pass the raw body (bytes, or str), never re-serialised JSON. Whatever is wrong with a
delivery's payload or headers raises ``WebhookVerificationError``. ``parse(payload)`` turns the
body into the event class its ``event_type`` names (the classes live in
``linq_async.models.events`` and are exported here too); types this SDK does not model become
``UnknownEvent``, so a new event type never raises. ``unwrap`` does both;
``client.webhooks.unwrap`` is the same with the client's ``webhook_secret``. Use
``event.event_id`` (the ``webhook-id``) to drop redeliveries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeAlias

from ._convert import structure, structure_lenient
from ._errors import LinqError, ValidationError, decode_json
from .models import events as _events
from .models.events import *  # noqa: F403 - every event class, importable from here as before
from .models.events import EVENT_CLASSES, EVENT_TYPES, UnknownEvent, WebhookEvent

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_CLASSES",
    "EVENT_TYPES",
    "WebhookError",
    "WebhookHeaders",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "parse",
    "sign",
    "unwrap",
    "verify",
]
__all__ += _events.__all__

DEFAULT_TOLERANCE = 300.0
_MAX_SIGNATURE_HEADER = 8192
_NEEDED = ("webhook-id", "webhook-timestamp", "webhook-signature")


class _HeaderLines(Protocol):
    """Header names and their lines, not a Mapping: ``http.server``'s ``self.headers`` (an
    ``http.client.HTTPMessage``), any ``email.message.Message``."""

    def keys(self) -> Iterable[Any]: ...

    def items(self) -> Iterable[tuple[Any, Any]]: ...


WebhookHeaders: TypeAlias = (
    "Mapping[str, object] | Mapping[bytes, object] | _HeaderLines | Iterable[tuple[str | bytes, object]] | None"
)
"""A delivery's headers as web frameworks hand them over: a mapping (``dict``, aiohttp's or
Starlette's headers, ...), an object with ``keys()`` and ``items()``, ``get_all()`` or ``get()``
(``http.server``'s ``self.headers``, an ``email.message.Message``) or ``(name, value)`` pairs (WSGI's,
ASGI's ``scope["headers"]``), names and values as ``str`` or ``bytes``, names in any case; a list of
values, or the header twice, is a repeated header."""


class WebhookError(LinqError, ValueError):
    """A webhook delivery could not be accepted."""


class WebhookVerificationError(WebhookError):
    """The delivery's signature or timestamp does not check out: reject it (e.g. with 400)."""


class WebhookPayloadError(WebhookError):
    """The body is not a JSON object with an ``event_type``: not a Linq event at all."""


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        if not secret:
            raise ValidationError("the webhook secret is empty")
        return secret
    if not isinstance(secret, str):
        raise ValidationError(f"the webhook secret must be str or bytes, got {type(secret).__name__}")
    text = secret.strip()
    text = text.removeprefix("whsec_")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("the webhook secret is not 'whsec_' followed by base64") from None
    if not key:
        raise ValidationError("the webhook secret is empty")
    return key


def _body(payload: object, error: type[LinqError] = ValidationError) -> bytes:
    """The raw body as bytes; ``error`` (with a message naming what was given) for anything else."""
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no body was ever that text
            raise error("the payload must be the raw body, and this str is not UTF-8 text") from None
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    hint = ": pass the body as received, not parsed JSON" if isinstance(payload, (Mapping, list)) else ""
    raise error(f"the payload must be the raw body (bytes or str), got {type(payload).__name__}{hint}")


def sign(payload: bytes | str, *, msg_id: str, timestamp: int, secret: str | bytes) -> str:
    """Return the ``webhook-signature`` value Linq would send (``v1,<base64>``); for tests."""
    content = f"{msg_id}.{timestamp}.".encode() + _body(payload)
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _text(value: object, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookVerificationError(f"the {name} header is not UTF-8 text") from None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a timestamp given as a number, as linq-python accepts it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1795341600.0: the second it names (signed as "1795341600")
    raise WebhookVerificationError(f"the {name} header must be text, got {type(value).__name__}")


def _pairs(headers: Any) -> Iterable[Any]:
    """``(name, value)`` pairs from a mapping, a mapping-like object or an iterable of pairs."""
    if isinstance(headers, Mapping):
        return headers.items()
    keys = getattr(headers, "keys", None)
    if callable(keys):
        # Mapping-like without being a Mapping: http.client.HTTPMessage (http.server's self.headers),
        # email.message.Message, werkzeug's Headers. items() gives each repeated header once per line.
        items = getattr(headers, "items", None)
        if callable(items):
            return items()  # type: ignore[no-any-return]
        get_all = getattr(headers, "get_all", None)
        if callable(get_all):
            return [(name, get_all(name)) for name in dict.fromkeys(keys())]
        get = getattr(headers, "get", None)
        if callable(get):
            return [(name, get(name)) for name in keys()]
    if isinstance(headers, Iterable):
        return headers
    raise WebhookVerificationError(f"headers must be a mapping or (name, value) pairs, got {type(headers).__name__}")


def _needed_headers(headers: object) -> tuple[str, str, list[str]]:
    """The delivery's webhook-id, -timestamp and the -signature values from whatever holds its headers."""
    if headers is None:
        raise WebhookVerificationError("missing header(s): " + ", ".join(_NEEDED) + " (headers is None)")
    if isinstance(headers, (str, bytes, bytearray, memoryview)):
        raise WebhookVerificationError(
            f"headers must be a mapping or (name, value) pairs, got {type(headers).__name__}"
        )
    found: dict[str, list[object]] = {}
    try:
        for pair in _pairs(headers):
            name, value = pair
            if isinstance(name, (bytes, bytearray, memoryview)):
                name = bytes(name).decode("latin-1")
            elif not isinstance(name, str):
                raise WebhookVerificationError(f"a header name must be text, got {type(name).__name__}")
            key = name.lower()
            if key in _NEEDED:
                values = found.setdefault(key, [])
                if isinstance(value, (list, tuple)):
                    values.extend(value)  # a list of values (AWS's multiValueHeaders): a repeated header
                else:
                    values.append(value)
    except WebhookVerificationError:
        raise
    except (TypeError, ValueError) as exc:
        raise WebhookVerificationError(f"headers must be a mapping or (name, value) pairs: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - headers that fail when read: still not a verified delivery
        raise WebhookVerificationError(f"the headers could not be read: {type(exc).__name__}: {exc}") from None
    texts = {key: [_text(v, key) for v in found.get(key, ())] for key in _NEEDED}
    # A header sent more than once reads as its values joined by ", ", as everywhere in HTTP; the
    # signature header's values are each searched for entries instead.
    return ", ".join(texts["webhook-id"]), ", ".join(texts["webhook-timestamp"]), texts["webhook-signature"]


# A Standard Webhooks signature entry: "v1,<base64>", entries space-delimited; a proxy that joins a
# repeated header adds ", ". Base64 holds neither spaces nor commas, so an entry starts at the start of
# the text or after a space or comma, and its value runs to the next one.
_ENTRY = re.compile(r"(?<![^\s,])(v[0-9]+),([^\s,]*)", re.ASCII)


def _finite(value: object, name: str, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite number of seconds, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValidationError(f"{name} must be at least {minimum:g}, got {value!r}")
    return float(value)


def verify(
    payload: bytes | str,
    headers: WebhookHeaders,
    secret: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a delivery's signature and timestamp; raise ``WebhookVerificationError`` if they fail.

    ``payload``: the raw body, ``bytes`` or ``str`` (UTF-8), exactly as received. ``headers``: a
    mapping, a mapping-like object (``keys()`` with ``items()``, ``get_all()`` or ``get()``, such as
    ``http.server``'s ``self.headers``) or ``(name, value)`` pairs, ``str`` or ``bytes``, any case (see
    ``WebhookHeaders``). Anything wrong with either (``None``, parsed JSON, headers that fail when
    read, a missing header) fails verification like a bad signature does, so catching
    ``WebhookVerificationError`` is enough to answer 400. A repeated ``webhook-signature`` header
    counts with every value. ``tolerance``: seconds ``webhook-timestamp`` may be from now, a finite
    number >= 0; ``now`` (Unix seconds) is for tests. Raises ``ValidationError`` for a malformed
    secret, tolerance or ``now``: programming errors, not bad deliveries.
    """
    key = _key(secret)
    window = _finite(tolerance, "tolerance", minimum=0)
    clock = time.time() if now is None else _finite(now, "now")
    body = _body(payload, WebhookVerificationError)
    msg_id, stamp, signatures = _needed_headers(headers)
    if not msg_id or not stamp or not any(signatures):
        missing = [n for n, v in (("id", msg_id), ("timestamp", stamp), ("signature", any(signatures))) if not v]
        raise WebhookVerificationError("missing header(s): " + ", ".join(f"webhook-{n}" for n in missing))
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds")
    age = clock - int(stamp)
    if age > window:
        raise WebhookVerificationError(f"the delivery is {age:.0f}s old, over the {window:g}s tolerance")
    if age < -window:
        raise WebhookVerificationError(f"the delivery is {-age:.0f}s in the future, over the {window:g}s tolerance")
    if sum(len(value) for value in signatures) > _MAX_SIGNATURE_HEADER:
        raise WebhookVerificationError("webhook-signature is too long")
    expected = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected_b64 = base64.b64encode(expected)
    for value in signatures:
        for version, candidate in _ENTRY.findall(value):
            if version == "v1" and candidate.isascii() and hmac.compare_digest(candidate.encode(), expected_b64):
                return
    raise WebhookVerificationError("no webhook-signature entry matches this body and secret")


def parse(payload: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse a webhook body into its event class; unknown event types become ``UnknownEvent``.

    Does not verify anything: call ``verify`` first, or use ``unwrap``. A field that is missing or
    of an unexpected type never fails the event: it is read as far as it fits, the raw value stays
    on ``.extra`` and ``event.invalid_fields`` names each problem. Raises ``WebhookPayloadError``
    only for a body that is not a JSON object with a string ``event_type``.
    """
    if isinstance(payload, Mapping):
        data: object = payload
    else:
        try:
            # Lenient: NaN as json.loads takes it, an integer past Python's digit limit as infinity.
            data = decode_json(_body(payload, WebhookPayloadError), lenient=True)
        except ValueError as exc:
            raise WebhookPayloadError(f"the webhook body is not an event: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("event_type"), str):
        raise WebhookPayloadError("the webhook body is not an event: no event_type")
    try:
        return structure(data, WebhookEvent)  # type: ignore[arg-type]
    except ValueError:
        # Verified, so it happened: read what fits; event.invalid_fields names what did not.
        event: WebhookEvent = structure_lenient(data, EVENT_CLASSES.get(data["event_type"], UnknownEvent))  # type: ignore[assignment]
        return event


def unwrap(
    payload: bytes | str,
    headers: WebhookHeaders,
    secret: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Verify a delivery, then parse it (``verify`` followed by ``parse``)."""
    verify(payload, headers, secret, tolerance=tolerance, now=now)
    return parse(payload)
