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


async def async_messages_surface(client: AsyncLinqClient) -> None:
    from linq_async import (
        AsyncAPIResponse,
        IMessageAppLayout,
        MessageAddReactionResponse,
        MessageCreateResponse,
        MessageUpdateAppCardResponse,
        MessageUpdateStickerPlacementResponse,
        Part,
        StickerPlacement,
    )

    assert_type(await client.messages.create(to=["+1"], message="hi"), MessageCreateResponse)
    assert_type(await client.messages.retrieve("id"), Message)
    assert_type(await client.messages.update("id", text="x", part_index=0), Message)
    assert_type(await client.messages.delete(uuid.uuid4()), None)
    reaction = await client.messages.add_reaction("id", operation="add", type="love", part_index=1)
    assert_type(reaction, MessageAddReactionResponse)
    moved = await client.messages.update_sticker_placement("r", message_id="id", placement=StickerPlacement(x=0.1))
    assert_type(moved, MessageUpdateStickerPlacementResponse)
    card = await client.messages.update_app_card("id", layout=IMessageAppLayout(caption="c"), interactive=False)
    assert_type(card, MessageUpdateAppCardResponse)
    assert_type(client.messages.list_messages_thread("id", order="desc"), AsyncPaginator[Message])
    async for message in client.messages.list_messages_thread("id"):
        assert_type(message, Message)
        for part in message.parts:
            assert_type(part, Part)
            assert_type(part.type, str)
    assert_type(await client.messages.with_raw_response.retrieve("id"), AsyncAPIResponse[Message])
    await client.messages.add_reaction("id", operation="toggle", type="love")  # type: ignore[arg-type]
    await client.messages.add_reaction("id", operation="add", type="wow")  # type: ignore[arg-type]
    await client.messages.create(message="hi")  # type: ignore[call-arg]
    await client.messages.update_sticker_placement("r", "id", placement={})  # type: ignore[call-arg]


def sync_messages_surface(client: SyncLinqClient) -> None:
    from linq_async import (
        APIResponse,
        MessageAddReactionResponse,
        MessageCreateResponse,
        MessageUpdateAppCardResponse,
        MessageUpdateStickerPlacementResponse,
    )

    assert_type(client.messages.create(to=["+1"], message=[TextPart(value="x")]), MessageCreateResponse)
    assert_type(client.messages.retrieve("id"), Message)
    assert_type(client.messages.update("id", text="x"), Message)
    assert_type(client.messages.delete("id"), None)
    assert_type(
        client.messages.add_reaction("id", operation="add", type="sticker", emoji="x"), MessageAddReactionResponse
    )
    assert_type(
        client.messages.update_sticker_placement("r", message_id="id", placement={"x": 0.5}),
        MessageUpdateStickerPlacementResponse,
    )
    assert_type(client.messages.update_app_card("id", layout={"caption": "c"}), MessageUpdateAppCardResponse)
    assert_type(client.messages.list_messages_thread("id"), SyncPaginator[Message])
    assert_type(client.messages.list_messages_thread("id").first_page(), Page[Message])
    assert_type(client.messages.with_raw_response.retrieve("id"), APIResponse[Message])
    client.messages.update("id", text=5)  # type: ignore[arg-type]
