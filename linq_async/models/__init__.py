"""Every response and request model, importable from here (and from ``linq_async``).

Models are frozen attrs classes structured by the one converter in ``linq_async._convert``. Every
model keeps the fields it does not know on ``.extra`` and turns back into wire JSON with
``.to_dict()``. Values the server controls (statuses, services, delivery states, part types) are
plain strings, so a new value never breaks parsing; an unknown part type becomes ``UnknownPart``.

Each area's models live in their own module, imported on first use: importing the package stays
cheap however many endpoints there are. ``_EXPORTS`` names what each module exports (a test checks
it against the modules' ``__all__``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._convert import Model

if TYPE_CHECKING:
    from .attachments import *  # noqa: F403
    from .capability import *  # noqa: F403
    from .chats import *  # noqa: F403
    from .common import *  # noqa: F403
    from .contacts import *  # noqa: F403
    from .events import *  # noqa: F403
    from .experiences import *  # noqa: F403
    from .messages import *  # noqa: F403
    from .numbers import *  # noqa: F403
    from .payments import *  # noqa: F403
    from .polls import *  # noqa: F403
    from .webhooks import *  # noqa: F403

_EXPORTS: dict[str, str] = {
    "attachments": "AttachmentCreateResponse AttachmentRetrieveResponse",
    "capability": "AvailableNumberRetrieveResponse HandleCheckResponse",
    "common": "ChatHandle HealthStatus MessageEffect Reaction ReplyTo SchemasMessageEffect Sticker",
    "chats": (
        "Chat ChatCreateResponse ChatLeaveChatResponse ChatLeaveResponse ChatList ChatSendVoicememoResponse "
        "ChatUpdateResponse CreatedChat GetChatLocationResponse LocationData LocationFeature "
        "LocationGeometry LocationProperties LocationRequestResponse ParticipantAddResponse "
        "ParticipantRemoveResponse StopChatLocationSharingResponse VoiceMemo VoiceMemoChat VoiceMemoFile"
    ),
    "messages": (
        "AppClipPart FromSelection IMessageApp IMessageAppLayout IMessageAppPart InlineSticker "
        "InlineStickerResponse LinkPart LinkPartResponse MediaPart MediaPartResponse Mention Message "
        "MessageAddReactionResponse MessageContent MessageCreateResponse MessageExperience MessageInput "
        "MessageList MessageSendResponse MessageUpdateAppCardResponse MessageUpdateStickerPlacementResponse "
        "Part SchemasMediaPartResponse SchemasTextPartResponse SentMessage StickerPlacement TextDecoration "
        "TextPart TextPartResponse UnknownPart"
    ),
    "payments": (
        "Payment PaymentCredentialsResponse PaymentHandleConnection PaymentHandoff PaymentMerchant PaymentProvider "
        "PaymentProviderConnectResponse PaymentRequest PaymentRequestDiscount PaymentRequestListResponse "
        "PaymentRequestNatural PaymentRequestStripe"
    ),
    "numbers": (
        "LegacyPhoneNumber PhoneNumber PhoneNumberCapabilities PhoneNumberListResponse PhoneNumberReputation "
        "PhoneNumberUpdateResponse PhonenumberListResponse ReputationActionItem ReputationAudit "
        "ReputationAuditStarted ReputationDriver ReputationEvidence ReputationOptOutChat ReputationReport "
        "ReputationUnhealthyChat"
    ),
    "polls": "Poll PollEnvelope PollInput PollOption PollOptionInput PollVoter",
    "contacts": (
        "BlockedHandleBlockResponse BlockedHandleEntry BlockedHandleListResponse ContactCard "
        "ContactCardRetrieveResponse SetContactCard"
    ),
    "experiences": (
        "Experience ExperienceAction ExperienceActionFields ExperienceListResponse ExperienceRetrieveResponse"
    ),
    "events": (
        "APITokenActivatedWebhookEvent APITokenCreatedWebhookEvent APITokenDeletedWebhookEvent "
        "APITokenExpiredWebhookEvent APITokenExpiryScheduledWebhookEvent APITokenRenamedWebhookEvent "
        "AccountEvent AccountEventData BaseWebhookEvent ChatBackgroundData "
        "ChatBackgroundUpdateFailedWebhookEvent ChatBackgroundUpdatedWebhookEvent ChatCreatedEvent "
        "ChatCreatedWebhookEvent ChatGroupIconUpdateFailedWebhookEvent ChatGroupIconUpdatedWebhookEvent "
        "ChatGroupNameUpdateFailedWebhookEvent ChatGroupNameUpdatedWebhookEvent "
        "ChatTypingIndicatorStartedWebhookEvent ChatTypingIndicatorStoppedWebhookEvent ChatUpdateData "
        "ChatUpdateFailedData ChatUpdateFailedEvent ChatUpdatedEvent ConnectionCreatedWebhookEvent "
        "ConnectionRevokedWebhookEvent ContactCardCreatedWebhookEvent ContactCardDeletedWebhookEvent "
        "ContactCardReceivedData ContactCardReceivedWebhookEvent ContactCardUpdatedWebhookEvent "
        "EnvironmentCreatedWebhookEvent EnvironmentDeletedWebhookEvent EnvironmentLineMovedWebhookEvent "
        "EnvironmentRenamedWebhookEvent EventActor EventApiToken EventBackground EventChange EventChat "
        "EventContactCard EventEditedPart EventEnvironment EventFieldChange EventNaturalPayment "
        "EventPaymentDiscount EventPoll EventPollChat EventPollError EventPollOption EventPollVoter "
        "EventReactionSticker EventStripePayment EventTeamMember EventWebhookSubscription "
        "LocationSharingStartedData LocationSharingStartedWebhookEvent LocationSharingStoppedData "
        "LocationSharingStoppedWebhookEvent MessageDeliveredWebhookEvent MessageEditedData "
        "MessageEditedWebhookEvent MessageEvent MessageEventData MessageEventV2 MessageFailedData "
        "MessageFailedEvent MessageFailedWebhookEvent MessageReadWebhookEvent MessageReceivedWebhookEvent "
        "MessageSentWebhookEvent ParticipantAddedWebhookEvent ParticipantEvent ParticipantEventData "
        "ParticipantRemovedWebhookEvent PaymentAuthorizedWebhookEvent PaymentCanceledWebhookEvent "
        "PaymentDeclinedWebhookEvent PaymentEvent PaymentEventData PaymentExpiredWebhookEvent "
        "PaymentSucceededWebhookEvent PhoneNumberAssignedWebhookEvent PhoneNumberChangeData PhoneNumberEvent "
        "PhoneNumberForwardingUpdatedWebhookEvent PhoneNumberReleasedWebhookEvent PhoneNumberStatusData "
        "PhoneNumberStatusUpdatedWebhookEvent PollDeliveredWebhookEvent PollFailedData PollFailedWebhookEvent "
        "PollReactionAddedWebhookEvent PollReadWebhookEvent PollReceivedData PollReceivedWebhookEvent "
        "PollSentWebhookEvent PollStatusData PollStatusEvent PollUpdatedData PollUpdatedWebhookEvent "
        "PollVoteAddedWebhookEvent PollVoteData PollVoteEvent PollVoteRemovedWebhookEvent "
        "ReactionAddedWebhookEvent ReactionEvent ReactionEventBase ReactionEventData ReactionRemovedWebhookEvent "
        "TeamMemberAddedWebhookEvent TeamMemberSignedInWebhookEvent TeamMemberSignedOutWebhookEvent "
        "TypingIndicatorData TypingIndicatorEvent UnknownEvent UnwrapWebhookEvent WebhookEvent "
        "WebhookSubscriptionCreatedWebhookEvent WebhookSubscriptionDeletedWebhookEvent "
        "WebhookSubscriptionDisabledWebhookEvent WebhookSubscriptionEnabledWebhookEvent "
        "WebhookSubscriptionEventsUpdatedWebhookEvent WebhookSubscriptionPhoneNumbersUpdatedWebhookEvent "
        "WebhookSubscriptionRoutingHeadersClearedWebhookEvent WebhookSubscriptionRoutingHeadersSetWebhookEvent "
        "WebhookSubscriptionTargetURLChangedWebhookEvent ZeroDayRetentionUpdatedWebhookEvent"
    ),
    "webhooks": (
        "WebhookEventListResponse WebhookSubscription WebhookSubscriptionCreateResponse WebhookSubscriptionListResponse"
    ),
}

_WHERE = {name: module for module, names in _EXPORTS.items() for name in names.split()}

__all__ = ["Model", *sorted(_WHERE)]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
