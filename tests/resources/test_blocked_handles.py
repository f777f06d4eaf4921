"""Blocked handles: the block list, its normalisation, and the sends it refuses."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from linq_async import (
    BlockedHandleBlockResponse,
    BlockedHandleEntry,
    BlockedHandleListResponse,
    PermissionDeniedError,
    ValidationError,
)
from linq_async.testing import FakeLinqServer

from ..helpers import ScriptedAPI
from ..wire import WireCase, check_wire

LINE = "+14155550000"  # the fake_server fixture's line
PHONE = "+15551234567"
NOW = "2026-11-22T10:00:00Z"

WIRE = [
    WireCase(
        "blocked_handles.block",
        kwargs={"handle": PHONE, "reason": "spam"},
        answer={"blocked_handle": {"handle": PHONE, "blocked_at": NOW, "reason": "spam"}},
        status=201,
    ),
    WireCase(
        "blocked_handles.block",
        kwargs={"handle": "262966"},
        answer={"blocked_handle": {"handle": "262966", "blocked_at": NOW}},
        label="short-code",
    ),
    WireCase("blocked_handles.list", answer={"blocked_handles": [{"handle": PHONE, "blocked_at": NOW}]}),
    WireCase("blocked_handles.unblock", kwargs={"handle": "user@example.com"}, status=204),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_block_list_and_unblock(any_client: Any, fake_server: FakeLinqServer) -> None:
    first = any_client.blocked_handles.block(handle=PHONE, reason="spam")
    assert isinstance(first, BlockedHandleBlockResponse)
    entry = first.blocked_handle
    assert isinstance(entry, BlockedHandleEntry)
    assert (entry.handle, entry.reason) == (PHONE, "spam") and entry.blocked_at is not None
    any_client.blocked_handles.block(handle="262966")
    listed = any_client.blocked_handles.list()
    assert isinstance(listed, BlockedHandleListResponse)
    assert [e.handle for e in listed.blocked_handles] == ["262966", PHONE]  # newest first
    assert fake_server.is_blocked(PHONE)

    assert any_client.blocked_handles.unblock(handle=PHONE) is None
    assert [e.handle for e in any_client.blocked_handles.list().blocked_handles] == ["262966"]
    assert not fake_server.is_blocked(PHONE)
    assert fake_server.requests[-2].method == "DELETE" and fake_server.requests[-2].json == {"handle": PHONE}


def test_blocking_twice_answers_the_existing_entry(any_client: Any, fake_server: FakeLinqServer) -> None:
    first = any_client.blocked_handles.block(handle=PHONE, reason="spam").blocked_handle
    raw = any_client.blocked_handles.with_raw_response.block(handle=PHONE, reason="other")
    assert raw.status_code == 200  # not created: it was there
    assert raw.parse().blocked_handle == first
    assert len(any_client.blocked_handles.list().blocked_handles) == 1


def test_emails_are_normalised_to_lower_case(any_client: Any, fake_server: FakeLinqServer) -> None:
    entry = any_client.blocked_handles.block(handle="Ana@Example.COM").blocked_handle
    assert entry.handle == "ana@example.com"
    assert fake_server.is_blocked("ANA@example.com")
    any_client.blocked_handles.unblock(handle="ana@EXAMPLE.com")
    assert any_client.blocked_handles.list().blocked_handles == ()


def test_unblocking_a_handle_not_blocked_changes_nothing(any_client: Any, fake_server: FakeLinqServer) -> None:
    assert any_client.blocked_handles.unblock(handle="ACME Bank") is None
    assert any_client.blocked_handles.list().blocked_handles == ()


def test_a_blocked_handle_cannot_be_sent_to(any_client: Any, fake_server: FakeLinqServer) -> None:
    any_client.blocked_handles.block(handle=PHONE)
    with pytest.raises(PermissionDeniedError) as info:
        any_client.chats.create(LINE, [PHONE], "hello")
    assert (info.value.status, info.value.code) == (403, 2026)
    assert len(fake_server.requests) == 2  # not retried: a permanent refusal
    any_client.blocked_handles.unblock(handle=PHONE)
    assert any_client.chats.create(LINE, [PHONE], "hello again").chat.id


def test_blocking_refuses_direct_sends_only(any_client: Any, fake_server: FakeLinqServer) -> None:
    direct = any_client.chats.create(LINE, [PHONE], "before the block").chat.id
    group = fake_server.create_chat([PHONE, "+14155550777"])
    any_client.blocked_handles.block(handle=PHONE)
    with pytest.raises(PermissionDeniedError) as info:
        any_client.chats.messages.send(direct, "after the block")
    assert info.value.code == 2026
    # A group that includes the blocked handle still takes messages (for its other members).
    assert any_client.chats.messages.send(group, "to the group").message.id
    assert any_client.chats.create(LINE, [PHONE, "+14155550778"], "a new group").chat.id


@pytest.mark.parametrize("handle", ["262", "26296612", "ACME", "ACME Bank", "Shop-24", "a.b_c&d", "X"])
def test_short_codes_and_sender_ids_can_be_blocked(any_client: Any, fake_server: FakeLinqServer, handle: str) -> None:
    assert any_client.blocked_handles.block(handle=handle).blocked_handle.handle == handle
    assert fake_server.requests[0].json == {"handle": handle}


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"handle": "12"}, id="short-code-too-short"),
        pytest.param({"handle": "123456789"}, id="short-code-too-long"),
        pytest.param({"handle": "+1 415 555"}, id="spaced-phone"),
        pytest.param({"handle": ""}, id="empty"),
        pytest.param({"handle": "a@b"}, id="bad-email"),
        pytest.param({"handle": "TOOLONGSENDER"}, id="sender-id-too-long"),
        pytest.param({"handle": " ACME"}, id="leading-space"),
        pytest.param({"handle": "AC\nME"}, id="newline"),
        pytest.param({"handle": 5}, id="int"),
        pytest.param({"handle": PHONE, "reason": 5}, id="reason-int"),
    ],
)
def test_bad_handles_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        any_client.blocked_handles.block(**kwargs)
    if "reason" not in kwargs:
        with pytest.raises(ValidationError):
            any_client.blocked_handles.unblock(**kwargs)
    assert fake_server.requests == []


@pytest.mark.parametrize(
    ("body", "code"), [({"handle": "12"}, 1005), ({}, 1001), ({"handle": PHONE, "reason": 5}, 1003)]
)
async def test_the_fake_checks_what_reaches_it(fake_server: FakeLinqServer, body: dict[str, Any], code: int) -> None:
    """The fake enforces the same rules on a request that skipped the client's checks."""
    headers = {"Authorization": f"Bearer {fake_server.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake_server.base_url}/v3/blocked_handles", json=body, headers=headers) as response,
    ):
        assert response.status == 400
        assert (await response.json())["error"]["code"] == code
