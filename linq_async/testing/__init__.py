"""Testing helpers: ``FakeLinqServer``, an in-memory Linq on 127.0.0.1, and a pytest plugin.

The plugin is registered as a ``pytest11`` entry point, so installing linq-async gives a test suite
the fixtures ``linq_fake``, ``linq_fake_env``, ``linq_sync_client`` and, with pytest-asyncio,
``linq_client``.
"""

from ._core import Fault, RecordedRequest
from ._server import RULE_ERRORS, FakeLinqServer
from ._webhooks import Delivery

__all__ = ["RULE_ERRORS", "Delivery", "FakeLinqServer", "Fault", "RecordedRequest"]
