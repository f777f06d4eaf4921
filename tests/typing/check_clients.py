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


async def async_webhooks_surface(client: AsyncLinqClient) -> None:
    from linq_async import (
        AsyncAPIResponse,
        ParticipantAddedWebhookEvent,
        ParticipantEventData,
        WebhookEvent,
        WebhookEventListResponse,
        WebhookSubscription,
        WebhookSubscriptionCreateResponse,
        WebhookSubscriptionListResponse,
    )

    subscriptions = client.webhook_subscriptions
    created = await subscriptions.create(subscribed_events=["message.sent"], target_url="https://example.com/h")
    assert_type(created, WebhookSubscriptionCreateResponse)
    assert_type(await subscriptions.list(), WebhookSubscriptionListResponse)
    assert_type(await subscriptions.retrieve(uuid.uuid4()), WebhookSubscription)
    assert_type(await subscriptions.update("id", phone_numbers=None, routing_key_header=None), WebhookSubscription)
    assert_type(await subscriptions.delete("id"), None)
    assert_type(await subscriptions.with_raw_response.list(), AsyncAPIResponse[WebhookSubscriptionListResponse])
    assert_type(await client.webhook_events.list(), WebhookEventListResponse)
    assert_type(await client.webhook_events.with_raw_response.list(), AsyncAPIResponse[WebhookEventListResponse])
    await subscriptions.update("id", is_active="no")  # type: ignore[arg-type]
    await subscriptions.create(target_url="https://example.com/h")  # type: ignore[call-arg]
    event = client.webhooks.unwrap(b"{}", headers={"webhook-id": "x"}, key="whsec_x")
    assert_type(event, WebhookEvent)
    if isinstance(event, ParticipantAddedWebhookEvent):
        assert_type(event.data, ParticipantEventData)
    assert_type(client.webhooks.with_raw_response.unwrap("{}", headers={}), WebhookEvent)
    client.webhooks.unwrap("{}", {})  # type: ignore[call-arg]


def sync_webhooks_surface(client: SyncLinqClient) -> None:
    from linq_async import (
        APIResponse,
        WebhookEvent,
        WebhookEventListResponse,
        WebhookSubscription,
        WebhookSubscriptionCreateResponse,
        WebhookSubscriptionListResponse,
    )

    subscriptions = client.webhook_subscriptions
    created = subscriptions.create(subscribed_events=["message.sent"], target_url="https://example.com/h")
    assert_type(created, WebhookSubscriptionCreateResponse)
    assert_type(subscriptions.list(), WebhookSubscriptionListResponse)
    assert_type(subscriptions.retrieve("id"), WebhookSubscription)
    assert_type(subscriptions.update("id", is_active=False), WebhookSubscription)
    assert_type(subscriptions.delete("id"), None)
    assert_type(subscriptions.with_raw_response.retrieve("id"), APIResponse[WebhookSubscription])
    assert_type(client.webhook_events.list(), WebhookEventListResponse)
    assert_type(client.webhook_events.with_raw_response.list(), APIResponse[WebhookEventListResponse])
    assert_type(client.webhooks.unwrap("{}", headers={}), WebhookEvent)
    assert_type(client.webhooks.with_raw_response.unwrap("{}", headers={}), WebhookEvent)
    subscriptions.update("id", phone_numbers="+14155550100")  # no error: a str is a Sequence[str]; refused at run time
    client.webhooks.unwrap("{}", headers={}, key=5)  # type: ignore[arg-type]


async def chats_card_and_background_async(client: AsyncLinqClient) -> None:
    from linq_async import AsyncAPIResponse

    assert_type(await client.chats.share_contact_card("id"), None)
    assert_type(await client.chats.background.set("id", type="color", shades=["#fff", "#000"]), None)
    assert_type(await client.chats.background.set(uuid.uuid4(), type="dynamic", style="sky", variant="dusk"), None)
    assert_type(await client.chats.background.remove("id"), None)
    assert_type(await client.chats.background.with_raw_response.remove("id"), AsyncAPIResponse[None])
    await client.chats.background.set("id", type="gradient")  # type: ignore[arg-type]
    await client.chats.background.set("id", type="dynamic", style="glitter", variant="x")  # type: ignore[arg-type]
    await client.chats.background.set("id", "color")  # type: ignore[call-arg]
    await client.chats.share_contact_card(5)  # type: ignore[arg-type]


def chats_card_and_background_sync(client: SyncLinqClient) -> None:
    from linq_async import APIResponse

    assert_type(client.chats.share_contact_card("id"), None)
    assert_type(client.chats.background.set("id", type="photo", image_url="https://a.co/b.jpg"), None)
    assert_type(client.chats.background.remove(uuid.uuid4()), None)
    assert_type(client.chats.background.with_raw_response.set("id", type="color", variant="ice"), APIResponse[None])
    client.chats.background.set("id", type="photo", image=1)  # type: ignore[call-arg]
