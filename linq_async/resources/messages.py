"""``client.messages``: send without choosing a line, and read, edit, delete, react to and thread messages.

``create`` lets Linq choose the sending line and the chat. It carries an ``Idempotency-Key``
header: the caller's, or one generated per call before the first attempt and reused by every
retry; a failed call's error carries it as ``exc.idempotency_key``. When the message has no
``idempotency_key`` of its own it gets the same one, so resending with the error's key is
harmless on both counts.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, Unpack

from .. import _validate
from .._convert import Model
from .._errors import LinqError, ValidationError
from .._rules import MAX_TEXT, check_recipients_count
from .._sync import SyncResource, blocking
from ..models.messages import (
    AppClipPart,
    IMessageApp,
    IMessageAppLayout,
    IMessageAppPart,
    Message,
    MessageAddReactionResponse,
    MessageContent,
    MessageCreateResponse,
    MessageExperience,
    MessageInput,
    MessageList,
    MessageUpdateAppCardResponse,
    MessageUpdateStickerPlacementResponse,
    StickerPlacement,
)
from ..pagination import AsyncPaginator
from ._base import Mode, Raw, Resource, endpoint, paginated
from .chat_messages import _content, _cursor, _limit, message_body
from .polls import MessagePoll, SyncMessagePoll

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = [
    "ANIMATIONS",
    "REACTION_TYPES",
    "TEXT_STYLES",
    "Messages",
    "Placement",
    "ReactionType",
    "SyncMessages",
    "check_app_card",
    "check_part_details",
]

REACTION_TYPES = ("love", "like", "dislike", "laugh", "emphasize", "question", "custom", "sticker")
TEXT_STYLES = ("bold", "italic", "strikethrough", "underline")
ANIMATIONS = ("big", "small", "shake", "nod", "explode", "ripple", "bloom", "jitter")
MAX_INLINE_STICKERS = 100
MAX_STICKER_IMAGES = 10
MAX_APP_URL = 2048
MAX_APP_DATA_URL = 16_384
_LAYOUT_SHOWN = ("caption", "subcaption", "trailing_caption", "trailing_subcaption", "image_url")
_LAYOUT_KEYS = (*_LAYOUT_SHOWN, "image_title", "image_subtitle")
_PLACEMENT_KEYS = ("x", "y", "scale", "rotation")
_TEAM_ID = re.compile(r"[A-Z0-9]{10}", re.ASCII)
_NEW_PARTS = (IMessageAppPart, AppClipPart)  # single parts chat_messages.message_body does not take alone

ReactionType: TypeAlias = Literal["love", "like", "dislike", "laugh", "emphasize", "question", "custom", "sticker"]
Placement: TypeAlias = StickerPlacement | Mapping[str, float]


def _path(message_id: str | uuid.UUID) -> str:
    return f"/v3/messages/{_validate.chat_id(message_id, 'message_id')}"


def _reaction_id(value: object) -> str:
    # Reaction ids are opaque: refuse only what could change the path.
    if isinstance(value, uuid.UUID):
        return str(value)
    if (
        not isinstance(value, str)
        or not re.fullmatch(r"[A-Za-z0-9._~:-]{1,256}", value, re.ASCII)
        or value in (".", "..")
    ):
        raise ValidationError(f"reaction_id must be the id of a reaction on the message, got {_validate.shown(value)}")
    return value


def _as_dict(value: object, name: str) -> dict[str, Any]:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    raise ValidationError(f"{name} must be a model or a dict, got {type(value).__name__}")


def _text(value: object, name: str, *, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise ValidationError(f"{name} must be text of 1 to {max_length} characters, got {_validate.shown(value)}")
    return value


def _index(value: object, name: str = "part_index") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{name} must be an int of 0 or more, got {_validate.shown(value)}")
    return value


def _placement(value: object) -> dict[str, Any]:
    placement = _as_dict(value, "placement")
    unknown = set(placement) - set(_PLACEMENT_KEYS)
    if unknown:
        raise ValidationError(f"placement takes only x, y, scale and rotation, got {sorted(unknown)}")
    for key, number in placement.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise ValidationError(f"placement.{key} must be a finite number, got {_validate.shown(number)}")
    return placement


# The rules of part details (decorations, stickers, mentions, app cards) -------------------------


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _boundaries(text: str) -> set[int]:
    """UTF-16 offsets at which a character starts (and the end): where a sticker may begin or end."""
    offsets, at = {0}, 0
    for char in text:
        at += 2 if ord(char) > 0xFFFF else 1
        offsets.add(at)
    return offsets


def _range(value: object, length: int, name: str) -> tuple[int, int]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        raise ValidationError(f"{name} must be [start, end], two ints, got {_validate.shown(value)}")
    start, end = value
    if not 0 <= start < end <= length:
        raise ValidationError(
            f"{name} must satisfy 0 <= start < end <= {length} (the length in UTF-16 units), got [{start}, {end}]"
        )
    return start, end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _items(part: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = part.get(key)
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValidationError(f"{where}.{key} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ValidationError(f"{where}.{key}[{i}] must be an object")
    return list(value)


def _check_text(part: Mapping[str, Any], where: str) -> None:
    text = part["value"]
    length = _utf16_length(text)
    decorations: list[tuple[tuple[int, int], bool]] = []
    for i, item in enumerate(_items(part, "text_decorations", where)):
        name = f"{where}.text_decorations[{i}]"
        span = _range(item.get("range"), length, f"{name}.range")
        style, animation = item.get("style"), item.get("animation")
        if (style is None) == (animation is None):
            raise ValidationError(f"{name} needs exactly one of style or animation")
        if style is not None and style not in TEXT_STYLES:
            raise ValidationError(f"{name}.style must be one of {TEXT_STYLES}, got {_validate.shown(style)}")
        if animation is not None and animation not in ANIMATIONS:
            raise ValidationError(f"{name}.animation must be one of {ANIMATIONS}, got {_validate.shown(animation)}")
        decorations.append((span, animation is not None))
    for i, (span, animated) in enumerate(decorations):
        for j, (other, other_animated) in enumerate(decorations):
            if i < j and (animated or other_animated) and _overlap(span, other):
                raise ValidationError(f"{where}: an animation range may not overlap another decoration")
    stickers = _items(part, "inline_stickers", where)
    if len(stickers) > MAX_INLINE_STICKERS:
        raise ValidationError(f"{where} holds at most {MAX_INLINE_STICKERS} inline stickers, got {len(stickers)}")
    if stickers and part.get("mention") is not None:
        raise ValidationError(f"{where}: inline stickers cannot be combined with a mention")
    edges, images = _boundaries(text), set()
    spans: list[tuple[int, int]] = []
    for i, item in enumerate(stickers):
        name = f"{where}.inline_stickers[{i}]"
        span = _range(item.get("range"), length, f"{name}.range")
        if span[0] not in edges or span[1] not in edges:
            raise ValidationError(f"{name}.range splits a character")
        url, attachment = item.get("url"), item.get("attachment_id")
        if (url is None) == (attachment is None):
            raise ValidationError(f"{name} needs exactly one of url or attachment_id")
        if url is not None:
            images.add(_validate.https_url(url, f"{name}.url"))
        else:
            images.add(_validate.chat_id(attachment, f"{name}.attachment_id"))
        if any(_overlap(span, d) for d, _ in decorations) or any(_overlap(span, s) for s in spans):
            raise ValidationError(f"{name}.range overlaps another sticker or a decoration")
        spans.append(span)
    if len(images) > MAX_STICKER_IMAGES:
        raise ValidationError(f"{where} uses at most {MAX_STICKER_IMAGES} distinct sticker images, got {len(images)}")
    mention, mention_range = part.get("mention"), part.get("mention_range")
    if mention is not None:
        _validate.handle(mention)
    if mention_range is not None:
        if mention is None:
            raise ValidationError(f"{where}.mention_range needs a mention")
        _range(mention_range, length, f"{where}.mention_range")


def check_app_card(
    app: Mapping[str, Any] | None, layout: Mapping[str, Any] | None, url: object, where: str = "imessage_app"
) -> None:
    """Check an iMessage app card's identity, layout and URL against the documented rules (``ValidationError``)."""
    if app is not None:
        bundle_id, name, team_id = app.get("bundle_id"), app.get("name"), app.get("team_id")
        if not isinstance(bundle_id, str) or not bundle_id or ":" in bundle_id:
            raise ValidationError(
                f"{where}.app.bundle_id must be a bundle id without ':', got {_validate.shown(bundle_id)}"
            )
        if not isinstance(name, str) or not name:
            raise ValidationError(f"{where}.app.name must be the app's name, got {_validate.shown(name)}")
        if not isinstance(team_id, str) or not _TEAM_ID.fullmatch(team_id):
            raise ValidationError(
                f"{where}.app.team_id must be 10 upper-case letters or digits, got {_validate.shown(team_id)}"
            )
        store = app.get("app_store_id")
        if store is not None and (isinstance(store, bool) or not isinstance(store, int)):
            raise ValidationError(f"{where}.app.app_store_id must be an int, got {_validate.shown(store)}")
    if layout is not None:
        unknown = set(layout) - set(_LAYOUT_KEYS)
        if unknown:
            raise ValidationError(f"{where}.layout takes {_LAYOUT_KEYS}, got {sorted(unknown)}")
        for key, value in layout.items():
            if not isinstance(value, str):
                raise ValidationError(f"{where}.layout.{key} must be text, got {_validate.shown(value)}")
        if not any(layout.get(key) for key in _LAYOUT_SHOWN):
            raise ValidationError(f"{where}.layout needs a caption, subcaption, trailing caption or image_url")
        if layout.get("image_url") is None and (layout.get("image_title") or layout.get("image_subtitle")):
            raise ValidationError(f"{where}.layout.image_title and image_subtitle need an image_url")
        if layout.get("image_url") is not None:
            _validate.https_url(layout["image_url"], f"{where}.layout.image_url")
    if url is not None:
        if isinstance(url, str) and url.startswith("data:"):
            if len(url) > MAX_APP_DATA_URL:
                raise ValidationError(f"{where}.url: a data: URL holds at most {MAX_APP_DATA_URL} characters")
        else:
            _validate.https_url(url, f"{where}.url", max_length=MAX_APP_URL)


def check_part_details(message: Mapping[str, Any]) -> None:
    """Check the details ``_rules.check_message`` leaves out, on a message's wire form (``ValidationError``).

    Text parts: decorations (a range, exactly one known style or animation, animations overlap
    nothing), inline stickers (at most 100 and 10 distinct images, exactly one of ``url`` or
    ``attachment_id``, no overlap, no split character, no mention beside them), ``mention`` a
    handle and ``mention_range`` a range needing it. iMessage app parts: ``check_app_card``.
    App Clip and iMessage app parts refuse an SMS or RCS ``preferred_service``.
    """
    service = message.get("preferred_service")
    for index, part in enumerate(message.get("parts") or ()):
        kind, where = part.get("type"), f"part {index}"
        if kind == "text":
            _check_text(part, where)
        elif kind == "imessage_app":
            check_app_card(part.get("app"), part.get("layout"), part.get("url"), where)
            if part.get("fallback_text") is not None:
                _text(part["fallback_text"], f"{where}.fallback_text")
            if part.get("interactive") is not None:
                _validate.flag(part["interactive"], f"{where}.interactive")
        elif kind == "app_clip" and part.get("caption") is not None:
            _text(part["caption"], f"{where}.caption")
        elif kind == "media" and part.get("sticker") is not None:
            _validate.flag(part["sticker"], f"{where}.sticker")
        if kind in ("imessage_app", "app_clip") and service in ("SMS", "RCS"):
            raise ValidationError(f"a {kind} part is sent over iMessage only, not with preferred_service={service!r}")


def _message(message: MessageInput, header_key: str | None) -> tuple[dict[str, Any], str]:
    """The message's wire form and the request's idempotency key (see the module docstring)."""
    if isinstance(message, _NEW_PARTS):
        message = [message]
    content = _content(message)
    own = content.idempotency_key if isinstance(content, MessageContent) else content.get("idempotency_key")
    key = _validate.idempotency_key(header_key) if header_key is not None else None
    if key is None:
        key = own if isinstance(own, str) else str(uuid.uuid4())
    body = message_body(message, None if own is not None else key)
    check_part_details(body)
    return body, key


def _continuation(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        return {"text": _text(value, "continuation_message")}
    if not isinstance(value, Mapping):
        raise ValidationError(f"continuation_message must be text or {{'text': ...}}, got {type(value).__name__}")
    _text(value.get("text"), "continuation_message.text")
    return dict(value)


def _recipients(to: object) -> list[str]:
    if isinstance(to, str) or not isinstance(to, Sequence):
        raise ValidationError("to must be a list of handles (one for a direct chat, more for a group)")
    check_recipients_count(len(to))
    return [_validate.handle(handle) for handle in to]


def _phones(value: object, name: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError(f"{name} must be a list of your E.164 phone numbers")
    numbers = [_validate.handle(number) for number in value]
    for number in numbers:
        if not number.startswith("+"):
            raise ValidationError(f"{name} must hold E.164 phone numbers, got {_validate.shown(number)}")
    return numbers


def _header_key(options: Mapping[str, Any]) -> str | None:
    """An ``Idempotency-Key`` given through ``extra_headers``: it is the one sent, so it is the one reported."""
    for name, value in (options.get("extra_headers") or {}).items():
        if isinstance(name, str) and name.lower() == "idempotency-key" and isinstance(value, str):
            return value
    return None


class Messages(Resource[Mode]):
    """Messages by id: send without choosing a line, read, edit, delete, react, threads, app cards."""

    @cached_property
    def with_raw_response(self) -> Messages[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Messages(self._client, True)

    @cached_property
    def poll(self) -> MessagePoll[Mode]:
        """A poll by its message id: ``retrieve``, ``add_options``, ``vote``."""
        return MessagePoll(self._client, self._raw)

    @endpoint
    async def create(
        self,
        *,
        message: MessageInput,
        to: Sequence[str],
        continuation_message: str | Mapping[str, Any] | None = None,
        exclude_from: Sequence[str] | None = None,
        override_optout: bool | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> MessageCreateResponse:
        """Send a message to ``to``, letting Linq choose the line and the chat (queued, 202).

        ``POST /v3/messages``. ``message``: as ``chats.messages.send`` takes it (text, parts,
        ``MessageContent`` or a dict; an ``experience`` card too); ``to``: 1 handle for a direct chat,
        2 to 31 for a group; ``continuation_message``: text sent instead, only when Linq must move the
        conversation off a flagged line; ``exclude_from``: your E.164 lines not to use for a new chat;
        ``override_optout``: send despite an opt-out (this request only); ``idempotency_key``: the
        ``Idempotency-Key`` header (generated when left out). Raises ``ValidationError`` before
        sending for bad input; ``PermissionDeniedError`` (2024 opted out), ``ConflictError`` (2023
        mention in a direct chat, no eligible line), ``BadRequestError`` or another ``APIError``,
        carrying ``idempotency_key`` to resend safely.
        """
        if idempotency_key is None:
            idempotency_key = _header_key(options)
        content, key = _message(message, idempotency_key)
        body: dict[str, Any] = {"message": content, "to": _recipients(to)}
        if continuation_message is not None:
            body["continuation_message"] = _continuation(continuation_message)
        if exclude_from is not None:
            body["exclude_from"] = _phones(exclude_from, "exclude_from")
        if override_optout is not None:
            body["override_optout"] = _validate.flag(override_optout, "override_optout")
        try:
            return await self._request(
                "POST",
                "/v3/messages",
                body=body,
                headers={"Idempotency-Key": key},
                into=MessageCreateResponse,
                options=options,
            )
        except LinqError as exc:
            exc.idempotency_key = key  # type: ignore[attr-defined]
            raise

    @endpoint
    async def retrieve(self, message_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> Message:
        """Fetch one message, with its parts and their reactions.

        ``GET /v3/messages/{message_id}``. ``message_id``: the message. Raises ``ValidationError``
        before sending for a bad id; ``NotFoundError`` (2002: unknown, deleted or expired) or
        another ``APIError``.
        """
        return await self._request("GET", _path(message_id), into=Message, options=options)

    @endpoint
    async def update(
        self,
        message_id: str | uuid.UUID,
        *,
        text: str,
        part_index: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Message:
        """Edit the text of one part of a message you sent (5 edits at most, within 15 minutes of sending).

        ``PATCH /v3/messages/{message_id}``. ``message_id``: the message; ``text``: the new text
        (1 to 10,000 characters); ``part_index``: the text part (the API assumes 0). Raises
        ``ValidationError`` before sending for bad input; ``NotFoundError`` (2002),
        ``ConflictError`` (limit or window passed), ``BadRequestError`` or another ``APIError``.
        """
        body: dict[str, Any] = {"text": _text(text, "text")}
        if part_index is not None:
            body["part_index"] = _index(part_index)
        return await self._request("PATCH", _path(message_id), body=body, into=Message, options=options)

    @endpoint
    async def delete(self, message_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Delete a message from Linq's API (204); recipients keep it: nothing is unsent.

        ``DELETE /v3/messages/{message_id}``. ``message_id``: the message. Afterwards it answers
        404, and resending with its idempotency key too. Raises ``ValidationError`` before sending
        for a bad id; ``NotFoundError`` (2002) or another ``APIError``.
        """
        return await self._request("DELETE", _path(message_id), headers={"Accept": "*/*"}, options=options)

    @endpoint
    async def add_reaction(
        self,
        message_id: str | uuid.UUID,
        *,
        operation: Literal["add", "remove"],
        type: ReactionType,
        attachment_id: str | uuid.UUID | None = None,
        custom_emoji: str | None = None,
        emoji: str | None = None,
        part_index: int | None = None,
        placement: Placement | None = None,
        url: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> MessageAddReactionResponse:
        """Add or remove a reaction on a message part: a tapback, a custom emoji or a sticker.

        ``POST /v3/messages/{message_id}/reactions``. ``operation``: ``"add"`` or ``"remove"``;
        ``type``: ``love``, ``like``, ``dislike``, ``laugh``, ``emphasize``, ``question``, ``custom``
        (with ``custom_emoji``) or ``sticker`` (iMessage only, cannot be removed, with exactly one of
        ``emoji``, ``url`` (a Linq ``download_url``) or ``attachment_id``, and an optional
        ``placement``); ``part_index``: the part (default the first). Raises ``ValidationError``
        before sending for bad input; ``NotFoundError`` (2002), ``ConflictError`` or another ``APIError``.
        """
        if operation not in ("add", "remove"):
            raise ValidationError(f"operation must be 'add' or 'remove', got {_validate.shown(operation)}")
        if type not in REACTION_TYPES:
            raise ValidationError(f"type must be one of {REACTION_TYPES}, got {_validate.shown(type)}")
        body: dict[str, Any] = {"operation": operation, "type": type}
        if (custom_emoji is not None) != (type == "custom"):
            raise ValidationError("custom_emoji goes with type='custom', and type='custom' needs it")
        sources = {"attachment_id": attachment_id, "emoji": emoji, "url": url}
        given = [name for name, value in sources.items() if value is not None]
        if type == "sticker":
            if operation == "remove":
                raise ValidationError("a sticker cannot be removed")
            if len(given) != 1:
                raise ValidationError("a sticker needs exactly one of emoji, url or attachment_id")
        elif given or placement is not None:
            raise ValidationError(f"{', '.join(given) or 'placement'} goes with type='sticker' only")
        if attachment_id is not None:
            body["attachment_id"] = _validate.chat_id(attachment_id, "attachment_id")
        if custom_emoji is not None:
            body["custom_emoji"] = _text(custom_emoji, "custom_emoji", max_length=32)
        if emoji is not None:
            body["emoji"] = _text(emoji, "emoji", max_length=32)
        if part_index is not None:
            body["part_index"] = _index(part_index)
        if placement is not None:
            body["placement"] = _placement(placement)
        if url is not None:
            body["url"] = _validate.https_url(url, "url")
        path = f"{_path(message_id)}/reactions"
        return await self._request("POST", path, body=body, into=MessageAddReactionResponse, options=options)

    @endpoint
    async def update_sticker_placement(
        self,
        reaction_id: str | uuid.UUID,
        *,
        message_id: str | uuid.UUID,
        placement: Placement,
        **options: Unpack[RequestOptions],
    ) -> MessageUpdateStickerPlacementResponse:
        """Move, resize or rotate a sticker on a message; fields left out of ``placement`` stay as they are.

        ``PATCH /v3/messages/{message_id}/reactions/{reaction_id}``. ``reaction_id``: the sticker's
        reaction ``id`` (from the message or the ``reaction.added`` webhook); ``message_id``: its
        message; ``placement``: ``x``, ``y``, ``scale``, ``rotation``. Raises ``ValidationError``
        before sending for bad input; ``NotFoundError`` (a sticker too old to move),
        ``BadRequestError`` (not a sticker) or another ``APIError``.
        """
        path = f"{_path(message_id)}/reactions/{_reaction_id(reaction_id)}"
        body = {"placement": _placement(placement)}
        return await self._request(
            "PATCH",
            path,
            body=body,
            into=MessageUpdateStickerPlacementResponse,
            options=options,
            repeatable=True,
        )

    @endpoint
    async def update_app_card(
        self,
        message_id: str | uuid.UUID,
        *,
        layout: IMessageAppLayout | Mapping[str, Any],
        app: IMessageApp | Mapping[str, Any] | None = None,
        experience: MessageExperience | Mapping[str, Any] | None = None,
        fallback_text: str | None = None,
        interactive: bool | None = None,
        url: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> MessageUpdateAppCardResponse:
        """Redraw an iMessage app card you sent, in place; the update is a new message (use its id next).

        ``POST /v3/messages/{message_id}/update``. ``message_id``: the card (sent already);
        ``layout``: the new layout; ``app``, ``experience``: as on the card; ``fallback_text``,
        ``url`` (not with ``experience``) and ``interactive`` (not inherited: default true) as in
        ``IMessageAppPart``. Raises ``ValidationError`` before sending for bad input;
        ``BadRequestError`` (not your card), ``ConflictError`` (not sent yet: retry) or another ``APIError``.
        """
        body: dict[str, Any] = {"layout": _as_dict(layout, "layout")}
        if app is not None:
            body["app"] = _as_dict(app, "app")
        if experience is not None:
            card = _as_dict(experience, "experience")
            if not isinstance(card.get("name"), str) or not isinstance(card.get("action"), str):
                raise ValidationError("experience needs a name and an action")
            body["experience"] = card
        if fallback_text is not None:
            body["fallback_text"] = _text(fallback_text, "fallback_text")
        if interactive is not None:
            body["interactive"] = _validate.flag(interactive, "interactive")
        if url is not None:
            if experience is not None:
                raise ValidationError("url cannot be combined with experience")
            body["url"] = url
        check_app_card(body.get("app"), body["layout"], url, "app card")
        path = f"{_path(message_id)}/update"
        return await self._request("POST", path, body=body, into=MessageUpdateAppCardResponse, options=options)

    @paginated
    def list_messages_thread(
        self,
        message_id: str | uuid.UUID,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        order: Literal["asc", "desc"] | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Message]:
        """List a thread, page by page: the message it started from and every reply.

        ``GET /v3/messages/{message_id}/thread``. ``message_id``: any message of the thread (one not
        in a thread lists only itself); ``cursor``: start from a page's ``next_cursor``; ``limit``:
        per page (1-100); ``order``: ``"asc"`` (oldest first, the API's default) or ``"desc"``.
        Returns a paginator at once. Raises ``ValidationError`` at once for a bad argument.
        """
        if order is not None and order not in ("asc", "desc"):
            raise ValidationError(f"order must be 'asc' or 'desc', got {_validate.shown(order)}")
        return self._paginate(
            f"{_path(message_id)}/thread",
            into=MessageList,
            items="messages",
            params={"limit": _limit(limit), "order": order},
            first=_cursor(cursor),
            options=options,
        )


class SyncMessages(SyncResource[Mode]):
    """Blocking twin of ``client.messages``."""

    create = blocking(Messages.create)
    retrieve = blocking(Messages.retrieve)
    update = blocking(Messages.update)
    delete = blocking(Messages.delete)
    add_reaction = blocking(Messages.add_reaction)
    update_sticker_placement = blocking(Messages.update_sticker_placement)
    update_app_card = blocking(Messages.update_app_card)
    list_messages_thread = blocking(Messages.list_messages_thread)

    @cached_property
    def with_raw_response(self) -> SyncMessages[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncMessages(self._runner, self._async.with_raw_response)

    @cached_property
    def poll(self) -> SyncMessagePoll[Mode]:
        """A poll by its message id: ``retrieve``, ``add_options``, ``vote``."""
        return SyncMessagePoll(self._runner, self._async.poll)
