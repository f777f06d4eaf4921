"""Chats and group-chat membership."""

from __future__ import annotations

import datetime as dt

import attrs

from .._convert import Model
from .common import ChatHandle, HealthStatus
from .messages import SentMessage

__all__ = [
    "Chat",
    "ChatCreateResponse",
    "ChatLeaveResponse",
    "ChatList",
    "ChatUpdateResponse",
    "CreatedChat",
    "ParticipantAddResponse",
    "ParticipantRemoveResponse",
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
