"""Chats and group-chat membership."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

import attrs

from .._convert import Model
from .common import ChatHandle, HealthStatus
from .messages import SentMessage

__all__ = [
    "Chat",
    "ChatCreateResponse",
    "ChatLeaveChatResponse",
    "ChatLeaveResponse",
    "ChatList",
    "ChatSendVoicememoResponse",
    "ChatUpdateResponse",
    "CreatedChat",
    "GetChatLocationResponse",
    "LocationData",
    "LocationFeature",
    "LocationGeometry",
    "LocationProperties",
    "LocationRequestResponse",
    "ParticipantAddResponse",
    "ParticipantRemoveResponse",
    "StopChatLocationSharingResponse",
    "VoiceMemo",
    "VoiceMemoChat",
    "VoiceMemoFile",
]


@attrs.frozen(kw_only=True)
class Chat(Model):
    """A conversation: a direct chat with one handle, or a group chat."""

    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    handles: tuple[ChatHandle, ...]
    is_group: bool
    is_archived: bool = False
    display_name: str | None = None
    group_chat_icon: str | None = None
    health_status: HealthStatus | None = None
    service: str | None = None


@attrs.frozen(kw_only=True)
class CreatedChat(Model):
    """The chat a create call made (or found: same line and recipients), with the message sent into it."""

    id: str
    handles: tuple[ChatHandle, ...]
    is_group: bool
    message: SentMessage
    display_name: str | None = None
    service: str | None = None
    health_status: HealthStatus | None = None


@attrs.frozen(kw_only=True)
class ChatCreateResponse(Model):
    """The 201 answer to creating a chat."""

    chat: CreatedChat


@attrs.frozen(kw_only=True)
class ChatUpdateResponse(Model):
    """The answer to renaming a group or changing its icon: queued (``status`` "pending")."""

    chat_id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class ChatLeaveResponse(Model):
    """The answer to leaving a group chat: queued."""

    message: str | None = None
    status: str | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class ChatList(Model):
    """One page of ``GET /v3/chats`` as it arrives."""

    chats: tuple[Chat, ...] = ()
    next_cursor: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantAddResponse(Model):
    """The 202 answer to adding a participant: the change is queued, confirmed later by webhook."""

    message: str | None = None
    status: str | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantRemoveResponse(Model):
    """The 202 answer to removing a participant: the change is queued, confirmed later by webhook."""

    message: str | None = None
    status: str | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class LocationGeometry(Model):
    """A GeoJSON point: ``coordinates`` is ``(longitude, latitude)``."""

    type: str | None = None
    coordinates: tuple[float, ...] = ()


@attrs.frozen(kw_only=True)
class LocationProperties(Model):
    """Who is sharing, and where in words; ``updated_at`` tells how fresh the position is."""

    handle: str | None = None
    address: str | None = None
    locality: str | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class LocationFeature(Model):
    """One participant's shared position (a GeoJSON feature)."""

    type: str | None = None
    geometry: LocationGeometry | None = None
    properties: LocationProperties | None = None


@attrs.frozen(kw_only=True)
class LocationData(Model):
    """A GeoJSON feature collection: one feature per participant sharing, none if nobody is."""

    type: str | None = None
    features: tuple[LocationFeature, ...] = ()


@attrs.frozen(kw_only=True)
class GetChatLocationResponse(Model):
    """The answer to reading a chat's shared locations."""

    data: LocationData | None = None
    success: bool | None = None


@attrs.frozen(kw_only=True)
class LocationRequestResponse(Model):
    """The answer to asking someone to share their location: the prompt was sent."""

    message: str | None = None
    success: bool | None = None


@attrs.frozen(kw_only=True)
class StopChatLocationSharingResponse(Model):
    """The answer to ending a location share: queued (202)."""

    message: str | None = None
    success: bool | None = None


@attrs.frozen(kw_only=True)
class VoiceMemoFile(Model):
    """The audio file of a voice memo, as stored on Linq's CDN."""

    id: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    url: str | None = None
    duration_ms: int | None = None


@attrs.frozen(kw_only=True)
class VoiceMemoChat(Model):
    """The chat a voice memo went to."""

    id: str | None = None
    handles: tuple[ChatHandle, ...] = ()
    is_active: bool | None = None
    is_group: bool | None = None
    service: str | None = None


@attrs.frozen(kw_only=True)
class VoiceMemo(Model):
    """A voice memo message: ``id`` is its message id; ``from_`` travels as ``from``."""

    id: str | None = None
    chat: VoiceMemoChat | None = None
    created_at: dt.datetime | None = None
    from_: str | None = None
    status: str | None = None
    to: tuple[str, ...] = ()
    voice_memo: VoiceMemoFile | None = None
    service: str | None = None


@attrs.frozen(kw_only=True)
class ChatSendVoicememoResponse(Model):
    """The 202 answer to sending a voice memo."""

    voice_memo: VoiceMemo | None = None


# linq-python's names for the same models, so its imports and isinstance checks carry over.
ChatLeaveChatResponse: TypeAlias = ChatLeaveResponse
