"""Capability checks and smart number assignment: wire format, both clients against the fake, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from linq_async import (
    APIResponse,
    AsyncLinqClient,
    AvailableNumberRetrieveResponse,
    BadRequestError,
    HandleCheckResponse,
    InternalServerError,
    PermissionDeniedError,
    RetryPolicy,
    ValidationError,
)
from linq_async.testing import FakeLinqServer

from ..helpers import ScriptedAPI, Sleeps
from ..wire import WireCase, check_wire

LINE = "+14155550000"
L1, L2, L3 = "+14155550001", "+14155550002", "+14155550003"
A, B = "+14155550301", "+14155550302"
EMAIL = "ana@example.com"

WIRE = [
    WireCase("capability.check_i_message", kwargs={"address": A, "from_": LINE}),
    WireCase("capability.check_i_message", kwargs={"address": EMAIL}, label="email-only"),
    WireCase("capability.check_RCS", kwargs={"address": A, "from_": LINE}),
    WireCase("capability.check_RCS", kwargs={"address": A}, label="no-from"),
    WireCase("available_number.retrieve", kwargs={"exclude_from": [L1, L2], "to": [A, EMAIL], "type": "iMessage"}),
    WireCase("available_number.retrieve", kwargs={"to": (A,), "type": "RCS"}, label="to-and-type"),
    WireCase("available_number.retrieve", label="bare"),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_lists_travel_comma_joined_in_one_key(any_client: Any, fake_server: FakeLinqServer) -> None:
    any_client.available_number.retrieve(to=[A, EMAIL])
    assert fake_server.requests[-1].query == {"to": f"{A},{EMAIL}"}


# capability ----------------------------------------------------------------------------------


def test_imessage_check(any_client: Any, fake_server: FakeLinqServer) -> None:
    check = any_client.capability.check_i_message(address=A)
    assert isinstance(check, HandleCheckResponse)
    assert (check.address, check.available, check.reason, check.selected_service) == (A, True, None, "iMessage")
    fake_server.set_capability(A, imessage=False)
    negative = any_client.capability.check_imessage(address=A, from_=LINE)
    assert (negative.available, negative.reason, negative.selected_service) == (False, "not_supported", "RCS")
    fake_server.set_capability(A, rcs=False)
    assert any_client.capability.check_i_message(address=A).selected_service == "SMS"
    fake_server.set_capability(EMAIL, imessage=False)
    unreachable = any_client.capability.check_i_message(address=EMAIL)
    assert (unreachable.available, unreachable.selected_service) == (False, None)
    assert fake_server.requests[1].json == {"address": A, "from": LINE}


def test_rcs_check(any_client: Any, fake_server: FakeLinqServer) -> None:
    assert any_client.capability.check_RCS(address=A).available is True
    fake_server.set_capability(B, rcs=False)
    no = any_client.capability.check_rcs(address=B, from_=LINE)
    assert (no.available, no.reason, no.selected_service) == (False, "not_supported", "SMS")


@pytest.mark.parametrize(("code", "attempts"), [(4009, 1), (4010, 1), (4004, 3)])
def test_rcs_check_sender_faults_are_503s(
    any_client: Any, fake_server: FakeLinqServer, code: int, attempts: int
) -> None:
    fake_server.set_rcs_fault(code, line=LINE)
    with pytest.raises(InternalServerError) as info:
        any_client.capability.check_RCS(address=A)
    assert (info.value.status, info.value.code) == (503, code)
    assert len(fake_server.requests) == attempts, "only 4004 (service unavailable) is transient"
    fake_server.set_rcs_fault(None, line=LINE)
    assert any_client.capability.check_RCS(address=A).available is True


def test_capability_refusals(any_client: Any, fake_server: FakeLinqServer) -> None:
    for call, kwargs, reason in [
        (any_client.capability.check_RCS, {"address": EMAIL}, "E.164"),
        (any_client.capability.check_RCS, {"address": "4155550301"}, "E.164"),
        (any_client.capability.check_i_message, {"address": "not a handle"}, "handle"),
        (any_client.capability.check_i_message, {"address": A, "from_": EMAIL}, "from_"),
        (any_client.capability.check_i_message, {"address": 5}, "string"),
    ]:
        with pytest.raises(ValidationError, match=reason):
            call(**kwargs)
    assert fake_server.requests == []
    with pytest.raises(PermissionDeniedError) as info:
        any_client.capability.check_i_message(address=A, from_="+14155559999")
    assert info.value.code == 2006


def test_capability_raw_responses(any_client: Any, fake_server: FakeLinqServer) -> None:
    raw = any_client.capability.with_raw_response.check_i_message(address=A)
    assert isinstance(raw, APIResponse) and raw.status_code == 200
    assert raw.parse().available is True
    line = any_client.available_number.with_raw_response.retrieve()
    assert line.parse().phone_number == LINE


async def test_the_fake_refuses_an_email_rcs_check(fake_server: FakeLinqServer) -> None:
    """Sent around the client's own check, to show the server side of the rule."""
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake_server.base_url}/v3/capability/check_rcs",
            json={"address": EMAIL},
            headers={"Authorization": f"Bearer {fake_server.api_key}"},
        ) as response,
    ):
        assert response.status == 400
        assert (await response.json())["error"]["code"] == 1005


# available_number -------------------------------------------------------------------------------


@pytest.fixture
async def lines() -> AsyncIterator[FakeLinqServer]:
    async with FakeLinqServer(lines=[L1, L2, L3]) as fake:
        yield fake


@pytest.fixture
async def linq(lines: FakeLinqServer, sleeps: Sleeps) -> AsyncIterator[AsyncLinqClient]:
    async with AsyncLinqClient(lines.api_key, base_url=lines.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        yield client


def test_available_number_on_both_clients(any_client: Any, fake_server: FakeLinqServer) -> None:
    chosen = any_client.available_number.retrieve()
    assert isinstance(chosen, AvailableNumberRetrieveResponse)
    assert chosen.phone_number == LINE
    assert chosen.vcf_url is not None and chosen.vcf_url.startswith("https://")
    assert f"TEL;TYPE=CELL,PREF:{LINE}" in fake_server.vcard(chosen.vcf_url)


async def test_successive_calls_rotate_through_the_lines(linq: AsyncLinqClient) -> None:
    picked = [(await linq.available_number.retrieve()).phone_number for _ in range(4)]
    assert picked == [L1, L2, L3, L1]


async def test_a_chat_with_the_recipients_makes_the_choice_sticky(lines: FakeLinqServer, linq: AsyncLinqClient) -> None:
    lines.create_chat([A, B], line=L3)
    for _ in range(3):
        assert (await linq.available_number.retrieve(to=[B, A])).phone_number == L3
    assert (await linq.available_number.retrieve(to=[A], exclude_from=[L1])).phone_number == L2


async def test_exclusions_and_types(lines: FakeLinqServer, linq: AsyncLinqClient) -> None:
    chosen = await linq.available_number.retrieve(exclude_from=[L1, "+14155559999"])  # not ours: ignored
    assert chosen.phone_number == L2
    card = lines.vcard(chosen.vcf_url or "")
    assert L3 in card and L1 not in card, "excluded lines are not the vCard's backups either"
    with pytest.raises(BadRequestError) as every:
        await linq.available_number.retrieve(exclude_from=[L1, L2, L3])
    assert every.value.code == 1005
    with pytest.raises(InternalServerError) as none:
        await linq.available_number.retrieve(type="RCS")
    assert none.value.status == 503
    lines.set_line_type(L2, "RCS")
    assert (await linq.available_number.retrieve(type="RCS")).phone_number == L2
    assert (await linq.available_number.retrieve(type="rcs")).phone_number == L2, "case-insensitive"  # type: ignore[arg-type]
    assert (await linq.available_number.retrieve(type="iMessage", exclude_from=[L1])).phone_number == L3


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"exclude_from": ["4155550001"]}, "E.164"),
        ({"exclude_from": [EMAIL]}, "E.164"),
        ({"exclude_from": L1}, "list"),
        ({"exclude_from": []}, "empty"),
        ({"to": ["nobody"]}, "handle"),
        ({"to": A}, "list"),
        ({"to": []}, "empty"),
        ({"type": "SMS"}, "type"),
        ({"type": 1}, "type"),
    ],
)
def test_bad_filters_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        any_client.available_number.retrieve(**kwargs)
    assert fake_server.requests == []


def test_the_fakes_setters_refuse_nonsense() -> None:
    fake = FakeLinqServer(lines=[L1])
    with pytest.raises(ValidationError):
        fake.set_capability(EMAIL, rcs=True)
    with pytest.raises(ValidationError):
        fake.set_rcs_fault(5000)
    with pytest.raises(ValidationError):
        fake.set_line_type(L2, "RCS")
    with pytest.raises(ValidationError):
        fake.set_line_type(L1, "SMS")
    with pytest.raises(ValidationError):
        fake.vcard("https://cdn.linqapp.com/vcards/unknown.vcf")
