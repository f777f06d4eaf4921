"""Messages: their parts, what a send accepts (``MessageContent``), and what the API returns.

Every part class has a ``type`` readable on the class and on each instance (``part.type ==
"text"``); parts of types this SDK does not know become ``UnknownPart``. One class serves both
directions: the fields a send takes and the fields an answer adds live side by side, and
``to_dict()`` writes back what was read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from .._convert import Model, register_tagged_union
from .common import ChatHandle, MessageEffect, Reaction, ReplyTo

__all__ = [
    "AppClipPart",
    "FromSelection",
    "IMessageApp",
    "IMessageAppLayout",
    "IMessageAppPart",
    "InlineSticker",
    "InlineStickerResponse",
    "LinkPart",
    "LinkPartResponse",
    "MediaPart",
    "MediaPartResponse",
    "Mention",
    "Message",
    "MessageAddReactionResponse",
    "MessageContent",
    "MessageCreateResponse",
    "MessageExperience",
    "MessageInput",
    "MessageList",
    "MessageSendResponse",
    "MessageUpdateAppCardResponse",
    "MessageUpdateStickerPlacementResponse",
    "Part",
    "SchemasMediaPartResponse",
    "SchemasTextPartResponse",
    "SentMessage",
    "StickerPlacement",
    "TextDecoration",
    "TextPart",
    "TextPartResponse",
    "UnknownPart",
]


@attrs.frozen(kw_only=True)
class TextDecoration(Model):
    """A style (``bold``, ``italic``, ``strikethrough``, ``underline``) or an animation over part of a text.

    ``range`` is ``(start, end)`` in UTF-16 code units, end excluded. Give exactly one of ``style``
    or ``animation`` (``big``, ``small``, ``shake``, ``nod``, ``explode``, ``ripple``, ``bloom``,
    ``jitter``). Shown to iMessage recipients only.
    """

    range: tuple[int, ...] = ()
    style: str | None = None
    animation: str | None = None


@attrs.frozen(kw_only=True)
class InlineSticker(Model):
    """An image shown in place of the characters of ``range`` (iMessage only; others see the characters).

    To send one, give ``attachment_id`` or ``url`` (a Linq ``download_url``). Answers carry ``id``
    (the attachment), ``file_name``, ``mime_type`` and ``url``.
    """

    range: tuple[int, ...] = ()
    attachment_id: str | None = None
    url: str | None = None
    id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None


@attrs.frozen(kw_only=True)
class Mention(Model):
    """A participant mentioned in a received text part: ``handle``, whether it ``is_me``, and its ``range``."""

    handle: str | None = None
    is_me: bool | None = None
    range: tuple[int, ...] = ()


@attrs.frozen(kw_only=True)
class TextPart(Model):
    """A text part (1 to 10,000 characters, sent as is: no Markdown).

    To send: ``text_decorations``, ``inline_stickers``, and ``mention`` (a participant's handle, group
    chats only) with an optional ``mention_range``. Answers carry ``mentions`` (and the older
    ``mention``/``mention_range``, first mention only) and ``reactions``.
    """

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "text")
    type: ClassVar[Literal["text"]] = "text"

    value: str
    text_decorations: tuple[TextDecoration, ...] = ()
    inline_stickers: tuple[InlineSticker, ...] = ()
    mention: str | None = None
    mention_range: tuple[int, ...] = ()
    mentions: tuple[Mention, ...] = ()
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class MediaPart(Model):
    """A media part: a public HTTPS ``url`` (10 MB at most) or a pre-uploaded ``attachment_id``.

    ``sticker=True`` sends an image as a sticker (iMessage only). Answers also carry ``id``,
    ``filename``, ``mime_type``, ``size_bytes`` and a signed ``url``.
    """

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "media")
    type: ClassVar[Literal["media"]] = "media"

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
    """A link part (a URL of at most 2,048 characters) shown as a preview card; it must be the only part."""

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "link")
    type: ClassVar[Literal["link"]] = "link"

    value: str
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class IMessageApp(Model):
    """The iMessage app extension a card belongs to.

    ``bundle_id`` (no ``:``), ``name``, ``team_id`` (10 upper-case letters or digits), and
    ``app_store_id`` to offer recipients without the app a way to get it.
    """

    bundle_id: str | None = None
    name: str | None = None
    team_id: str | None = None
    app_store_id: int | None = None


@attrs.frozen(kw_only=True)
class IMessageAppLayout(Model):
    """What an iMessage app card shows; set at least one caption or ``image_url``.

    ``image_title`` and ``image_subtitle`` need ``image_url`` (a JPEG, PNG, HEIF or WebP image).
    """

    caption: str | None = None
    subcaption: str | None = None
    trailing_caption: str | None = None
    trailing_subcaption: str | None = None
    image_url: str | None = None
    image_title: str | None = None
    image_subtitle: str | None = None


@attrs.frozen(kw_only=True)
class IMessageAppPart(Model):
    """An iMessage app card (iMessage only; the message's only part).

    ``url`` opens on tap (``https://``, 2,048 characters at most, or a ``data:`` URL of app state,
    16,384 at most); ``fallback_text`` stands in where cards cannot show (default: the caption);
    ``interactive=False`` always shows the static layout. Answers carry ``reactions``.
    """

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "imessage_app")
    type: ClassVar[Literal["imessage_app"]] = "imessage_app"

    app: IMessageApp | None = None
    layout: IMessageAppLayout | None = None
    url: str | None = None
    fallback_text: str | None = None
    interactive: bool | None = None
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class AppClipPart(Model):
    """An App Clip card: ``value`` is the https URL of a registered App Clip (iMessage only; the only part).

    ``caption`` replaces the text of the button row (default "Tap open"). Answers carry the
    ``title``, ``description`` and ``image_url`` Linq read from the App Clip, and ``reactions``.
    """

    __wire_tag__: ClassVar[tuple[str, str]] = ("type", "app_clip")
    type: ClassVar[Literal["app_clip"]] = "app_clip"

    value: str
    caption: str | None = None
    title: str | None = None
    description: str | None = None
    image_url: str | None = None
    reactions: tuple[Reaction, ...] = ()


@attrs.frozen(kw_only=True)
class UnknownPart(Model):
    """A part of a type this SDK does not model (a newer one); ``type`` names it, every other field is on ``.extra``."""

    type: str


Part: TypeAlias = TextPart | MediaPart | LinkPart | IMessageAppPart | AppClipPart | UnknownPart
register_tagged_union(
    Part,
    "type",
    {
        "text": TextPart,
        "media": MediaPart,
        "link": LinkPart,
        "imessage_app": IMessageAppPart,
        "app_clip": AppClipPart,
    },
    UnknownPart,
)


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
class MessageExperience(Model):
    """A card Linq builds and sends from its own iMessage app: ``name`` (``agentcard``), ``action``, ``params``.

    ``params`` holds the action's fields, flat, by name (``GET /v3/experiences/{name}`` lists them).
    """

    name: str
    action: str
    params: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class StickerPlacement(Model):
    """Where a sticker sits on its bubble: ``x`` and ``y`` from -1 to 1 (0 is the centre), ``scale``, ``rotation``.

    ``rotation`` is in degrees, clockwise; ``scale`` is clamped to 0.05-2.5 by the API. A field left
    out keeps the default (on ``add_reaction``) or the current value (on ``update_sticker_placement``).
    """

    x: float | None = None
    y: float | None = None
    scale: float | None = None
    rotation: float | None = None


@attrs.frozen(kw_only=True)
class SentMessage(Model):
    """A message as returned right after sending it."""

    id: str
    delivery_status: str | None = None
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
    """A message of a chat, with its parts and their reactions.

    ``delivery_status`` is one of ``pending``, ``queued``, ``sent``, ``delivered``, ``received``,
    ``read``, ``failed`` (as a string); ``is_delivered`` and ``is_read`` are older spellings of it.
    ``reconciled_at`` is set only for a message recovered late.
    """

    id: str
    chat_id: str
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    delivery_status: str | None = None
    is_delivered: bool | None = None
    is_from_me: bool | None = None
    is_read: bool | None = None
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
    """One page of messages (of a chat, or of a thread) as it arrives."""

    messages: tuple[Message, ...] = ()
    next_cursor: str | None = None


@attrs.frozen(kw_only=True)
class FromSelection(Model):
    """How Linq chose the line of a ``messages.create``.

    ``reason``: ``reused_active_chat``, ``new_best_number`` or ``failover_flagged`` (as a string);
    ``reused_existing_chat`` is true only when an existing chat was reused.
    """

    reason: str | None = None
    reused_existing_chat: bool | None = None


@attrs.frozen(kw_only=True)
class MessageCreateResponse(Model):
    """The 202 answer to ``messages.create``: the line (``from_``) and chat Linq chose, and the message.

    ``previous_chat_id`` is the abandoned chat when the reason is ``failover_flagged``.
    """

    chat_id: str
    message: SentMessage
    created_new_chat: bool | None = None
    from_: str | None = None
    from_selection: FromSelection | None = None
    handles: tuple[ChatHandle, ...] = ()
    is_group: bool | None = None
    service: str | None = None
    previous_chat_id: str | None = None


@attrs.frozen(kw_only=True)
class MessageAddReactionResponse(Model):
    """The answer to adding or removing a reaction."""

    status: str | None = None
    message: str | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class MessageUpdateStickerPlacementResponse(Model):
    """The answer to moving a sticker."""

    status: str | None = None
    success: bool | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class MessageUpdateAppCardResponse(Model):
    """The answer to redrawing an iMessage app card: the update is a new message, with its own id."""

    chat_id: str
    message: SentMessage


# linq-python's names for the same models, so its imports and isinstance checks carry over.
TextPartResponse: TypeAlias = TextPart
MediaPartResponse: TypeAlias = MediaPart
LinkPartResponse: TypeAlias = LinkPart
InlineStickerResponse: TypeAlias = InlineSticker
SchemasTextPartResponse: TypeAlias = TextPart
SchemasMediaPartResponse: TypeAlias = MediaPart
