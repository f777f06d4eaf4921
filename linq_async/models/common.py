"""Small models shared by several resources: handles, health, effects, replies, reactions."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

import attrs

from .._convert import Model
from .._rules import SERVICES

__all__ = [
    "ChatHandle",
    "HealthStatus",
    "MessageEffect",
    "Reaction",
    "ReplyTo",
    "SchemasMessageEffect",
    "Sticker",
]

_ = SERVICES  # re-exported for reference: the one list of services is in linq_async._rules

# Known values of server-controlled fields, for reference and comparisons; fields stay `str`.
DELIVERY_STATUSES = ("pending", "queued", "sent", "delivered", "received", "read", "failed")
HEALTH_STATUSES = ("HEALTHY", "AT_RISK", "CRITICAL", "OPTED_OUT")


@attrs.frozen(kw_only=True)
class ChatHandle(Model):
    """A participant of a chat (your own line included, with ``is_me``)."""

    handle: str
    id: str | None = None
    service: str | None = None
    joined_at: dt.datetime | None = None
    is_me: bool | None = None
    left_at: dt.datetime | None = None
    line_type: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class HealthStatus(Model):
    """A chat's health: ``HEALTHY``, ``AT_RISK``, ``CRITICAL`` or ``OPTED_OUT`` (as a string)."""

    status: str
    doc_url: str | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class MessageEffect(Model):
    """An iMessage effect: ``type`` is ``"screen"`` or ``"bubble"``, ``name`` e.g. ``"confetti"``."""

    type: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class ReplyTo(Model):
    """Make a message a threaded reply to another message (or one of its parts)."""

    message_id: str | None = None
    part_index: int | None = None


@attrs.frozen(kw_only=True)
class Sticker(Model):
    """The image of a sticker reaction; ``url`` is a signed link that expires (about an hour)."""

    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None


@attrs.frozen(kw_only=True)
class Reaction(Model):
    """A reaction on a message part: a tapback, a ``custom`` emoji tapback or a ``sticker``.

    ``id`` is what ``messages.update_sticker_placement`` takes to move a sticker.
    """

    type: str
    is_me: bool | None = None
    handle: ChatHandle | None = None
    id: str | None = None
    custom_emoji: str | None = None
    sticker: Sticker | None = None


# linq-python's names for the same models, so its imports and isinstance checks carry over.
SchemasMessageEffect: TypeAlias = MessageEffect
