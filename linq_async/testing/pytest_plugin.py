"""pytest fixtures for code that uses linq_async (registered through the ``pytest11`` entry point).

- ``linq_fake``: a running ``FakeLinqServer`` on a background thread, fresh for each test.
- ``linq_fake_env``: the same, with ``LINQ_API_V3_API_KEY`` and ``LINQ_API_V3_BASE_URL`` pointing at
  it, for code that builds its own client from the environment.
- ``linq_sync_client``: a ``SyncLinqClient`` bound to ``linq_fake``.
- ``linq_client``: an ``AsyncLinqClient`` bound to ``linq_fake`` (needs pytest-asyncio; without it the
  fixture fails with a message that says so).

Importing this module costs nothing: the server and clients are imported inside the fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from linq_async import AsyncLinqClient, SyncLinqClient
    from linq_async.testing import FakeLinqServer


@pytest.fixture
def linq_fake() -> Iterator[FakeLinqServer]:
    """A FakeLinqServer running on a background thread for the duration of one test."""
    from linq_async.testing import FakeLinqServer

    with FakeLinqServer() as fake:
        yield fake


@pytest.fixture
def linq_fake_env(linq_fake: FakeLinqServer, monkeypatch: pytest.MonkeyPatch) -> FakeLinqServer:
    """``linq_fake``, with the client environment variables pointing at it."""
    monkeypatch.setenv("LINQ_API_V3_API_KEY", linq_fake.api_key)
    monkeypatch.setenv("LINQ_API_V3_BASE_URL", linq_fake.base_url)
    return linq_fake


@pytest.fixture
def linq_sync_client(linq_fake: FakeLinqServer) -> Iterator[SyncLinqClient]:
    """A SyncLinqClient bound to ``linq_fake``, closed after the test."""
    from linq_async import SyncLinqClient

    with SyncLinqClient(linq_fake.api_key, base_url=linq_fake.base_url) as client:
        yield client


try:
    import pytest_asyncio
except ImportError:

    @pytest.fixture(name="linq_client")
    def _linq_client_needs_pytest_asyncio() -> None:
        """Stands in for the async fixture when pytest-asyncio is missing, to say so."""
        pytest.fail(
            "the linq_client fixture is an async fixture and needs pytest-asyncio: "
            "`pip install pytest-asyncio`, or use linq_sync_client in a plain test",
            pytrace=False,
        )

else:

    @pytest_asyncio.fixture
    async def linq_client(linq_fake: FakeLinqServer) -> AsyncIterator[AsyncLinqClient]:
        """An AsyncLinqClient bound to ``linq_fake``, closed after the test on the test's loop."""
        from linq_async import AsyncLinqClient

        async with AsyncLinqClient(linq_fake.api_key, base_url=linq_fake.base_url) as client:
            yield client
