"""Static checks run by `nox -s typecheck` (mypy --strict), never executed.

Each `assert_type` pins an exact type; each `# type: ignore[code]` asserts that mypy reports that
error on that line (with warn_unused_ignores, a line that stops failing fails the check).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import assert_type

from linq_async import (
    AsyncLinqClient,
    AsyncPaginator,
    BatchResult,
    Chat,
    ChatCreateResponse,
    Message,
    MessageSendResponse,
    Outcome,
    Page,
    ParticipantAddResponse,
    ParticipantRemoveResponse,
    SyncLinqClient,
    SyncPaginator,
    TextPart,
)

PAIRS = [("550e8400-e29b-41d4-a716-446655440000", "+14155550100")]


async def async_surface(client: AsyncLinqClient) -> None:
    assert_type(await client.chats.participants.add("id", handle="+14155550100"), ParticipantAddResponse)
    assert_type(await client.chats.participants.remove(uuid.uuid4(), handle="a@b.co"), ParticipantRemoveResponse)
    await client.chats.participants.add(5, handle="+14155550100")  # type: ignore[arg-type]
    await client.chats.participants.add("id", handle=5)  # type: ignore[arg-type]
    await client.chats.participants.add("id", hand="+1")  # type: ignore[call-arg]
    await client.chats.participants.add("id", "+14155550100")  # type: ignore[call-arg]
    assert_type(await client.chats.participants.add_many(PAIRS), BatchResult[ParticipantAddResponse])
    assert_type(await client.chats.participants.remove_many(PAIRS), BatchResult[ParticipantRemoveResponse])
    stream = client.chats.participants.iter_add(PAIRS, concurrency=4)
    assert_type(stream, AsyncIterator[Outcome[ParticipantAddResponse]])
    async for outcome in stream:
        assert_type(outcome.response, ParticipantAddResponse | None)
    await client.chats.participants.add_many(PAIRS, concurrency="4")  # type: ignore[arg-type]
    assert_type(await client.chats.create("+1", ["+2"], "hi"), ChatCreateResponse)
    assert_type(await client.chats.messages.send("id", [TextPart(value="x")]), MessageSendResponse)
    assert_type(client.chats.list(limit=5), AsyncPaginator[Chat])
    assert_type(await client.chats.list(), Page[Chat])
    async for chat in client.chats.list():
        assert_type(chat, Chat)
    async for message in client.chats.messages.list("id"):
        assert_type(message, Message)
    await client.chats.messages.send("id", 5)  # type: ignore[arg-type]


def sync_surface(client: SyncLinqClient) -> None:
    assert_type(client.chats.participants.add("id", handle="+14155550100"), ParticipantAddResponse)
    assert_type(client.chats.participants.remove(uuid.uuid4(), handle="a@b.co"), ParticipantRemoveResponse)
    assert_type(client.with_options(timeout=3), SyncLinqClient)
    client.chats.participants.add(5, handle="+14155550100")  # type: ignore[arg-type]
    client.chats.participants.add("id", handle=5)  # type: ignore[arg-type]
    client.chats.participants.add("id", hand="+1")  # type: ignore[call-arg]
    client.chats.participants.add("id", "+14155550100")  # type: ignore[call-arg]
    assert_type(client.chats.participants.add_many(PAIRS), BatchResult[ParticipantAddResponse])
    assert_type(client.chats.participants.iter_remove(PAIRS), Iterator[Outcome[ParticipantRemoveResponse]])
    client.chats.participants.add_many(PAIRS, on_progress=lambda done, total: None)
    client.chats.participants.add_many(PAIRS, on_progress=lambda done: None)  # type: ignore[arg-type, misc]
    assert_type(client.chats.list(), SyncPaginator[Chat])
    for chat in client.chats.list(from_="+1"):
        assert_type(chat, Chat)
    assert_type(client.chats.messages.list("id").first_page(), Page[Message])
    assert_type(client.chats.messages.send("id", "hi"), MessageSendResponse)
    client.chats.list(limit="5")  # type: ignore[arg-type]
    result = client.chats.participants.add("id", handle="+14155550100")
    missing = result.no_such_field  # type: ignore[attr-defined]
    print(missing)


# Phone numbers, the legacy list, blocked handles, contact cards, experiences -------------------


async def numbers_async_surface(client: AsyncLinqClient) -> None:
    from linq_async import (
        AsyncAPIResponse,
        BlockedHandleBlockResponse,
        BlockedHandleListResponse,
        ContactCardRetrieveResponse,
        ExperienceListResponse,
        ExperienceRetrieveResponse,
        PhoneNumberListResponse,
        PhonenumberListResponse,
        PhoneNumberUpdateResponse,
        ReputationAudit,
        ReputationAuditStarted,
        SetContactCard,
    )

    assert_type(await client.phone_numbers.list(), PhoneNumberListResponse)
    assert_type(await client.phone_numbers.update("id", forwarding_number=None), PhoneNumberUpdateResponse)
    assert_type(await client.phone_numbers.update(uuid.uuid4(), forwarding_number="+1"), PhoneNumberUpdateResponse)
    assert_type(await client.phone_numbers.start_reputation_audit("+1"), ReputationAuditStarted)
    assert_type(await client.phone_numbers.get_reputation_audit("a", phone_number="+1"), ReputationAudit)
    raw = await client.phone_numbers.with_raw_response.start_reputation_audit("+1")
    assert_type(raw, AsyncAPIResponse[ReputationAuditStarted])
    await client.phone_numbers.update("id")  # type: ignore[call-arg]
    await client.phone_numbers.get_reputation_audit("a", "+1")  # type: ignore[call-arg]
    assert_type(await client.phonenumbers.list(), PhonenumberListResponse)
    assert_type(await client.phonenumbers.with_raw_response.list(), AsyncAPIResponse[PhonenumberListResponse])
    assert_type(await client.blocked_handles.block(handle="+1", reason="spam"), BlockedHandleBlockResponse)
    assert_type(await client.blocked_handles.list(), BlockedHandleListResponse)
    assert_type(await client.blocked_handles.unblock(handle="+1"), None)
    assert_type(await client.blocked_handles.with_raw_response.unblock(handle="+1"), AsyncAPIResponse[None])
    await client.blocked_handles.block("+1")  # type: ignore[call-arg]
    assert_type(await client.contact_card.create(first_name="A", phone_number="+1"), SetContactCard)
    assert_type(await client.contact_card.retrieve(), ContactCardRetrieveResponse)
    assert_type(await client.contact_card.update(phone_number="+1", last_name="B"), SetContactCard)
    assert_type(await client.contact_card.with_raw_response.retrieve(), AsyncAPIResponse[ContactCardRetrieveResponse])
    await client.contact_card.create(first_name="A")  # type: ignore[call-arg]
    assert_type(await client.experiences.list(), ExperienceListResponse)
    assert_type(await client.experiences.retrieve("agentpay"), ExperienceRetrieveResponse)
    assert_type(await client.experiences.with_raw_response.list(), AsyncAPIResponse[ExperienceListResponse])


def numbers_sync_surface(client: SyncLinqClient) -> None:
    from linq_async import (
        APIResponse,
        BlockedHandleBlockResponse,
        BlockedHandleListResponse,
        ContactCardRetrieveResponse,
        ExperienceListResponse,
        ExperienceRetrieveResponse,
        PhoneNumberListResponse,
        PhonenumberListResponse,
        PhoneNumberUpdateResponse,
        ReputationAudit,
        ReputationAuditStarted,
        SetContactCard,
    )

    assert_type(client.phone_numbers.list(), PhoneNumberListResponse)
    assert_type(client.phone_numbers.update("id", forwarding_number=""), PhoneNumberUpdateResponse)
    assert_type(client.phone_numbers.start_reputation_audit("+1"), ReputationAuditStarted)
    assert_type(client.phone_numbers.get_reputation_audit("a", phone_number="+1"), ReputationAudit)
    assert_type(client.phone_numbers.with_raw_response.list(), APIResponse[PhoneNumberListResponse])
    client.phone_numbers.update("id", forwarding_number=5)  # type: ignore[arg-type]
    assert_type(client.phonenumbers.list(), PhonenumberListResponse)
    assert_type(client.phonenumbers.with_raw_response.list(), APIResponse[PhonenumberListResponse])
    assert_type(client.blocked_handles.block(handle="262966"), BlockedHandleBlockResponse)
    assert_type(client.blocked_handles.list(), BlockedHandleListResponse)
    assert_type(client.blocked_handles.unblock(handle="a@b.co"), None)
    assert_type(client.blocked_handles.with_raw_response.list(), APIResponse[BlockedHandleListResponse])
    assert_type(client.contact_card.create(first_name="A", phone_number="+1", image_url="https://x"), SetContactCard)
    assert_type(client.contact_card.retrieve(phone_number="+1"), ContactCardRetrieveResponse)
    assert_type(client.contact_card.update(phone_number="+1", first_name="A"), SetContactCard)
    assert_type(client.contact_card.with_raw_response.update(phone_number="+1"), APIResponse[SetContactCard])
    client.contact_card.update(first_name="A")  # type: ignore[call-arg]
    assert_type(client.experiences.list(), ExperienceListResponse)
    assert_type(client.experiences.retrieve("link"), ExperienceRetrieveResponse)
    assert_type(client.experiences.with_raw_response.retrieve("link"), APIResponse[ExperienceRetrieveResponse])
