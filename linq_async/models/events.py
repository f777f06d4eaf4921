"""Webhook events: the envelope, one class per event type, and the data each one carries.

Every event type linq-python 0.65.0 knows (75 names) parses into a class picked by its
``event_type``: 68 have a class named as linq-python names it (``MessageReceivedWebhookEvent``,
...), each a subclass of a class grouping the events that carry the same data
(``MessageEvent``, ``ReactionEvent``, ``AccountEvent``, ...). The seven ``call.*`` events, whose
payload linq-python does not type either, and any name unknown to this version become
``UnknownEvent`` with the raw ``data``. Every data field is optional: a delivery that leaves one
out, or adds one (kept on ``.extra``), still parses. Values the server may extend (directions,
services, statuses, reaction types) are plain strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from .. import _rules
from .._convert import Model, register_tagged_union
from .chats import Chat
from .common import ChatHandle, HealthStatus, MessageEffect, ReplyTo
from .messages import Part

__all__ = [
    "APITokenActivatedWebhookEvent",
    "APITokenCreatedWebhookEvent",
    "APITokenDeletedWebhookEvent",
    "APITokenExpiredWebhookEvent",
    "APITokenExpiryScheduledWebhookEvent",
    "APITokenRenamedWebhookEvent",
    "AccountEvent",
    "AccountEventData",
    "BaseWebhookEvent",
    "ChatBackgroundData",
    "ChatBackgroundUpdateFailedWebhookEvent",
    "ChatBackgroundUpdatedWebhookEvent",
    "ChatCreatedEvent",
    "ChatCreatedWebhookEvent",
    "ChatGroupIconUpdateFailedWebhookEvent",
    "ChatGroupIconUpdatedWebhookEvent",
    "ChatGroupNameUpdateFailedWebhookEvent",
    "ChatGroupNameUpdatedWebhookEvent",
    "ChatTypingIndicatorStartedWebhookEvent",
    "ChatTypingIndicatorStoppedWebhookEvent",
    "ChatUpdateData",
    "ChatUpdateFailedData",
    "ChatUpdateFailedEvent",
    "ChatUpdatedEvent",
    "ConnectionCreatedWebhookEvent",
    "ConnectionRevokedWebhookEvent",
    "ContactCardCreatedWebhookEvent",
    "ContactCardDeletedWebhookEvent",
    "ContactCardReceivedData",
    "ContactCardReceivedWebhookEvent",
    "ContactCardUpdatedWebhookEvent",
    "EnvironmentCreatedWebhookEvent",
    "EnvironmentDeletedWebhookEvent",
    "EnvironmentLineMovedWebhookEvent",
    "EnvironmentRenamedWebhookEvent",
    "EventActor",
    "EventApiToken",
    "EventBackground",
    "EventChange",
    "EventChat",
    "EventContactCard",
    "EventEditedPart",
    "EventEnvironment",
    "EventFieldChange",
    "EventNaturalPayment",
    "EventPaymentDiscount",
    "EventPoll",
    "EventPollChat",
    "EventPollError",
    "EventPollOption",
    "EventPollVoter",
    "EventReactionSticker",
    "EventStripePayment",
    "EventTeamMember",
    "EventWebhookSubscription",
    "LocationSharingStartedData",
    "LocationSharingStartedWebhookEvent",
    "LocationSharingStoppedData",
    "LocationSharingStoppedWebhookEvent",
    "MessageDeliveredWebhookEvent",
    "MessageEditedData",
    "MessageEditedWebhookEvent",
    "MessageEvent",
    "MessageEventData",
    "MessageEventV2",
    "MessageFailedData",
    "MessageFailedEvent",
    "MessageFailedWebhookEvent",
    "MessageReadWebhookEvent",
    "MessageReceivedWebhookEvent",
    "MessageSentWebhookEvent",
    "ParticipantAddedWebhookEvent",
    "ParticipantEvent",
    "ParticipantEventData",
    "ParticipantRemovedWebhookEvent",
    "PaymentAuthorizedWebhookEvent",
    "PaymentCanceledWebhookEvent",
    "PaymentDeclinedWebhookEvent",
    "PaymentEvent",
    "PaymentEventData",
    "PaymentExpiredWebhookEvent",
    "PaymentSucceededWebhookEvent",
    "PhoneNumberAssignedWebhookEvent",
    "PhoneNumberChangeData",
    "PhoneNumberEvent",
    "PhoneNumberForwardingUpdatedWebhookEvent",
    "PhoneNumberReleasedWebhookEvent",
    "PhoneNumberStatusData",
    "PhoneNumberStatusUpdatedWebhookEvent",
    "PollDeliveredWebhookEvent",
    "PollFailedData",
    "PollFailedWebhookEvent",
    "PollReactionAddedWebhookEvent",
    "PollReadWebhookEvent",
    "PollReceivedData",
    "PollReceivedWebhookEvent",
    "PollSentWebhookEvent",
    "PollStatusData",
    "PollStatusEvent",
    "PollUpdatedData",
    "PollUpdatedWebhookEvent",
    "PollVoteAddedWebhookEvent",
    "PollVoteData",
    "PollVoteEvent",
    "PollVoteRemovedWebhookEvent",
    "ReactionAddedWebhookEvent",
    "ReactionEvent",
    "ReactionEventBase",
    "ReactionEventData",
    "ReactionRemovedWebhookEvent",
    "TeamMemberAddedWebhookEvent",
    "TeamMemberSignedInWebhookEvent",
    "TeamMemberSignedOutWebhookEvent",
    "TypingIndicatorData",
    "TypingIndicatorEvent",
    "UnknownEvent",
    "UnwrapWebhookEvent",
    "WebhookEvent",
    "WebhookSubscriptionCreatedWebhookEvent",
    "WebhookSubscriptionDeletedWebhookEvent",
    "WebhookSubscriptionDisabledWebhookEvent",
    "WebhookSubscriptionEnabledWebhookEvent",
    "WebhookSubscriptionEventsUpdatedWebhookEvent",
    "WebhookSubscriptionPhoneNumbersUpdatedWebhookEvent",
    "WebhookSubscriptionRoutingHeadersClearedWebhookEvent",
    "WebhookSubscriptionRoutingHeadersSetWebhookEvent",
    "WebhookSubscriptionTargetURLChangedWebhookEvent",
    "ZeroDayRetentionUpdatedWebhookEvent",
]

EVENT_TYPES: tuple[str, ...] = _rules.EVENT_TYPES
"""Every event type one can subscribe to, in the order ``GET /v3/webhook-events`` lists them."""


# The envelope ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BaseWebhookEvent(Model):
    """What every delivery carries around its ``data``; ``event_id`` is the ``webhook-id`` to dedupe on."""

    event_type: str
    event_id: str
    created_at: dt.datetime | None = None
    api_version: str | None = None
    webhook_version: str | None = None
    trace_id: str | None = None
    partner_id: str | None = None


# Shared pieces ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventChat(Model):
    """The chat a message event belongs to."""

    id: str | None = None
    is_group: bool | None = None
    health_status: HealthStatus | None = None
    owner_handle: ChatHandle | None = None


@attrs.frozen(kw_only=True)
class EventPollChat(Model):
    """The chat of a poll or background event: its id, whether it is a group, your line in it."""

    id: str | None = None
    is_group: bool | None = None
    owner_handle: ChatHandle | None = None


@attrs.frozen(kw_only=True)
class EventPollVoter(Model):
    """One vote for a poll option."""

    handle: str | None = None
    voted_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class EventPollOption(Model):
    """A poll option with who added it and who voted for it (``text`` is empty on zero-retention lines)."""

    option_id: str | None = None
    text: str | None = None
    can_be_edited: bool | None = None
    creator_handle: ChatHandle | None = None
    voters: tuple[EventPollVoter, ...] = ()


@attrs.frozen(kw_only=True)
class EventPoll(Model):
    """A poll's options and how many people voted in all."""

    options: tuple[EventPollOption, ...] = ()
    total_voters: int | None = None


@attrs.frozen(kw_only=True)
class EventPollError(Model):
    """Why sending a poll failed."""

    code: int | None = None
    message: str | None = None


# Messages -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MessageEventData(Model):
    """A message in a message event (``direction`` ``"inbound"`` or ``"outbound"``).

    ``sent_at`` is set on sent and received events, ``delivered_at`` from delivery on,
    ``read_at`` on read; ``parts`` is empty when ``zero_retention`` is true.
    """

    id: str | None = None
    direction: str | None = None
    parts: tuple[Part, ...] = ()
    chat: EventChat | None = None
    sender_handle: ChatHandle | None = None
    service: str | None = None
    preferred_service: str | None = None
    idempotency_key: str | None = None
    effect: MessageEffect | None = None
    reply_to: ReplyTo | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    reconciled_at: dt.datetime | None = None
    zero_retention: bool | None = None


MessageEventV2 = MessageEventData
"""linq-python's name for the data of the message events."""


@attrs.frozen(kw_only=True)
class MessageFailedData(Model):
    """Why a message failed: ``code`` (3007, 4001, 4002, 4005-4008), ``reason``, when."""

    code: int | None = None
    reason: str | None = None
    failed_at: dt.datetime | None = None
    chat_id: str | None = None
    message_id: str | None = None
    detail_code: int | None = None
    service: str | None = None
    preferred_service: str | None = None


@attrs.frozen(kw_only=True)
class EventEditedPart(Model):
    """The text part an edit changed, by index."""

    index: int | None = None
    text: str | None = None


@attrs.frozen(kw_only=True)
class MessageEditedData(Model):
    """A message whose text part was edited (sent on the 2026-02-03 payload version)."""

    id: str | None = None
    chat: EventChat | None = None
    direction: str | None = None
    edited_at: dt.datetime | None = None
    part: EventEditedPart | None = None
    sender_handle: ChatHandle | None = None
    zero_retention: bool | None = None


@attrs.frozen(kw_only=True)
class EventReactionSticker(Model):
    """The sticker of a ``"sticker"`` reaction; its ``url`` is presigned for about an hour."""

    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None


@attrs.frozen(kw_only=True)
class ReactionEventData(Model):
    """A tapback, emoji or sticker put on (or taken off) a message part or a poll."""

    reaction_type: str | None = None
    is_from_me: bool | None = None
    chat_id: str | None = None
    message_id: str | None = None
    part_index: int | None = None
    reaction_id: str | None = None
    custom_emoji: str | None = None
    sticker: EventReactionSticker | None = None
    from_handle: ChatHandle | None = None
    from_: str | None = None
    reacted_at: dt.datetime | None = None
    service: str | None = None


ReactionEventBase = ReactionEventData
"""linq-python's name for the data of the reaction events."""


# Polls --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PollReceivedData(Model):
    """A poll someone sent you, with its options (no votes yet)."""

    message_id: str | None = None
    chat: EventPollChat | None = None
    direction: str | None = None
    poll: EventPoll | None = None
    service: str | None = None
    sender_handle: ChatHandle | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    zero_retention: bool | None = None


@attrs.frozen(kw_only=True)
class PollStatusData(Model):
    """A poll you sent, as it is sent, delivered and read."""

    message_id: str | None = None
    chat: EventPollChat | None = None
    direction: str | None = None
    poll: EventPoll | None = None
    service: str | None = None
    sender_handle: ChatHandle | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    zero_retention: bool | None = None


@attrs.frozen(kw_only=True)
class PollUpdatedData(Model):
    """Options added to a poll; ``added_options[].creator_handle`` says who added each one."""

    message_id: str | None = None
    chat: EventPollChat | None = None
    direction: str | None = None
    added_options: tuple[EventPollOption, ...] = ()
    service: str | None = None
    sender_handle: ChatHandle | None = None
    zero_retention: bool | None = None


@attrs.frozen(kw_only=True)
class PollFailedData(Model):
    """A poll that could not be sent, and why."""

    message_id: str | None = None
    chat: EventPollChat | None = None
    direction: str | None = None
    poll: EventPoll | None = None
    service: str | None = None
    error: EventPollError | None = None
    failed_at: dt.datetime | None = None
    sender_handle: ChatHandle | None = None
    zero_retention: bool | None = None


@attrs.frozen(kw_only=True)
class PollVoteData(Model):
    """A vote cast or withdrawn: ``sender_handle`` voted for (or against) ``option_id``."""

    message_id: str | None = None
    option_id: str | None = None
    chat: EventPollChat | None = None
    direction: str | None = None
    service: str | None = None
    sender_handle: ChatHandle | None = None
    zero_retention: bool | None = None


# Participants and chats ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ParticipantEventData(Model):
    """Who joined or left a group chat (``handle`` is the older spelling of ``participant.handle``)."""

    handle: str | None = None
    chat_id: str | None = None
    participant: ChatHandle | None = None
    added_at: dt.datetime | None = None
    removed_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class ChatUpdateData(Model):
    """A group name or icon change: the old and new name (or icon URL); None when there was none."""

    chat_id: str | None = None
    updated_at: dt.datetime | None = None
    changed_by_handle: ChatHandle | None = None
    new_value: str | None = None
    old_value: str | None = None


@attrs.frozen(kw_only=True)
class ChatUpdateFailedData(Model):
    """A group name, icon or background change that failed, with its ``error_code``."""

    chat_id: str | None = None
    error_code: int | None = None
    failed_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class TypingIndicatorData(Model):
    """Someone started or stopped typing in a chat."""

    chat_id: str | None = None
    actor_handle: ChatHandle | None = None


@attrs.frozen(kw_only=True)
class EventBackground(Model):
    """A chat background: ``"color"`` (two ``shades``), ``"dynamic"`` (a ``style``) or ``"photo"`` (``image_url``)."""

    type: str | None = None
    image_url: str | None = None
    shades: tuple[str, ...] = ()
    style: str | None = None
    variant: str | None = None


@attrs.frozen(kw_only=True)
class ChatBackgroundData(Model):
    """A chat's new background, and who set it."""

    chat: EventPollChat | None = None
    actor_handle: ChatHandle | None = None
    background: EventBackground | None = None


@attrs.frozen(kw_only=True)
class ContactCardReceivedData(Model):
    """A contact card someone shared with your line ``owner_handle``."""

    first_name: str | None = None
    last_name: str | None = None
    owner_handle: str | None = None
    sender_handle: str | None = None
    media_url: str | None = None


@attrs.frozen(kw_only=True)
class LocationSharingStartedData(Model):
    """``shared_by`` began sharing their location with your line ``shared_with``."""

    shared_by: str | None = None
    shared_with: str | None = None
    chat_id: str | None = None
    began_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class LocationSharingStoppedData(Model):
    """``shared_by`` stopped sharing their location with your line ``shared_with``."""

    shared_by: str | None = None
    shared_with: str | None = None
    chat_id: str | None = None
    began_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


# Lines ----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PhoneNumberStatusData(Model):
    """A line's status (``ACTIVE``/``FLAGGED``) or reputation (``HEALTHY``/``AT_RISK``/``CRITICAL``) changed."""

    phone_number: str | None = None
    changed_at: dt.datetime | None = None
    previous_status: str | None = None
    new_status: str | None = None
    previous_reputation: str | None = None
    new_reputation: str | None = None


@attrs.frozen(kw_only=True)
class PhoneNumberChangeData(Model):
    """A line given to or taken from your account."""

    phone_number: str | None = None
    changed_at: dt.datetime | None = None


# Payments -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventPaymentDiscount(Model):
    """The discount of a subscription-mode payment request."""

    coupon: str | None = None
    label: str | None = None
    promotion_code: str | None = None


@attrs.frozen(kw_only=True)
class EventNaturalPayment(Model):
    """Natural's ids for a payment request on the ``natural`` rail."""

    payment_request_id: str | None = None
    transaction_id: str | None = None


@attrs.frozen(kw_only=True)
class EventStripePayment(Model):
    """Stripe's ids for a payment request on the ``stripe`` rail."""

    customer_id: str | None = None
    payment_intent_id: str | None = None
    subscription_id: str | None = None


@attrs.frozen(kw_only=True)
class PaymentEventData(Model):
    """A payment request as ``GET /v3/payment_requests/{id}`` shows it; ``amount`` in minor units (cents)."""

    id: str | None = None
    object: str | None = None
    status: str | None = None
    amount: int | None = None
    currency: str | None = None
    checkout_url: str | None = None
    description: str | None = None
    mode: str | None = None
    rail: str | None = None
    interval: str | None = None
    interval_count: int | None = None
    price_id: str | None = None
    quantity: int | None = None
    discount: EventPaymentDiscount | None = None
    metadata: Mapping[str, str] | None = None
    natural: EventNaturalPayment | None = None
    stripe: EventStripePayment | None = None
    trial_end: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


# Account events -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventActor(Model):
    """Who made an account change: ``type`` ``"team_member"`` (with id, email, name), ``"api"``, ``"system"``."""

    type: str | None = None
    id: str | None = None
    email: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class EventFieldChange(Model):
    """One field of a contact card before and after."""

    from_: str | None = None
    to: str | None = None


@attrs.frozen(kw_only=True)
class EventChange(Model):
    """What an update changed: ``from_``/``to``, or per field for a contact card."""

    from_: Any = None
    to: Any = None
    first_name: EventFieldChange | None = None
    last_name: EventFieldChange | None = None
    image_url: EventFieldChange | None = None


@attrs.frozen(kw_only=True)
class EventApiToken(Model):
    """The API token an ``api_token.*`` event is about (never the token itself)."""

    id: str | None = None
    token_prefix: str | None = None
    name: str | None = None
    expires_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class EventContactCard(Model):
    """The contact card a ``contact_card.*`` event is about."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    image_url: str | None = None


@attrs.frozen(kw_only=True)
class EventEnvironment(Model):
    """The environment an ``environment.*`` event is about."""

    name: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class EventTeamMember(Model):
    """The team member a ``team_member.*`` event is about (``role`` on ``team_member.added``)."""

    id: str | None = None
    name: str | None = None
    role: str | None = None


@attrs.frozen(kw_only=True)
class EventWebhookSubscription(Model):
    """The subscription a ``webhook_subscription.*`` event is about; ``target_url`` without query or credentials."""

    id: str | None = None
    events: tuple[str, ...] = ()
    target_url: str | None = None


@attrs.frozen(kw_only=True)
class AccountEventData(Model):
    """A change to the account, its tokens, environments, subscriptions or team (27 event types).

    ``summary`` is a display label; ``change`` is set on update-like events; the object the event
    is about is in the field of its kind (``api_token``, ``webhook_subscription``, ...).
    """

    actor: EventActor | None = None
    occurred_at: dt.datetime | None = None
    origin: str | None = None
    summary: str | None = None
    change: EventChange | None = None
    api_token: EventApiToken | None = None
    contact_card: EventContactCard | None = None
    environment: EventEnvironment | None = None
    team_member: EventTeamMember | None = None
    webhook_subscription: EventWebhookSubscription | None = None
    phone_number: str | None = None
    method: str | None = None
    lines_moved_to_production: int | None = None
    tokens_revoked: int | None = None


# Event classes, grouped by the data they carry --------------------------------------------------


@attrs.frozen(kw_only=True)
class MessageEvent(BaseWebhookEvent):
    """``message.sent``, ``message.received``, ``message.delivered`` or ``message.read``."""

    data: MessageEventData


@attrs.frozen(kw_only=True)
class MessageSentWebhookEvent(MessageEvent):
    """``message.sent``: a message left your line (not necessarily delivered yet)."""


@attrs.frozen(kw_only=True)
class MessageReceivedWebhookEvent(MessageEvent):
    """``message.received``: someone sent your line a message."""


@attrs.frozen(kw_only=True)
class MessageReadWebhookEvent(MessageEvent):
    """``message.read``: a message you sent was read."""


@attrs.frozen(kw_only=True)
class MessageDeliveredWebhookEvent(MessageEvent):
    """``message.delivered``: a message you sent reached the recipient's device."""


@attrs.frozen(kw_only=True)
class MessageFailedEvent(BaseWebhookEvent):
    """``message.failed``."""

    data: MessageFailedData


@attrs.frozen(kw_only=True)
class MessageFailedWebhookEvent(MessageFailedEvent):
    """``message.failed``: a message could not be delivered (rarely, a delivery may still follow)."""


@attrs.frozen(kw_only=True)
class MessageEditedWebhookEvent(BaseWebhookEvent):
    """``message.edited``: the text of a message part changed."""

    data: MessageEditedData


@attrs.frozen(kw_only=True)
class ReactionEvent(BaseWebhookEvent):
    """``reaction.added``, ``reaction.removed`` or ``poll.reaction.added``."""

    data: ReactionEventData


@attrs.frozen(kw_only=True)
class ReactionAddedWebhookEvent(ReactionEvent):
    """``reaction.added``: a reaction was put on a message part."""


@attrs.frozen(kw_only=True)
class ReactionRemovedWebhookEvent(ReactionEvent):
    """``reaction.removed``: a reaction was taken off a message part."""


@attrs.frozen(kw_only=True)
class PollReactionAddedWebhookEvent(ReactionEvent):
    """``poll.reaction.added``: a reaction was put on a poll."""


@attrs.frozen(kw_only=True)
class PollReceivedWebhookEvent(BaseWebhookEvent):
    """``poll.received``: someone sent your line a poll."""

    data: PollReceivedData


@attrs.frozen(kw_only=True)
class PollStatusEvent(BaseWebhookEvent):
    """``poll.sent``, ``poll.delivered`` or ``poll.read``."""

    data: PollStatusData


@attrs.frozen(kw_only=True)
class PollSentWebhookEvent(PollStatusEvent):
    """``poll.sent``: a poll left your line."""


@attrs.frozen(kw_only=True)
class PollDeliveredWebhookEvent(PollStatusEvent):
    """``poll.delivered``: a poll you sent was delivered."""


@attrs.frozen(kw_only=True)
class PollReadWebhookEvent(PollStatusEvent):
    """``poll.read``: a poll you sent was read."""


@attrs.frozen(kw_only=True)
class PollUpdatedWebhookEvent(BaseWebhookEvent):
    """``poll.updated``: options were added to a poll."""

    data: PollUpdatedData


@attrs.frozen(kw_only=True)
class PollFailedWebhookEvent(BaseWebhookEvent):
    """``poll.failed``: a poll could not be sent."""

    data: PollFailedData


@attrs.frozen(kw_only=True)
class PollVoteEvent(BaseWebhookEvent):
    """``poll.vote.added`` or ``poll.vote.removed``."""

    data: PollVoteData


@attrs.frozen(kw_only=True)
class PollVoteAddedWebhookEvent(PollVoteEvent):
    """``poll.vote.added``: someone voted for an option."""


@attrs.frozen(kw_only=True)
class PollVoteRemovedWebhookEvent(PollVoteEvent):
    """``poll.vote.removed``: someone withdrew a vote."""


@attrs.frozen(kw_only=True)
class ParticipantEvent(BaseWebhookEvent):
    """``participant.added`` or ``participant.removed``: the outcome of a queued membership change."""

    data: ParticipantEventData


@attrs.frozen(kw_only=True)
class ParticipantAddedWebhookEvent(ParticipantEvent):
    """``participant.added``: someone joined a group chat."""


@attrs.frozen(kw_only=True)
class ParticipantRemovedWebhookEvent(ParticipantEvent):
    """``participant.removed``: someone left or was removed from a group chat."""


@attrs.frozen(kw_only=True)
class ChatCreatedEvent(BaseWebhookEvent):
    """``chat.created``."""

    data: Chat


@attrs.frozen(kw_only=True)
class ChatCreatedWebhookEvent(ChatCreatedEvent):
    """``chat.created``: a chat was created; ``data`` is the chat as ``chats.retrieve`` returns it."""


@attrs.frozen(kw_only=True)
class ChatUpdatedEvent(BaseWebhookEvent):
    """``chat.group_name_updated`` or ``chat.group_icon_updated``."""

    data: ChatUpdateData


@attrs.frozen(kw_only=True)
class ChatGroupNameUpdatedWebhookEvent(ChatUpdatedEvent):
    """``chat.group_name_updated``: a group chat was renamed."""


@attrs.frozen(kw_only=True)
class ChatGroupIconUpdatedWebhookEvent(ChatUpdatedEvent):
    """``chat.group_icon_updated``: a group chat's icon changed."""


@attrs.frozen(kw_only=True)
class ChatUpdateFailedEvent(BaseWebhookEvent):
    """``chat.group_name_update_failed``, ``chat.group_icon_update_failed`` or ``chat.background_update_failed``."""

    data: ChatUpdateFailedData


@attrs.frozen(kw_only=True)
class ChatGroupNameUpdateFailedWebhookEvent(ChatUpdateFailedEvent):
    """``chat.group_name_update_failed``: renaming a group chat failed (3007 or 4001)."""


@attrs.frozen(kw_only=True)
class ChatGroupIconUpdateFailedWebhookEvent(ChatUpdateFailedEvent):
    """``chat.group_icon_update_failed``: changing a group chat's icon failed (3007 or 4001)."""


@attrs.frozen(kw_only=True)
class ChatBackgroundUpdateFailedWebhookEvent(ChatUpdateFailedEvent):
    """``chat.background_update_failed``: setting a chat background failed (1005, 2011, 4001 or 5002)."""


@attrs.frozen(kw_only=True)
class TypingIndicatorEvent(BaseWebhookEvent):
    """``chat.typing_indicator.started`` or ``chat.typing_indicator.stopped``."""

    data: TypingIndicatorData


@attrs.frozen(kw_only=True)
class ChatTypingIndicatorStartedWebhookEvent(TypingIndicatorEvent):
    """``chat.typing_indicator.started``: someone is typing."""


@attrs.frozen(kw_only=True)
class ChatTypingIndicatorStoppedWebhookEvent(TypingIndicatorEvent):
    """``chat.typing_indicator.stopped``: they stopped typing."""


@attrs.frozen(kw_only=True)
class ChatBackgroundUpdatedWebhookEvent(BaseWebhookEvent):
    """``chat.background_updated``: a chat's background changed."""

    data: ChatBackgroundData


@attrs.frozen(kw_only=True)
class ContactCardReceivedWebhookEvent(BaseWebhookEvent):
    """``contact_card.received``: someone shared their contact card (again when it changes)."""

    data: ContactCardReceivedData


@attrs.frozen(kw_only=True)
class PhoneNumberStatusUpdatedWebhookEvent(BaseWebhookEvent):
    """``phone_number.status_updated``: a line's status or reputation changed."""

    data: PhoneNumberStatusData


@attrs.frozen(kw_only=True)
class PhoneNumberEvent(BaseWebhookEvent):
    """``phone_number.assigned`` or ``phone_number.released``."""

    data: PhoneNumberChangeData


@attrs.frozen(kw_only=True)
class PhoneNumberAssignedWebhookEvent(PhoneNumberEvent):
    """``phone_number.assigned``: a line was added to your account."""


@attrs.frozen(kw_only=True)
class PhoneNumberReleasedWebhookEvent(PhoneNumberEvent):
    """``phone_number.released``: a line was taken from your account."""


@attrs.frozen(kw_only=True)
class LocationSharingStartedWebhookEvent(BaseWebhookEvent):
    """``location.sharing.started``: a contact began sharing their location."""

    data: LocationSharingStartedData


@attrs.frozen(kw_only=True)
class LocationSharingStoppedWebhookEvent(BaseWebhookEvent):
    """``location.sharing.stopped``: a contact stopped sharing their location."""

    data: LocationSharingStoppedData


@attrs.frozen(kw_only=True)
class PaymentEvent(BaseWebhookEvent):
    """``payment.*`` and ``connection.*``: ``data`` is a payment request snapshot (as linq-python types both)."""

    data: PaymentEventData


@attrs.frozen(kw_only=True)
class PaymentSucceededWebhookEvent(PaymentEvent):
    """``payment.succeeded``: a payment request was paid."""


@attrs.frozen(kw_only=True)
class PaymentCanceledWebhookEvent(PaymentEvent):
    """``payment.canceled``: a payment request was canceled."""


@attrs.frozen(kw_only=True)
class PaymentExpiredWebhookEvent(PaymentEvent):
    """``payment.expired``: a payment request expired unpaid."""


@attrs.frozen(kw_only=True)
class PaymentDeclinedWebhookEvent(PaymentEvent):
    """``payment.declined``: a payment was declined."""


@attrs.frozen(kw_only=True)
class PaymentAuthorizedWebhookEvent(PaymentEvent):
    """``payment.authorized``: a payment was authorized."""


@attrs.frozen(kw_only=True)
class ConnectionCreatedWebhookEvent(PaymentEvent):
    """``connection.created``."""


@attrs.frozen(kw_only=True)
class ConnectionRevokedWebhookEvent(PaymentEvent):
    """``connection.revoked``."""


@attrs.frozen(kw_only=True)
class AccountEvent(BaseWebhookEvent):
    """An account event: tokens, environments, contact cards, subscriptions, team, line settings."""

    data: AccountEventData


@attrs.frozen(kw_only=True)
class ZeroDayRetentionUpdatedWebhookEvent(AccountEvent):
    """``zero_day_retention.updated``: zero-day retention was turned on or off."""


@attrs.frozen(kw_only=True)
class PhoneNumberForwardingUpdatedWebhookEvent(AccountEvent):
    """``phone_number.forwarding_updated``: a line's call forwarding number changed."""


@attrs.frozen(kw_only=True)
class EnvironmentLineMovedWebhookEvent(AccountEvent):
    """``environment.line_moved``: a line moved between environments."""


@attrs.frozen(kw_only=True)
class ContactCardCreatedWebhookEvent(AccountEvent):
    """``contact_card.created``: a contact card of yours was created."""


@attrs.frozen(kw_only=True)
class ContactCardUpdatedWebhookEvent(AccountEvent):
    """``contact_card.updated``: a contact card of yours changed (``change`` per field)."""


@attrs.frozen(kw_only=True)
class ContactCardDeletedWebhookEvent(AccountEvent):
    """``contact_card.deleted``: a contact card of yours was deleted."""


@attrs.frozen(kw_only=True)
class APITokenCreatedWebhookEvent(AccountEvent):
    """``api_token.created``."""


@attrs.frozen(kw_only=True)
class APITokenRenamedWebhookEvent(AccountEvent):
    """``api_token.renamed``."""


@attrs.frozen(kw_only=True)
class APITokenExpiryScheduledWebhookEvent(AccountEvent):
    """``api_token.expiry_scheduled``."""


@attrs.frozen(kw_only=True)
class APITokenExpiredWebhookEvent(AccountEvent):
    """``api_token.expired``."""


@attrs.frozen(kw_only=True)
class APITokenActivatedWebhookEvent(AccountEvent):
    """``api_token.activated``."""


@attrs.frozen(kw_only=True)
class APITokenDeletedWebhookEvent(AccountEvent):
    """``api_token.deleted``."""


@attrs.frozen(kw_only=True)
class EnvironmentCreatedWebhookEvent(AccountEvent):
    """``environment.created``."""


@attrs.frozen(kw_only=True)
class EnvironmentRenamedWebhookEvent(AccountEvent):
    """``environment.renamed``."""


@attrs.frozen(kw_only=True)
class EnvironmentDeletedWebhookEvent(AccountEvent):
    """``environment.deleted`` (with ``lines_moved_to_production`` and ``tokens_revoked``)."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionCreatedWebhookEvent(AccountEvent):
    """``webhook_subscription.created``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionDeletedWebhookEvent(AccountEvent):
    """``webhook_subscription.deleted``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionTargetURLChangedWebhookEvent(AccountEvent):
    """``webhook_subscription.target_url_changed``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionEnabledWebhookEvent(AccountEvent):
    """``webhook_subscription.enabled``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionDisabledWebhookEvent(AccountEvent):
    """``webhook_subscription.disabled``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionEventsUpdatedWebhookEvent(AccountEvent):
    """``webhook_subscription.events.updated``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionPhoneNumbersUpdatedWebhookEvent(AccountEvent):
    """``webhook_subscription.phone_numbers.updated``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionRoutingHeadersSetWebhookEvent(AccountEvent):
    """``webhook_subscription.routing_headers_set``."""


@attrs.frozen(kw_only=True)
class WebhookSubscriptionRoutingHeadersClearedWebhookEvent(AccountEvent):
    """``webhook_subscription.routing_headers_cleared``."""


@attrs.frozen(kw_only=True)
class TeamMemberAddedWebhookEvent(AccountEvent):
    """``team_member.added``."""


@attrs.frozen(kw_only=True)
class TeamMemberSignedInWebhookEvent(AccountEvent):
    """``team_member.signed_in`` (``method`` says how)."""


@attrs.frozen(kw_only=True)
class TeamMemberSignedOutWebhookEvent(AccountEvent):
    """``team_member.signed_out``."""


@attrs.frozen(kw_only=True)
class UnknownEvent(BaseWebhookEvent):
    """An event type without a payload model here (the ``call.*`` events, newer ones); ``data`` is the raw JSON."""

    data: Any = None


WebhookEvent: TypeAlias = (
    MessageSentWebhookEvent
    | MessageReceivedWebhookEvent
    | MessageReadWebhookEvent
    | MessageDeliveredWebhookEvent
    | MessageFailedWebhookEvent
    | MessageEditedWebhookEvent
    | ReactionAddedWebhookEvent
    | ReactionRemovedWebhookEvent
    | PollReceivedWebhookEvent
    | PollSentWebhookEvent
    | PollDeliveredWebhookEvent
    | PollReadWebhookEvent
    | PollUpdatedWebhookEvent
    | PollFailedWebhookEvent
    | PollVoteAddedWebhookEvent
    | PollVoteRemovedWebhookEvent
    | PollReactionAddedWebhookEvent
    | ParticipantAddedWebhookEvent
    | ParticipantRemovedWebhookEvent
    | ChatCreatedWebhookEvent
    | ChatGroupNameUpdatedWebhookEvent
    | ChatGroupIconUpdatedWebhookEvent
    | ChatGroupNameUpdateFailedWebhookEvent
    | ChatGroupIconUpdateFailedWebhookEvent
    | ChatTypingIndicatorStartedWebhookEvent
    | ChatTypingIndicatorStoppedWebhookEvent
    | ChatBackgroundUpdatedWebhookEvent
    | ChatBackgroundUpdateFailedWebhookEvent
    | ContactCardReceivedWebhookEvent
    | PhoneNumberStatusUpdatedWebhookEvent
    | PhoneNumberAssignedWebhookEvent
    | PhoneNumberReleasedWebhookEvent
    | ConnectionCreatedWebhookEvent
    | ConnectionRevokedWebhookEvent
    | LocationSharingStartedWebhookEvent
    | LocationSharingStoppedWebhookEvent
    | PaymentAuthorizedWebhookEvent
    | PaymentCanceledWebhookEvent
    | PaymentDeclinedWebhookEvent
    | PaymentExpiredWebhookEvent
    | PaymentSucceededWebhookEvent
    | ZeroDayRetentionUpdatedWebhookEvent
    | PhoneNumberForwardingUpdatedWebhookEvent
    | EnvironmentLineMovedWebhookEvent
    | ContactCardCreatedWebhookEvent
    | ContactCardUpdatedWebhookEvent
    | ContactCardDeletedWebhookEvent
    | APITokenCreatedWebhookEvent
    | APITokenRenamedWebhookEvent
    | APITokenExpiryScheduledWebhookEvent
    | APITokenExpiredWebhookEvent
    | APITokenActivatedWebhookEvent
    | APITokenDeletedWebhookEvent
    | EnvironmentCreatedWebhookEvent
    | EnvironmentRenamedWebhookEvent
    | EnvironmentDeletedWebhookEvent
    | WebhookSubscriptionCreatedWebhookEvent
    | WebhookSubscriptionDeletedWebhookEvent
    | WebhookSubscriptionTargetURLChangedWebhookEvent
    | WebhookSubscriptionEnabledWebhookEvent
    | WebhookSubscriptionDisabledWebhookEvent
    | WebhookSubscriptionEventsUpdatedWebhookEvent
    | WebhookSubscriptionPhoneNumbersUpdatedWebhookEvent
    | WebhookSubscriptionRoutingHeadersSetWebhookEvent
    | WebhookSubscriptionRoutingHeadersClearedWebhookEvent
    | TeamMemberAddedWebhookEvent
    | TeamMemberSignedInWebhookEvent
    | TeamMemberSignedOutWebhookEvent
    | UnknownEvent
)
"""Any parsed webhook event: one of the 68 typed classes, or ``UnknownEvent``."""

UnwrapWebhookEvent: TypeAlias = WebhookEvent
"""linq-python's name for what ``webhooks.unwrap`` returns."""

EVENT_CLASSES: dict[str, type[BaseWebhookEvent]] = {
    "message.sent": MessageSentWebhookEvent,
    "message.received": MessageReceivedWebhookEvent,
    "message.read": MessageReadWebhookEvent,
    "message.delivered": MessageDeliveredWebhookEvent,
    "message.failed": MessageFailedWebhookEvent,
    "message.edited": MessageEditedWebhookEvent,
    "reaction.added": ReactionAddedWebhookEvent,
    "reaction.removed": ReactionRemovedWebhookEvent,
    "poll.received": PollReceivedWebhookEvent,
    "poll.sent": PollSentWebhookEvent,
    "poll.delivered": PollDeliveredWebhookEvent,
    "poll.read": PollReadWebhookEvent,
    "poll.updated": PollUpdatedWebhookEvent,
    "poll.failed": PollFailedWebhookEvent,
    "poll.vote.added": PollVoteAddedWebhookEvent,
    "poll.vote.removed": PollVoteRemovedWebhookEvent,
    "poll.reaction.added": PollReactionAddedWebhookEvent,
    "participant.added": ParticipantAddedWebhookEvent,
    "participant.removed": ParticipantRemovedWebhookEvent,
    "chat.created": ChatCreatedWebhookEvent,
    "chat.group_name_updated": ChatGroupNameUpdatedWebhookEvent,
    "chat.group_icon_updated": ChatGroupIconUpdatedWebhookEvent,
    "chat.group_name_update_failed": ChatGroupNameUpdateFailedWebhookEvent,
    "chat.group_icon_update_failed": ChatGroupIconUpdateFailedWebhookEvent,
    "chat.typing_indicator.started": ChatTypingIndicatorStartedWebhookEvent,
    "chat.typing_indicator.stopped": ChatTypingIndicatorStoppedWebhookEvent,
    "chat.background_updated": ChatBackgroundUpdatedWebhookEvent,
    "chat.background_update_failed": ChatBackgroundUpdateFailedWebhookEvent,
    "contact_card.received": ContactCardReceivedWebhookEvent,
    "phone_number.status_updated": PhoneNumberStatusUpdatedWebhookEvent,
    "phone_number.assigned": PhoneNumberAssignedWebhookEvent,
    "phone_number.released": PhoneNumberReleasedWebhookEvent,
    "connection.created": ConnectionCreatedWebhookEvent,
    "connection.revoked": ConnectionRevokedWebhookEvent,
    "location.sharing.started": LocationSharingStartedWebhookEvent,
    "location.sharing.stopped": LocationSharingStoppedWebhookEvent,
    "payment.authorized": PaymentAuthorizedWebhookEvent,
    "payment.canceled": PaymentCanceledWebhookEvent,
    "payment.declined": PaymentDeclinedWebhookEvent,
    "payment.expired": PaymentExpiredWebhookEvent,
    "payment.succeeded": PaymentSucceededWebhookEvent,
    "zero_day_retention.updated": ZeroDayRetentionUpdatedWebhookEvent,
    "phone_number.forwarding_updated": PhoneNumberForwardingUpdatedWebhookEvent,
    "environment.line_moved": EnvironmentLineMovedWebhookEvent,
    "contact_card.created": ContactCardCreatedWebhookEvent,
    "contact_card.updated": ContactCardUpdatedWebhookEvent,
    "contact_card.deleted": ContactCardDeletedWebhookEvent,
    "api_token.created": APITokenCreatedWebhookEvent,
    "api_token.renamed": APITokenRenamedWebhookEvent,
    "api_token.expiry_scheduled": APITokenExpiryScheduledWebhookEvent,
    "api_token.expired": APITokenExpiredWebhookEvent,
    "api_token.activated": APITokenActivatedWebhookEvent,
    "api_token.deleted": APITokenDeletedWebhookEvent,
    "environment.created": EnvironmentCreatedWebhookEvent,
    "environment.renamed": EnvironmentRenamedWebhookEvent,
    "environment.deleted": EnvironmentDeletedWebhookEvent,
    "webhook_subscription.created": WebhookSubscriptionCreatedWebhookEvent,
    "webhook_subscription.deleted": WebhookSubscriptionDeletedWebhookEvent,
    "webhook_subscription.target_url_changed": WebhookSubscriptionTargetURLChangedWebhookEvent,
    "webhook_subscription.enabled": WebhookSubscriptionEnabledWebhookEvent,
    "webhook_subscription.disabled": WebhookSubscriptionDisabledWebhookEvent,
    "webhook_subscription.events.updated": WebhookSubscriptionEventsUpdatedWebhookEvent,
    "webhook_subscription.phone_numbers.updated": WebhookSubscriptionPhoneNumbersUpdatedWebhookEvent,
    "webhook_subscription.routing_headers_set": WebhookSubscriptionRoutingHeadersSetWebhookEvent,
    "webhook_subscription.routing_headers_cleared": WebhookSubscriptionRoutingHeadersClearedWebhookEvent,
    "team_member.added": TeamMemberAddedWebhookEvent,
    "team_member.signed_in": TeamMemberSignedInWebhookEvent,
    "team_member.signed_out": TeamMemberSignedOutWebhookEvent,
}
"""event_type -> its class; a name not here (``call.*``, newer types) parses into ``UnknownEvent``."""

register_tagged_union(WebhookEvent, "event_type", EVENT_CLASSES, UnknownEvent)
