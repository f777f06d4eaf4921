"""Cursor pagination: ``async for item in client.chats.list()`` walks every page.

A list call returns an ``AsyncPaginator`` at once (arguments are checked then, before any
request). Iterate it for items across pages, ``pages()`` for whole pages, or await it (or
``first_page()``) for the first page only. The next page is the same query with
``cursor=page.next_cursor``; a missing, null or empty cursor ends the walk. The sync client's
twin, ``SyncPaginator``, does the same with plain ``for`` loops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._errors import APIResponseValidationError

if TYPE_CHECKING:
    from ._sync import _Runner

__all__ = ["AsyncPaginator", "Page", "SyncPaginator"]

T = TypeVar("T")

Fetch = Callable[[str | None], Awaitable["Page[T]"]]


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page: its ``items`` and the cursor of the next page (None on the last).

    ``model`` is the page as the API sent it (``ChatList``, ...); its fields are also readable on
    the page itself under the API's names, as in linq-python (``page.chats``, ``page.has_more``).
    """

    items: tuple[T, ...]
    next_cursor: str | None = None
    model: Any = attrs.field(default=None, eq=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        model = object.__getattribute__(self, "model") if not name.startswith("_") else None
        if model is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(model, name)

    @property
    def has_next(self) -> bool:
        """Whether another page follows."""
        return bool(self.next_cursor)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _next_cursor(page: Page[Any], seen: set[str]) -> str | None:
    cursor = page.next_cursor or None
    if cursor is not None:
        if cursor in seen:
            raise APIResponseValidationError(
                f"the API returned cursor {cursor!r} twice; stopping instead of looping forever", status=200
            )
        seen.add(cursor)
    return cursor


class AsyncPaginator(Generic[T]):
    """Items across pages (``async for``), whole pages (``pages()``), or the first page (``await``)."""

    def __init__(self, fetch: Fetch[T], cursor: str | None = None) -> None:
        self._fetch = fetch
        self._cursor = cursor

    async def first_page(self) -> Page[T]:
        """Fetch the first page only."""
        return await self._fetch(self._cursor)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, fetching the next one only when asked."""
        cursor, seen = self._cursor, set[str]()
        while True:
            page = await self._fetch(cursor)
            yield page
            cursor = _next_cursor(page, seen)
            if cursor is None:
                return

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item


class SyncPaginator(Generic[T]):
    """The blocking twin of ``AsyncPaginator``: one round trip to the client's loop per page."""

    def __init__(self, runner: _Runner, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator

    def first_page(self) -> Page[T]:
        """Fetch the first page only."""
        return self._runner.run(self._paginator.first_page())

    def pages(self) -> Iterator[Page[T]]:
        """Yield each page in turn, fetching the next one only when asked."""
        cursor, seen = self._paginator._cursor, set[str]()
        while True:
            page = self._runner.run(self._paginator._fetch(cursor))
            yield page
            cursor = _next_cursor(page, seen)
            if cursor is None:
                return

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
