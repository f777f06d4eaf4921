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


async def async_capability(client: AsyncLinqClient) -> None:
    from linq_async import AsyncAPIResponse, AvailableNumberRetrieveResponse, HandleCheckResponse

    assert_type(await client.capability.check_i_message(address="+1", from_="+2"), HandleCheckResponse)
    assert_type(await client.capability.check_RCS(address="+1"), HandleCheckResponse)
    assert_type(await client.capability.check_imessage(address="a@b.co"), HandleCheckResponse)
    assert_type(await client.capability.check_rcs(address="+1"), HandleCheckResponse)
    await client.capability.check_RCS("+1")  # type: ignore[call-arg]
    assert_type(
        await client.capability.with_raw_response.check_RCS(address="+1"), AsyncAPIResponse[HandleCheckResponse]
    )
    assert_type(
        await client.available_number.retrieve(exclude_from=["+1"], to=["+2"], type="RCS"),
        AvailableNumberRetrieveResponse,
    )
    await client.available_number.retrieve(type="SMS")  # type: ignore[arg-type]
    assert_type(
        await client.available_number.with_raw_response.retrieve(),
        AsyncAPIResponse[AvailableNumberRetrieveResponse],
    )


def sync_capability(client: SyncLinqClient) -> None:
    from linq_async import APIResponse, AvailableNumberRetrieveResponse, HandleCheckResponse

    assert_type(client.capability.check_i_message(address="+1"), HandleCheckResponse)
    assert_type(client.capability.check_RCS(address="+1", from_="+2"), HandleCheckResponse)
    assert_type(client.capability.check_imessage(address="+1"), HandleCheckResponse)
    assert_type(client.capability.check_rcs(address="+1"), HandleCheckResponse)
    assert_type(client.capability.with_raw_response.check_i_message(address="+1"), APIResponse[HandleCheckResponse])
    assert_type(client.available_number.retrieve(to=("+2",)), AvailableNumberRetrieveResponse)
    assert_type(client.available_number.with_raw_response.retrieve(), APIResponse[AvailableNumberRetrieveResponse])
    client.available_number.retrieve(to=["+2"], type="imessage")  # type: ignore[arg-type]


async def async_attachments(client: AsyncLinqClient) -> None:
    from pathlib import Path

    from linq_async import AsyncAPIResponse, AttachmentCreateResponse, AttachmentRetrieveResponse

    created = await client.attachments.create(content_type="image/jpeg", filename="a.jpg", size_bytes=10)
    assert_type(created, AttachmentCreateResponse)
    assert_type(await client.attachments.retrieve(created.attachment_id), AttachmentRetrieveResponse)
    assert_type(await client.attachments.delete(uuid.uuid4()), None)
    progress = await client.attachments.upload(Path("a.jpg"), on_progress=lambda sent, total: None)
    assert_type(progress, AttachmentCreateResponse)
    with open("a.jpg", "rb") as handle:
        assert_type(await client.attachments.upload(handle, filename="b.jpg"), AttachmentCreateResponse)
    await client.attachments.upload(b"bytes")  # type: ignore[arg-type]
    await client.attachments.upload("a.jpg", on_progress=lambda sent: None)  # type: ignore[arg-type, misc]
    await client.attachments.create(content_type="image/jpeg", filename="a.jpg", size_bytes="10")  # type: ignore[arg-type]
    raw = await client.attachments.with_raw_response.retrieve("id")
    assert_type(raw, AsyncAPIResponse[AttachmentRetrieveResponse])
    assert_type(await client.attachments.with_raw_response.upload("a.jpg"), AttachmentCreateResponse)


def sync_attachments(client: SyncLinqClient) -> None:
    from linq_async import APIResponse, AttachmentCreateResponse, AttachmentRetrieveResponse

    created = client.attachments.create(content_type="image/jpeg", filename="a.jpg", size_bytes=10)
    assert_type(created, AttachmentCreateResponse)
    assert_type(client.attachments.retrieve(created.attachment_id), AttachmentRetrieveResponse)
    assert_type(client.attachments.delete("id"), None)
    assert_type(client.attachments.upload("a.jpg", content_type="image/jpeg"), AttachmentCreateResponse)
    assert_type(client.attachments.with_raw_response.delete("id"), APIResponse[None])
    client.attachments.upload("a.jpg", on_progress=5)  # type: ignore[arg-type]
