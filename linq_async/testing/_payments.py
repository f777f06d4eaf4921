"""The fake's payments area: agent payments, payment requests, customer handles and providers.

Payment requests follow the documented lifecycle: ``requested``, then ``authorized``, ``succeeded``,
``declined``, ``canceled`` (``cancel``, only while unpaid) or ``expired``, each change raising its
``payment.*`` webhook event with the request as its data. The payer's side is driven by helpers
(``succeed_payment_request``, ...). Agent payments move through ``needs_connection``,
``connecting``, ``awaiting_user_action`` (``attach_url`` until a card is on file, then
``approval_url`` until the customer approves) and ``ready`` (a card is minted and gets an ``id``);
each ``POST /v3/payments`` re-evaluates the payment its ``Idempotency-Key`` names. Handles connect
with a one-time code (``verification_code``) and raise ``connection.created``/``connection.revoked``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from .._rules import RuleError
from ..resources.payment_requests import check_payment_request
from ..resources.payments import check_payment, resource_id
from ._core import FakeBase, Refused, route, timestamp

__all__ = ["PAYMENT_RULES", "PaymentsArea"]

# rule -> (HTTP status, Linq code, message). Documented: 404/2021 for an unknown payment request,
# 409 for cancelling one already paid, cancelled or expired, 403 until Stripe can take charges and
# 400 for an unknown customer. The codes the docs do not give are the closest documented ones.
PAYMENT_RULES: dict[str, tuple[int, int, str]] = {
    "payment_request_not_found": (404, 2021, "Payment request not found"),
    "payment_not_found": (404, 2021, "Payment not found"),
    "payment_request_final": (409, 2015, "This payment request is already paid, canceled or expired"),
    "payment_final": (409, 2015, "This payment can no longer be canceled"),
    "payment_not_ready": (409, 2015, "Card credentials are available only while the payment is ready"),
    "stripe_not_ready": (403, 2011, "Connect a Stripe account with charges enabled first (Agent Pay → Connect Stripe)"),
    "natural_not_ready": (403, 2011, "Complete Natural merchant onboarding before using rail 'natural'"),
    "invalid_customer": (400, 1005, "No such customer on your connected Stripe account"),
    "invalid_price": (400, 1005, "No such recurring price on your connected Stripe account"),
    "invalid_discount": (400, 1005, "No such coupon or promotion code on your connected Stripe account"),
    "idempotency_mismatch": (400, 1005, "This Idempotency-Key was already used with different parameters"),
    "invalid_code": (400, 1005, "The code is wrong or has expired; call connect again for a new one"),
    "no_pending_connection": (409, 2015, "No connection is pending for this handle; call connect first"),
}

_FINAL_REQUEST = ("succeeded", "canceled", "expired")
_MINTED = ("ready", "authorized", "succeeded", "declined", "canceled", "expired")
_REQUEST_MOVES = {  # helper -> (new status, the statuses it may come from)
    "authorized": ("requested", "declined"),
    "succeeded": ("requested", "authorized", "declined"),
    "declined": ("requested", "authorized"),
    "expired": ("requested", "authorized", "declined"),
}
_PAYMENT_MOVES = {
    "authorized": ("ready",),
    "succeeded": ("ready", "authorized"),
    "declined": ("ready", "authorized"),
    "expired": ("ready", "authorized"),
}
_CHECKOUT_TTL = dt.timedelta(hours=24)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _token(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(12)}"


@attrs.define
class _Connection:
    handle: str
    status: str = "not_connected"
    connect_id: str | None = None
    code: str | None = None
    code_expired: bool = False
    card_on_file: bool = False
    needs_approval: bool = True

    def wire(self) -> dict[str, Any]:
        return {"handle": self.handle, "status": self.status}


@attrs.define
class _AgentPayment:
    body: dict[str, Any]
    fingerprint: str
    status: str = "needs_connection"
    id: str | None = None
    attach_url: str | None = None
    approval_url: str | None = None
    approved: bool = False
    card_ref: str | None = None

    def wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.id is not None:
            data["id"] = self.id
        data.update(self.body)
        data["status"] = self.status
        if self.status == "awaiting_user_action":
            if self.approval_url is not None:
                data["approval_url"] = self.approval_url
            elif self.attach_url is not None:
                data["attach_url"] = self.attach_url
        return data


@attrs.define
class _Price:
    amount: int
    interval: str
    interval_count: int


@attrs.define
class _Coupon:
    name: str
    percent_off: int | None
    amount_off: int | None

    def apply(self, amount: int) -> int:
        if self.percent_off is not None:
            return amount - (amount * self.percent_off + 50) // 100
        return max(0, amount - (self.amount_off or 0))


class PaymentsArea(FakeBase):
    """Payments: set up with ``connect_payment_handle``, ``add_price``, ...; drive with ``succeed_payment_request``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = PAYMENT_RULES

    def _setup_payments(self) -> None:
        self._payment_requests: dict[str, dict[str, Any]] = {}
        self._request_keys: dict[str, tuple[str, int, dict[str, Any]]] = {}  # key -> (fingerprint, status, body)
        self._agent_payments: list[_AgentPayment] = []
        self._payment_keys: dict[str, _AgentPayment] = {}
        self._connections: dict[str, _Connection] = {}
        self._providers: dict[str, dict[str, Any]] = {}
        self._charges_enabled = True
        self._natural_onboarded = True
        self._stripe_customers: set[str] = set()
        self._prices: dict[str, _Price] = {}
        self._coupons: dict[str, _Coupon] = {}
        self._promotion_codes: dict[str, str] = {}

    # Set-up helpers ---------------------------------------------------------------------------

    def configure_payments(self, *, charges_enabled: bool | None = None, natural_onboarded: bool | None = None) -> None:
        """Whether your Stripe account takes charges and Natural onboarding is done (both yes at first)."""
        with self._lock:
            if charges_enabled is not None:
                self._charges_enabled = bool(charges_enabled)
            if natural_onboarded is not None:
                self._natural_onboarded = bool(natural_onboarded)

    def add_stripe_customer(self, customer_id: str) -> None:
        """Make ``customer_id`` (``cus_...``) an existing customer of your connected Stripe account."""
        if not isinstance(customer_id, str) or not customer_id.startswith("cus_"):
            raise ValidationError(f"a Stripe customer id starts with 'cus_', got {customer_id!r}")
        with self._lock:
            self._stripe_customers.add(customer_id)

    def add_price(self, price_id: str, amount: int, *, interval: str = "month", interval_count: int = 1) -> None:
        """Add an active recurring price (``price_...``) of ``amount`` cents per ``interval_count`` ``interval``."""
        if not isinstance(price_id, str) or not price_id.startswith("price_"):
            raise ValidationError(f"a Stripe price id starts with 'price_', got {price_id!r}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValidationError(f"amount must be an int of cents, got {amount!r}")
        if interval not in ("day", "week", "month", "year"):
            raise ValidationError(f"interval must be day, week, month or year, got {interval!r}")
        with self._lock:
            self._prices[price_id] = _Price(amount, interval, interval_count)

    def add_coupon(
        self, coupon: str, *, percent_off: int | None = None, amount_off: int | None = None, name: str | None = None
    ) -> None:
        """Add a coupon taking ``percent_off`` (an int, 1-100) or ``amount_off`` cents off the first invoice."""
        if (percent_off is None) == (amount_off is None):
            raise ValidationError("give exactly one of percent_off or amount_off")
        for value in (percent_off, amount_off):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValidationError(f"a discount is a positive int, got {value!r}")
        if percent_off is not None and percent_off > 100:
            raise ValidationError(f"percent_off is at most 100, got {percent_off}")
        with self._lock:
            self._coupons[coupon] = _Coupon(name or coupon, percent_off, amount_off)

    def add_promotion_code(self, promotion_code: str, coupon: str) -> None:
        """Add a promotion code id (``promo_...``) standing for an added ``coupon``."""
        if not isinstance(promotion_code, str) or not promotion_code.startswith("promo_"):
            raise ValidationError(f"a promotion code id starts with 'promo_', got {promotion_code!r}")
        with self._lock:
            if coupon not in self._coupons:
                raise ValidationError(f"add the coupon {coupon!r} first (add_coupon)")
            self._promotion_codes[promotion_code] = coupon

    def connect_payment_handle(self, handle: str, *, card_on_file: bool = True, needs_approval: bool = False) -> None:
        """Connect a customer for agent payments without the ceremony (as after ``verify``), no event raised.

        ``card_on_file``: whether they already have a card (else payments ask them to attach one);
        ``needs_approval``: whether each charge waits for their passkey approval.
        """
        with self._lock:
            connection = self._connection(_validate.handle(handle))
            connection.status, connection.connect_id, connection.code = "connected", None, None
            connection.card_on_file, connection.needs_approval = card_on_file, needs_approval

    def attach_card(self, handle: str) -> None:
        """The customer adds a card (what they do at a payment's ``attach_url``)."""
        with self._lock:
            self._connection(_validate.handle(handle)).card_on_file = True

    def verification_code(self, handle: str) -> str:
        """The one-time code the pending connection of ``handle`` sent the customer."""
        with self._lock:
            connection = self._connections.get(_validate.handle(handle))
            if connection is None or connection.code is None:
                raise ValidationError(f"no connection of {handle!r} is pending; call payment_handles.connect first")
            return connection.code

    def expire_verification_code(self, handle: str) -> None:
        """Let the pending code of ``handle`` expire: ``verify`` then answers 400 until a new ``connect``."""
        with self._lock:
            self.verification_code(handle)
            self._connections[handle].code_expired = True

    def payment_connection(self, handle: str) -> dict[str, Any]:
        """A customer's connection as ``payment_handles.connection`` answers it."""
        with self._lock:
            return self._connection(_validate.handle(handle)).wire()

    def approve_payment(self, approval_url: str) -> None:
        """The customer approves the charge behind ``approval_url``; re-send the create to collect it."""
        with self._lock:
            flow = next((p for p in self._agent_payments if p.approval_url == approval_url), None)
            if flow is None:
                raise ValidationError(f"no agent payment waits for approval at {approval_url!r}")
            flow.approved = True

    def payment(self, payment_id: str) -> dict[str, Any]:
        """An agent payment as ``payments.retrieve`` answers it."""
        with self._lock:
            return self._minted(payment_id).wire()

    def agent_payments(self) -> list[dict[str, Any]]:
        """Every agent payment, oldest first, minted or not."""
        with self._lock:
            return [flow.wire() for flow in self._agent_payments]

    def settle_payment(self, payment_id: str, status: str) -> dict[str, Any]:
        """The merchant charges a minted card: ``authorized``, ``succeeded``, ``declined`` or ``expired``."""
        if status not in _PAYMENT_MOVES:
            raise ValidationError(f"status must be one of {tuple(_PAYMENT_MOVES)}, got {status!r}")
        with self._lock:
            flow = self._minted(payment_id)
            if flow.status not in _PAYMENT_MOVES[status]:
                raise ValidationError(f"payment {payment_id} is {flow.status}; it cannot become {status}")
            flow.status = status
            return flow.wire()

    def payment_request(self, payment_request_id: str) -> dict[str, Any]:
        """A payment request as ``payment_requests.retrieve`` answers it."""
        with self._lock:
            return dict(self._known_request(payment_request_id))

    def payment_requests(self) -> list[dict[str, Any]]:
        """Every payment request, oldest first."""
        with self._lock:
            return [dict(data) for data in self._payment_requests.values()]

    def authorize_payment_request(self, payment_request_id: str) -> dict[str, Any]:
        """The payer's card is authorised (not yet captured); raises ``payment.authorized``."""
        return self._move_request(payment_request_id, "authorized")

    def succeed_payment_request(self, payment_request_id: str) -> dict[str, Any]:
        """The payer pays (or, on a trial, leaves a card); raises ``payment.succeeded``."""
        return self._move_request(payment_request_id, "succeeded")

    def decline_payment_request(self, payment_request_id: str) -> dict[str, Any]:
        """The payer's card is declined (they may try again); raises ``payment.declined``."""
        return self._move_request(payment_request_id, "declined")

    def expire_payment_request(self, payment_request_id: str) -> dict[str, Any]:
        """An unpaid request runs out of time; raises ``payment.expired``."""
        return self._move_request(payment_request_id, "expired")

    def payment_provider(self, provider: str) -> dict[str, Any]:
        """Your standing with ``provider`` as ``payment_providers.retrieve`` answers it."""
        with self._lock:
            return {"provider": provider, "status": self._providers.get(provider, {}).get("status", "disabled")}

    def complete_provider_onboarding(self, provider: str) -> None:
        """The admin authorised at the hosted URL: ``provider`` becomes ``ready``."""
        self.set_payment_provider(provider, "ready")

    def set_payment_provider(self, provider: str, status: str) -> None:
        """Set your standing with ``provider``: ``onboarding``, ``ready`` or ``disabled``."""
        if status not in ("onboarding", "ready", "disabled"):
            raise ValidationError(f"status must be onboarding, ready or disabled, got {status!r}")
        with self._lock:
            self._providers.setdefault(resource_id(provider, "provider"), {})["status"] = status

    # Plumbing ---------------------------------------------------------------------------------

    def _connection(self, handle: str) -> _Connection:
        connection = self._connections.get(handle)
        if connection is None:
            connection = self._connections[handle] = _Connection(handle)
        return connection

    def _minted(self, payment_id: str) -> _AgentPayment:
        flow = next((p for p in self._agent_payments if p.id == payment_id), None)
        if flow is None:
            raise ValidationError(f"the fake server has no agent payment {payment_id!r}")
        return flow

    def _known_request(self, payment_request_id: str) -> dict[str, Any]:
        data = self._payment_requests.get(payment_request_id)
        if data is None:
            raise ValidationError(f"the fake server has no payment request {payment_request_id!r}")
        return data

    def _move_request(self, payment_request_id: str, status: str, request: web.Request | None = None) -> dict[str, Any]:
        with self._lock:
            data = self._known_request(payment_request_id)
            if data["status"] not in _REQUEST_MOVES[status]:
                raise ValidationError(f"payment request {payment_request_id} is {data['status']}; not {status}")
            self._set_request_status(data, status)
            snapshot = dict(data)
        self._emit(request, f"payment.{status}", snapshot)
        return snapshot

    def _set_request_status(self, data: dict[str, Any], status: str) -> None:
        now = timestamp()
        data["status"], data["updated_at"] = status, now
        if status == "succeeded":
            data["paid_at"] = now
            if "natural" in data:
                data["natural"] = {**data["natural"], "transaction_id": _token("txn_")}

    @staticmethod
    def _checked(check: Any, body: Mapping[str, Any], **kwargs: Any) -> None:
        try:
            check(body, **kwargs)
        except RuleError as broken:
            raise Refused(broken.rule) from None

    def _segment(self, request: web.Request, name: str) -> str:
        value = request.match_info[name]
        try:
            return _validate.handle(value) if name == "handle" else resource_id(value, name)
        except ValidationError:
            raise Refused("invalid_parameter") from None

    # Payment requests -------------------------------------------------------------------------

    def _new_request(self, body: Mapping[str, Any]) -> dict[str, Any]:
        now_text = timestamp()
        now = dt.datetime.fromisoformat(now_text)
        mode, rail = body.get("mode", "payment"), body.get("rail", "stripe")
        if rail == "natural":
            if not self._natural_onboarded:
                raise Refused("natural_not_ready")
            if body["from"] not in self.lines:
                raise Refused("not_your_number")
        elif not self._charges_enabled:
            raise Refused("stripe_not_ready")
        customer = body.get("customer_id")
        if customer is not None and customer not in self._stripe_customers:
            raise Refused("invalid_customer")
        data: dict[str, Any] = {"id": _token("pr_"), "object": "payment_request"}
        if mode == "subscription":
            price = self._prices.get(body["price_id"])
            if price is None:
                raise Refused("invalid_price")
            quantity = body.get("quantity", 1)
            amount = price.amount * quantity
            discount = body.get("discount")
            if discount is not None:
                promotion = discount.get("promotion_code")
                coupon_id = self._promotion_codes.get(promotion) if promotion else discount.get("coupon")
                coupon = self._coupons.get(coupon_id) if coupon_id is not None else None
                if coupon is None:
                    raise Refused("invalid_discount")
                amount = coupon.apply(amount)
                applied = {"coupon": coupon_id, "label": discount.get("label", coupon.name)}
                data["discount"] = {**applied, **({"promotion_code": promotion} if promotion else {})}
            trial_end = body.get("trial_end")
            if "trial_period_days" in body:
                trial_end = _iso(now + dt.timedelta(days=body["trial_period_days"]))
            if trial_end is not None:
                amount = 0  # the first invoice of a trial is $0; the card is collected for later
                data["trial_end"] = _iso(dt.datetime.fromisoformat(trial_end))
            data.update(
                amount=amount,
                currency="usd",
                interval=price.interval,
                interval_count=price.interval_count,
                price_id=body["price_id"],
                quantity=quantity,
            )
        else:
            data.update(amount=body["amount"], currency=body["currency"].lower())
        slug = secrets.token_urlsafe(6)
        data.update(
            checkout_url=f"https://zero.linqapp.com/pay/{slug}?session={secrets.token_urlsafe(12)}",
            created_at=now_text,
            updated_at=now_text,
            expires_at=_iso(now + _CHECKOUT_TTL),
            mode=mode,
            rail=rail,
            status="requested",
        )
        for optional in ("description", "metadata"):
            if optional in body:
                data[optional] = body[optional]
        if rail == "natural":
            data["natural"] = {"payment_request_id": _token("prq_")}
        else:
            stripe: dict[str, Any] = {}
            if customer is not None or mode == "subscription":
                stripe["customer_id"] = customer or _token("cus_")
            if mode == "subscription":
                stripe["subscription_id"] = _token("sub_")
            else:
                stripe["payment_intent_id"] = _token("pi_")
            data["stripe"] = stripe
        return data

    @route("POST", "/payment_requests")
    async def _create_payment_request(self, request: web.Request) -> web.Response:
        body = self._json(await request.read())
        self._checked(check_payment_request, body, now=dt.datetime.now(dt.UTC))
        key = request.headers.get("Idempotency-Key")
        fingerprint = json.dumps(body, sort_keys=True)
        with self._lock:
            if key:
                seen = self._request_keys.get(key)
                if seen is not None:
                    if seen[0] != fingerprint:
                        raise Refused("idempotency_mismatch")
                    return web.json_response(seen[2], status=seen[1])
            data = self._new_request(body)
            self._payment_requests[data["id"]] = data
            answer = dict(data)
            if key:
                self._request_keys[key] = (fingerprint, 201, answer)
        return web.json_response(answer, status=201)

    @route("GET", "/payment_requests")
    async def _list_payment_requests(self, request: web.Request) -> web.Response:
        query = request.query
        try:
            limit = int(query.get("limit", 20))
            offset = int(query.get("offset", 0))
        except ValueError:
            raise Refused("invalid_parameter") from None
        status = query.get("status")
        if not 1 <= limit <= 100 or offset < 0:
            raise Refused("invalid_parameter")
        with self._lock:
            found = [dict(d) for d in reversed(self._payment_requests.values()) if status in (None, d["status"])]
        page = found[offset : offset + limit]
        return web.json_response({"object": "list", "data": page, "has_more": offset + limit < len(found)})

    def _request_for(self, request: web.Request) -> dict[str, Any]:
        data = self._payment_requests.get(request.match_info["payment_request_id"])
        if data is None:
            raise Refused("payment_request_not_found")
        return data

    @route("GET", "/payment_requests/{payment_request_id}")
    async def _get_payment_request(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(dict(self._request_for(request)))

    @route("POST", "/payment_requests/{payment_request_id}/cancel")
    async def _cancel_payment_request(self, request: web.Request) -> web.Response:
        with self._lock:
            data = self._request_for(request)
            if data["status"] in _FINAL_REQUEST:
                raise Refused("payment_request_final")
            self._set_request_status(data, "canceled")
            snapshot = dict(data)
        self._emit(request, "payment.canceled", snapshot)
        return web.json_response(snapshot)

    # Agent payments ---------------------------------------------------------------------------

    def _advance(self, flow: _AgentPayment) -> None:
        if flow.status in _MINTED:
            return
        connection = self._connections.get(flow.body["handle"])
        state = connection.status if connection is not None else "not_connected"
        if connection is None or state != "connected":
            flow.status = "connecting" if state == "pending" else "needs_connection"
            return
        flow.status = "awaiting_user_action"
        if not connection.card_on_file:
            flow.attach_url = flow.attach_url or f"https://pay.linqapp.com/attach/{secrets.token_urlsafe(12)}"
        elif connection.needs_approval and not flow.approved:
            flow.approval_url = flow.approval_url or f"https://pay.linqapp.com/approve/{secrets.token_urlsafe(12)}"
        else:
            flow.status, flow.id, flow.card_ref = "ready", _token("pay_"), _token("card_")

    @route("POST", "/payments")
    async def _create_payment(self, request: web.Request) -> web.Response:
        body = self._json(await request.read())
        self._checked(check_payment, body)
        key = request.headers.get("Idempotency-Key")
        known = {"amount_cents", "currency", "handle", "description", "merchant", "metadata"}
        echoed = {k: v for k, v in body.items() if k in known}
        fingerprint = json.dumps(echoed, sort_keys=True)
        with self._lock:
            flow = self._payment_keys.get(key) if key else None
            if flow is None:
                flow = _AgentPayment(echoed, fingerprint)
                self._agent_payments.append(flow)
                if key:
                    self._payment_keys[key] = flow
            elif flow.fingerprint != fingerprint:
                raise Refused("idempotency_mismatch")
            self._advance(flow)
            return web.json_response(flow.wire())

    def _payment_for(self, request: web.Request) -> _AgentPayment:
        payment_id = request.match_info["payment_id"]
        flow = next((p for p in self._agent_payments if p.id == payment_id), None)
        if flow is None:
            raise Refused("payment_not_found")
        return flow

    @route("GET", "/payments/{payment_id}")
    async def _get_payment(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._payment_for(request).wire())

    @route("POST", "/payments/{payment_id}/cancel")
    async def _cancel_payment(self, request: web.Request) -> web.Response:
        with self._lock:
            flow = self._payment_for(request)
            if flow.status not in ("ready", "authorized"):
                raise Refused("payment_final")
            flow.status = "canceled"
            return web.json_response(flow.wire())

    @route("GET", "/payments/{payment_id}/credentials")
    async def _payment_credentials(self, request: web.Request) -> web.Response:
        with self._lock:
            flow = self._payment_for(request)
            if flow.status != "ready":
                raise Refused("payment_not_ready")
            handoff = {
                "card_ref": flow.card_ref,
                "fetch_url": f"https://api.agentcard.example/v1/cards/{flow.card_ref}",
                "provider": "agentcard",
                "user_token": _token("utok_"),
            }
        return web.json_response({"handoff": handoff})

    # Customer handles -------------------------------------------------------------------------

    @route("POST", "/payments/handles/{handle}/connect")
    async def _connect_handle(self, request: web.Request) -> web.Response:
        handle = self._segment(request, "handle")
        with self._lock:
            connection = self._connection(handle)
            if connection.status == "connected":
                return web.json_response(connection.wire())
            connection.status, connection.connect_id = "pending", _token("conn_")
            connection.code, connection.code_expired = f"{secrets.randbelow(10**6):06d}", False
            return web.json_response({**connection.wire(), "connect_id": connection.connect_id})

    @route("GET", "/payments/handles/{handle}/connection")
    async def _handle_connection(self, request: web.Request) -> web.Response:
        handle = self._segment(request, "handle")
        with self._lock:
            return web.json_response(self._connection(handle).wire())

    @route("DELETE", "/payments/handles/{handle}/connection")
    async def _revoke_handle(self, request: web.Request) -> web.Response:
        handle = self._segment(request, "handle")
        with self._lock:
            connection = self._connection(handle)
            was = connection.status
            if was in ("connected", "pending"):
                connection.status, connection.connect_id, connection.code = "revoked", None, None
            answer = connection.wire()
        if was == "connected":
            self._emit(request, "connection.revoked", answer)
        return web.json_response(answer)

    @route("POST", "/payments/handles/{handle}/verify")
    async def _verify_handle(self, request: web.Request) -> web.Response:
        handle = self._segment(request, "handle")
        data = self._json(await request.read())
        code, connect_id = data.get("code"), data.get("connect_id")
        if not code or not connect_id:
            raise Refused("missing_field")
        with self._lock:
            connection = self._connections.get(handle)
            if connection is None or connection.status != "pending":
                raise Refused("no_pending_connection")
            if connect_id != connection.connect_id or code != connection.code or connection.code_expired:
                raise Refused("invalid_code")
            connection.status, connection.connect_id, connection.code = "connected", None, None
            answer = connection.wire()
        self._emit(request, "connection.created", answer)
        return web.json_response(answer)

    # Providers --------------------------------------------------------------------------------

    @route("POST", "/payments/providers/{provider}/connect")
    async def _connect_provider(self, request: web.Request) -> web.Response:
        provider = self._segment(request, "provider")
        data = self._json(await request.read())
        if data.get("return_url") is None:
            raise Refused("missing_field")
        try:
            return_url = _validate.https_url(data["return_url"], "return_url")
        except ValidationError:
            raise Refused("invalid_parameter") from None
        with self._lock:
            state = self._providers.setdefault(provider, {})
            if state.get("status") != "ready":
                state["status"] = "onboarding"
            state["session_id"], state["return_url"] = _token("cps_"), return_url
            answer = {
                "hosted_url": f"https://connect.linqapp.com/providers/{provider}/{state['session_id']}",
                "session_id": state["session_id"],
                "status": state["status"],
            }
        return web.json_response(answer)

    @route("GET", "/payments/providers/{provider}")
    async def _get_provider(self, request: web.Request) -> web.Response:
        provider = self._segment(request, "provider")
        return web.json_response(self.payment_provider(provider))
