"""What every resource is made of: the ``Resource`` base, and the ``endpoint``/``paginated`` markers.

An endpoint is one ``async def`` on a resource, marked ``@endpoint``, whose body validates its
arguments and returns ``await self._request(...)``; a list endpoint is a plain ``def`` marked
``@paginated`` that returns ``self._paginate(...)``. Both take ``**options: Unpack[RequestOptions]``,
which carries ``extra_headers``/``extra_query``/``extra_body``/``timeout`` to the request core, so
no endpoint has a line of its own for them. Each resource is generic in its mode: ``Parsed``
(calls return models) or ``Raw`` (``with_raw_response``: calls return raw responses). The markers
only tell the type checker what a call returns in each mode; at run time they leave the function
as it is, so a call costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .._response import AsyncAPIResponse
from ..pagination import AsyncPaginator, Page, _async_page

if TYPE_CHECKING:
    from .._client import AsyncLinqClient, RequestOptions
    from .._convert import Model

__all__ = ["Mode", "Parsed", "Raw", "Resource", "endpoint", "paginated"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound="Model")


class Parsed:
    """Mode of a resource whose calls return models (the default)."""


class Raw:
    """Mode of a resource whose calls return raw responses (``with_raw_response``)."""


Mode = TypeVar("Mode", Parsed, Raw)

ENDPOINT = "endpoint"
PAGINATED = "paginated"


def kind_of(function: object) -> str | None:
    """``"endpoint"``, ``"paginated"`` or None: how a resource method was declared."""
    return getattr(function, "__linq_kind__", None)


if TYPE_CHECKING:

    class endpoint(Generic[P, R]):
        """Mark an ``async def`` resource method as an endpoint (see the module docstring)."""

        def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[R]]) -> None: ...

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, R]: ...

        @overload
        def __get__(self, obj: Resource[Raw], owner: type[Any]) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]: ...

        @overload
        def __get__(self, obj: Resource[Parsed], owner: type[Any]) -> Callable[P, Awaitable[R]]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

        __name__: str
        __doc__: str | None

    class paginated(Generic[P, T]):
        """Mark a resource method returning an ``AsyncPaginator`` as a list endpoint."""

        def __init__(self, method: Callable[Concatenate[Any, P], AsyncPaginator[T]]) -> None: ...

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> paginated[P, T]: ...

        @overload
        def __get__(
            self, obj: Resource[Raw], owner: type[Any]
        ) -> Callable[P, Awaitable[AsyncAPIResponse[Page[T]]]]: ...

        @overload
        def __get__(self, obj: Resource[Parsed], owner: type[Any]) -> Callable[P, AsyncPaginator[T]]: ...

        def __get__(self, obj: Any, owner: type[Any]) -> Any: ...

        __name__: str
        __doc__: str | None

else:

    def endpoint(method: F) -> F:
        """Mark an ``async def`` resource method as an endpoint (see the module docstring)."""
        method.__linq_kind__ = ENDPOINT
        return method

    def paginated(method: F) -> F:
        """Mark a resource method returning an ``AsyncPaginator`` as a list endpoint."""
        method.__linq_kind__ = PAGINATED
        return method


class Resource(Generic[Mode]):
    """A group of endpoints bound to one client (or one ``with_options`` view of it)."""

    def __init__(self, client: AsyncLinqClient, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    def __repr__(self) -> str:
        mode = " (raw responses)" if self._raw else ""
        return f"<{type(self).__name__}{mode} of {self._client!r}>"

    @overload
    def _request(
        self,
        method: str,
        path: str,
        *,
        into: type[M],
        body: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        options: RequestOptions | None = None,
        repeatable: bool = False,
    ) -> Awaitable[M]: ...

    @overload
    def _request(
        self,
        method: str,
        path: str,
        *,
        into: None = None,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        options: RequestOptions | None = None,
        repeatable: bool = False,
    ) -> Awaitable[None]: ...

    def _request(
        self,
        method: str,
        path: str,
        *,
        into: type[M] | None = None,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        options: RequestOptions | None = None,
        repeatable: bool = False,
    ) -> Awaitable[Any]:
        """Send through the client's request core: the model (or, in raw mode, the raw response).

        ``repeatable``: a POST or PATCH whose repetition changes nothing more (it sets a state, or
        only reads), so a transport failure after sending may be retried; see ``_rules.repeatable``.
        Returns the core's coroutine itself (no coroutine of its own: one frame less per request).
        """
        return self._client._request(
            method,
            path,
            into=into,
            body=body,
            params=params,
            headers=headers,
            options=options,
            raw=self._raw,
            repeatable=repeatable,
        )

    def _paginate(
        self,
        path: str,
        *,
        into: type[Model],
        items: str,
        params: Mapping[str, object],
        first: str | None,
        options: RequestOptions,
        token: str = "cursor",  # noqa: S107 - the query parameter's name, not a secret
        next_token: Callable[[Any, str | None], str | None] | None = None,
    ) -> AsyncPaginator[Any]:
        """An ``AsyncPaginator`` over a list endpoint (in raw mode: the first page's raw response).

        ``into`` is the page model and ``items`` its field holding the items. The next page repeats
        the query with ``token`` set to ``next_token(page, this_page_token)`` (by default the page's
        ``next_cursor``; offset pagination counts from the page's own token); ``first`` is the token
        of the first page, if the caller gave one.
        """
        client = self._client
        find_next = next_token or _next_cursor

        def to_page(model: Any, page_token: str | None) -> Page[Any]:
            return Page(items=getattr(model, items), next_cursor=find_next(model, page_token), model=model, token=token)

        async def fetch(page_token: str | None) -> Page[Any]:
            query = {**params, token: page_token} if page_token is not None else params
            model = await client._request("GET", path, params=query, into=into, options=options)
            return to_page(model, page_token)

        if self._raw:
            query = {**params, token: first} if first is not None else params
            # Sent (and its options checked) when awaited, as every other call; its parsed page can go
            # on to the next pages, as a page of the plain call can.
            return _raw_page(  # type: ignore[return-value] # the raw twin's type
                partial(client._request, "GET", path, params=query, into=into, options=options, raw=True),
                lambda model: _async_page(to_page(model, first), fetch, token),
            )
        return AsyncPaginator(fetch, first, token=token)


def _next_cursor(model: Any, _: str | None) -> str | None:
    cursor: str | None = getattr(model, "next_cursor", None)
    return cursor or None


async def _raw_page(
    request: Callable[[], Awaitable[AsyncAPIResponse[Any]]], to_page: Callable[[Any], Page[Any]]
) -> Any:
    return (await request())._map(to_page)
