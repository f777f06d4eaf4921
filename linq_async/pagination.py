"""Pages of a list endpoint, and the paginators that fetch them.

A list call returns a paginator at once; its arguments are checked then, before any request.

On the async client it is an ``AsyncPaginator``: ``async for item in client.chats.list()`` walks
every item of every page, ``await`` (or ``first_page()``) gives the first page, an ``AsyncPage``,
and ``pages()`` yields the pages one by one. An ``AsyncPage`` knows how it was fetched, so it can
go on by itself as linq-python's pages do: ``has_next_page()``, ``await get_next_page()``,
``async for page in page.iter_pages()`` (this page, then the following ones) and
``async for item in page`` (every item from this page on). ``page.items`` (and ``for item in
page``) are the page's own items.

On the sync client it is a ``SyncPaginator``, which also stands for its first page, as
linq-python's sync list call returns its first page: ``paginator.chats``, ``.next_cursor``,
``.has_next_page()``, ``.get_next_page()``, ``.iter_pages()``, and ``for item in paginator``
walks every item. The first page is fetched once, on first need, and kept. Its pages are
``SyncPage`` objects, where ``for item in page`` walks every item from that page on (as in
linq-python) while ``page.items`` holds the page's own.

Either way, a page's fields as the API sent them (``page.chats``, ``page.has_more``...) are read on
the page itself. Whether another page follows is decided as linq-python decides it: this page has
items, and it names the next one (a non-empty ``next_cursor``; for offset pages, ``has_more``). A
walk that is handed a cursor it has already followed stops with ``APIResponseValidationError``
instead of looping forever.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._errors import APIResponseValidationError, LinqError

if TYPE_CHECKING:
    from ._sync import _Runner

__all__ = ["AsyncPage", "AsyncPaginator", "NoNextPageError", "Page", "PageInfo", "SyncPage", "SyncPaginator"]

T = TypeVar("T")

Fetch = Callable[[str | None], Awaitable["Page[T]"]]


class NoNextPageError(LinqError, RuntimeError):
    """``get_next_page()`` was called on the last page (check ``has_next_page()`` first).

    A ``RuntimeError`` too, which is what linq-python raises in this case.
    """


@attrs.frozen
class PageInfo:
    """What the request for the next page changes: the query parameters in ``params``."""

    params: Mapping[str, str]


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page: its ``items`` and the token of the next page in ``next_cursor`` (None on the last).

    ``model`` is the page as the API sent it (``ChatList``, ...); its fields are also readable on
    the page itself under the API's names, as in linq-python (``page.chats``, ``page.has_more``).
    ``len(page)`` and ``for item in page`` count and walk this page's own items. The pages the
    clients hand out are ``AsyncPage`` and ``SyncPage``, which can also fetch the pages after them;
    a page read from a raw response is a plain ``Page``.
    """

    items: tuple[T, ...]
    next_cursor: str | None = None
    model: Any = attrs.field(default=None, eq=False, repr=False)
    _token: str = attrs.field(default="cursor", eq=False, repr=False, alias="token")

    def __getattr__(self, name: str) -> Any:
        model = object.__getattribute__(self, "model") if not name.startswith("_") else None
        if model is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(model, name)

    def has_next_page(self) -> bool:
        """Whether another page follows: this one has items and names the next (never a request)."""
        return bool(self.items) and bool(self.next_cursor)

    @property
    def has_next(self) -> bool:
        """Whether another page follows; the same as ``has_next_page()``."""
        return self.has_next_page()

    def next_page_info(self) -> PageInfo | None:
        """The query parameters that fetch the next page, or None when this page names none."""
        if not self.next_cursor:
            return None
        return PageInfo({self._token: self.next_cursor})

    def _next_token(self) -> str:
        if not self.next_cursor:
            raise NoNextPageError(
                "this is the last page: there is no next page to fetch (ask has_next_page() before get_next_page())"
            )
        return self.next_cursor

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@attrs.frozen(kw_only=True)
class AsyncPage(Page[T]):
    """A page from the async client, which can fetch the pages after it.

    ``async for item in page`` walks every item from this page on; ``page.items`` (or ``for item
    in page``) are this page's own.
    """

    _fetch: Fetch[T] = attrs.field(eq=False, repr=False, alias="fetch")

    async def get_next_page(self) -> AsyncPage[T]:
        """Fetch the page after this one; ``NoNextPageError`` (a ``RuntimeError``) if it names none."""
        page = await self._fetch(self._next_token())
        return _async_page(page, self._fetch, self._token)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """Yield this page, then each following page, fetched only when the loop asks for it."""
        page, seen = self, set[str]()
        while True:
            yield page
            if not page.has_next_page():
                return
            _follow(page, seen)
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


@attrs.frozen(kw_only=True)
class SyncPage(Page[T]):
    """A page from the sync client, which can fetch the pages after it.

    ``for item in page`` walks every item from this page on, fetching as it goes (as linq-python's
    pages do); ``page.items`` are this page's own.
    """

    _fetch: Fetch[T] = attrs.field(eq=False, repr=False, alias="fetch")
    _runner: _Runner = attrs.field(eq=False, repr=False, alias="runner")

    def get_next_page(self) -> SyncPage[T]:
        """Fetch the page after this one; ``NoNextPageError`` (a ``RuntimeError``) if it names none."""
        page = self._runner.run(self._fetch(self._next_token()))
        return _sync_page(page, self._fetch, self._token, self._runner)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """Yield this page, then each following page, fetched only when the loop asks for it."""
        page, seen = self, set[str]()
        while True:
            yield page
            if not page.has_next_page():
                return
            _follow(page, seen)
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


def _async_page(page: Page[T], fetch: Fetch[T], token: str) -> AsyncPage[T]:
    return AsyncPage(items=page.items, next_cursor=page.next_cursor, model=page.model, token=token, fetch=fetch)


def _sync_page(page: Page[T], fetch: Fetch[T], token: str, runner: _Runner) -> SyncPage[T]:
    return SyncPage(
        items=page.items, next_cursor=page.next_cursor, model=page.model, token=token, fetch=fetch, runner=runner
    )


def _follow(page: Page[Any], seen: set[str]) -> None:
    """Note that a walk follows ``page``'s cursor; refuse one it has followed already."""
    cursor = page._next_token()
    if cursor in seen:
        raise APIResponseValidationError(
            f"the API returned cursor {cursor!r} twice; stopping instead of looping forever", status=200
        )
    seen.add(cursor)


class AsyncPaginator(Generic[T]):
    """Items across pages (``async for``), whole pages (``pages()``), or the first page (``await``).

    Each ``await``, ``first_page()``, ``pages()`` or ``async for`` starts again from the first page
    with a request of its own, as linq-python's ``AsyncPaginator`` does.
    """

    def __init__(self, fetch: Fetch[T], cursor: str | None = None, *, token: str = "cursor") -> None:  # noqa: S107 - a parameter's name
        self._fetch = fetch
        self._cursor = cursor
        self._token = token

    async def first_page(self) -> AsyncPage[T]:
        """Fetch the first page."""
        return _async_page(await self._fetch(self._cursor), self._fetch, self._token)

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self.first_page().__await__()

    async def pages(self) -> AsyncIterator[AsyncPage[T]]:
        """Yield each page in turn, fetching the next one only when asked."""
        first = await self.first_page()
        async for page in first.iter_pages():
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item


class SyncPaginator(Generic[T]):
    """The sync client's list call: its first page, as linq-python's sync list call returns.

    Nothing is sent until something needs the first page (a field such as ``.chats`` or
    ``.next_cursor``, ``has_next_page()``, a loop); it is fetched once then and kept, so reading
    ``.chats`` and then iterating sends one request for the first page. ``for item in paginator``
    walks every item of every page, ``iter_pages()`` (or ``pages()``) every page.
    """

    def __init__(self, runner: _Runner, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator
        self._page: SyncPage[T] | None = None
        self._lock = threading.Lock()

    def first_page(self) -> SyncPage[T]:
        """The first page: fetched on the first call (or first need), the same page afterwards."""
        page = self._page
        if page is None:
            with self._lock:
                page = self._page
                if page is None:
                    source = self._paginator
                    fetched = self._runner.run(source._fetch(source._cursor))
                    page = self._page = _sync_page(fetched, source._fetch, source._token, self._runner)
        return page

    @property
    def items(self) -> tuple[T, ...]:
        """The first page's items."""
        return self.first_page().items

    @property
    def next_cursor(self) -> str | None:
        """The first page's token for the next page, or None."""
        return self.first_page().next_cursor

    @property
    def model(self) -> Any:
        """The first page as the API sent it (``ChatList``, ...)."""
        return self.first_page().model

    @property
    def has_next(self) -> bool:
        """Whether a page follows the first; the same as ``has_next_page()``."""
        return self.first_page().has_next_page()

    def has_next_page(self) -> bool:
        """Whether a page follows the first (fetching the first if it is not yet)."""
        return self.first_page().has_next_page()

    def next_page_info(self) -> PageInfo | None:
        """The query parameters that fetch the second page, or None."""
        return self.first_page().next_page_info()

    def get_next_page(self) -> SyncPage[T]:
        """Fetch the page after the first; ``NoNextPageError`` (a ``RuntimeError``) if there is none."""
        return self.first_page().get_next_page()

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """Yield the first page, then each following page, fetched only when the loop asks for it."""
        yield from self.first_page().iter_pages()

    def pages(self) -> Iterator[SyncPage[T]]:
        """Yield each page in turn, fetching the next one only when asked (the same as ``iter_pages()``)."""
        yield from self.first_page().iter_pages()

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.first_page(), name)

    def __repr__(self) -> str:
        page = self._page
        return f"<{type(self).__name__}: {'not fetched yet' if page is None else repr(page)}>"
