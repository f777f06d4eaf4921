"""``client.payment_requests``: ask someone to pay you through hosted checkout (funds go to your Stripe).

Create a request, send its ``checkout_url`` as the only part of a message (a link part), and wait
for the ``payment.succeeded`` webhook. ``mode="subscription"`` with a recurring ``price_id``
collects a subscription's first invoice instead. ``amount`` is an int of minor units (at least 50
for ``usd``, the one currency supported); never a float. Creates carry an ``Idempotency-Key``
header, generated once per logical call when you give none and reused by every retry.

``check_payment_request`` holds the documented rules of a create's body; the fake server applies
the same function to what it receives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .. import _validate
from .._errors import LinqError, ValidationError
from .._rules import RuleError
from .._sync import SyncResource, blocking
from ..models.payments import (
    PAYMENT_REQUEST_STATUSES,
    PaymentRequest,
    PaymentRequestDiscount,
    PaymentRequestListResponse,
)
from ..pagination import AsyncPaginator
from ._base import Mode, Raw, Resource, endpoint, paginated
from .chat_messages import _limit
from .payments import (
    check_cents,
    check_metadata,
    check_text,
    check_token,
    idempotency_headers,
    object_dict,
    resource_id,
)

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["PaymentRequests", "SyncPaymentRequests", "check_payment_request"]

MODES = ("payment", "subscription")
RAILS = ("stripe", "natural")
CURRENCIES = ("usd",)
MIN_AMOUNT = {"usd": 50}  # the provider's minimum charge, in cents
MAX_METADATA_KEYS = 49
DISCOUNT_KEYS = ("coupon", "label", "promotion_code")
SUBSCRIPTION_ONLY = ("discount", "price_id", "quantity", "trial_end", "trial_period_days")


def _fail(message: str, rule: str = "invalid_parameter") -> RuleError:
    return RuleError(message, rule=rule)


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"{name} must be an int of at least 1, got {value!r}")
    return value


def _phone(value: object, name: str) -> str:
    try:
        handle = _validate.handle(value)
    except ValidationError as exc:
        raise _fail(f"{name}: {exc}") from None
    if not handle.startswith("+"):
        raise _fail(f"{name} must be an E.164 phone number, got {_validate.shown(value)}")
    return handle


def _trial_end(value: object, now: dt.datetime | None) -> None:
    when = None
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        raise _fail(f"trial_end must be an ISO 8601 time with its UTC offset, got {_validate.shown(value)}")
    if now is not None and when <= now:
        raise _fail(f"trial_end must be in the future, got {value}")


def check_payment_request(body: Mapping[str, Any], *, now: dt.datetime | None = None) -> None:
    """Check the body of ``POST /v3/payment_requests``; raise ``RuleError`` for the first broken rule.

    Payment mode (the default) needs ``amount`` (an int, at least 50 for ``usd``) and ``currency``
    (``usd``) and takes none of the subscription fields; subscription mode needs ``price_id`` and
    takes neither ``amount`` nor ``currency``. ``discount`` holds exactly one of ``coupon`` or
    ``promotion_code`` (a ``promo_...`` id); ``trial_end`` and ``trial_period_days`` exclude each
    other; ``rail="natural"`` needs ``from`` and ``payer_handle`` (E.164); ``metadata`` holds at
    most 49 text values, no key starting ``linq_``. ``now``: also refuse a ``trial_end`` not after it.
    """
    mode = body.get("mode", "payment")
    if mode not in MODES:
        raise _fail(f"mode must be one of {MODES}, got {_validate.shown(mode)}")
    rail = body.get("rail", "stripe")
    if rail not in RAILS:
        raise _fail(f"rail must be one of {RAILS}, got {_validate.shown(rail)}")
    if mode == "payment":
        for key in ("amount", "currency"):
            if body.get(key) is None:
                raise _fail(f"{key} is required in payment mode", rule="missing_field")
        for key in SUBSCRIPTION_ONLY:
            if key in body:
                raise _fail(f"{key} is for subscription mode only (mode='subscription')")
    else:
        if body.get("price_id") is None:
            raise _fail("price_id (a recurring price) is required in subscription mode", rule="missing_field")
        for key in ("amount", "currency"):
            if key in body:
                raise _fail(f"{key} comes from the price in subscription mode; leave it out")
    currency = body.get("currency")
    if "currency" in body and (not isinstance(currency, str) or currency.lower() not in CURRENCIES):
        raise _fail(f"currency must be 'usd' (the one currency supported), got {_validate.shown(currency)}")
    if "amount" in body:
        check_cents(body["amount"], "amount", MIN_AMOUNT[str(currency).lower()])
    if "customer_id" in body:
        check_token(body["customer_id"], "customer_id", "cus_")
    if "description" in body:
        check_text(body["description"], "description")
    if "discount" in body:
        discount = object_dict(body["discount"], "discount", DISCOUNT_KEYS, PaymentRequestDiscount)
        if ("coupon" in discount) == ("promotion_code" in discount):
            raise _fail("discount takes exactly one of coupon or promotion_code")
        if "promotion_code" in discount:
            check_token(discount["promotion_code"], "discount.promotion_code", "promo_")
    for key in ("from", "payer_handle"):
        if key in body:
            _phone(body[key], "from_" if key == "from" else key)
        elif rail == "natural":
            raise _fail(f"{'from_' if key == 'from' else key} is required when rail is 'natural'", rule="missing_field")
    if "metadata" in body:
        check_metadata(body["metadata"], max_keys=MAX_METADATA_KEYS)
    if "price_id" in body:
        check_token(body["price_id"], "price_id", "price_")
    if "quantity" in body:
        _count(body["quantity"], "quantity")
    if "trial_end" in body:
        if "trial_period_days" in body:
            raise _fail("give trial_end or trial_period_days, not both")
        _trial_end(body["trial_end"], now)
    if "trial_period_days" in body:
        _count(body["trial_period_days"], "trial_period_days")


def _trial_end_text(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError("trial_end must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc))")
        return value.isoformat()
    return value


def _offset(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"offset must be an int of at least 0, got {value!r}")
    return value


def _status(value: object) -> str | None:
    if value is None or value in PAYMENT_REQUEST_STATUSES:
        return value
    raise ValidationError(f"status must be one of {PAYMENT_REQUEST_STATUSES}, got {_validate.shown(value)}")


def _after(model: PaymentRequestListResponse, offset: str | None) -> str | None:
    """The offset of the page after the one fetched at ``offset``, or None on the last page."""
    return str(int(offset or 0) + len(model.data)) if model.has_more and model.data else None


class PaymentRequests(Resource[Mode]):
    """Payment requests: hosted checkout for one payment or a subscription's first invoice."""

    @cached_property
    def with_raw_response(self) -> PaymentRequests[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return PaymentRequests(self._client, True)

    @endpoint
    async def create(
        self,
        *,
        amount: int | None = None,
        currency: str | None = None,
        customer_id: str | None = None,
        description: str | None = None,
        discount: PaymentRequestDiscount | Mapping[str, str] | None = None,
        from_: str | None = None,
        metadata: Mapping[str, str] | None = None,
        mode: str | None = None,
        payer_handle: str | None = None,
        price_id: str | None = None,
        quantity: int | None = None,
        rail: str | None = None,
        trial_end: str | dt.datetime | None = None,
        trial_period_days: int | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> PaymentRequest:
        """Create a payment request; send its ``checkout_url`` to the payer (status ``requested``).

        ``POST /v3/payment_requests``. ``amount``: an int of cents, at least 50, with ``currency``
        ``"usd"`` (payment mode); ``mode``: ``"payment"`` (default) or ``"subscription"`` with
        ``price_id`` (``price_...``), ``quantity``, ``discount`` (``coupon`` or ``promotion_code``,
        and ``label``), ``trial_end`` (an aware datetime or ISO string) or ``trial_period_days``;
        ``customer_id``: an existing ``cus_...``; ``description``; ``metadata``: at most 49 text
        values; ``rail``: ``"stripe"`` (default) or ``"natural"`` with ``from_`` (your line) and
        ``payer_handle``; ``idempotency_key``: the ``Idempotency-Key`` header (generated when left
        out). Raises ``ValidationError`` before sending for a float or too small amount, another
        currency or a broken mode rule; ``PermissionDeniedError`` (Stripe not ready),
        ``BadRequestError`` or another ``APIError``, carrying ``idempotency_key``.
        """
        given = {
            "amount": amount,
            "currency": currency,
            "customer_id": customer_id,
            "description": description,
            "discount": discount,
            "from": from_,
            "metadata": metadata,
            "mode": mode,
            "payer_handle": payer_handle,
            "price_id": price_id,
            "quantity": quantity,
            "rail": rail,
            "trial_end": _trial_end_text(trial_end),
            "trial_period_days": trial_period_days,
        }
        body: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        if "discount" in body:
            body["discount"] = object_dict(body["discount"], "discount", DISCOUNT_KEYS, PaymentRequestDiscount)
        if "metadata" in body:
            body["metadata"] = check_metadata(body["metadata"], max_keys=MAX_METADATA_KEYS)
        check_payment_request(body)
        headers, sent = idempotency_headers(idempotency_key, options)
        try:
            return await self._request(
                "POST", "/v3/payment_requests", body=body, headers=headers, into=PaymentRequest, options=options
            )
        except LinqError as exc:
            exc.idempotency_key = sent  # type: ignore[attr-defined]
            raise

    @paginated
    def list(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        status: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[PaymentRequest]:
        """List payment requests, newest first, page by page (offset pagination).

        ``GET /v3/payment_requests``. ``limit``: per page (1-100; the API's default is 20);
        ``offset``: how many to skip; ``status``: only those in this state (``requested``,
        ``authorized``, ``succeeded``, ``canceled``, ``expired``, ``declined``). Returns a paginator
        at once: ``async for`` walks every page while ``has_more``, ``await`` gives the first page
        (``page.data``, ``page.has_more``). Raises ``ValidationError`` at once for a bad argument.
        """
        start = _offset(offset)
        params = {"limit": _limit(limit), "offset": None, "status": _status(status)}
        return self._paginate(
            "/v3/payment_requests",
            into=PaymentRequestListResponse,
            items="data",
            params=params,
            first=None if start is None else str(start),
            options=options,
            token="offset",  # noqa: S106 - the query parameter's name, not a secret
            next_token=_after,
        )

    @endpoint
    async def retrieve(self, payment_request_id: str, **options: Unpack[RequestOptions]) -> PaymentRequest:
        """Fetch a payment request: its status and details.

        ``GET /v3/payment_requests/{payment_request_id}``. Raises ``ValidationError`` before sending
        for a malformed id; ``NotFoundError`` (2021) or another ``APIError``.
        """
        path = f"/v3/payment_requests/{resource_id(payment_request_id, 'payment_request_id')}"
        return await self._request("GET", path, into=PaymentRequest, options=options)

    @endpoint
    async def cancel(self, payment_request_id: str, **options: Unpack[RequestOptions]) -> PaymentRequest:
        """Cancel an unpaid payment request (status ``canceled``; a subscription's is cancelled too).

        ``POST /v3/payment_requests/{payment_request_id}/cancel`` (no body). Raises
        ``ValidationError`` before sending for a malformed id; ``ConflictError`` (already paid,
        cancelled or expired), ``NotFoundError`` (2021) or another ``APIError``.
        """
        path = f"/v3/payment_requests/{resource_id(payment_request_id, 'payment_request_id')}/cancel"
        return await self._request("POST", path, into=PaymentRequest, options=options, repeatable=True)


class SyncPaymentRequests(SyncResource[Mode]):
    """Blocking twin of ``client.payment_requests``."""

    create = blocking(PaymentRequests.create)
    list = blocking(PaymentRequests.list)
    retrieve = blocking(PaymentRequests.retrieve)
    cancel = blocking(PaymentRequests.cancel)

    @cached_property
    def with_raw_response(self) -> SyncPaymentRequests[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPaymentRequests(self._runner, self._async.with_raw_response)
