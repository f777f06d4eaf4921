"""One test body for both clients: ``Blocking`` makes an ``AsyncLinqClient`` answer like the sync one.

``Blocking(client, runner)`` forwards attribute access; a call that returns a coroutine is run on
``runner`` (an ``asyncio.Runner`` owned by the test), a paginator becomes a ``SyncPaginator``-like
object, an async iterator a generator, an ``AsyncAPIResponse`` an ``APIResponse``. So
``any_client.chats.typing.start(chat)`` reads the same whichever client the fixture gave.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

from linq_async import AsyncAPIResponse, AsyncLinqClient, AsyncPaginator, Page, SyncLinqClient


class Blocking:
    """An async client, resource or method, driven from blocking test code."""

    def __init__(self, target: Any, runner: asyncio.Runner) -> None:
        self._target = target
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return Blocking(value, self._runner)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _blocking(self._target(*args, **kwargs), self._runner)

    def __repr__(self) -> str:
        return f"Blocking({self._target!r})"


def _blocking(result: Any, runner: asyncio.Runner) -> Any:
    if inspect.iscoroutine(result):
        result = runner.run(result)
    if isinstance(result, AsyncAPIResponse):
        return result._blocking()
    if isinstance(result, AsyncPaginator):
        return _Pages(result, runner)
    if isinstance(result, AsyncIterator):
        return _pull(result, runner)
    if isinstance(result, AsyncLinqClient):  # with_options
        return Blocking(result, runner)
    return result


class _Pages:
    """What ``SyncPaginator`` offers, over an ``AsyncPaginator``."""

    def __init__(self, paginator: AsyncPaginator[Any], runner: asyncio.Runner) -> None:
        self._paginator = paginator
        self._runner = runner

    def first_page(self) -> Page[Any]:
        return self._runner.run(self._paginator.first_page())

    def pages(self) -> Iterator[Page[Any]]:
        return _pull(self._paginator.pages(), self._runner)

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.items


def _pull(iterator: AsyncIterator[Any], runner: asyncio.Runner) -> Iterator[Any]:
    async def step() -> tuple[bool, Any]:
        try:
            return True, await iterator.__anext__()
        except StopAsyncIteration:
            return False, None

    while True:
        more, item = runner.run(step())
        if not more:
            return
        yield item


def either_client(kind: str, api_key: str, base_url: str, **options: Any) -> Iterator[Any]:
    """Yield a ``SyncLinqClient`` (``kind`` "sync") or an ``AsyncLinqClient`` driven by ``Blocking``; close it after."""
    if kind == "sync":
        with SyncLinqClient(api_key, base_url=base_url, **options) as client:
            yield client
        return
    with asyncio.Runner() as runner:
        async_client = AsyncLinqClient(api_key, base_url=base_url, **options)
        try:
            yield Blocking(async_client, runner)
        finally:
            runner.run(async_client.close())
