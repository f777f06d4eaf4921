"""Static checks of pages on both clients (mypy --strict via `nox -s typecheck`), never executed.

linq-python's page interface must type-check as precisely as our own names: `has_next_page()`,
`get_next_page()` (awaited on the async client), `iter_pages()`, `next_page_info()`, iteration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, assert_type

from linq_async import (
    AsyncAPIResponse,
    AsyncLinqClient,
    AsyncPaginator,
    Chat,
    Message,
    Page,
    PaymentRequest,
    SyncLinqClient,
    SyncPaginator,
)
from linq_async.pagination import AsyncPage, NoNextPageError, PageInfo, SyncPage


async def async_pages(client: AsyncLinqClient) -> None:
    paginator = client.chats.list_chats(limit=3)
    assert_type(paginator, AsyncPaginator[Chat])
    page = await paginator
    assert_type(page, AsyncPage[Chat])
    assert_type(await paginator.first_page(), AsyncPage[Chat])
    assert_type(page.has_next_page(), bool)
    assert_type(page.has_next, bool)
    assert_type(page.next_page_info(), PageInfo | None)
    assert_type(page.next_cursor, str | None)
    assert_type(page.items, tuple[Chat, ...])
    assert_type(page.chats, Any)
    assert_type(await page.get_next_page(), AsyncPage[Chat])
    assert_type(page.iter_pages(), AsyncIterator[AsyncPage[Chat]])
    async for each in page.iter_pages():
        assert_type(each, AsyncPage[Chat])
    async for chat in page:
        assert_type(chat, Chat)
    for chat in page:
        assert_type(chat, Chat)
    assert_type(len(page), int)
    async for listed in paginator.pages():
        assert_type(listed, AsyncPage[Chat])
    messages = await client.messages.list_messages_thread("id")
    assert_type(await messages.get_next_page(), AsyncPage[Message])
    requests = await client.payment_requests.list(limit=2)
    assert_type(requests, AsyncPage[PaymentRequest])
    assert_type(requests.has_more, Any)
    assert_type(await client.chats.with_raw_response.list_chats(), AsyncAPIResponse[Page[Chat]])
    page.get_next_page().has_next_page()  # type: ignore[attr-defined]


def sync_pages(client: SyncLinqClient) -> None:
    paginator = client.chats.list_chats(limit=3)
    assert_type(paginator, SyncPaginator[Chat])
    assert_type(paginator.has_next_page(), bool)
    assert_type(paginator.has_next, bool)
    assert_type(paginator.next_page_info(), PageInfo | None)
    assert_type(paginator.next_cursor, str | None)
    assert_type(paginator.items, tuple[Chat, ...])
    assert_type(paginator.chats, Any)
    assert_type(paginator.get_next_page(), SyncPage[Chat])
    assert_type(paginator.iter_pages(), Iterator[SyncPage[Chat]])
    assert_type(paginator.pages(), Iterator[SyncPage[Chat]])
    assert_type(paginator.first_page(), SyncPage[Chat])
    for chat in paginator:
        assert_type(chat, Chat)
    page = paginator.get_next_page()
    assert_type(page.has_next_page(), bool)
    assert_type(page.get_next_page(), SyncPage[Chat])
    assert_type(page.iter_pages(), Iterator[SyncPage[Chat]])
    for chat in page:
        assert_type(chat, Chat)
    assert_type(len(page), int)
    assert_type(client.chats.messages.list("id").get_next_page(), SyncPage[Message])
    assert_type(client.payment_requests.list().get_next_page(), SyncPage[PaymentRequest])
    assert_type(client.payment_requests.list().has_more, Any)
    try:
        page.get_next_page()
    except NoNextPageError as exc:
        assert_type(exc, NoNextPageError)
