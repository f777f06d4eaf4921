"""Pages behave as linq-python's, on both clients, over real HTTP against the fake server.

The first tests run the same linq-python-style code against linq-python itself and against our
clients, on one fake server, and compare what the code saw and the requests it sent. The others
pin our own rules: what is fetched when (nothing at the call, page one once, never a page nobody
asked for), the last page, offset pages, walks that would loop, and our own names beside
linq-python's.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from typing import Any

import linq
import linq._models
import linq.pagination
import pytest

from linq_async import (
    APIResponseValidationError,
    AsyncLinqClient,
    AsyncPaginator,
    LinqError,
    NotFoundError,
    Page,
    RetryPolicy,
    SyncLinqClient,
    SyncPaginator,
    ValidationError,
)
from linq_async.pagination import AsyncPage, NoNextPageError, PageInfo, SyncPage
from linq_async.testing import FakeLinqServer

from .helpers import KEY, ScriptedAPI, Sleeps

CHATS = "/api/partner/v3/chats"


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
async def aclient(fake_server: FakeLinqServer, sleeps: Sleeps) -> AsyncIterator[AsyncLinqClient]:
    async with AsyncLinqClient(
        fake_server.api_key, base_url=fake_server.base_url, retry=RetryPolicy(sleep=sleeps)
    ) as client:
        yield client


@pytest.fixture
def sclient(fake_server: FakeLinqServer, sleeps: Sleeps) -> Iterator[SyncLinqClient]:
    with SyncLinqClient(fake_server.api_key, base_url=fake_server.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        yield client


@pytest.fixture
def chat_ids(fake_server: FakeLinqServer, sclient: SyncLinqClient) -> list[str]:
    """Seven chats, in the order the fake lists them (``limit=3`` gives pages of 3, 3 and 1)."""
    for n in range(7):
        fake_server.create_chat([f"+1415557{n:04d}"])
    return [chat.id for page in sclient.chats.list_chats(limit=100).pages() for chat in page.items]


@pytest.fixture
def request_ids(sclient: SyncLinqClient) -> list[str]:
    """Five payment requests, newest first (``limit=2`` gives pages of 2, 2 and 1)."""
    made = [sclient.payment_requests.create(amount=100 + n, currency="usd").id for n in range(5)]
    return made[::-1]


@pytest.fixture
async def ascripted(threaded_api: ScriptedAPI, sleeps: Sleeps) -> AsyncIterator[AsyncLinqClient]:
    async with AsyncLinqClient(KEY, base_url=threaded_api.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        yield client


@pytest.fixture
def sscripted(threaded_api: ScriptedAPI, sleeps: Sleeps) -> Iterator[SyncLinqClient]:
    with SyncLinqClient(KEY, base_url=threaded_api.base_url, retry=RetryPolicy(sleep=sleeps)) as client:
        yield client


def cursors(fake: FakeLinqServer, start: int, key: str = "cursor") -> list[str | None]:
    return [r.query.get(key) for r in fake.requests[start:]]


def chat(n: int) -> dict[str, Any]:
    when = "2026-02-13T12:00:00Z"
    return {"id": f"550e8400-e29b-41d4-a716-44665544000{n}", "created_at": when, "updated_at": when, "handles": []}


def scripted_cursors(api: ScriptedAPI) -> list[str | None]:
    return [urllib.parse.parse_qs(s.query).get("cursor", [None])[0] for s in api.seen]


# The same code on linq-python and on ours ---------------------------------------------------------


def seed_messages(fake: FakeLinqServer) -> str:
    chat_id = fake.create_chat(["+14155557100"])
    for n in range(5):
        fake.inbound_message(chat_id, f"hello {n}")
    return chat_id


def linq_python_style(client: Any, chat_id: str) -> list[Any]:
    """Code as a linq-python user writes it for ``LinqAPIV3``: what it saw, in order."""
    seen: list[Any] = []
    page = client.chats.list_chats(limit=3, extra_query={"trace": "on"})
    seen += [[c.id for c in page.chats], page.next_cursor, page.has_next_page(), page.next_page_info().params]
    second = page.get_next_page()
    seen += [[c.id for c in second.chats], second.next_cursor, second.has_next_page()]
    seen.append([len(p.chats) for p in page.iter_pages()])
    seen.append([c.id for c in page])  # every chat, from the first page on
    seen.append([c.id for c in second])  # from the second page on
    last = second.get_next_page()
    seen += [[c.id for c in last.chats], last.has_next_page(), last.next_cursor, last.next_page_info()]
    try:
        last.get_next_page()
    except RuntimeError:
        seen.append("no next page")
    messages = client.chats.messages.list(chat_id, limit=2)
    seen += [[m.id for m in messages.messages], [len(p.messages) for p in messages.iter_pages()]]
    seen.append([m.id for m in messages])
    requests = client.payment_requests.list(limit=2)
    seen += [[r.id for r in requests.data], requests.has_more, requests.object]
    tail = client.payment_requests.list(limit=2, offset=4)
    seen += [[r.id for r in tail.data], tail.has_more]
    return seen


async def linq_python_style_async(client: Any, chat_id: str) -> list[Any]:
    """The same for ``AsyncLinqAPIV3``."""
    seen: list[Any] = []
    page = await client.chats.list_chats(limit=3, extra_query={"trace": "on"})
    seen += [[c.id for c in page.chats], page.next_cursor, page.has_next_page(), page.next_page_info().params]
    second = await page.get_next_page()
    seen += [[c.id for c in second.chats], second.next_cursor, second.has_next_page()]
    seen.append([len(p.chats) async for p in page.iter_pages()])
    seen.append([c.id async for c in page])
    seen.append([c.id async for c in second])
    seen.append([c.id async for c in client.chats.list_chats(limit=3)])
    last = await second.get_next_page()
    seen += [[c.id for c in last.chats], last.has_next_page(), last.next_cursor, last.next_page_info()]
    try:
        await last.get_next_page()
    except RuntimeError:
        seen.append("no next page")
    messages = await client.chats.messages.list(chat_id, limit=2)
    seen += [[m.id for m in messages.messages], [len(p.messages) async for p in messages.iter_pages()]]
    requests = await client.payment_requests.list(limit=2)
    seen += [[r.id for r in requests.data], requests.has_more, requests.object]
    tail = await client.payment_requests.list(limit=2, offset=4)
    seen += [[r.id for r in tail.data], tail.has_more]
    return seen


def wire(fake: FakeLinqServer, start: int, end: int | None = None) -> list[tuple[str, str, dict[str, str]]]:
    return [(r.method, r.path, dict(r.query)) for r in fake.requests[start:end]]


def test_linq_python_code_sees_and_sends_the_same_on_the_sync_client(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str], request_ids: list[str]
) -> None:
    chat_id = seed_messages(fake_server)
    official = linq.LinqAPIV3(api_key=fake_server.api_key, base_url=fake_server.base_url, max_retries=0)
    try:
        start = len(fake_server.requests)
        theirs = linq_python_style(official, chat_id)
    finally:
        official.close()
    middle = len(fake_server.requests)
    ours = linq_python_style(sclient, chat_id)
    assert ours == theirs
    assert wire(fake_server, middle) == wire(fake_server, start, middle)
    assert set(theirs[8]) == {*chat_ids, chat_id} and theirs[-5] == request_ids[:2], "the data was there to see"


async def test_linq_python_code_sees_and_sends_the_same_on_the_async_client(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, chat_ids: list[str], request_ids: list[str]
) -> None:
    chat_id = seed_messages(fake_server)
    official = linq.AsyncLinqAPIV3(api_key=fake_server.api_key, base_url=fake_server.base_url, max_retries=0)
    try:
        start = len(fake_server.requests)
        theirs = await linq_python_style_async(official, chat_id)
    finally:
        await official.close()
    middle = len(fake_server.requests)
    ours = await linq_python_style_async(aclient, chat_id)
    assert ours == theirs
    assert wire(fake_server, middle) == wire(fake_server, start, middle)
    assert set(theirs[8]) == {*chat_ids, chat_id} and theirs[-5] == request_ids[:2]


def linq_page_methods() -> set[str]:
    """The public names linq-python's page classes add to its models."""
    model = set(dir(linq._models.BaseModel))
    names = set()
    for cls in (linq.pagination.SyncListChatsPagination, linq.pagination.AsyncListChatsPagination):
        names |= {n for n in dir(cls) if not n.startswith("_") and n not in model}
    return names


def test_every_name_of_linq_pythons_pages_is_on_ours_and_as_async_or_not() -> None:
    names = linq_page_methods()
    assert names >= {"get_next_page", "has_next_page", "iter_pages", "next_page_info"}, "what this test relies on"
    pairs = [
        (linq.pagination.SyncListChatsPagination, SyncPage),
        (linq.pagination.SyncListChatsPagination, SyncPaginator),
        (linq.pagination.AsyncListChatsPagination, AsyncPage),
    ]
    for theirs, ours in pairs:
        for name in names:
            assert hasattr(ours, name), f"{ours.__name__} lacks {name}"
            kinds = [
                (inspect.iscoroutinefunction(getattr(cls, name)), inspect.isasyncgenfunction(getattr(cls, name)))
                for cls in (theirs, ours)
            ]
            assert kinds[0] == kinds[1], f"{ours.__name__}.{name} is not async where linq-python's is (or vice versa)"
        assert hasattr(ours, "__aiter__" if ours is AsyncPage else "__iter__"), "iterating a page walks on"


def test_every_field_of_linq_pythons_pages_reads_on_ours(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str], request_ids: list[str]
) -> None:
    chat_id = seed_messages(fake_server)
    message_id = sclient.chats.messages.list(chat_id).items[0].id
    pages: list[tuple[type[Any], Any]] = [
        (linq.pagination.SyncListChatsPagination, sclient.chats.list_chats(limit=3)),
        (linq.pagination.SyncListMessagesPagination, sclient.chats.messages.list(chat_id, limit=2)),
        (linq.pagination.SyncListMessagesPagination, sclient.messages.list_messages_thread(message_id)),
        (linq.types.PaymentRequestListResponse, sclient.payment_requests.list(limit=2)),
    ]
    for theirs, ours in pages:
        for field in theirs.model_fields:
            getattr(ours, field)  # on the paginator (the first page)
            getattr(ours.first_page(), field)
        assert ours.to_dict() == ours.model.to_dict()


# What is fetched, and when ------------------------------------------------------------------------


def test_sync_a_list_call_sends_nothing_and_the_first_page_is_fetched_once(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    start = len(fake_server.requests)
    paginator = sclient.chats.list_chats(limit=3)
    assert isinstance(paginator, SyncPaginator) and fake_server.requests[start:] == []
    assert repr(paginator) == "<SyncPaginator: not fetched yet>" and fake_server.requests[start:] == []
    assert [c.id for c in paginator.chats] == chat_ids[:3]
    assert paginator.next_cursor == "3" and paginator.has_next_page() and paginator.has_next
    assert paginator.items == tuple(paginator.chats) and paginator.model.next_cursor == "3"
    assert paginator.next_page_info() == PageInfo({"cursor": "3"})
    assert paginator.first_page() is paginator.first_page()
    assert cursors(fake_server, start) == [None], "one request for all of that"
    assert [c.id for c in paginator] == chat_ids
    assert [len(p) for p in paginator.iter_pages()] == [3, 3, 1]
    assert cursors(fake_server, start) == [None, "3", "6", "3", "6"], "page one is never fetched again"
    assert "SyncPage(items=" in repr(paginator) and "runner" not in repr(paginator)


async def test_async_a_list_call_sends_nothing_and_a_page_goes_on_by_itself(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, chat_ids: list[str]
) -> None:
    start = len(fake_server.requests)
    paginator = aclient.chats.list_chats(limit=3)
    assert isinstance(paginator, AsyncPaginator) and fake_server.requests[start:] == []
    page = await paginator
    assert isinstance(page, AsyncPage) and isinstance(page, Page)
    assert [c.id for c in page.chats] == chat_ids[:3] and page.next_cursor == "3"
    assert page.has_next_page() and page.has_next and page.next_page_info() == PageInfo({"cursor": "3"})
    assert cursors(fake_server, start) == [None], "has_next_page() never fetches"
    assert [c.id async for c in page] == chat_ids
    assert [len(p) async for p in page.iter_pages()] == [3, 3, 1]
    assert cursors(fake_server, start) == [None, "3", "6", "3", "6"], "the page itself is not fetched again"
    assert [c.id for c in page] == chat_ids[:3] and len(page) == 3, "for and len: this page's own items"


def test_sync_pages_walk_on_from_themselves_and_keep_their_own_items(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    second = sclient.chats.list_chats(limit=3).get_next_page()
    assert isinstance(second, SyncPage) and [c.id for c in second.chats] == chat_ids[3:6]
    start = len(fake_server.requests)
    assert [c.id for c in second] == chat_ids[3:], "for: every item from this page on, as in linq-python"
    assert [len(p) for p in second.iter_pages()] == [3, 1]
    assert [c.id for c in second.items] == chat_ids[3:6] and len(second) == 3
    assert cursors(fake_server, start) == ["6", "6"]
    walked = [c.id for page in sclient.chats.list_chats(limit=3).pages() for c in page.items]
    assert walked == chat_ids, "pages() with page.items: each item once"


async def test_async_pages_and_first_page_still_work(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, chat_ids: list[str]
) -> None:
    paginator = aclient.chats.list_chats(limit=3)
    start = len(fake_server.requests)
    first = await paginator.first_page()
    again = await paginator
    assert isinstance(first, AsyncPage) and first == again and first is not again, "each await fetches anew"
    assert [len(p) async for p in paginator.pages()] == [3, 3, 1]
    assert [c.id async for c in paginator] == chat_ids
    assert cursors(fake_server, start) == [None, None, None, "3", "6", None, "3", "6"]
    second = await first.get_next_page()
    assert [len(p) async for p in second.iter_pages()] == [3, 1]


def test_sync_the_last_page_has_no_next_and_asking_for_one_sends_nothing(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    last = sclient.chats.list_chats(limit=3, cursor="6")
    assert [c.id for c in last.chats] == chat_ids[6:]
    assert (last.has_next_page(), last.has_next, last.next_cursor, last.next_page_info()) == (False, False, None, None)
    start = len(fake_server.requests)
    with pytest.raises(NoNextPageError, match="has_next_page") as info:
        last.get_next_page()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, LinqError)
    with pytest.raises(RuntimeError):
        last.first_page().get_next_page()
    assert [len(p) for p in last.iter_pages()] == [1]
    assert fake_server.requests[start:] == []


async def test_async_the_last_page_has_no_next_and_asking_for_one_sends_nothing(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, chat_ids: list[str]
) -> None:
    last = await aclient.chats.list_chats(limit=3, cursor="6")
    assert (last.has_next_page(), last.has_next, last.next_cursor, last.next_page_info()) == (False, False, None, None)
    start = len(fake_server.requests)
    with pytest.raises(NoNextPageError, match="has_next_page") as info:
        await last.get_next_page()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, LinqError)
    assert [len(p) async for p in last.iter_pages()] == [1] and [c.id async for c in last] == chat_ids[6:]
    assert fake_server.requests[start:] == []


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": "3"}, {"cursor": ""}, {"to": "nobody"}, {"from_": "ana@example.com"}]
)
def test_arguments_are_checked_at_the_call_on_both_clients(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        sclient.chats.list_chats(**kwargs)
    with pytest.raises(ValidationError):
        AsyncLinqClient(fake_server.api_key, base_url=fake_server.base_url).chats.list_chats(**kwargs)
    with pytest.raises(ValidationError):
        sclient.payment_requests.list(offset=-1)
    assert fake_server.requests == []


def test_sync_threads_reading_a_new_paginator_share_one_first_page(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    paginator = sclient.chats.list_chats(limit=3)
    start = len(fake_server.requests)
    barrier = threading.Barrier(4)
    seen: list[Any] = []

    def read() -> None:
        barrier.wait()
        seen.append(paginator.first_page())

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and all(page is seen[0] for page in seen)
    assert cursors(fake_server, start) == [None]


# Offset pages (payment requests) ------------------------------------------------------------------


def test_sync_offset_pages_follow_has_more(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, request_ids: list[str]
) -> None:
    start = len(fake_server.requests)
    listed = sclient.payment_requests.list(limit=2)
    assert [r.id for r in listed.data] == request_ids[:2] and listed.has_more is True and listed.object == "list"
    assert listed.has_next_page() and listed.next_cursor == "2"
    second = listed.get_next_page()
    assert [r.id for r in second.data] == request_ids[2:4]
    last = second.get_next_page()
    assert [r.id for r in last.data] == request_ids[4:] and last.has_more is False and not last.has_next_page()
    with pytest.raises(NoNextPageError):
        last.get_next_page()
    assert [r.id for r in listed] == request_ids
    assert [len(p) for p in second.iter_pages()] == [2, 1]
    assert cursors(fake_server, start, "offset") == [None, "2", "4", "2", "4", "4"]
    assert not sclient.payment_requests.list(limit=2, offset=4).has_next_page()


async def test_async_offset_pages_follow_has_more(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, request_ids: list[str]
) -> None:
    start = len(fake_server.requests)
    listed = await aclient.payment_requests.list(limit=2)
    assert [r.id for r in listed.data] == request_ids[:2] and listed.has_more is True and listed.object == "list"
    assert listed.has_next_page() and listed.next_cursor == "2"
    second = await listed.get_next_page()
    last = await second.get_next_page()
    assert [r.id for r in last.data] == request_ids[4:] and not last.has_next_page()
    with pytest.raises(NoNextPageError):
        await last.get_next_page()
    assert [r.id async for r in listed] == request_ids
    assert [len(p) async for p in second.iter_pages()] == [2, 1]
    assert cursors(fake_server, start, "offset") == [None, "2", "4", "2", "4", "4"]
    assert not (await aclient.payment_requests.list(limit=2, offset=4)).has_next_page()


async def test_the_offset_token_names_the_next_pages_parameter() -> None:
    async def fetch(token: str | None) -> Page[int]:
        return Page(items=(1, 2), next_cursor=str(int(token or 0) + 2))

    page = await AsyncPaginator(fetch, token="offset")
    assert page.next_page_info() == PageInfo({"offset": "2"})
    assert (await page.get_next_page()).next_page_info() == PageInfo({"offset": "4"})


# Answers that end or loop a walk ------------------------------------------------------------------


def test_sync_an_empty_page_ends_the_walk_even_with_a_cursor(
    threaded_api: ScriptedAPI, sscripted: SyncLinqClient
) -> None:
    threaded_api.reply(200, {"chats": [], "next_cursor": "5"}, times=2)
    paginator = sscripted.chats.list_chats()
    assert not paginator.has_next_page() and paginator.next_page_info() == PageInfo({"cursor": "5"})
    assert list(paginator) == [] and [len(p) for p in paginator.iter_pages()] == [0]
    assert len(threaded_api.seen) == 1


async def test_async_an_empty_page_ends_the_walk_even_with_a_cursor(
    threaded_api: ScriptedAPI, ascripted: AsyncLinqClient
) -> None:
    threaded_api.reply(200, {"chats": [], "next_cursor": "5"}, times=2)
    page = await ascripted.chats.list_chats()
    assert not page.has_next_page() and [c async for c in page] == []
    assert [c async for c in ascripted.chats.list_chats()] == []
    assert len(threaded_api.seen) == 2


def test_sync_a_repeated_cursor_stops_every_walk(threaded_api: ScriptedAPI, sscripted: SyncLinqClient) -> None:
    threaded_api.reply(200, {"chats": [chat(1)], "next_cursor": "20"}, times=5)
    paginator = sscripted.chats.list_chats()
    with pytest.raises(APIResponseValidationError, match="twice"):
        list(paginator)
    with pytest.raises(APIResponseValidationError, match="twice"):
        list(paginator.iter_pages())
    assert scripted_cursors(threaded_api) == [None, "20", "20"]


async def test_async_a_repeated_cursor_stops_every_walk(threaded_api: ScriptedAPI, ascripted: AsyncLinqClient) -> None:
    threaded_api.reply(200, {"chats": [chat(1)], "next_cursor": "20"}, times=5)
    page = await ascripted.chats.list_chats()
    with pytest.raises(APIResponseValidationError, match="twice"):
        [c async for c in page]
    with pytest.raises(APIResponseValidationError, match="twice"):
        [p async for p in ascripted.chats.list_chats().pages()]
    assert scripted_cursors(threaded_api) == [None, "20", None, "20"]


def test_sync_a_first_page_that_failed_is_fetched_again_when_next_needed(
    threaded_api: ScriptedAPI, sscripted: SyncLinqClient
) -> None:
    threaded_api.reply(404, {"error": {"status": 404, "code": 2021, "message": "Not found"}})
    threaded_api.reply(200, {"chats": [chat(1), chat(2)], "next_cursor": None})
    paginator = sscripted.chats.list_chats()
    with pytest.raises(NotFoundError):
        paginator.chats  # noqa: B018 - the read is the test
    assert [c.id for c in paginator.chats] == [chat(1)["id"], chat(2)["id"]]
    assert len(list(paginator)) == 2 and len(threaded_api.seen) == 2


# Equality, repr, raw responses --------------------------------------------------------------------


async def test_pages_compare_and_print_without_how_they_were_fetched(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    one, two = await aclient.chats.list_chats(limit=3), await aclient.chats.list_chats(limit=3)
    assert one == two and repr(one) == repr(two)
    for text in (repr(one), await asyncio.to_thread(lambda: repr(sclient.chats.list_chats(limit=3).first_page()))):
        assert "fetch" not in text and "runner" not in text and "token" not in text
    assert repr(one).startswith("AsyncPage(items=(Chat(")


def test_sync_raw_responses_parse_into_a_page_that_knows_its_next(
    fake_server: FakeLinqServer, sclient: SyncLinqClient, chat_ids: list[str]
) -> None:
    raw = sclient.chats.with_raw_response.list_chats(limit=3)
    page = raw.parse()
    assert raw.status_code == 200 and isinstance(page, SyncPage) and [c.id for c in page.chats] == chat_ids[:3]
    assert page.has_next_page() and page.next_page_info() == PageInfo({"cursor": "3"})
    assert [c.id for c in page.get_next_page().chats] == chat_ids[3:6]
    assert [c.id for c in page] == chat_ids


async def test_async_raw_responses_parse_into_a_page_that_knows_its_next(
    fake_server: FakeLinqServer, aclient: AsyncLinqClient, chat_ids: list[str]
) -> None:
    raw = await aclient.chats.with_raw_response.list_chats(limit=3)
    page = await raw.parse()
    assert raw.status_code == 200 and isinstance(page, AsyncPage) and [c.id for c in page.chats] == chat_ids[:3]
    assert page.has_next_page() and page.next_page_info() == PageInfo({"cursor": "3"})
    assert [c.id for c in (await page.get_next_page()).chats] == chat_ids[3:6]
    assert [c.id async for c in page] == chat_ids


def test_private_names_are_never_looked_up_on_the_first_page(
    fake_server: FakeLinqServer, sclient: SyncLinqClient
) -> None:
    paginator = sclient.chats.list_chats()
    assert not hasattr(paginator, "_repr_html_") and not hasattr(paginator, "__length_hint__")
    assert bool(paginator) and fake_server.requests == []


async def test_a_raw_list_call_checks_its_options_when_awaited_as_every_call_does() -> None:
    async with AsyncLinqClient(KEY, base_url="http://127.0.0.1:9/api/partner") as client:
        for bad in ({"timeout": -1}, {"extra_query": {"limit": object()}}):
            pending = client.chats.with_raw_response.list(**bad)  # type: ignore[arg-type]
            with pytest.raises(ValidationError):
                await pending
