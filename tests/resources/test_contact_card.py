"""Contact cards: one per line, set up once, updated in part, within a budget of 3 calls per 10 minutes."""

from __future__ import annotations

from typing import Any

import pytest

from linq_async import (
    ConflictError,
    ContactCard,
    ContactCardRetrieveResponse,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SetContactCard,
    ValidationError,
)
from linq_async.testing import FakeLinqServer

from ..helpers import ScriptedAPI, Sleeps
from ..wire import WireCase, check_wire

LINE = "+14155550000"  # the fake_server fixture's line
PHONE = "+15551234567"
ADA = {"first_name": "Ada", "phone_number": PHONE, "is_active": True}

WIRE = [
    WireCase(
        "contact_card.create",
        kwargs={
            "first_name": "Ada",
            "phone_number": PHONE,
            "image_url": "https://example.com/ada.png",
            "last_name": "Lovelace",
        },
        answer=ADA,
        status=201,
    ),
    WireCase("contact_card.create", kwargs={"first_name": "Ada", "phone_number": PHONE}, answer=ADA, label="minimal"),
    WireCase("contact_card.retrieve", kwargs={"phone_number": PHONE}, answer={"contact_cards": [ADA]}),
    WireCase("contact_card.retrieve", answer={"contact_cards": []}, label="every-line"),
    WireCase(
        "contact_card.update",
        kwargs={
            "phone_number": PHONE,
            "first_name": "Ada",
            "image_url": "https://example.com/ada2.png",
            "last_name": "King",
        },
        answer=ADA,
    ),
    WireCase("contact_card.update", kwargs={"phone_number": PHONE, "last_name": "King"}, answer=ADA, label="one-field"),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_create_then_read_it_back(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.contact_card.create(
        first_name="Ada", phone_number=LINE, image_url="https://example.com/ada.png"
    )
    assert isinstance(created, SetContactCard)
    assert (created.phone_number, created.first_name, created.last_name) == (LINE, "Ada", None)
    assert created.image_url == "https://example.com/ada.png" and created.is_active is True
    one = any_client.contact_card.retrieve(phone_number=LINE)
    assert isinstance(one, ContactCardRetrieveResponse)
    [card] = one.contact_cards
    assert isinstance(card, ContactCard) and card.first_name == "Ada"
    assert any_client.contact_card.retrieve().contact_cards == one.contact_cards
    assert fake_server.requests[1].query == {"phone_number": LINE}
    assert fake_server.contact_card(LINE) == card.to_dict()

    [event] = fake_server.events
    assert event["event_type"] == "contact_card.created"
    data = event["data"]
    assert data["phone_number"] == LINE and data["origin"] == "api"
    assert {k: v for k, v in data["contact_card"].items() if k != "id"} == {
        "first_name": "Ada",
        "image_url": "https://example.com/ada.png",
    }


def test_a_second_create_is_409_2014_and_not_retried(any_client: Any, fake_server: FakeLinqServer) -> None:
    any_client.contact_card.create(first_name="Ada", phone_number=LINE)
    with pytest.raises(ConflictError) as info:
        any_client.contact_card.create(first_name="Grace", phone_number=LINE)
    assert info.value.code == 2014
    assert len(fake_server.requests) == 2
    assert fake_server.contact_card(LINE)["first_name"] == "Ada"  # never overwritten


def test_update_changes_only_what_it_sends(any_client: Any, fake_server: FakeLinqServer) -> None:
    any_client.contact_card.create(first_name="Ada", phone_number=LINE, last_name="Lovelace")
    updated = any_client.contact_card.update(phone_number=LINE, last_name="King")
    assert isinstance(updated, SetContactCard)
    assert (updated.first_name, updated.last_name, updated.is_active) == ("Ada", "King", True)
    seen = fake_server.requests[-1]
    assert (seen.method, seen.query, seen.json) == ("PATCH", {"phone_number": LINE}, {"last_name": "King"})
    event = fake_server.events[-1]
    assert event["event_type"] == "contact_card.updated"
    assert event["data"]["change"] == {"last_name": {"from": "Lovelace", "to": "King"}}
    assert event["data"]["contact_card"]["last_name"] == "King"
    any_client.contact_card.update(phone_number=LINE, last_name="King")  # nothing changes: no event
    assert len(fake_server.events) == 2


def test_a_missing_card_is_404_2012(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.raises(NotFoundError) as read:
        any_client.contact_card.retrieve(phone_number=LINE)
    assert read.value.code == 2012
    with pytest.raises(NotFoundError) as update:
        any_client.contact_card.update(phone_number=LINE, first_name="Ada")
    assert update.value.code == 2012
    assert any_client.contact_card.retrieve().contact_cards == ()


def test_only_your_own_lines_get_a_card(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        any_client.contact_card.create(first_name="Ada", phone_number=PHONE)
    assert info.value.code == 2006
    with pytest.raises(NotFoundError):
        any_client.contact_card.retrieve(phone_number=PHONE)


def test_create_and_update_share_3_calls_per_10_minutes(
    any_client: Any, fake_server: FakeLinqServer, sleeps: Sleeps
) -> None:
    any_client.contact_card.create(first_name="Ada", phone_number=LINE)
    any_client.contact_card.update(phone_number=LINE, last_name="Lovelace")
    fake_server.advance_numbers_clock(100)
    any_client.contact_card.update(phone_number=LINE, last_name="King")
    with pytest.raises(RateLimitError) as info:
        any_client.contact_card.update(phone_number=LINE, last_name="Byron")
    assert (info.value.status, info.value.code) == (429, 1007)
    assert info.value.retry_after == 500  # until the first call leaves the window
    assert info.value.headers["Retry-After"] == "500"
    assert sleeps == []  # 500 s is over max_retry_after (60 s): raised at once, never slept into
    assert fake_server.contact_card(LINE)["last_name"] == "King"  # the refused calls changed nothing

    fake_server.advance_numbers_clock(500)
    assert any_client.contact_card.update(phone_number=LINE, last_name="Byron").last_name == "Byron"


def test_a_failed_setup_2022_is_retried(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.inject("error", status=500, code=2022, message="Contact card setup failed", path="/contact_card")
    card = any_client.contact_card.create(first_name="Ada", phone_number=LINE)
    assert card.is_active is True
    assert len(fake_server.requests) == 2
    assert len(fake_server.events) == 1


def test_an_upstream_limit_4004_surfaces_after_the_retries(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.add_contact_card(LINE, "Ada")
    fake_server.inject("error", times=3, status=503, code=4004, message="Service unavailable", path="/contact_card")
    with pytest.raises(InternalServerError) as info:
        any_client.contact_card.update(phone_number=LINE, first_name="Grace")
    assert (info.value.status, info.value.code) == (503, 4004)
    assert len(fake_server.requests) == 3


def test_the_share_hook_sees_active_cards(fake_server: FakeLinqServer) -> None:
    assert not fake_server._has_contact_card(LINE)
    fake_server.add_contact_card(LINE, "Ada", is_active=False)
    assert not fake_server._has_contact_card(LINE)
    fake_server.add_contact_card(LINE, "Ada")
    assert fake_server._has_contact_card(LINE)
    with pytest.raises(ValidationError):
        fake_server.add_contact_card(PHONE, "Ada")


@pytest.mark.parametrize(
    ("method", "kwargs", "match"),
    [
        pytest.param("create", {"first_name": "", "phone_number": LINE}, "first_name", id="empty-name"),
        pytest.param("create", {"first_name": "  ", "phone_number": LINE}, "first_name", id="blank-name"),
        pytest.param("create", {"first_name": 5, "phone_number": LINE}, "first_name", id="int-name"),
        pytest.param("create", {"first_name": "Ada", "phone_number": "4155550000"}, "E.164", id="no-plus"),
        pytest.param("create", {"first_name": "Ada", "phone_number": "a@b.co"}, "E.164", id="email"),
        pytest.param(
            "create", {"first_name": "Ada", "phone_number": LINE, "image_url": "http://x.co/a.png"}, "https", id="http"
        ),
        pytest.param("create", {"first_name": "Ada", "phone_number": LINE, "last_name": "a\nb"}, "last_name", id="nl"),
        pytest.param("retrieve", {"phone_number": "+1"}, "E.164", id="retrieve-short"),
        pytest.param("update", {"phone_number": LINE}, "give first_name", id="nothing-to-change"),
        pytest.param("update", {"phone_number": LINE, "first_name": ""}, "first_name", id="update-empty-name"),
        pytest.param("update", {"phone_number": "x", "first_name": "Ada"}, "E.164", id="update-bad-line"),
    ],
)
def test_bad_arguments_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, method: str, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        getattr(any_client.contact_card, method)(**kwargs)
    assert fake_server.requests == []
