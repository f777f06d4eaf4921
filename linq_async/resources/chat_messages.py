"""``client.chats.messages``: send into a chat and list its messages; and the message body rules.

Every send (and chat creation) carries ``message.idempotency_key``. When the caller gives none,
one is generated per logical call, before the first attempt; the request body is encoded once, so
every retry carries the same key and a retried send can never go out twice. If the call still
fails, the error carries the key as ``exc.idempotency_key``: send again later with it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from contextlib import aclosing
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeAlias, Unpack

import attrs

from .. import _validate
from .._batch import Batch, BatchResult, Outcome, ProgressCallback, Refused, Work, collect, pair, shown_text
from .._convert import Model
from .._errors import LinqError, ValidationError
from .._rules import check_message
from .._sync import SyncResource, blocking
from ..models.messages import (
    AppClipPart,
    IMessageAppPart,
    LinkPart,
    MediaPart,
    Message,
    MessageContent,
    MessageInput,
    MessageList,
    MessageSendResponse,
    TextPart,
    UnknownPart,
)
from ..pagination import AsyncPaginator
from ._base import Mode, Parsed, Raw, Resource, endpoint, paginated

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["ChatMessages", "MessageItem", "SyncChatMessages", "message_body"]

MessageItem: TypeAlias = "tuple[str | uuid.UUID, MessageInput]"
"""One ``send_many`` item: a chat id and the message to send into it."""

_PART_MODELS = (TextPart, MediaPart, LinkPart, IMessageAppPart, AppClipPart, UnknownPart)


def _content(message: object) -> MessageContent | Mapping[str, Any]:
    if isinstance(message, str):
        return MessageContent(parts=(TextPart(value=message),))
    if isinstance(message, MessageContent):
        return message
    if isinstance(message, _PART_MODELS):
        return MessageContent(parts=(message,))
    if isinstance(message, Mapping):
        return message
    if isinstance(message, Sequence) and not isinstance(message, (bytes, bytearray)):
        return MessageContent(parts=tuple(message))
    raise ValidationError(
        f"message must be text, a part, a list of parts, a MessageContent or a dict, got {type(message).__name__}"
    )


def _part(part: object, index: int) -> dict[str, Any]:
    if isinstance(part, Model):
        data = part.to_dict()
    elif isinstance(part, Mapping):
        data = dict(part)
    else:
        raise ValidationError(f"part {index} must be a part model or a dict, got {type(part).__name__}")
    return data


def _readable_twice(message: object) -> object:
    """``message`` with parts given as a one-shot iterable (a generator) read into a list."""
    if isinstance(message, Mapping):
        parts = message.get("parts")
        if isinstance(parts, Iterable) and not isinstance(parts, (Sequence, str, bytes, Mapping)):
            return {**message, "parts": list(parts)}
    return message


def message_body(message: MessageInput, idempotency_key: str | None, *, first: bool = False) -> dict[str, Any]:
    """Check a message against the documented rules and return its wire form, idempotency key included.

    The rules are ``linq_async._rules.check_message`` (the fake server applies the same): no
    parts, more than 100, two text parts in a row, a link/app part that is not alone, empty text
    or text over 10,000 characters, a media part without exactly one of ``url``/``attachment_id``;
    for the first message of a new chat (``first``), any link part or URL. Also refused here: a
    ``reply_to`` without a valid message id, and conflicting idempotency keys. Raises
    ``ValidationError``.
    """
    content = _content(message)
    if isinstance(content, MessageContent):
        body = attrs.evolve(content, parts=()).to_dict()  # the parts are turned into dicts below, once
        raw_parts: Sequence[object] = content.parts
    else:
        body = dict(content)
        parts_value = body.get("parts", ())
        if isinstance(parts_value, (str, bytes, Mapping)) or not isinstance(parts_value, Iterable):
            raise ValidationError(f"message parts must be a list, got {type(parts_value).__name__}")
        raw_parts = list(parts_value)  # any iterable, as linq-python takes: a generator is read once, here
    parts = [_part(part, i) for i, part in enumerate(raw_parts)]
    if parts:
        body["parts"] = parts
    else:
        body.pop("parts", None)
    check_message(body, first=first)
    reply_to = body.get("reply_to")
    if reply_to is not None:
        if not isinstance(reply_to, Mapping) or reply_to.get("message_id") is None:
            raise ValidationError("reply_to needs the message_id of the message replied to")
        body["reply_to"] = {**reply_to, "message_id": _validate.chat_id(reply_to["message_id"], "reply_to.message_id")}
    given = body.get("idempotency_key")
    if given is not None and idempotency_key is not None and given != idempotency_key:
        raise ValidationError("two different idempotency keys were given (argument and message content)")
    key = idempotency_key if idempotency_key is not None else given
    body["idempotency_key"] = _validate.idempotency_key(key) if key is not None else str(uuid.uuid4())
    return body


def _limit(limit: object) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ValidationError(f"limit must be an int from 1 to 100, got {limit!r}")
    return limit


def _cursor(cursor: object) -> str | None:
    if cursor is None:
        return None
    if not isinstance(cursor, str) or not cursor or not cursor.isprintable() or len(cursor) > 1024:
        raise ValidationError(f"cursor must be the next_cursor of a previous page, got {_validate.shown(cursor)}")
    return cursor


class ChatMessages(Resource[Mode]):
    """Messages of a chat: send one, send to many chats, list them."""

    @cached_property
    def with_raw_response(self) -> ChatMessages[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return ChatMessages(self._client, True)

    @endpoint
    async def send(
        self,
        chat_id: str | uuid.UUID,
        message: MessageInput,
        *,
        override_optout: bool | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> MessageSendResponse:
        """Send a message into a chat; the message is queued (202).

        ``POST /v3/chats/{chat_id}/messages``. ``chat_id``: the chat; ``message``: text, a part, a
        list of parts, a ``MessageContent`` or a dict; ``override_optout``: send to a handle that
        opted out (allowed for some message types only); ``idempotency_key``: makes a resend
        harmless (generated when left out). Raises ``ValidationError`` before sending for a bad
        chat id or message; ``PermissionDeniedError`` (2024 opted out, ...), ``ConflictError``
        (2013), or another ``APIError``, carrying ``idempotency_key`` to resend safely.
        """
        path = f"/v3/chats/{_validate.chat_id(chat_id)}/messages"
        body: dict[str, Any] = {"message": message_body(message, idempotency_key)}
        if override_optout is not None:
            body["override_optout"] = _validate.flag(override_optout, "override_optout")
        try:
            return await self._request("POST", path, body=body, into=MessageSendResponse, options=options)
        except LinqError as exc:
            exc.idempotency_key = body["message"]["idempotency_key"]  # type: ignore[attr-defined]
            raise

    @paginated
    def list(
        self,
        chat_id: str | uuid.UUID,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Message]:
        """List a chat's messages, newest first, page by page.

        ``GET /v3/chats/{chat_id}/messages``. ``chat_id``: the chat; ``limit``: per page (1-100);
        ``cursor``: start from a page's ``next_cursor``. Returns a paginator at once: ``async for``
        walks every page, ``await`` gives the first. Raises ``ValidationError`` at once for a bad
        chat id, limit or cursor.
        """
        return self._paginate(
            f"/v3/chats/{_validate.chat_id(chat_id)}/messages",
            into=MessageList,
            items="messages",
            params={"limit": _limit(limit)},
            first=_cursor(cursor),
            options=options,
        )

    async def send_many(
        self,
        items: Iterable[MessageItem] | AsyncIterable[MessageItem],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchResult[MessageSendResponse]:
        """Send one message to each of many chats; return one outcome per item, in input order.

        ``items``: (chat_id, message) pairs, ``message`` as ``send`` takes it (a dict may carry its
        own ``idempotency_key``); ``concurrency``, ``on_progress`` and ``options`` as in
        ``participants.add_many``. Each item gets its idempotency key before anything is sent
        (``outcome.idempotency_key``), so a retry can never send a message twice. At most one
        request per chat is in flight, a chat's messages are sent in input order, and a 429 pauses
        every worker. Invalid items and API errors fail their own outcome and are never raised;
        raises ``ValidationError`` only for misuse.
        """
        return await collect(self._batch(items, concurrency, on_progress, options))

    async def iter_send(
        self,
        items: Iterable[MessageItem] | AsyncIterable[MessageItem],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Outcome[MessageSendResponse]]:
        """Send to many chats, yielding each outcome as it finishes; same arguments and rules as ``send_many``."""
        # Closed with this generator, at once: the batch's workers must not outlive it.
        async with aclosing(self._batch(items, concurrency, on_progress, options).outcomes()) as run:
            async for outcome in run:
                yield outcome

    def _batch(
        self,
        items: Iterable[MessageItem] | AsyncIterable[MessageItem],
        concurrency: int,
        on_progress: ProgressCallback | None,
        options: RequestOptions,
    ) -> Batch[MessageSendResponse]:
        self._client._check_options(options)
        parsed: ChatMessages[Parsed] = ChatMessages(self._client)  # batches report models, also in raw mode
        send = parsed.send

        def prepare(index: int, item: object) -> Work[MessageSendResponse]:
            # The checks send() runs, made here so that a bad item fails unsent; the key is fixed now.
            chat_id, message = pair(index, item, "(chat_id, message)", chat_id="")
            try:
                message = _readable_twice(message)  # checked here, then sent
            except Exception as exc:  # noqa: BLE001 - the caller's parts iterable raised: this item fails, not the batch
                error = ValidationError(
                    f"item {index}: its message parts could not be read ({type(exc).__name__}: {exc})"
                )
                error.__cause__ = exc
                raise Refused(error, chat_id=shown_text(chat_id)) from None
            try:
                chat = _validate.chat_id(chat_id)
                key = message_body(message, None)["idempotency_key"]  # type: ignore[arg-type]
            except ValidationError as exc:
                raise Refused(exc, chat_id=shown_text(chat_id)) from None
            return Work(chat, partial(send, chat, message, idempotency_key=key, **options), idempotency_key=key)  # type: ignore[arg-type]

        return Batch(
            items,
            prepare,
            policy=self._client.retry,
            concurrency=concurrency,
            on_progress=on_progress,
            shape="(chat_id, message) pairs",
        )


class SyncChatMessages(SyncResource[Mode]):
    """Blocking twin of ``client.chats.messages``."""

    send = blocking(ChatMessages.send)
    list = blocking(ChatMessages.list)
    send_many = blocking(ChatMessages.send_many)
    iter_send = blocking(ChatMessages.iter_send)

    @cached_property
    def with_raw_response(self) -> SyncChatMessages[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncChatMessages(self._runner, self._async.with_raw_response)
