"""Payments: agent payments with single-use cards, payment requests, customer handles and providers.

Money is always an ``int`` of minor units (cents for ``usd``): ``amount_cents`` on agent payments,
``amount`` on payment requests. No model has a float field, so an amount read back is exact.
Statuses stay plain strings (the server may add values); the known ones are listed below for
comparisons and documentation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from .._convert import Model

__all__ = [
    "Payment",
    "PaymentCredentialsResponse",
    "PaymentHandleConnection",
    "PaymentHandoff",
    "PaymentMerchant",
    "PaymentProvider",
    "PaymentProviderConnectResponse",
    "PaymentRequest",
    "PaymentRequestDiscount",
    "PaymentRequestListResponse",
    "PaymentRequestNatural",
    "PaymentRequestStripe",
]

# Known values of server-controlled fields (the fields themselves stay `str`).
PAYMENT_STATUSES = (
    "needs_connection",
    "connecting",
    "awaiting_user_action",
    "ready",
    "authorized",
    "succeeded",
    "declined",
    "canceled",
    "expired",
)
PAYMENT_REQUEST_STATUSES = ("requested", "authorized", "succeeded", "canceled", "expired", "declined")
CONNECTION_STATUSES = ("not_connected", "pending", "connected", "revoked")
PROVIDER_STATUSES = ("onboarding", "ready", "disabled")


# Agent payments ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PaymentMerchant(Model):
    """Who is paid: a display ``name`` and a ``url``; both optional. Also what ``payments.create`` takes."""

    name: str | None = None
    url: str | None = None


@attrs.frozen(kw_only=True)
class Payment(Model):
    """Where an agent payment stands, in ``status`` (``needs_connection`` ... ``succeeded``).

    ``id`` appears once a single-use card has been minted. ``approval_url`` (the customer confirms
    with a passkey, then you re-send the create with the same idempotency key) and ``attach_url``
    (the customer adds a card first; valid about 48 hours) come only with ``awaiting_user_action``.
    ``amount_cents`` is an int of cents.
    """

    id: str | None = None
    amount_cents: int | None = None
    approval_url: str | None = None
    attach_url: str | None = None
    currency: str | None = None
    description: str | None = None
    handle: str | None = None
    merchant: PaymentMerchant | None = None
    metadata: Mapping[str, str] | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class PaymentHandoff(Model):
    """A short-lived handoff: fetch the card from ``provider`` at ``fetch_url`` with ``user_token``.

    The card number never passes through Linq; do not store it or its CVC.
    """

    card_ref: str | None = None
    fetch_url: str | None = None
    provider: str | None = None
    user_token: str | None = None


@attrs.frozen(kw_only=True)
class PaymentCredentialsResponse(Model):
    """The answer to ``payments.credentials``: the card ``handoff`` of a ``ready`` payment."""

    handoff: PaymentHandoff | None = None


# Payment requests -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PaymentRequestDiscount(Model):
    """A subscription discount: one of ``coupon`` or ``promotion_code`` (a ``promo_...`` id), and a ``label``.

    Also what ``payment_requests.create(discount=...)`` takes.
    """

    coupon: str | None = None
    label: str | None = None
    promotion_code: str | None = None


@attrs.frozen(kw_only=True)
class PaymentRequestNatural(Model):
    """Natural wallet references of a ``rail="natural"`` request (``prq_...``, ``txn_...``)."""

    payment_request_id: str | None = None
    transaction_id: str | None = None


@attrs.frozen(kw_only=True)
class PaymentRequestStripe(Model):
    """Stripe references: the join keys to your own Stripe account (``cus_...``, ``pi_...``, ``sub_...``)."""

    customer_id: str | None = None
    payment_intent_id: str | None = None
    subscription_id: str | None = None


@attrs.frozen(kw_only=True)
class PaymentRequest(Model):
    """A request for the recipient to pay you through hosted checkout at ``checkout_url``.

    ``amount`` is an int of minor units: in subscription mode, what the first invoice asks after
    discounts (0 for a trial or a 100% coupon). ``status`` is one of ``requested``, ``authorized``,
    ``succeeded``, ``declined``, ``canceled``, ``expired``; ``paid_at`` is set once it succeeds.
    """

    id: str
    amount: int | None = None
    checkout_url: str | None = None
    created_at: dt.datetime | None = None
    currency: str | None = None
    mode: str | None = None
    object: str | None = None
    status: str | None = None
    description: str | None = None
    discount: PaymentRequestDiscount | None = None
    expires_at: dt.datetime | None = None
    interval: str | None = None
    interval_count: int | None = None
    metadata: Mapping[str, str] | None = None
    natural: PaymentRequestNatural | None = None
    paid_at: dt.datetime | None = None
    price_id: str | None = None
    quantity: int | None = None
    rail: str | None = None
    stripe: PaymentRequestStripe | None = None
    trial_end: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class PaymentRequestListResponse(Model):
    """One page of ``GET /v3/payment_requests``: ``data``, newest first, and ``has_more``."""

    data: tuple[PaymentRequest, ...] = ()
    has_more: bool = False
    object: str | None = None


# Customer handles and providers -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PaymentHandleConnection(Model):
    """A customer handle's connection for agent payments: ``not_connected``, ``pending``, ``connected``, ``revoked``.

    ``connect_id`` comes only from ``payment_handles.connect`` while the ceremony is pending; keep
    it for ``verify``, Linq does not store it.
    """

    connect_id: str | None = None
    handle: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class PaymentProvider(Model):
    """Your organisation's standing with a payment provider: ``onboarding``, ``ready`` or ``disabled``."""

    provider: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class PaymentProviderConnectResponse(Model):
    """The start of connecting a provider: send an admin to ``hosted_url`` to authorise."""

    hosted_url: str | None = None
    session_id: str | None = None
    status: str | None = None
