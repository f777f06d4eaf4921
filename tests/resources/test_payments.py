"""Payments: agent payments, payment requests, customer handles and providers, on both clients.

Wire equality with linq-python, offset pagination, idempotency keys across retries, money kept as
exact ints, refusals before sending, and the fake's documented lifecycle and webhook events.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from linq_async import (
    AsyncLinqClient,
    AsyncPaginator,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Page,
    Payment,
    PaymentCredentialsResponse,
    PaymentHandleConnection,
    PaymentMerchant,
    PaymentProvider,
    PaymentProviderConnectResponse,
    PaymentRequest,
    PaymentRequestDiscount,
    PaymentRequestListResponse,
    PermissionDeniedError,
    RetryPolicy,
    ValidationError,
)
from linq_async.testing import FakeLinqServer

from ..helpers import KEY, ScriptedAPI, Sleeps, envelope
from ..wire import WireCase, check_wire, compare

LINE = "+14155550000"  # the fake_server fixture's line
CUSTOMER = "+15551234567"
PAYER = "+15557654321"
EMAIL = "ana@example.com"
NOW = "2026-11-22T10:00:00.000Z"
TRIAL_END = dt.datetime(2036, 6, 1, 12, 0, tzinfo=dt.UTC)


def request_json(**extra: Any) -> dict[str, Any]:
    return {
        "id": "pr_123",
        "object": "payment_request",
        "amount": 5000,
        "currency": "usd",
        "checkout_url": "https://zero.linqapp.com/pay/abc?session=s",
        "created_at": NOW,
        "mode": "payment",
        "status": "requested",
        **extra,
    }


PAYMENT = {"id": "pay_123", "amount_cents": 1999, "currency": "usd", "handle": CUSTOMER, "status": "ready"}
CONNECTION = {"handle": CUSTOMER, "status": "pending", "connect_id": "conn_abc"}
LIST = {"object": "list", "data": [request_json()], "has_more": False}


# Wire equality with linq-python ---------------------------------------------------------------

WIRE = [
    WireCase(
        "payments.create",
        kwargs={
            "amount_cents": 1999,
            "currency": "usd",
            "handle": CUSTOMER,
            "description": "Order 42",
            "merchant": {"name": "Acme", "url": "https://acme.example"},
            "metadata": {"order_id": "42"},
        },
        answer=PAYMENT,
    ),
    WireCase("payments.create", kwargs={"amount_cents": 1, "currency": "USD", "handle": EMAIL}, label="minimal"),
    WireCase(
        "payments.create",
        kwargs={"amount_cents": 500, "currency": "usd", "handle": CUSTOMER, "merchant": {"name": "Acme"}},
        ours_kwargs={
            "amount_cents": 500,
            "currency": "usd",
            "handle": CUSTOMER,
            "merchant": PaymentMerchant(name="Acme"),
        },
        label="merchant-model",
    ),
    WireCase("payments.retrieve", ("pay_123",), answer=PAYMENT),
    WireCase("payments.cancel", ("pay_123",), answer={**PAYMENT, "status": "canceled"}),
    WireCase("payments.credentials", ("pay_123",), answer={"handoff": {"card_ref": "c", "provider": "agentcard"}}),
    WireCase(
        "payment_requests.create",
        kwargs={
            "amount": 5000,
            "currency": "usd",
            "description": "Invoice 7",
            "metadata": {"chat_id": "c1"},
            "idempotency_key": "idem-123",
        },
        answer=request_json(),
        status=201,
    ),
    WireCase(
        "payment_requests.create",
        kwargs={
            "mode": "subscription",
            "price_id": "price_1QAbCdEfGhIjKlMn",
            "quantity": 2,
            "customer_id": "cus_123",
            "discount": {"coupon": "7fKCMvBh", "label": "50% OFF FIRST MONTH"},
            "trial_end": TRIAL_END,
            "metadata": {"plan": "team"},
        },
        answer=request_json(mode="subscription"),
        status=201,
        label="subscription",
    ),
    WireCase(
        "payment_requests.create",
        kwargs={
            "mode": "subscription",
            "price_id": "price_1",
            "trial_period_days": 14,
            "discount": {"promotion_code": "promo_1"},
        },
        ours_kwargs={
            "mode": "subscription",
            "price_id": "price_1",
            "trial_period_days": 14,
            "discount": PaymentRequestDiscount(promotion_code="promo_1"),
        },
        status=201,
        label="promotion-and-trial-days",
    ),
    WireCase(
        "payment_requests.create",
        kwargs={"mode": "subscription", "price_id": "price_1", "trial_end": "2036-06-01T12:00:00Z"},
        status=201,
        label="trial-end-text",
    ),
    WireCase(
        "payment_requests.create",
        kwargs={
            "amount": 5000,
            "currency": "usd",
            "rail": "natural",
            "from_": "+15551234567",
            "payer_handle": "+15557654321",
            "customer_id": "cus_9",
        },
        status=201,
        label="natural",
    ),
    WireCase("payment_requests.create", kwargs={"amount": 50, "currency": "usd", "mode": "payment"}, label="min"),
    WireCase("payment_requests.list", kwargs={"limit": 10, "offset": 20, "status": "succeeded"}, answer=LIST),
    WireCase("payment_requests.list", answer=LIST, label="no-args"),
    WireCase("payment_requests.list", kwargs={"limit": 100, "status": "declined"}, answer=LIST, label="declined"),
    WireCase("payment_requests.list", kwargs={"offset": 0}, answer=LIST, label="offset-0"),
    WireCase("payment_requests.retrieve", ("pr_123",), answer=request_json()),
    WireCase("payment_requests.cancel", ("pr_123",), answer=request_json(status="canceled")),
    WireCase("payment_handles.connect", (CUSTOMER,), answer=CONNECTION),
    WireCase("payment_handles.connection", ("user@example.com",), answer={"handle": EMAIL, "status": "connected"}),
    WireCase("payment_handles.connection", ("a/b?c#d%@example.com",), label="quoting"),
    WireCase("payment_handles.connection", ("o'brien+pay@example.com",), label="safe-characters"),
    WireCase("payment_handles.revoke", (CUSTOMER,), answer={"handle": CUSTOMER, "status": "revoked"}),
    WireCase("payment_handles.verify", (CUSTOMER,), {"code": "123456", "connect_id": "conn_abc"}),
    WireCase("payment_providers.connect", ("agentcard",), {"return_url": "https://example.com/done"}),
    WireCase("payment_providers.retrieve", ("agentcard",), answer={"provider": "agentcard", "status": "ready"}),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_an_idempotency_key_goes_out_as_linq_pythons_header(recorder: ScriptedAPI, official: Any) -> None:
    """linq-python takes the payments.create key only through extra_headers; ours is an argument too."""
    from linq_async import SyncLinqClient

    recorder.reply(200, PAYMENT)
    recorder.reply(200, PAYMENT)
    recorder.reply(200, PAYMENT)
    kwargs = {"amount_cents": 1999, "currency": "usd", "handle": CUSTOMER}
    official.with_options(base_url=recorder.base_url).payments.create(
        **kwargs, extra_headers={"Idempotency-Key": "pay-idem-1"}
    )
    with SyncLinqClient(KEY, base_url=recorder.base_url, max_retries=0) as ours:
        ours.payments.create(**kwargs, idempotency_key="pay-idem-1")
        ours.payments.create(**kwargs, extra_headers={"Idempotency-Key": "pay-idem-1"})
    compare(recorder.seen[1], recorder.seen[0])
    compare(recorder.seen[2], recorder.seen[0])
    assert {s.headers["Idempotency-Key"] for s in recorder.seen} == {"pay-idem-1"}


# Idempotency keys across retries and on errors -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "answer"),
    [
        ("payments", {"amount_cents": 1999, "currency": "usd", "handle": CUSTOMER}, PAYMENT),
        ("payment_requests", {"amount": 5000, "currency": "usd"}, request_json()),
    ],
)
async def test_a_generated_key_is_reused_on_retries_and_found_on_the_error(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, name: str, kwargs: dict[str, Any], answer: Any
) -> None:
    client = make_client()
    api.reply(500, envelope(500, 3006))
    api.drop()
    api.reply(200, answer)
    await getattr(client, name).create(**kwargs)
    keys = [s.headers["Idempotency-Key"] for s in api.seen]
    assert len(keys) == 3 and len(set(keys)) == 1 and uuid.UUID(keys[0])
    api.reply(200, answer)
    await getattr(client, name).create(**kwargs)
    assert api.seen[3].headers["Idempotency-Key"] != keys[0], "one key per logical call"

    api.reply(500, envelope(500, 3006), times=3)
    with pytest.raises(InternalServerError) as failed:
        await getattr(client, name).create(**kwargs)
    sent = {s.headers["Idempotency-Key"] for s in api.seen[4:]}
    assert [failed.value.idempotency_key] == list(sent)  # type: ignore[attr-defined]

    api.reply(403, envelope(403, 2011))
    with pytest.raises(PermissionDeniedError) as denied:
        await getattr(client, name).create(**kwargs, idempotency_key="order-42")
    assert denied.value.idempotency_key == "order-42"  # type: ignore[attr-defined]
    assert api.seen[-1].headers["Idempotency-Key"] == "order-42"
    api.reply(400, envelope(400, 1005))
    with pytest.raises(BadRequestError) as bad:
        await getattr(client, name).create(**kwargs, extra_headers={"idempotency-key": "from-extra"})
    assert bad.value.idempotency_key == "from-extra"  # type: ignore[attr-defined]
    assert {k.lower(): v for k, v in api.seen[-1].headers.items()}["idempotency-key"] == "from-extra"


async def test_bad_idempotency_keys_are_refused(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    for key in ["", "k" * 256, "naïve"]:
        with pytest.raises(ValidationError, match="idempotency_key"):
            await client.payment_requests.create(amount=5000, currency="usd", idempotency_key=key)
        with pytest.raises(ValidationError, match="idempotency_key"):
            await client.payments.create(amount_cents=1, currency="usd", handle=CUSTOMER, idempotency_key=key)
    assert api.seen == []


def test_a_create_whose_answer_was_cut_off_is_replayed_not_repeated(
    any_client: Any, fake_server: FakeLinqServer
) -> None:
    fake_server.inject("truncate", path="/payment_requests")
    # Fetched again with the same Idempotency-Key: the API replays the first answer.
    created = any_client.payment_requests.create(amount=2500, currency="usd", description="once")
    assert len(fake_server.requests) == 2
    assert fake_server.requests[0].headers["Idempotency-Key"] == fake_server.requests[1].headers["Idempotency-Key"]
    assert [r["id"] for r in fake_server.payment_requests()] == [created.id]
    fake_server.inject("truncate", path="/v3/payments")
    any_client.payments.create(amount_cents=700, currency="usd", handle=CUSTOMER)
    assert len(fake_server.agent_payments()) == 1


def test_the_same_key_with_other_parameters_is_refused(any_client: Any, fake_server: FakeLinqServer) -> None:
    first = any_client.payment_requests.create(amount=5000, currency="usd", idempotency_key="inv-7")
    again = any_client.payment_requests.create(amount=5000, currency="usd", idempotency_key="inv-7")
    assert again.id == first.id and len(fake_server.payment_requests()) == 1
    with pytest.raises(BadRequestError) as info:
        any_client.payment_requests.create(amount=6000, currency="usd", idempotency_key="inv-7")
    assert info.value.code == 1005
    assert info.value.idempotency_key == "inv-7"  # type: ignore[attr-defined]
    any_client.payments.create(amount_cents=100, currency="usd", handle=CUSTOMER, idempotency_key="p-1")
    with pytest.raises(BadRequestError):
        any_client.payments.create(amount_cents=101, currency="usd", handle=CUSTOMER, idempotency_key="p-1")


# Payment requests -------------------------------------------------------------------------------


def test_create_retrieve_and_cancel_a_payment_request(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.payment_requests.create(
        amount=5000, currency="usd", description="Invoice 7", metadata={"chat_id": "c1"}
    )
    assert isinstance(created, PaymentRequest)
    assert (created.status, created.amount, created.currency, created.mode) == ("requested", 5000, "usd", "payment")
    assert type(created.amount) is int
    assert created.checkout_url is not None and created.checkout_url.startswith("https://zero.linqapp.com/pay/")
    assert created.metadata == {"chat_id": "c1"}
    assert created.stripe is not None and created.stripe.payment_intent_id is not None
    assert created.expires_at is not None and created.created_at is not None and created.paid_at is None
    assert fake_server.requests[-1].headers["Idempotency-Key"]
    assert any_client.payment_requests.retrieve(created.id) == created
    canceled = any_client.payment_requests.cancel(created.id)
    assert canceled.status == "canceled"
    [event] = fake_server.events
    assert event["event_type"] == "payment.canceled"
    assert event["data"]["id"] == created.id and event["data"]["amount"] == 5000
    assert event["data"]["metadata"] == {"chat_id": "c1"}
    with pytest.raises(ConflictError) as again:
        any_client.payment_requests.cancel(created.id)
    assert again.value.code == 2015
    assert len([r for r in fake_server.requests if r.path.endswith("/cancel")]) == 2, "a 409 is not retried"


def test_unknown_payment_requests_are_404_2021(any_client: Any, fake_server: FakeLinqServer) -> None:
    for call in (any_client.payment_requests.retrieve, any_client.payment_requests.cancel):
        with pytest.raises(NotFoundError) as info:
            call("pr_nothing")
        assert info.value.code == 2021


def test_the_payment_request_lifecycle_raises_its_events(any_client: Any, fake_server: FakeLinqServer) -> None:
    paid = any_client.payment_requests.create(amount=1200, currency="usd", metadata={"order": "9"}).id
    fake_server.authorize_payment_request(paid)
    assert any_client.payment_requests.retrieve(paid).status == "authorized"
    fake_server.succeed_payment_request(paid)
    done = any_client.payment_requests.retrieve(paid)
    assert done.status == "succeeded" and done.paid_at is not None
    with pytest.raises(ConflictError):
        any_client.payment_requests.cancel(paid)

    declined = any_client.payment_requests.create(amount=1200, currency="usd").id
    fake_server.decline_payment_request(declined)
    assert any_client.payment_requests.cancel(declined).status == "canceled", "a declined request is still unpaid"
    expired = any_client.payment_requests.create(amount=1200, currency="usd").id
    fake_server.expire_payment_request(expired)
    with pytest.raises(ConflictError):
        any_client.payment_requests.cancel(expired)
    with pytest.raises(ValidationError):
        fake_server.succeed_payment_request(expired)

    events = [(e["event_type"], e["data"]["id"]) for e in fake_server.events]
    assert events == [
        ("payment.authorized", paid),
        ("payment.succeeded", paid),
        ("payment.declined", declined),
        ("payment.canceled", declined),
        ("payment.expired", expired),
    ]
    succeeded = fake_server.events[1]["data"]
    assert (succeeded["amount"], succeeded["currency"], succeeded["metadata"]) == (1200, "usd", {"order": "9"})


def test_list_walks_every_page_by_offset(any_client: Any, fake_server: FakeLinqServer) -> None:
    ids = [any_client.payment_requests.create(amount=100 + n, currency="usd").id for n in range(23)]
    start = len(fake_server.requests)
    listed = [r.id for r in any_client.payment_requests.list(limit=5)]
    assert listed == list(reversed(ids)), "newest first, every page"
    queries = [r.query for r in fake_server.requests[start:]]
    assert [q.get("offset") for q in queries] == [None, "5", "10", "15", "20"]
    assert all(q["limit"] == "5" for q in queries)
    sizes = [len(page) for page in any_client.payment_requests.list(limit=10).pages()]
    assert sizes == [10, 10, 3]
    later = [r.amount for r in any_client.payment_requests.list(limit=4, offset=19)]
    assert later == [103, 102, 101, 100]


def test_the_first_page_reads_like_linq_pythons_answer(any_client: Any, fake_server: FakeLinqServer) -> None:
    for n in range(7):
        any_client.payment_requests.create(amount=50 + n, currency="usd")
    page = any_client.payment_requests.list(limit=3).first_page()
    assert isinstance(page, Page) and isinstance(page.model, PaymentRequestListResponse)
    assert (page.object, page.has_more, len(page.data), page.next_cursor) == ("list", True, 3, "3")
    assert [r.amount for r in page.data] == [56, 55, 54]
    last = any_client.payment_requests.list(limit=3, offset=6).first_page()
    assert (last.has_more, len(last), last.next_cursor, last.has_next) == (False, 1, None, False)


def test_list_filters_by_status(any_client: Any, fake_server: FakeLinqServer) -> None:
    ids = [any_client.payment_requests.create(amount=5000, currency="usd").id for _ in range(4)]
    fake_server.succeed_payment_request(ids[0])
    fake_server.succeed_payment_request(ids[2])
    any_client.payment_requests.cancel(ids[3])
    assert [r.id for r in any_client.payment_requests.list(status="succeeded")] == [ids[2], ids[0]]
    assert [r.id for r in any_client.payment_requests.list(status="canceled", limit=1)] == [ids[3]]
    assert [r.id for r in any_client.payment_requests.list(status="requested")] == [ids[1]]
    assert fake_server.requests[-1].query == {"status": "requested"}


async def test_await_gives_the_first_page_and_async_for_every_page(sleeps: Sleeps) -> None:
    async with (
        FakeLinqServer() as fake,
        AsyncLinqClient(fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps)) as client,
    ):
        for n in range(5):
            await client.payment_requests.create(amount=1000 + n, currency="usd")
        paginator = client.payment_requests.list(limit=2)
        assert isinstance(paginator, AsyncPaginator)
        first = await paginator
        assert first.has_more is True and [r.amount for r in first.data] == [1004, 1003]
        assert [r.amount async for r in paginator] == [1004, 1003, 1002, 1001, 1000], "again from the start"
        assert [len(p) async for p in client.payment_requests.list(limit=2, offset=1).pages()] == [2, 2]
        raw = await client.payment_requests.with_raw_response.list(limit=2, offset=2)
        page = await raw.parse()
        assert raw.status_code == 200 and page.next_cursor == "4" and [r.amount for r in page] == [1002, 1001]


async def test_an_empty_page_that_claims_more_ends_the_walk(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, {"object": "list", "data": [request_json()], "has_more": True})
    api.reply(200, {"object": "list", "data": [], "has_more": True})
    assert [r.id async for r in client.payment_requests.list()] == ["pr_123"]
    assert [s.query for s in api.seen] == ["", "offset=1"]


def test_subscriptions_discounts_and_trials(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.add_price("price_team", 5000)
    fake_server.add_coupon("HALF", percent_off=50, name="50% off")
    fake_server.add_promotion_code("promo_spring", "HALF")
    fake_server.add_stripe_customer("cus_known")
    half = any_client.payment_requests.create(
        mode="subscription", price_id="price_team", discount={"coupon": "HALF", "label": "50% OFF FIRST MONTH"}
    )
    assert (half.amount, half.interval, half.interval_count, half.quantity) == (2500, "month", 1, 1)
    assert half.discount == PaymentRequestDiscount(coupon="HALF", label="50% OFF FIRST MONTH")
    assert half.stripe is not None and half.stripe.customer_id and half.stripe.subscription_id
    promo = any_client.payment_requests.create(
        mode="subscription", price_id="price_team", quantity=3, customer_id="cus_known",
        discount=PaymentRequestDiscount(promotion_code="promo_spring"),
    )  # fmt: skip
    assert promo.amount == 7500 and promo.discount is not None and promo.discount.label == "50% off"
    assert promo.stripe is not None and promo.stripe.customer_id == "cus_known"
    trial = any_client.payment_requests.create(mode="subscription", price_id="price_team", trial_period_days=14)
    assert trial.amount == 0 and trial.trial_end is not None
    until = any_client.payment_requests.create(mode="subscription", price_id="price_team", trial_end=TRIAL_END)
    assert until.trial_end == TRIAL_END
    fake_server.succeed_payment_request(until.id)
    assert fake_server.events[-1]["data"]["trial_end"].startswith("2036-06-01T12:00:00")

    for kwargs, code in [
        ({"price_id": "price_unknown"}, 1005),
        ({"price_id": "price_team", "customer_id": "cus_unknown"}, 1005),
        ({"price_id": "price_team", "discount": {"coupon": "NOPE"}}, 1005),
        ({"price_id": "price_team", "trial_end": "2001-01-01T00:00:00Z"}, 1005),
    ]:
        with pytest.raises(BadRequestError) as info:
            any_client.payment_requests.create(mode="subscription", **kwargs)
        assert info.value.code == code


def test_stripe_must_take_charges_first(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.configure_payments(charges_enabled=False)
    with pytest.raises(PermissionDeniedError) as info:
        any_client.payment_requests.create(amount=5000, currency="usd", idempotency_key="k-403")
    assert info.value.status == 403 and info.value.idempotency_key == "k-403"  # type: ignore[attr-defined]
    fake_server.configure_payments(charges_enabled=True)
    assert any_client.payment_requests.create(amount=5000, currency="usd").status == "requested"


def test_natural_rail(any_client: Any, fake_server: FakeLinqServer) -> None:
    natural = any_client.payment_requests.create(
        amount=5000, currency="usd", rail="natural", from_=LINE, payer_handle=PAYER
    )
    assert natural.rail == "natural" and natural.stripe is None
    assert natural.natural is not None and natural.natural.payment_request_id is not None
    fake_server.succeed_payment_request(natural.id)
    paid = any_client.payment_requests.retrieve(natural.id)
    assert paid.natural is not None and paid.natural.transaction_id is not None
    with pytest.raises(PermissionDeniedError) as info:
        any_client.payment_requests.create(amount=5000, currency="usd", rail="natural", from_=PAYER, payer_handle=PAYER)
    assert info.value.code == 2006
    fake_server.configure_payments(natural_onboarded=False)
    with pytest.raises(PermissionDeniedError):
        any_client.payment_requests.create(amount=5000, currency="usd", rail="natural", from_=LINE, payer_handle=PAYER)


BAD_REQUESTS = [
    pytest.param({"amount": 19.99, "currency": "usd"}, "int number of cents, not float.*1999", id="float"),
    pytest.param({"amount": 5000.0, "currency": "usd"}, r"not float \(write 5000\)", id="whole-float"),
    pytest.param({"amount": True, "currency": "usd"}, "not bool", id="bool"),
    pytest.param({"amount": "5000", "currency": "usd"}, "not str", id="text"),
    pytest.param({"amount": -500, "currency": "usd"}, "at least 50", id="negative"),
    pytest.param({"amount": 49, "currency": "usd"}, "at least 50", id="below-minimum"),
    pytest.param({"amount": 5000, "currency": "eur"}, "'usd'", id="eur"),
    pytest.param({"amount": 5000, "currency": "us"}, "'usd'", id="short-currency"),
    pytest.param({"amount": 5000}, "currency is required", id="no-currency"),
    pytest.param({"currency": "usd"}, "amount is required", id="no-amount"),
    pytest.param({}, "amount is required", id="nothing"),
    pytest.param({"amount": 5000, "currency": "usd", "price_id": "price_1"}, "subscription mode only", id="price"),
    pytest.param({"amount": 5000, "currency": "usd", "quantity": 2}, "subscription mode only", id="quantity"),
    pytest.param({"mode": "subscription"}, "price_id", id="no-price"),
    pytest.param({"mode": "subscription", "price_id": "price_1", "amount": 500}, "leave it out", id="sub-amount"),
    pytest.param({"mode": "subscription", "price_id": "p_1"}, "'price_'", id="price-prefix"),
    pytest.param({"mode": "monthly", "amount": 5000, "currency": "usd"}, "mode", id="mode"),
    pytest.param({"rail": "paypal", "amount": 5000, "currency": "usd"}, "rail", id="rail"),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "trial_end": TRIAL_END, "trial_period_days": 3},
        "not both",
        id="two-trials",
    ),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "trial_end": dt.datetime(2036, 1, 1)}, "aware", id="naive"
    ),
    pytest.param({"mode": "subscription", "price_id": "price_1", "trial_end": "soon"}, "ISO 8601", id="trial-text"),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "trial_period_days": 0}, "at least 1", id="trial-days"
    ),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "discount": {"coupon": "A", "promotion_code": "promo_1"}},
        "exactly one",
        id="coupon-and-promotion",
    ),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "discount": {"promotion_code": "SPRING25"}},
        "'promo_'",
        id="customer-facing-code",
    ),
    pytest.param(
        {"mode": "subscription", "price_id": "price_1", "discount": {"coupon": "A", "percent": 5}},
        "takes only",
        id="discount-key",
    ),
    pytest.param({"amount": 5000, "currency": "usd", "customer_id": "123"}, "'cus_'", id="customer-prefix"),
    pytest.param(
        {"amount": 5000, "currency": "usd", "metadata": {str(n): "v" for n in range(50)}}, "at most 49", id="keys"
    ),
    pytest.param({"amount": 5000, "currency": "usd", "metadata": {"linq_x": "v"}}, "reserved", id="linq-key"),
    pytest.param({"amount": 5000, "currency": "usd", "metadata": {"n": 5}}, "must be a string", id="meta-int"),
    pytest.param({"amount": 5000, "currency": "usd", "metadata": ["a"]}, "mapping", id="meta-list"),
    pytest.param({"amount": 5000, "currency": "usd", "rail": "natural", "from_": LINE}, "payer_handle", id="nat-payer"),
    pytest.param({"amount": 5000, "currency": "usd", "rail": "natural", "payer_handle": PAYER}, "from_", id="nat-from"),
    pytest.param({"amount": 5000, "currency": "usd", "payer_handle": EMAIL}, "E.164", id="payer-email"),
    pytest.param({"amount": 5000, "currency": "usd", "description": ""}, "description", id="empty-description"),
]


@pytest.mark.parametrize(("kwargs", "reason"), BAD_REQUESTS)
def test_bad_payment_requests_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        any_client.payment_requests.create(**kwargs)
    assert fake_server.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [{"limit": 0}, {"limit": 101}, {"limit": 2.0}, {"offset": -1}, {"offset": True}, {"status": "paid"}],
)
def test_bad_list_arguments_are_refused_at_the_call(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        any_client.payment_requests.list(**kwargs)
    assert fake_server.requests == []


def test_the_fake_enforces_the_same_rules_on_receipt(fake_server: FakeLinqServer) -> None:
    """Sent around the client's checks, to show the server side of the shared rules."""
    import json
    import urllib.request

    def post(path: str, body: Any) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{fake_server.base_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {fake_server.api_key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request) as response:  # loopback only
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    assert post("/v3/payment_requests", {"amount": 19.99, "currency": "usd"})[0] == 400
    assert post("/v3/payment_requests", {"currency": "usd"})[1]["error"]["code"] == 1001
    assert post("/v3/payments", {"amount_cents": -1, "currency": "usd", "handle": CUSTOMER})[0] == 400
    status, answer = post("/v3/payment_requests", {"amount": 50, "currency": "usd"})
    assert status == 201 and answer["status"] == "requested"


# Agent payments ---------------------------------------------------------------------------------


def test_the_agent_payment_flow(any_client: Any, fake_server: FakeLinqServer) -> None:
    order = {
        "amount_cents": 1999,
        "currency": "usd",
        "handle": CUSTOMER,
        "description": "Order 42",
        "merchant": {"name": "Acme", "url": "https://acme.example"},
        "metadata": {"order_id": "42"},
        "idempotency_key": "order-42",
    }
    first = any_client.payments.create(**order)
    assert isinstance(first, Payment)
    assert (first.status, first.id, first.approval_url, first.attach_url) == ("needs_connection", None, None, None)
    connection = any_client.payment_handles.connect(CUSTOMER)
    assert any_client.payments.create(**order).status == "connecting"
    any_client.payment_handles.verify(
        CUSTOMER, code=fake_server.verification_code(CUSTOMER), connect_id=connection.connect_id
    )
    attach = any_client.payments.create(**order)
    assert attach.status == "awaiting_user_action" and attach.attach_url and attach.approval_url is None
    fake_server.attach_card(CUSTOMER)
    approve = any_client.payments.create(**order)
    assert approve.status == "awaiting_user_action" and approve.approval_url and approve.attach_url is None
    assert any_client.payments.create(**order).approval_url == approve.approval_url, "same payment, same link"
    fake_server.approve_payment(approve.approval_url)
    ready = any_client.payments.create(**order)
    assert ready.status == "ready" and ready.id is not None
    assert ready.amount_cents == 1999 and type(ready.amount_cents) is int
    assert ready.merchant == PaymentMerchant(name="Acme", url="https://acme.example")
    assert ready.metadata == {"order_id": "42"} and ready.description == "Order 42"
    assert any_client.payments.create(**order).id == ready.id, "re-sending collects, never charges twice"
    assert len(fake_server.agent_payments()) == 1
    assert any_client.payments.retrieve(ready.id) == ready

    credentials = any_client.payments.credentials(ready.id)
    assert isinstance(credentials, PaymentCredentialsResponse) and credentials.handoff is not None
    assert credentials.handoff.fetch_url and credentials.handoff.user_token and credentials.handoff.card_ref
    fake_server.settle_payment(ready.id, "succeeded")
    assert any_client.payments.retrieve(ready.id).status == "succeeded"
    with pytest.raises(ConflictError) as late:
        any_client.payments.credentials(ready.id)
    assert late.value.code == 2015
    with pytest.raises(ConflictError):
        any_client.payments.cancel(ready.id)


def test_cancelling_an_agent_payment_closes_its_card(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.connect_payment_handle(EMAIL)
    payment = any_client.payments.create(amount_cents=4200, currency="usd", handle=EMAIL)
    assert payment.status == "ready", "a connected customer with a card and no passkey step pays at once"
    fake_server.settle_payment(payment.id, "authorized")
    canceled = any_client.payments.cancel(payment.id)
    assert canceled.status == "canceled" and canceled.id == payment.id
    with pytest.raises(ConflictError):
        any_client.payments.credentials(payment.id)
    for call in (any_client.payments.retrieve, any_client.payments.cancel, any_client.payments.credentials):
        with pytest.raises(NotFoundError):
            call("pay_unknown")


BAD_PAYMENTS = [
    pytest.param({"amount_cents": 19.99}, "not float.*1999", id="float"),
    pytest.param({"amount_cents": 0}, "at least 1", id="zero"),
    pytest.param({"amount_cents": -1999}, "at least 1", id="negative"),
    pytest.param({"amount_cents": False}, "not bool", id="bool"),
    pytest.param({"currency": "dollars"}, "three-letter", id="currency-word"),
    pytest.param({"currency": "u$d"}, "three-letter", id="currency-symbol"),
    pytest.param({"handle": "5551234567"}, "handle", id="handle"),
    pytest.param({"merchant": {"name": "Acme", "mcc": "5411"}}, "takes only", id="merchant-key"),
    pytest.param({"merchant": "Acme"}, "PaymentMerchant", id="merchant-text"),
    pytest.param({"metadata": {"order": 42}}, "must be a string", id="metadata"),
    pytest.param({"description": 7}, "description", id="description"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_PAYMENTS)
def test_bad_payments_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, change: dict[str, Any], reason: str
) -> None:
    kwargs = {"amount_cents": 1999, "currency": "usd", "handle": CUSTOMER, **change}
    with pytest.raises(ValidationError, match=reason):
        any_client.payments.create(**kwargs)
    assert fake_server.requests == []


@pytest.mark.parametrize("bad", ["", "../x", "pay 1", "a/b", ".", "x" * 256, 5])
def test_bad_ids_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer, bad: Any) -> None:
    calls = [
        any_client.payments.retrieve,
        any_client.payments.cancel,
        any_client.payments.credentials,
        any_client.payment_requests.retrieve,
        any_client.payment_requests.cancel,
        any_client.payment_providers.retrieve,
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call(bad)
    with pytest.raises(ValidationError):
        any_client.payment_providers.connect(bad, return_url="https://example.com/done")
    assert fake_server.requests == []


# Customer handles -------------------------------------------------------------------------------


def test_connecting_a_handle_with_a_code(any_client: Any, fake_server: FakeLinqServer) -> None:
    assert any_client.payment_handles.connection(CUSTOMER) == PaymentHandleConnection(
        handle=CUSTOMER, status="not_connected"
    )
    started = any_client.payment_handles.connect(CUSTOMER)
    assert (started.status, started.handle) == ("pending", CUSTOMER) and started.connect_id
    assert fake_server.requests[-1].path == f"/api/partner/v3/payments/handles/{CUSTOMER}/connect"
    code = fake_server.verification_code(CUSTOMER)
    with pytest.raises(BadRequestError) as wrong:
        any_client.payment_handles.verify(CUSTOMER, code="000000" if code != "000000" else "111111",
                                          connect_id=started.connect_id)  # fmt: skip
    assert wrong.value.code == 1005
    with pytest.raises(BadRequestError):
        any_client.payment_handles.verify(CUSTOMER, code=code, connect_id="conn_other")
    connected = any_client.payment_handles.verify(CUSTOMER, code=code, connect_id=started.connect_id)
    assert (connected.status, connected.connect_id) == ("connected", None)
    assert any_client.payment_handles.connection(CUSTOMER).status == "connected"
    with pytest.raises(ConflictError):
        any_client.payment_handles.verify(CUSTOMER, code=code, connect_id=started.connect_id)  # single use
    assert any_client.payment_handles.connect(CUSTOMER).status == "connected"
    revoked = any_client.payment_handles.revoke(CUSTOMER)
    assert revoked.status == "revoked" and fake_server.payment_connection(CUSTOMER)["status"] == "revoked"
    assert any_client.payment_handles.revoke(CUSTOMER).status == "revoked", "revoking again changes nothing"
    assert [(e["event_type"], e["data"]) for e in fake_server.events] == [
        ("connection.created", {"handle": CUSTOMER, "status": "connected"}),
        ("connection.revoked", {"handle": CUSTOMER, "status": "revoked"}),
    ]
    assert any_client.payments.create(amount_cents=100, currency="usd", handle=CUSTOMER).status == "needs_connection"


def test_an_expired_code_needs_a_new_connect(any_client: Any, fake_server: FakeLinqServer) -> None:
    started = any_client.payment_handles.connect(EMAIL)
    fake_server.expire_verification_code(EMAIL)
    with pytest.raises(BadRequestError):
        any_client.payment_handles.verify(EMAIL, code=fake_server.verification_code(EMAIL),
                                          connect_id=started.connect_id)  # fmt: skip
    again = any_client.payment_handles.connect(EMAIL)
    assert again.connect_id != started.connect_id
    done = any_client.payment_handles.verify(EMAIL, code=fake_server.verification_code(EMAIL),
                                             connect_id=again.connect_id)  # fmt: skip
    assert done.status == "connected"
    with pytest.raises(ConflictError) as info:
        any_client.payment_handles.verify(PAYER, code="123456", connect_id="conn_x")
    assert info.value.code == 2015


def test_handles_are_quoted_in_the_path(any_client: Any, fake_server: FakeLinqServer) -> None:
    odd = "a/b?c#d%@example.com"
    assert any_client.payment_handles.connection(odd).handle == odd
    assert fake_server.requests[-1].path == f"/api/partner/v3/payments/handles/{odd}/connection"


def test_bad_handle_arguments_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer) -> None:
    for bad in ["", "5551234567", "+1 555", "a b@example.com", "../x", 15551234567]:
        for call in (
            any_client.payment_handles.connect,
            any_client.payment_handles.connection,
            any_client.payment_handles.revoke,
        ):
            with pytest.raises(ValidationError):
                call(bad)
        with pytest.raises(ValidationError):
            any_client.payment_handles.verify(bad, code="123456", connect_id="conn_abc")
    for kwargs in [
        {"code": "", "connect_id": "c"},
        {"code": "1", "connect_id": ""},
        {"code": 123456, "connect_id": "c"},
    ]:
        with pytest.raises(ValidationError):
            any_client.payment_handles.verify(CUSTOMER, **kwargs)
    assert fake_server.requests == []


# Providers --------------------------------------------------------------------------------------


def test_connecting_a_provider(any_client: Any, fake_server: FakeLinqServer) -> None:
    assert any_client.payment_providers.retrieve("agentcard") == PaymentProvider(
        provider="agentcard", status="disabled"
    )
    started = any_client.payment_providers.connect("agentcard", return_url="https://example.com/done")
    assert isinstance(started, PaymentProviderConnectResponse)
    assert started.hosted_url is not None and started.hosted_url.startswith("https://")
    assert started.session_id and started.status == "onboarding"
    assert any_client.payment_providers.retrieve("agentcard").status == "onboarding"
    fake_server.complete_provider_onboarding("agentcard")
    assert any_client.payment_providers.retrieve("agentcard").status == "ready"
    again = any_client.payment_providers.connect("agentcard", return_url="https://example.com/again")
    assert again.status == "ready", "reconnecting a ready provider keeps it ready"
    for url in ["http://example.com/done", "example.com", ""]:
        with pytest.raises(ValidationError):
            any_client.payment_providers.connect("agentcard", return_url=url)
    assert len(fake_server.requests) == 5


# Models -----------------------------------------------------------------------------------------


async def test_money_is_never_a_float(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    # Never a float in a model: an answer with one is read leniently, the raw value kept aside.
    api.reply(200, request_json(amount=50.5))
    request = await client.payment_requests.retrieve("pr_123")
    assert request.amount is None and request.extra["amount"] == 50.5
    assert [problem.split(":")[0] for problem in request.invalid_fields] == ["amount"]
    api.reply(200, {**PAYMENT, "amount_cents": 19.99})
    payment = await client.payments.retrieve("pay_123")
    assert payment.amount_cents is None and payment.invalid_fields[0].startswith("amount_cents")


async def test_answers_are_read_leniently(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, {})
    assert await client.payments.retrieve("pay_123") == Payment()
    api.reply(200, {"id": "pr_9", "status": "refunded", "amount": None, "brand_new": {"x": 1}})
    odd = await client.payment_requests.retrieve("pr_9")
    assert (odd.status, odd.amount, odd.extra) == ("refunded", None, {"brand_new": {"x": 1}})
    api.reply(200, {"handle": CUSTOMER, "status": "suspended"})
    assert (await client.payment_handles.connection(CUSTOMER)).status == "suspended"
    api.reply(200, {"data": [request_json(status="authorized")], "has_more": False, "object": "list"})
    [listed] = [r async for r in client.payment_requests.list()]
    assert listed.status == "authorized"
    assert listed.to_dict()["amount"] == 5000
