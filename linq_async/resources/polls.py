"""iMessage polls: ``client.chats.polls`` creates them, ``client.messages.poll`` reads, extends and votes.

A poll is a message: the ``message_id`` of the answer names the poll from then on. Creating one
carries ``poll.idempotency_key`` in the body (not a header): the caller's, or one generated per
call before the first attempt, so every retry carries the same key and a retried create never
makes two polls. If the call still fails, the error carries the key as ``exc.idempotency_key``:
create again with it and the API answers with the poll already made.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, Unpack

from .. import _validate
from .._errors import LinqError, ValidationError
from .._sync import SyncResource, blocking
from ..models.polls import MIN_POLL_OPTIONS, PollEnvelope, PollInput, PollOptionInput, check_poll_options
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["MessagePoll", "OptionInput", "Polls", "SyncMessagePoll", "SyncPolls", "poll_body"]

_MAX_OPTION_ID = 255

OptionInput: TypeAlias = "str | PollOptionInput | Mapping[str, Any]"
"""One poll option as the calls take it: its text, a ``PollOptionInput`` or a dict with ``text``."""


def _option(value: object, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        data: dict[str, Any] = {"text": value}
    elif isinstance(value, PollOptionInput):
        data = value.to_dict()
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise ValidationError(f"{where} must be text, a PollOptionInput or a dict, got {type(value).__name__}")
    return data


def _options(values: object, name: str, minimum: int) -> list[dict[str, Any]]:
    if values is None or isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValidationError(f"{name} must be a list of options, got {type(values).__name__}")
    options = [_option(value, f"{name}[{i}]") for i, value in enumerate(values)]
    check_poll_options(options, minimum=minimum, name=name)
    return options


def poll_body(poll: PollInput | Mapping[str, Any], idempotency_key: str | None) -> dict[str, Any]:
    """Check a poll and return its wire form, with its idempotency key (the given one, or a new one).

    Refused with ``ValidationError``: fewer than 2 options, an option without a non-blank
    ``text``, a bad key, and two different keys (argument and poll).
    """
    if isinstance(poll, PollInput):
        body: dict[str, Any] = {"options": poll.options}
        if poll.idempotency_key is not None:
            body["idempotency_key"] = poll.idempotency_key
        for name, value in poll.extra.items():
            body.setdefault(name, value)
    elif isinstance(poll, Mapping):
        body = dict(poll)
    else:
        raise ValidationError(f"poll must be a PollInput or a dict with options, got {type(poll).__name__}")
    body["options"] = _options(body.get("options"), "poll.options", MIN_POLL_OPTIONS)
    given = body.get("idempotency_key")
    if given is not None and idempotency_key is not None and given != idempotency_key:
        raise ValidationError("two different idempotency keys were given (argument and poll)")
    key = idempotency_key if idempotency_key is not None else given
    body["idempotency_key"] = _validate.idempotency_key(key) if key is not None else str(uuid.uuid4())
    return body


def _option_id(value: object) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= _MAX_OPTION_ID
        or not value.isprintable()
        or any(c.isspace() for c in value)
    ):
        raise ValidationError(
            f"option_id must be the option_id of one of the poll's options, got {_validate.shown(value)}"
        )
    return value


def _path(message_id: str | uuid.UUID) -> str:
    return f"/v3/messages/{_validate.chat_id(message_id, 'message_id')}/poll"


class Polls(Resource[Mode]):
    """Polls sent into a chat (iMessage only)."""

    @cached_property
    def with_raw_response(self) -> Polls[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Polls(self._client, True)

    @endpoint
    async def create(
        self,
        chat_id: str | uuid.UUID,
        *,
        poll: PollInput | Mapping[str, Any],
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> PollEnvelope:
        """Send a poll into an existing iMessage chat.

        ``POST /v3/chats/{chat_id}/polls``. ``chat_id``: the chat (a poll cannot start one);
        ``poll``: a ``PollInput`` or a dict: ``options`` (2 or more, each a text, a
        ``PollOptionInput`` or ``{"text": ...}``) and an optional ``idempotency_key``;
        ``idempotency_key``: the same key, given beside the poll (generated when neither has one).
        A poll has no question: send it as a text message. Raises ``ValidationError`` before
        sending for a bad id or poll; ``ConflictError`` (not an iMessage chat, chat left),
        ``NotFoundError`` or another ``APIError``, carrying ``idempotency_key`` to retry safely.
        """
        path = f"/v3/chats/{_validate.chat_id(chat_id)}/polls"
        body = {"poll": poll_body(poll, idempotency_key)}
        try:
            return await self._request("POST", path, body=body, into=PollEnvelope, options=options)
        except LinqError as exc:
            exc.idempotency_key = body["poll"]["idempotency_key"]  # type: ignore[attr-defined]
            raise


class MessagePoll(Resource[Mode]):
    """A poll, by the id of its message: read it, add options, vote."""

    @cached_property
    def with_raw_response(self) -> MessagePoll[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return MessagePoll(self._client, True)

    @endpoint
    async def retrieve(self, message_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> PollEnvelope:
        """Fetch a poll's current results: its options, who voted for each, and the distinct voters.

        ``GET /v3/messages/{message_id}/poll``. ``message_id``: the poll's message. Raises
        ``ValidationError`` before sending for a bad id; ``NotFoundError`` (no such poll) or
        another ``APIError``.
        """
        return await self._request("GET", _path(message_id), into=PollEnvelope, options=options)

    @endpoint
    async def add_options(
        self,
        message_id: str | uuid.UUID,
        *,
        options: Iterable[OptionInput],
        **request_options: Unpack[RequestOptions],
    ) -> PollEnvelope:
        """Append options to a poll (options are never edited or removed); returns the whole poll.

        ``POST /v3/messages/{message_id}/poll/options``. ``message_id``: the poll's message;
        ``options``: one or more, each a text, a ``PollOptionInput`` or ``{"text": ...}``. On a
        zero-day-retention line, send every existing option again, in order, before the new ones.
        Raises ``ValidationError`` before sending for a bad id or option; ``BadRequestError``,
        ``NotFoundError`` or another ``APIError``.
        """
        body = {"options": _options(options, "options", 1)}
        path = f"{_path(message_id)}/options"
        return await self._request("POST", path, body=body, into=PollEnvelope, options=request_options)

    @endpoint
    async def vote(
        self,
        message_id: str | uuid.UUID,
        *,
        operation: Literal["add", "remove"],
        option_id: str,
        **options: Unpack[RequestOptions],
    ) -> PollEnvelope:
        """Add or remove your line's vote on one option of a poll; returns the poll as it now stands.

        ``POST /v3/messages/{message_id}/poll/votes``. ``message_id``: the poll's message;
        ``operation``: ``"add"`` or ``"remove"``; ``option_id``: the option (from ``poll.options``).
        A line may vote for several options, one call each. Raises ``ValidationError`` before
        sending for a bad id or operation; ``BadRequestError`` (unknown option), ``NotFoundError``
        or another ``APIError``.
        """
        if operation not in ("add", "remove"):
            raise ValidationError(f"operation must be 'add' or 'remove', got {_validate.shown(operation)}")
        body = {"operation": operation, "option_id": _option_id(option_id)}
        return await self._request("POST", f"{_path(message_id)}/votes", body=body, into=PollEnvelope, options=options)


class SyncPolls(SyncResource[Mode]):
    """Blocking twin of ``client.chats.polls``."""

    create = blocking(Polls.create)

    @cached_property
    def with_raw_response(self) -> SyncPolls[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPolls(self._runner, self._async.with_raw_response)


class SyncMessagePoll(SyncResource[Mode]):
    """Blocking twin of ``client.messages.poll``."""

    retrieve = blocking(MessagePoll.retrieve)
    add_options = blocking(MessagePoll.add_options)
    vote = blocking(MessagePoll.vote)

    @cached_property
    def with_raw_response(self) -> SyncMessagePoll[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncMessagePoll(self._runner, self._async.with_raw_response)
