"""``client.chats.participants``: add and remove group-chat members, one at a time or in batches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TypeVar

from .. import _validate
from .._batch import Batch, BatchResult, Outcome, Pair, ProgressCallback, _ItemHook, collect
from .._convert import Model
from ..models import ParticipantAddResponse, ParticipantRemoveResponse
from ._base import Resource

M = TypeVar("M", bound=Model)

__all__ = ["Participants"]


def _path(chat_id: str | uuid.UUID) -> str:
    return f"/v3/chats/{_validate.chat_id(chat_id)}/participants"


class Participants(Resource):
    """Group-chat membership. Changes are queued (202) and confirmed by webhooks."""

    __slots__ = ()

    async def add(self, chat_id: str | uuid.UUID, *, handle: str) -> ParticipantAddResponse:
        """Add ``handle`` (E.164 phone or email) to a group chat.

        ``POST /v3/chats/{chat_id}/participants``. Raises ``ValidationError`` before sending for a
        chat id that is not a UUID or a malformed handle; ``NotFoundError`` (2001),
        ``ConflictError`` (2013 after leaving the chat), or another ``APIError``.
        """
        return await self._client._request(
            "POST", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantAddResponse
        )

    async def remove(self, chat_id: str | uuid.UUID, *, handle: str) -> ParticipantRemoveResponse:
        """Remove ``handle`` from a group chat; at least 3 participants must remain.

        ``DELETE /v3/chats/{chat_id}/participants`` with a JSON body. Raises ``ValidationError``
        before sending for bad input; ``NotFoundError``, ``ConflictError`` or another ``APIError``.
        """
        return await self._client._request(
            "DELETE", _path(chat_id), body={"handle": _validate.handle(handle)}, into=ParticipantRemoveResponse
        )

    async def add_many(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> BatchResult[ParticipantAddResponse]:
        """Add many (chat_id, handle) pairs; return one outcome per pair, in input order.

        At most one request per chat is in flight and a chat's pairs are applied in input order;
        different chats run concurrently, up to ``concurrency``. Invalid pairs and API errors
        fail their own item and are never raised; a 429 pauses every worker. Raises
        ``ValidationError`` only for misuse (bad ``concurrency``, ``items`` not iterable). If
        cancelled, the ``CancelledError`` carries the partial result: ``BatchResult.from_exception``.
        """
        return await collect(self._batch("POST", ParticipantAddResponse, items, concurrency, on_progress))

    async def remove_many(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> BatchResult[ParticipantRemoveResponse]:
        """Remove many (chat_id, handle) pairs; same rules and result as ``add_many``."""
        return await collect(self._batch("DELETE", ParticipantRemoveResponse, items, concurrency, on_progress))

    async def iter_add(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> AsyncIterator[Outcome[ParticipantAddResponse]]:
        """Add many pairs, yielding each outcome as it finishes; memory stays flat for any input size.

        Same rules as ``add_many``. Leaving the loop early (``break``, cancellation) cancels the
        requests in flight; use ``contextlib.aclosing`` to have that happen at once.
        """
        async for outcome in self._batch("POST", ParticipantAddResponse, items, concurrency, on_progress).outcomes():
            yield outcome

    async def iter_remove(
        self,
        items: Iterable[Pair] | AsyncIterable[Pair],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> AsyncIterator[Outcome[ParticipantRemoveResponse]]:
        """Remove many pairs, yielding each outcome as it finishes; same rules as ``iter_add``."""
        batch = self._batch("DELETE", ParticipantRemoveResponse, items, concurrency, on_progress)
        async for outcome in batch.outcomes():
            yield outcome

    def _batch(
        self,
        method: str,
        into: type[M],
        items: Iterable[Pair] | AsyncIterable[Pair],
        concurrency: int,
        on_progress: ProgressCallback | None,
    ) -> Batch[M]:
        client = self._client

        async def send(chat_id: str, handle: str, hook: _ItemHook) -> M:
            # chat_id and handle were validated by the batch engine, with the same rules as add().
            return await client._request(
                method, f"/v3/chats/{chat_id}/participants", body={"handle": handle}, into=into, hook=hook
            )

        return Batch(items, send, policy=client.retry, concurrency=concurrency, on_progress=on_progress)
