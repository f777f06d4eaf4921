from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from linq_async import AsyncLinqClient, RetryPolicy

from .helpers import KEY, ScriptedAPI, Sleeps, ThreadedAPI, start


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's real key or base URL."""
    monkeypatch.delenv("LINQ_API_V3_API_KEY", raising=False)
    monkeypatch.delenv("LINQ_API_V3_BASE_URL", raising=False)


@pytest.fixture
async def api() -> AsyncIterator[ScriptedAPI]:
    scripted = ScriptedAPI()
    server = await start(scripted)
    yield scripted
    await server.close()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def make_client(api: ScriptedAPI, sleeps: Sleeps) -> AsyncIterator[Callable[..., AsyncLinqClient]]:
    """Build clients bound to the scripted API, with instant retries; all closed at teardown."""
    made: list[AsyncLinqClient] = []

    def make(**kwargs: Any) -> AsyncLinqClient:
        kwargs.setdefault("base_url", api.base_url)
        if "retry" not in kwargs:
            kwargs["retry"] = RetryPolicy(sleep=sleeps, max_retries=kwargs.pop("max_retries", 2))
        client = AsyncLinqClient(kwargs.pop("api_key", KEY), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


@pytest.fixture
async def client(make_client: Callable[..., AsyncLinqClient]) -> AsyncLinqClient:
    return make_client()


@pytest.fixture
def threaded_api() -> Iterator[ScriptedAPI]:
    """A scripted API on a background thread, reachable from any loop or thread."""
    with ThreadedAPI() as api:
        yield api


@pytest.fixture
def api_base_url_in_thread(threaded_api: ScriptedAPI) -> str:
    return threaded_api.base_url
