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
from linq_async.pagination import AsyncPage, SyncPage

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
    assert_type(await client.chats.list(), AsyncPage[Chat])
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
    assert_type(client.chats.messages.list("id").first_page(), SyncPage[Message])
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


# Payments: payments, payment_requests, payment_handles, payment_providers ------------------------


async def async_payments_surface(client: AsyncLinqClient) -> None:
    from linq_async import (
        AsyncAPIResponse,
        Payment,
        PaymentCredentialsResponse,
        PaymentHandleConnection,
        PaymentMerchant,
        PaymentProvider,
        PaymentProviderConnectResponse,
        PaymentRequest,
        PaymentRequestDiscount,
    )

    pay = client.payments
    assert_type(await pay.create(amount_cents=1999, currency="usd", handle="+1"), Payment)
    assert_type(
        await pay.create(
            amount_cents=1,
            currency="usd",
            handle="a@b.co",
            merchant=PaymentMerchant(name="Acme"),
            metadata={"k": "v"},
            idempotency_key="k",
        ),
        Payment,
    )
    assert_type(await pay.retrieve("pay_1"), Payment)
    assert_type(await pay.cancel("pay_1"), Payment)
    assert_type(await pay.credentials("pay_1"), PaymentCredentialsResponse)
    assert_type(await pay.with_raw_response.retrieve("pay_1"), AsyncAPIResponse[Payment])
    await pay.create(amount_cents=19.99, currency="usd", handle="+1")  # type: ignore[arg-type]
    await pay.create(amount_cents=1999, currency="usd")  # type: ignore[call-arg]
    await pay.create(1999, "usd", "+1")  # type: ignore[call-arg]
    requests = client.payment_requests
    assert_type(await requests.create(amount=5000, currency="usd", idempotency_key="k"), PaymentRequest)
    assert_type(
        await requests.create(mode="subscription", price_id="price_1", discount=PaymentRequestDiscount(coupon="A")),
        PaymentRequest,
    )
    assert_type(requests.list(limit=10, offset=20, status="succeeded"), AsyncPaginator[PaymentRequest])
    assert_type(await requests.list(), AsyncPage[PaymentRequest])
    async for item in requests.list():
        assert_type(item, PaymentRequest)
    assert_type(await requests.retrieve("pr_1"), PaymentRequest)
    assert_type(await requests.cancel("pr_1"), PaymentRequest)
    assert_type(await requests.with_raw_response.list(), AsyncAPIResponse[Page[PaymentRequest]])
    await requests.create(amount=50.0, currency="usd")  # type: ignore[arg-type]
    await requests.list(offset="20")  # type: ignore[arg-type]
    handles = client.payment_handles
    assert_type(await handles.connect("+1"), PaymentHandleConnection)
    assert_type(await handles.connection("a@b.co"), PaymentHandleConnection)
    assert_type(await handles.revoke("+1"), PaymentHandleConnection)
    assert_type(await handles.verify("+1", code="123456", connect_id="conn_1"), PaymentHandleConnection)
    assert_type(await handles.with_raw_response.connect("+1"), AsyncAPIResponse[PaymentHandleConnection])
    await handles.verify("+1", "123456", "conn_1")  # type: ignore[call-arg]
    providers = client.payment_providers
    assert_type(await providers.connect("agentcard", return_url="https://x.co"), PaymentProviderConnectResponse)
    assert_type(await providers.retrieve("agentcard"), PaymentProvider)
    assert_type(await providers.with_raw_response.retrieve("agentcard"), AsyncAPIResponse[PaymentProvider])


def sync_payments_surface(client: SyncLinqClient) -> None:
    from linq_async import (
        APIResponse,
        Payment,
        PaymentCredentialsResponse,
        PaymentHandleConnection,
        PaymentProvider,
        PaymentProviderConnectResponse,
        PaymentRequest,
    )

    assert_type(client.payments.create(amount_cents=1999, currency="usd", handle="+1"), Payment)
    assert_type(client.payments.retrieve("pay_1"), Payment)
    assert_type(client.payments.cancel("pay_1"), Payment)
    assert_type(client.payments.credentials("pay_1"), PaymentCredentialsResponse)
    assert_type(client.payments.with_raw_response.cancel("pay_1"), APIResponse[Payment])
    client.payments.create(amount_cents=19.99, currency="usd", handle="+1")  # type: ignore[arg-type]
    assert_type(client.payment_requests.create(amount=5000, currency="usd"), PaymentRequest)
    assert_type(client.payment_requests.list(status="succeeded"), SyncPaginator[PaymentRequest])
    for item in client.payment_requests.list(limit=5):
        assert_type(item, PaymentRequest)
    assert_type(client.payment_requests.list().first_page(), SyncPage[PaymentRequest])
    assert_type(client.payment_requests.retrieve("pr_1"), PaymentRequest)
    assert_type(client.payment_requests.cancel("pr_1"), PaymentRequest)
    assert_type(client.payment_requests.with_raw_response.retrieve("pr_1"), APIResponse[PaymentRequest])
    assert_type(client.payment_handles.connect("+1"), PaymentHandleConnection)
    assert_type(client.payment_handles.connection("+1"), PaymentHandleConnection)
    assert_type(client.payment_handles.revoke("+1"), PaymentHandleConnection)
    assert_type(client.payment_handles.verify("+1", code="1", connect_id="c"), PaymentHandleConnection)
    assert_type(client.payment_handles.with_raw_response.revoke("+1"), APIResponse[PaymentHandleConnection])
    assert_type(
        client.payment_providers.connect("agentcard", return_url="https://x.co"), PaymentProviderConnectResponse
    )
    assert_type(client.payment_providers.retrieve("agentcard"), PaymentProvider)
    assert_type(client.payment_providers.with_raw_response.retrieve("agentcard"), APIResponse[PaymentProvider])
    client.payment_providers.connect("agentcard")  # type: ignore[call-arg]


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
    assert_type(client.messages.list_messages_thread("id").first_page(), SyncPage[Message])
    assert_type(client.messages.with_raw_response.retrieve("id"), APIResponse[Message])
    client.messages.update("id", text=5)  # type: ignore[arg-type]


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


async def async_polls(client: AsyncLinqClient) -> None:
    from linq_async import AsyncAPIResponse, PollEnvelope, PollInput, PollOptionInput

    poll = PollInput(options=["Pizza", PollOptionInput(text="Tacos"), {"text": "Sushi"}])
    created = await client.chats.polls.create("id", poll=poll)
    assert_type(created, PollEnvelope)
    assert_type(await client.chats.polls.create(uuid.uuid4(), poll={"options": []}, idempotency_key="k"), PollEnvelope)
    assert_type(await client.messages.poll.retrieve(created.message_id), PollEnvelope)
    assert_type(await client.messages.poll.add_options("id", options=["Ramen", {"text": "Pho"}]), PollEnvelope)
    assert_type(await client.messages.poll.vote("id", operation="add", option_id="o"), PollEnvelope)
    assert_type(created.poll.options[0].vote_count, int)
    assert_type(created.poll.total_voters, int | None)
    await client.messages.poll.vote("id", operation="toggle", option_id="o")  # type: ignore[arg-type]
    await client.messages.poll.vote("id", "add", "o")  # type: ignore[call-arg]
    await client.chats.polls.create("id", {"options": []})  # type: ignore[call-arg]
    await client.messages.poll.add_options("id", options=[5])  # type: ignore[list-item]
    raw = await client.chats.polls.with_raw_response.create("id", poll=poll)
    assert_type(raw, AsyncAPIResponse[PollEnvelope])
    assert_type(await client.messages.poll.with_raw_response.retrieve("id"), AsyncAPIResponse[PollEnvelope])


def sync_polls(client: SyncLinqClient) -> None:
    from linq_async import APIResponse, PollEnvelope

    created = client.chats.polls.create("id", poll={"options": [{"text": "a"}, {"text": "b"}]})
    assert_type(created, PollEnvelope)
    assert_type(client.messages.poll.retrieve(created.message_id), PollEnvelope)
    assert_type(client.messages.poll.add_options("id", options=("c",)), PollEnvelope)
    assert_type(client.messages.poll.vote("id", operation="remove", option_id="o"), PollEnvelope)
    assert_type(client.chats.polls.with_raw_response.create("id", poll={"options": []}), APIResponse[PollEnvelope])
    assert_type(
        client.messages.poll.with_raw_response.vote("id", operation="add", option_id="o"), APIResponse[PollEnvelope]
    )
    client.messages.poll.vote("id", operation="add")  # type: ignore[call-arg]
