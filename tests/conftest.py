from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from linq_async import AsyncLinqClient, RetryPolicy
from linq_async.testing import FakeLinqServer

from .clients import either_client
from .helpers import KEY, ScriptedAPI, Sleeps, ThreadedAPI, start
from .prism import prism_client, prism_url, violations  # noqa: F401 - fixtures for every test module
from .wire import official_client


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


LINE = "+14155550000"


@pytest.fixture
def fake_server() -> Iterator[FakeLinqServer]:
    """A FakeLinqServer on a background thread (so that blocking calls cannot stall it), line ``LINE``."""
    with FakeLinqServer(lines=[LINE]) as fake:
        yield fake


@pytest.fixture(params=["async", "sync"])
def any_client(request: pytest.FixtureRequest, fake_server: FakeLinqServer, sleeps: Sleeps) -> Iterator[Any]:
    """Each endpoint test runs twice: on a ``SyncLinqClient``, and on an ``AsyncLinqClient`` driven by ``Blocking``."""
    yield from either_client(request.param, fake_server.api_key, fake_server.base_url, retry=RetryPolicy(sleep=sleeps))


@pytest.fixture
def recorder() -> Iterator[ScriptedAPI]:
    """A recording loopback server on its own thread, for wire comparisons."""
    with ThreadedAPI() as api:
        yield api


@pytest.fixture(params=["async", "sync"])
def recorded(request: pytest.FixtureRequest, recorder: ScriptedAPI, sleeps: Sleeps) -> Iterator[Any]:
    """Either client, bound to the recorder, retrying at once."""
    yield from either_client(request.param, KEY, recorder.base_url, retry=RetryPolicy(sleep=sleeps))


@pytest.fixture(scope="session")
def official() -> Iterator[Any]:
    """linq-python's sync client, for wire comparisons."""
    client = official_client()
    yield client
    client.close()
