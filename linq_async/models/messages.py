"""Messages: their parts, what a send accepts (``MessageContent``), and what the API returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs

from .._convert import Model, register_tagged_union
from .common import ChatHandle, MessageEffect, Reaction, ReplyTo

__all__ = [
    "LinkPart",
    "MediaPart",
    "Message",
    "MessageContent",
    "MessageInput",
    "MessageList",
    "MessageSendResponse",
    "Part",
    "SentMessage",
    "TextPart",
    "UnknownPart",
]


@attrs.frozen(kw_only=True)
class TextPart(Model):
    """A text part (at most 10,000 characters)."""

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "text")

    value: str
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class MediaPart(Model):
    """A media part: a public HTTPS ``url`` (10 MB at most) or a pre-uploaded ``attachment_id``.

    Answers also carry ``id``, ``filename``, ``mime_type``, ``size_bytes``.
    """

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "media")

    url: str | None = None
    attachment_id: str | None = None
    sticker: bool | None = None
    id: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class LinkPart(Model):
    """A link part (a URL of at most 2,048 characters); it must be the message's only part."""

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "link")

    value: str
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class UnknownPart(Model):
    """A part of a type this SDK does not model (``imessage_app``, ``app_clip``, newer ones).

    ``type`` names it; every other field is on ``.extra``.
    """

    type: str


Part: TypeAlias = TextPart | MediaPart | LinkPart | UnknownPart
register_tagged_union(Part, "type", {"text": TextPart, "media": MediaPart, "link": LinkPart}, UnknownPart)


def _as_parts(parts: Iterable[Part | Mapping[str, Any]]) -> tuple[Part | Mapping[str, Any], ...]:
    return tuple(parts)


@attrs.frozen(kw_only=True)
class MessageContent(Model):
    """What a message says, and how: parts, effect, reply, preferred service, idempotency key.

    ``parts`` may mix part models and plain dicts (sent as they are, for part types this SDK does
    not model). ``idempotency_key`` makes a retried send harmless; one is generated when left out.
    """

    parts: tuple[Part | Mapping[str, Any], ...] = attrs.field(default=(), converter=_as_parts)
    effect: MessageEffect | None = None
    reply_to: ReplyTo | None = None
    preferred_service: str | None = None
    idempotency_key: str | None = None
    experience: Mapping[str, Any] | None = None


MessageInput: TypeAlias = "str | MessageContent | Part | Sequence[Part | Mapping[str, Any]]"
"""What send and create accept as a message: text, one part, a list of parts, or MessageContent."""


@attrs.frozen(kw_only=True)
class SentMessage(Model):
    """A message as returned right after sending it."""

    id: str
    delivery_status: str
    is_read: bool = False
    parts: tuple[Part, ...] = ()
    created_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    effect: MessageEffect | None = None
    from_handle: ChatHandle | None = None
    preferred_service: str | None = None
    service: str | None = None
    reply_to: ReplyTo | None = None


@attrs.frozen(kw_only=True)
class Message(Model):
    """A message of a chat, as listed."""

    id: str
    chat_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    delivery_status: str | None = None
    is_delivered: bool
    is_from_me: bool
    is_read: bool
    parts: tuple[Part, ...] = ()
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    reconciled_at: dt.datetime | None = None
    effect: MessageEffect | None = None
    from_handle: ChatHandle | None = None
    from_: str | None = None
    preferred_service: str | None = None
    reply_to: ReplyTo | None = None
    service: str | None = None


@attrs.frozen(kw_only=True)
class MessageSendResponse(Model):
    """The 202 answer to sending a message into a chat."""

    chat_id: str
    message: SentMessage


@attrs.frozen(kw_only=True)
class MessageList(Model):
    """One page of ``GET /v3/chats/{chat_id}/messages`` as it arrives."""

    messages: tuple[Message, ...] = ()
    next_cursor: str | None = None
