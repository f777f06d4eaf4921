"""``client.payments``: agent payments, each made with a single-use virtual card for one purchase.

The customer's handle is connected once (``client.payment_handles``); after that each
``payments.create`` moves the pay flow on and says where it stands in ``status``. The create is
idempotent on the ``Idempotency-Key`` header: one key is generated per logical call when you give
none, and every retry of that call carries it; re-sending the same create with the same key (after
the customer approved, say) continues the same payment. Amounts are ints of cents, never floats.

This module also holds the payment checks the other payment resources and the fake server share.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .. import _validate
from .._errors import LinqError, ValidationError
from .._rules import RuleError
from .._sync import SyncResource, blocking
from ..models.payments import Payment, PaymentCredentialsResponse, PaymentMerchant
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["Payments", "SyncPayments", "check_payment"]

# An id as the API hands them out (``pay_123``, ``pr_...``, a UUID) or a provider name: letters,
# digits, ``_``, ``-`` and inner dots. Nothing that could change a request's path or query.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}", re.ASCII)
# As linq-python quotes a path segment: unreserved characters and these stay as they are.
_SEGMENT_SAFE = "!$&'()*+,;=:@"
_CURRENCY = re.compile(r"[A-Za-z]{3}", re.ASCII)
MERCHANT_KEYS = ("name", "url")


def resource_id(value: object, name: str) -> str:
    """Return an id for a path segment unchanged (``pay_123``), or refuse it with ``ValidationError``."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValidationError(
            f"{name} must be an id such as 'pay_123' (letters, digits, '_', '-', '.'), got {_validate.shown(value)}"
        )
    return value


def handle_segment(value: object) -> str:
    """A customer handle (E.164 or email), checked and quoted as a path segment the way linq-python does."""
    return urllib.parse.quote(_validate.handle(value), safe=_SEGMENT_SAFE)


def _fail(message: str, rule: str = "invalid_parameter") -> RuleError:
    return RuleError(message, rule=rule)


def check_cents(value: object, name: str, minimum: int) -> int:
    """An amount of minor units: an ``int`` (not a bool, not a float) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ""
        if isinstance(value, float) and value == value and abs(value) < 1e15:
            whole = value.is_integer()
            hint = f" (write {int(value)})" if whole else f" (for {value} in major units, write {round(value * 100)})"
        raise _fail(f"{name} must be an int number of cents, not {type(value).__name__}{hint}")
    if value < minimum:
        raise _fail(f"{name} must be at least {minimum} cents, got {value}")
    return value


def check_text(value: object, name: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise _fail(f"{name} must be non-empty text, got {_validate.shown(value)}")
    return value


def check_token(value: object, name: str, prefix: str = "") -> str:
    """An opaque id such as ``cus_123`` (printable, no spaces), starting with ``prefix`` when one is given."""
    if (
        not isinstance(value, str)
        or not value.startswith(prefix)
        or len(value) <= len(prefix)
        or len(value) > 255
        or not value.isprintable()
        or " " in value
    ):
        shape = f"an id starting with {prefix!r}" if prefix else "a non-empty id without spaces"
        raise _fail(f"{name} must be {shape}, got {_validate.shown(value)}")
    return value


def check_metadata(value: object, name: str = "metadata", *, max_keys: int | None = None) -> dict[str, str]:
    """A mapping of text keys to text values (``max_keys`` at most); keys starting ``linq_`` are Linq's."""
    if not isinstance(value, Mapping):
        raise _fail(f"{name} must be a mapping of str to str, got {type(value).__name__}")
    if max_keys is not None and len(value) > max_keys:
        raise _fail(f"{name} holds at most {max_keys} keys, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise _fail(f"{name} keys must be non-empty strings, got {_validate.shown(key)}")
        if key.startswith("linq_"):
            raise _fail(f"{name} key {key!r}: keys starting with 'linq_' are reserved")
        if not isinstance(item, str):
            raise _fail(f"{name}[{key!r}] must be a string, got {type(item).__name__}")
    return dict(value)


def object_dict(value: object, name: str, keys: tuple[str, ...], model: type[Any]) -> dict[str, Any]:
    """A small request object given as its model or a mapping, as a dict with only ``keys`` (text values)."""
    if isinstance(value, model):
        data: dict[str, Any] = value.to_dict()
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise _fail(f"{name} must be a {model.__name__} or a mapping, got {type(value).__name__}")
    unknown = sorted(str(key) for key in data if key not in keys)
    if unknown:
        raise _fail(f"{name} takes only {', '.join(keys)}; got {', '.join(unknown)}")
    for key, item in data.items():
        check_text(item, f"{name}.{key}")
    return data


def check_payment(body: Mapping[str, Any]) -> None:
    """Check the body of ``POST /v3/payments``; raise ``RuleError`` for the first broken rule.

    ``amount_cents`` an int of at least 1, ``currency`` three letters, ``handle`` an E.164 number or
    an email; ``description``, ``merchant`` (``name``/``url``) and ``metadata`` (text to text) when given.
    """
    for required in ("amount_cents", "currency", "handle"):
        if body.get(required) is None:
            raise _fail(f"{required} is required", rule="missing_field")
    check_cents(body["amount_cents"], "amount_cents", 1)
    currency = body["currency"]
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise _fail(f"currency must be a three-letter ISO 4217 code such as 'usd', got {_validate.shown(currency)}")
    try:
        _validate.handle(body["handle"])
    except ValidationError as exc:
        raise _fail(str(exc)) from None
    if "description" in body:
        check_text(body["description"], "description")
    if "merchant" in body:
        object_dict(body["merchant"], "merchant", MERCHANT_KEYS, PaymentMerchant)
    if "metadata" in body:
        check_metadata(body["metadata"])


def idempotency_headers(key: str | None, options: Mapping[str, Any]) -> tuple[dict[str, str], str | None]:
    """The ``Idempotency-Key`` header of one logical call (generated when ``key`` is None) and the key sent.

    A key given through ``extra_headers`` wins on the wire, as in linq-python, so it is the one reported.
    """
    chosen = _validate.idempotency_key(key) if key is not None else str(uuid.uuid4())
    sent: str | None = chosen
    extra = options.get("extra_headers")
    if isinstance(extra, Mapping):
        for header, value in extra.items():
            if isinstance(header, str) and header.lower() == "idempotency-key":
                sent = value if isinstance(value, str) else None
    return {"Idempotency-Key": chosen}, sent


class Payments(Resource[Mode]):
    """Agent payments: pay on a connected customer's behalf with a single-use card per purchase."""

    @cached_property
    def with_raw_response(self) -> Payments[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Payments(self._client, True)

    @endpoint
    async def create(
        self,
        *,
        amount_cents: int,
        currency: str,
        handle: str,
        description: str | None = None,
        merchant: PaymentMerchant | Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Payment:
        """Start or continue an agent payment for a connected customer; ``status`` says where it stands.

        ``POST /v3/payments``. ``amount_cents``: an int of cents (at least 1); ``currency``: three
        letters, e.g. ``"usd"``; ``handle``: the customer (E.164 or email); ``description``;
        ``merchant``: ``name`` and ``url`` (a ``PaymentMerchant`` or a dict); ``metadata``: text to
        text; ``idempotency_key``: sent as the ``Idempotency-Key`` header (generated when left out);
        give the same one again to continue the same payment after the customer acted. Raises
        ``ValidationError`` before sending for a float or non-positive amount, a bad currency or
        handle; an ``APIError`` otherwise, carrying ``idempotency_key``.
        """
        body: dict[str, Any] = {"amount_cents": amount_cents, "currency": currency, "handle": handle}
        if description is not None:
            body["description"] = description
        if merchant is not None:
            body["merchant"] = object_dict(merchant, "merchant", MERCHANT_KEYS, PaymentMerchant)
        if metadata is not None:
            body["metadata"] = check_metadata(metadata)
        check_payment(body)
        headers, sent = idempotency_headers(idempotency_key, options)
        try:
            return await self._request(
                "POST", "/v3/payments", body=body, headers=headers, into=Payment, options=options
            )
        except LinqError as exc:
            exc.idempotency_key = sent  # type: ignore[attr-defined]
            raise

    @endpoint
    async def retrieve(self, payment_id: str, **options: Unpack[RequestOptions]) -> Payment:
        """Fetch an agent payment by the ``id`` it got when its card was minted.

        ``GET /v3/payments/{payment_id}``. Raises ``ValidationError`` before sending for a malformed
        id; ``NotFoundError`` or another ``APIError``.
        """
        path = f"/v3/payments/{resource_id(payment_id, 'payment_id')}"
        return await self._request("GET", path, into=Payment, options=options)

    @endpoint
    async def cancel(self, payment_id: str, **options: Unpack[RequestOptions]) -> Payment:
        """Cancel an agent payment and close its virtual card.

        ``POST /v3/payments/{payment_id}/cancel`` (no body). Raises ``ValidationError`` before
        sending for a malformed id; ``NotFoundError``, ``ConflictError`` (already final) or another
        ``APIError``.
        """
        path = f"/v3/payments/{resource_id(payment_id, 'payment_id')}/cancel"
        return await self._request("POST", path, into=Payment, options=options, repeatable=True)

    @endpoint
    async def credentials(self, payment_id: str, **options: Unpack[RequestOptions]) -> PaymentCredentialsResponse:
        """Get the short-lived card handoff of a ``ready`` payment; fetch the card from the provider with it.

        ``GET /v3/payments/{payment_id}/credentials``. The card number never passes through Linq:
        do not store it. Raises ``ValidationError`` before sending for a malformed id;
        ``NotFoundError``, ``ConflictError`` (not ``ready``) or another ``APIError``.
        """
        path = f"/v3/payments/{resource_id(payment_id, 'payment_id')}/credentials"
        return await self._request("GET", path, into=PaymentCredentialsResponse, options=options)


class SyncPayments(SyncResource[Mode]):
    """Blocking twin of ``client.payments``."""

    create = blocking(Payments.create)
    retrieve = blocking(Payments.retrieve)
    cancel = blocking(Payments.cancel)
    credentials = blocking(Payments.credentials)

    @cached_property
    def with_raw_response(self) -> SyncPayments[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPayments(self._runner, self._async.with_raw_response)
