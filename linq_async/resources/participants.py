"""``client.chats.participants``: add and remove group-chat members, one at a time or in batches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from functools import cached_property, partial
from typing import TYPE_CHECKING, TypeVar, Unpack

from .. import _validate
from .._batch import Batch, BatchResult, Outcome, Pair, ProgressCallback, Refused, Work, collect, pair, shown_text
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.chats import ParticipantAddResponse, ParticipantRemoveResponse
from ._base import Mode, Parsed, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

R = TypeVar("R")

__all__ = ["Participants", "SyncParticipants"]


def _path(chat_id: str | uuid.UUID) -> str:
    return f"/v3/chats/{_validate.chat_id(chat_id)}/participants"


class Participants(Resource[Mode]):
    """Group-chat membership. Changes are queued (202) and confirmed by webhooks."""

    @cached_property
    def with_raw_response(self) -> Participants[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Participants(self._client, True)

    @endpoint
    async def add(
        self, chat_id: str | uuid.UUID, *, handle: str, **options: Unpack[RequestOptions]
    ) -> ParticipantAddResponse:
        """Add ``handle`` (E.164 phone or email) to a group chat.

        ``POST /v3/chats/{chat_id}/participants``. ``chat_id``: the group chat (a UUID); ``handle``:
        who to add. Raises ``ValidationError`` before sending for a chat id that is not a UUID or a
        malformed handle; ``NotFoundError`` (2001), ``ConflictError`` (2013 after leaving the chat),
        or another ``APIError``.
        """
        return await self._request(
            "POST", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantAddResponse,
            options=options,
            repeatable=True,
        )  # fmt: skip

    @endpoint
    async def remove(
        self, chat_id: str | uuid.UUID, *, handle: str, **options: Unpack[RequestOptions]
    ) -> ParticipantRemoveResponse:
        """Remove ``handle`` from a group chat; at least 3 participants must remain.

        ``DELETE /v3/chats/{chat_id}/participants`` with a JSON body. ``chat_id``: the group chat;
        ``handle``: who to remove. Raises ``ValidationError`` before sending for bad input;
        ``NotFoundError``, ``ConflictError`` or another ``APIError``.
        """
        return await self._request(
            "DELETE", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantRemoveResponse,
            options=options,
        )  # fmt: skip

    async def add_many(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchResult[ParticipantAddResponse]:
        """Add many (chat_id, handle) pairs; return one outcome per pair, in input order.

        ``items``: the pairs (any iterable or async iterable); ``concurrency``: requests in flight
        (1-1000); ``on_progress(done, total)``: called after each item; ``options`` apply to every
        request. At most one request per chat is in flight and a chat's pairs are applied in input
        order; different chats run concurrently. Invalid pairs and API errors fail their own item
        and are never raised; a 429 pauses every worker. Raises ``ValidationError`` only for misuse
        (bad ``concurrency``, ``items`` not iterable, bad options). If cancelled, the
        ``CancelledError`` carries the partial result: ``BatchResult.from_exception``.
        """
        return await collect(self._batch(self._parsed().add, items, concurrency, on_progress, options))

    async def remove_many(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchResult[ParticipantRemoveResponse]:
        """Remove many (chat_id, handle) pairs; same arguments, rules and result as ``add_many``."""
        return await collect(self._batch(self._parsed().remove, items, concurrency, on_progress, options))

    async def iter_add(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Outcome[ParticipantAddResponse]]:
        """Add many pairs, yielding each outcome as it finishes; memory stays flat for any input size.

        Same arguments and rules as ``add_many``. Leaving the loop early (``break``, cancellation)
        cancels the requests in flight; use ``contextlib.aclosing`` to have that happen at once (else
        up to ``concurrency`` items already lined up may still be sent until the generator is finalized).
        """
        # Closed with this generator, at once: the batch's workers must not outlive it.
        async with aclosing(
            self._batch(self._parsed().add, items, concurrency, on_progress, options).outcomes()
        ) as run:
            async for outcome in run:
                yield outcome

    async def iter_remove(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Outcome[ParticipantRemoveResponse]]:
        """Remove many pairs, yielding each outcome as it finishes; same rules as ``iter_add``."""
        # Closed with this generator, at once: the batch's workers must not outlive it.
        async with aclosing(
            self._batch(self._parsed().remove, items, concurrency, on_progress, options).outcomes()
        ) as run:
            async for outcome in run:
                yield outcome

    def _parsed(self) -> Participants[Parsed]:
        return Participants(self._client)  # batches report models, also in raw mode

    def _batch(
        self,
        send: Callable[..., Awaitable[R]],
        items: Iterable[Pair] | AsyncIterable[Pair],
        concurrency: int,
        on_progress: ProgressCallback | None,
        options: RequestOptions,
    ) -> Batch[R]:
        self._client._check_options(options)

        def prepare(index: int, item: object) -> Work[R]:
            # The checks add() and remove() run, made here so that a bad pair fails unsent.
            chat_id, handle = pair(index, item, "(chat_id, handle)", chat_id="", handle="")
            try:
                chat, who = _validate.chat_id(chat_id), _validate.handle(handle)
            except ValidationError as exc:
                raise Refused(exc, chat_id=shown_text(chat_id), handle=shown_text(handle)) from None
            return Work(chat, partial(send, chat, handle=who, **options), handle=who)

        return Batch(items, prepare, policy=self._client.retry, concurrency=concurrency, on_progress=on_progress)


class SyncParticipants(SyncResource[Mode]):
    """Blocking twin of ``client.chats.participants``."""

    add = blocking(Participants.add)
    remove = blocking(Participants.remove)
    add_many = blocking(Participants.add_many)
    remove_many = blocking(Participants.remove_many)
    iter_add = blocking(Participants.iter_add)
    iter_remove = blocking(Participants.iter_remove)

    @cached_property
    def with_raw_response(self) -> SyncParticipants[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncParticipants(self._runner, self._async.with_raw_response)
